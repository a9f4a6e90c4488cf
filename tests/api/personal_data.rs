//! Personal data (UU 27/2022): a trainee downloads their own data as JSON
//! and PDF (nobody else's, nothing the review withholds); an administrator
//! anonymises a departed user through the API and the page, and their
//! certificates keep verifying; the retention sweep deletes what has
//! outlived `BIMTEK_RETENTION_YEARS`.

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use time::Duration;

use crate::cases;
use crate::given::{correct_response, finished_batch, save, setup, start_attempt};
use crate::support::{ADMIN_PASSWORD, TestApp, assert_error, page, password_of, sign_in};
use bimtek::entities::{audit_log, login_throttle, session};

cases![
    a_trainee_downloads_their_own_data_as_json_and_pdf,
    an_admin_anonymises_a_departed_trainee,
    anonymising_through_the_page_needs_reason_and_confirmation,
    the_retention_sweep_deletes_what_has_expired,
];

async fn download(session: &crate::support::Session, path: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = session
        .request(reqwest::Method::GET, path)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let disposition = resp
        .headers()
        .get("content-disposition")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, disposition, resp.bytes().await.unwrap().to_vec())
}

async fn a_trainee_downloads_their_own_data_as_json_and_pdf(app: TestApp) {
    // A quiz that never shows the key: the download must not either.
    let s = setup(&app, "PDP", json!({ "review_policy": "never" })).await;
    let attempt = start_attempt(&s.trainee, &s.quiz_id).await;
    let id = attempt["id"].as_str().unwrap();
    for q in attempt["questions"].as_array().unwrap() {
        let (status, body) = save(
            &s.trainee,
            id,
            q["id"].as_str().unwrap(),
            correct_response(q),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = s
        .trainee
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, disposition, bytes) = download(&s.trainee, "/api/v1/me/personal-data").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"data-pribadi-{}.json\"",
            s.trainee_username
        )
    );
    let data: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(data["profile"]["username"], s.trainee_username.as_str());
    assert_eq!(data["batches"].as_array().unwrap().len(), 1, "{data}");
    let attempts = data["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(
        attempts[0]["answers"].as_object().unwrap().len(),
        attempt["questions"].as_array().unwrap().len(),
        "every answer given"
    );
    assert!(attempts[0]["review"].is_null(), "no key: {}", attempts[0]);
    let text = data.to_string();
    assert!(
        !text.contains("correct_answer") && !text.contains("fraction"),
        "nothing the review withholds: {text}"
    );
    assert!(!data["sign_ins"].as_array().unwrap().is_empty(), "{data}");

    let (status, disposition, pdf) = download(&s.trainee, "/api/v1/me/personal-data/pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert!(disposition.ends_with(".pdf\""), "{disposition}");
    let text = crate::pki::pdftotext(&pdf);
    for expected in [
        "Data pribadi",
        "Profil",
        s.trainee_username.as_str(),
        "Bimtek yang diikuti",
        "Kuis dan ujian yang dikerjakan",
        "Jawaban Anda",
        "Riwayat masuk",
        "Halaman 1 dari",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }

    // Someone else gets only their own; nobody signed in gets nothing.
    let (_, other) = app.user_with_roles("pdp-lain", &["trainee"]).await;
    let (status, theirs) = other.get("/api/v1/me/personal-data").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(theirs["profile"]["username"], "pdp-lain");
    assert!(
        theirs["attempts"].as_array().unwrap().is_empty(),
        "{theirs}"
    );
    assert!(!theirs.to_string().contains(&s.trainee_username));
    for path in ["/api/v1/me/personal-data", "/api/v1/me/personal-data/pdf"] {
        let (status, body) = app.anonymous().get(path).await;
        assert_error(status, &body, 401, "unauthenticated");
    }

    // The page offers both downloads.
    let client = app.browser_client();
    sign_in(
        &client,
        &app,
        &s.trainee_username,
        &password_of(&s.trainee_username),
    )
    .await;
    let (status, html) = page(&client, &app, "/my/data").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Unduh PDF") && html.contains("Unduh JSON"),
        "{html}"
    );
    let (status, _) = page(&app.browser_client(), &app, "/my/data").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "signed out: to the login page"
    );
}

