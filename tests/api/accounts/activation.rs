//! Accounts that reach their owners: activation codes and sheets, the
//! first sign-in, changing one's own password.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::support::{Session, TestApp, assert_error, csrf_token, page, read, sign_in};

cases![
    passwords_set_by_an_administrator_follow_the_policy,
    activation_sheets_are_for_administrators_only,
    a_code_sets_the_password_once_and_signs_in,
    a_new_code_replaces_the_old_and_passwords_are_skipped,
    guessing_codes_is_throttled,
    sheets_come_as_xlsx_and_for_a_batch,
    activation_page_signs_the_trainee_in,
    password_page_changes_the_password_and_ends_other_sessions,
    user_page_edits_resets_and_deactivates_with_confirmation,
    sheet_page_prints_slips_for_the_ticked_or_all_without_password,
];

const TRAINEE_NIP: &str = "198503122010011001";

/// A trainee as an import leaves them: no password.
async fn trainee_without_password(admin: &Session, nip: &str, name: &str) -> Value {
    let (status, user) = admin
        .post(
            "/api/v1/users",
            &json!({ "name": name, "nip": nip, "unit_kerja": "Diskominfo" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["has_password"], false);
    user
}

/// Every activation code in a PDF or XLSX sheet's text, in order.
fn codes_in(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let pattern =
        regex::Regex::new(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}").unwrap();
    pattern
        .find_iter(&text)
        .map(|m| m.as_str().to_owned())
        .collect()
}

/// Issues codes for `body` and returns the response status, content type and bytes.
async fn sheet(session: &Session, format: &str, body: &Value) -> (StatusCode, String, Vec<u8>) {
    let resp = session
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/users/activation?format={format}"),
        )
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    if status == StatusCode::OK {
        assert_eq!(
            resp.headers()["cache-control"],
            "no-store",
            "codes are credentials"
        );
    }
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, resp.bytes().await.unwrap().to_vec())
}

/// One code for one user, from a PDF sheet.
async fn code_for(admin: &Session, user_id: &str) -> String {
    let (status, kind, bytes) = sheet(admin, "pdf", &json!({ "user_ids": [user_id] })).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(kind, "application/pdf");
    let codes = codes_in(&bytes);
    assert_eq!(codes.len(), 1, "one slip");
    codes[0].clone()
}

