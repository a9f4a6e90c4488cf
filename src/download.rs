//! Tables as downloads: CSV (UTF-8 with a BOM, so Excel reads it right)
//! and XLSX, numbers written as numbers. Every table the service hands out
//! goes through here, so this is where entered text is made harmless to a
//! spreadsheet: a name typed as `=HYPERLINK(…)` must stay a name.

use std::borrow::Cow;

use rust_xlsxwriter::{Format, Workbook};

use crate::error::{AppError, AppResult};

pub fn csv(headers: &[String], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| AppError::internal(format!("csv: {e}"));
    writer
        .write_record(headers.iter().map(|h| formula_safe(h).into_owned()))
        .map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| formula_safe(cell).into_owned()))
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::internal(format!("csv: {e}")))
}

/// An Excel sheet named after `title` (cut to Excel's 31 characters).
pub fn xlsx(title: &str, headers: &[String], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let name: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet
        .set_name(if name.is_empty() { "Hasil" } else { &name })
        .map_err(fail)?;
    let bold = Format::new().set_bold();
    for (c, header) in headers.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, header, &bold)
            .map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.iter().enumerate() {
            let c = c as u16;
            // Strings stay strings (never formulas); NIPs are digits too,
            // but far too long to be numbers.
            match plain_number(value) {
                Some(number) if value.len() < 12 => {
                    sheet.write_number(r, c, number).map_err(fail)?
                }
                _ => sheet.write_string(r, c, value).map_err(fail)?,
            };
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(fail)
}

/// A number as the tables write them (`-12`, `66.7`, or with the decimal
/// comma people here read, `-0,25`): nothing Rust would also read, such as
/// `inf` or `1e5`, which are text to a person.
fn plain_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once(['.', ',']).unwrap_or((digits, "0"));
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    (all_digits(whole) && all_digits(fraction))
        .then(|| text.replacen(',', ".", 1).parse().ok())
        .flatten()
}

/// A CSV cell Excel or LibreOffice will not run as a formula: text starting
/// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` (as
/// OWASP advises); numbers, negative ones included, stay numbers.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && plain_number(cell).is_none() {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A file name safe in a Content-Disposition header.
pub fn file_stem(title: &str) -> String {
    title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// `bytes` as a file the browser saves under `file_name`.
pub fn attachment(bytes: Vec<u8>, content_type: &str, file_name: &str) -> poem::Response {
    use poem::IntoResponse;
    bytes
        .with_content_type(content_type.to_owned())
        .with_header(
            poem::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        )
        .into_response()
}

/// `?format=` of a page's download link: `xlsx`, else CSV.
#[derive(serde::Deserialize)]
pub struct DownloadQuery {
    pub format: Option<String>,
}

/// A table as the page's download: XLSX when `format` says so, else CSV,
/// named after `title`.
pub fn table_file(
    format: Option<&str>,
    title: &str,
    headers: &[String],
    rows: &[Vec<String>],
) -> AppResult<poem::Response> {
    let stem = file_stem(title);
    Ok(match format {
        Some("xlsx") => attachment(
            xlsx(title, headers, rows)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{stem}.xlsx"),
        ),
        _ => attachment(
            csv(headers, rows)?,
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_numbers_kept() {
        for (cell, safe) in [
            (
                "=HYPERLINK(\"http://x\",\"klik\")",
                "'=HYPERLINK(\"http://x\",\"klik\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("-2+3", "'-2+3"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-12", "-12"),
            ("-66.7", "-66.7"),
            ("66.7", "66.7"),
            ("Ani, S.Kom", "Ani, S.Kom"),
            ("", ""),
        ] {
            assert_eq!(formula_safe(cell), safe, "{cell:?}");
        }
    }

    #[test]
    fn csv_cells_and_headers_are_safe() {
        let bytes = csv(
            &["=nama".into(), "nilai".into()],
            &[vec!["=1+1".into(), "-5".into()]],
        )
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "\u{FEFF}'=nama,nilai\n'=1+1,-5\n");
    }

    #[test]
    fn only_plain_decimals_are_numbers() {
        assert_eq!(plain_number("-3.5"), Some(-3.5));
        assert_eq!(plain_number("-0,25"), Some(-0.25));
        assert_eq!(plain_number("62,5"), Some(62.5));
        assert_eq!(formula_safe("-0,25"), "-0,25");
        for text in ["1,2,3", "1.2,3", ",5", "1,"] {
            assert_eq!(plain_number(text), None, "{text}");
        }
        for text in ["inf", "NaN", "1e5", "1.", ".5", "--1", "1.2.3", ""] {
            assert_eq!(plain_number(text), None, "{text}");
        }
    }
}
