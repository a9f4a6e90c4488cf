//! The banks a server starts with: those compiled into the binary (the
//! checkout's `question_banks/`), so a binary copied anywhere has its
//! content, plus an optional folder (`BIMTEK_QUESTION_BANKS`) whose banks
//! add to or replace the built-in ones by name.
//!
//! Loading is idempotent: an unchanged bank makes no new version, so this
//! runs on every start and a new binary brings its updated banks along.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

use super::formats::Format;
use super::service::{ImportReport, ImportRequest, SourceFile, import_unattended};
use crate::db::Db;
use crate::error::AppError;

static BUILT_IN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/question_banks");

/// Bank name → its files, in file-name order.
pub type Banks = BTreeMap<String, Vec<SourceFile>>;

/// The banks compiled into the binary: one per folder of `question_banks/`.
pub fn built_in() -> Banks {
    let mut banks = Banks::new();
    for dir in BUILT_IN.dirs() {
        let Some(name) = dir
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
        else {
            continue;
        };
        let mut files: Vec<SourceFile> = dir
            .files()
            .filter(|f| is_bank_file(f.path()))
            .map(|f| SourceFile {
                name: file_name(f.path()),
                bytes: f.contents().to_vec(),
            })
            .collect();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        if !files.is_empty() {
            banks.insert(name, files);
        }
    }
    banks
}

/// The banks in a folder: each sub-folder is one bank named after it (all
/// its files together), each file directly in `root` a bank of its own.
/// A missing folder is reported (it was named on purpose) and gives none.
pub fn from_folder(root: &Path) -> Banks {
    let mut banks = Banks::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        tracing::warn!(dir = %root.display(), "question bank folder not found; only the built-in banks are loaded");
        return banks;
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let files = if path.is_dir() {
            folder_files(&path)
        } else {
            file(&path).into_iter().collect()
        };
        if !files.is_empty() {
            banks.insert(name, files);
        }
    }
    banks
}

/// The start-up set: the built-in banks (unless switched off) with the
/// folder's banks laid over them, a folder bank replacing the built-in one
/// of the same name.
pub fn start_up_banks(built_in_banks: bool, folder: Option<&Path>) -> Banks {
    let mut banks = if built_in_banks {
        built_in()
    } else {
        Banks::new()
    };
    if let Some(folder) = folder {
        banks.extend(from_folder(folder));
    }
    banks
}

/// Imports each bank (a new version only where something changed). A bad
/// bank is logged with its line numbers and skipped; the server still starts.
pub async fn load(db: &Db, banks: Banks) -> Vec<(String, Result<ImportReport, AppError>)> {
    let mut outcomes = Vec::new();
    for (name, files) in banks {
        let request = ImportRequest {
            bank_name: Some(name.clone()),
            format: Format::Auto,
            files,
            dry_run: false,
        };
        let outcome = import_unattended(db, request).await;
        match &outcome {
            Ok(report) => tracing::info!(
                bank = %name,
                version = report.version,
                new = report.new,
                changed = report.changed,
                unchanged = report.unchanged,
                "question bank loaded"
            ),
            Err(AppError::Validation { details, .. }) => {
                for d in details {
                    tracing::warn!(bank = %name, "{d}");
                }
                tracing::warn!(bank = %name, errors = details.len(), "question bank not loaded");
            }
            Err(err) => tracing::warn!(bank = %name, error = %err, "question bank not loaded"),
        }
        outcomes.push((name, outcome));
    }
    outcomes
}

fn is_bank_file(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .as_deref(),
        Some("gift" | "xml" | "txt")
    )
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn file(path: &Path) -> Option<SourceFile> {
    if !is_bank_file(path) {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(SourceFile {
        name: file_name(path),
        bytes,
    })
}

fn folder_files(dir: &Path) -> Vec<SourceFile> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.iter().filter_map(|p| file(p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tracks_are_built_in() {
        let banks = built_in();
        assert!(banks.contains_key("pranata_komputer"), "{:?}", banks.keys());
        assert!(banks.contains_key("humas"), "{:?}", banks.keys());
        assert!(!banks.contains_key("exams"), "templates are not a bank");
    }

    #[test]
    fn a_folder_bank_replaces_the_built_in_one_of_its_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("humas")).unwrap();
        std::fs::write(dir.path().join("humas/satu.gift"), "Soal {T}\n").unwrap();
        std::fs::write(dir.path().join("tambahan.gift"), "Soal {F}\n").unwrap();
        let banks = start_up_banks(true, Some(dir.path()));
        assert_eq!(banks["humas"].len(), 1);
        assert_eq!(banks["humas"][0].name, "satu.gift");
        assert!(banks.contains_key("tambahan"));
        assert!(banks.contains_key("pranata_komputer"));
        assert!(start_up_banks(false, None).is_empty());
    }
}
