//! Reads an uploaded spreadsheet (CSV or XLSX) into header-named rows, so
//! every import (users, enrolments, …) validates the same kind of table.
//!
//! Row numbers are the ones a person sees in the spreadsheet: the header is
//! row 1, the first data row is row 2.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use crate::error::{AppError, FieldError};

/// One cell: its text, and whether Excel stored it as a number too long to
/// be exact (an 18-digit NIP typed into a number column loses its last digits).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    pub imprecise_number: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Spreadsheet row number (header = 1).
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

/// Reads `bytes` as XLSX when they look like a zip archive (or the name
/// says so), else as CSV with `,` or `;` separators and an optional BOM.
pub fn read(file_name: Option<&str>, bytes: &[u8]) -> Result<Table, AppError> {
    let looks_zip = bytes.starts_with(b"PK\x03\x04");
    let named_excel = file_name
        .map(|n| n.to_lowercase())
        .is_some_and(|n| n.ends_with(".xlsx") || n.ends_with(".xls") || n.ends_with(".ods"));
    let table = if looks_zip || named_excel {
        read_workbook(bytes)?
    } else {
        read_csv(bytes)?
    };
    if table.headers.iter().all(String::is_empty) {
        return Err(file_error("berkas kosong atau tanpa baris judul kolom"));
    }
    Ok(table)
}

fn file_error(message: impl Into<String>) -> AppError {
    AppError::validation(vec![FieldError::new("file", message)])
}

fn normalise_header(text: &str) -> String {
    text.trim().to_lowercase().replace([' ', '-'], "_")
}

fn read_csv(bytes: &[u8]) -> Result<Table, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        file_error(format!(
            "berkas CSV harus UTF-8 (byte tidak sah di posisi {}); simpan ulang sebagai \"CSV UTF-8\"",
            err.valid_up_to()
        ))
    })?;
    let header_line = text.lines().next().unwrap_or_default();
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    let mut headers = Vec::new();
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|err| {
            let line = err
                .position()
                .map(|p| p.line() as u32)
                .unwrap_or(index as u32 + 1);
            AppError::validation(vec![FieldError::at_row(
                line,
                "file",
                format!("CSV rusak: {err}"),
            )])
        })?;
        let number = record
            .position()
            .map(|p| line_of_record(text, p.byte() as usize))
            .unwrap_or(index as u32 + 1);
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if index == 0 {
            headers = cells.iter().map(|c| normalise_header(c)).collect();
        } else if cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push(Row {
                number,
                cells: cells
                    .into_iter()
                    .map(|text| Cell {
                        text,
                        imprecise_number: false,
                    })
                    .collect(),
            });
        }
    }
    Ok(Table { headers, rows })
}

/// The line a record starting at `byte` is on, which is the row a
/// spreadsheet shows. The reader counts skipped blank lines as part of the
/// next record, so step over them first.
fn line_of_record(text: &str, byte: usize) -> u32 {
    let bytes = text.as_bytes();
    let mut start = byte.min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    bytes[..start].iter().filter(|b| **b == b'\n').count() as u32 + 1
}

fn read_workbook(bytes: &[u8]) -> Result<Table, AppError> {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|err| file_error(format!("berkas spreadsheet tidak dapat dibaca: {err}")))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| file_error("spreadsheet tidak memiliki lembar kerja"))?
        .map_err(|err| file_error(format!("lembar kerja pertama tidak dapat dibaca: {err}")))?;
    let first_row = range.start().map(|(row, _)| row).unwrap_or(0);

    let mut headers = Vec::new();
    let mut rows = Vec::new();
    for (index, row) in range.rows().enumerate() {
        let number = first_row + index as u32 + 1;
        let cells: Vec<Cell> = row.iter().map(excel_cell).collect();
        if index == 0 {
            headers = cells.iter().map(|c| normalise_header(&c.text)).collect();
        } else if cells.iter().any(|c| !c.text.trim().is_empty()) {
            rows.push(Row { number, cells });
        }
    }
    Ok(Table { headers, rows })
}

/// Largest integer an `f64` holds exactly (2^53).
const EXACT_FLOAT_LIMIT: f64 = 9_007_199_254_740_992.0;

fn excel_cell(data: &Data) -> Cell {
    let exact = |text: String| Cell {
        text,
        imprecise_number: false,
    };
    match data {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < EXACT_FLOAT_LIMIT => {
            exact(format!("{f:.0}"))
        }
        Data::Float(f) if f.fract() == 0.0 => Cell {
            text: format!("{f:.0}"),
            imprecise_number: true,
        },
        Data::DateTime(dt) => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                exact(format!("{y:04}-{m:02}-{d:02}"))
            } else {
                exact(format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}"))
            }
        }
        other => exact(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_comma_csv_with_bom() {
        let table = read(
            Some("a.csv"),
            "\u{FEFF}NIP,Nama\n1,Ani\n\n2,Budi\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(table.headers, ["nip", "nama"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].number, 2);
        assert_eq!(table.rows[1].number, 4, "blank line 3 keeps its number");
        assert_eq!(table.rows[1].text(Some(1)), Some("Budi"));
    }

    #[test]
    fn detects_semicolons() {
        let table = read(None, b"nip;nama;Unit Kerja\n1;Ani, S.Kom;BKD\n").unwrap();
        assert_eq!(table.headers, ["nip", "nama", "unit_kerja"]);
        assert_eq!(table.rows[0].text(Some(1)), Some("Ani, S.Kom"));
    }

    #[test]
    fn rejects_non_utf8() {
        let err = read(None, b"nama\nJos\xe9\n").unwrap_err();
        assert_eq!(err.details().unwrap()[0].field, "file");
    }

    #[test]
    fn flags_long_numbers_from_excel() {
        let cell = excel_cell(&Data::Float(198503122010011001.0));
        assert!(cell.imprecise_number);
        assert_eq!(excel_cell(&Data::Float(42.0)).text, "42");
    }
}
