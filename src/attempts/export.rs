//! Quiz results as downloads: CSV (UTF-8 with BOM for Excel) and XLSX.

use rust_xlsxwriter::{Format, Workbook};

use super::service::ResultRow;
use crate::error::{AppError, AppResult};

const HEADERS: [&str; 8] = [
    "Nama",
    "NIP",
    "Unit kerja",
    "Percobaan",
    "Nilai dipakai (%)",
    "Lulus",
    "Nilai tiap percobaan (%)",
    "Status terakhir",
];

fn cells(row: &ResultRow) -> [String; 8] {
    let last = row.attempts.last();
    [
        row.name.clone(),
        row.nip.clone().unwrap_or_default(),
        row.unit_kerja.clone().unwrap_or_default(),
        row.attempts.len().to_string(),
        row.kept_percent.map(|p| p.to_string()).unwrap_or_default(),
        match row.passed {
            Some(true) => "Ya",
            Some(false) => "Tidak",
            None => "-",
        }
        .to_owned(),
        row.attempts
            .iter()
            .map(|a| {
                a.percent
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into())
            })
            .collect::<Vec<_>>()
            .join(" | "),
        last.map(|a| a.status.as_str().to_owned())
            .unwrap_or_default(),
    ]
}

pub fn csv(rows: &[ResultRow]) -> AppResult<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let fail = |e: csv::Error| AppError::internal(format!("csv: {e}"));
    writer.write_record(HEADERS).map_err(fail)?;
    for row in rows {
        writer.write_record(cells(row)).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::internal(format!("csv: {e}")))
}

pub fn xlsx(title: &str, rows: &[ResultRow]) -> AppResult<Vec<u8>> {
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
    for (c, header) in HEADERS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *header, &bold)
            .map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in cells(row).iter().enumerate() {
            let c = c as u16;
            match (c, value.parse::<f64>()) {
                (3 | 4, Ok(number)) => sheet.write_number(r, c, number).map_err(fail)?,
                _ => sheet.write_string(r, c, value).map_err(fail)?,
            };
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(fail)
}
