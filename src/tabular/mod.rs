//! Reads an uploaded spreadsheet (CSV or XLSX) into header-named rows, so
//! every import (users, enrolments, …) validates the same kind of table.
//!
//! Row numbers are the ones a person sees in the spreadsheet: the header is
//! the first row that holds anything (usually row 1), data rows follow.
//!
//! An upload is hostile until read: both readers stream, never allocate
//! what a file declares, and refuse a file past the limits below with a
//! message that names the limit. `.xls` and `.ods` are refused: calamine
//! reads them only into a dense grid sized by the cells' positions (one cell
//! in the far corner asks for gigabytes), with no streaming reader to bound.

mod csv;
mod xlsx;

use crate::error::{AppError, FieldError};
use crate::numbers::grouped;

/// Data rows under the header. The largest list a BKD imports (every civil
/// servant of a city, a few thousand) fits with room to spare; each row is
/// then checked against the database inside one write transaction, so a
/// longer file would hold the writer for minutes. Split bigger lists.
pub const MAX_DATA_ROWS: usize = 10_000;

/// Columns A–AX. The imports read at most seven named columns; fifty leaves
/// room for an HR export's extra columns while keeping a row small.
pub const MAX_COLUMNS: usize = 50;

/// Characters in one cell: a name, a unit kerja or a jabatan is far
/// shorter, and the bound keeps a single cell from holding the whole file.
pub const MAX_CELL_CHARS: usize = 1_000;

/// A CSV or XLSX upload (users, enrolments): 10,000 rows fit in well under this.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// The uncompressed size of all the parts of an XLSX together. 10,000 rows
/// of 50 short cells are about 30 MiB of sheet XML; more is a zip bomb, not
/// a list of people. Measured by decompressing, since a zip's declared
/// sizes can lie, before the workbook is opened.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 50 * 1024 * 1024;

/// Parts in an XLSX: Excel writes a dozen or so (one more per sheet, image,
/// …); every part costs memory before a byte of it is read.
pub const MAX_ZIP_ENTRIES: usize = 1_000;

/// One cell: its text, and whether Excel stored it as a number too long to
/// be exact (an 18-digit NIP typed into a number column loses its last digits).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub text: String,
    pub imprecise_number: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Spreadsheet row number (the line in a CSV file).
    pub number: u32,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Normalised header names: trimmed, lowercase, spaces and dashes as `_`.
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Position of the first header among `names` (aliases of one column).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| names.contains(&h.as_str()))
    }
}

impl Row {
    /// The trimmed text in column `index`; empty when the row is short.
    pub fn text(&self, index: Option<usize>) -> Option<&str> {
        index
            .and_then(|i| self.cells.get(i))
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    pub fn cell(&self, index: Option<usize>) -> Option<&Cell> {
        index.and_then(|i| self.cells.get(i))
    }
}

/// What a file's first bytes say it is.
#[derive(Debug, PartialEq)]
enum Kind {
    Zip,
    /// An OLE compound file: Excel 97–2003 `.xls`, or a password-protected XLSX.
    Compound,
    Text,
}

fn kind_of(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") {
        Kind::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Kind::Compound
    } else {
        Kind::Text
    }
}

/// Reads `bytes` as XLSX when they are a zip archive, else as CSV with `,`
/// or `;` separators and an optional BOM. A name ending in `.xlsx`, `.xls`
/// or `.ods` must hold a workbook.
pub fn read(file_name: Option<&str>, bytes: &[u8]) -> Result<Table, AppError> {
    let name = file_name.map(str::to_lowercase).unwrap_or_default();
    let named_excel = [".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"]
        .iter()
        .any(|e| name.ends_with(e));
    let table = match kind_of(bytes) {
        Kind::Zip => xlsx::read(bytes)?,
        Kind::Compound => return Err(file_error(UNSUPPORTED_COMPOUND)),
        Kind::Text if named_excel => {
            return Err(file_error(
                "berkas ini bukan spreadsheet XLSX yang sah; simpan ulang dari Excel sebagai .xlsx atau CSV UTF-8",
            ));
        }
        Kind::Text => csv::read(bytes)?,
    };
    if table.headers.iter().all(String::is_empty) {
        return Err(file_error("berkas kosong atau tanpa baris judul kolom"));
    }
    Ok(table)
}

const UNSUPPORTED_COMPOUND: &str = "format Excel 97–2003 (.xls) dan berkas Excel berkata sandi tidak didukung; simpan sebagai .xlsx tanpa kata sandi atau CSV UTF-8";

fn file_error(message: impl Into<String>) -> AppError {
    AppError::validation(vec![FieldError::new("file", message)])
}

fn row_error(row: u32, message: impl Into<String>) -> AppError {
    AppError::validation(vec![FieldError::at_row(row, "file", message)])
}

fn normalise_header(text: &str) -> String {
    text.trim().to_lowercase().replace([' ', '-'], "_")
}

fn too_many_rows(row: u32) -> AppError {
    row_error(
        row,
        format!(
            "berkas berisi lebih dari {max} baris data; paling banyak {max} baris data per berkas (baris judul tidak dihitung): bagi menjadi beberapa berkas",
            max = grouped(MAX_DATA_ROWS as u64)
        ),
    )
}

/// `chars` when known; a CSV reader that ran out of room knows only "more".
fn cell_too_long(row: u32, place: &str, chars: Option<usize>) -> AppError {
    let length = match chars {
        Some(n) => format!("berisi {} karakter", grouped(n as u64)),
        None => format!(
            "berisi lebih dari {} karakter",
            grouped(MAX_CELL_CHARS as u64)
        ),
    };
    row_error(
        row,
        format!(
            "{place} {length}; paling banyak {} karakter per sel",
            grouped(MAX_CELL_CHARS as u64)
        ),
    )
}

/// Spreadsheet column letters for a 0-based index: 0 → `A`, 49 → `AX`.
fn column_letters(index: u32) -> String {
    let mut n = u64::from(index) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Turns header and data rows into a table; blank data rows are dropped.
fn table_from(mut rows: impl Iterator<Item = Row>) -> Table {
    let headers = rows
        .next()
        .map(|r| r.cells.iter().map(|c| normalise_header(&c.text)).collect())
        .unwrap_or_default();
    let rows = rows
        .filter(|r| r.cells.iter().any(|c| !c.text.trim().is_empty()))
        .collect();
    Table { headers, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_match_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(49), "AX");
        assert_eq!(column_letters(16_383), "XFD");
    }

    #[test]
    fn old_excel_and_fake_workbooks_are_refused_by_name() {
        let err = read(Some("a.xls"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest").unwrap_err();
        assert!(err.to_string().contains(".xls"), "{err}");
        let err = read(Some("a.xlsx"), b"nip,nama\n").unwrap_err();
        assert!(err.to_string().contains("bukan spreadsheet"), "{err}");
    }
}
