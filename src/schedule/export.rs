//! The progress table as a download: CSV (UTF-8 with BOM, so Excel reads
//! the names right) or XLSX.

use rust_xlsxwriter::{Format, Workbook};

use super::views::ProgressRow;
use crate::error::{AppError, AppResult};

const HEADERS: [&str; 12] = [
    "Nama",
    "NIP",
    "Unit kerja",
    "Status",
    "Modul dibaca",
    "Jumlah modul",
    "Hadir",
    "Izin/sakit",
    "Tidak hadir",
    "Kehadiran (%)",
    "Memenuhi syarat",
    "Keterangan",
];

fn cells(row: &ProgressRow) -> [String; 12] {
    [
        row.name.clone(),
        row.nip.clone().unwrap_or_default(),
        row.unit_kerja.clone().unwrap_or_default(),
        row.status.label().to_owned(),
        row.modules_read.to_string(),
        row.modules_total.to_string(),
        row.attendance.present.to_string(),
        row.attendance.excused.to_string(),
        row.attendance.absent.to_string(),
        format!("{}", row.attendance.percent),
        if row.meets_completion { "Ya" } else { "Belum" }.to_owned(),
        row.unmet.join("; "),
    ]
}

pub fn csv(rows: &[ProgressRow]) -> AppResult<Vec<u8>> {
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

pub fn xlsx(title: &str, rows: &[ProgressRow]) -> AppResult<Vec<u8>> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::internal(format!("xlsx: {e}"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let name: String = title
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet
        .set_name(if name.is_empty() { "Kemajuan" } else { &name })
        .map_err(fail)?;
    for (c, header) in HEADERS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *header, &bold)
            .map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        let values = cells(row);
        for (c, value) in values.iter().enumerate() {
            let c = c as u16;
            match c {
                // Numbers stay numbers, so the sheet can sum and sort them.
                4..=9 => sheet
                    .write_number(r, c, value.parse::<f64>().unwrap_or(0.0))
                    .map_err(fail)?,
                _ => sheet.write_string(r, c, value).map_err(fail)?,
            };
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(fail)
}
