//! Tables as downloads: CSV (UTF-8 with a BOM, so Excel reads it right)
//! and XLSX, numbers written as numbers.

use rust_xlsxwriter::{Format, Workbook};

use crate::error::{AppError, AppResult};

pub fn csv(headers: &[String], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| AppError::internal(format!("csv: {e}"));
    writer.write_record(headers).map_err(fail)?;
    for row in rows {
        writer.write_record(row).map_err(fail)?;
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
            // NIPs are digits too, but far too long to be numbers.
            match value.parse::<f64>() {
                Ok(number) if value.len() < 12 => sheet.write_number(r, c, number).map_err(fail)?,
                _ => sheet.write_string(r, c, value).map_err(fail)?,
            };
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(fail)
}

/// A file name safe in a Content-Disposition header.
pub fn file_stem(title: &str) -> String {
    title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
