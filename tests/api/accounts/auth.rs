//! Sign-in, sessions, throttling.

use reqwest::StatusCode;
use serde_json::json;

use crate::cases;
use crate::support::{TestApp, TestDatabase, assert_error, read};

cases![
    login_by_username_nip_and_email,
    wrong_credentials_get_one_vague_answer,
    failures_for_one_login_are_throttled,
    failures_from_one_address_are_throttled,
    parallel_guesses_get_only_five_verdicts,
    one_lock_holds_for_every_spelling_of_an_account,
    a_trusted_proxy_names_the_client_and_nobody_else_can,
    bearer_and_cookie_both_authenticate,
    logout_revokes_the_session,
    deactivation_revokes_sessions_at_once,
    password_reset_ends_sessions_and_sets_new_password,
    anonymous_requests_get_401,
    expired_sessions_are_refused,
];

async fn login_by_username_nip_and_email(app: TestApp) {
    let admin = app.admin().await;
    let (status, user) = admin
        .post(
            "/api/v1/users",
            &json!({
                "name": "Dewi Lestari", "nip": "19850312 201001 2 003", "email": "Dewi@MagelangKota.go.id",
                "password": "Merapi-Pagi-Cerah-1", "unit_kerja": "Diskominfo"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["username"], "198503122010012003");
    for login in [
        "198503122010012003",
        "19850312 201001 2 003",
        "dewi@magelangkota.go.id",
        "DEWI@magelangkota.go.id",
    ] {
        let session = app.login(login, "Merapi-Pagi-Cerah-1").await;
        let (status, me) = session.get("/api/v1/me").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["name"], "Dewi Lestari");
        assert_eq!(me["roles"], json!(["trainee"]));
        assert!(me.get("password_hash").is_none());
    }
}

async fn wrong_credentials_get_one_vague_answer(app: TestApp) {
    let (s1, wrong_password) = read(app.login_raw("admin", "bukan-sandinya").await).await;
    let (s2, unknown_user) = read(app.login_raw("tidak-ada", "bukan-sandinya").await).await;
    assert_error(s1, &wrong_password, 401, "invalid_credentials");
    assert_eq!(s1, s2);
    assert_eq!(
        wrong_password, unknown_user,
        "the answer must not tell which part was wrong"
    );
}

async fn failures_for_one_login_are_throttled(app: TestApp) {
    for _ in 0..5 {
        let (status, _) = read(app.login_raw("admin", "salah-salah").await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let resp = app.login_raw("admin", "salah-salah").await;
    let retry_after: u64 = resp
        .headers()
        .get("retry-after")
        .expect("Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 15 * 60, "{retry_after}");
    let (status, body) = read(resp).await;
    assert_error(status, &body, 429, "too_many_requests");
    // Even the right password waits out the lock, or guessing would go on.
    let (status, _) = read(app.login_raw("admin", crate::support::ADMIN_PASSWORD).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

async fn failures_from_one_address_are_throttled(app: TestApp) {
    // Different login names each time: only the per-address counter grows.
    for i in 0..20 {
        let (status, _) = read(app.login_raw(&format!("tebak{i}"), "x").await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (status, body) = read(app.login_raw("tebak-lagi", "x").await).await;
    assert_error(status, &body, 429, "too_many_requests");
}

async fn bearer_and_cookie_both_authenticate(app: TestApp) {
    let (_, bearer) = app.user_with_roles("peserta1", &["trainee"]).await;
    let (status, me) = bearer.get("/api/v1/me").await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("peserta1"))
    );

    let jar_client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let resp = jar_client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "login": "peserta1", "password": &crate::support::password_of("peserta1") }))
        .send()
        .await
        .unwrap();
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("bimtek_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (status, me) = read(jar_client.get(app.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("peserta1"))
    );
}

async fn logout_revokes_the_session(app: TestApp) {
    let session = app.admin().await;
    let other = app.admin().await;
    let (status, _) = session.post("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = session.get("/api/v1/me").await;
    assert_error(status, &body, 401, "unauthenticated");
    let (status, _) = other.get("/api/v1/me").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "other sessions of the same user stay"
    );
}

async fn deactivation_revokes_sessions_at_once(app: TestApp) {
    let admin = app.admin().await;
    let (user, trainee) = app.user_with_roles("peserta2", &["trainee"]).await;
    let id = user["id"].as_str().unwrap();
    let (status, changed) = admin
        .patch(&format!("/api/v1/users/{id}"), &json!({ "active": false }))
        .await;
    assert_eq!(
        (status, changed["active"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let (status, _) = trainee.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = read(
        app.login_raw("peserta2", &crate::support::password_of("peserta2"))
            .await,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a deactivated user cannot sign in"
    );
}

async fn password_reset_ends_sessions_and_sets_new_password(app: TestApp) {
    let admin = app.admin().await;
    let (user, trainee) = app.user_with_roles("peserta3", &["trainee"]).await;
    let id = user["id"].as_str().unwrap();
    let (status, body) = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            &json!({ "password": "pendek" }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "password");
    let (status, _) = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            &json!({ "password": "sandi-baru-123" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(trainee.get("/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
    app.login("peserta3", "sandi-baru-123").await;
}

async fn anonymous_requests_get_401(app: TestApp) {
    let anon = app.anonymous();
    let (status, body) = anon.get("/api/v1/me").await;
    assert_error(status, &body, 401, "unauthenticated");
    let bogus = crate::support::Session {
        app: app.clone(),
        token: Some("bukan-token".into()),
    };
    let (status, body) = bogus.get("/api/v1/me").await;
    assert_error(status, &body, 401, "unauthenticated");
}

async fn expired_sessions_are_refused(app: TestApp) {
    let db = TestDatabase::create(&app.backend).await;
    let short = TestApp::spawn_with(&app.backend, &db, |c| c.session_hours = 0).await;
    let session = short.admin().await;
    let (status, _) = session.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    short.stop().await;
    db.drop_database().await;
}

async fn parallel_guesses_get_only_five_verdicts(app: TestApp) {
    let guesses = (0..100).map(|i| {
        let app = app.clone();
        async move {
            read(app.login_raw("admin", &format!("tebakan-{i}")).await)
                .await
                .0
        }
    });
    let statuses = futures_join_all(guesses).await;
    let verdicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((verdicts, refused), (5, 95), "{statuses:?}");
}

async fn one_lock_holds_for_every_spelling_of_an_account(app: TestApp) {
    let admin = app.admin().await;
    let (status, user) = admin
        .post(
            "/api/v1/users",
            &json!({
                "name": "Rina Wati", "username": "rina", "nip": "19900101 201501 2 001",
                "email": "rina@magelangkota.go.id", "password": "Merbabu-Senja-Teduh-2"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    for _ in 0..5 {
        let (status, _) = read(app.login_raw("rina", "salah-salah").await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    for login in [
        "199001012015012001",
        "19900101 201501 2 001",
        " RINA@magelangkota.go.id ",
        "Rina",
    ] {
        for password in ["salah-lagi", "Merbabu-Senja-Teduh-2"] {
            let (status, body) = read(app.login_raw(login, password).await).await;
            assert_error(status, &body, 429, "too_many_requests");
        }
    }
    // Unknown names are counted by their normalised spelling.
    for i in 0..5 {
        let spelled = if i % 2 == 0 {
            "Tak Dikenal"
        } else {
            "takdikenal"
        };
        let (status, _) = read(app.login_raw(spelled, "x").await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = read(app.login_raw("TAKDIKENAL", "x").await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

async fn a_trusted_proxy_names_the_client_and_nobody_else_can(app: TestApp) {
    let login_from = |app: &TestApp, forwarded: &str, login: &str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "login": login, "password": "x" }))
            .send()
    };
    // Untrusted peer: the header is ignored, so changing it cannot dodge
    // the per-address counter.
    for i in 0..20 {
        let resp = login_from(&app, &format!("198.51.100.{i}"), &format!("a{i}"))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let resp = login_from(&app, "198.51.100.99", "a99").await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);

    // Behind a trusted proxy each client has its own counter.
    let db = TestDatabase::create(&app.backend).await;
    let proxied = TestApp::spawn_with(&app.backend, &db, |c| {
        c.trusted_proxies = "127.0.0.0/8".parse().unwrap()
    })
    .await;
    for i in 0..20 {
        let resp = login_from(&proxied, "203.0.113.7", &format!("b{i}"))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let resp = login_from(&proxied, "203.0.113.7", "b99").await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is not locked out …
    let resp = login_from(&proxied, "203.0.113.8", "c1").await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    // … and a client cannot pose as another by prepending a hop.
    let resp = login_from(&proxied, "203.0.113.8, 203.0.113.7", "c2")
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let resp = login_from(&proxied, "203.0.113.7, 203.0.113.8", "c3")
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    proxied.stop().await;
    db.drop_database().await;
}

/// Runs the futures concurrently and collects their outputs in order.
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        outputs.push(handle.await.expect("task"));
    }
    outputs
}
