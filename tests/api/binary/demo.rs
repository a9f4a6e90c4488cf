//! `bimtek demo` on each database: it fills an empty database with a
//! Kota Magelang year that the running server then shows (the accounts it
//! printed sign in, two finished batches, a released exam with a decided
//! appeal, certificates with one revoked, a JP tally with people short of
//! 20 JP), and it refuses a database that already has accounts.

use std::process::Command;

use libtest_mimic::{Failed, Trial};
use reqwest::StatusCode;
use serde_json::Value;

use crate::database::{Backend, TestDatabase};
use crate::process::{ADMIN_PASSWORD, ServerProcess};
use crate::support::TestApp;

const PASSWORD: &str = "Bimtek#Demo-2026";

pub fn trials(backends: &[Backend]) -> Vec<Trial> {
    backends
        .iter()
        .map(|backend| {
            let b = backend.clone();
            Trial::test(
                format!("{}::demo::a_kota_magelang_year_to_look_around", b.name()),
                move || {
                    crate::runtime().block_on(async move {
                        tokio::spawn(a_kota_magelang_year(b))
                            .await
                            .map_err(|e| Failed::from(crate::panic_message(e)))
                    })
                },
            )
        })
        .collect()
}

fn demo(database_url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bimtek"))
        .arg("demo")
        .env("DATABASE_URL", database_url)
        .env("BIMTEK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bimtek demo");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn list(value: &Value) -> &Vec<Value> {
    value.as_array().expect("a JSON list")
}

async fn a_kota_magelang_year(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let (ok, printed) = demo(&db.url);
    assert!(ok, "{printed}");
    assert!(
        printed.contains("admin / (kata sandi dari BIMTEK_ADMIN_PASSWORD)")
            && !printed.contains(ADMIN_PASSWORD),
        "the operator's own password is never echoed: {printed}"
    );
    assert!(
        printed.contains("asesor.rina / Bimtek#Demo-2026"),
        "{printed}"
    );
    assert!(printed.contains("dengan satu banding"), "{printed}");
    assert!(printed.contains("dicabut"), "{printed}");
    let nip = printed
        .lines()
        .find_map(|l| l.trim().strip_prefix("Peserta"))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a trainee's NIP is printed")
        .to_owned();

    let (again, said) = demo(&db.url);
    assert!(!again && said.contains("sudah berisi akun"), "{said}");
    let (default, said) = demo("sqlite://bimtek.db?mode=rwc");
    assert!(!default && said.contains("basis data tersendiri"), "{said}");
    assert!(!std::path::Path::new("bimtek.db").exists());

    let server = ServerProcess::start(&db.url, &[]).await;
    let app = TestApp::external(&server.base_url, &backend);
    let admin = app.admin().await;
    let trainee = app.login(&nip, PASSWORD).await;
    let assessor = app.login("asesor.rina", PASSWORD).await;

    let (status, batches) = admin.get("/api/v1/batches").await;
    assert_eq!(status, StatusCode::OK, "{batches}");
    assert_eq!(list(&batches).len(), 2, "{batches}");
    assert!(
        list(&batches).iter().all(|b| b["status"] == "finished"),
        "{batches}"
    );
    let pk = list(&batches)
        .iter()
        .find(|b| b["course_code"] == "BIMTEK-PK-2026")
        .expect("the pranata komputer batch");
    let (_, detail) = admin
        .get(&format!("/api/v1/batches/{}", pk["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        detail["sessions"].as_array().map(Vec::len),
        Some(5),
        "{detail}"
    );
    assert!(
        detail["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["instructor"].is_string()),
        "every session names its narasumber: {detail}"
    );

    laporan_has_every_section(&admin, pk["id"].as_str().unwrap()).await;

    let (_, exams) = admin.get("/api/v1/exams").await;
    let exam = &list(&exams)[0];
    assert!(exam["released_at"].is_string(), "{exam}");
    let exam_id = exam["id"].as_str().unwrap();
    let (_, results) = admin.get(&format!("/api/v1/exams/{exam_id}/results")).await;
    let rows = list(&results["rows"]);
    assert_eq!(rows.len(), 44);
    let decided = |wanted: &str| {
        rows.iter()
            .filter(|r| {
                let units = r["result"]["units"].as_array().unwrap();
                match wanted {
                    "kompeten" => units.iter().all(|u| u["decision"] == "kompeten"),
                    _ => units.iter().any(|u| u["decision"] == wanted),
                }
            })
            .count()
    };
    assert!(
        decided("kompeten") > 10 && decided("belum_kompeten") > 3,
        "{results}"
    );
    let (_, appeals) = admin.get(&format!("/api/v1/exams/{exam_id}/appeals")).await;
    assert_eq!(list(&appeals).len(), 1, "{appeals}");
    assert_eq!(
        list(&appeals)[0]["appeal"]["status"],
        "decided",
        "{appeals}"
    );
    let (_, queue) = assessor.get("/api/v1/grading/queue").await;
    let rounds: Vec<&str> = list(&queue["items"])
        .iter()
        .filter_map(|i| i["round"].as_str())
        .collect();
    assert!(rounds.contains(&"penilaian"), "{queue}");

    let (_, certificates) = admin
        .get(&format!(
            "/api/v1/batches/{}/certificates",
            pk["id"].as_str().unwrap()
        ))
        .await;
    assert!(list(&certificates).len() > 10, "{certificates}");
    let mut revoked = Vec::new();
    for batch in list(&batches) {
        let (_, certs) = admin
            .get(&format!(
                "/api/v1/batches/{}/certificates",
                batch["id"].as_str().unwrap()
            ))
            .await;
        revoked.extend(
            list(&certs)
                .iter()
                .filter(|c| c["revoked_at"].is_string())
                .cloned(),
        );
    }
    assert_eq!(revoked.len(), 1);
    let code = revoked[0]["content"]["verification_code"]
        .as_str()
        .or_else(|| {
            revoked[0]["verify_url"]
                .as_str()
                .and_then(|u| u.rsplit('/').next())
        })
        .expect("a verification code")
        .to_owned();
    let (status, checked) = app.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(status, StatusCode::OK, "{checked}");
    assert_eq!(checked["status"], "revoked", "{checked}");

    let year = pk["ends_on"].as_str().unwrap()[..4].to_owned();
    let (_, jp) = admin.get(&format!("/api/v1/records/jp?year={year}")).await;
    let short = jp["below_minimum"].as_u64().unwrap();
    assert!(short > 0 && short < 64, "{jp}");
    assert!(
        list(&jp["rows"])
            .iter()
            .any(|r| r["jp"] == 32 && r["meets_minimum"] == true),
        "{jp}"
    );
    let (status, mine) = trainee.get("/api/v1/me/certificates").await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    drop(server);
    db.drop_database().await;
}

/// The pranata komputer batch's laporan penyelenggaraan, read back with
/// `pdftotext`: every section there and filled.
async fn laporan_has_every_section(admin: &crate::support::Session, batch_id: &str) {
    let resp = admin
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/batches/{batch_id}/report/pdf"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let pdf = resp.bytes().await.unwrap();
    let text = crate::pki::pdftotext(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (what, wanted) in [
        ("the kop", "PEMERINTAH KOTA MAGELANG"),
        ("the title", "Laporan Penyelenggaraan"),
        ("the basis and aim", "Dasar, maksud dan tujuan"),
        ("the schedule", "Jadwal dan narasumber"),
        ("a narasumber", "narasumber:"),
        ("participants by OPD", "peserta dari"),
        ("attendance", "rata-rata kehadiran"),
        ("pre- and post-test", "peserta mengerjakan keduanya"),
        ("the mean scores", "Rata-rata post-test"),
        ("the learning gain", "Rata-rata N-gain"),
        ("quiz results", "Kuis:"),
        ("exam results per unit", "Belum Kompeten"),
        ("the evaluation", "Indeks keseluruhan"),
        ("a narasumber's index", "Narasumber:"),
        ("the trainees' comments", "Saran dan komentar peserta"),
        ("certificates", "sertifikat kelulusan"),
        ("the closing", "Bimtek berjalan sesuai jadwal"),
        ("the signatory", "Kepala Badan Kepegawaian Daerah"),
        ("page numbers", "Halaman 1 dari"),
    ] {
        assert!(
            flat.contains(wanted),
            "{what} ({wanted}) missing from the laporan:\n{text}"
        );
    }
    for section in [
        "I. Pendahuluan",
        "II. Pelaksanaan",
        "III. Peserta",
        "IV. Hasil pembelajaran",
        "V. Evaluasi penyelenggaraan",
        "VI. Sertifikat",
        "VII. Penutup",
    ] {
        assert!(flat.contains(section), "{section} missing:\n{text}");
    }
    assert!(!flat.contains("belum ditulis"), "the closing is written");
}
