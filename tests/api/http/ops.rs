//! Health, readiness, metrics and the OpenAPI document.

use reqwest::StatusCode;

use crate::cases;
use crate::support::TestApp;

cases![
    health_and_readiness,
    metrics_count_requests_by_route,
    openapi_lists_every_route,
    docs_page_is_served_offline
];

async fn health_and_readiness(app: TestApp) {
    for (path, body) in [("/healthz", "ok"), ("/readyz", "ready")] {
        let resp = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers().contains_key("x-request-id"));
        assert_eq!(resp.text().await.unwrap(), body);
    }
}

async fn metrics_count_requests_by_route(app: TestApp) {
    let admin = app.admin().await;
    admin.get("/api/v1/me").await;
    admin
        .get(&format!("/api/v1/users/{}", uuid::Uuid::new_v4()))
        .await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(
            r#"bimtek_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1"#
        ),
        "{text}"
    );
    let missing = uuid::Uuid::new_v4();
    admin.get(&format!("/api/v1/users/{missing}")).await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !text.contains(&missing.to_string()),
        "ids never become labels"
    );
    let not_found: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("bimtek_http_requests_total") && l.contains(r#"status="404""#))
        .collect();
    assert_eq!(
        not_found.len(),
        1,
        "both unknown ids share the route's label: {not_found:?}"
    );
    assert!(
        not_found[0].contains(r#"route="/api/v1/users/:"#) && not_found[0].ends_with(" 2"),
        "{not_found:?}"
    );
    assert!(
        text.contains("bimtek_http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("bimtek_db_pool_connections{pool="), "{text}");
}

async fn openapi_lists_every_route(app: TestApp) {
    let doc: serde_json::Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().expect("paths");
    let expected = [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/activate", "post"),
        ("/api/v1/auth/password-reset", "post"),
        ("/api/v1/auth/password-reset/confirm", "post"),
        ("/api/v1/users/activation", "post"),
        ("/api/v1/quiz-marking", "get"),
        ("/api/v1/quiz-marking/{attempt_id}/{question_id}", "get"),
        ("/api/v1/quiz-marking/{attempt_id}/{question_id}", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me/personal-data", "get"),
        ("/api/v1/me/personal-data/pdf", "get"),
        ("/api/v1/users/{id}/anonymise", "post"),
        ("/api/v1/users", "post"),
        ("/api/v1/users", "get"),
        ("/api/v1/users/{id}", "get"),
        ("/api/v1/users/{id}", "patch"),
        ("/api/v1/users/import", "post"),
        ("/api/v1/courses", "post"),
        ("/api/v1/courses", "get"),
        ("/api/v1/courses/{id}", "get"),
        ("/api/v1/courses/{id}", "patch"),
        ("/api/v1/courses/{id}/modules", "post"),
        ("/api/v1/courses/{id}/modules/reorder", "post"),
        ("/api/v1/modules/{id}", "get"),
        ("/api/v1/modules/{id}", "patch"),
        ("/api/v1/modules/{id}/complete", "post"),
        ("/api/v1/modules/{id}/attachments", "post"),
        ("/api/v1/question-banks/import", "post"),
        ("/api/v1/question-banks", "get"),
        ("/api/v1/question-banks/{id}/questions", "get"),
        ("/api/v1/question-banks/{id}/export", "get"),
        ("/api/v1/batches", "post"),
        ("/api/v1/batches", "get"),
        ("/api/v1/batches/{id}", "get"),
        ("/api/v1/batches/{id}", "patch"),
        ("/api/v1/batches/{id}/cancel", "post"),
        ("/api/v1/batches/{id}/sessions", "post"),
        ("/api/v1/batches/{id}/sessions/{session_id}", "delete"),
        (
            "/api/v1/batches/{id}/sessions/{session_id}/checkin-code",
            "post",
        ),
        ("/api/v1/batches/{id}/enrolments", "post"),
        ("/api/v1/batches/{id}/enrolments/{user_id}", "delete"),
        ("/api/v1/batches/{id}/enrolments/import", "post"),
        ("/api/v1/batches/{id}/attendance", "post"),
        ("/api/v1/batches/{id}/attendance", "get"),
        ("/api/v1/batches/{id}/progress", "get"),
        ("/api/v1/checkin", "post"),
        ("/api/v1/me/batches", "get"),
        ("/api/v1/modules/{id}/quiz", "post"),
        ("/api/v1/modules/{id}/quiz", "patch"),
        ("/api/v1/modules/{id}/quiz", "get"),
        ("/api/v1/quizzes/{id}/windows", "post"),
        ("/api/v1/quizzes/{id}", "get"),
        ("/api/v1/quizzes/{id}/attempts", "post"),
        ("/api/v1/attempts/{id}", "get"),
        ("/api/v1/attempts/{id}/answers/{question_id}", "put"),
        ("/api/v1/attempts/{id}/submit", "post"),
        ("/api/v1/attempts/{id}/regrade", "post"),
        ("/api/v1/attempts/{id}/audit", "get"),
        ("/api/v1/quizzes/{id}/results", "get"),
        ("/api/v1/quizzes/{id}/analysis", "get"),
        ("/api/v1/exam-templates", "get"),
        ("/api/v1/exams", "post"),
        ("/api/v1/exams", "get"),
        ("/api/v1/exams/{id}", "get"),
        ("/api/v1/exams/{id}/info", "get"),
        ("/api/v1/me/exams", "get"),
        ("/api/v1/exams/{id}/assessors", "post"),
        ("/api/v1/exams/{id}/assessors", "get"),
        ("/api/v1/exams/{id}/attempts", "post"),
        ("/api/v1/grading/queue", "get"),
        ("/api/v1/grading/{item_id}", "get"),
        ("/api/v1/grading/{item_id}", "post"),
        ("/api/v1/grading/{item_id}/finalize", "post"),
        ("/api/v1/grading/{item_id}/audit", "get"),
        ("/api/v1/exams/{id}/results", "get"),
        ("/api/v1/exams/{id}/release", "post"),
        ("/api/v1/exams/{id}/my-result", "get"),
        ("/api/v1/exams/{id}/appeals", "post"),
        ("/api/v1/exams/{id}/appeals", "get"),
        ("/api/v1/appeals/{id}/assign", "post"),
        ("/api/v1/exams/{id}/audit", "get"),
        ("/api/v1/exams/{id}/markers", "get"),
        ("/api/v1/exams/{id}/markers", "post"),
        ("/api/v1/exams/{id}/tasks/{key}/file", "put"),
        ("/api/v1/exams/{id}/files", "get"),
        ("/api/v1/grading/{item_id}/file", "get"),
        ("/api/v1/courses/{id}/certificate-settings", "get"),
        ("/api/v1/courses/{id}/certificate-settings", "put"),
        ("/api/v1/batches/{id}/certificates/preview", "get"),
        ("/api/v1/batches/{id}/certificates", "post"),
        ("/api/v1/batches/{id}/certificates", "get"),
        ("/api/v1/batches/{id}/certificates/zip", "get"),
        ("/api/v1/me/certificates", "get"),
        ("/api/v1/certificates/{id}", "get"),
        ("/api/v1/certificates/{id}/pdf", "get"),
        ("/api/v1/certificates/{id}/revoke", "post"),
        ("/api/v1/certificates/{id}/reissue", "post"),
        ("/api/v1/certificates/{id}/replace", "post"),
        ("/api/v1/verify/{code}", "get"),
        ("/api/v1/certificate-keys", "get"),
        ("/api/v1/certificates/{id}/openbadge", "get"),
        ("/api/v1/issuer", "get"),
        ("/api/v1/revocation-list", "get"),
        ("/api/v1/records/kursus", "get"),
        ("/api/v1/records/jp", "get"),
        ("/api/v1/records/open-data", "get"),
        ("/api/v1/me/jp", "get"),
        ("/api/v1/batches/{id}/messages", "get"),
        ("/api/v1/batches/{id}/evaluation/form", "get"),
        ("/api/v1/batches/{id}/evaluation", "post"),
        ("/api/v1/batches/{id}/evaluation", "get"),
        ("/api/v1/batches/{id}/evaluation/close", "post"),
        ("/api/v1/batches/{id}/report/pdf", "get"),
        ("/api/v1/batches/{id}/report/closing", "put"),
        ("/api/v1/courses/{id}/pre-post-test", "get"),
        ("/api/v1/courses/{id}/pre-post-test", "put"),
        ("/api/v1/batches/{id}/pre-post-test", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from {paths:?}"
        );
    }
    let listed: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(
        listed,
        expected.len(),
        "every documented operation is tested here"
    );
    let schemes = &doc["components"]["securitySchemes"];
    assert!(
        schemes["BearerAuth"].is_object() && schemes["CookieAuth"].is_object(),
        "{schemes}"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

async fn docs_page_is_served_offline(app: TestApp) {
    let resp = app.client.get(app.url("/api/docs")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // The same protection as the pages: no framing, scripts only by hash.
    let headers = resp.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("'sha256-"),
        "{csp}"
    );
    assert!(
        !csp.split("script-src")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .contains("unsafe"),
        "{csp}"
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    let html = resp.text().await.unwrap();
    assert!(html.contains("swagger"), "Swagger UI page");
    assert!(
        !html.contains("unpkg.com") && !html.contains("cdn.jsdelivr"),
        "assets are compiled in"
    );
}
