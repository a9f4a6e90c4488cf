//! The HTML pages, driven over plain HTTP: sign-in, CSRF, the admin user
//! pages and what other roles are allowed to see.

use reqwest::StatusCode;

use crate::cases;
use crate::support::{ADMIN_PASSWORD, TestApp, csrf_token, page, sign_in};

cases![
    login_page_has_csrf_and_security_headers,
    forms_without_csrf_token_are_rejected,
    wrong_password_shows_the_form_again,
    admin_manages_users_through_pages,
    import_page_lists_row_errors,
    pages_refuse_other_roles_and_redirect_anonymous,
];

async fn login_page_has_csrf_and_security_headers(app: TestApp) {
    let resp = app.client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let headers = resp.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
        "{csp}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    let html = resp.text().await.unwrap();
    assert!(html.contains("lang=\"id\"") && html.contains("Masuk"));
    assert!(!csrf_token(&html).is_empty());
}

async fn forms_without_csrf_token_are_rejected(app: TestApp) {
    let client = app.browser_client();
    page(&client, &app, "/login").await;
    let resp = client
        .post(app.url("/login"))
        .form(&[("login", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(
        resp.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().contains("bimtek_session"))
    );
    let resp = client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", "forged"),
            ("login", "admin"),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.text().await.unwrap().contains("Formulir kedaluwarsa"));

    // Signed in, a state-changing form without the token is refused too.
    assert_eq!(
        sign_in(&client, &app, "admin", ADMIN_PASSWORD)
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    let resp = client
        .post(app.url("/admin/users"))
        .form(&[("name", "Tanpa Token"), ("username", "tanpatoken")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (_, list) = app.admin().await.get("/api/v1/users?q=tanpatoken").await;
    assert_eq!(list["total"], 0);
}

async fn wrong_password_shows_the_form_again(app: TestApp) {
    let client = app.browser_client();
    let resp = sign_in(&client, &app, "admin", "salah-sekali").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Login atau kata sandi salah."), "{html}");
    assert!(html.contains("value=\"admin\""), "the login name is kept");
}

async fn admin_manages_users_through_pages(app: TestApp) {
    let client = app.browser_client();
    let resp = sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(resp.headers()["location"], "/");

    let (status, home) = page(&client, &app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("Administrator BKD") && home.contains("/admin/users"));
    assert!(
        home.contains("/admin/exams") && home.replace("&#x2f;", "/").contains("/admin/records/jp"),
        "every section links its pages"
    );

    let (_, form) = page(&client, &app, "/admin/users/new").await;
    let token = csrf_token(&form);
    let bad = client
        .post(app.url("/admin/users"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", "Rina"),
            ("nip", "12345"),
            ("role", "trainee"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bad_html = bad.text().await.unwrap();
    assert!(bad_html.contains("NIP harus 18 digit"), "{bad_html}");
    assert!(bad_html.contains("value=\"Rina\""), "typed values are kept");

    let good = client
        .post(app.url("/admin/users"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("name", "Rina Wulandari"),
            ("nip", "199001012015032001"),
            ("role", "trainee"),
            ("password", &crate::support::password_of("rina")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    let location = good.headers()["location"].to_str().unwrap().to_owned();
    let (_, list) = page(&client, &app, &location).await;
    assert!(
        list.contains("Rina Wulandari") && list.contains("dibuat"),
        "{list}"
    );

    let (_, found) = app.admin().await.get("/api/v1/users?q=rina").await;
    let id = found["items"][0]["id"].as_str().unwrap().to_owned();
    let rina = app
        .login("199001012015032001", &crate::support::password_of("rina"))
        .await;
    assert!(list.contains(&format!("href=\"/admin/users/{id}\"")));
    // Deactivating needs its confirmation box; without it nothing happens.
    let deactivate = |confirm: bool| {
        let mut form = vec![
            ("csrf_token", csrf_token(&list)),
            ("active", "false".to_owned()),
        ];
        if confirm {
            form.push(("confirm", "on".to_owned()));
        }
        client
            .post(app.url(&format!("/admin/users/{id}/status")))
            .form(&form)
            .send()
    };
    let resp = deactivate(false).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        rina.get("/api/v1/me").await.0,
        StatusCode::OK,
        "unconfirmed"
    );
    let resp = deactivate(true).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        rina.get("/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "deactivation ends sessions"
    );
    let (_, list) = page(&client, &app, "/admin/users?q=rina").await;
    assert!(list.contains("Nonaktif"));

    let (_, home) = page(&client, &app, "/").await;
    let resp = client
        .post(app.url("/logout"))
        .form(&[("csrf_token", csrf_token(&home).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/login");
    let resp = client.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "signed out");
}

async fn import_page_lists_row_errors(app: TestApp) {
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let (_, form) = page(&client, &app, "/admin/users/import").await;
    let csv = "nip,nama\n199001012015031001,Ani\n19900101,Budi\n";
    let upload = |token: String, bytes: &'static str| {
        reqwest::multipart::Form::new()
            .text("csrf_token", token)
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes.as_bytes().to_vec()).file_name("daftar.csv"),
            )
    };
    let resp = client
        .post(app.url("/admin/users/import"))
        .multipart(upload(csrf_token(&form), csv))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("<td>3</td><td>NIP</td>"), "{html}");
    assert!(html.contains("Tidak ada yang disimpan"));

    let resp = client
        .post(app.url("/admin/users/import"))
        .multipart(upload("palsu".into(), csv))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "the upload form checks CSRF too"
    );

    let resp = client
        .post(app.url("/admin/users/import"))
        .multipart(upload(
            csrf_token(&form),
            "nip,nama\n199001012015031001,Ani\n",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("1 dibuat"));
}

async fn pages_refuse_other_roles_and_redirect_anonymous(app: TestApp) {
    let anon = app.browser_client();
    for path in [
        "/",
        "/admin/users",
        "/admin/users/new",
        "/admin/users/import",
    ] {
        let resp = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(resp.headers()["location"], "/login");
    }
    app.user_with_roles("peserta", &["trainee"]).await;
    let client = app.browser_client();
    sign_in(
        &client,
        &app,
        "peserta",
        &crate::support::password_of("peserta"),
    )
    .await;
    let (status, home) = page(&client, &app, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("Bimtek saya") && !home.contains("/admin/users"),
        "{home}"
    );
    for path in ["/admin/users", "/admin/users/new", "/admin/users/import"] {
        let (status, html) = page(&client, &app, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(html.contains("Tidak diizinkan"));
    }
    let (_, home) = page(&client, &app, "/").await;
    let resp = client
        .post(app.url("/admin/users"))
        .form(&[
            ("csrf_token", csrf_token(&home).as_str()),
            ("name", "Peretas"),
            ("username", "peretas"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (status, html) = page(&client, &app, "/tidak-ada").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Tidak ditemukan"));
}
