//! Quiz results as downloads: CSV (UTF-8 with BOM for Excel) and XLSX.

use super::results::ResultRow as Row;

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

fn cells(row: &Row) -> [String; 8] {
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

pub fn table(rows: &[Row]) -> (Vec<String>, Vec<Vec<String>>) {
    (
        HEADERS.iter().map(|h| h.to_string()).collect(),
        rows.iter().map(|r| cells(r).to_vec()).collect(),
    )
}
