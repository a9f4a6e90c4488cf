//! `bimtek bank import` and `bimtek bank check`: what an author runs from a
//! terminal. Problems print as `file:line:column: message`, like a compiler.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::formats::Format;
use super::model::lint;
use super::service::{self, ImportRequest, SourceFile, parse_files};
use crate::db::Db;
use crate::error::{AppError, FieldError};

fn describe(e: &FieldError) -> String {
    let file = e.file.as_deref().unwrap_or(&e.field);
    match (e.row, e.column) {
        (Some(row), Some(column)) => format!("{file}:{row}:{column}: {}", e.message),
        (Some(row), None) => format!("{file}:{row}: {}", e.message),
        _ => format!("{file}: {}", e.message),
    }
}

/// Files to check, grouped the way start-up loads them: one group per
/// folder (one bank), one per loose file.
fn groups(paths: &[PathBuf]) -> Result<Vec<(String, Vec<PathBuf>)>, String> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_file() {
            found.push((path.display().to_string(), vec![path.clone()]));
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut files = Vec::new();
        let mut subdirs = Vec::new();
        for entry in entries.filter_map(Result::ok).map(|e| e.path()) {
            if entry.is_dir() {
                subdirs.push(entry);
            } else if matches!(
                entry.extension().and_then(|e| e.to_str()),
                Some("gift" | "xml" | "txt")
            ) {
                files.push(entry);
            }
        }
        files.sort();
        subdirs.sort();
        if !files.is_empty() {
            found.push((path.display().to_string(), files));
        }
        found.extend(groups(&subdirs)?);
    }
    Ok(found)
}

fn read(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    paths
        .iter()
        .map(|p| {
            std::fs::read(p)
                .map(|bytes| SourceFile {
                    name: p.display().to_string(),
                    bytes,
                })
                .map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect()
}

/// Checks bank files; returns the number of problems found (0 = clean).
pub fn check(paths: &[PathBuf], format: Format) -> Result<usize, String> {
    let groups = groups(paths)?;
    let total_bytes: u64 = groups
        .iter()
        .flat_map(|(_, files)| files)
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = ProgressBar::new(total_bytes);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg}")
            .expect("valid template"),
    );
    let mut problems = 0;
    let mut questions = 0;
    for (name, files) in groups {
        bar.set_message(name.clone());
        let sources = read(&files)?;
        let size: u64 = sources.iter().map(|s| s.bytes.len() as u64).sum();
        let found = match parse_files(format, &sources) {
            Err(errors) => errors,
            Ok(parsed) => {
                questions += parsed.questions.len();
                for w in &parsed.warnings {
                    bar.suspend(|| println!("peringatan: {}", describe(w)));
                }
                lint(&parsed.questions)
            }
        };
        for problem in &found {
            bar.suspend(|| println!("{}", describe(problem)));
        }
        problems += found.len();
        bar.inc(size);
    }
    bar.finish_and_clear();
    eprintln!("{questions} soal diperiksa, {problems} masalah.");
    Ok(problems)
}

pub async fn import(
    db: &Db,
    files: &[PathBuf],
    format: Format,
    name: Option<String>,
    dry_run: bool,
) -> Result<(), String> {
    let sources = read(files)?;
    let bank_name = name.or_else(|| match files {
        [one] => one.file_stem().map(|s| s.to_string_lossy().into_owned()),
        _ => files
            .first()
            .and_then(|f| f.parent())
            .and_then(Path::file_name)
            .map(|s| s.to_string_lossy().into_owned()),
    });
    let request = ImportRequest {
        bank_name,
        format,
        files: sources,
        dry_run,
        actor: None,
    };
    match service::import(db, request).await {
        Ok(report) => {
            println!(
                "{}bank '{}' versi {}: {} baru, {} berubah, {} tetap, {} dihapus dari versi ini.",
                if report.dry_run { "(uji coba) " } else { "" },
                report.bank_name,
                report.version,
                report.new,
                report.changed,
                report.unchanged,
                report.removed
            );
            for w in &report.warnings {
                println!("peringatan: {}", describe(w));
            }
            Ok(())
        }
        Err(AppError::Validation { details, .. }) => {
            Err(details.iter().map(describe).collect::<Vec<_>>().join("\n"))
        }
        Err(err) => Err(err.to_string()),
    }
}
