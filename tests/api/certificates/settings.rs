//! Settings that used to need the API, now on pages: a course's minimum
//! attendance and its certificate settings (with the next number shown
//! before anything is saved).

use reqwest::StatusCode;
use serde_json::Value;

use crate::cases;
use crate::given::course_with_modules;
use crate::support::{ADMIN_PASSWORD, TestApp, csrf_token, page, post_form, sign_in, unescape};

cases![
    minimum_attendance_is_set_on_the_course_page,
    certificate_settings_preview_the_next_number_and_save,
    certificate_settings_are_for_administrators_only,
];

async fn admin_client(app: &TestApp) -> reqwest::Client {
    let client = app.browser_client();
    let resp = sign_in(&client, app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    client
}

async fn minimum_attendance_is_set_on_the_course_page(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(&admin, "HDR", &[("Jaringan", 4)]).await;
    let id = course["id"].as_str().unwrap();
    let path = format!("/admin/courses/{id}");
    let client = admin_client(&app).await;
    let (_, html) = page(&client, &app, &path).await;
    assert!(
        html.contains("name=\"min_attendance_percent\" value=\"80\""),
        "{html}"
    );
    assert!(html.contains(&format!("/admin/courses/{id}/certificates")));

    let fields = |percent: &'static str| {
        [
            ("code", "HDR"),
            ("title", "Bimtek HDR"),
            ("track", "pranata_komputer"),
            ("target_level", "Terampil"),
            ("description", ""),
            ("min_attendance_percent", percent),
        ]
    };
    let (status, _, _) = post_form(&client, &app, &path, &path, &fields("75")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, stored) = admin.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(stored["min_attendance_percent"], 75);

    for bad in ["tujuh puluh", "150", "-1"] {
        let (status, html, _) = post_form(&client, &app, &path, &path, &fields(bad)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(html.contains("Kehadiran minimal (%)"), "{html}");
        assert!(
            !html.contains("<strong>min_attendance_percent"),
            "no raw keys"
        );
    }
    let (_, stored) = admin.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(
        stored["min_attendance_percent"], 75,
        "a refused form changes nothing"
    );
}

/// Today's month in Roman numerals and the year, in WIB.
fn month_roman_and_year() -> (&'static str, i32) {
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    let today = (time::OffsetDateTime::now_utc() + time::Duration::hours(7)).date();
    (ROMAN[today.month() as usize - 1], today.year())
}

async fn certificate_settings_preview_the_next_number_and_save(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(&admin, "SRT", &[("Jaringan", 4)]).await;
    let id = course["id"].as_str().unwrap();
    let path = format!("/admin/courses/{id}/certificates");
    let client = admin_client(&app).await;
    let (status, html) = page(&client, &app, &path).await;
    let html = unescape(&html);
    assert_eq!(status, StatusCode::OK);
    let (roman, year) = month_roman_and_year();
    let expected = format!("001/BKD-BIMTEK/SRT/{roman}/{year}");
    assert!(
        html.contains(&expected),
        "default pattern's next number {expected}: {html}"
    );
    // The kop and signatory the server prints, and that no PAdES key is set.
    for shown in [
        "PEMERINTAH KOTA MAGELANG",
        "Kepala Badan Kepegawaian Daerah",
        "tidak aktif",
        "keaslian sertifikat diperiksa melalui kode QR",
    ] {
        assert!(html.contains(shown), "{shown}: {html}");
    }

    // Preview without saving.
    let fields = |pattern: &'static str, action: &'static str| {
        vec![
            ("number_pattern", pattern),
            ("expiry_months", "24"),
            ("letter_jp", "attended"),
            ("action", action),
        ]
    };
    let (status, html, _) = post_form(
        &client,
        &app,
        &path,
        &path,
        &fields("SERT-{seq:04}/{course_code}/{year}", "preview"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("SERT-0001/SRT/{year}")), "{html}");
    let (_, stored) = admin
        .get(&format!("/api/v1/courses/{id}/certificate-settings"))
        .await;
    assert_eq!(
        stored["number_pattern"],
        "{seq:03}/BKD-BIMTEK/{course_code}/{month_roman}/{year}"
    );

    // The live preview the page's script asks for.
    let (status, body) = json_page(
        &client,
        &app,
        &format!("{path}/next-number?pattern=A-%7Bseq%7D-%7Byear%7D"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["number"], format!("A-1-{year}"));
    let (_, body) = json_page(
        &client,
        &app,
        &format!("{path}/next-number?pattern=A-%7Bseq%7D"),
    )
    .await;
    assert!(body["number"].is_null());
    assert!(
        body["problem"].as_str().unwrap().contains("{year}"),
        "{body}"
    );

    // A pattern without the year is refused, named by its label.
    let (status, html, _) =
        post_form(&client, &app, &path, &path, &fields("SERT-{seq}", "save")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Pola nomor") && !html.contains("<strong>number_pattern"),
        "{html}"
    );

    // Saved: letters unticked (not sent), two years' validity, JP as attended.
    let (status, _, location) = post_form(
        &client,
        &app,
        &path,
        &path,
        &fields("SERT-{seq:04}/{course_code}/{year}", "save"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, notice) = page(&client, &app, &location.unwrap()).await;
    let notice = unescape(&notice);
    assert!(notice.contains("Pengaturan sertifikat disimpan"));
    assert!(notice.contains(&format!("SERT-0001/SRT/{year}")));
    let (_, stored) = admin
        .get(&format!("/api/v1/courses/{id}/certificate-settings"))
        .await;
    assert_eq!(
        stored["number_pattern"],
        "SERT-{seq:04}/{course_code}/{year}"
    );
    assert_eq!(stored["letters"], false);
    assert_eq!(stored["expiry_months"], 24);
    assert_eq!(stored["letter_jp"], "attended");

    // An empty validity means no expiry; a word is refused by its label.
    let mut open_ended = fields("SERT-{seq:04}/{course_code}/{year}", "save");
    open_ended[1] = ("expiry_months", "");
    open_ended.push(("letters", "on"));
    let (status, _, _) = post_form(&client, &app, &path, &path, &open_ended).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, stored) = admin
        .get(&format!("/api/v1/courses/{id}/certificate-settings"))
        .await;
    assert!(stored["expiry_months"].is_null());
    assert_eq!(stored["letters"], true);
    open_ended[1] = ("expiry_months", "dua tahun");
    let (status, html, _) = post_form(&client, &app, &path, &path, &open_ended).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Masa berlaku (bulan)"), "{html}");
}

async fn json_page(client: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, Value) {
    let resp = client.get(app.url(path)).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn certificate_settings_are_for_administrators_only(app: TestApp) {
    let admin = app.admin().await;
    let course = course_with_modules(&admin, "AKS", &[("Jaringan", 4)]).await;
    let id = course["id"].as_str().unwrap();
    let path = format!("/admin/courses/{id}/certificates");
    let preview = format!("{path}/next-number?pattern=%7Bseq%7D-%7Byear%7D");

    let anonymous = app.browser_client();
    for p in [&path, &preview] {
        let resp = anonymous.get(app.url(p)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{p}");
    }
    for role in ["trainee", "assessor"] {
        let name = format!("bukan_admin_{role}");
        app.user_with_roles(&name, &[role]).await;
        let client = app.browser_client();
        sign_in(&client, &app, &name, &crate::support::password_of(&name)).await;
        for p in [&path, &preview] {
            let (status, _) = page(&client, &app, p).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{role} {p}");
        }
        let (_, home) = page(&client, &app, "/").await;
        let resp = client
            .post(app.url(&path))
            .form(&[
                ("csrf_token", csrf_token(&home).as_str()),
                ("number_pattern", "X-{seq}-{year}"),
                ("action", "save"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{role} saves");
    }
    let (_, stored) = admin
        .get(&format!("/api/v1/courses/{id}/certificate-settings"))
        .await;
    assert_ne!(stored["number_pattern"], "X-{seq}-{year}");

    // A course that does not exist.
    let client = admin_client(&app).await;
    let missing = "/admin/courses/00000000-0000-7000-8000-000000000000/certificates";
    let (status, _) = page(&client, &app, missing).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = page(&client, &app, &format!("{missing}/next-number?pattern=x")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
