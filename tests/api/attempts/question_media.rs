//! Images in questions, from a Moodle XML file written from Moodle's
//! format documentation: stored by content, shown in the questions, served
//! to staff and to the trainee whose attempt holds the question (nobody
//! else), and written back into a Moodle XML export that re-imports
//! unchanged.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::cases;
use crate::given::{fixture, import, setup_with_bank, start_attempt};
use crate::support::{ADMIN_PASSWORD, TestApp, password_of, sign_in};

cases![images_are_stored_shown_to_whom_may_see_them_and_exported];

/// The `/question-media/…` address an HTML text points at.
fn image_address(html: &str) -> String {
    let start = html.find("/question-media/").expect(html);
    html[start..start + "/question-media/".len() + 64].to_owned()
}

async fn signed_in(app: &TestApp, login: &str, password: &str) -> Client {
    let client = app.browser_client();
    sign_in(&client, app, login, password).await;
    client
}

async fn fetch(client: &Client, app: &TestApp, path: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = client.get(app.url(path)).send().await.unwrap();
    let status = resp.status();
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, resp.bytes().await.unwrap().to_vec())
}

async fn images_are_stored_shown_to_whom_may_see_them_and_exported(app: TestApp) {
    let xml = fixture("moodle_xml/images.xml");
    let s = setup_with_bank(
        &app,
        "IMG",
        &xml,
        json!({
            "selection": { "rules": [{ "tag": "unit:jaringan", "count": 2 }] },
            "review_policy": "after_submit",
        }),
    )
    .await;

    // The bank shows the pictured question with its image's address; the
    // text file beside the third question was not an image.
    let (_, banks) = s.admin.get("/api/v1/question-banks").await;
    let bank_id = banks[0]["id"].as_str().unwrap().to_owned();
    let bank_name = banks[0]["name"].as_str().unwrap().to_owned();
    let (_, listed) = s
        .admin
        .get(&format!("/api/v1/question-banks/{bank_id}/questions"))
        .await;
    let questions = listed["questions"].as_array().unwrap();
    let text_of = |id: &str| -> String {
        questions
            .iter()
            .find(|q| q["stable_id"] == id)
            .map(|q| q["text_html"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let map = image_address(&text_of("PK-IMG-001"));
    let icon = image_address(&text_of("PK-IMG-002"));
    assert!(!text_of("PK-IMG-003").contains("question-media"));

    // Staff see the image, as the image it is.
    let admin = signed_in(&app, "admin", ADMIN_PASSWORD).await;
    let (status, kind, png) = fetch(&admin, &app, &map).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/png"));
    assert!(png.starts_with(b"\x89PNG"));
    let (status, kind, _) = fetch(&admin, &app, &icon).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "image/gif"));
    let bank_page = admin
        .get(app.url(&format!("/admin/banks/{bank_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(bank_page.contains(&format!("src=\"{map}\"")), "{bank_page}");

    // A trainee sees none before an attempt shows the question; anonymous
    // visitors are sent to sign in.
    let login = s.trainee_username.clone();
    let trainee = signed_in(&app, &login, &password_of(&login)).await;
    assert_eq!(fetch(&trainee, &app, &map).await.0, StatusCode::NOT_FOUND);
    let anonymous = app.browser_client();
    let (status, _, body) = fetch(&anonymous, &app, &map).await;
    assert_ne!(status, StatusCode::OK);
    assert!(!body.starts_with(b"\x89PNG"));

    // The attempt draws both pictured items (the essay is never drawn by a
    // rule without types): the trainee's view points at them, and she may
    // fetch them now.
    let attempt = start_attempt(&s.trainee, &s.quiz_id).await;
    let shown: Vec<String> = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| image_address(q["text_html"].as_str().unwrap()))
        .collect();
    assert!(shown.contains(&map) && shown.contains(&icon), "{shown:?}");
    let (status, _, bytes) = fetch(&trainee, &app, &map).await;
    assert_eq!((status, bytes), (StatusCode::OK, png.clone()));

    // Another trainee, and a made-up address, get nothing.
    app.user_with_roles("p-img-lain", &["trainee"]).await;
    let other = signed_in(&app, "p-img-lain", &password_of("p-img-lain")).await;
    assert_eq!(fetch(&other, &app, &map).await.0, StatusCode::NOT_FOUND);
    let made_up = format!("/question-media/{}", "0".repeat(64));
    assert_eq!(fetch(&admin, &app, &made_up).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        fetch(&admin, &app, "/question-media/..%2Fetc").await.0,
        StatusCode::NOT_FOUND
    );

    // Exported as Moodle XML the images travel inside the file, and a
    // re-import changes nothing; GIFT cannot carry them and says so.
    let export = |format: &'static str| crate::given::export(&s.admin, &bank_id, format);
    let exported = export("moodle_xml").await.text().await.unwrap();
    assert!(
        exported.contains("<file name=\"peta jaringan.png\" path=\"/\" encoding=\"base64\">")
            && exported.contains("<file name=\"gambar_ikon.gif\" path=\"/\" encoding=\"base64\">")
            && exported.contains("@@PLUGINFILE@@/peta%20jaringan.png"),
        "{exported}"
    );
    let (status, again) = import(&s.admin, "kembali.xml", &exported, &[("name", &bank_name)]).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (again["new"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(3)),
        "{again}"
    );
    let resp = export("gift").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refusal: Value = resp.json().await.unwrap();
    assert!(
        refusal.to_string().contains("gambar soal: 2 soal"),
        "{refusal}"
    );
}
