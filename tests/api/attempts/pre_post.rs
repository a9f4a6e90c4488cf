//! A course's pre-test and post-test: the blueprint (API and page), the
//! post-test drawn around the pre-test, no key after the pre-test, the
//! pre-test closed once the post-test began, and a batch's scores, gain,
//! chart and download; who may see what.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cases;
use crate::given::{course_and_batch, import};
use crate::support::{
    ADMIN_PASSWORD, Session, TestApp, assert_error, page, password_of, post_form, read, sign_in,
};

cases![
    pre_and_post_test_measure_the_learning_gain,
    the_blueprint_is_checked_and_only_administrators_reach_it,
];

/// Twelve true statements, so that two forms of four never meet.
fn bank() -> String {
    (1..=12)
        .map(|i| {
            format!(
                "// [id:pp-{i}] [tag:unit:jaringan]\n::PP{i}::Pernyataan nomor {i} benar. {{T}}\n\n"
            )
        })
        .collect()
}

struct Course {
    admin: Session,
    bank_id: String,
    course_id: String,
    batch_id: String,
}

async fn course(app: &TestApp, code: &str) -> Course {
    let admin = app.admin().await;
    let (status, report) = import(&admin, &format!("{code}.gift"), &bank(), &[]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (course, batch) = course_and_batch(&admin, code, json!({})).await;
    Course {
        bank_id: report["bank_id"].as_str().unwrap().to_owned(),
        course_id: course["id"].as_str().unwrap().to_owned(),
        batch_id: batch["id"].as_str().unwrap().to_owned(),
        admin,
    }
}

async fn put(session: &Session, path: &str, body: &Value) -> (StatusCode, Value) {
    read(
        session
            .request(Method::PUT, path)
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn trainee_in(app: &TestApp, c: &Course, username: &str) -> Session {
    let (user, session) = app.user_with_roles(username, &["trainee"]).await;
    let (status, body) = c
        .admin
        .post(
            &format!("/api/v1/batches/{}/enrolments", c.batch_id),
            &json!({ "user_id": user["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    session
}

/// Takes `quiz_id` answering the first `right` questions right and the
/// rest wrong: the submitted attempt and the statements drawn.
async fn take(session: &Session, quiz_id: &str, right: usize) -> (Value, HashSet<String>) {
    let (status, attempt) = session
        .post(&format!("/api/v1/quizzes/{quiz_id}/attempts"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let id = attempt["id"].as_str().unwrap();
    let mut drawn = HashSet::new();
    for (i, q) in attempt["questions"].as_array().unwrap().iter().enumerate() {
        drawn.insert(q["text_html"].as_str().unwrap().to_owned());
        let answer = if i < right { "true" } else { "false" };
        let (status, body) = crate::given::save(
            session,
            id,
            q["id"].as_str().unwrap(),
            json!({ "choices": [answer] }),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, done) = session
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    (done, drawn)
}

async fn pre_and_post_test_measure_the_learning_gain(app: TestApp) {
    let c = course(&app, "PPT").await;
    let (status, setup) = put(
        &c.admin,
        &format!("/api/v1/courses/{}/pre-post-test", c.course_id),
        &json!({
            "bank_id": c.bank_id,
            "rules": [{ "tag": "unit:jaringan", "count": 4 }],
            "time_limit_seconds": 900,
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    assert_eq!(setup["parallel_forms"], true, "{setup}");
    let pre = setup["pre_test"]["id"].as_str().unwrap().to_owned();
    let post = setup["post_test"]["id"].as_str().unwrap().to_owned();
    for test in ["pre_test", "post_test"] {
        assert_eq!(setup[test]["max_attempts"], 1, "{setup}");
        assert_eq!(setup[test]["required"], false, "{setup}");
        assert_eq!(setup[test]["time_limit_seconds"], 900, "{setup}");
    }
    assert_eq!(setup["pre_test"]["review_policy"], "never");
    assert_eq!(setup["post_test"]["review_policy"], "after_submit");
    // Saving again changes the same two tests.
    let (status, again) = put(
        &c.admin,
        &format!("/api/v1/courses/{}/pre-post-test", c.course_id),
        &json!({ "bank_id": c.bank_id, "rules": [{ "tag": "unit:jaringan", "count": 4 }] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["pre_test"]["id"], pre.as_str());
    assert_eq!(again["post_test"]["time_limit_seconds"], Value::Null);

    let ani = trainee_in(&app, &c, "ani-ppt").await;
    let budi = trainee_in(&app, &c, "budi-ppt").await;
    let citra = trainee_in(&app, &c, "citra-ppt").await;
    let dodi = trainee_in(&app, &c, "dodi-ppt").await;
    let eka = trainee_in(&app, &c, "eka-ppt").await;

    // Ani: the pre-test shows her score, never the key.
    let (status, info) = ani.get(&format!("/api/v1/quizzes/{pre}")).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert_eq!(info["kind"], "pre_test");
    let (done, seen) = take(&ani, &pre, 1).await;
    assert_eq!(done["result"]["percent"], 25.0, "{done}");
    assert_eq!(
        done["review"],
        Value::Null,
        "no review after a pre-test: {done}"
    );
    let (_, shown) = ani
        .get(&format!(
            "/api/v1/attempts/{}",
            done["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(shown["review"], Value::Null);
    assert!(!shown.to_string().contains("correct"), "{shown}");
    let (status, body) = ani
        .post(&format!("/api/v1/quizzes/{pre}/attempts"), &json!({}))
        .await;
    assert_error(status, &body, 409, "no_attempts_left");
    // The post-test is a parallel form: none of her pre-test statements.
    let (done, drawn) = take(&ani, &post, 4).await;
    assert_eq!(done["result"]["percent"], 100.0, "{done}");
    assert_eq!(drawn.len(), 4);
    assert!(seen.is_disjoint(&drawn), "{seen:?} / {drawn:?}");
    assert!(done["review"].is_array(), "the post-test has its review");

    // Budi starts with the post-test: his pre-test no longer measures a "before".
    let (done, _) = take(&budi, &post, 2).await;
    assert_eq!(done["result"]["percent"], 50.0);
    let (status, body) = budi
        .post(&format!("/api/v1/quizzes/{pre}/attempts"), &json!({}))
        .await;
    assert_error(status, &body, 409, "post_test_started");

    // Dodi knew it all before (no gain to measure); Eka did worse after,
    // and could not start the post-test while her pre-test was open.
    take(&dodi, &pre, 4).await;
    take(&dodi, &post, 2).await;
    let (status, open) = eka
        .post(&format!("/api/v1/quizzes/{pre}/attempts"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{open}");
    let (status, body) = eka
        .post(&format!("/api/v1/quizzes/{post}/attempts"), &json!({}))
        .await;
    assert_error(status, &body, 409, "pre_test_open");
    let open_id = open["id"].as_str().unwrap();
    for (i, q) in open["questions"].as_array().unwrap().iter().enumerate() {
        let answer = if i < 2 { "true" } else { "false" };
        let response = json!({ "choices": [answer] });
        crate::given::save(&eka, open_id, q["id"].as_str().unwrap(), response, None).await;
    }
    let submit = format!("/api/v1/attempts/{open_id}/submit");
    let (status, _) = eka.post(&submit, &json!({})).await;
    assert_eq!(status, StatusCode::OK);
    take(&eka, &post, 1).await;

    // The batch: five participants, three with both tests.
    let results = format!("/api/v1/batches/{}/pre-post-test", c.batch_id);
    let (status, gain) = c.admin.get(&results).await;
    assert_eq!(status, StatusCode::OK, "{gain}");
    assert_eq!(gain["set_up"], true);
    let rows = gain["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5, "{gain}");
    let ani_row = rows
        .iter()
        .find(|r| r["name"] == "Pengguna ani-ppt")
        .unwrap();
    assert_eq!(ani_row["pre"], 25.0, "{gain}");
    assert_eq!(ani_row["post"], 100.0);
    assert_eq!(ani_row["gain"], 1.0);
    assert_eq!(ani_row["gain_level"], "high");
    assert_eq!(ani_row["improved"], true);
    assert_eq!(
        rows.iter()
            .filter(|r| r["post"] == 50.0 && r["pre"].is_null() && r["gain"].is_null())
            .count(),
        1,
        "{gain}"
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r["pre"].is_null() && r["post"].is_null())
            .count(),
        1
    );
    let row_of = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap();
    let dodi_row = row_of("Pengguna dodi-ppt");
    assert_eq!(dodi_row["pre"], 100.0);
    assert_eq!(dodi_row["gain"], Value::Null, "nothing left to gain");
    assert_eq!(dodi_row["improved"], false);
    let eka_row = row_of("Pengguna eka-ppt");
    assert_eq!(
        (&eka_row["gain"], &eka_row["gain_level"]),
        (&json!(-0.5), &json!("low"))
    );
    let s = &gain["summary"];
    assert_eq!(
        (
            &s["participants"],
            &s["took_pre"],
            &s["took_post"],
            &s["took_both"]
        ),
        (&json!(5), &json!(3), &json!(4), &json!(3)),
        "{s}"
    );
    assert_eq!(
        (&s["mean_pre"], &s["mean_post"]),
        (&json!(58.3333), &json!(58.3333)),
        "over the three with both: (25 + 100 + 50) / 3 and (100 + 50 + 25) / 3"
    );
    assert_eq!(
        (&s["mean_gain"], &s["gain_level"]),
        (&json!(0.25), &json!("low")),
        "over the two with a pre-test under 100: (1 − 0,5) / 2"
    );
    assert_eq!(s["improved"], 1);

    // Its download, with decimal commas and the batch line.
    let resp = c
        .admin
        .request(Method::GET, &format!("{results}?format=csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = resp.text().await.unwrap();
    assert!(
        csv.contains("Pre-test,Post-test,N-gain,Kategori N-gain,Meningkat"),
        "{csv}"
    );
    assert!(csv.contains(",25,100,1,tinggi,ya"), "{csv}");
    assert!(
        csv.contains(",50,25,\"-0,5\",rendah,tidak"),
        "a fall stays a number: {csv}"
    );
    assert!(csv.contains("1 dari 3 meningkat"), "{csv}");
    let resp = c
        .admin
        .request(Method::GET, &format!("{results}?format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.bytes().await.unwrap().starts_with(b"PK"));

    // The pages: the batch's results with the chart, the course's blueprint.
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let (status, html) = page(
        &client,
        &app,
        &format!("/admin/batches/{}/pre-post-test", c.batch_id),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for wanted in [
        "<svg class=\"gain-chart\"",
        "Rata-rata N-gain",
        "1 <small>(tinggi)</small>",
        "0,25 (rendah)",
        "1 dari 3 peserta",
        "pre-test 25, post-test 100",
        "pre-post-test/unduh?format=csv",
    ] {
        assert!(html.contains(wanted), "{wanted} missing:\n{html}");
    }
    let resp = client
        .get(app.url(&format!(
            "/admin/batches/{}/pre-post-test/unduh?format=xlsx",
            c.batch_id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".xlsx\"")
    );
    let (status, html) = page(&client, &app, &format!("/admin/batches/{}", c.batch_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("/pre-post-test\""), "the batch page links it");

    // The laporan's section IV.
    let resp = c
        .admin
        .request(
            Method::GET,
            &format!("/api/v1/batches/{}/report/pdf", c.batch_id),
        )
        .send()
        .await
        .unwrap();
    let text = crate::pki::pdftotext(&resp.bytes().await.unwrap());
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("3 dari 5 peserta mengerjakan keduanya; 1 nilainya meningkat")
            && flat.contains("Rata-rata N-gain 0,25 (rendah)"),
        "{text}"
    );

    // A trainee finds both on the course page, and the intro says what they are.
    let trainee = app.browser_client();
    sign_in(&trainee, &app, "citra-ppt", &password_of("citra-ppt")).await;
    let (status, html) = page(&trainee, &app, &format!("/courses/{}", c.course_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("/quizzes/{pre}")) && html.contains(&format!("/quizzes/{post}")),
        "{html}"
    );
    let (_, html) = page(&trainee, &app, &format!("/quizzes/{pre}")).await;
    assert!(
        html.contains("Mulai pre-test") && !html.contains("Nilai lulus"),
        "{html}"
    );
    // Starting the post-test first closes the pre-test: the page asks, and
    // without the tick nothing starts.
    let at = format!("/quizzes/{post}");
    let (_, html) = page(&trainee, &app, &at).await;
    assert!(html.contains("Anda belum mengerjakan pre-test"), "{html}");
    let start = format!("{at}/start");
    let (status, _, location) = post_form(&trainee, &app, &at, &start, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().contains("error="));
    let (_, info) = citra.get(&format!("/api/v1/quizzes/{post}")).await;
    assert_eq!(info["attempts_used"], 0, "{info}");
    assert_eq!(info["pre_test_pending"], true, "{info}");
    let (status, _, location) = post_form(&trainee, &app, &at, &start, &[("confirm", "on")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with("/attempts/"));
}

async fn the_blueprint_is_checked_and_only_administrators_reach_it(app: TestApp) {
    let c = course(&app, "PPX").await;
    let path = format!("/api/v1/courses/{}/pre-post-test", c.course_id);
    let (status, body) = c.admin.get(&path).await;
    assert_error(status, &body, 404, "not_found");
    // Essays would wait for a marker; an empty blueprint draws nothing.
    let (status, body) = put(
        &c.admin,
        &path,
        &json!({ "bank_id": c.bank_id, "rules": [{ "tag": "unit:jaringan", "count": 2, "types": ["essay"] }] }),
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "rules", "{body}");
    let (status, body) = put(
        &c.admin,
        &path,
        &json!({ "bank_id": c.bank_id, "rules": [] }),
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "rules", "{body}");
    // More than the bank holds, and not a parallel form when only just enough.
    let (status, body) = put(
        &c.admin,
        &path,
        &json!({ "bank_id": c.bank_id, "rules": [{ "tag": "unit:jaringan", "count": 13 }] }),
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, body) = put(
        &c.admin,
        &path,
        &json!({ "bank_id": c.bank_id, "rules": [{ "tag": "unit:jaringan", "count": 7 }] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["parallel_forms"], false);
    let (status, body) = put(
        &c.admin,
        &format!("/api/v1/courses/{}/pre-post-test", uuid::Uuid::now_v7()),
        &json!({ "bank_id": c.bank_id, "rules": [{ "tag": "unit:jaringan", "count": 2 }] }),
    )
    .await;
    assert_error(status, &body, 404, "not_found");

    // Who may: administrators only; another batch's results are no one else's.
    let trainee = trainee_in(&app, &c, "dewi-ppx").await;
    let (_, assessor) = app.user_with_roles("asesor-ppx", &["assessor"]).await;
    let anonymous = app.anonymous();
    let results = format!("/api/v1/batches/{}/pre-post-test", c.batch_id);
    let body = json!({ "bank_id": c.bank_id, "rules": [{ "tag": "unit:jaringan", "count": 2 }] });
    for (who, expected) in [(&trainee, 403), (&assessor, 403), (&anonymous, 401)] {
        let (status, _) = who.get(&path).await;
        assert_eq!(status.as_u16(), expected);
        let (status, _) = put(who, &path, &body).await;
        assert_eq!(status.as_u16(), expected);
        let (status, _) = who.get(&results).await;
        assert_eq!(status.as_u16(), expected);
    }
    let (status, body) = c
        .admin
        .get(&format!(
            "/api/v1/batches/{}/pre-post-test",
            uuid::Uuid::now_v7()
        ))
        .await;
    assert_error(status, &body, 404, "not_found");
    // A batch of a course without the tests says so.
    let other = course(&app, "PPY").await;
    let (status, gain) = other
        .admin
        .get(&format!("/api/v1/batches/{}/pre-post-test", other.batch_id))
        .await;
    assert_eq!(status, StatusCode::OK, "{gain}");
    assert_eq!(gain["set_up"], false);

    // The blueprint page: a bad rule named by its line, then saved, then a
    // batch window set for the pre-test.
    let client = app.browser_client();
    sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
    let at = format!("/admin/courses/{}/pre-post-test", c.course_id);
    let (status, html) = page(&client, &app, &at).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("data-rule=\"1 × unit:jaringan, jenis benar-salah\""),
        "the bank's tags to pick from: {html}"
    );
    assert!(
        html.contains("Jadwal per angkatan") && html.contains("soal pre-test yang sama"),
        "{html}"
    );
    let (status, html, _) = post_form(
        &client,
        &app,
        &at,
        &at,
        &[
            ("bank_id", &c.bank_id),
            ("rules", "dua unit:jaringan"),
            ("post_review_policy", "after_submit"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Aturan"), "{html}");
    let (status, _, location) = post_form(
        &client,
        &app,
        &at,
        &at,
        &[
            ("bank_id", &c.bank_id),
            ("rules", "3 × unit:jaringan"),
            ("time_limit_minutes", "15"),
            ("shuffle_questions", "on"),
            ("post_review_policy", "after_close"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with(&at));
    let (_, setup) = c.admin.get(&path).await;
    assert_eq!(
        setup["post_test"]["review_policy"], "after_close",
        "{setup}"
    );
    assert_eq!(setup["pre_test"]["time_limit_seconds"], 900);
    assert_eq!(setup["parallel_forms"], true);
    let pre = setup["pre_test"]["id"].as_str().unwrap();
    let (status, _, location) = post_form(
        &client,
        &app,
        &at,
        &format!("/admin/quizzes/{pre}/windows"),
        &[
            ("batch_id", &c.batch_id),
            ("opens_at", "2026-03-03T07:00"),
            ("closes_at", "2026-03-03T08:00"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().starts_with(&at));
    let (_, html) = page(&client, &app, &at).await;
    assert!(html.contains("2026-03-03T07:00"), "{html}");
    // The pre-test's window is over for the trainee now.
    let (status, body) = trainee
        .post(&format!("/api/v1/quizzes/{pre}/attempts"), &json!({}))
        .await;
    assert_error(status, &body, 409, "quiz_closed");
    // A trainee reaches neither page.
    let tc = app.browser_client();
    sign_in(&tc, &app, "dewi-ppx", &password_of("dewi-ppx")).await;
    for path in [
        at.clone(),
        format!("/admin/batches/{}/pre-post-test", c.batch_id),
    ] {
        let (status, _) = page(&tc, &app, &path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}
