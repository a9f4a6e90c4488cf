//! The API keeps to its OpenAPI document: requests that do not parse are
//! refused in Indonesian naming the field, a 405 lists the allowed methods,
//! 413 and 415 come as documented, optional fields are nullable, and a
//! table documents all three of its formats.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cases;
use crate::given::course_and_batch;
use crate::support::{Session, TestApp, assert_error, read};

cases![
    a_missing_reason_is_a_422_naming_reason,
    body_fields_are_named_and_bad_json_is_a_400,
    a_bad_path_id_is_refused_in_indonesian,
    method_not_allowed_lists_allow,
    too_large_and_unsupported_bodies_come_as_documented,
    the_document_marks_nullable_fields_and_table_formats,
];

fn english(message: &str) -> bool {
    [
        "failed to parse",
        "invalid path params",
        "occurred while",
        "expected",
    ]
    .iter()
    .any(|w| message.to_lowercase().contains(w))
}

fn assert_fields(body: &Value, fields: &[&str]) {
    let named: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap_or_else(|| panic!("details: {body}"))
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(named, fields, "{body}");
    assert!(
        !english(body["error"]["message"].as_str().unwrap()),
        "{body}"
    );
}

async fn delete(session: &Session, path: &str) -> (StatusCode, Value) {
    read(session.request(Method::DELETE, path).send().await.unwrap()).await
}

