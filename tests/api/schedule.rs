//! Batches: scheduling rules, enrolment (capacity race, overlap, window,
//! waitlist, cancellation), bulk import, attendance, check-in, progress.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cases;
use crate::given::{course_and_batch, course_with_modules, create_batch, nip, trainees};
use crate::support::{
    ADMIN_PASSWORD, Session, TestApp, assert_error, csrf_token, page, read, sign_in,
};

cases![
    batch_rules_name_their_fields,
    batch_endpoints_refuse_other_roles_and_users,
    parallel_enrolments_never_exceed_capacity,
    parallel_enrolments_fill_then_waitlist,
    overlapping_batches_of_one_course_are_refused,
    self_registration_follows_window_and_flags,
    withdrawal_promotes_the_first_waiting,
    capacity_changes_are_checked_and_promote,
    cancellation_needs_a_reason_and_is_shown,
    import_enrols_a_list_all_or_nothing,
    attendance_progress_and_downloads,
    csv_downloads_never_carry_a_formula,
    self_checkin_only_during_the_session,
    reading_needs_a_seat,
    a_retaking_trainee_sits_the_running_batch_quiz_and_exam,
    batch_pages_for_admin_and_trainee,
];

async fn enrol(admin: &Session, batch_id: &str, user_id: &str) -> (StatusCode, Value) {
    admin
        .post(
            &format!("/api/v1/batches/{batch_id}/enrolments"),
            &json!({ "user_id": user_id }),
        )
        .await
}

async fn batch_rules_name_their_fields(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(&admin, "PK-RULES", &[]).await;
    let body = json!({
        "course_id": course["id"], "name": "A", "starts_on": "2026-03-05", "ends_on": "2026-03-03",
        "capacity": 1, "sessions": [{ "day": "2026-04-01", "starts_at": "10:00", "ends_at": "09:00" }]
    });
    let (status, resp) = admin.post("/api/v1/batches", &body).await;
    assert_error(status, &resp, 422, "validation_failed");
    let fields: Vec<&str> = resp["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["ends_on", "venue", "sessions[0].day", "sessions[0].ends_at"]
    );
    // A capacity below one is refused by the document itself.
    let mut zero = body.clone();
    zero["capacity"] = json!(0);
    let (status, resp) = admin.post("/api/v1/batches", &zero).await;
    assert_error(status, &resp, 422, "validation_failed");
    assert_eq!(resp["error"]["details"][0]["field"], "capacity", "{resp}");
    let (status, resp) = admin
        .post("/api/v1/batches", &json!({ "course_id": course["id"], "name": "B", "starts_on": "2026-03-03", "ends_on": "2026-03-03", "capacity": 5, "online": true, "sessions": [{ "day": "2026-03-03", "starts_at": "8", "ends_at": "16:00" }] }))
        .await;
    assert_error(status, &resp, 422, "validation_failed");
    assert_eq!(
        resp["error"]["details"][0]["field"],
        "sessions[0].starts_at"
    );
    let batch = create_batch(&admin, course["id"].as_str().unwrap(), json!({})).await;
    assert_eq!(batch["organiser"], "BKD Kota Magelang");
    assert_eq!(batch["sessions"].as_array().unwrap().len(), 3);
    assert_eq!(batch["sessions"][0]["starts_at"], "08:00");
    let (status, resp) = admin
        .patch(
            &format!("/api/v1/batches/{}", batch["id"].as_str().unwrap()),
            &json!({ "starts_on": "2026-03-04" }),
        )
        .await;
    assert_error(status, &resp, 422, "validation_failed");
    assert_eq!(
        resp["error"]["details"][0]["field"], "sessions[0].day",
        "a session would fall outside the dates"
    );
}

