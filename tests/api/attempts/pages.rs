//! The quiz pages over plain HTTP, as a phone without JavaScript uses them:
//! a page of questions per form, saved on every "next"; and the
//! administrators' quiz settings and results pages.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::cases;
use crate::given::{Setup, correct_response, setup};
use crate::support::{TestApp, csrf_token, page, sign_in};

cases![
    a_trainee_takes_a_quiz_without_javascript,
    admin_sets_up_a_quiz_and_reads_its_results,
    quiz_pages_refuse_other_roles_and_other_users,
];

/// The form fields that answer `question` (as the API shows it) correctly.
fn answer_fields(question: &Value) -> Vec<(String, String)> {
    let id = question["id"].as_str().unwrap();
    let response = correct_response(question);
    let mut fields = Vec::new();
    if let Some(choices) = response["choices"].as_array() {
        for c in choices {
            fields.push((format!("a-{id}"), c.as_str().unwrap().to_owned()));
        }
    } else if let Some(text) = response["text"].as_str() {
        fields.push((format!("a-{id}"), text.to_owned()));
    } else if let Some(n) = response["number"].as_f64() {
        // Written the Indonesian way.
        fields.push((format!("a-{id}"), format!("{n},0")));
    } else if let Some(matches) = response["matches"].as_object() {
        for (left, right) in matches {
            fields.push((format!("m-{id}-{left}"), right.as_str().unwrap().to_owned()));
        }
    }
    fields
}

async fn post_form(
    client: &Client,
    app: &TestApp,
    path: &str,
    csrf: &str,
    fields: &[(String, String)],
) -> reqwest::Response {
    let mut form = vec![("csrf_token".to_owned(), csrf.to_owned())];
    form.extend(fields.iter().cloned());
    client.post(app.url(path)).form(&form).send().await.unwrap()
}

fn location(resp: &reqwest::Response) -> String {
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "expected a redirect");
    resp.headers()["location"].to_str().unwrap().to_owned()
}

async fn signed_in_trainee(app: &TestApp, s: &Setup) -> Client {
    let client = app.browser_client();
    let username = s.trainee_username.clone();
    sign_in(
        &client,
        app,
        &username,
        &crate::support::password_of(&username),
    )
    .await;
    client
}

