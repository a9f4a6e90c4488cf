//! Integration tests: the real server on a random port, a fresh database per
//! test. Every case runs on SQLite, and again on PostgreSQL when
//! `BIMTEK_TEST_POSTGRES_URL` points at a server; browser cases run when
//! Chromium and ChromeDriver are installed. With `BIMTEK_TEST_REQUIRE_ALL=1`
//! a missing backend fails the run instead of being skipped.

mod database;
mod demo;
// Shared with the fuzz targets and the hostile-files benchmark.
#[allow(dead_code)]
mod hostile;
// Shared with the exam-day benchmark, which uses the rest of it.
mod pki;
#[allow(dead_code)]
mod process;
mod proxy;
mod smtp_sink;
mod support;

mod accounts;
mod auth;
mod backup;
mod banks;
mod browser;
mod browser_certificate;
mod browser_cloze;
mod browser_day;
mod browser_exam;
mod browser_quiz;
mod catalog;
mod certificate_pdf;
mod certificates;
mod cli;
mod cloze;
mod confirmations;
mod contract;
mod evaluations;
mod exam_oversight;
mod exam_pages;
mod exams;
mod import;
mod notices;
mod ops;
mod pages;
mod password_reset;
mod personal_data;
mod pre_post;
mod question_media;
mod quiz_essays;
mod quiz_pages;
mod quizzes;
mod records;
mod reliability;
mod reports;
mod schedule;
mod settings_pages;
mod uploads;
mod users;

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

fn modules() -> Vec<(&'static str, Vec<Case>)> {
    vec![
        ("auth", auth::cases()),
        ("users", users::cases()),
        ("accounts", accounts::cases()),
        ("password_reset", password_reset::cases()),
        ("catalog", catalog::cases()),
        ("banks", banks::cases()),
        ("schedule", schedule::cases()),
        ("quizzes", quizzes::cases()),
        ("cloze", cloze::cases()),
        ("question_media", question_media::cases()),
        ("exams", exams::cases()),
        ("exam_pages", exam_pages::cases()),
        ("exam_oversight", exam_oversight::cases()),
        ("certificates", certificates::cases()),
        ("certificate_pdf", certificate_pdf::cases()),
        ("records", records::cases()),
        ("quiz_pages", quiz_pages::cases()),
        ("quiz_essays", quiz_essays::cases()),
        ("import", import::cases()),
        ("ops", ops::cases()),
        ("contract", contract::cases()),
        ("pages", pages::cases()),
        ("settings_pages", settings_pages::cases()),
        ("confirmations", confirmations::cases()),
        ("personal_data", personal_data::cases()),
        ("uploads", uploads::cases()),
        ("notices", notices::cases()),
        ("evaluations", evaluations::cases()),
        ("reports", reports::cases()),
        ("pre_post", pre_post::cases()),
    ]
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
        for (module, cases) in modules() {
            for case in cases {
                let backend = backend.clone();
                let name = format!("{}::{}::{}", backend.name(), module, case.name);
                trials.push(Trial::test(name, move || run_case(backend, case.run)));
            }
        }
    }
    trials.extend(cli::trials());
    trials.extend(backup::trials());
    trials.extend(reliability::trials(&backends));
    trials.extend(demo::trials(&backends));
    if let Ok(browser) = browser {
        trials.extend(browser::trials(browser));
    }
    libtest_mimic::run(&args, trials).exit();
}
