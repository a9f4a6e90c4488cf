//! "Lupa kata sandi" through a real SMTP server the test starts: the link
//! arrives by mail, opens a page, sets the password once, and expires.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::smtp_sink::SmtpSink;
use crate::support::{TestApp, TestDatabase, assert_error, csrf_token, page, sign_in};

cases![
    a_mailed_link_sets_a_new_password_once,
    strangers_learn_nothing_and_mailboxes_are_not_flooded,
    expired_and_unknown_links_are_refused,
    without_smtp_the_pages_say_whom_to_ask,
];

const NEW_PASSWORD: &str = "Bunga-Tidar-Pagi-2026";

/// A second server on a fresh database that mails through `sink`.
async fn with_mail(app: &TestApp, sink: &SmtpSink) -> (TestApp, TestDatabase) {
    let db = TestDatabase::create(&app.backend).await;
    let url = sink.url();
    let mailing = TestApp::spawn_with(&app.backend, &db, |c| {
        c.smtp_url = url;
        c.smtp_from = "BKD Kota Magelang <bimtek@bkd.magelangkota.go.id>".into();
    })
    .await;
    (mailing, db)
}

async fn trainee(app: &TestApp, username: &str, email: Option<&str>) -> Value {
    let admin = app.admin().await;
    let (status, user) = admin
        .post(
            "/api/v1/users",
            &json!({
                "username": username,
                "name": "Dewi Lestari",
                "email": email,
                "password": "sandi-lama-123",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    user
}

async fn ask(app: &TestApp, login: &str) {
    let (status, body) = app
        .anonymous()
        .post("/api/v1/auth/password-reset", &json!({ "login": login }))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

/// The path and query of the link in the only mail to `address`.
fn link_path(mail: &crate::smtp_sink::Received) -> String {
    let link = mail.link("/password-reset/confirm?token=").expect("a link");
    let at = link.find("/password-reset").unwrap();
    link[at..].to_owned()
}

async fn a_mailed_link_sets_a_new_password_once(app: TestApp) {
    let sink = SmtpSink::start().await;
    let (app, db) = with_mail(&app, &sink).await;
    trainee(&app, "dewi", Some("dewi@magelangkota.go.id")).await;
    let old_session = app.login("dewi", "sandi-lama-123").await;

    // Asked through the page, as a person would.
    let client = app.browser_client();
    let (_, login_page) = page(&client, &app, "/login").await;
    assert!(login_page.contains("href=\"/password-reset\""));
    let (_, form) = page(&client, &app, "/password-reset").await;
    let resp = client
        .post(app.url("/password-reset"))
        .form(&[
            ("csrf_token", csrf_token(&form).as_str()),
            ("login", "DEWI@magelangkota.go.id"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let (_, sent) = page(&client, &app, &location).await;
    assert!(
        sent.contains("tautan untuk membuat kata sandi baru sudah dikirim"),
        "{sent}"
    );

    let mails = sink.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.rcpt_to, vec!["<dewi@magelangkota.go.id>".to_owned()]);
    assert!(
        mail.data.contains("Subject: Atur ulang kata sandi Bimtek"),
        "{}",
        mail.data
    );
    assert!(mail.text().contains("berlaku 30 menit"), "{}", mail.data);
    let path = link_path(mail);

    let resp = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let html = resp.text().await.unwrap();
    let token = path.split("token=").nth(1).unwrap().to_owned();
    let submit = |password: &'static str, again: &'static str| {
        let client = client.clone();
        let app = app.clone();
        let form = vec![
            ("csrf_token".to_owned(), csrf_token(&html)),
            ("token".to_owned(), token.clone()),
            ("new_password".to_owned(), password.to_owned()),
            ("new_password2".to_owned(), again.to_owned()),
        ];
        async move {
            client
                .post(app.url("/password-reset/confirm"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    // A weak password is refused by the policy and the link stays usable.
    let weak = submit("dewi123456", "dewi123456").await;
    assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.text().await.unwrap().contains("Kata sandi baru"));
    let done = submit(NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let location = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/login?notice="), "{location}");
    let (_, notice) = page(&client, &app, &location).await;
    assert!(notice.contains("Kata sandi baru tersimpan"));

    let signed_in = sign_in(&app.browser_client(), &app, "dewi", NEW_PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.login_raw("dewi", "sandi-lama-123").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = old_session.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "old sessions end");

    // Good once.
    let (status, body) = app
        .anonymous()
        .post(
            "/api/v1/auth/password-reset/confirm",
            &json!({ "token": token, "new_password": "Lain-Lagi-Sandi-77" }),
        )
        .await;
    assert_error(status, &body, 401, "invalid_reset_link");
    app.stop().await;
    db.drop_database().await;
}

async fn strangers_learn_nothing_and_mailboxes_are_not_flooded(app: TestApp) {
    let sink = SmtpSink::start().await;
    let (app, db) = with_mail(&app, &sink).await;
    trainee(&app, "tanpa_surel", None).await;
    let gone = trainee(&app, "pensiun", Some("pensiun@magelangkota.go.id")).await;
    let admin = app.admin().await;
    let id = gone["id"].as_str().unwrap();
    let (status, _) = admin
        .patch(&format!("/api/v1/users/{id}"), &json!({ "active": false }))
        .await;
    assert_eq!(status, StatusCode::OK);
    trainee(&app, "rina", Some("rina@magelangkota.go.id")).await;

    // Unknown, no address, deactivated, then one real account three times:
    // every answer is the same 202, and exactly one mail goes out.
    for login in [
        "tidak-ada",
        "tanpa_surel",
        "pensiun",
        "rina",
        "rina",
        "RINA",
    ] {
        ask(&app, login).await;
    }
    let mails = sink.wait_for(1).await;
    assert_eq!(
        mails[0].rcpt_to,
        vec!["<rina@magelangkota.go.id>".to_owned()]
    );
    // The others were refused before any mail; give stragglers a moment.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sink.count(), 1, "one mail per account per two minutes");
    app.stop().await;
    db.drop_database().await;
}

async fn expired_and_unknown_links_are_refused(app: TestApp) {
    let sink = SmtpSink::start().await;
    let (app, db) = with_mail(&app, &sink).await;
    trainee(&app, "sari", Some("sari@magelangkota.go.id")).await;
    ask(&app, "sari").await;
    let mails = sink.wait_for(1).await;
    let path = link_path(&mails[0]);
    let token = path.split("token=").nth(1).unwrap();
    app.sql("UPDATE account_tokens SET expires_at = created_at")
        .await;
    let anonymous = app.anonymous();
    let confirm = |token: String| {
        let anonymous = anonymous.clone();
        async move {
            anonymous
                .post(
                    "/api/v1/auth/password-reset/confirm",
                    &json!({ "token": token, "new_password": NEW_PASSWORD }),
                )
                .await
        }
    };
    let (status, body) = confirm(token.to_owned()).await;
    assert_error(status, &body, 401, "invalid_reset_link");
    let (status, body) = confirm("bukan-token".into()).await;
    assert_error(status, &body, 401, "invalid_reset_link");
    assert_eq!(
        app.login_raw("sari", "sandi-lama-123").await.status(),
        StatusCode::OK,
        "the old password still works"
    );
    // The page says what to do about a broken link.
    let client = app.browser_client();
    let (status, html) = page(&client, &app, "/password-reset/confirm").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("minta tautan baru"), "{html}");
    app.stop().await;
    db.drop_database().await;
}

async fn without_smtp_the_pages_say_whom_to_ask(app: TestApp) {
    trainee(&app, "budi", Some("budi@magelangkota.go.id")).await;
    let (status, body) = app
        .anonymous()
        .post("/api/v1/auth/password-reset", &json!({ "login": "budi" }))
        .await;
    assert_error(status, &body, 409, "password_reset_unavailable");
    let client = app.browser_client();
    let (status, html) = page(&client, &app, "/password-reset").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Hubungi admin BKD"), "{html}");
    assert!(!html.contains("Kirim tautan"));
}
