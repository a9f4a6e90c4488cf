//! The progress table as a download: CSV (UTF-8 with BOM, so Excel reads
//! the names right) or XLSX.

use super::views::ProgressRow as Row;

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

fn cells(row: &Row) -> [String; 12] {
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

pub fn table(rows: &[Row]) -> (Vec<String>, Vec<Vec<String>>) {
    (
        HEADERS.iter().map(|h| h.to_string()).collect(),
        rows.iter().map(|r| cells(r).to_vec()).collect(),
    )
}
