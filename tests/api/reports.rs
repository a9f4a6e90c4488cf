//! The laporan penyelenggaraan: administrators write its closing words on
//! a page and download the PDF; nobody else reads it.

use reqwest::StatusCode;
use serde_json::json;

use crate::cases;
use crate::given::evaluated_batch;
use crate::support::{ADMIN_PASSWORD, Session, TestApp, assert_error, page, password_of, sign_in};

cases![the_laporan_is_written_and_downloaded_by_administrators_only,];

async fn pdf(session: &Session, batch_id: &str) -> reqwest::Response {
    session
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/batches/{batch_id}/report/pdf"),
        )
        .send()
        .await
        .unwrap()
}

async fn the_laporan_is_written_and_downloaded_by_administrators_only(app: TestApp) {
    let admin = app.admin().await;
    let (batch_id, _, trainees) = evaluated_batch(&app, &admin, "LAP", 2).await;
    let (_, assessor) = app.user_with_roles("asesor_lap", &["assessor"]).await;

    // Before anything is written the report says so, and it is still whole.
    let resp = pdf(&admin, &batch_id).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("laporan") && disposition.ends_with(".pdf\""),
        "{disposition}"
    );
    let text = crate::pki::pdftotext(&resp.bytes().await.unwrap());
    assert!(
        text.contains("VII. Penutup") && text.contains("belum ditulis"),
        "{text}"
    );
    assert!(
        text.contains("Dr. Bambang Sutopo") && text.contains("Ir. Sri Wahyuni"),
        "{text}"
    );
    assert!(
        text.contains("rekap disajikan setelah"),
        "fewer than five answers: {text}"
    );

    // The closing words on the page.
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let at = format!("/admin/batches/{batch_id}/laporan");
    let (status, html) = page(&client, &app, &at).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Unduh laporan (PDF)") && html.contains("2 peserta"),
        "{html}"
    );
    let too_long = "a".repeat(5_001);
    let (status, html, _) =
        crate::support::post_form(&client, &app, &at, &at, &[("closing", &too_long)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<strong>Penutup</strong>"), "{html}");
    let (status, _, location) = crate::support::post_form(
        &client,
        &app,
        &at,
        &at,
        &[(
            "closing",
            "Kegiatan berjalan lancar; angkatan berikutnya menambah waktu praktik.",
        )],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().contains("notice="));
    let resp = client
        .get(app.url(&format!("{at}.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let text = crate::pki::pdftotext(&resp.bytes().await.unwrap());
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("angkatan berikutnya menambah waktu praktik"),
        "{text}"
    );

    // The same through the API.
    let closing = format!("/api/v1/batches/{batch_id}/report/closing");
    let resp = admin
        .request(reqwest::Method::PUT, &closing)
        .json(&json!({ "closing": "Ditutup oleh API." }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let text = crate::pki::pdftotext(&pdf(&admin, &batch_id).await.bytes().await.unwrap());
    assert!(text.contains("Ditutup oleh API."), "{text}");

    // Nobody else: not the batch's own trainee, not an assessor.
    for who in [&trainees[0], &assessor] {
        let resp = pdf(who, &batch_id).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let resp = who
            .request(reqwest::Method::PUT, &closing)
            .json(&json!({ "closing": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(
        pdf(&app.anonymous(), &batch_id).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let resp = pdf(&admin, &uuid::Uuid::nil().to_string()).await;
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_error(status, &body, 404, "not_found");
    let trainee_page = app.browser_client();
    sign_in(&trainee_page, &app, "lap_0", &password_of("lap_0")).await;
    for path in [at.clone(), format!("{at}.pdf")] {
        let (status, _) = page(&trainee_page, &app, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}
