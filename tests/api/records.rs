//! Records for BKD: the SIASN riwayat kursus export (incremental, with
//! revocations), the JP tally against 20 JP for a hand-computed fixture,
//! open data without personal data, and roles.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::given::{attend, course_with_modules, create_batch, enrol, read_all};
use crate::support::{Session, TestApp, assert_error};

cases![siasn_export_and_jp_tally_by_hand];

async fn civil_servant(
    app: &TestApp,
    admin: &Session,
    username: &str,
    nip: &str,
    unit: &str,
) -> (String, Session) {
    let password = crate::support::password_of(username);
    let (status, user) = admin
        .post(
            "/api/v1/users",
            &json!({ "username": username, "name": username.to_uppercase(), "nip": nip, "roles": ["trainee"],
                     "password": password, "unit_kerja": unit }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    (
        user["id"].as_str().unwrap().to_owned(),
        app.login(username, &password).await,
    )
}

/// A published course of `modules` with one batch in March 2026.
async fn course(admin: &Session, code: &str, modules: &[(&str, i32)]) -> (Value, Value) {
    let course = course_with_modules(admin, code, modules).await;
    let id = course["id"].as_str().unwrap();
    admin
        .patch(
            &format!("/api/v1/courses/{id}"),
            &json!({ "status": "published" }),
        )
        .await;
    let batch = create_batch(admin, id, json!({})).await;
    (course, batch)
}

async fn siasn_export_and_jp_tally_by_hand(app: TestApp) {
    let admin = app.admin().await;
    let (course_a, batch_a) = course(&admin, "JPA", &[("Jaringan", 8), ("Keamanan", 4)]).await;
    let (course_b, batch_b) = course(&admin, "JPB", &[("Humas", 10)]).await;
    let (ani, ani_s) = civil_servant(&app, &admin, "ani", "198503122010012003", "BKD").await;
    let (budi, budi_s) = civil_servant(&app, &admin, "budi", "199001012015031001", "BKD").await;
    let (citra, _) = civil_servant(&app, &admin, "citra", "198807142012122002", "Dinkes").await;
    // Ani: A (12 JP) + B (10 JP) = 22; Budi: A = 12; Citra: enrolled, absent = 0.
    for (who, session) in [(&ani, &ani_s), (&budi, &budi_s)] {
        enrol(&admin, batch_a["id"].as_str().unwrap(), who).await;
        read_all(session, &course_a).await;
        attend(&admin, &batch_a, who).await;
    }
    enrol(&admin, batch_b["id"].as_str().unwrap(), &ani).await;
    read_all(&ani_s, &course_b).await;
    attend(&admin, &batch_b, &ani).await;
    enrol(&admin, batch_b["id"].as_str().unwrap(), &citra).await;
    for batch in [&batch_a, &batch_b] {
        let (status, body) = admin
            .post(
                &format!(
                    "/api/v1/batches/{}/certificates",
                    batch["id"].as_str().unwrap()
                ),
                &json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let (status, report) = admin.get("/api/v1/records/jp?year=2026").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let jp = |name: &str| {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (jp("ANI")["jp"].clone(), jp("ANI")["meets_minimum"].clone()),
        (json!(22), json!(true))
    );
    assert_eq!(
        (
            jp("BUDI")["jp"].clone(),
            jp("BUDI")["meets_minimum"].clone()
        ),
        (json!(12), json!(false))
    );
    assert_eq!(jp("CITRA")["jp"], 0);
    assert_eq!(report["below_minimum"], 2);
    let bkd = report["opd"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["unit_kerja"] == "BKD")
        .unwrap();
    assert_eq!(
        (
            bkd["people"].clone(),
            bkd["total_jp"].clone(),
            bkd["average_jp"].clone()
        ),
        (json!(2), json!(34), json!(17.0))
    );
    let (_, other_year) = admin.get("/api/v1/records/jp?year=2025").await;
    assert_eq!(other_year["below_minimum"], 3, "2025 had no training");
    let (_, mine) = ani_s.get("/api/v1/me/jp?year=2026").await;
    assert_eq!(mine["jp"], 22);

    // An export ends a moment before now, so that nothing stamped but not yet
    // committed can slip between two pulls.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let (status, export) = admin.get("/api/v1/records/kursus").await;
    assert_eq!(status, StatusCode::OK, "{export}");
    let rows = export["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let budi_row = rows
        .iter()
        .find(|r| r["nip"] == "199001012015031001")
        .unwrap();
    assert_eq!(budi_row["jenisDiklatId"], "8");
    assert_eq!(budi_row["namaKursus"], "Bimtek JPA");
    assert_eq!(budi_row["institusiPenyelenggara"], "BKD Kota Magelang");
    assert_eq!(budi_row["tanggalKursus"], "03-03-2026");
    assert_eq!(budi_row["tanggalSelesaiKursus"], "05-03-2026");
    assert_eq!(budi_row["tahunKursus"], 2026);
    assert_eq!(budi_row["jumlahJam"], 12);
    assert!(budi_row["pdfUrl"].as_str().unwrap().ends_with("/pdf"));
    let until = export["until"].as_str().unwrap().to_owned();

    // Incremental: nothing new since, then Budi's certificate is revoked.
    let number = budi_row["nomorSertipikat"].as_str().unwrap().to_owned();
    let (_, certs) = admin
        .get(&format!(
            "/api/v1/batches/{}/certificates",
            batch_a["id"].as_str().unwrap()
        ))
        .await;
    let budi_cert = certs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_id"] == budi.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin
        .post(
            &format!("/api/v1/certificates/{budi_cert}/revoke"),
            &json!({ "reason": "Tidak hadir pada ujian akhir" }),
        )
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let since = url_encode(&until);
    let (_, delta) = admin
        .get(&format!("/api/v1/records/kursus?since={since}"))
        .await;
    assert!(delta["rows"].as_array().unwrap().is_empty(), "{delta}");
    assert_eq!(delta["revoked"][0]["nomorSertipikat"], number.as_str());
    assert_eq!(delta["revoked"][0]["nip"], "199001012015031001");

    let resp = admin
        .request(reqwest::Method::GET, "/api/v1/records/kursus?format=csv")
        .send()
        .await
        .unwrap();
    let csv = resp.text().await.unwrap();
    assert!(csv.contains("nip,nama,jenisDiklatId,jenisKursus,namaKursus,institusiPenyelenggara,nomorSertipikat,tanggalKursus,tanggalSelesaiKursus,tahunKursus,jumlahJam,pdfUrl"), "{csv}");
    assert_eq!(csv.lines().count(), 3, "header and Ani's two rows: {csv}");
    let resp = admin
        .request(
            reqwest::Method::GET,
            "/api/v1/records/jp?year=2026&format=xlsx",
        )
        .send()
        .await
        .unwrap();
    assert!(resp.bytes().await.unwrap().starts_with(b"PK"));
    let (status, body) = admin.get("/api/v1/records/kursus?since=kemarin").await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "since");

    // Roles; open data without anyone in it.
    let (status, _) = ani_s.get("/api/v1/records/kursus").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = ani_s.get("/api/v1/records/jp").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, open) = app
        .anonymous()
        .get("/api/v1/records/open-data?year=2026")
        .await;
    assert_eq!(status, StatusCode::OK, "{open}");
    assert_eq!(open["trainings_held"], 2);
    assert_eq!(open["participants"], 4);
    assert_eq!(open["certified"], 2, "Ani twice; Budi's was revoked");
    let text = open.to_string();
    for personal in ["ANI", "BUDI", "CITRA", "198503122010012003"] {
        assert!(!text.contains(personal), "{personal} in open data");
    }
}

fn url_encode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}