async fn an_admin_anonymises_a_departed_trainee(app: TestApp) {
    let b = finished_batch(&app, "ANON").await;
    let (status, issued) = b
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", b.batch_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let (holder, holder_session) = &b.done;
    let code = issued
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_id"] == holder.as_str())
        .unwrap()["content"]["verification_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/users/{holder}/anonymise");
    let reason = json!({ "reason": "pensiun, permintaan tertulis" });

    // A trainee may not; an unknown account is a 404; a short reason is named.
    let (status, body) = b.attended.1.post(&path, &reason).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = b
        .admin
        .post(
            &format!("/api/v1/users/{}/anonymise", uuid::Uuid::now_v7()),
            &reason,
        )
        .await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = b.admin.post(&path, &json!({ "reason": "x" })).await;
    assert!(status.is_client_error(), "{status} {body}");

    let (status, user) = b.admin.post(&path, &reason).await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert!(
        user["name"]
            .as_str()
            .unwrap()
            .starts_with("Pengguna anonim")
    );
    assert!(user["username"].as_str().unwrap().starts_with("anonim-"));
    for field in ["nip", "email", "unit_kerja", "jabatan"] {
        assert!(user[field].is_null(), "{field}: {user}");
    }
    assert_eq!(user["active"], false);
    assert!(user["anonymised_at"].is_string());

    // Signed out everywhere, cannot sign in again, and said so only once.
    let (status, _) = holder_session.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let resp = app
        .login_raw("anon-lulus", &password_of("anon-lulus"))
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = b.admin.post(&path, &reason).await;
    assert_error(status, &body, 409, "anonymised");
    // … and it stays anonymous: no name typed back, no reactivation.
    for change in [
        json!({ "name": "Nama anon-lulus" }),
        json!({ "active": true }),
    ] {
        let (status, body) = b
            .admin
            .patch(&format!("/api/v1/users/{holder}"), &change)
            .await;
        assert_error(status, &body, 409, "anonymised");
    }
    // Nor through a spreadsheet naming the account.
    let sheet = format!(
        "username,nama\n{},Nama anon-lulus\n",
        user["username"].as_str().unwrap()
    );
    let (status, body) = b
        .admin
        .upload("/api/v1/users/import", "kembali.csv", sheet.into_bytes())
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("dianonimkan"),
        "{body}"
    );

    // The certificate still verifies, and says the account was anonymised.
    let (status, checked) = app.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(checked["status"], "valid", "{checked}");
    assert_eq!(checked["holder_anonymised"], true, "{checked}");
    let others: Vec<&Value> = issued
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["user_id"] != holder.as_str())
        .collect();
    assert!(!others.is_empty(), "{issued}");
    let (_, other) = app
        .anonymous()
        .get(&format!(
            "/api/v1/verify/{}",
            others[0]["content"]["verification_code"].as_str().unwrap()
        ))
        .await;
    assert_eq!(other["holder_anonymised"], false, "{other}");
    let (_, html) = page(&app.browser_client(), &app, &format!("/verify/{code}")).await;
    assert!(html.contains("telah dianonimkan"), "{html}");

    // The batch keeps its seat, without the person.
    let (_, batch) = b
        .admin
        .get(&format!("/api/v1/batches/{}", b.batch_id))
        .await;
    let text = batch.to_string();
    assert!(!text.contains("Nama anon-lulus"), "{text}");
    assert!(text.contains("Pengguna anonim"), "{text}");

    // The audit keeps who did it and why; what it recorded of the person is gone.
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let holder_id = uuid::Uuid::parse_str(holder).unwrap();
    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::ObjectId.eq(holder_id))
        .all(&db)
        .await
        .unwrap();
    assert!(entries.iter().any(|e| e.action == "user.anonymised"
        && e.reason.as_deref() == Some("pensiun, permintaan tertulis")));
    assert!(entries.iter().all(|e| e.action != "user.signed_in"));
    assert!(
        entries
            .iter()
            .all(|e| e.old_value.is_none() && e.new_value.is_none()),
        "{entries:?}"
    );
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(holder_id))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(sessions, 0);

    // An administrator cannot anonymise themselves (so never the last one).
    let (_, me) = b.admin.get("/api/v1/me").await;
    let (status, body) = b
        .admin
        .post(
            &format!("/api/v1/users/{}/anonymise", me["id"].as_str().unwrap()),
            &reason,
        )
        .await;
    assert_error(status, &body, 409, "anonymise_self");
}

