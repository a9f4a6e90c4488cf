//! The exam-day database's backup, taken the way an administrator would
//! (`bimtek backup FILE` while the servers run) and restored into an empty
//! database (`bimtek restore FILE`): how long each takes and how big it is.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Figures {
    pub backup: Duration,
    pub bytes: u64,
    pub restore: Duration,
}

/// Backs up the SQLite database at `database_url` and restores the copy
/// into a fresh file; `None` on PostgreSQL, which `pg_dump` backs up.
pub fn measure(database_url: &str) -> Option<Result<Figures, String>> {
    if !database_url.starts_with("sqlite:") {
        return None;
    }
    Some(backup_and_restore(database_url))
}

fn backup_and_restore(database_url: &str) -> Result<Figures, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("ujian.bimtek-backup");
    let started = Instant::now();
    run(&["backup"], &file, database_url)?;
    let backup = started.elapsed();
    let bytes = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
    let restored = format!("sqlite://{}/pulih.db?mode=rwc", dir.path().display());
    let started = Instant::now();
    run(&["restore"], &file, &restored)?;
    Ok(Figures {
        backup,
        bytes,
        restore: started.elapsed(),
    })
}

fn run(args: &[&str], file: &std::path::Path, database_url: &str) -> Result<(), String> {
    let output = Command::new(env!("CARGO_BIN_EXE_bimtek"))
        .args(args)
        .arg(file)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .map_err(|e| format!("bimtek {}: {e}", args.join(" ")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "bimtek {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}
