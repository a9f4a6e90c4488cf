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
        Trial::test("cli::keys_rotate_and_records_export", || {
            crate::runtime().block_on(keys_rotate_and_records_export())
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
    let out = bimtek(&db.url, &args, "Tugu-Pal-Putih-2026\n");
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
    let session = app.login("asesor1", "Tugu-Pal-Putih-2026").await;
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
    // A shipped bank passes with its item-writing figures printed and no
    // warning: nothing in it cues a test-wise candidate.
    let out = bimtek("sqlite::memory:", &["bank", "check", &shipped], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("bank check failed on shipped banks:\n{stdout}").into());
    }
    if !stdout.contains("jaringan.gift: ")
        || !stdout.contains("\"pilih yang terpanjang\"")
        || !stdout.contains("pranata_komputer seluruh bank: ")
    {
        return Err(format!("no item-writing figures:\n{stdout}").into());
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
        "kurang.gift:2:1: bobot jawaban benar berjumlah 0%, seharusnya 100%",
        "kurang.gift:4:1: soal tanpa tag unit",
    ];
    if out.status.success() || !expected.iter().all(|e| stdout.contains(e)) {
        return Err(format!("expected located problems:\n{stdout}").into());
    }
    Ok(())
}

async fn keys_rotate_and_records_export() -> Result<(), Failed> {
    let db = TestDatabase::create(&Backend::Sqlite).await;
    let app = TestApp::spawn(&Backend::Sqlite, &db).await;
    let b = crate::given::finished_batch(&app, "CLI").await;
    let (_, issued) = b
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", b.batch_id),
            &serde_json::json!({}),
        )
        .await;
    let code = issued[0]["content"]["verification_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = bimtek(&db.url, &["keys", "rotate"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("k2"));
    // Old certificates still verify; the old key stays published, retired.
    let (_, checked) = app.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(checked["status"], "valid", "{checked}");
    let (_, keys) = app.anonymous().get("/api/v1/certificate-keys").await;
    assert_eq!(keys["keys"].as_array().unwrap().len(), 2, "{keys}");
    assert_eq!(keys["keys"][0]["retired"], true);

    // An export ends a moment before now (records::service::SETTLE).
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let out = bimtek(
        &db.url,
        &[
            "records",
            "export",
            "--format",
            "csv",
            "--since",
            "2026-01-01",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.contains("nomorSertipikat") && csv.contains("/BKD-BIMTEK/CLI/"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3, "header and two certificates: {csv}");
    let out = bimtek(&db.url, &["records", "export", "--format", "pdf"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("format"));
    app.stop().await;
    db.drop_database().await;
    Ok(())
}
