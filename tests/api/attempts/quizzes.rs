//! Quizzes and the attempt engine: settings, start once, resume, autosave,
//! deadlines, submit once, grading, review policy, results, races.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cases;
use crate::given::{BANK, correct_response, import, save, seat, setup};
use crate::support::{TestApp, assert_error, read};

cases![
    a_quiz_taken_start_to_finish,
    starting_twice_gives_the_same_attempt,
    twenty_concurrent_starts_make_one_attempt,
    saves_are_checked_and_ordered,
    concurrent_submits_grade_once,
    a_save_racing_the_submit_counts_only_if_acknowledged,
    the_deadline_closes_the_attempt_with_its_answers,
    the_key_never_reaches_a_trainee_before_review,
    choice_ids_reveal_no_bank_position,
    cookie_api_calls_need_our_origin_and_token,
    quiz_rules_enrolment_window_attempts,
    other_users_and_roles_are_refused,
    results_analysis_regrade_and_progress,
    a_question_moved_to_the_exam_pool_leaves_old_reviews,
];

async fn a_quiz_taken_start_to_finish(app: TestApp) {
    let s = setup(&app, "QZ-FLOW", json!({ "time_limit_seconds": 1800 })).await;
    let (status, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let id = attempt["id"].as_str().unwrap();
    let questions = attempt["questions"].as_array().unwrap().clone();
    assert_eq!(questions.len(), 6);
    let deadline = time::OffsetDateTime::parse(
        attempt["deadline"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let started = time::OffsetDateTime::parse(
        attempt["started_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(
        (deadline - started).whole_seconds(),
        1800,
        "deadline = start + limit, by the server"
    );
    assert!(attempt["server_time"].is_string());
    for q in &questions {
        let (status, saved) = save(
            &s.trainee,
            id,
            q["id"].as_str().unwrap(),
            correct_response(q),
            Some(1),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{} {saved}", q["type"]);
        assert!(saved["saved_at"].is_string());
    }
    let (_, resumed) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
    assert_eq!(
        resumed["questions"], attempt["questions"],
        "same questions, same order"
    );
    assert_eq!(resumed["answers"].as_object().unwrap().len(), 6);
    assert_eq!(resumed["result"], Value::Null);
    assert_eq!(resumed["review"], Value::Null);
    let (status, done) = s
        .trainee
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "graded");
    assert_eq!(
        (
            done["result"]["percent"].as_f64(),
            done["result"]["passed"].as_bool()
        ),
        (Some(100.0), Some(true)),
        "{done}"
    );
    assert_eq!(done["result"]["finished_by"], "trainee");
    let review = done["review"].as_array().expect("review after submit");
    assert_eq!(review.len(), 6);
    assert!(review.iter().any(|r| r["correct_answer_html"] == "443"));
    assert!(
        review
            .iter()
            .any(|r| r["feedback_html"] == "Benar, HTTPS memakai 443")
    );
    let (status, body) = save(
        &s.trainee,
        id,
        questions[0]["id"].as_str().unwrap(),
        correct_response(&questions[0]),
        None,
    )
    .await;
    assert_error(status, &body, 409, "attempt_closed");
    let (_, info) = s
        .trainee
        .get(&format!("/api/v1/quizzes/{}", s.quiz_id))
        .await;
    assert_eq!(
        (
            info["attempts_used"].as_u64(),
            info["kept_percent"].as_f64(),
            info["passed"].as_bool()
        ),
        (Some(1), Some(100.0), Some(true))
    );
    let (status, body) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_error(status, &body, 409, "no_attempts_left");
}

async fn starting_twice_gives_the_same_attempt(app: TestApp) {
    let s = setup(&app, "QZ-TWICE", json!({})).await;
    let path = format!("/api/v1/quizzes/{}/attempts", s.quiz_id);
    let (first, a) = s.trainee.post(&path, &json!({})).await;
    let (second, b) = s.trainee.post(&path, &json!({})).await;
    assert_eq!((first, second), (StatusCode::CREATED, StatusCode::OK));
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["questions"], b["questions"]);
}

async fn twenty_concurrent_starts_make_one_attempt(app: TestApp) {
    let s = setup(&app, "QZ-RACE", json!({ "max_attempts": 3 })).await;
    let path = format!("/api/v1/quizzes/{}/attempts", s.quiz_id);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (trainee, path) = (s.trainee.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            trainee.post(&path, &json!({})).await
        }));
    }
    let mut ids = Vec::new();
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {body}"
        );
        created += usize::from(status == StatusCode::CREATED);
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one attempt");
    assert_eq!(created, 1);
    let (_, info) = s
        .trainee
        .get(&format!("/api/v1/quizzes/{}", s.quiz_id))
        .await;
    assert_eq!(info["attempts_used"], 1);
}