async fn a_missing_reason_is_a_422_naming_reason(app: TestApp) {
    let admin = app.admin().await;
    let (_, batch) = course_and_batch(&admin, "KTR-ALS", json!({})).await;
    let id = batch["id"].as_str().unwrap();
    let (user, _) = app.user_with_roles("kontrak", &["trainee"]).await;
    let user_id = user["id"].as_str().unwrap();
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{id}/enrolments"),
            &json!({ "user_id": user_id }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Withdraw: the reason is a query parameter.
    let withdraw = format!("/api/v1/batches/{id}/enrolments/{user_id}");
    for query in ["", "?reason=", "?reason=%20%20"] {
        let (status, body) = delete(&admin, &format!("{withdraw}{query}")).await;
        assert_error(status, &body, 422, "validation_failed");
        assert_fields(&body, &["reason"]);
    }
    // Cancel: the reason is a body field.
    let path = format!("/api/v1/batches/{id}/cancel");
    for sent in [
        json!({}),
        json!({ "reason": null }),
        json!({ "reason": " \t" }),
    ] {
        let (status, body) = admin.post(&path, &sent).await;
        assert_error(status, &body, 422, "validation_failed");
        assert_fields(&body, &["reason"]);
    }
    let (status, body) = admin.post(&path, &json!({ "reason": 7 })).await;
    assert_error(status, &body, 422, "validation_failed");
    assert_fields(&body, &["reason"]);
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("teks"),
        "{body}"
    );
    let (status, body) = delete(&admin, &format!("{withdraw}?reason=Pindah%20tugas")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn body_fields_are_named_and_bad_json_is_a_400(app: TestApp) {
    let admin = app.admin().await;
    let resp = admin
        .request(Method::POST, "/api/v1/courses")
        .header("content-type", "application/json")
        .body("{\"code\": ")
        .send()
        .await
        .unwrap();
    let (status, body) = read(resp).await;
    assert_error(status, &body, 400, "bad_request");
    assert!(
        !english(body["error"]["message"].as_str().unwrap()),
        "{body}"
    );

    let (status, body) = admin
        .post(
            "/api/v1/courses",
            &json!({ "code": "KTR-1", "track": "bukan_jalur" }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_fields(&body, &["title", "track"]);

    let (_, batch) = course_and_batch(&admin, "KTR-SES", json!({})).await;
    let (status, body) = admin
        .post(
            "/api/v1/batches",
            &json!({
                "course_id": batch["course_id"], "name": "Angkatan II", "starts_on": "2026-04-01",
                "ends_on": "", "capacity": 10, "venue": "Aula",
                "sessions": [{ "day": "2026-04-31", "starts_at": "08:00", "ends_at": "10:00" }],
            }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_fields(&body, &["ends_on", "sessions[0].day"]);

    // A query parameter of the wrong type is named too.
    let (status, body) = admin.get("/api/v1/users?per_page=0").await;
    assert_error(status, &body, 422, "validation_failed");
    assert_fields(&body, &["per_page"]);
}

async fn a_bad_path_id_is_refused_in_indonesian(app: TestApp) {
    let admin = app.admin().await;
    let (status, body) = admin.get("/api/v1/users/bukan-uuid").await;
    assert_error(status, &body, 400, "bad_request");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`id`") && message.contains("UUID"),
        "{body}"
    );
    assert!(!english(message), "{body}");

    // A page whose id does not parse is a page that does not exist.
    let browser = app.browser_client();
    crate::support::sign_in(&browser, &app, "admin", crate::support::ADMIN_PASSWORD).await;
    let resp = browser
        .get(app.url("/admin/courses/bukan-uuid"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("tidak ditemukan") && !english(&page),
        "{page}"
    );
}

async fn method_not_allowed_lists_allow(app: TestApp) {
    let admin = app.admin().await;
    for (method, path, allow) in [
        (Method::DELETE, "/api/v1/me", "GET, HEAD"),
        (Method::PUT, "/api/v1/users", "GET, POST, HEAD"),
        (Method::TRACE, "/api/v1/batches/{id}/cancel", "POST"),
    ] {
        let path = path.replace("{id}", &uuid::Uuid::new_v4().to_string());
        let resp = admin.request(method.clone(), &path).send().await.unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        let header = resp.headers()["allow"].to_str().unwrap().to_owned();
        assert_eq!(header, allow, "{method} {path}");
        let (status, body) = read(resp).await;
        assert_error(status, &body, 405, "method_not_allowed");
        assert!(
            !english(body["error"]["message"].as_str().unwrap()),
            "{body}"
        );
    }
}

async fn too_large_and_unsupported_bodies_come_as_documented(app: TestApp) {
    let admin = app.admin().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let responses = &doc["paths"]["/api/v1/courses"]["post"]["responses"];
    for status in ["413", "415"] {
        assert!(
            responses[status]["content"]
                .as_object()
                .is_some_and(|c| !c.is_empty()),
            "{status} documented with the error body: {responses}"
        );
    }
    assert!(
        doc["paths"]["/api/v1/courses"]["get"]["responses"]
            .get("415")
            .is_none(),
        "no 415 where there is no body"
    );

    let resp = admin
        .request(Method::POST, "/api/v1/courses")
        .header("content-type", "text/plain")
        .body("kode=X")
        .send()
        .await
        .unwrap();
    let (status, body) = read(resp).await;
    assert_error(status, &body, 415, "unsupported_media_type");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("application/json"),
        "{body}"
    );

    // A declared length over the limit is refused before the body is read,
    // so the request goes out by hand, headers only.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/v1/courses HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        app.addr,
        admin.token.as_deref().unwrap(),
        13 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap_or("")).unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large", "{answer}");
}

async fn the_document_marks_nullable_fields_and_table_formats(app: TestApp) {
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = &doc["components"]["schemas"]["UserView"];
    assert_eq!(user["properties"]["email"]["nullable"], true, "{user}");
    assert!(user["properties"]["id"].get("nullable").is_none());

    let progress = &doc["paths"]["/api/v1/batches/{id}/progress"]["get"]["responses"]["200"];
    let types: Vec<&String> = progress["content"].as_object().unwrap().keys().collect();
    assert_eq!(types.len(), 3, "{progress}");
    assert!(
        progress["headers"]["Content-Disposition"]
            .get("required")
            .is_none_or(|r| r == false),
        "only the downloads carry Content-Disposition: {progress}"
    );
    let export = &doc["paths"]["/api/v1/question-banks/{id}/export"]["get"]["responses"]["200"];
    assert_eq!(export["content"].as_object().unwrap().len(), 2, "{export}");

    // A live optional field is null, as the document allows.
    let admin = app.admin().await;
    let (_, me) = admin.get("/api/v1/me").await;
    assert!(me["email"].is_null(), "{me}");
}
