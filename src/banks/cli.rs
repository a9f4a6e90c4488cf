//! `bimtek bank import` and `bimtek bank check`: what an author runs from a
//! terminal. Problems print as `file:line:column: message`, like a compiler.

use std::path::{Path, PathBuf};

use super::formats::Format;
use super::model::{Located, lint};
use super::service::{self, ImportRequest, SourceFile, parse_files};
use crate::db::Db;
use crate::error::{AppError, FieldError};
use crate::numbers::decimal;

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

/// How far a check has come, on one line of a terminal's standard error
/// (nothing when it is not a terminal): the kilobytes read of the whole and
/// the bank at work. Results go to standard output above it.
struct Progress {
    total: u64,
    done: u64,
    bank: String,
    on_terminal: bool,
}

impl Progress {
    fn new(total: u64) -> Progress {
        use std::io::IsTerminal;
        Progress {
            total,
            done: 0,
            bank: String::new(),
            on_terminal: std::io::stderr().is_terminal(),
        }
    }

    fn at(&mut self, bank: &str) {
        self.bank = bank.to_owned();
        self.show();
    }

    fn inc(&mut self, bytes: u64) {
        self.done += bytes;
        self.show();
    }

    fn println(&self, line: &str) {
        self.clear();
        println!("{line}");
        self.show();
    }

    fn show(&self) {
        if self.on_terminal {
            eprint!(
                "\r{} dari {} KB  {}",
                self.done.div_ceil(1024),
                self.total.div_ceil(1024),
                self.bank
            );
        }
    }

    /// Erases the line (ANSI "erase line"), leaving the cursor at its start.
    fn clear(&self) {
        if self.on_terminal {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Checks bank files; returns the number of problems found (0 = clean).
/// With `item_writing`, also prints each file's and unit's item-writing
/// figures and counts what would cue a test-wise candidate.
pub fn check(paths: &[PathBuf], format: Format, item_writing: bool) -> Result<usize, String> {
    let groups = groups(paths)?;
    let total_bytes: u64 = groups
        .iter()
        .flat_map(|(_, files)| files)
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let mut bar = Progress::new(total_bytes);
    let mut problems = 0;
    let mut questions = 0;
    for (name, files) in groups {
        bar.at(&name);
        let sources = read(&files)?;
        let size: u64 = sources.iter().map(|s| s.bytes.len() as u64).sum();
        let found = match parse_files(format, &sources) {
            Err(errors) => errors,
            Ok(parsed) => {
                questions += parsed.questions.len();
                for w in &parsed.warnings {
                    bar.println(&format!("peringatan: {}", describe(w)));
                }
                let mut found = lint(&parsed.questions);
                if item_writing {
                    found.extend(item_writing_report(
                        &name,
                        &sources,
                        &parsed.questions,
                        &bar,
                    ));
                }
                found
            }
        };
        for problem in &found {
            bar.println(&describe(problem));
        }
        problems += found.len();
        bar.inc(size);
    }
    bar.clear();
    eprintln!("{questions} soal diperiksa, {problems} masalah.");
    Ok(problems)
}

/// Prints the figures of each file and unit; returns the warnings.
fn item_writing_report(
    bank: &str,
    sources: &[SourceFile],
    questions: &[(String, Located)],
    bar: &Progress,
) -> Vec<FieldError> {
    use super::item_writing::{self, Figures};
    let line = |what: &str, f: &Figures| {
        format!(
            "{what}: {} soal, {} pilihan ganda jawaban tunggal, kunci terpanjang {} ({} %), \"pilih yang terpanjang\" {} %, posisi kunci {}",
            f.items,
            f.single_choice,
            f.longest_key,
            decimal((f.longest_share() * 1000.0).round() / 10.0),
            decimal((f.pick_longest_percent * 10.0).round() / 10.0),
            f.key_positions
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("/"),
        )
    };
    let mut found = Vec::new();
    for source in sources {
        let mine = questions
            .iter()
            .filter(|(f, _)| *f == source.name)
            .map(|(_, l)| &l.question);
        let figures = item_writing::figures(mine);
        bar.println(&line(&source.name, &figures));
        found.extend(item_writing::warnings(&source.name, questions));
    }
    let whole = item_writing::figures(questions.iter().map(|(_, l)| &l.question));
    bar.println(&line(&format!("{bank} seluruh bank"), &whole));
    for (unit, figures) in item_writing::figures_by_unit(questions) {
        bar.println(&line(&format!("{bank} unit {unit}"), &figures));
        if figures.single_choice >= 5 && figures.pick_longest_percent >= PICK_LONGEST_LIMIT {
            found.push(FieldError::new(
                format!("unit:{unit}"),
                format!(
                    "\"pilih yang terpanjang\" mendapat {} % di unit ini (batas di bawah {} %)",
                    decimal((figures.pick_longest_percent * 10.0).round() / 10.0),
                    decimal(PICK_LONGEST_LIMIT)
                ),
            ));
        }
    }
    found
}

/// "Always pick the longest option" must score under this in every unit.
const PICK_LONGEST_LIMIT: f64 = 40.0;

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
    };
    match service::import_unattended(db, request).await {
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
