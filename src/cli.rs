//! The `bimtek` command line: serve (the default), migrate, user
//! administration, banks, keys, records, certificates, backup and the demo.
//!
//! It lives in the library, not in `main.rs`: the binary's `main` only
//! calls [`main`]. Code that awaits the library's async functions compiles
//! their whole call tree again in the crate that awaits them, and the
//! command line awaits most of the library; from `main.rs` that was a
//! second copy of it, a minute and a half of every release build.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::App;
use crate::accounts::model::{Role, UserInput};
use crate::accounts::service;
use crate::banks::formats::Format;
use crate::config::{Config, LogFormat};
use crate::db::Db;
use clap::{Parser, Subcommand, ValueEnum};
use poem::listener::{Listener, TcpListener};
use tracing_subscriber::EnvFilter;

/// Bimtek: pelatihan dan uji kompetensi ASN.
///
/// Without a subcommand, serves the web application. Log verbosity follows
/// RUST_LOG (default "info").
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application and the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Import and check question banks (GIFT, Aiken, Moodle XML).
    #[command(subcommand)]
    Bank(BankCommand),
    /// Certificate signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Records for BKD and SIASN.
    #[command(subcommand)]
    Records(RecordsCommand),
    /// Certificate PDFs.
    #[command(subcommand)]
    Certificates(CertificatesCommand),
    /// Copy the SQLite database (while it runs) to FILE, with a manifest
    /// in FILE.json; on PostgreSQL, says how to use pg_dump.
    Backup { file: PathBuf },
    /// Fill an empty database with a Kota Magelang training year to look
    /// around in (two batches, quizzes, a graded exam, certificates) and
    /// print the accounts to sign in with. Refuses a database with accounts.
    Demo,
    /// Make the backup FILE (checked against FILE.json) the database named
    /// by DATABASE_URL, which must be empty; on PostgreSQL, says how to use
    /// pg_restore.
    Restore { file: PathBuf },
}

#[derive(Subcommand)]
enum CertificatesCommand {
    /// Every standing certificate of a batch as PDF (signed when
    /// BIMTEK_SIGNING_P12 is set), in one ZIP: the file the batch page offers.
    Zip {
        /// The batch's id (on its page's address).
        #[arg(long)]
        batch: uuid::Uuid,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Retire the active signing key and make a new one. Certificates signed
    /// with older keys stay valid; their public keys stay published.
    Rotate,
}

#[derive(Subcommand)]
enum RecordsCommand {
    /// SIASN riwayat kursus rows of certificates issued in [since, until).
    Export {
        /// `2026-11-01` (from 00:00 WIB) or an RFC 3339 time, e.g. the last run's `until`.
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        until: Option<String>,
        /// csv, json or xlsx.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum BankCommand {
    /// Import files into one bank (a new version when anything changed).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// gift, aiken, moodle_xml or auto.
        #[arg(long, default_value = "auto", value_parser = parse_format)]
        format: Format,
        /// Bank name; default: the file name, or the folder name for several files.
        #[arg(long)]
        name: Option<String>,
        /// Check and report only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Lint bank files or folders before committing them: syntax errors,
    /// duplicate ids, no correct answer, weights not reaching 100%, missing
    /// feedback, untagged questions, and what cues a test-wise candidate
    /// (with each file's, unit's and bank's item-writing figures: how often
    /// the key is the longest option, what "pick the longest" scores, key
    /// positions). Exits 1 when anything is found.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, default_value = "auto", value_parser = parse_format)]
        format: Format,
        /// Skip the item-writing figures and warnings (for a bank imported
        /// from elsewhere that is not yet reworked).
        #[arg(long)]
        no_item_writing: bool,
        /// The figures are on by default; kept so older scripts still run.
        #[arg(long, hide = true)]
        item_writing: bool,
    },
}

fn parse_format(text: &str) -> Result<Format, String> {
    Format::parse(text)
        .ok_or_else(|| format!("unknown format '{text}' (gift, aiken, moodle_xml, auto)"))
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user.
    Add {
        /// Full name, e.g. "Siti Aminah, S.Kom."
        #[arg(long)]
        name: String,
        /// 18-digit NIP (PNS or PPPK); also the username when --username is absent.
        #[arg(long)]
        nip: Option<String>,
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        unit_kerja: Option<String>,
        #[arg(long)]
        jabatan: Option<String>,
        /// Role; repeat for several.
        #[arg(long = "role", value_enum, default_value = "trainee")]
        roles: Vec<RoleArg>,
        /// Read the password from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Assessor,
    Trainee,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Assessor => Role::Assessor,
            RoleArg::Trainee => Role::Trainee,
        }
    }
}

