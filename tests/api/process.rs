//! The server as a child process: for tests that kill it (`kill -9`) or run
//! two instances on one database, and for the exam-day benchmark, which
//! must measure the real binary and its memory from the outside.
//!
//! Shared with `benches/exam_day` (included there by path).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN_PASSWORD: &str = "admin-rahasia-2026";

pub struct ServerProcess {
    child: Child,
    pub base_url: String,
    log: PathBuf,
    _log_dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Starts `bimtek serve` on a free port against `database_url` and waits
    /// until it answers `/readyz`. `env` adds or overrides variables.
    pub async fn start(database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        ServerProcess::start_in(None, database_url, env).await
    }

    /// Like `start`, with `dir` as the working directory (a copied binary
    /// run from anywhere).
    pub async fn start_in(
        dir: Option<&std::path::Path>,
        database_url: &str,
        env: &[(&str, &str)],
    ) -> ServerProcess {
        let port = free_port();
        let log_dir = tempfile::tempdir().expect("temp dir");
        let log = log_dir.path().join("server.log");
        let log_file = std::fs::File::create(&log).expect("log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_bimtek"));
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("BIMTEK_BIND", format!("127.0.0.1:{port}"))
            .env("BIMTEK_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("BIMTEK_QUESTION_BANKS", "")
            .env("BIMTEK_BUILT_IN_BANKS", "false")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log file"))
            .stderr(log_file);
        for (key, value) in env {
            command.env(key, value);
        }
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        let child = command.spawn().expect("start the bimtek binary");
        let server = ServerProcess {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
            _log_dir: log_dir,
        };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&self) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            let ready = client
                .get(format!("{}/readyz", self.base_url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not become ready:\n{}", self.log_text());
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `kill -9`: no shutdown hook, no flush, no goodbye.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }

    /// SIGTERM, then waits up to `patience` for the process to exit; its
    /// exit status, or `None` when it was still running (then killed).
    pub fn terminate(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM failed");
        let started = Instant::now();
        while started.elapsed() < patience {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// Resident memory now, in KiB (`VmRSS`).
    pub fn rss_kib(&self) -> u64 {
        self.status_field("VmRSS:")
    }

    /// The most resident memory the process has had, in KiB (`VmHWM`).
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_field("VmHWM:")
    }

    fn status_field(&self, field: &str) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now (the OS picks it; the tiny window
/// before the server binds it is harmless on a test machine).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
