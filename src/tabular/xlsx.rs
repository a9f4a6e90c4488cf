//! XLSX in two steps. First the zip itself: every part is decompressed into
//! a counter (never into memory) to measure its real size, and the shared
//! strings table's declared count, which the reader reserves memory for, is
//! checked. Only then is the workbook opened, and its first sheet read cell
//! by cell: a cell past the column limit or a row past the row limit stops
//! the read, and rows are kept sparse, so a cell in the far corner costs
//! one row, never the rectangle up to it.

use std::collections::BTreeMap;
use std::io::{self, BufReader, Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{DataRef, Reader, Xlsx};

use super::{
    Cell, MAX_CELL_CHARS, MAX_COLUMNS, MAX_DATA_ROWS, MAX_UNCOMPRESSED_BYTES, MAX_ZIP_ENTRIES, Row,
    Table, cell_too_long, column_letters, file_error, row_error, table_from, too_many_rows,
};
use crate::error::AppError;
use crate::numbers::{grouped, mebibytes};

/// Distinct texts in the shared strings table: one per cell at most. The
/// reader reserves room for the count a file declares before reading one.
const MAX_SHARED_STRINGS: u64 = (MAX_COLUMNS * (MAX_DATA_ROWS + 1)) as u64;

pub(super) fn read(bytes: &[u8]) -> Result<Table, AppError> {
    check_archive(bytes)?;
    // calamine does unchecked arithmetic on cell references and dates: a
    // hostile reference panics (debug) or wraps (release). Contain it here
    // as a refused file rather than a failed request.
    catch_unwind(AssertUnwindSafe(|| read_first_sheet(bytes))).unwrap_or_else(|_| {
        Err(file_error(
            "berkas XLSX rusak: isinya tidak dapat dibaca; simpan ulang dari Excel",
        ))
    })
}

fn broken(err: impl std::fmt::Display) -> AppError {
    file_error(format!("berkas XLSX rusak atau tidak dapat dibaca: {err}"))
}

fn too_big() -> AppError {
    file_error(format!(
        "isi berkas XLSX setelah dibuka melebihi {limit}; paling banyak {limit} (berkas ini mungkin bom zip atau terlalu besar untuk diimpor)",
        limit = mebibytes(MAX_UNCOMPRESSED_BYTES)
    ))
}

/// Counts the bytes read through it and fails past `left`.
struct Counted<R> {
    inner: R,
    read: u64,
    left: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.left {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                "over the limit",
            ));
        }
        Ok(n)
    }
}

/// Refuses an archive whose parts are too many, too big once decompressed,
/// or not an XLSX workbook, before anything is allocated for its content.
fn check_archive(bytes: &[u8]) -> Result<(), AppError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(broken)?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(file_error(format!(
            "berkas XLSX berisi {} bagian; paling banyak {}",
            grouped(archive.len() as u64),
            grouped(MAX_ZIP_ENTRIES as u64)
        )));
    }
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.replace('\\', "/").to_ascii_lowercase()))
        .collect::<Result<_, _>>()
        .map_err(broken)?;
    if names.iter().any(|n| n == "mimetype" || n == "content.xml") {
        return Err(file_error(
            "format OpenDocument (.ods) tidak didukung; simpan sebagai .xlsx atau CSV UTF-8",
        ));
    }
    if names.iter().any(|n| n.ends_with("workbook.bin")) {
        return Err(file_error(
            "format Excel biner (.xlsb) tidak didukung; simpan sebagai .xlsx atau CSV UTF-8",
        ));
    }
    let mut total = 0u64;
    for index in 0..archive.len() {
        let entry = archive.by_index(index).map_err(broken)?;
        let left = MAX_UNCOMPRESSED_BYTES - total;
        if entry.size() > left {
            return Err(too_big());
        }
        let name = entry
            .name()
            .map_err(broken)?
            .replace('\\', "/")
            .to_ascii_lowercase();
        let mut counted = Counted {
            inner: entry,
            read: 0,
            left,
        };
        let outcome = if name.ends_with("sharedstrings.xml") {
            check_shared_strings(&mut counted)
        } else {
            io::copy(&mut counted, &mut io::sink()).map(|_| ())
        };
        match outcome {
            Err(err) if err.kind() == io::ErrorKind::FileTooLarge => return Err(too_big()),
            Err(err) if err.kind() == io::ErrorKind::InvalidInput => {
                return Err(file_error(err.to_string()));
            }
            Err(err) => return Err(broken(err)),
            Ok(()) => total += counted.read,
        }
    }
    Ok(())
}

