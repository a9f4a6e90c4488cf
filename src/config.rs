//! Service configuration: every setting comes from a flag or an environment
//! variable, with defaults that run the embedded (SQLite) setup untouched.

use std::net::SocketAddr;

use clap::Args;

use crate::trusted_proxies::TrustedProxies;

/// Settings shared by every subcommand that touches the database or serves.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port the HTTP server listens on.
    #[arg(long, env = "BIMTEK_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Database: `sqlite://FILE?mode=rwc` (embedded default) or `postgres://USER:PASS@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://bimtek.db?mode=rwc"
    )]
    pub database_url: String,

    /// Password for the `admin` account created on first start; a random one is printed when unset.
    #[arg(long, env = "BIMTEK_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Public base URL, used in links in e-mails and certificates.
    #[arg(long, env = "BIMTEK_BASE_URL", default_value = "http://127.0.0.1:8080")]
    pub base_url: String,

    /// Folder of extra question banks loaded (idempotently) at start-up,
    /// adding to or replacing the built-in banks by name; empty for none.
    #[arg(long, env = "BIMTEK_QUESTION_BANKS", default_value = "")]
    pub question_banks: String,

    /// Load the banks compiled into the binary at start-up.
    #[arg(long, env = "BIMTEK_BUILT_IN_BANKS", default_value_t = true, action = clap::ArgAction::Set)]
    pub built_in_banks: bool,

    /// How often overdue attempts are finished, in seconds.
    #[arg(long, env = "BIMTEK_SWEEP_SECONDS", default_value_t = 10)]
    pub sweep_seconds: u64,

    /// How long a sign-in session lasts, in hours.
    #[arg(long, env = "BIMTEK_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u32,

    /// Who issues certificates, as printed on them and sent to SIASN.
    #[arg(long, env = "BIMTEK_ISSUER", default_value = "BKD Kota Magelang")]
    pub issuer: String,

    /// City printed before the date of signing.
    #[arg(long, env = "BIMTEK_CITY", default_value = "Magelang")]
    pub city: String,

    /// Name of the official who signs certificates, with gelar, e.g.
    /// "Dra. Sri Rahayu, M.Si."; empty leaves the name line blank.
    #[arg(long, env = "BIMTEK_SIGNATORY_NAME", default_value = "")]
    pub signatory_name: String,

    /// NIP of the official who signs certificates.
    #[arg(long, env = "BIMTEK_SIGNATORY_NIP", default_value = "")]
    pub signatory_nip: String,

    /// Pangkat/golongan of the official who signs, e.g. "Pembina Utama Muda (IV/c)".
    #[arg(long, env = "BIMTEK_SIGNATORY_RANK", default_value = "")]
    pub signatory_rank: String,

    /// The kop of certificates, one line per `|`.
    #[arg(
        long,
        env = "BIMTEK_LETTERHEAD",
        default_value = "PEMERINTAH KOTA MAGELANG|BADAN KEPEGAWAIAN DAERAH"
    )]
    pub letterhead: String,

    /// A PKCS#12 file (.p12/.pfx) with the signatory's RSA key and
    /// certificate chain: every certificate PDF then carries a PAdES
    /// electronic signature. Without it the PDF is verified by its QR code.
    #[arg(long, env = "BIMTEK_SIGNING_P12")]
    pub signing_p12: Option<std::path::PathBuf>,

    /// Password of the BIMTEK_SIGNING_P12 file.
    #[arg(
        long,
        env = "BIMTEK_SIGNING_P12_PASSWORD",
        default_value = "",
        hide_env_values = true
    )]
    pub signing_p12_password: String,

    /// A certificate template of your own (see templates/certificate/default.txt).
    #[arg(long, env = "BIMTEK_CERTIFICATE_TEMPLATE")]
    pub certificate_template: Option<std::path::PathBuf>,

    /// The city's or BKD's logo (JPEG), printed where the template says `logo`.
    #[arg(long, env = "BIMTEK_LOGO")]
    pub logo: Option<std::path::PathBuf>,

    /// Position of the official who signs certificates.
    #[arg(
        long,
        env = "BIMTEK_SIGNATORY_POSITION",
        default_value = "Kepala Badan Kepegawaian Daerah"
    )]
    pub signatory_position: String,

    /// SMTP server for e-mails (invitations, reminders, results,
    /// certificates, "Lupa kata sandi"): `smtp://host:25`,
    /// `smtp://user:pass@host:587?tls=required` or `smtps://user:pass@host`;
    /// empty for none (messages then wait in the outbox, downloadable as
    /// CSV from the batch page, and the sign-in page says to ask the BKD).
    #[arg(
        long,
        env = "BIMTEK_SMTP_URL",
        default_value = "",
        hide_env_values = true
    )]
    pub smtp_url: String,

    /// Sender of the e-mails, as `Name <address>`.
    #[arg(
        long,
        env = "BIMTEK_SMTP_FROM",
        default_value = "Bimtek BKD <bimtek@localhost>"
    )]
    pub smtp_from: String,

    /// Wait after a message's first failed delivery, in seconds; each
    /// further failure waits four times longer, up to 240 times.
    #[arg(long, env = "BIMTEK_MAIL_RETRY_SECONDS", default_value_t = 30)]
    pub mail_retry_seconds: u64,

    /// Reverse proxies (CIDR blocks or addresses, comma-separated) whose
    /// `X-Forwarded-For` names the client; from anyone else it is ignored.
    #[arg(long, env = "BIMTEK_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,

    /// Log lines as `text` for people or `json` (one object per line) for
    /// log collectors. Verbosity follows RUST_LOG.
    #[arg(long, env = "BIMTEK_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Years to keep sign-in records (who signed in when, from where); a
    /// daily sweep deletes older ones, with expired sessions, codes and
    /// sign-in throttle entries. With 0 each sweep deletes them all.
    #[arg(long, env = "BIMTEK_RETENTION_YEARS", default_value_t = 2)]
    pub retention_years: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// How long a new sign-in session lasts.
    pub fn session_ttl(&self) -> time::Duration {
        time::Duration::hours(i64::from(self.session_hours))
    }

    /// The kop's lines, from `BIMTEK_LETTERHEAD` split at `|`.
    pub fn letterhead_lines(&self) -> Vec<String> {
        self.letterhead
            .split('|')
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// Cookies get the `Secure` flag only when the public URL is HTTPS, so a
    /// plain `cargo run` on localhost still lets a browser sign in.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// A configuration for tests and tools: everything default but the database.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Config {
            bind: "127.0.0.1:0".parse().expect("valid address"),
            database_url: database_url.into(),
            admin_password: None,
            base_url: "http://127.0.0.1:8080".into(),
            question_banks: String::new(),
            built_in_banks: false,
            sweep_seconds: 10,
            session_hours: 12,
            issuer: "BKD Kota Magelang".into(),
            city: "Magelang".into(),
            signatory_name: String::new(),
            signatory_position: "Kepala Badan Kepegawaian Daerah".into(),
            signatory_nip: String::new(),
            signatory_rank: String::new(),
            letterhead: "PEMERINTAH KOTA MAGELANG|BADAN KEPEGAWAIAN DAERAH".into(),
            signing_p12: None,
            signing_p12_password: String::new(),
            certificate_template: None,
            logo: None,
            trusted_proxies: TrustedProxies::default(),
            smtp_url: String::new(),
            smtp_from: "Bimtek BKD <bimtek@localhost>".into(),
            mail_retry_seconds: 30,
            log_format: LogFormat::Text,
            retention_years: 2,
        }
    }
}