async fn batch_endpoints_refuse_other_roles_and_users(app: TestApp) {
    let admin = app.admin().await;
    let (_, batch) = course_and_batch(&admin, "PK-ROLE", json!({})).await;
    let id = batch["id"].as_str().unwrap().to_owned();
    let session_id = batch["sessions"][0]["id"].as_str().unwrap().to_owned();
    let (ani_user, ani) = app.user_with_roles("ani", &["trainee"]).await;
    let (budi_user, budi) = app.user_with_roles("budi", &["trainee"]).await;
    let (_, assessor) = app.user_with_roles("asesor", &["assessor"]).await;
    let ani_id = ani_user["id"].as_str().unwrap().to_owned();
    assert_eq!(enrol(&admin, &id, &ani_id).await.0, StatusCode::CREATED);

    let admin_only = [
        (
            Method::POST,
            "/api/v1/batches".to_owned(),
            json!({ "course_id": batch["course_id"], "name": "X", "starts_on": "2026-05-01", "ends_on": "2026-05-01", "venue": "BKD", "capacity": 1 }),
        ),
        (
            Method::PATCH,
            format!("/api/v1/batches/{id}"),
            json!({ "capacity": 50 }),
        ),
        (
            Method::POST,
            format!("/api/v1/batches/{id}/cancel"),
            json!({ "reason": "x" }),
        ),
        (
            Method::POST,
            format!("/api/v1/batches/{id}/sessions"),
            json!({ "day": "2026-03-04", "starts_at": "17:00", "ends_at": "18:00" }),
        ),
        (
            Method::POST,
            format!("/api/v1/batches/{id}/sessions/{session_id}/checkin-code"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/api/v1/batches/{id}/attendance"),
            json!({ "entries": [{ "session_id": session_id, "user_id": ani_id, "status": "present" }] }),
        ),
        (
            Method::GET,
            format!("/api/v1/batches/{id}/progress"),
            json!({}),
        ),
        (
            Method::GET,
            format!("/api/v1/batches/{id}/attendance"),
            json!({}),
        ),
        (
            Method::DELETE,
            format!("/api/v1/batches/{id}/sessions/{session_id}"),
            json!({}),
        ),
    ];
    for (method, path, body) in &admin_only {
        for (who, session, expected) in [
            ("trainee", &ani, 403),
            ("assessor", &assessor, 403),
            ("anonymous", &app.anonymous(), 401),
        ] {
            let resp = session
                .request(method.clone(), path)
                .json(body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), expected, "{who} {method} {path}");
        }
    }
    let (status, _) = ani
        .upload(
            &format!("/api/v1/batches/{id}/enrolments/import"),
            "a.csv",
            b"nip\n".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Trainees cannot enrol others, and never see another trainee's enrolment.
    let budi_id = budi_user["id"].as_str().unwrap();
    assert_eq!(enrol(&ani, &id, budi_id).await.0, StatusCode::FORBIDDEN);
    let (status, _) = read(
        ani.request(
            Method::DELETE,
            &format!("/api/v1/batches/{id}/enrolments/{budi_id}?reason=x"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, mine) = ani.get(&format!("/api/v1/batches/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(mine.get("enrolments").is_none(), "{mine}");
    assert_eq!(mine["my_enrolment"]["status"], "enrolled");
    assert_eq!(
        budi.get(&format!("/api/v1/batches/{id}")).await.0,
        StatusCode::NOT_FOUND,
        "not enrolled, not open for self-registration"
    );
    assert_eq!(budi.get("/api/v1/batches").await.1, json!([]));
    let (_, theirs) = budi.get("/api/v1/me/batches").await;
    assert_eq!(theirs, json!([]));
    // Nothing the refused calls tried was applied.
    let (_, unchanged) = admin.get(&format!("/api/v1/batches/{id}")).await;
    assert_eq!(
        (unchanged["capacity"].as_i64(), unchanged["status"].as_str()),
        (Some(44), Some("open"))
    );
    assert_eq!(unchanged["sessions"].as_array().unwrap().len(), 3);
}

async fn race(app: &TestApp, waitlist: bool) -> (usize, usize, usize) {
    let admin = app.admin().await;
    let (_, batch) = course_and_batch(&admin, "PK-RACE", json!({ "waitlist": waitlist })).await;
    let id = batch["id"].as_str().unwrap().to_owned();
    let users = trainees(&admin, 100, 100).await;
    let mut tasks = Vec::new();
    for user in users {
        let (admin, id) = (admin.clone(), id.clone());
        tasks.push(tokio::spawn(async move { enrol(&admin, &id, &user).await }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let enrolled = statuses
        .iter()
        .filter(|(s, b)| *s == StatusCode::CREATED && b["status"] == "enrolled")
        .count();
    let waiting = statuses
        .iter()
        .filter(|(s, b)| *s == StatusCode::CREATED && b["status"] == "waitlisted")
        .count();
    let full = statuses
        .iter()
        .filter(|(s, b)| *s == StatusCode::CONFLICT && b["error"]["code"] == "batch_full")
        .count();
    let (_, detail) = admin.get(&format!("/api/v1/batches/{id}")).await;
    assert_eq!(
        detail["enrolled"].as_u64().unwrap() as usize,
        enrolled,
        "the database agrees"
    );
    (enrolled, waiting, full)
}

async fn parallel_enrolments_never_exceed_capacity(app: TestApp) {
    assert_eq!(race(&app, false).await, (44, 0, 56));
}

async fn parallel_enrolments_fill_then_waitlist(app: TestApp) {
    assert_eq!(race(&app, true).await, (44, 56, 0));
}

async fn overlapping_batches_of_one_course_are_refused(app: TestApp) {
    let admin = app.admin().await;
    let (course, first) = course_and_batch(&admin, "PK-OVL", json!({})).await;
    let course_id = course["id"].as_str().unwrap();
    let overlapping = create_batch(&admin, course_id, json!({ "name": "Angkatan II 2026", "starts_on": "2026-03-05", "ends_on": "2026-03-06", "sessions": [] })).await;
    let later = create_batch(&admin, course_id, json!({ "name": "Angkatan III 2026", "starts_on": "2026-04-01", "ends_on": "2026-04-02", "sessions": [] })).await;
    let (other_course, other) = course_and_batch(&admin, "HM-OVL", json!({})).await;
    assert!(other_course["id"].is_string());
    let user = trainees(&admin, 300, 1).await.remove(0);
    assert_eq!(
        enrol(&admin, first["id"].as_str().unwrap(), &user).await.0,
        StatusCode::CREATED
    );
    let (status, body) = enrol(&admin, overlapping["id"].as_str().unwrap(), &user).await;
    assert_error(status, &body, 409, "overlapping_batch");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Angkatan I 2026"),
        "{body}"
    );
    assert_eq!(
        enrol(&admin, later["id"].as_str().unwrap(), &user).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        enrol(&admin, other["id"].as_str().unwrap(), &user).await.0,
        StatusCode::CREATED,
        "another course may overlap"
    );
    let (status, body) = enrol(&admin, first["id"].as_str().unwrap(), &user).await;
    assert_error(status, &body, 409, "already_enrolled");
}

async fn self_registration_follows_window_and_flags(app: TestApp) {
    let admin = app.admin().await;
    let now = time::OffsetDateTime::now_utc();
    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let (course, closed) = course_and_batch(&admin, "PK-WIN", json!({ "self_enrol": true, "enrol_opens_at": fmt(now - time::Duration::days(10)), "enrol_closes_at": fmt(now - time::Duration::days(1)) })).await;
    let course_id = course["id"].as_str().unwrap();
    let future = create_batch(&admin, course_id, json!({ "name": "Nanti", "starts_on": "2027-03-03", "ends_on": "2027-03-05", "sessions": [], "self_enrol": true, "enrol_opens_at": fmt(now + time::Duration::days(1)) })).await;
    let no_flag = create_batch(&admin, course_id, json!({ "name": "Tertutup", "starts_on": "2027-05-03", "ends_on": "2027-05-05", "sessions": [] })).await;
    let open = create_batch(&admin, course_id, json!({ "name": "Terbuka", "starts_on": "2027-07-03", "ends_on": "2027-07-05", "sessions": [], "self_enrol": true, "capacity": 1 })).await;
    let (me, ani) = app.user_with_roles("ani", &["trainee"]).await;
    let me_id = me["id"].as_str().unwrap();
    let self_enrol = |batch: &Value| {
        let path = format!(
            "/api/v1/batches/{}/enrolments",
            batch["id"].as_str().unwrap()
        );
        let ani = ani.clone();
        async move { ani.post(&path, &json!({})).await }
    };
    let (status, body) = self_enrol(&closed).await;
    assert_error(status, &body, 409, "enrolment_closed");
    let (status, body) = self_enrol(&future).await;
    assert_error(status, &body, 409, "enrolment_not_open");
    let (status, _) = self_enrol(&no_flag).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a batch without self-registration is not even visible"
    );
    let (status, body) = self_enrol(&open).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::CREATED, Some("enrolled")),
        "{body}"
    );
    let (_, budi) = app.user_with_roles("budi", &["trainee"]).await;
    let (status, body) = budi
        .post(
            &format!(
                "/api/v1/batches/{}/enrolments",
                open["id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_error(status, &body, 409, "batch_full");
    // An administrator may still enrol after the window closed.
    assert_eq!(
        enrol(&admin, closed["id"].as_str().unwrap(), me_id).await.0,
        StatusCode::CREATED
    );
    let (_, mine) = ani.get("/api/v1/me/batches").await;
    assert_eq!(mine.as_array().unwrap().len(), 2);
}

async fn withdrawal_promotes_the_first_waiting(app: TestApp) {
    let admin = app.admin().await;
    let (_, batch) = course_and_batch(
        &admin,
        "PK-WAIT",
        json!({ "capacity": 1, "waitlist": true }),
    )
    .await;
    let id = batch["id"].as_str().unwrap();
    let users = trainees(&admin, 400, 3).await;
    let statuses: Vec<String> = {
        let mut out = Vec::new();
        for u in &users {
            out.push(
                enrol(&admin, id, u).await.1["status"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        out
    };
    assert_eq!(statuses, ["enrolled", "waitlisted", "waitlisted"]);
    let (status, body) = read(
        admin
            .request(
                Method::DELETE,
                &format!("/api/v1/batches/{id}/enrolments/{}?reason=", users[0]),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, body) = read(
        admin
            .request(
                Method::DELETE,
                &format!("/api/v1/batches/{id}/enrolments/{}?reason=Sakit", users[0]),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str(), body["reason"].as_str()),
        (StatusCode::OK, Some("withdrawn"), Some("Sakit"))
    );
    let (_, detail) = admin.get(&format!("/api/v1/batches/{id}")).await;
    let by_user = |u: &str| {
        detail["enrolments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["user_id"] == u)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(by_user(&users[1]), "enrolled", "first come, first served");
    assert_eq!(by_user(&users[2]), "waitlisted");
}

async fn capacity_changes_are_checked_and_promote(app: TestApp) {
    let admin = app.admin().await;
    let (_, batch) =
        course_and_batch(&admin, "PK-CAP", json!({ "capacity": 2, "waitlist": true })).await;
    let id = batch["id"].as_str().unwrap();
    for u in trainees(&admin, 500, 4).await {
        enrol(&admin, id, &u).await;
    }
    let (status, body) = admin
        .patch(&format!("/api/v1/batches/{id}"), &json!({ "capacity": 1 }))
        .await;
    assert_error(status, &body, 409, "capacity_below_enrolled");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 peserta"),
        "{body}"
    );
    let (status, body) = admin
        .patch(&format!("/api/v1/batches/{id}"), &json!({ "capacity": 3 }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["enrolled"].as_u64(), body["waitlisted"].as_u64()),
        (Some(3), Some(1))
    );
}

async fn cancellation_needs_a_reason_and_is_shown(app: TestApp) {
    let admin = app.admin().await;
    let (_, batch) = course_and_batch(&admin, "PK-CXL", json!({ "self_enrol": true })).await;
    let id = batch["id"].as_str().unwrap();
    let (me, ani) = app.user_with_roles("ani", &["trainee"]).await;
    enrol(&admin, id, me["id"].as_str().unwrap()).await;
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{id}/cancel"),
            &json!({ "reason": " " }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{id}/cancel"),
            &json!({ "reason": "Hotel tidak tersedia" }),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
    let (_, mine) = ani.get("/api/v1/me/batches").await;
    assert_eq!(mine[0]["phase"], "cancelled");
    assert_eq!(mine[0]["cancel_reason"], "Hotel tidak tersedia");
    let other = trainees(&admin, 600, 1).await.remove(0);
    let (status, body) = enrol(&admin, id, &other).await;
    assert_error(status, &body, 409, "batch_closed");
    let (status, body) = admin
        .patch(&format!("/api/v1/batches/{id}"), &json!({ "capacity": 10 }))
        .await;
    assert_error(status, &body, 409, "batch_cancelled");
}

fn xlsx(nips: &[String]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "NIP").unwrap();
    sheet.write_string(0, 1, "Nama").unwrap();
    for (i, n) in nips.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, n).unwrap();
        sheet
            .write_string(i as u32 + 1, 1, format!("Peserta {i}"))
            .unwrap();
    }
    book.save_to_buffer().unwrap()
}

async fn import_enrols_a_list_all_or_nothing(app: TestApp) {
    let admin = app.admin().await;
    let (_, batch) = course_and_batch(&admin, "PK-IMP", json!({})).await;
    let id = batch["id"].as_str().unwrap();
    trainees(&admin, 700, 44).await;
    let nips: Vec<String> = (700..744).map(nip).collect();
    let path = format!("/api/v1/batches/{id}/enrolments/import");

    let mut bad = nips[..3].to_vec();
    bad.push("123".into());
    bad.push(nip(999));
    bad.push(nips[0].clone());
    let (status, body) = admin.upload(&path, "salah.xlsx", xlsx(&bad)).await;
    assert_error(status, &body, 422, "validation_failed");
    let rows: Vec<u64> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["row"].as_u64().unwrap())
        .collect();
    assert_eq!(
        rows,
        [5, 6, 7],
        "an invalid NIP, an unknown one and a duplicate, all in one answer: {body}"
    );
    bad.truncate(5);
    let (status, body) = admin.upload(&path, "salah.xlsx", xlsx(&bad)).await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["row"], 5);
    bad.remove(3);
    let (status, body) = admin.upload(&path, "salah.xlsx", xlsx(&bad)).await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["row"], 5);
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("belum terdaftar"),
        "{body}"
    );
    assert_eq!(
        admin.get(&format!("/api/v1/batches/{id}")).await.1["enrolled"],
        0,
        "nothing was half-applied"
    );

    let (status, body) = admin.upload(&path, "peserta.xlsx", xlsx(&nips)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["enrolled"].as_u64(), body["unchanged"].as_u64()),
        (Some(44), Some(0))
    );
    let (_, again) = admin.upload(&path, "peserta.xlsx", xlsx(&nips)).await;
    assert_eq!(
        (again["enrolled"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(44)),
        "idempotent"
    );

    let (_, small) = course_and_batch(&admin, "PK-IMP2", json!({ "capacity": 40 })).await;
    let (status, body) = admin
        .upload(
            &format!(
                "/api/v1/batches/{}/enrolments/import",
                small["id"].as_str().unwrap()
            ),
            "p.xlsx",
            xlsx(&nips),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let message = body["error"]["details"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("hanya 40 baris baru yang muat")
            && message.contains("3 baris baru sesudahnya"),
        "{message}"
    );
    assert_eq!(body["error"]["details"][0]["row"], 42);

    let fresh = format!(
        "nip,nama,unit_kerja\n{},Pegawai Baru,Diskominfo\n",
        nip(800)
    );
    let (status, body) = admin
        .upload(
            &format!("{path}?create_missing=true"),
            "baru.csv",
            fresh.into_bytes(),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let message = body["error"]["details"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("hanya 0 baris baru yang muat; baris ini tidak muat"),
        "{message}"
    );
    assert_eq!(
        admin.get(&format!("/api/v1/users?q={}", nip(800))).await.1["total"],
        0,
        "the new account was rolled back too"
    );
    let (_, roomy) = course_and_batch(&admin, "PK-IMP3", json!({})).await;
    let fresh = format!(
        "nip,nama,unit_kerja\n{},Pegawai Baru,Diskominfo\n",
        nip(800)
    );
    let (status, body) = admin
        .upload(
            &format!(
                "/api/v1/batches/{}/enrolments/import?create_missing=true",
                roomy["id"].as_str().unwrap()
            ),
            "baru.csv",
            fresh.into_bytes(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["users_created"].as_u64(), body["enrolled"].as_u64()),
        (Some(1), Some(1))
    );
}

async fn attendance_progress_and_downloads(app: TestApp) {
    let admin = app.admin().await;
    let (course, batch) = course_and_batch(&admin, "PK-ATT", json!({})).await;
    let id = batch["id"].as_str().unwrap();
    let users = trainees(&admin, 900, 2).await;
    for u in &users {
        enrol(&admin, id, u).await;
    }
    let sessions: Vec<&str> = batch["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let outsider = trainees(&admin, 950, 1).await.remove(0);
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{id}/attendance"),
            &json!({ "entries": [
            { "session_id": sessions[0], "user_id": users[0], "status": "present" },
            { "session_id": sessions[0], "user_id": outsider, "status": "present" },
            { "session_id": uuid::Uuid::new_v4(), "user_id": users[0], "status": "present" },
        ] }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["entries[1].user_id", "entries[2].session_id"]);
    assert_eq!(
        admin
            .get(&format!("/api/v1/batches/{id}/attendance"))
            .await
            .1,
        json!([]),
        "all or nothing"
    );

    let mut entries = Vec::new();
    for s in &sessions {
        entries.push(json!({ "session_id": s, "user_id": users[0], "status": "present" }));
    }
    entries.push(json!({ "session_id": sessions[0], "user_id": users[1], "status": "present" }));
    entries.push(json!({ "session_id": sessions[1], "user_id": users[1], "status": "sakit" }));
    entries.push(json!({ "session_id": sessions[2], "user_id": users[1], "status": "absent" }));
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{id}/attendance"),
            &json!({ "entries": entries }),
        )
        .await;
    assert_eq!(
        (status, body["recorded"].as_u64()),
        (StatusCode::OK, Some(6)),
        "{body}"
    );

    let (_, progress) = admin.get(&format!("/api/v1/batches/{id}/progress")).await;
    let row = |user: &str| {
        progress["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["user_id"] == user)
            .unwrap()
            .clone()
    };
    let first = row(&users[0]);
    assert_eq!(first["attendance"]["percent"], 100.0);
    assert_eq!(first["meets_completion"], false, "modules not read yet");
    assert!(
        first["unmet"][0]
            .as_str()
            .unwrap()
            .contains("0 dari 2 modul")
    );
    let second = row(&users[1]);
    assert_eq!(
        (
            second["attendance"]["present"].as_u64(),
            second["attendance"]["excused"].as_u64(),
            second["attendance"]["percent"].as_f64()
        ),
        (Some(1), Some(1), Some(33.3))
    );
    assert!(
        second["unmet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u.as_str().unwrap().contains("33.3% di bawah syarat 80%"))
    );
    assert_eq!(course["min_attendance_percent"], 80);

    let csv = admin
        .request(
            Method::GET,
            &format!("/api/v1/batches/{id}/progress?format=csv"),
        )
        .send()
        .await
        .unwrap();
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".csv")
    );
    let text = csv.text().await.unwrap();
    assert!(
        text.starts_with('\u{FEFF}') && text.contains("Kehadiran (%)") && text.contains("33.3"),
        "{text}"
    );
    let xlsx = admin
        .request(
            Method::GET,
            &format!("/api/v1/batches/{id}/progress?format=xlsx"),
        )
        .send()
        .await
        .unwrap();
    let bytes = xlsx.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
}

/// Entered text comes back in CSV downloads as text Excel will not run.
async fn csv_downloads_never_carry_a_formula(app: TestApp) {
    let admin = app.admin().await;
    let (_, batch) = course_and_batch(&admin, "PK-CSV", json!({})).await;
    let id = batch["id"].as_str().unwrap();
    let csv = format!(
        "nip,nama,unit_kerja\n{},\"=HYPERLINK(\"\"http://evil.example\"\",\"\"klik\"\")\",@SUM(1+1)\n{},+cmd|' /C calc'!A0,-2+3\n",
        nip(960),
        nip(961)
    );
    let (status, body) = admin
        .upload("/api/v1/users/import", "p.csv", csv.into_bytes())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for i in [960, 961] {
        let (_, found) = admin.get(&format!("/api/v1/users?q={}", nip(i))).await;
        let user = found["items"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(enrol(&admin, id, &user).await.0, StatusCode::CREATED);
    }
    let text = admin
        .request(
            Method::GET,
            &format!("/api/v1/batches/{id}/progress?format=csv"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.trim_start_matches('\u{FEFF}').as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    for entered in ["=HYPERLINK(", "@SUM(", "+cmd|", "-2+3"] {
        let cell = cells
            .iter()
            .find(|c| c.contains(entered))
            .unwrap_or_else(|| panic!("{entered} missing from {text}"));
        assert!(cell.starts_with('\''), "{cell} would run in Excel");
    }
    for cell in &cells {
        assert!(
            !cell.starts_with(['=', '+', '@', '\t', '\r'])
                && (!cell.starts_with('-') || cell.parse::<f64>().is_ok()),
            "{cell} would run in Excel"
        );
    }
}

async fn self_checkin_only_during_the_session(app: TestApp) {
    let admin = app.admin().await;
    let today = time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+7))
        .date();
    let tomorrow = today + time::Duration::days(1);
    let (_, batch) = course_and_batch(
        &admin,
        "PK-CHK",
        json!({
            "starts_on": today.to_string(), "ends_on": tomorrow.to_string(),
            "sessions": [
                { "day": today.to_string(), "starts_at": "00:00", "ends_at": "23:59" },
                { "day": tomorrow.to_string(), "starts_at": "08:00", "ends_at": "16:00" },
            ]
        }),
    )
    .await;
    let id = batch["id"].as_str().unwrap();
    let (me, ani) = app.user_with_roles("ani", &["trainee"]).await;
    enrol(&admin, id, me["id"].as_str().unwrap()).await;
    let (_, outsider) = app.user_with_roles("budi", &["trainee"]).await;
    let code_for = |n: usize| {
        let session = batch["sessions"][n]["id"].as_str().unwrap().to_owned();
        let admin = admin.clone();
        async move {
            admin
                .post(
                    &format!("/api/v1/batches/{id}/sessions/{session}/checkin-code"),
                    &json!({}),
                )
                .await
                .1["code"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let now_code = code_for(0).await;
    let later_code = code_for(1).await;
    let (status, _) = outsider
        .post("/api/v1/checkin", &json!({ "code": now_code }))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only the batch's own trainees"
    );
    let (status, body) = ani
        .post(
            "/api/v1/checkin",
            &json!({ "code": later_code.to_lowercase() }),
        )
        .await;
    assert_error(status, &body, 409, "checkin_closed");
    let (status, body) = ani
        .post(
            "/api/v1/checkin",
            &json!({ "code": now_code.to_lowercase() }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, grid) = admin.get(&format!("/api/v1/batches/{id}/attendance")).await;
    assert_eq!(grid.as_array().unwrap().len(), 1);
    assert_eq!(grid[0]["status"], "present");
    let (status, body) = admin
        .post("/api/v1/checkin", &json!({ "code": now_code }))
        .await;
    assert_error(status, &body, 403, "forbidden");
}

async fn reading_needs_a_seat(app: TestApp) {
    let admin = app.admin().await;
    let (course, batch) = course_and_batch(&admin, "PK-SEAT", json!({})).await;
    let module = course["modules"][0]["id"].as_str().unwrap();
    let (me, ani) = app.user_with_roles("ani", &["trainee"]).await;
    let (status, body) = ani
        .post(&format!("/api/v1/modules/{module}/complete"), &json!({}))
        .await;
    assert_error(status, &body, 409, "not_enrolled");
    enrol(
        &admin,
        batch["id"].as_str().unwrap(),
        me["id"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        ani.post(&format!("/api/v1/modules/{module}/complete"), &json!({}))
            .await
            .0,
        StatusCode::OK
    );
    let (_, mine) = ani.get("/api/v1/me/batches").await;
    assert_eq!(
        (
            mine[0]["modules_read"].as_u64(),
            mine[0]["modules_total"].as_u64()
        ),
        (Some(1), Some(2))
    );
}

/// A trainee who takes the course again holds a seat in last year's
/// finished batch (found first) and one in the running batch: the quiz and
/// the exam go through the running one.
async fn a_retaking_trainee_sits_the_running_batch_quiz_and_exam(app: TestApp) {
    let admin = app.admin().await;
    // Practice items for the quiz, their exam-pool twins and a task for the exam.
    let bank = format!(
        "{}\n\n{}",
        crate::given::BANK,
        crate::given::exam_pool(&format!(
            "{}\n// [id:q-essay] [tag:unit:jaringan]\n::Esai::Jelaskan cara kerja DNS. {{}}\n",
            crate::given::BANK.replace("[id:q-", "[id:u-")
        ))
    );
    let (status, report) =
        crate::given::import(&admin, "ulang.gift", &bank, &[("name", "ulang")]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let day = |offset: i64| {
        (time::OffsetDateTime::now_utc()
            .to_offset(time::macros::offset!(+7))
            .date()
            + time::Duration::days(offset))
        .to_string()
    };
    let sessions = |from: &str| json!([{ "day": from, "starts_at": "08:00", "ends_at": "16:00" }]);
    let (course, old) = course_and_batch(
        &admin,
        "PK-ULANG",
        json!({ "name": "Angkatan I 2025", "starts_on": "2025-03-03", "ends_on": "2025-03-05",
                "sessions": sessions("2025-03-03") }),
    )
    .await;
    let course_id = course["id"].as_str().unwrap();
    let old_id = old["id"].as_str().unwrap();
    let (me, trainee) = app.user_with_roles("ulang", &["trainee"]).await;
    let me = me["id"].as_str().unwrap();
    assert_eq!(enrol(&admin, old_id, me).await.0, StatusCode::CREATED);
    let (status, body) = admin
        .patch(
            &format!("/api/v1/batches/{old_id}"),
            &json!({ "status": "finished" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let running = create_batch(
        &admin,
        course_id,
        json!({ "name": "Angkatan I 2026", "starts_on": day(-1), "ends_on": day(1),
                "status": "running", "sessions": sessions(&day(-1)) }),
    )
    .await;
    let running_id = running["id"].as_str().unwrap();
    assert_eq!(enrol(&admin, running_id, me).await.0, StatusCode::CREATED);

    // The quiz: closed for last year's batch, open for this one.
    let module = course["modules"][0]["id"].as_str().unwrap();
    let (_, banks) = admin.get("/api/v1/question-banks").await;
    let bank_id = banks
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name"] == "ulang")
        .unwrap()["id"]
        .clone();
    let (status, quiz) = admin
        .post(
            &format!("/api/v1/modules/{module}/quiz"),
            &json!({ "bank_id": bank_id, "selection": { "rules": [{ "tag": "unit:jaringan", "count": 3 }] } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{quiz}");
    let quiz_id = quiz["id"].as_str().unwrap();
    let (status, body) = admin
        .post(
            &format!("/api/v1/quizzes/{quiz_id}/windows"),
            &json!({ "batch_id": old_id, "opens_at": "2025-03-03T01:00:00Z", "closes_at": "2025-03-05T09:00:00Z" }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let (status, attempt) = trainee
        .post(&format!("/api/v1/quizzes/{quiz_id}/attempts"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");

    // The exam of the running batch.
    let level = |p: f64, d: &str| json!({ "points": p, "descriptor": d });
    let mut body = crate::given::window();
    for (k, v) in json!({
        "batch_id": running_id, "title": "Uji Ulang", "bank": "ulang", "code_prefix": "UL",
        "double_marking": false,
        "units": [{ "code": "jaringan", "title": "Mengelola jaringan", "objective_count": 2 }],
        "tasks": [{ "key": "esai", "unit": "jaringan", "question": "q-essay", "pass_points": 1,
                    "rubric": [{ "criterion": "Ketepatan", "levels": [level(0.0, "salah"), level(1.0, "benar")] }] }],
    })
    .as_object()
    .unwrap()
    {
        body[k] = v.clone();
    }
    let (status, exam) = admin.post("/api/v1/exams", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{exam}");
    let exam_id = exam["id"].as_str().unwrap();
    let (status, info) = trainee.get(&format!("/api/v1/exams/{exam_id}/info")).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    let (_, mine) = trainee.get("/api/v1/me/exams").await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    let (status, attempt) = trainee
        .post(&format!("/api/v1/exams/{exam_id}/attempts"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");

    // A seat only in a cancelled batch is no seat.
    let (other, stranger) = app.user_with_roles("batal", &["trainee"]).await;
    assert_eq!(
        enrol(&admin, running_id, other["id"].as_str().unwrap())
            .await
            .0,
        StatusCode::CREATED
    );
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{running_id}/cancel"),
            &json!({ "reason": "Narasumber berhalangan hadir." }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = stranger.get(&format!("/api/v1/exams/{exam_id}/info")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, theirs) = stranger.get("/api/v1/me/exams").await;
    assert_eq!(theirs, json!([]));
    let (status, body) = stranger
        .post(&format!("/api/v1/exams/{exam_id}/attempts"), &json!({}))
        .await;
    assert_error(status, &body, 409, "not_enrolled");
}

async fn batch_pages_for_admin_and_trainee(app: TestApp) {
    let admin_api = app.admin().await;
    let (_, batch) = course_and_batch(&admin_api, "PK-PAGE", json!({})).await;
    let id = batch["id"].as_str().unwrap();
    let users = trainees(&admin_api, 1000, 2).await;
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let (status, calendar) = page(&client, &app, "/admin/batches?month=2026-03").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        calendar.contains("Maret 2026")
            && calendar.contains("PK-PAGE · Angkatan I 2026")
            && calendar.contains("3 Maret 2026 – 5 Maret 2026"),
        "{calendar}"
    );
    let (_, html) = page(&client, &app, &format!("/admin/batches/{id}")).await;
    let token = csrf_token(&html);
    let resp = client
        .post(app.url(&format!("/admin/batches/{id}/enrolments")))
        .form(&[("csrf_token", token.as_str()), ("nip", nip(1000).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let bad = format!("nip\n{}\n19900101\n", nip(1001));
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bad.into_bytes()).file_name("p.csv"),
        );
    let resp = client
        .post(app.url(&format!("/admin/batches/{id}/enrolments/import")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("<td>3</td><td>NIP</td>")
    );
    let session = batch["sessions"][0]["id"].as_str().unwrap();
    let field = format!("m_{session}_{}", users[0]);
    let resp = client
        .post(app.url(&format!("/admin/batches/{id}/attendance")))
        .form(&[("csrf_token", token.as_str()), (field.as_str(), "present")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&client, &app, resp.headers()["location"].to_str().unwrap()).await;
    assert!(
        html.contains("1 catatan kehadiran disimpan") && html.contains("33.3%"),
        "{html}"
    );
    assert!(
        html.contains("value=\"present\" selected"),
        "the grid shows what is recorded"
    );
    let resp = client
        .get(app.url(&format!("/admin/batches/{id}/progress?format=xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );

    let trainee = app.browser_client();
    admin_api
        .patch(
            &format!("/api/v1/users/{}", users[0]),
            &json!({ "password": "Kebun-Teh-Pagi-1" }),
        )
        .await;
    sign_in(&trainee, &app, &nip(1000), "Kebun-Teh-Pagi-1").await;
    let (status, mine) = page(&trainee, &app, "/my/batches").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        mine.contains("Angkatan I 2026")
            && mine.contains("Hotel Puri Asri")
            && mine.contains("Pembukaan")
            && mine.contains("Kehadiran 33,3%"),
        "{mine}"
    );
    let ics = trainee
        .get(app.url(&format!("/batches/{id}/calendar.ics")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        ics.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let ics = ics.text().await.unwrap();
    assert!(
        ics.contains("BEGIN:VEVENT") && ics.contains("DTSTART;TZID=Asia/Jakarta:20260303T080000"),
        "{ics}"
    );
    // RFC 5545 §3.2.19: the zone a TZID names is in the file.
    assert!(
        ics.contains("BEGIN:VTIMEZONE\r\nTZID:Asia/Jakarta\r\n")
            && ics.contains("TZOFFSETTO:+0700"),
        "{ics}"
    );
    assert_eq!(
        page(&trainee, &app, &format!("/admin/batches/{id}"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}