/// The declared `uniqueCount` of the shared strings table must be plain
/// digits and within bounds; then the rest of the part is counted.
fn check_shared_strings(part: &mut impl Read) -> io::Result<()> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(&mut *part));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))
                if e.local_name().as_ref() == "sst" =>
            {
                let declared = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "uniqueCount")
                    .map(|a| a.value.into_owned());
                if let Some(raw) = declared {
                    let count = Some(raw.as_str())
                        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(|t| t.parse::<u64>().ok());
                    if count.is_none_or(|n| n > MAX_SHARED_STRINGS) {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidInput,
                            format!(
                                "berkas XLSX menyatakan {} teks; paling banyak {} teks ({} kolom × {} baris)",
                                count.map_or_else(|| raw.chars().take(20).collect(), grouped),
                                grouped(MAX_SHARED_STRINGS),
                                MAX_COLUMNS,
                                grouped(MAX_DATA_ROWS as u64 + 1)
                            ),
                        ));
                    }
                }
                break;
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(quick_xml::Error::Io(err)) => {
                return Err(io::Error::new(err.kind(), err.to_string()));
            }
            Err(err) => return Err(io::Error::other(format!("sharedStrings.xml: {err}"))),
        }
    }
    drop(xml);
    io::copy(part, &mut io::sink()).map(|_| ())
}

fn read_first_sheet(bytes: &[u8]) -> Result<Table, AppError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(broken)?;
    let sheet = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| file_error("spreadsheet tidak memiliki lembar kerja"))?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|err| file_error(format!("lembar kerja pertama tidak dapat dibaca: {err}")))?;
    // Rows by number; each holds at most MAX_COLUMNS cells.
    let mut rows: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|err| file_error(format!("lembar kerja pertama rusak: {err}")))?
    {
        let (row, column) = cell.get_position();
        let number = row.saturating_add(1);
        let Some(value) = excel_cell(cell.get_value(), number, column)? else {
            continue;
        };
        if column as usize >= MAX_COLUMNS {
            return Err(row_error(
                number,
                format!(
                    "sel {}{} berisi data di kolom {} (kolom ke-{}); paling banyak {} kolom (A–{})",
                    column_letters(column),
                    number,
                    column_letters(column),
                    grouped(u64::from(column) + 1),
                    MAX_COLUMNS,
                    column_letters(MAX_COLUMNS as u32 - 1)
                ),
            ));
        }
        if !rows.contains_key(&number) && rows.len() > MAX_DATA_ROWS {
            return Err(too_many_rows(number));
        }
        let cells = rows.entry(number).or_default();
        if cells.len() <= column as usize {
            cells.resize(column as usize + 1, Cell::default());
        }
        cells[column as usize] = value;
    }
    Ok(table_from(
        rows.into_iter()
            .map(|(number, cells)| Row { number, cells }),
    ))
}

