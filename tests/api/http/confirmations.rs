//! Irreversible page actions wait for their confirmation box: unticked,
//! nothing happens and the page says why; ticked, the action is done.
//! Each also refuses a trainee.

use reqwest::{Client, StatusCode};
use serde_json::json;

use crate::cases;
use crate::given::{course_and_batch, finished_batch};
use crate::support::{ADMIN_PASSWORD, TestApp, page, password_of, sign_in};

cases![
    deleting_a_session_needs_its_confirmation,
    archiving_a_course_needs_its_confirmation,
    issuing_certificates_needs_its_confirmation,
];

/// Posts `fields` (with a fresh CSRF token) and follows the redirect back.
async fn post_and_follow(
    client: &Client,
    app: &TestApp,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (status, html, location) =
        crate::support::post_form(client, app, "/", action, fields).await;
    match location {
        Some(to) => page(client, app, &to).await,
        None => (status, html),
    }
}

async fn signed_in(app: &TestApp, login: &str, password: &str) -> Client {
    let client = app.browser_client();
    assert_eq!(
        sign_in(&client, app, login, password).await.status(),
        StatusCode::SEE_OTHER
    );
    client
}

async fn trainee(app: &TestApp) -> Client {
    app.user_with_roles("peserta_iseng", &["trainee"]).await;
    signed_in(app, "peserta_iseng", &password_of("peserta_iseng")).await
}

async fn deleting_a_session_needs_its_confirmation(app: TestApp) {
    let admin_api = app.admin().await;
    let (_, batch) = course_and_batch(&admin_api, "KNF-S", json!({})).await;
    let id = batch["id"].as_str().unwrap();
    let session = batch["sessions"][0]["id"].as_str().unwrap();
    let action = format!("/admin/batches/{id}/sessions/{session}/delete");
    let admin = signed_in(&app, "admin", ADMIN_PASSWORD).await;

    let (_, html) = page(&admin, &app, &format!("/admin/batches/{id}")).await;
    assert!(html.contains("Hapus sesi"), "the page asks first");
    let (_, html) = post_and_follow(&admin, &app, &action, &[]).await;
    assert!(
        html.contains("Centang konfirmasi untuk menghapus sesi"),
        "{html}"
    );
    let (_, stored) = admin_api.get(&format!("/api/v1/batches/{id}")).await;
    assert_eq!(stored["sessions"].as_array().unwrap().len(), 3, "kept");

    let (status, _) =
        post_and_follow(&trainee(&app).await, &app, &action, &[("confirm", "on")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, html) = post_and_follow(&admin, &app, &action, &[("confirm", "on")]).await;
    assert!(html.contains("Sesi dihapus"), "{html}");
    let (_, stored) = admin_api.get(&format!("/api/v1/batches/{id}")).await;
    assert_eq!(stored["sessions"].as_array().unwrap().len(), 2);
}

async fn archiving_a_course_needs_its_confirmation(app: TestApp) {
    let admin_api = app.admin().await;
    let (course, _) = course_and_batch(&admin_api, "KNF-C", json!({})).await;
    let id = course["id"].as_str().unwrap();
    let action = format!("/admin/courses/{id}/status");
    let admin = signed_in(&app, "admin", ADMIN_PASSWORD).await;

    let (_, html) = post_and_follow(&admin, &app, &action, &[("status", "archived")]).await;
    assert!(
        html.contains("Centang konfirmasi untuk mengarsipkan"),
        "{html}"
    );
    let (_, stored) = admin_api.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(stored["status"], "published");

    let (status, _) = post_and_follow(
        &trainee(&app).await,
        &app,
        &action,
        &[("status", "archived"), ("confirm", "on")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, html) = post_and_follow(
        &admin,
        &app,
        &action,
        &[("status", "archived"), ("confirm", "on")],
    )
    .await;
    assert!(html.contains("Kursus diarsipkan"), "{html}");
    let (_, stored) = admin_api.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(stored["status"], "archived");
    // Publishing again needs no box, and says so.
    let (_, html) = post_and_follow(&admin, &app, &action, &[("status", "published")]).await;
    assert!(html.contains("Kursus diterbitkan"), "{html}");
}

async fn issuing_certificates_needs_its_confirmation(app: TestApp) {
    let b = finished_batch(&app, "KNF").await;
    let action = format!("/admin/batches/{}/certificates/issue", b.batch_id);
    let list = format!("/api/v1/batches/{}/certificates", b.batch_id);
    let admin = signed_in(&app, "admin", ADMIN_PASSWORD).await;

    let (_, html) = post_and_follow(&admin, &app, &action, &[]).await;
    assert!(
        html.contains("Centang konfirmasi untuk menerbitkan"),
        "{html}"
    );
    let (_, issued) = b.admin.get(&list).await;
    assert_eq!(issued.as_array().unwrap().len(), 0, "nothing issued");

    let (status, _) =
        post_and_follow(&trainee(&app).await, &app, &action, &[("confirm", "on")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, html) = post_and_follow(&admin, &app, &action, &[("confirm", "on")]).await;
    assert!(html.contains("sertifikat terbit"), "{html}");
    let (_, issued) = b.admin.get(&list).await;
    assert!(!issued.as_array().unwrap().is_empty());
}