async fn saves_are_checked_and_ordered(app: TestApp) {
    let s = setup(&app, "QZ-SAVE", json!({ "shuffle_choices": false })).await;
    let (_, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    let id = attempt["id"].as_str().unwrap();
    let q = |kind: &str| {
        attempt["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| {
                q["type"] == kind && (kind != "multichoice" || !q["multiple"].as_bool().unwrap())
            })
            .unwrap()
            .clone()
    };
    let mc = q("multichoice");
    let mc_id = mc["id"].as_str().unwrap();
    let (status, body) = save(&s.trainee, id, mc_id, json!({ "choices": ["c0"] }), None).await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "response.choices");
    let (status, body) = save(&s.trainee, id, mc_id, json!({ "text": "443" }), None).await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, _) = save(
        &s.trainee,
        id,
        &uuid::Uuid::new_v4().to_string(),
        json!({ "text": "x" }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let first = mc["choices"][0]["id"].clone();
    let second = mc["choices"][1]["id"].clone();
    let (_, newer) = save(
        &s.trainee,
        id,
        mc_id,
        json!({ "choices": [second] }),
        Some(5),
    )
    .await;
    assert_eq!(newer["stale"], false);
    let (_, older) = save(
        &s.trainee,
        id,
        mc_id,
        json!({ "choices": [first] }),
        Some(4),
    )
    .await;
    assert_eq!(
        older["stale"], true,
        "a stale write never overwrites a newer one"
    );
    let (_, again) = save(
        &s.trainee,
        id,
        mc_id,
        json!({ "choices": [second] }),
        Some(5),
    )
    .await;
    assert_eq!(
        again["stale"], false,
        "saving the same answer twice is harmless"
    );
    let (_, resumed) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
    assert_eq!(
        resumed["answers"][mc_id]["response"],
        json!({ "choices": [second] })
    );
    assert!(
        !first.as_str().unwrap().ends_with('0') || first != json!("c0"),
        "choice ids are opaque"
    );
}

async fn concurrent_submits_grade_once(app: TestApp) {
    let s = setup(&app, "QZ-SUB", json!({})).await;
    let (_, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    let id = attempt["id"].as_str().unwrap().to_owned();
    let q = &attempt["questions"][0];
    save(
        &s.trainee,
        &id,
        q["id"].as_str().unwrap(),
        correct_response(q),
        None,
    )
    .await;
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (trainee, id) = (s.trainee.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            trainee
                .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
                .await
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        results.push(body["result"].clone());
    }
    assert!(
        results.windows(2).all(|w| w[0] == w[1]),
        "every submit sees the one grading: {results:?}"
    );
    assert!(
        (results[0]["percent"].as_f64().unwrap() - 100.0 / 6.0).abs() < 0.01,
        "{}",
        results[0]
    );
}

async fn a_save_racing_the_submit_counts_only_if_acknowledged(app: TestApp) {
    for round in 0..5 {
        let s = setup(&app, &format!("QZ-RC{round}"), json!({})).await;
        let (_, attempt) = s
            .trainee
            .post(
                &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
                &json!({}),
            )
            .await;
        let id = attempt["id"].as_str().unwrap().to_owned();
        let questions = attempt["questions"].as_array().unwrap().clone();
        let mut saves = Vec::new();
        for q in &questions {
            let (trainee, id, q) = (s.trainee.clone(), id.clone(), q.clone());
            saves.push(tokio::spawn(async move {
                let (status, _) = save(
                    &trainee,
                    &id,
                    q["id"].as_str().unwrap(),
                    correct_response(&q),
                    None,
                )
                .await;
                (q["id"].as_str().unwrap().to_owned(), status)
            }));
        }
        let (trainee, sid) = (s.trainee.clone(), id.clone());
        let submit = tokio::spawn(async move {
            trainee
                .post(&format!("/api/v1/attempts/{sid}/submit"), &json!({}))
                .await
        });
        let mut acknowledged = 0;
        for t in saves {
            let (_, status) = t.await.unwrap();
            assert!(
                status == StatusCode::OK || status == StatusCode::CONFLICT,
                "{status}"
            );
            acknowledged += usize::from(status == StatusCode::OK);
        }
        let (_, done) = submit.await.unwrap();
        let (_, final_view) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
        assert_eq!(final_view["result"], done["result"]);
        let expected = acknowledged as f64 * 100.0 / 6.0;
        assert!(
            (done["result"]["percent"].as_f64().unwrap() - expected).abs() < 0.01,
            "round {round}: {acknowledged} acknowledged, graded {}",
            done["result"]
        );
    }
}

async fn the_deadline_closes_the_attempt_with_its_answers(app: TestApp) {
    let closes = time::OffsetDateTime::now_utc() + time::Duration::seconds(2);
    let fmt = closes
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let s = setup(
        &app,
        "QZ-DL",
        json!({ "closes_at": fmt, "time_limit_seconds": 3600 }),
    )
    .await;
    let (_, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    let id = attempt["id"].as_str().unwrap();
    let deadline = time::OffsetDateTime::parse(
        attempt["deadline"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        (deadline - closes).abs() < time::Duration::milliseconds(1),
        "min(start + limit, close)"
    );
    let questions = attempt["questions"].as_array().unwrap();
    let (status, _) = save(
        &s.trainee,
        id,
        questions[0]["id"].as_str().unwrap(),
        correct_response(&questions[0]),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(8000)).await;
    // 6 s after the deadline: refused, whatever the client's clock says.
    let (status, body) = save(
        &s.trainee,
        id,
        questions[1]["id"].as_str().unwrap(),
        correct_response(&questions[1]),
        None,
    )
    .await;
    assert_error(status, &body, 409, "attempt_closed");
    let (_, view) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
    assert_eq!(view["result"]["finished_by"], "deadline");
    assert!(
        (view["result"]["percent"].as_f64().unwrap() - 100.0 / 6.0).abs() < 0.01,
        "the answer saved in time counts: {}",
        view["result"]
    );
    let (status, body) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_error(status, &body, 409, "quiz_closed");
}

/// Fails the test if `value` contains anything of an answer key.
fn assert_no_key(value: &Value, context: &str) {
    let text = value.to_string();
    for forbidden in [
        "\"fraction\"",
        "\"feedback",
        "\"correct",
        "general_feedback",
        "Domain Name System",
        "Benar, HTTPS",
        "2^6",
        "Itu HTTP",
        "tidak terenkripsi",
    ] {
        assert!(
            !text.contains(forbidden),
            "{context} leaks {forbidden}: {text}"
        );
    }
}

async fn the_key_never_reaches_a_trainee_before_review(app: TestApp) {
    let s = setup(&app, "QZ-KEY", json!({ "review_policy": "never" })).await;
    let (_, info) = s
        .trainee
        .get(&format!("/api/v1/quizzes/{}", s.quiz_id))
        .await;
    assert_no_key(&info, "quiz info");
    let (_, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_no_key(&attempt, "start");
    let id = attempt["id"].as_str().unwrap();
    for q in attempt["questions"].as_array().unwrap() {
        let (_, saved) = save(
            &s.trainee,
            id,
            q["id"].as_str().unwrap(),
            correct_response(q),
            None,
        )
        .await;
        assert_no_key(&saved, "save");
    }
    let (_, resumed) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
    assert_no_key(&resumed, "resume");
    let client = app.browser_client();
    crate::support::sign_in(
        &client,
        &app,
        "p-qz-key",
        &crate::support::password_of("p-qz-key"),
    )
    .await;
    for path in [
        format!("/modules/{}", s.module_id),
        format!("/quizzes/{}", s.quiz_id),
        format!("/attempts/{id}"),
        format!("/attempts/{id}?page=2"),
        format!("/attempts/{id}/summary"),
        "/static/quiz.js".to_owned(),
    ] {
        let (status, html) = crate::support::page(&client, &app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_no_key(&Value::String(html), &path);
    }
    let (_, done) = s
        .trainee
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_no_key(&done, "after submit with review 'never'");
    assert_eq!(done["result"]["percent"], 100.0);
    let (_, mine) = s.trainee.get("/api/v1/me/batches").await;
    assert_no_key(&mine, "Bimtek saya");
    for path in [
        format!("/quizzes/{}", s.quiz_id),
        format!("/attempts/{id}/result"),
    ] {
        let (status, html) = crate::support::page(&client, &app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            html.contains("100%") || path.starts_with("/quizzes"),
            "{html}"
        );
        assert_no_key(&Value::String(html), &path);
    }
    // The administrator sees the review.
    let (_, admin_view) = s.admin.get(&format!("/api/v1/attempts/{id}")).await;
    assert!(admin_view["review"].is_array());
}

/// Every choice-like id (`c`, `l` or `r` and 20 hex digits) in `text`.
fn choice_ids_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for start in 0..bytes.len().saturating_sub(20) {
        let boundary = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let end = start + 21;
        if boundary
            && matches!(bytes[start], b'c' | b'l' | b'r')
            && bytes[start + 1..end]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            && bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric())
        {
            found.push(text[start..end].to_owned());
        }
    }
    found
}

/// The derivation the review broke: a hash of public ids and a bank position.
fn public_derivation(attempt: &str, question: &str, letter: char, index: u16) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(uuid::Uuid::parse_str(attempt).unwrap().as_bytes());
    hash.update(uuid::Uuid::parse_str(question).unwrap().as_bytes());
    hash.update([letter as u8]);
    hash.update(index.to_le_bytes());
    hex::encode(&hash.finalize()[..5])
}

async fn choice_ids_reveal_no_bank_position(app: TestApp) {
    let s = setup(
        &app,
        "QZ-IDS",
        json!({ "review_policy": "never", "max_attempts": 2 }),
    )
    .await;
    let start = format!("/api/v1/quizzes/{}/attempts", s.quiz_id);
    let (_, first) = s.trainee.post(&start, &json!({})).await;
    let id = first["id"].as_str().unwrap().to_owned();
    // Everything the trainee receives: start, resume, save replies, pages.
    let mut received = vec![first.to_string()];
    let (_, resumed) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
    received.push(resumed.to_string());
    let questions = first["questions"].as_array().unwrap().clone();
    for q in &questions {
        let (status, saved) = save(
            &s.trainee,
            &id,
            q["id"].as_str().unwrap(),
            correct_response(q),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        received.push(saved.to_string());
    }
    let client = app.browser_client();
    crate::support::sign_in(
        &client,
        &app,
        "p-qz-ids",
        &crate::support::password_of("p-qz-ids"),
    )
    .await;
    for path in [
        format!("/attempts/{id}"),
        format!("/attempts/{id}?page=2"),
        format!("/attempts/{id}/summary"),
    ] {
        let (status, html) = crate::support::page(&client, &app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        received.push(html);
    }
    let shown: std::collections::BTreeSet<String> = received
        .iter()
        .flat_map(|text| choice_ids_in(text))
        .collect();
    assert!(shown.len() >= 10, "choice ids found: {shown:?}");
    // Someone who knows the old derivation and every public field tries
    // every bank position of every question: nothing matches.
    for q in &questions {
        let question = q["id"].as_str().unwrap();
        for letter in ['c', 'l', 'r'] {
            for index in 0..16 {
                let guess = public_derivation(&id, question, letter, index);
                assert!(
                    shown.iter().all(|shown| !shown.contains(&guess)),
                    "position {index} of {question} recovered"
                );
            }
        }
    }
    // A second attempt of the same quiz shares no id with the first.
    let (status, done) = s
        .trainee
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (status, second) = s.trainee.post(&start, &json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_ne!(second["id"], first["id"]);
    let again: std::collections::BTreeSet<String> =
        choice_ids_in(&second.to_string()).into_iter().collect();
    assert!(!again.is_empty());
    assert!(
        again.is_disjoint(&shown),
        "two attempts share choice ids: {:?}",
        again.intersection(&shown).collect::<Vec<_>>()
    );
}

/// The session cookie alone does not let another site (or a script without
/// the page's token) change anything through the API; a bearer token does.
async fn cookie_api_calls_need_our_origin_and_token(app: TestApp) {
    let s = setup(&app, "QZ-CSRF", json!({})).await;
    let (_, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    let id = attempt["id"].as_str().unwrap().to_owned();
    let question = &attempt["questions"][0];
    let answer = json!({ "response": correct_response(question) });
    let path = format!(
        "/api/v1/attempts/{id}/answers/{}",
        question["id"].as_str().unwrap()
    );
    let client = app.browser_client();
    crate::support::sign_in(
        &client,
        &app,
        "p-qz-csrf",
        &crate::support::password_of("p-qz-csrf"),
    )
    .await;
    let (_, html) = crate::support::page(&client, &app, &format!("/attempts/{id}")).await;
    let token = html
        .split("data-api-token=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 32, "{token}");
    let own_origin = app.url("");
    let own_origin = own_origin.trim_end_matches('/');
    let put = |headers: &[(&str, &str)]| {
        let mut request = client.put(app.url(&path)).json(&answer);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send()
    };
    let wrong = "0".repeat(32);
    for (headers, why) in [
        (vec![], "no token"),
        (vec![("x-csrf-token", wrong.as_str())], "wrong token"),
        (
            vec![
                ("x-csrf-token", token.as_str()),
                ("origin", "https://evil.example"),
            ],
            "another origin",
        ),
        (
            vec![
                ("x-csrf-token", token.as_str()),
                ("sec-fetch-site", "cross-site"),
            ],
            "another site",
        ),
    ] {
        let (status, body) = read(put(&headers).await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{why}: {body}");
        assert_error(status, &body, 403, "csrf_failed");
    }
    let (status, body) = read(
        put(&[
            ("x-csrf-token", token.as_str()),
            ("origin", own_origin),
            ("sec-fetch-site", "same-origin"),
        ])
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Logout and imports are unsafe too.
    let resp = client
        .post(app.url("/api/v1/auth/logout"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (status, _) = crate::support::page(&client, &app, "/my/batches").await;
    assert_eq!(status, StatusCode::OK, "still signed in");
    // A bearer token is no cookie: the origin does not matter.
    let resp = s
        .trainee
        .request(Method::PUT, &path)
        .header("origin", "https://evil.example")
        .json(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

async fn quiz_rules_enrolment_window_attempts(app: TestApp) {
    let s = setup(&app, "QZ-RULE", json!({ "max_attempts": 2 })).await;
    let (status, body) = s
        .admin
        .post(
            &format!("/api/v1/modules/{}/quiz", s.module_id),
            &json!({ "bank_id": uuid::Uuid::new_v4(), "selection": { "rules": [] } }),
        )
        .await;
    assert_error(status, &body, 409, "quiz_exists");
    let course = crate::given::course_with_modules(&s.admin, "QZ-RULE2", &[("M", 1)]).await;
    let module = course["modules"][0]["id"].as_str().unwrap();
    let (_, banks) = s.admin.get("/api/v1/question-banks").await;
    let bank = banks[0]["id"].clone();
    let (status, body) = s.admin.post(&format!("/api/v1/modules/{module}/quiz"), &json!({ "bank_id": bank, "selection": { "rules": [{ "tag": "unit:jaringan", "count": 9 }] }, "pass_percent": 120 })).await;
    assert_error(status, &body, 422, "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    // The document refuses the pass mark before the service sees the rules.
    assert_eq!(fields, ["pass_percent"]);
    let (status, body) = s
        .admin
        .post(
            &format!("/api/v1/modules/{module}/quiz"),
            &json!({ "bank_id": bank, "selection": { "rules": [], "question_ids": [] } }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");

    let (_, stranger) = app.user_with_roles("orang-lain", &["trainee"]).await;
    let (status, body) = stranger
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_error(status, &body, 409, "not_enrolled");

    let fmt = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let now = time::OffsetDateTime::now_utc();
    let (status, _) = s
        .admin
        .patch(
            &format!("/api/v1/modules/{}/quiz", s.module_id),
            &json!({ "opens_at": fmt(now + time::Duration::hours(1)) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_error(status, &body, 409, "quiz_not_open");
    let (status, _) = s.admin.post(&format!("/api/v1/quizzes/{}/windows", s.quiz_id), &json!({ "batch_id": s.batch_id, "opens_at": fmt(now - time::Duration::hours(1)), "closes_at": fmt(now + time::Duration::hours(1)) })).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the batch's own window applies"
    );
    let (_, info) = s
        .trainee
        .get(&format!("/api/v1/quizzes/{}", s.quiz_id))
        .await;
    s.trainee
        .post(
            &format!(
                "/api/v1/attempts/{}/submit",
                info["open_attempt_id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    assert_eq!(
        s.trainee
            .post(
                &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
                &json!({})
            )
            .await
            .0,
        StatusCode::CREATED,
        "second of two attempts"
    );
    let (_, info) = s
        .trainee
        .get(&format!("/api/v1/quizzes/{}", s.quiz_id))
        .await;
    s.trainee
        .post(
            &format!(
                "/api/v1/attempts/{}/submit",
                info["open_attempt_id"].as_str().unwrap()
            ),
            &json!({}),
        )
        .await;
    let (status, body) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_error(status, &body, 409, "no_attempts_left");
    s.admin
        .post(
            &format!("/api/v1/quizzes/{}/windows", s.quiz_id),
            &json!({ "batch_id": s.batch_id, "closes_at": fmt(now - time::Duration::minutes(1)) }),
        )
        .await;
}

async fn other_users_and_roles_are_refused(app: TestApp) {
    let s = setup(&app, "QZ-ROLE", json!({})).await;
    let (_, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    let id = attempt["id"].as_str().unwrap().to_owned();
    let q = attempt["questions"][0].clone();
    let (other_user, other) = app.user_with_roles("lain", &["trainee"]).await;
    seat(&s.admin, &s.course_id, &[&other_user]).await;
    let (_, assessor) = app.user_with_roles("asesor", &["assessor"]).await;
    let anon = app.anonymous();
    for (who, session, expected) in [
        ("another trainee", &other, 404),
        ("assessor", &assessor, 404),
        ("anonymous", &anon, 401),
    ] {
        assert_eq!(
            session
                .get(&format!("/api/v1/attempts/{id}"))
                .await
                .0
                .as_u16(),
            expected,
            "{who} GET"
        );
        let (status, _) = save(
            session,
            &id,
            q["id"].as_str().unwrap(),
            correct_response(&q),
            None,
        )
        .await;
        assert_eq!(status.as_u16(), expected, "{who} PUT");
        assert_eq!(
            session
                .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
                .await
                .0
                .as_u16(),
            expected,
            "{who} submit"
        );
    }
    let admin_only = [
        (
            Method::POST,
            format!("/api/v1/modules/{}/quiz", s.module_id),
        ),
        (
            Method::PATCH,
            format!("/api/v1/modules/{}/quiz", s.module_id),
        ),
        (Method::GET, format!("/api/v1/modules/{}/quiz", s.module_id)),
        (
            Method::POST,
            format!("/api/v1/quizzes/{}/windows", s.quiz_id),
        ),
        (
            Method::GET,
            format!("/api/v1/quizzes/{}/results", s.quiz_id),
        ),
        (
            Method::GET,
            format!("/api/v1/quizzes/{}/analysis", s.quiz_id),
        ),
        (Method::POST, format!("/api/v1/attempts/{id}/regrade")),
        (Method::GET, format!("/api/v1/attempts/{id}/audit")),
    ];
    for (method, path) in &admin_only {
        for (who, session, expected) in [
            ("trainee", &s.trainee, 403),
            ("assessor", &assessor, 403),
            ("anonymous", &anon, 401),
        ] {
            let resp = session
                .request(method.clone(), path)
                .json(&json!({ "reason": "x", "batch_id": s.batch_id }))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), expected, "{who} {method} {path}");
        }
    }
    assert_eq!(
        assessor
            .post(
                &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
                &json!({})
            )
            .await
            .0,
        StatusCode::FORBIDDEN,
        "only trainees take quizzes"
    );
    let (status, admin_view) = s.admin.get(&format!("/api/v1/attempts/{id}")).await;
    assert_eq!(status, StatusCode::OK, "administrators see every attempt");
    assert_eq!(
        admin_view["answers"],
        json!({}),
        "the refused saves stored nothing"
    );
}

async fn results_analysis_regrade_and_progress(app: TestApp) {
    let s = setup(&app, "QZ-RES", json!({ "pass_percent": 50 })).await;
    let (_, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    let id = attempt["id"].as_str().unwrap();
    for q in attempt["questions"].as_array().unwrap().iter().take(4) {
        save(
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
    let (_, results) = s
        .admin
        .get(&format!(
            "/api/v1/quizzes/{}/results?batch={}",
            s.quiz_id, s.batch_id
        ))
        .await;
    let row = &results["rows"][0];
    assert_eq!(row["user_id"], s.trainee_id.as_str());
    assert!(
        (row["kept_percent"].as_f64().unwrap() - 66.67).abs() < 0.01,
        "{row}"
    );
    assert_eq!(row["passed"], true);
    let csv = s
        .admin
        .request(
            Method::GET,
            &format!("/api/v1/quizzes/{}/results?format=csv", s.quiz_id),
        )
        .send()
        .await
        .unwrap();
    assert!(csv.text().await.unwrap().contains("66.67"));
    let xlsx = s
        .admin
        .request(
            Method::GET,
            &format!("/api/v1/quizzes/{}/results?format=xlsx", s.quiz_id),
        )
        .send()
        .await
        .unwrap();
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));
    let (_, analysis) = s
        .admin
        .get(&format!("/api/v1/quizzes/{}/analysis", s.quiz_id))
        .await;
    assert_eq!(analysis.as_array().unwrap().len(), 6);
    assert!(
        analysis
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["stats"]["responses"] == 1)
    );

    let (status, body) = s
        .admin
        .post(
            &format!("/api/v1/attempts/{id}/regrade"),
            &json!({ "reason": " " }),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, regraded) = s
        .admin
        .post(
            &format!("/api/v1/attempts/{id}/regrade"),
            &json!({ "reason": "Periksa ulang kunci" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{regraded}");
    let (_, audit) = s.admin.get(&format!("/api/v1/attempts/{id}/audit")).await;
    assert_eq!(audit[0]["action"], "attempt.regrade");
    assert_eq!(audit[0]["reason"], "Periksa ulang kunci");
    assert!(audit[0]["old_value"].as_str().unwrap().contains("66.67"));

    let (_, progress) = s
        .admin
        .get(&format!("/api/v1/batches/{}/progress", s.batch_id))
        .await;
    let quiz = &progress["rows"][0]["quiz_best"][0];
    assert_eq!(
        (
            quiz["passed"].as_bool(),
            quiz["best_percent"].as_f64().map(|p| p.round())
        ),
        (Some(true), Some(67.0)),
        "{progress}"
    );
}

/// A question moved into the exam pool after a quiz attempt drew it is no
/// longer reviewed there (its key and notes are the exam's now); the
/// administrator still sees the whole attempt.
async fn a_question_moved_to_the_exam_pool_leaves_old_reviews(app: TestApp) {
    let s = setup(&app, "PINDAH", json!({})).await;
    let (status, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let id = attempt["id"].as_str().unwrap();
    let (_, done) = s
        .trainee
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_eq!(done["review"].as_array().unwrap().len(), 6, "{done}");
    let moved = BANK.replace(
        "// [id:q-mc] [tag:unit:jaringan]",
        "// [id:q-mc] [tag:pool:ujian] [tag:unit:jaringan]",
    );
    let (status, report) = import(&s.admin, "PINDAH.gift", &moved, &[]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["changed"], 1, "{report}");
    let (_, view) = s.trainee.get(&format!("/api/v1/attempts/{id}")).await;
    let review = view["review"].as_array().unwrap();
    assert_eq!(review.len(), 5, "{view}");
    assert!(!review.iter().any(|r| r["correct_answer_html"] == "443"));
    let (_, seen) = s.admin.get(&format!("/api/v1/attempts/{id}")).await;
    assert_eq!(seen["review"].as_array().unwrap().len(), 6);
}
