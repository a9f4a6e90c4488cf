//! `bimtek records export`: the SIASN riwayat kursus rows for BKD's SIMPEG,
//! from the command line (cron-friendly: pass the last run's `until`).

use super::api::parse_moment;
use super::service::{SIASN_HEADERS, siasn_unattended};
use crate::config::Config;
use crate::db::Db;
use crate::engine::Engine;
use crate::error::AppResult;

/// The export as bytes in `format` (`csv`, `json` or `xlsx`).
pub async fn export(
    db: &Db,
    config: &Config,
    since: Option<&str>,
    until: Option<&str>,
    format: &str,
) -> AppResult<Vec<u8>> {
    let since = since.map(|s| parse_moment(s, "since")).transpose()?;
    let until = until.map(|s| parse_moment(s, "until")).transpose()?;
    let engine = Engine::start(db.clone());
    let export = siasn_unattended(&engine, config, since, until).await?;
    let headers: Vec<String> = SIASN_HEADERS.iter().map(|h| h.to_string()).collect();
    let rows: Vec<Vec<String>> = export.rows.iter().map(|r| r.cells()).collect();
    match format {
        "json" => Ok(serde_json::to_vec_pretty(&export)
            .map_err(|e| crate::error::AppError::internal(e.to_string()))?),
        "xlsx" => crate::download::xlsx("riwayat-kursus", &headers, &rows),
        "csv" => crate::download::csv(&headers, &rows),
        other => Err(crate::error::AppError::invalid_field(
            "format",
            format!("format '{other}' tidak dikenal (csv, json, xlsx)"),
        )),
    }
}
