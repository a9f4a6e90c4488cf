//! The users API: roles, validation, listing, changes, concurrency.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cases;
use crate::support::{Session, TestApp, assert_error};

cases![
    admin_endpoints_refuse_other_roles_and_anonymous,
    create_reports_every_bad_field,
    duplicate_nip_username_or_email_is_named,
    list_filters_by_role_and_text_and_pages,
    unknown_user_is_404,
    patch_changes_details_and_roles,
    last_admin_cannot_be_removed,
    parallel_creations_all_succeed,
    malformed_requests_get_the_error_shape,
    anonymous_bodies_are_refused_after_a_few_kilobytes,
];

async fn call(
    session: &Session,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = session.request(method, path);
    if let Some(body) = body {
        req = req.json(&body);
    }
    crate::support::read(req.send().await.unwrap()).await
}

async fn admin_endpoints_refuse_other_roles_and_anonymous(app: TestApp) {
    let (target, _) = app.user_with_roles("target", &["trainee"]).await;
    let id = target["id"].as_str().unwrap();
    let (_, trainee) = app.user_with_roles("peserta", &["trainee"]).await;
    let (_, assessor) = app.user_with_roles("asesor", &["assessor"]).await;
    let endpoints = [
        (
            Method::POST,
            "/api/v1/users".to_owned(),
            Some(json!({"username": "x-user", "name": "X"})),
        ),
        (Method::GET, "/api/v1/users".to_owned(), None),
        (Method::GET, format!("/api/v1/users/{id}"), None),
        (
            Method::PATCH,
            format!("/api/v1/users/{id}"),
            Some(json!({"name": "Y"})),
        ),
    ];
    for (method, path, body) in &endpoints {
        for (who, session, status, code) in [
            ("trainee", &trainee, 403, "forbidden"),
            ("assessor", &assessor, 403, "forbidden"),
            ("anonymous", &app.anonymous(), 401, "unauthenticated"),
        ] {
            let (got, resp) = call(session, method.clone(), path, body.clone()).await;
            assert_eq!(got.as_u16(), status, "{who} {method} {path}: {resp}");
            assert_eq!(resp["error"]["code"], code, "{who} {method} {path}");
        }
    }
    // The import endpoint too.
    for (session, status) in [(&trainee, 403), (&assessor, 403), (&app.anonymous(), 401)] {
        let (got, _) = session
            .upload("/api/v1/users/import", "u.csv", b"nip,nama\n".to_vec())
            .await;
        assert_eq!(got.as_u16(), status);
    }
    // A trainee can still see themselves.
    assert_eq!(trainee.get("/api/v1/me").await.0, StatusCode::OK);
    // Nothing was changed by the refused calls.
    let (_, unchanged) = app.admin().await.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(unchanged["name"], "Pengguna target");
}

