//! Integration tests: the real server on a random port, a fresh database per
//! test. Every case runs on SQLite, and again on PostgreSQL when
//! `BIMTEK_TEST_POSTGRES_URL` points at a server; browser cases run when
//! Chromium and ChromeDriver are installed. With `BIMTEK_TEST_REQUIRE_ALL=1`
//! a missing backend fails the run instead of being skipped.

// A case function that `cases![…]` does not list is never used, and so is
// a file or folder whose `cases()` nobody calls: this makes that a build
// error rather than a test that silently never runs. (Browser flows and the
// `binary` suites are listed by hand and covered the same way.) A file no
// `mod` line declares is not compiled at all; `main` refuses to start then.
#![deny(dead_code)]

// Support, shared by the suites (some files also by the benchmarks, the fuzz
// targets and the library's unit tests, by path); `given` holds what the
// tests start from.
mod database;
mod given;
// Shared with the fuzz targets and the hostile-files benchmark.
#[allow(dead_code)]
mod hostile;
mod pki;
// Shared with the exam-day benchmark, which uses the rest of it.
#[allow(dead_code)]
mod process;
mod proxy;
mod smtp_sink;
mod support;

// The suites, one per capability (most mirror a folder of `src/`): a file,
// or a folder with a file per part once there are several. `browser` drives
// Chromium and `binary` runs the bimtek binary as a process.
mod accounts;
mod attempts;
mod banks;
mod binary;
mod browser;
mod catalog;
mod certificates;
mod evaluations;
mod exams;
mod http;
mod notices;
mod personal_data;
mod records;
mod reports;
mod schedule;

use libtest_mimic::{Arguments, Failed, Trial};
use support::{Backend, Case, TestApp, TestDatabase};

fn require_all() -> bool {
    std::env::var("BIMTEK_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn run_case(backend: Backend, case: support::CaseFn) -> Result<(), Failed> {
    runtime().block_on(async move {
        let db = TestDatabase::create(&backend).await;
        let app = TestApp::spawn(&backend, &db).await;
        // Run the case as a task so that a failing assertion still lets us
        // stop the server and drop the database before reporting it.
        let outcome = tokio::spawn(case(app.clone())).await;
        app.stop().await;
        db.drop_database().await;
        match outcome {
            Ok(()) => Ok(()),
            Err(err) => Err(Failed::from(panic_message(err))),
        }
    })
}

fn panic_message(err: tokio::task::JoinError) -> String {
    match err.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "test panicked".into()),
        Err(err) => err.to_string(),
    }
}

/// Every case, capability by capability.
fn every_case() -> Vec<Case> {
    [
        accounts::cases(),
        catalog::cases(),
        banks::cases(),
        schedule::cases(),
        attempts::cases(),
        exams::cases(),
        certificates::cases(),
        records::cases(),
        evaluations::cases(),
        reports::cases(),
        notices::cases(),
        personal_data::cases(),
        http::cases(),
    ]
    .concat()
}

fn main() {
    // `BIMTEK_TEST_LOG=bimtek=warn` shows the servers' logs (errors behind a 500).
    if let Ok(filter) = std::env::var("BIMTEK_TEST_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .init();
    }
    let args = Arguments::from_args();
    let undeclared = support::undeclared_files();
    if !undeclared.is_empty() {
        eprintln!(
            "tests/api: no `mod` line declares {}, so the compiler never sees it \
             (add `mod <name>;` to the mod.rs beside it, or to main.rs)",
            undeclared.join(", ")
        );
        std::process::exit(2);
    }
    let mut backends = vec![Backend::Sqlite];
    let mut report = vec!["SQLite: yes".to_owned()];
    match std::env::var("BIMTEK_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            report.push(format!(
                "PostgreSQL: yes ({})",
                url.split('@').next_back().unwrap_or("")
            ));
            backends.push(Backend::Postgres(url));
        }
        _ if require_all() => {
            eprintln!("BIMTEK_TEST_REQUIRE_ALL=1 but BIMTEK_TEST_POSTGRES_URL is not set");
            std::process::exit(2);
        }
        _ => report.push("PostgreSQL: SKIPPED (set BIMTEK_TEST_POSTGRES_URL to run)".into()),
    }
    let browser = browser::Browser::detect();
    match &browser {
        Ok(found) => report.push(format!("Browser: yes ({})", found.describe())),
        Err(why) if require_all() => {
            eprintln!("BIMTEK_TEST_REQUIRE_ALL=1 but the browser tests cannot run: {why}");
            std::process::exit(2);
        }
        Err(why) => report.push(format!("Browser: SKIPPED ({why})")),
    }
    println!(
        "\n=== Bimtek integration tests — backends: {} ===\n",
        report.join("; ")
    );

    let mut trials = Vec::new();
    for backend in &backends {
        for case in every_case() {
            let backend = backend.clone();
            let name = format!("{}::{}", backend.name(), case.path());
            trials.push(Trial::test(name, move || run_case(backend, case.run)));
        }
    }
    trials.extend(binary::trials(&backends));
    if let Ok(browser) = browser {
        trials.extend(browser::trials(browser));
    }
    libtest_mimic::run(&args, trials).exit();
}
