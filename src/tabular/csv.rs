//! CSV in one pass: records are read by `csv_core` into fixed buffers sized
//! by the limits (a longer cell or a wider row stops the read, never grows a
//! buffer), and line numbers are counted as the bytes go by.

use csv_core::{ReadRecordResult, ReaderBuilder};

use super::{
    Cell, MAX_CELL_CHARS, MAX_COLUMNS, MAX_DATA_ROWS, Row, Table, cell_too_long, file_error,
    row_error, table_from, too_many_rows,
};
use crate::error::AppError;
use crate::numbers::grouped;

/// The separator the header line uses most: `;` (Excel in Indonesian) or `,`.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if header.matches(';').count() > header.matches(',').count() {
        b';'
    } else {
        b','
    }
}

/// Whether the byte at `i` ends a line: `\n`, or a `\r` not followed by
/// `\n` (old Mac files end lines with `\r` alone).
fn ends_line(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'\n' => true,
        b'\r' => bytes.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

fn line_breaks(bytes: &[u8], from: usize, to: usize) -> u32 {
    (from..to).filter(|&i| ends_line(bytes, i)).count() as u32
}

pub(super) fn read(bytes: &[u8]) -> Result<Table, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        file_error(format!(
            "berkas CSV harus UTF-8 (byte tidak sah di posisi {}); simpan ulang sebagai \"CSV UTF-8\"",
            grouped(err.valid_up_to() as u64)
        ))
    })?;
    let mut reader = ReaderBuilder::new().delimiter(delimiter(text)).build();
    // A UTF-8 character takes at most 4 bytes, so a row whose cells all fit
    // the limit fits this buffer; filling it means some cell is too long.
    let mut output = vec![0u8; MAX_COLUMNS * MAX_CELL_CHARS * 4];
    let mut ends = vec![0usize; MAX_COLUMNS];
    let mut rows = Vec::new();
    let mut data_rows = 0usize;
    let mut pos = 0usize;
    let mut line = 1u32;
    loop {
        // Blank lines belong to no record; step over them so that a record's
        // number is the line it starts on.
        while let Some(b'\r' | b'\n') = bytes.get(pos) {
            line += u32::from(ends_line(bytes, pos));
            pos += 1;
        }
        let start_line = line;
        let (mut out_len, mut end_count) = (0, 0);
        let done = loop {
            let input = &bytes[pos..];
            let (result, nin, nout, nend) =
                reader.read_record(input, &mut output[out_len..], &mut ends[end_count..]);
            line += line_breaks(bytes, pos, pos + nin);
            pos += nin;
            out_len += nout;
            end_count += nend;
            match result {
                // All input was given at once: empty input next tells the
                // reader the file has ended.
                ReadRecordResult::InputEmpty if !input.is_empty() => continue,
                ReadRecordResult::InputEmpty => break true,
                ReadRecordResult::Record => break false,
                ReadRecordResult::End => break true,
                ReadRecordResult::OutputFull => {
                    return Err(cell_too_long(start_line, "sebuah sel di baris ini", None));
                }
                ReadRecordResult::OutputEndsFull => {
                    return Err(row_error(
                        start_line,
                        format!(
                            "baris ini memiliki lebih dari {max} kolom; paling banyak {max} kolom",
                            max = MAX_COLUMNS
                        ),
                    ));
                }
            }
        };
        if done {
            break;
        }
        let mut cells = Vec::with_capacity(end_count);
        let mut start = 0;
        for (index, &end) in ends[..end_count].iter().enumerate() {
            let text = String::from_utf8_lossy(&output[start..end]).into_owned();
            let chars = text.chars().count();
            if chars > MAX_CELL_CHARS {
                return Err(cell_too_long(
                    start_line,
                    &format!("kolom ke-{}", index + 1),
                    Some(chars),
                ));
            }
            cells.push(Cell {
                text,
                imprecise_number: false,
            });
            start = end;
        }
        let blank = cells.iter().all(|c| c.text.trim().is_empty());
        if !rows.is_empty() && !blank {
            data_rows += 1;
            if data_rows > MAX_DATA_ROWS {
                return Err(too_many_rows(start_line));
            }
        }
        if rows.is_empty() || !blank {
            rows.push(Row {
                number: start_line,
                cells,
            });
        }
    }
    Ok(table_from(rows.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::super::read as read_table;
    use super::*;

    #[test]
    fn reads_comma_csv_with_bom() {
        let table = read_table(
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
        let table = read_table(None, b"nip;nama;Unit Kerja\n1;Ani, S.Kom;BKD\n").unwrap();
        assert_eq!(table.headers, ["nip", "nama", "unit_kerja"]);
        assert_eq!(table.rows[0].text(Some(1)), Some("Ani, S.Kom"));
    }

    #[test]
    fn rejects_non_utf8() {
        let err = read_table(None, b"nama\nJos\xe9\n").unwrap_err();
        assert_eq!(err.details().unwrap()[0].field, "file");
    }

    #[test]
    fn line_numbers_count_quoted_newlines_crlf_and_blank_lines() {
        let table = read_table(
            None,
            b"nip,nama\r\n1,\"Ani\r\nBaris dua\"\r\n\r\n\r\n2,Budi\r\n3,Citra",
        )
        .unwrap();
        let numbers: Vec<u32> = table.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 6, 7]);
        assert_eq!(table.rows[0].text(Some(1)), Some("Ani\r\nBaris dua"));
        assert_eq!(table.rows[2].text(Some(1)), Some("Citra"));
        let old_mac = read_table(None, b"nip\r1\r\r2").unwrap();
        let numbers: Vec<u32> = old_mac.rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 4]);
    }

    #[test]
    fn a_row_of_exactly_the_column_limit_reads_and_one_more_is_refused() {
        let header = vec!["h"; MAX_COLUMNS].join(",");
        let table = read_table(None, format!("{header}\n").as_bytes()).unwrap();
        assert_eq!(table.headers.len(), MAX_COLUMNS);
        let err = read_table(None, format!("{header},x\n").as_bytes()).unwrap_err();
        let detail = &err.details().unwrap()[0];
        assert_eq!(detail.row, Some(1));
        assert!(detail.message.contains("paling banyak 50 kolom"), "{err}");
    }

    #[test]
    fn a_long_cell_is_refused_naming_the_limit() {
        let csv = format!("nip,nama\n1,{}\n", "a".repeat(MAX_CELL_CHARS + 1));
        let err = read_table(None, csv.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("paling banyak 1.000 karakter"),
            "{err}"
        );
        assert_eq!(err.details().unwrap()[0].row, Some(2));
        let huge = format!("nip,nama\n1,\"{}\"\n", "é".repeat(300_000));
        let err = read_table(None, huge.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("paling banyak 1.000 karakter"),
            "{err}"
        );
    }

    #[test]
    fn more_data_rows_than_the_limit_are_refused_at_the_first_row_past_it() {
        let mut csv = String::from("nip\n");
        for i in 0..=MAX_DATA_ROWS {
            csv.push_str(&format!("{i}\n\n"));
        }
        let err = read_table(None, csv.as_bytes()).unwrap_err();
        let detail = &err.details().unwrap()[0];
        assert_eq!(detail.row, Some(2 + 2 * MAX_DATA_ROWS as u32));
        assert!(
            detail.message.contains("paling banyak 10.000 baris data"),
            "{err}"
        );
    }

    /// One pass: millions of lines take well under a few seconds even unoptimised.
    #[test]
    fn ten_megabytes_of_short_lines_are_refused_in_linear_time() {
        let csv = "1\n".repeat(5 * 1024 * 1024);
        let started = std::time::Instant::now();
        assert!(read_table(None, csv.as_bytes()).is_err());
        let blank = "\n".repeat(10 * 1024 * 1024);
        assert!(read_table(None, blank.as_bytes()).is_err());
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    }
}