/// Runs the command the arguments name; what `bimtek` does.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(cli.config).await,
            Command::Migrate => migrate(&cli.config).await,
            Command::Backup { file } => {
                let started = std::time::Instant::now();
                let m = crate::backup::backup(&cli.config.database_url, &file).await?;
                println!(
                    "Cadangan tertulis: {} ({} byte, {} tabel, skema {}, {} ms); manifest {}",
                    file.display(),
                    m.bytes,
                    m.tables.len(),
                    m.schema,
                    started.elapsed().as_millis(),
                    crate::backup::manifest_path(&file).display()
                );
                Ok(())
            }
            Command::Demo => {
                eprintln!("Membuat data demo Kota Magelang (sekitar satu menit) …");
                let summary = crate::demo::run(cli.config)
                    .await
                    .map_err(|e| e.to_string())?;
                print!("{}", crate::demo::describe(&summary));
                Ok(())
            }
            Command::Restore { file } => {
                let m = crate::backup::restore(&cli.config.database_url, &file).await?;
                println!(
                    "Dipulihkan dari {} (dibuat {} oleh Bimtek {}, skema {}). Jalankan Bimtek seperti biasa.",
                    file.display(),
                    m.created_at,
                    m.bimtek_version,
                    m.schema
                );
                Ok(())
            }
            Command::Bank(BankCommand::Import {
                files,
                format,
                name,
                dry_run,
            }) => {
                let db = open(&cli.config).await?;
                crate::banks::cli::import(&db, &files, format, name, dry_run).await
            }
            Command::Bank(BankCommand::Check {
                paths,
                format,
                no_item_writing,
                item_writing: _,
            }) => match crate::banks::cli::check(&paths, format, !no_item_writing)? {
                0 => Ok(()),
                n => Err(format!("{n} masalah ditemukan")),
            },
            Command::Keys(KeysCommand::Rotate) => {
                let db = open(&cli.config).await?;
                crate::certificates::keys::ensure(&db)
                    .await
                    .map_err(describe)?;
                let kid = crate::certificates::keys::rotate(&db)
                    .await
                    .map_err(describe)?;
                println!(
                    "Kunci penandatangan baru: {kid}. Kunci lama tetap dipakai untuk memverifikasi."
                );
                Ok(())
            }
            Command::Certificates(CertificatesCommand::Zip { batch, output }) => {
                let layout = std::sync::Arc::new(
                    crate::certificates::layout::CertificateLayout::from_config(&cli.config)?,
                );
                let db = open(&cli.config).await?;
                let bytes =
                    crate::certificates::archive::batch_zip(&db, &cli.config, &layout, batch)
                        .await
                        .map_err(describe)?;
                write_output(output, &bytes)
            }
            Command::Records(RecordsCommand::Export {
                since,
                until,
                format,
                output,
            }) => {
                let db = open(&cli.config).await?;
                let bytes = crate::records::cli::export(
                    &db,
                    &cli.config,
                    since.as_deref(),
                    until.as_deref(),
                    &format,
                )
                .await
                .map_err(describe)?;
                write_output(output, &bytes)
            }
            Command::User(UserCommand::Add {
                name,
                nip,
                username,
                email,
                unit_kerja,
                jabatan,
                roles,
                password_stdin,
            }) => {
                let password = if password_stdin {
                    Some(read_password()?)
                } else {
                    None
                };
                let input = UserInput {
                    username,
                    nip,
                    name: Some(name),
                    email,
                    unit_kerja,
                    jabatan,
                    roles: roles.into_iter().map(Role::from).collect(),
                    password,
                };
                add_user(&cli.config, input).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bimtek: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Log lines to standard error, as text or as one JSON object per line.
fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm_migration=warn"));
    // Colour codes only for a person at a terminal, never into a journal.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

fn read_password() -> Result<String, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("reading password from stdin: {e}"))?;
    Ok(text.lines().next().unwrap_or_default().to_owned())
}

async fn serve(config: Config) -> Result<(), String> {
    let bind = config.bind;
    let format = config.log_format;
    let app = App::prepare(config).await.map_err(describe)?;
    // Printed, never logged: a log collector must not keep a password.
    if let Some(password) = &app.generated_admin_password {
        println!(
            "Akun administrator dibuat: login `admin`, kata sandi `{password}` (hanya ditampilkan sekali)."
        );
    }
    let acceptor = TcpListener::bind(bind)
        .into_acceptor()
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    announce(format, &format!("Bimtek berjalan di http://{bind}"));
    app.run(acceptor, shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}

/// A line for the person who started the server: on standard output, or
/// as a log event when a log collector reads JSON.
fn announce(format: LogFormat, message: &str) {
    match format {
        LogFormat::Text => println!("{message}"),
        LogFormat::Json => tracing::info!("{message}"),
    }
}

/// The database, migrated.
/// Writes `bytes` to the file, or to standard output.
fn write_output(output: Option<std::path::PathBuf>, bytes: &[u8]) -> Result<(), String> {
    match output {
        Some(path) => std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display())),
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(bytes)
                .map_err(|e| e.to_string())
        }
    }
}

async fn open(config: &Config) -> Result<Db, String> {
    let db = Db::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

async fn migrate(config: &Config) -> Result<(), String> {
    open(config).await?;
    println!("Migrasi selesai.");
    Ok(())
}

async fn add_user(config: &Config, input: UserInput) -> Result<(), String> {
    let db = open(config).await?;
    let user = service::create_account(&db, input)
        .await
        .map_err(describe)?;
    println!(
        "Pengguna dibuat: {} ({}), id {}",
        user.name, user.username, user.id
    );
    Ok(())
}

/// Every detail of a validation error, one per line, for the terminal.
fn describe(err: crate::error::AppError) -> String {
    match err.details() {
        Some(details) => details
            .iter()
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect::<Vec<_>>()
            .join("\n"),
        None => err.to_string(),
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("shutting down");
}