async fn activate(app: &TestApp, login: &str, code: &str, password: &str) -> (StatusCode, Value) {
    read(
        app.client
            .post(app.url("/api/v1/auth/activate"))
            .json(&json!({ "login": login, "code": code, "new_password": password }))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn activation_sheets_are_for_administrators_only(app: TestApp) {
    let admin = app.admin().await;
    let target = trainee_without_password(&admin, TRAINEE_NIP, "Budi Santoso").await;
    let id = target["id"].as_str().unwrap();
    let (me, trainee) = app.user_with_roles("peserta", &["trainee"]).await;
    let (_, assessor) = app.user_with_roles("asesor", &["assessor"]).await;
    // Another user's object, and one's own: both refused to non-admins.
    for ids in [json!([id]), json!([me["id"]])] {
        for (session, status, code) in [
            (&trainee, 403, "forbidden"),
            (&assessor, 403, "forbidden"),
            (&app.anonymous(), 401, "unauthenticated"),
        ] {
            let (got, _, bytes) = sheet(session, "pdf", &json!({ "user_ids": ids })).await;
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            assert_error(got, &body, status, code);
        }
    }
    // The refusals issued nothing: the admin's sheet is the first code.
    let code = code_for(&admin, id).await;
    assert_eq!(
        activate(&app, TRAINEE_NIP, &code, "kopi-tubruk-alun")
            .await
            .0,
        StatusCode::OK
    );
    // Unknown users are 404; neither or both selectors are 422.
    let (status, _, bytes) = sheet(
        &admin,
        "pdf",
        &json!({ "user_ids": [uuid::Uuid::new_v4()] }),
    )
    .await;
    assert_error(
        status,
        &serde_json::from_slice(&bytes).unwrap(),
        404,
        "not_found",
    );
    for body in [
        json!({}),
        json!({ "user_ids": [] }),
        json!({ "user_ids": [id], "batch_id": uuid::Uuid::new_v4() }),
    ] {
        let (status, _, bytes) = sheet(&admin, "pdf", &body).await;
        assert_error(
            status,
            &serde_json::from_slice(&bytes).unwrap(),
            422,
            "validation_failed",
        );
    }
}

async fn a_code_sets_the_password_once_and_signs_in(app: TestApp) {
    let admin = app.admin().await;
    let user = trainee_without_password(&admin, TRAINEE_NIP, "Budi Santoso").await;
    let code = code_for(&admin, user["id"].as_str().unwrap()).await;
    // Without a password nobody can sign in yet.
    assert_eq!(
        read(app.login_raw(TRAINEE_NIP, "apa-saja-boleh").await)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = activate(&app, TRAINEE_NIP, "ABCD-EFGH-JKMN", "kopi-tubruk-alun").await;
    assert_error(status, &body, 401, "invalid_activation_code");
    // A weak password is refused, naming the rule, and leaves the code usable.
    for weak in ["pendek", "bismillah123", "budisantoso-2026", TRAINEE_NIP] {
        let (status, body) = activate(&app, TRAINEE_NIP, &code, weak).await;
        assert_error(status, &body, 422, "validation_failed");
        assert_eq!(
            body["error"]["details"][0]["field"], "new_password",
            "{body}"
        );
    }
    // Typed loosely: lower case, spaces instead of dashes.
    let typed = code.to_lowercase().replace('-', " ");
    let (status, body) = activate(&app, TRAINEE_NIP, &typed, "kopi-tubruk-alun").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["has_password"], true);
    let session = Session {
        app: app.clone(),
        token: body["token"].as_str().map(str::to_owned),
    };
    let (status, me) = session.get("/api/v1/me").await;
    assert_eq!(
        (status, me["nip"].as_str()),
        (StatusCode::OK, Some(TRAINEE_NIP))
    );
    // Single use.
    let (status, body) = activate(&app, TRAINEE_NIP, &code, "lain-lagi-sandinya").await;
    assert_error(status, &body, 401, "invalid_activation_code");
    app.login(TRAINEE_NIP, "kopi-tubruk-alun").await;
    // The audit log has it.
    let (_, list) = admin.get("/api/v1/users?q=Budi").await;
    assert_eq!(list["items"][0]["has_password"], true);
}

async fn a_new_code_replaces_the_old_and_passwords_are_skipped(app: TestApp) {
    let admin = app.admin().await;
    let user = trainee_without_password(&admin, TRAINEE_NIP, "Budi Santoso").await;
    let id = user["id"].as_str().unwrap();
    let first = code_for(&admin, id).await;
    let second = code_for(&admin, id).await;
    assert_ne!(first, second);
    let (status, body) = activate(&app, TRAINEE_NIP, &first, "kopi-tubruk-alun").await;
    assert_error(status, &body, 401, "invalid_activation_code");
    assert_eq!(
        activate(&app, TRAINEE_NIP, &second, "kopi-tubruk-alun")
            .await
            .0,
        StatusCode::OK
    );
    // Now it has a password: skipped unless asked for.
    let (status, _, bytes) = sheet(&admin, "pdf", &json!({ "user_ids": [id] })).await;
    assert_error(
        status,
        &serde_json::from_slice(&bytes).unwrap(),
        409,
        "nothing_to_issue",
    );
    let (status, _, bytes) = sheet(
        &admin,
        "pdf",
        &json!({ "user_ids": [id], "include_with_password": true }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(codes_in(&bytes).len(), 1);
    // A code for someone else does not open this account.
    let other = trainee_without_password(&admin, "199001012015032002", "Siti Aminah").await;
    let other_code = code_for(&admin, other["id"].as_str().unwrap()).await;
    let (status, body) = activate(&app, TRAINEE_NIP, &other_code, "teh-poci-hangat-9").await;
    assert_error(status, &body, 401, "invalid_activation_code");
}

async fn guessing_codes_is_throttled(app: TestApp) {
    let admin = app.admin().await;
    let user = trainee_without_password(&admin, TRAINEE_NIP, "Budi Santoso").await;
    let code = code_for(&admin, user["id"].as_str().unwrap()).await;
    for _ in 0..5 {
        let (status, _) = activate(&app, TRAINEE_NIP, "ABCD-EFGH-JKMN", "kopi-tubruk-alun").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Even the right code waits out the lock.
    let (status, body) = activate(&app, TRAINEE_NIP, &code, "kopi-tubruk-alun").await;
    assert_error(status, &body, 429, "too_many_requests");
}

async fn sheets_come_as_xlsx_and_for_a_batch(app: TestApp) {
    let admin = app.admin().await;
    let budi = trainee_without_password(&admin, TRAINEE_NIP, "Budi Santoso").await;
    let siti = trainee_without_password(&admin, "199001012015032002", "Siti Aminah").await;
    let (status, kind, bytes) = sheet(
        &admin,
        "xlsx",
        &json!({ "user_ids": [budi["id"], siti["id"]] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("application/vnd.openxmlformats"), "{kind}");
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows.len(), 3, "header and two slips");
    assert_eq!(rows[1][0], "Budi Santoso", "ordered by name");
    assert_eq!(rows[1][1], TRAINEE_NIP);
    assert_eq!(codes_in(rows[1][4].as_bytes()).len(), 1);
    assert!(
        rows[1][6].ends_with(&format!("/activate?login={TRAINEE_NIP}")),
        "{}",
        rows[1][6]
    );
    // An unknown batch is 404.
    let (status, _, bytes) =
        sheet(&admin, "pdf", &json!({ "batch_id": uuid::Uuid::new_v4() })).await;
    assert_error(
        status,
        &serde_json::from_slice(&bytes).unwrap(),
        404,
        "not_found",
    );
}

/// The page a slip points at: prefilled login, a wrong code shown again in
/// Indonesian, the right one signs in.
async fn activation_page_signs_the_trainee_in(app: TestApp) {
    let admin = app.admin().await;
    let user = trainee_without_password(&admin, TRAINEE_NIP, "Budi Santoso").await;
    let code = code_for(&admin, user["id"].as_str().unwrap()).await;
    let client = app.browser_client();
    let (_, login_html) = page(&client, &app, "/login").await;
    assert!(login_html.contains("href=\"/activate\""));
    let (status, html) = page(&client, &app, &format!("/activate?login={TRAINEE_NIP}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("value=\"{TRAINEE_NIP}\"")));
    let form = |code: &str, first: &str, second: &str| {
        vec![
            ("csrf_token".to_owned(), csrf_token(&html)),
            ("login".to_owned(), TRAINEE_NIP.to_owned()),
            ("code".to_owned(), code.to_owned()),
            ("new_password".to_owned(), first.to_owned()),
            ("new_password2".to_owned(), second.to_owned()),
        ]
    };
    let resp = client
        .post(app.url("/activate"))
        .form(&form(&code, "kopi-tubruk-alun", "kopi-tubruk-lain"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = resp.text().await.unwrap();
    assert!(
        text.contains("Ulangi kata sandi baru") && !text.contains("new_password2</strong>"),
        "{text}"
    );
    let resp = client
        .post(app.url("/activate"))
        .form(&form(
            "ABCD-EFGH-JKMN",
            "kopi-tubruk-alun",
            "kopi-tubruk-alun",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.text().await.unwrap().contains("kode aktivasi salah"));
    let resp = client
        .post(app.url("/activate"))
        .form(&form(&code, "kopi-tubruk-alun", "kopi-tubruk-alun"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (status, home) = page(&client, &app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Budi Santoso"), "signed in");
}

async fn password_page_changes_the_password_and_ends_other_sessions(app: TestApp) {
    let (_, other_device) = app.user_with_roles("rina", &["trainee"]).await;
    let client = app.browser_client();
    assert_eq!(
        sign_in(&client, &app, "rina", &crate::support::password_of("rina"))
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let (status, html) = page(&client, &app, "/password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/password\""),
        "linked from the user menu"
    );
    let submit = |current: &str, new: &str| {
        vec![
            ("csrf_token".to_owned(), csrf_token(&html)),
            ("current_password".to_owned(), current.to_owned()),
            ("new_password".to_owned(), new.to_owned()),
            ("new_password2".to_owned(), new.to_owned()),
        ]
    };
    let resp = client
        .post(app.url("/password"))
        .form(&submit("salah-sandinya", "kopi-tubruk-alun"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("Kata sandi saat ini"));
    let resp = client
        .post(app.url("/password"))
        .form(&submit(&crate::support::password_of("rina"), "password123"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("mudah ditebak"));
    let resp = client
        .post(app.url("/password"))
        .form(&submit(
            &crate::support::password_of("rina"),
            "kopi-tubruk-alun",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    // This browser stays signed in; the other device is signed out.
    assert_eq!(page(&client, &app, "/password").await.0, StatusCode::OK);
    assert_eq!(
        other_device.get("/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    app.login("rina", "kopi-tubruk-alun").await;
    // Anonymous visitors are sent to sign in.
    assert_eq!(
        page(&app.browser_client(), &app, "/password").await.0,
        StatusCode::SEE_OTHER
    );
}

/// A form on `path` (as `client` sees it) posted with `fields` and its CSRF token.
async fn post_form(
    client: &reqwest::Client,
    app: &TestApp,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let (_, html) = page(client, app, page_path).await;
    let mut form: Vec<(String, String)> = vec![("csrf_token".into(), csrf_token(&html))];
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    client
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn user_page_edits_resets_and_deactivates_with_confirmation(app: TestApp) {
    let (rina, rina_session) = app.user_with_roles("rina", &["trainee"]).await;
    let id = rina["id"].as_str().unwrap().to_owned();
    let path = format!("/admin/users/{id}");
    // Other roles: refused, and nothing about another user shows.
    let trainee = app.browser_client();
    sign_in(&trainee, &app, "rina", &crate::support::password_of("rina")).await;
    let (status, html) = page(&trainee, &app, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!html.contains("Atur ulang"));
    let admin = app.browser_client();
    sign_in(&admin, &app, "admin", crate::support::ADMIN_PASSWORD).await;
    let (status, list) = page(&admin, &app, "/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list.contains(&format!("href=\"{path}\"")),
        "each row links to its page"
    );
    let resp = post_form(
        &admin,
        &app,
        &path,
        &path,
        &[
            ("name", "Rina Wulandari, S.Kom."),
            ("nip", TRAINEE_NIP),
            ("email", "rina@magelangkota.go.id"),
            ("unit_kerja", "Diskominfo"),
            ("jabatan", "Pranata Komputer Ahli Pertama"),
            ("roles", "trainee"),
            ("roles", "assessor"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, shown) = app.admin().await.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(shown["name"], "Rina Wulandari, S.Kom.");
    assert_eq!(shown["roles"], json!(["assessor", "trainee"]));
    assert_eq!(shown["jabatan"], "Pranata Komputer Ahli Pertama");
    // A bad NIP is shown by its label, not its key.
    let resp = post_form(
        &admin,
        &app,
        &path,
        &path,
        &[("name", "Rina"), ("nip", "123"), ("roles", "trainee")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Reset without the confirmation box changes nothing.
    let resp = post_form(&admin, &app, &path, &format!("{path}/reset"), &[]).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(rina_session.get("/api/v1/me").await.0, StatusCode::OK);
    let resp = post_form(
        &admin,
        &app,
        &path,
        &format!("{path}/reset"),
        &[("confirm", "on")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    let code = codes_in(html.as_bytes())
        .pop()
        .expect("the new code is shown");
    assert_eq!(
        rina_session.get("/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "sessions revoked"
    );
    assert_eq!(
        read(
            app.login_raw("rina", &crate::support::password_of("rina"))
                .await
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        activate(&app, "rina", &code, "kopi-tubruk-alun").await.0,
        StatusCode::OK
    );
    // Deactivation needs the box ticked too.
    let resp = post_form(
        &admin,
        &app,
        &path,
        &format!("{path}/status"),
        &[("active", "false")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        read(app.login_raw("rina", "kopi-tubruk-alun").await)
            .await
            .0,
        StatusCode::OK
    );
    let resp = post_form(
        &admin,
        &app,
        &path,
        &format!("{path}/status"),
        &[("active", "false"), ("confirm", "on")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        read(app.login_raw("rina", "kopi-tubruk-alun").await)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    // Every change is in the audit log.
    use sea_orm::{ConnectionTrait, Statement};
    let conn = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT action FROM audit_log WHERE object_type = 'user'",
        ))
        .await
        .unwrap();
    let actions: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "action").unwrap())
        .collect();
    for expected in ["user.updated", "user.reset", "user.activated"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    conn.close().await.ok();
}

async fn sheet_page_prints_slips_for_the_ticked_or_all_without_password(app: TestApp) {
    let api = app.admin().await;
    let budi = trainee_without_password(&api, TRAINEE_NIP, "Budi Santoso").await;
    trainee_without_password(&api, "199001012015032002", "Siti Aminah").await;
    let admin = app.browser_client();
    sign_in(&admin, &app, "admin", crate::support::ADMIN_PASSWORD).await;
    // New codes make printed ones worthless: the box must be ticked.
    let unconfirmed = post_form(
        &admin,
        &app,
        "/admin/users",
        "/admin/users/activation",
        &[("user_ids", budi["id"].as_str().unwrap())],
    )
    .await;
    assert_eq!(unconfirmed.status(), StatusCode::SEE_OTHER);
    let back = unconfirmed.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(back.starts_with("/admin/users?error="), "{back}");
    let ticked = post_form(
        &admin,
        &app,
        "/admin/users",
        "/admin/users/activation",
        &[
            ("user_ids", budi["id"].as_str().unwrap()),
            ("confirm", "on"),
        ],
    )
    .await;
    assert_eq!(ticked.status(), StatusCode::OK);
    assert_eq!(ticked.headers()["content-type"], "application/pdf");
    assert_eq!(codes_in(&ticked.bytes().await.unwrap()).len(), 1);
    let all = post_form(
        &admin,
        &app,
        "/admin/users",
        "/admin/users/activation",
        &[
            ("all_without_password", "1"),
            ("format", "xlsx"),
            ("confirm", "on"),
        ],
    )
    .await;
    assert_eq!(all.status(), StatusCode::OK);
    assert!(
        all.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("kode_aktivasi.xlsx")
    );
    let none = post_form(
        &admin,
        &app,
        "/admin/users",
        "/admin/users/activation",
        &[("confirm", "on")],
    )
    .await;
    assert_eq!(none.status(), StatusCode::SEE_OTHER);
    // Trainees cannot print anyone's code.
    let (_, _) = app.user_with_roles("rina", &["trainee"]).await;
    let trainee = app.browser_client();
    sign_in(&trainee, &app, "rina", &crate::support::password_of("rina")).await;
    let resp = post_form(
        &trainee,
        &app,
        "/password",
        "/admin/users/activation",
        &[
            ("user_ids", budi["id"].as_str().unwrap()),
            ("confirm", "on"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

async fn passwords_set_by_an_administrator_follow_the_policy(app: TestApp) {
    let admin = app.admin().await;
    let create = |password: &'static str| {
        let admin = admin.clone();
        async move {
            admin
                .post(
                    "/api/v1/users",
                    &json!({ "username": "wulan", "name": "Wulan Sari", "password": password }),
                )
                .await
        }
    };
    for (weak, why) in [
        ("wulan-12345", "nama pengguna"),
        ("sari-kopi-2026!", "nama"),
        ("bismillah123", "ditebak"),
    ] {
        let (status, body) = create(weak).await;
        assert_error(status, &body, 422, "validation_failed");
        assert_eq!(body["error"]["details"][0]["field"], "password", "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(why),
            "{weak}: {body}"
        );
    }
    let (status, user) = create("Lembah-Tidar-Hijau-5").await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    let (status, body) = admin
        .patch(&path, &json!({ "password": "wulansari99" }))
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, body) = admin
        .patch(&path, &json!({ "password": "Sungai-Progo-Jernih-6" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.login("wulan", "Sungai-Progo-Jernih-6").await;
    // Not an administrator: no password of anyone else.
    let (_, trainee) = app.user_with_roles("bayu", &["trainee"]).await;
    let (status, _) = trainee
        .patch(&path, &json!({ "password": "Sungai-Progo-Jernih-7" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
