//! `bimtek backup` and `bimtek restore`, run as processes against a real
//! server: a backup taken while a trainee's answers are being saved holds
//! every answer acknowledged before it started, and certificates still
//! verify on the restored database; restore refuses a tampered backup, a
//! newer schema and a database that holds data; on PostgreSQL both point
//! at pg_dump / pg_restore.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use libtest_mimic::{Failed, Trial};
use reqwest::StatusCode;
use serde_json::json;

use crate::given::{save, setup, start_attempt};
use crate::process::ServerProcess;
use crate::support::{Backend, TestApp};

pub fn trials() -> Vec<Trial> {
    vec![
        Trial::test(
            "backup::a_backup_under_load_keeps_every_acknowledged_answer",
            || {
                crate::runtime().block_on(under_load());
                Ok(())
            },
        ),
        Trial::test(
            "backup::restore_refuses_tampered_newer_and_into_full",
            refusals,
        ),
        Trial::test("backup::postgres_points_at_its_own_tools", postgres),
    ]
}

/// Runs `bimtek` with `DATABASE_URL`; (success, stdout + stderr).
fn bimtek(database_url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bimtek"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bimtek");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn url_of(file: &Path) -> String {
    format!("sqlite://{}?mode=rwc", file.display())
}

async fn under_load() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let server = ServerProcess::start_in(None, &url_of(&live), &[]).await;
    let app = TestApp::external(&server.base_url, &Backend::Sqlite);
    let s = setup(&app, "BKP", json!({ "time_limit_seconds": 3600 })).await;
    let attempt = start_attempt(&s.trainee, &s.quiz_id).await;
    let attempt_id = attempt["id"].as_str().unwrap().to_owned();
    let numeric = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["type"] == "numerical")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Certificates issued before the backup must verify after the restore.
    let b = crate::given::finished_batch(&app, "BKP-SRT").await;
    let (status, issued) = b
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", b.batch_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let code = issued[0]["content"]["verification_code"]
        .as_str()
        .unwrap()
        .to_owned();

    // The trainee keeps answering: the number n, acknowledged one by one.
    let acknowledged = Arc::new(AtomicI64::new(0));
    let saving = {
        let acknowledged = acknowledged.clone();
        let trainee = s.trainee.clone();
        let (attempt_id, numeric) = (attempt_id.clone(), numeric.clone());
        tokio::spawn(async move {
            for n in 1..=400i64 {
                let (status, body) = save(
                    &trainee,
                    &attempt_id,
                    &numeric,
                    json!({ "number": n }),
                    Some(n),
                )
                .await;
                assert_eq!(status, StatusCode::OK, "{body}");
                acknowledged.store(n, Ordering::SeqCst);
            }
        })
    };
    while acknowledged.load(Ordering::SeqCst) < 50 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before = acknowledged.load(Ordering::SeqCst);
    let copy = dir.path().join("cadangan.sqlite");
    let (ok, said) = {
        let (url, copy) = (url_of(&live), copy.clone());
        tokio::task::spawn_blocking(move || bimtek(&url, &["backup", copy.to_str().unwrap()]))
            .await
            .unwrap()
    };
    assert!(ok && said.contains("Cadangan tertulis"), "{said}");
    let during = acknowledged.load(Ordering::SeqCst);
    saving.await.unwrap();
    assert!(
        during < 400,
        "the backup ran while answers were being saved"
    );
    drop(server);

    let restored = dir.path().join("pulih.db");
    let (ok, said) = bimtek(&url_of(&restored), &["restore", copy.to_str().unwrap()]);
    assert!(ok && said.contains("Dipulihkan"), "{said}");
    let server = ServerProcess::start_in(None, &url_of(&restored), &[]).await;
    let app = TestApp::external(&server.base_url, &Backend::Sqlite);
    let trainee = app
        .login(
            &s.trainee_username,
            &crate::support::password_of(&s.trainee_username),
        )
        .await;
    let (_, view) = trainee.get(&format!("/api/v1/attempts/{attempt_id}")).await;
    let kept = view["answers"][&numeric]["response"]["number"]
        .as_f64()
        .unwrap_or_default() as i64;
    assert!(
        kept >= before && kept <= during,
        "acknowledged {before} before the backup began, {during} when it ended; the backup holds {kept}"
    );
    let (status, checked) = app.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(
        (status, checked["status"].as_str()),
        (StatusCode::OK, Some("valid")),
        "{checked}"
    );
}

fn refusals() -> Result<(), Failed> {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let (ok, said) = bimtek(&url_of(&db), &["migrate"]);
    assert!(ok, "{said}");
    let copy = dir.path().join("c.sqlite");
    let (ok, said) = bimtek(&url_of(&db), &["backup", copy.to_str().unwrap()]);
    assert!(ok, "{said}");
    // Never over an existing file.
    let (ok, said) = bimtek(&url_of(&db), &["backup", copy.to_str().unwrap()]);
    assert!(!ok && said.contains("sudah ada"), "{said}");
    // Not into a database holding data.
    let full = dir.path().join("full.db");
    let (ok, said) = bimtek(&url_of(&full), &["migrate"]);
    assert!(ok, "{said}");
    let (ok, said) = bimtek(
        &url_of(&full),
        &["user", "add", "--name", "Budi", "--username", "budi"],
    );
    assert!(ok, "{said}");
    let (ok, said) = bimtek(&url_of(&full), &["restore", copy.to_str().unwrap()]);
    assert!(!ok && said.contains("sudah berisi data"), "{said}");
    // A manifest from a newer Bimtek.
    let manifest = dir.path().join("c.sqlite.json");
    let original = std::fs::read_to_string(&manifest).unwrap();
    let newer = original.replace("\"schema\": \"m2026", "\"schema\": \"m2099");
    std::fs::write(&manifest, &newer).unwrap();
    let fresh = dir.path().join("baru.db");
    let (ok, said) = bimtek(&url_of(&fresh), &["restore", copy.to_str().unwrap()]);
    assert!(!ok && said.contains("lebih baru"), "{said}");
    std::fs::write(&manifest, &original).unwrap();
    // A copy changed after the backup.
    let mut bytes = std::fs::read(&copy).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&copy, &bytes).unwrap();
    let (ok, said) = bimtek(&url_of(&fresh), &["restore", copy.to_str().unwrap()]);
    assert!(!ok && said.contains("SHA-256"), "{said}");
    assert!(!fresh.exists() || std::fs::metadata(&fresh).unwrap().len() == 0);
    Ok(())
}

fn postgres() -> Result<(), Failed> {
    let url = std::env::var("BIMTEK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let (ok, said) = bimtek(&url, &["backup", "x.dump"]);
    assert!(!ok && said.contains("pg_dump --format=custom"), "{said}");
    let (ok, said) = bimtek(&url, &["restore", "x.dump"]);
    assert!(!ok && said.contains("pg_restore"), "{said}");
    assert!(!Path::new("x.dump").exists());
    Ok(())
}