/// Largest integer an `f64` holds exactly (2^53).
const EXACT_FLOAT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// The cell as text, or `None` for an empty one; a cell past the length
/// limit is refused before its text is copied.
fn excel_cell(data: &DataRef<'_>, row: u32, column: u32) -> Result<Option<Cell>, AppError> {
    let exact = |text: String| {
        Ok(Some(Cell {
            text,
            imprecise_number: false,
        }))
    };
    let text = |s: &str| {
        let chars = s.chars().count();
        if chars > MAX_CELL_CHARS {
            let place = format!("sel {}{row}", column_letters(column));
            return Err(cell_too_long(row, &place, Some(chars)));
        }
        if s.trim().is_empty() {
            return Ok(None);
        }
        exact(s.to_owned())
    };
    match data {
        DataRef::Empty => Ok(None),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < EXACT_FLOAT_LIMIT => {
            exact(format!("{f:.0}"))
        }
        DataRef::Float(f) if f.fract() == 0.0 => Ok(Some(Cell {
            text: format!("{f:.0}"),
            imprecise_number: true,
        })),
        DataRef::Float(f) => exact(f.to_string()),
        DataRef::Int(i) => exact(i.to_string()),
        DataRef::Bool(b) => exact(b.to_string()),
        DataRef::DateTime(dt) => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if (hh, mm, ss) == (0, 0, 0) {
                exact(format!("{y:04}-{m:02}-{d:02}"))
            } else {
                exact(format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}"))
            }
        }
        DataRef::Error(e) => exact(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::read as read_table;
    use super::*;

    fn book(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (r, c, text) in cells {
            sheet.write_string(*r, *c, *text).unwrap();
        }
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn reads_header_and_rows_with_spreadsheet_numbers() {
        let bytes = book(&[
            (2, 1, "NIP"),
            (2, 2, "Nama"),
            (3, 1, "1"),
            (3, 2, "Ani"),
            (5, 2, "Budi"),
        ]);
        let table = read_table(Some("a.xlsx"), &bytes).unwrap();
        assert_eq!(table.headers, ["", "nip", "nama"]);
        let numbers: Vec<u32> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [4, 6]);
        assert_eq!(table.rows[1].text(Some(2)), Some("Budi"));
    }

    #[test]
    fn flags_long_numbers_from_excel() {
        let cell = excel_cell(&DataRef::Float(198503122010011001.0), 2, 0)
            .unwrap()
            .unwrap();
        assert!(cell.imprecise_number);
        let small = excel_cell(&DataRef::Float(42.0), 2, 0).unwrap().unwrap();
        assert_eq!(small.text, "42");
    }

    #[test]
    fn a_cell_in_the_far_corner_is_refused_naming_the_column_limit() {
        let bytes = book(&[(0, 0, "nip"), (1_048_575, 16_383, "x")]);
        let err = read_table(Some("a.xlsx"), &bytes).unwrap_err();
        let detail = &err.details().unwrap()[0];
        assert_eq!(detail.row, Some(1_048_576));
        assert!(
            detail.message.contains("XFD1048576")
                && detail.message.contains("paling banyak 50 kolom"),
            "{err}"
        );
    }

    #[test]
    fn a_far_row_in_an_allowed_column_is_one_row_not_a_million() {
        let bytes = book(&[(0, 0, "nip"), (1_048_575, 0, "1")]);
        let table = read_table(Some("a.xlsx"), &bytes).unwrap();
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].number, 1_048_576);
    }

    #[test]
    fn more_rows_than_the_limit_are_refused() {
        let mut cells = vec![(0, 0, "nip")];
        cells.extend((1..=MAX_DATA_ROWS as u32 + 1).map(|r| (r, 0u16, "1")));
        let err = read_table(Some("a.xlsx"), &book(&cells)).unwrap_err();
        let detail = &err.details().unwrap()[0];
        assert_eq!(detail.row, Some(MAX_DATA_ROWS as u32 + 2));
        assert!(
            detail.message.contains("paling banyak 10.000 baris data"),
            "{err}"
        );
    }

    #[test]
    fn a_long_cell_is_refused_naming_the_limit() {
        let long = "a".repeat(MAX_CELL_CHARS + 1);
        let err = read_table(Some("a.xlsx"), &book(&[(0, 0, "nip"), (1, 1, &long)])).unwrap_err();
        assert!(
            err.to_string().contains("sel B2 berisi 1.001 karakter"),
            "{err}"
        );
    }

    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in parts {
            out.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_is_inflated() {
        let zeros = vec![0u8; MAX_UNCOMPRESSED_BYTES as usize + 1];
        let bytes = zip_of(&[("xl/worksheets/sheet1.xml", &zeros)]);
        assert!(bytes.len() < 200_000, "{}", bytes.len());
        let err = read_table(Some("a.xlsx"), &bytes).unwrap_err();
        assert!(err.to_string().contains("paling banyak 50 MiB"), "{err}");
    }

    #[test]
    fn a_declared_shared_string_count_is_bounded() {
        let sst = b"<?xml version=\"1.0\"?><sst xmlns=\"x\" uniqueCount=\"99999999999\"><si><t>a</t></si></sst>";
        let bytes = zip_of(&[("xl/sharedStrings.xml", sst)]);
        let err = read_table(Some("a.xlsx"), &bytes).unwrap_err();
        assert!(
            err.to_string().contains("paling banyak 500.050 teks"),
            "{err}"
        );
    }

    #[test]
    fn open_document_is_refused_by_name() {
        let bytes = zip_of(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        let err = read_table(Some("a.ods"), &bytes).unwrap_err();
        assert!(err.to_string().contains(".ods"), "{err}");
    }
}
