//! The `bimtek` command line, run as a real process.

use std::io::Write;
use std::process::{Command, Stdio};

use libtest_mimic::{Failed, Trial};
use reqwest::StatusCode;

use crate::support::{Backend, TestApp, TestDatabase};

fn bimtek(db_url: &str, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bimtek"))
        .args(args)
        .env("DATABASE_URL", db_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bimtek");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "cli::help_documents_every_setting",
            help_documents_every_setting,
        ),
        Trial::test(
            "cli::bank_check_passes_on_shipped_banks_and_fails_on_bad_ones",
            bank_check,
        ),
        Trial::test("cli::user_add_then_sign_in", || {
            crate::runtime().block_on(user_add_then_sign_in())
        }),
    ]
}

fn help_documents_every_setting() -> Result<(), Failed> {
    let out = bimtek("sqlite::memory:", &["--help"], "");
    let help = String::from_utf8_lossy(&out.stdout);
    for name in [
        "BIMTEK_BIND",
        "DATABASE_URL",
        "BIMTEK_ADMIN_PASSWORD",
        "BIMTEK_BASE_URL",
        "serve",
        "migrate",
        "user",
    ] {
        if !help.contains(name) {
            return Err(format!("--help does not mention {name}:\n{help}").into());
        }
    }
    Ok(())
}

async fn user_add_then_sign_in() -> Result<(), Failed> {
    let db = TestDatabase::create(&Backend::Sqlite).await;
    let out = bimtek(&db.url, &["migrate"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = [
        "user",
        "add",
        "--name",
        "Asesor Satu",
        "--username",
        "asesor1",
        "--role",
        "assessor",
        "--role",
        "trainee",
        "--password-stdin",
    ];
    let out = bimtek(&db.url, &args, "asesor-sandi-123\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bimtek(&db.url, &["user", "add", "--name", "X", "--nip", "123"], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nip: NIP harus 18 digit"), "{stderr}");

    let app = TestApp::spawn(&Backend::Sqlite, &db).await;
    let session = app.login("asesor1", "asesor-sandi-123").await;
    let (status, me) = session.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["roles"], serde_json::json!(["assessor", "trainee"]));
    app.stop().await;
    Ok(())
}

fn bank_check() -> Result<(), Failed> {
    let shipped = format!(
        "{}/question_banks",
        std::env::var("CARGO_MANIFEST_DIR").unwrap()
    );
    let out = bimtek("sqlite::memory:", &["bank", "check", &shipped], "");
    if !out.status.success() {
        return Err(format!(
            "bank check failed on shipped banks:\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
        .into());
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("rusak.gift");
    std::fs::write(&bad, "// [tag:unit:x]\nSoal {=a ~b\n").unwrap();
    let untidy = dir.path().join("kurang.gift");
    std::fs::write(&untidy, "// [tag:unit:x]\nSoal {~a ~b}\n\nTanpa tag {T}\n").unwrap();
    let args = [
        "bank",
        "check",
        bad.to_str().unwrap(),
        untidy.to_str().unwrap(),
    ];
    let out = bimtek("sqlite::memory:", &args, "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let expected = [
        "rusak.gift:2:6: '{' tanpa pasangan",
        "kurang.gift:2:1: bobot jawaban benar berjumlah 0.0%, seharusnya 100%",
        "kurang.gift:4:1: soal tanpa tag unit",
    ];
    if out.status.success() || !expected.iter().all(|e| stdout.contains(e)) {
        return Err(format!("expected located problems:\n{stdout}").into());
    }
    Ok(())
}