async fn a_trainee_takes_a_quiz_without_javascript(app: TestApp) {
    let s = setup(
        &app,
        "QZ-PAGE",
        json!({ "time_limit_seconds": 1800, "review_policy": "after_submit" }),
    )
    .await;
    let client = signed_in_trainee(&app, &s).await;

    let (_, module) = page(&client, &app, &format!("/modules/{}", s.module_id)).await;
    assert!(
        module.contains(&format!("/quizzes/{}", s.quiz_id)),
        "module links its quiz"
    );
    let (status, intro) = page(&client, &app, &format!("/quizzes/{}", s.quiz_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        intro.contains("30 menit") && intro.contains("Mulai kuis"),
        "{intro}"
    );
    let started = post_form(
        &client,
        &app,
        &format!("/quizzes/{}/start", s.quiz_id),
        &csrf_token(&intro),
        &[],
    )
    .await;
    let attempt_path = location(&started);
    let id = attempt_path.trim_start_matches("/attempts/").to_owned();

    let (status, first) = page(&client, &app, &attempt_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        first.contains("Halaman 1 dari 2")
            && first.contains("Soal 5")
            && !first.contains("Soal 6</legend>")
    );
    assert!(
        first.contains("/static/quiz.js"),
        "enhanced when scripts run"
    );
    let csrf = csrf_token(&first);
    let (_, view) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
    let questions = view["questions"].as_array().unwrap().clone();

    // A number that is not one is named, and nothing on the page is lost.
    let numeric = questions
        .iter()
        .position(|q| q["type"] == "numerical")
        .unwrap();
    let numeric_page = numeric / 5 + 1;
    let numeric_id = questions[numeric]["id"].as_str().unwrap();
    let bad = post_form(
        &client,
        &app,
        &attempt_path,
        &csrf,
        &[
            ("page".into(), numeric_page.to_string()),
            ("go".into(), "next".into()),
            (format!("a-{numeric_id}"), "enam puluh dua".into()),
        ],
    )
    .await;
    let back = location(&bad);
    assert!(
        back.contains(&format!("page={numeric_page}")) && back.contains("error="),
        "{back}"
    );
    let (_, shown) = page(&client, &app, &back).await;
    assert!(shown.contains("bukan angka"), "{shown}");

    // Page 1 then page 2, each saved by its "next".
    for (page_number, chunk) in questions.chunks(5).enumerate() {
        let mut fields = vec![
            ("page".to_owned(), (page_number + 1).to_string()),
            ("go".to_owned(), "next".to_owned()),
        ];
        for q in chunk {
            fields.extend(answer_fields(q));
        }
        let resp = post_form(&client, &app, &attempt_path, &csrf, &fields).await;
        let next = location(&resp);
        if page_number == 0 {
            assert_eq!(next, format!("{attempt_path}?page=2"));
            let (_, summary) = page(&client, &app, &format!("{attempt_path}/summary")).await;
            assert!(summary.contains("1 soal belum dijawab"), "{summary}");
        } else {
            assert_eq!(next, format!("{attempt_path}/summary"));
        }
    }
    let (_, resumed) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
    assert_eq!(
        resumed["answers"].as_object().unwrap().len(),
        6,
        "{resumed}"
    );
    // Five of the six questions are on page 1, so at least three have choices.
    let (_, again) = page(&client, &app, &format!("{attempt_path}?page=1")).await;
    assert!(again.contains(" checked"), "answers shown again");

    let (_, summary) = page(&client, &app, &format!("{attempt_path}/summary")).await;
    assert!(summary.contains("Semua 6 soal sudah dijawab"), "{summary}");
    let submitted = post_form(
        &client,
        &app,
        &format!("{attempt_path}/submit"),
        &csrf_token(&summary),
        &[],
    )
    .await;
    assert_eq!(location(&submitted), format!("{attempt_path}/result"));
    let (status, result) = page(&client, &app, &format!("{attempt_path}/result")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        result.contains("100%") && result.contains("Lulus"),
        "{result}"
    );
    assert!(result.contains("Jawaban yang benar"), "review after submit");
    // A finished attempt's page leads to its result.
    let resp = client.get(app.url(&attempt_path)).send().await.unwrap();
    assert_eq!(location(&resp), format!("{attempt_path}/result"));
}

async fn admin_sets_up_a_quiz_and_reads_its_results(app: TestApp) {
    let s = setup(&app, "QZ-ADM", json!({})).await;
    let course = crate::given::course_with_modules(&s.admin, "QZ-ADM2", &[("Keamanan", 2)]).await;
    let module = course["modules"][0]["id"].as_str().unwrap().to_owned();
    let admin = app.browser_client();
    sign_in(&admin, &app, "admin", crate::support::ADMIN_PASSWORD).await;

    let path = format!("/admin/modules/{module}/quiz");
    let (status, blank) = page(&admin, &app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(blank.contains("Tambah kuis"), "{blank}");
    let (_, banks) = s.admin.get("/api/v1/question-banks").await;
    let bank = banks[0]["id"].as_str().unwrap().to_owned();
    let form = |rules: &str, minutes: &str| {
        vec![
            ("title".to_owned(), "Kuis Keamanan".to_owned()),
            ("bank_id".into(), bank.clone()),
            ("selection_mode".into(), "by_tags".into()),
            ("rules".into(), rules.to_owned()),
            ("time_limit_minutes".into(), minutes.to_owned()),
            ("max_attempts".into(), "2".into()),
            ("pass_percent".into(), "70".into()),
            ("grade_method".into(), "highest".into()),
            ("review_policy".into(), "after_close".into()),
            ("shuffle_questions".into(), "on".into()),
        ]
    };
    let bad = post_form(
        &admin,
        &app,
        &path,
        &csrf_token(&blank),
        &form("3 unit:jaringan\nbanyak soal", "setengah jam"),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("Baris 2") && html.contains("time_limit_minutes"),
        "{html}"
    );
    assert!(
        html.contains("banyak soal"),
        "the form keeps what was typed"
    );

    let good = post_form(
        &admin,
        &app,
        &path,
        &csrf_token(&blank),
        &form("3 unit:jaringan", "15"),
    )
    .await;
    assert!(location(&good).contains("notice="));
    let (_, saved) = page(&admin, &app, &path).await;
    assert!(
        saved.contains("Pengaturan kuis") && saved.contains("value=\"15\""),
        "{saved}"
    );
    let (_, quiz) = s.admin.get(&format!("/api/v1/modules/{module}/quiz")).await;
    assert_eq!(quiz["time_limit_seconds"], 900);
    assert_eq!(quiz["review_policy"], "after_close");

    // The module's quiz results, after one attempt.
    let (_, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    let id = attempt["id"].as_str().unwrap();
    for q in attempt["questions"].as_array().unwrap() {
        crate::given::save(
            &s.trainee,
            id,
            q["id"].as_str().unwrap(),
            correct_response(q),
            None,
        )
        .await;
    }
    s.trainee
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    let results = format!("/admin/quizzes/{}/results", s.quiz_id);
    let (status, html) = page(&admin, &app, &results).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Pengguna p-qz-adm") && html.contains("100"),
        "{html}"
    );
    assert!(
        html.contains("Analisis soal") && html.contains("q-mc"),
        "{html}"
    );
    let (status, html) = page(&admin, &app, &format!("{results}?batch_id={}", s.batch_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Pengguna p-qz-adm"));
    let csv = admin
        .get(app.url(&format!("{results}.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(csv.text().await.unwrap().contains("Pengguna p-qz-adm"));
    let xlsx = admin
        .get(app.url(&format!("{results}.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(
        xlsx.bytes().await.unwrap().starts_with(b"PK"),
        "an XLSX is a zip"
    );

    // A batch's own window, from the settings page.
    let (_, settings) = page(
        &admin,
        &app,
        &format!("/admin/modules/{}/quiz", s.module_id),
    )
    .await;
    let resp = post_form(
        &admin,
        &app,
        &format!("/admin/quizzes/{}/windows", s.quiz_id),
        &csrf_token(&settings),
        &[
            ("batch_id".into(), s.batch_id.clone()),
            ("opens_at".into(), "2026-12-01T08:00".into()),
            ("closes_at".into(), "2026-12-01T07:00".into()),
        ],
    )
    .await;
    assert!(
        location(&resp).contains("error="),
        "closing before opening is refused"
    );
    let resp = post_form(
        &admin,
        &app,
        &format!("/admin/quizzes/{}/windows", s.quiz_id),
        &csrf_token(&settings),
        &[
            ("batch_id".into(), s.batch_id.clone()),
            ("opens_at".into(), "2026-12-01T08:00".into()),
            ("closes_at".into(), "2026-12-01T10:00".into()),
        ],
    )
    .await;
    assert!(location(&resp).contains("notice="));
    let (_, settings) = page(
        &admin,
        &app,
        &format!("/admin/modules/{}/quiz", s.module_id),
    )
    .await;
    assert!(
        settings.contains("value=\"2026-12-01T08:00\""),
        "{settings}"
    );
}

async fn quiz_pages_refuse_other_roles_and_other_users(app: TestApp) {
    let s = setup(&app, "QZ-DENY", json!({})).await;
    let (_, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    let id = attempt["id"].as_str().unwrap();

    let anonymous = app.browser_client();
    for path in [format!("/quizzes/{}", s.quiz_id), format!("/attempts/{id}")] {
        let resp = anonymous.get(app.url(&path)).send().await.unwrap();
        assert_eq!(resp.headers()["location"], "/login", "{path}");
    }

    app.user_with_roles("p-lain", &["trainee"]).await;
    let other = app.browser_client();
    sign_in(
        &other,
        &app,
        "p-lain",
        &crate::support::password_of("p-lain"),
    )
    .await;
    for path in [
        format!("/attempts/{id}"),
        format!("/attempts/{id}/summary"),
        format!("/attempts/{id}/result"),
    ] {
        let (status, _) = page(&other, &app, &path).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "another trainee's attempt: {path}"
        );
    }
    let (_, home) = page(&other, &app, "/").await;
    let resp = post_form(
        &other,
        &app,
        &format!("/attempts/{id}"),
        &csrf_token(&home),
        &[("page".into(), "1".into())],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = post_form(
        &other,
        &app,
        &format!("/attempts/{id}/submit"),
        &csrf_token(&home),
        &[],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let (_, still_open) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
    assert_eq!(still_open["status"], "open");

    let trainee = signed_in_trainee(&app, &s).await;
    app.user_with_roles("asesor-kuis", &["assessor"]).await;
    let assessor = app.browser_client();
    sign_in(
        &assessor,
        &app,
        "asesor-kuis",
        &crate::support::password_of("asesor-kuis"),
    )
    .await;
    for client in [&trainee, &assessor] {
        for path in [
            format!("/admin/modules/{}/quiz", s.module_id),
            format!("/admin/quizzes/{}/results", s.quiz_id),
            format!("/admin/quizzes/{}/results.csv", s.quiz_id),
        ] {
            let (status, _) = page(client, &app, &path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }
    let (_, home) = page(&trainee, &app, "/").await;
    let resp = post_form(
        &trainee,
        &app,
        &format!("/admin/modules/{}/quiz", s.module_id),
        &csrf_token(&home),
        &[("title".into(), "Diubah".into())],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}