async fn create_reports_every_bad_field(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin
        .post(
            "/api/v1/users",
            &json!({ "name": " ", "nip": "198503122010013001", "email": "bukan email", "password": "123" }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    // The document's rules for each field first, all at once; the NIP's
    // dates once every field has its form.
    assert_eq!(fields, ["email", "name", "password"]);
    let (_, list) = admin.get("/api/v1/users").await;
    assert_eq!(list["total"], 1, "nothing was created");
}

async fn duplicate_nip_username_or_email_is_named(app: TestApp) {
    let admin = app.admin().await;
    let first = json!({ "name": "A", "nip": "198503122010011001", "email": "a@bkd.go.id" });
    assert_eq!(
        admin.post("/api/v1/users", &first).await.0,
        StatusCode::CREATED
    );
    for (body, field) in [
        (json!({ "name": "B", "nip": "198503122010011001" }), "nip"),
        (json!({ "name": "C", "username": "admin" }), "username"),
        (
            json!({ "name": "D", "username": "d-user", "email": "A@bkd.go.id" }),
            "email",
        ),
    ] {
        let (status, resp) = admin.post("/api/v1/users", &body).await;
        assert_error(status, &resp, 422, "validation_failed");
        assert_eq!(resp["error"]["details"][0]["field"], field, "{resp}");
    }
}

async fn list_filters_by_role_and_text_and_pages(app: TestApp) {
    let admin = app.admin().await;
    for i in 0..7 {
        let roles = if i < 2 {
            json!(["assessor"])
        } else {
            json!(["trainee"])
        };
        let unit = if i % 2 == 0 { "Diskominfo" } else { "BKD" };
        let body = json!({ "username": format!("user{i}"), "name": format!("Nama {i}"), "roles": roles, "unit_kerja": unit });
        assert_eq!(
            admin.post("/api/v1/users", &body).await.0,
            StatusCode::CREATED
        );
    }
    let (_, assessors) = admin.get("/api/v1/users?role=assessor").await;
    assert_eq!(assessors["total"], 2);
    let (_, kominfo) = admin.get("/api/v1/users?q=diskominfo").await;
    assert_eq!(kominfo["total"], 4);
    let (_, page2) = admin.get("/api/v1/users?per_page=3&page=2").await;
    assert_eq!(page2["total"], 8);
    assert_eq!(page2["items"].as_array().unwrap().len(), 3);
    let (_, page3) = admin.get("/api/v1/users?per_page=3&page=3").await;
    assert_eq!(page3["items"].as_array().unwrap().len(), 2);
    let (status, body) = admin.get("/api/v1/users?role=guru").await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "role", "{body}");
}

async fn unknown_user_is_404(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin
        .get(&format!("/api/v1/users/{}", uuid::Uuid::new_v4()))
        .await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = admin
        .patch(
            &format!("/api/v1/users/{}", uuid::Uuid::new_v4()),
            &json!({"name": "X"}),
        )
        .await;
    assert_error(status, &body, 404, "not_found");
}

async fn patch_changes_details_and_roles(app: TestApp) {
    let admin = app.admin().await;
    let (user, _) = app.user_with_roles("budi", &["trainee"]).await;
    let id = user["id"].as_str().unwrap();
    let (status, changed) = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            &json!({ "name": "Budi Santoso", "roles": ["trainee", "assessor"], "unit_kerja": "Dinas Kominfo", "nip": "198503122010011001" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["name"], "Budi Santoso");
    assert_eq!(changed["roles"], json!(["assessor", "trainee"]));
    assert_eq!(changed["nip"], "198503122010011001");
    let (_, cleared) = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            &json!({ "unit_kerja": null, "nip": null }),
        )
        .await;
    assert_eq!(cleared["unit_kerja"], Value::Null);
    assert_eq!(cleared["nip"], Value::Null);
    assert_eq!(cleared["name"], "Budi Santoso", "untouched fields stay");
    let (status, body) = admin
        .patch(&format!("/api/v1/users/{id}"), &json!({ "roles": [] }))
        .await;
    assert_error(status, &body, 422, "validation_failed");
}

async fn last_admin_cannot_be_removed(app: TestApp) {
    let admin = app.admin().await;
    let (_, me) = admin.get("/api/v1/me").await;
    let id = me["id"].as_str().unwrap();
    let (status, body) = admin
        .patch(&format!("/api/v1/users/{id}"), &json!({ "active": false }))
        .await;
    assert_error(status, &body, 409, "last_admin");
    let (status, body) = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            &json!({ "roles": ["trainee"] }),
        )
        .await;
    assert_error(status, &body, 409, "last_admin");
    let (second, _) = app.user_with_roles("admin2", &["admin"]).await;
    assert!(second["id"].is_string());
    let (status, _) = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            &json!({ "roles": ["trainee"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "with another admin it is allowed");
}

async fn parallel_creations_all_succeed(app: TestApp) {
    let admin = app.admin().await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let admin = admin.clone();
        tasks.push(tokio::spawn(async move {
            admin
                .post("/api/v1/users", &json!({ "username": format!("paralel{i:03}"), "name": format!("Paralel {i}") }))
                .await
        }));
    }
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, list) = admin.get("/api/v1/users?q=paralel").await;
    assert_eq!(list["total"], 200);
}

async fn malformed_requests_get_the_error_shape(app: TestApp) {
    let admin = app.admin().await;
    let broken = admin
        .request(Method::POST, "/api/v1/users")
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = crate::support::read(broken).await;
    assert_error(status, &body, 400, "bad_request");
    let (status, body) = admin
        .post("/api/v1/users", &json!({ "name": "X", "roles": "admin" }))
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "roles", "{body}");
    let (status, body) = admin.get("/api/v1/tidak-ada").await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = admin.get("/api/v1/users/bukan-uuid").await;
    assert_error(status, &body, 400, "bad_request");
    // Announce a body over the limit and send none of it: the server must
    // answer 413 from the headers alone, before reading anything.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/users HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        app.addr,
        admin.token.as_deref().unwrap(),
        13 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    let body: Value = serde_json::from_str(raw.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let status = StatusCode::PAYLOAD_TOO_LARGE;
    assert_error(status, &body, 413, "payload_too_large");
}

/// Someone not signed in cannot make the server hold an upload: a chunked
/// body is refused once it passes a few KiB, without waiting for the rest.
async fn anonymous_bodies_are_refused_after_a_few_kilobytes(app: TestApp) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    for path in [
        "/api/v1/users/import",
        "/admin/users/import",
        "/api/v1/auth/login",
    ] {
        let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n",
            app.addr
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // 64 KiB of an announced 11 MB, then silence: a server waiting to
        // buffer the whole body would never answer.
        let chunk = vec![b'x'; 4096];
        for _ in 0..16 {
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if stream.write_all(&framed).await.is_err() {
                break;
            }
        }
        let mut raw = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            stream.read_to_end(&mut raw),
        )
        .await;
        let raw = String::from_utf8_lossy(&raw);
        assert!(
            read.is_ok() && raw.starts_with("HTTP/1.1 413"),
            "{path}: {raw}"
        );
    }
    // Declared sizes are refused from the headers alone.
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        app.addr,
        64 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 413"), "{raw}");
    // A sign-in still fits.
    let (status, _) =
        crate::support::read(app.login_raw("admin", crate::support::ADMIN_PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK);
}