async fn anonymising_through_the_page_needs_reason_and_confirmation(app: TestApp) {
    let admin_api = app.admin().await;
    let (user, _) = app.user_with_roles("pdp-pindah", &["trainee"]).await;
    let id = user["id"].as_str().unwrap();
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let back = format!("/admin/users/{id}");
    let action = format!("/admin/users/{id}/anonymise");
    // Another trainee is refused before the confirmation box is looked at.
    app.user_with_roles("pdp-lain", &["trainee"]).await;
    let stranger = app.browser_client();
    sign_in(
        &stranger,
        &app,
        "pdp-lain",
        &crate::support::password_of("pdp-lain"),
    )
    .await;
    let (status, _, _) = crate::support::post_form(&stranger, &app, "/", &action, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, html) = page(&client, &app, &back).await;
    assert!(html.contains("Anonimkan akun"), "{html}");
    let (_, html, location) = crate::support::post_form(
        &client,
        &app,
        &back,
        &action,
        &[("reason", "pindah tugas ke provinsi")],
    )
    .await;
    let (_, html) = match location {
        Some(to) => page(&client, &app, &to).await,
        None => (StatusCode::OK, html),
    };
    assert!(
        html.contains("Centang konfirmasi untuk menganonimkan"),
        "{html}"
    );
    let (_, _, location) = crate::support::post_form(
        &client,
        &app,
        &back,
        &action,
        &[("reason", "x"), ("confirm", "on")],
    )
    .await;
    let (_, html) = page(&client, &app, &location.unwrap()).await;
    assert!(html.contains("tuliskan alasan anonimisasi"), "{html}");
    let (_, kept) = admin_api.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(kept["username"], "pdp-pindah", "nothing done");

    let (_, _, location) = crate::support::post_form(
        &client,
        &app,
        &back,
        &action,
        &[("reason", "pindah tugas ke provinsi"), ("confirm", "on")],
    )
    .await;
    let (_, html) = page(&client, &app, &location.unwrap()).await;
    assert!(html.contains("Akun dianonimkan"), "{html}");
    assert!(html.contains("telah dianonimkan pada"), "{html}");
    assert!(!html.contains("pdp-pindah"), "{html}");
    assert!(
        !html.contains("Simpan perubahan") && !html.contains("Aktifkan kembali"),
        "nothing left to edit: {html}"
    );
}

async fn the_retention_sweep_deletes_what_has_expired(app: TestApp) {
    // Signing in (as the helper does) is recorded; a wrong password leaves
    // a throttle entry.
    let (user, _) = app.user_with_roles("pdp-lama", &["trainee"]).await;
    let user_id = uuid::Uuid::parse_str(user["id"].as_str().unwrap()).unwrap();
    let resp = app.login_raw("pdp-lama", "salah-sekali").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let db = bimtek::db::Db::connect(&app.database_url).await.unwrap();
    let count_sign_ins = || async {
        audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("user.signed_in"))
            .filter(audit_log::Column::ObjectId.eq(user_id))
            .count(db.read())
            .await
            .unwrap()
    };
    assert_eq!(count_sign_ins().await, 1, "the sign-in is recorded");
    let throttled = login_throttle::Entity::find()
        .count(db.read())
        .await
        .unwrap();
    assert!(throttled > 0);

    // A day on: sessions (12 h) and the throttle entries have expired; the
    // sign-in record is kept.
    let now = bimtek::clock::now();
    let swept = bimtek::accounts::retention::sweep(&db, 2, now + Duration::days(1))
        .await
        .unwrap();
    assert!(
        swept.sessions >= 1 && swept.throttle_entries >= 1,
        "{swept:?}"
    );
    assert_eq!(swept.sign_ins, 0);
    assert_eq!(count_sign_ins().await, 1);
    assert_eq!(
        login_throttle::Entity::find()
            .count(db.read())
            .await
            .unwrap(),
        0
    );

    // Two years and a day on: the sign-in record goes too.
    let swept = bimtek::accounts::retention::sweep(&db, 2, now + Duration::days(2 * 365 + 2))
        .await
        .unwrap();
    assert!(swept.sign_ins >= 1, "{swept:?}");
    assert_eq!(count_sign_ins().await, 0);
    db.close().await;
}
