//! The hostile-files measurement: for the largest file of each hostile
//! class (the same generators as the `uploads` tests), a fresh `bimtek`
//! server as a child process on SQLite, one upload, and what it cost: the
//! status, the seconds until the answer, and the server's peak resident
//! memory (`VmHWM`, which includes the server's own start-up).
//!
//! ```text
//! cargo bench --bench hostile_files                 # release build
//! cargo test --bench hostile_files -- --run         # quick, unoptimised
//! ```

// Shared with the integration tests and the exam-day benchmark.
#[allow(dead_code)]
#[path = "../tests/api/database.rs"]
mod database;
#[allow(dead_code)]
#[path = "../tests/api/hostile.rs"]
mod hostile;
// Shared with the integration tests, which use more of it.
#[allow(dead_code)]
#[path = "../tests/api/process.rs"]
mod process;

use std::process::ExitCode;
use std::time::Instant;

use database::{Backend, TestDatabase};
use process::{ADMIN_PASSWORD, ServerProcess};
use serde_json::{Value, json};

struct Measured {
    kind: &'static str,
    bytes: usize,
    status: u16,
    seconds: f64,
    idle_rss_kib: u64,
    peak_rss_kib: u64,
    says: String,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--bench" || a == "--run") {
        println!("hostile_files: run it with `cargo bench --bench hostile_files`");
        return ExitCode::SUCCESS;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run())
}

async fn run() -> ExitCode {
    let mut rows = Vec::new();
    let mut all_refused = true;
    for file in hostile::all() {
        eprintln!("{} …", file.kind);
        let measured = measure(&file).await;
        all_refused &= measured.status == 422;
        rows.push(measured);
    }
    println!(
        "\n| file | size | status | seconds | server RSS before | server peak RSS |\n|---|---:|---:|---:|---:|---:|"
    );
    for m in &rows {
        println!(
            "| {} | {:.1} MiB | {} | {:.2} | {} MiB | {} MiB |",
            m.kind,
            m.bytes as f64 / (1024.0 * 1024.0),
            m.status,
            m.seconds,
            m.idle_rss_kib / 1024,
            m.peak_rss_kib / 1024
        );
    }
    println!();
    for m in &rows {
        println!("{}: {}", m.kind, m.says);
    }
    if all_refused {
        ExitCode::SUCCESS
    } else {
        eprintln!("a hostile file was not refused with 422");
        ExitCode::FAILURE
    }
}

async fn measure(file: &hostile::Hostile) -> Measured {
    let database = TestDatabase::create(&Backend::Sqlite).await;
    let server = ServerProcess::start(&database.url, &[]).await;
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{}/api/v1/auth/login", server.base_url))
        .json(&json!({ "login": "admin", "password": ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    let token = login["token"].as_str().expect("token").to_owned();
    let path = match file.target {
        "bank" => "/api/v1/question-banks/import?dry_run=true",
        _ => "/api/v1/users/import?dry_run=true",
    };
    let idle_rss_kib = server.rss_kib();
    let part = reqwest::multipart::Part::bytes(file.bytes.clone()).file_name(file.file_name);
    let started = Instant::now();
    let resp = client
        .post(format!("{}{path}", server.base_url))
        .bearer_auth(token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("the server answers");
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    let seconds = started.elapsed().as_secs_f64();
    let peak_rss_kib = server.peak_rss_kib();
    drop(server);
    database.drop_database().await;
    Measured {
        kind: file.kind,
        bytes: file.bytes.len(),
        status,
        seconds,
        idle_rss_kib,
        peak_rss_kib,
        says: body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .chars()
            .take(160)
            .collect(),
    }
}
