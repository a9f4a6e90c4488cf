//! Overseeing an exam's grading: the marks a result still lacks and why,
//! naming or replacing a marker, and the exam's audit trail; for
//! administrators only.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::given::{enrol, mark, person, queue, sit, small_exam};
use crate::support::{TestApp, assert_error};

cases![
    a_missing_marker_is_named_and_an_inactive_one_replaced,
    exam_oversight_is_for_admins_only,
];

fn name_marker(code: &str, round: &str, assessor: &str, reason: &str) -> Value {
    json!({ "candidate_code": code, "task_key": "esai", "round": round,
            "assessor_id": assessor, "reason": reason })
}

/// Double marking where one of two assessors shares the candidate's unit
/// kerja: the item gets one marker and release would wait forever. The 409
/// says which code lacks which mark; the administrator names a marker,
/// later replaces them when deactivated; every change is in the trail.
async fn a_missing_marker_is_named_and_an_inactive_one_replaced(app: TestApp) {
    let (admin, exam_id, batch_id) = small_exam(&app, "GAP", true).await;
    let (k1, c1) = person(&app, &admin, "rekan", "Dinkes", "trainee").await;
    let (k2, c2) = person(&app, &admin, "bukanrekan", "Bappeda", "trainee").await;
    enrol(&admin, &batch_id, &k1).await;
    enrol(&admin, &batch_id, &k2).await;
    let (m1, s1) = person(&app, &admin, "sekantor", "Dinkes", "assessor").await;
    let (m2, s2) = person(&app, &admin, "lainkantor", "BKD", "assessor").await;
    admin
        .post(
            &format!("/api/v1/exams/{exam_id}/assessors"),
            &json!({ "assessors": [{ "user_id": m1 }, { "user_id": m2 }] }),
        )
        .await;
    sit(
        &c1,
        &exam_id,
        "DNS menerjemahkan nama menjadi alamat.",
        true,
    )
    .await;
    sit(
        &c2,
        &exam_id,
        "DNS menerjemahkan nama menjadi alamat.",
        true,
    )
    .await;
    for assessor in [&s1, &s2] {
        for item in queue(assessor).await["items"].as_array().unwrap() {
            mark(assessor, item, &[2, 2], "", None).await;
        }
    }
    // Every item there is final, yet one candidate has a single mark.
    let (_, matrix) = admin.get(&format!("/api/v1/exams/{exam_id}/results")).await;
    assert_eq!(matrix["items_total"], 3, "{matrix}");
    assert_eq!(matrix["items_final"], 3);
    let code = matrix["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Nama rekan")
        .unwrap()["result"]["candidate_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_error(status, &body, 409, "grading_incomplete");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{code}.esai (Penilai 2")),
        "{body}"
    );
    assert_eq!(
        body["error"]["details"],
        json!([{ "field": format!("{code}.esai"),
                 "message": "Penilai 2: belum ada penilai: tidak ada asesor yang boleh menilai" }])
    );
    let (status, board) = admin.get(&format!("/api/v1/exams/{exam_id}/markers")).await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(board["missing"].as_array().unwrap().len(), 1, "{board}");
    let gap = &board["missing"][0];
    assert_eq!(
        (
            &gap["candidate_code"],
            &gap["round"],
            &gap["holdup"],
            &gap["needs_admin"]
        ),
        (
            &json!(code),
            &json!("second"),
            &json!("no_marker"),
            &json!(true)
        )
    );
    assert!(gap["item_id"].is_null() && gap["assessor_name"].is_null());
    assert_eq!(board["items"].as_array().unwrap().len(), 3);

    // Who may not be named, and why.
    let url = format!("/api/v1/exams/{exam_id}/markers");
    let why = "Penilai kedua sekantor dengan peserta.";
    let (status, body) = admin
        .post(&url, &name_marker(&code, "second", &m1, why))
        .await;
    assert_error(status, &body, 409, "conflict_of_interest");
    let (status, body) = admin
        .post(&url, &name_marker(&code, "second", &m2, why))
        .await;
    assert_error(status, &body, 409, "same_assessor");
    let (status, body) = admin
        .post(&url, &name_marker(&code, "second", &k2, why))
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "assessor_id");
    let (m3, s3) = person(&app, &admin, "pengganti", "Inspektorat", "assessor").await;
    let (status, body) = admin
        .post(&url, &name_marker(&code, "moderation", &m3, why))
        .await;
    assert_error(status, &body, 409, "round_not_needed");
    let (status, body) = admin
        .post(&url, &name_marker(&code, "first", &m3, why))
        .await;
    assert_error(status, &body, 409, "item_final");
    let (status, _) = admin
        .post(&url, &name_marker(&code, "second", &m3, "   "))
        .await;
    assert!(
        status.is_client_error(),
        "a blank reason is refused: {status}"
    );
    let (status, body) = admin
        .post(&url, &name_marker("PK-2026-999", "second", &m3, why))
        .await;
    assert_error(status, &body, 404, "not_found");
    let (status, row) = admin
        .post(&url, &name_marker(&code, "second", &m3, why))
        .await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert_eq!(
        (
            &row["round"],
            &row["assessor_name"],
            &row["status"],
            &row["assessor_available"]
        ),
        (
            &json!("second"),
            &json!("Nama pengganti"),
            &json!("pending"),
            &json!(true)
        )
    );
    assert_eq!(queue(&s3).await["items"].as_array().unwrap().len(), 1);

    // The new marker is deactivated before marking: flagged, and replaced.
    let (status, _) = admin
        .patch(&format!("/api/v1/users/{m3}"), &json!({ "active": false }))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, board) = admin.get(&url).await;
    let gap = &board["missing"][0];
    assert_eq!(gap["holdup"], "unavailable", "{board}");
    assert_eq!(gap["assessor_name"], "Nama pengganti");
    assert_eq!(gap["item_id"], row["item_id"]);
    let (status, body) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_error(status, &body, 409, "grading_incomplete");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("tidak aktif"),
        "{body}"
    );
    let (m4, s4) = person(&app, &admin, "pengganti2", "Inspektorat", "assessor").await;
    let (status, row) = admin
        .post(
            &url,
            &name_marker(&code, "second", &m4, "Asesor sebelumnya dinonaktifkan."),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{row}");
    assert_eq!(row["assessor_name"], "Nama pengganti2");
    let item = queue(&s4).await["items"][0].clone();
    mark(&s4, &item, &[2, 3], "", None).await;
    let (status, released) = admin
        .post(&format!("/api/v1/exams/{exam_id}/release"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{released}");

    let (_, trail) = admin.get(&format!("/api/v1/exams/{exam_id}/audit")).await;
    let events = trail["events"].as_array().unwrap();
    let assign = events
        .iter()
        .find(|e| e["action"] == "grade.assign")
        .unwrap();
    assert_eq!(
        (&assign["round_label"], &assign["reason"]),
        (&json!("Penilai 2"), &json!(why))
    );
    let reassign = events
        .iter()
        .find(|e| e["action"] == "grade.reassign")
        .unwrap();
    assert_eq!(reassign["action_label"], "Penilai diganti administrator");
    assert!(
        reassign["old_label"]
            .as_str()
            .unwrap()
            .ends_with("Asesor: Nama pengganti")
            && reassign["new_label"]
                .as_str()
                .unwrap()
                .contains("Asesor: Nama pengganti2"),
        "{reassign}"
    );
    assert_eq!(reassign["candidate_code"], code);
}

/// The oversight endpoints answer administrators only, and only about
/// the exam asked for.
async fn exam_oversight_is_for_admins_only(app: TestApp) {
    let (admin, exam_id, batch_id) = small_exam(&app, "OVS", false).await;
    let (other_exam, other_batch) = {
        let (_, id, batch) = small_exam(&app, "OVT", false).await;
        (id, batch)
    };
    let (k, trainee) = person(&app, &admin, "diawasi", "Dinkes", "trainee").await;
    let (k2, other_trainee) = person(&app, &admin, "lainujian", "Dinkes", "trainee").await;
    enrol(&admin, &batch_id, &k).await;
    enrol(&admin, &other_batch, &k2).await;
    let (a, assessor) = person(&app, &admin, "pengawas", "BKD", "assessor").await;
    for exam in [&exam_id, &other_exam] {
        admin
            .post(
                &format!("/api/v1/exams/{exam}/assessors"),
                &json!({ "assessors": [{ "user_id": a }] }),
            )
            .await;
    }
    sit(&trainee, &exam_id, "Jawaban ujian pertama.", false).await;
    sit(&other_trainee, &other_exam, "Jawaban ujian kedua.", false).await;
    let items = queue(&assessor).await;
    for item in items["items"].as_array().unwrap() {
        mark(&assessor, item, &[3, 3], "", None).await;
    }

    let paths = [
        format!("/api/v1/exams/{exam_id}/audit"),
        format!("/api/v1/exams/{exam_id}/audit?format=csv"),
        format!("/api/v1/exams/{exam_id}/markers"),
    ];
    for path in &paths {
        let (status, _) = admin.get(path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        for outsider in [&trainee, &assessor] {
            let (status, body) = outsider.get(path).await;
            assert_error(status, &body, 403, "forbidden");
        }
        let (status, _) = app.anonymous().get(path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        let unknown = path.replace(&exam_id, &uuid::Uuid::new_v4().to_string());
        let (status, body) = admin.get(&unknown).await;
        assert_error(status, &body, 404, "not_found");
    }
    let body = name_marker("PK-2026-001", "first", &a, "Uji hak akses.");
    for outsider in [&trainee, &assessor] {
        let (status, body) = outsider
            .post(&format!("/api/v1/exams/{exam_id}/markers"), &body)
            .await;
        assert_error(status, &body, 403, "forbidden");
    }
    let (status, body) = admin
        .post(
            &format!("/api/v1/exams/{}/markers", uuid::Uuid::new_v4()),
            &body,
        )
        .await;
    assert_error(status, &body, 404, "not_found");

    // Each exam's trail holds its own events only.
    let (_, mine) = admin.get(&format!("/api/v1/exams/{exam_id}/audit")).await;
    let (_, theirs) = admin
        .get(&format!("/api/v1/exams/{other_exam}/audit"))
        .await;
    let finals = |trail: &Value| -> Vec<String> {
        trail["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "grade.final")
            .map(|e| e["at"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(finals(&mine).len(), 1, "{mine}");
    assert_eq!(finals(&theirs).len(), 1, "{theirs}");
    assert_ne!(finals(&mine), finals(&theirs));
    let (_, board) = admin.get(&format!("/api/v1/exams/{exam_id}/markers")).await;
    assert_eq!(board["items"].as_array().unwrap().len(), 1, "{board}");
    assert_eq!(board["items"][0]["name"], "Nama diawasi");

    // The document says which fields may be null, and nothing else.
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    for (schema, nullable) in [
        (
            "ExamEvent",
            &[
                "actor_id",
                "candidate_code",
                "task_key",
                "task_label",
                "round",
                "round_label",
                "old_value",
                "new_value",
                "old_label",
                "new_label",
                "reason",
            ][..],
        ),
        (
            "MissingView",
            &["item_id", "assessor_id", "assessor_name"][..],
        ),
        ("MarkerItem", &[][..]),
    ] {
        let properties = schemas[schema]["properties"].as_object().unwrap();
        for (name, property) in properties {
            let marked = property["nullable"] == json!(true)
                || property["allOf"]
                    .as_array()
                    .is_some_and(|all| all.iter().any(|p| p["nullable"] == json!(true)));
            assert_eq!(
                marked,
                nullable.contains(&name.as_str()),
                "{schema}.{name}: {property}"
            );
        }
    }
    let audit = &doc["paths"]["/api/v1/exams/{id}/audit"]["get"]["responses"];
    for status in ["200", "401", "403", "404"] {
        assert!(
            audit.get(status).is_some(),
            "{status} undocumented: {audit}"
        );
    }
}
