//! The results matrix (candidates × units) as a table for download.

use super::results::ResultsMatrix;

fn number(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Headers and rows: the candidate, then per unit its decision, the
/// objective percentage and each task's final mark.
pub fn table(matrix: &ResultsMatrix) -> (Vec<String>, Vec<Vec<String>>) {
    let mut headers: Vec<String> = ["Kode peserta", "Nama", "NIP", "Unit kerja"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    if let Some(first) = matrix.rows.first() {
        for unit in &first.result.units {
            headers.push(unit.title.clone());
            headers.push(format!("{} — objektif (%)", unit.title));
            for task in &unit.tasks {
                headers.push(format!("{} — tugas {}", unit.title, task.key));
            }
        }
    }
    let rows = matrix
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                row.result.candidate_code.clone(),
                row.name.clone(),
                row.nip.clone().unwrap_or_default(),
                row.unit_kerja.clone().unwrap_or_default(),
            ];
            for unit in &row.result.units {
                cells.push(unit.label.clone());
                cells.push(number(unit.objective_percent));
                for task in &unit.tasks {
                    cells.push(number(task.final_total));
                }
            }
            cells
        })
        .collect();
    (headers, rows)
}
