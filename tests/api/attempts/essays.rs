//! Quiz essays: rules by tag, type and level; essays only when a rule names
//! them; the marking queue that grades the attempt on its last mark.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::given::{
    BANK, Setup, correct_response, enrol, person, save, setup_with_bank, sit, small_exam,
};
use crate::support::{Session, TestApp, assert_error, csrf_token, page, sign_in};

cases![
    old_rules_draw_no_essays_and_rules_the_bank_cannot_fill_are_refused,
    an_assessor_marks_the_essay_and_the_attempt_is_graded,
    marking_is_refused_to_trainees_twice_and_for_exams,
    the_editor_shows_counts_and_an_assessor_marks_on_the_page,
    an_administrator_corrects_a_mark_with_a_reason,
];

/// `BANK` plus two essays on the same unit, one at level ahli-muda.
fn essay_bank() -> String {
    format!(
        "{BANK}\n// [id:q-es1] [tag:unit:jaringan] [tag:level:ahli-muda]\n::ES1::Jelaskan cara kerja DNS. {{}}\n\n\
         // [id:q-es2] [tag:unit:jaringan] [tag:level:terampil]\n::ES2::Jelaskan fungsi router. {{}}\n"
    )
}

async fn essay_setup(app: &TestApp, code: &str, rules: Value, quiz: Value) -> Setup {
    let mut settings = json!({ "selection": { "rules": rules } });
    for (k, v) in quiz.as_object().unwrap() {
        settings[k] = v.clone();
    }
    setup_with_bank(app, code, &essay_bank(), settings).await
}

fn types(attempt: &Value) -> Vec<String> {
    attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["type"].as_str().unwrap().to_owned())
        .collect()
}

async fn old_rules_draw_no_essays_and_rules_the_bank_cannot_fill_are_refused(app: TestApp) {
    // A rule with no types, as every quiz stored before types existed.
    let s = essay_setup(
        &app,
        "QE-OLD",
        json!([{ "tag": "unit:jaringan", "count": 6 }]),
        json!({}),
    )
    .await;
    let (status, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let drawn = types(&attempt);
    assert_eq!(drawn.len(), 6);
    assert!(!drawn.contains(&"essay".to_owned()), "{drawn:?}");

    let quiz = format!("/api/v1/modules/{}/quiz", s.module_id);
    let (status, body) = s
        .admin
        .patch(
            &quiz,
            &json!({ "selection": { "rules": [{ "tag": "unit:jaringan", "count": 7 }] } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let detail = &body["error"]["details"][0];
    assert_eq!(detail["field"], "selection.rules[0].count", "{body}");
    assert!(
        detail["message"]
            .as_str()
            .unwrap()
            .contains("hanya memiliki 6 soal"),
        "essays do not count for a rule without types: {body}"
    );

    let (status, body) = s
        .admin
        .patch(
            &quiz,
            &json!({ "selection": { "rules": [
                { "tag": "unit:jaringan", "count": 2, "types": ["multichoice", "truefalse"] },
                { "tag": "unit:jaringan", "count": 2, "types": ["essay"], "level": "ahli-muda" },
            ] } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let detail = &body["error"]["details"][0];
    assert_eq!(detail["field"], "selection.rules[1].count", "{body}");
    assert!(
        detail["message"]
            .as_str()
            .unwrap()
            .contains("hanya memiliki 1 soal"),
        "{body}"
    );

    let (status, body) = s
        .admin
        .patch(
            &quiz,
            &json!({ "selection": { "rules": [
                { "tag": "unit:jaringan", "count": 3, "types": ["multichoice", "truefalse"] },
                { "tag": "unit:jaringan", "count": 1, "types": ["essay"], "level": "ahli-muda" },
            ] } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rules"][1]["types"], json!(["essay"]), "{body}");
    assert_eq!(body["rules"][1]["level"], "ahli-muda", "{body}");
    assert!(body["rules"][0].get("level").is_none(), "{body}");
}

/// Two machine-graded questions and the ahli-muda essay; pass at 50 %.
async fn essay_quiz(app: &TestApp, code: &str) -> Setup {
    essay_setup(
        app,
        code,
        json!([
            { "tag": "unit:jaringan", "count": 2, "types": ["multichoice", "truefalse"] },
            { "tag": "unit:jaringan", "count": 1, "types": ["essay"], "level": "ahli-muda" },
        ]),
        json!({ "pass_percent": 50 }),
    )
    .await
}

/// Starts, answers everything (the essay with `essay`) and submits.
async fn take(s: &Setup, essay: &str) -> Value {
    let (status, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let id = attempt["id"].as_str().unwrap();
    for q in attempt["questions"].as_array().unwrap() {
        let response = if q["type"] == "essay" {
            json!({ "text": essay })
        } else {
            correct_response(q)
        };
        let (status, body) = save(&s.trainee, id, q["id"].as_str().unwrap(), response, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, done) = s
        .trainee
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    done
}

fn essay_of(attempt: &Value) -> String {
    attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["type"] == "essay")
        .expect("an essay was drawn")["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn assessor(app: &TestApp, name: &str) -> Session {
    app.user_with_roles(name, &["assessor"]).await.1
}

async fn an_assessor_marks_the_essay_and_the_attempt_is_graded(app: TestApp) {
    let s = essay_quiz(&app, "QE-MARK").await;
    let done = take(&s, "DNS menerjemahkan nama domain menjadi alamat IP.").await;
    let drawn = types(&done);
    assert_eq!(
        drawn.iter().filter(|t| *t == "essay").count(),
        1,
        "{drawn:?}"
    );
    assert_eq!(done["status"], "submitted", "waits for a marker: {done}");
    assert!(done["result"]["passed"].is_null(), "{done}");
    let attempt_id = done["id"].as_str().unwrap().to_owned();
    let essay = essay_of(&done);

    let marker = assessor(&app, "asesor-kuis").await;
    let (status, queue) = marker.get("/api/v1/quiz-marking").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let items = queue.as_array().unwrap();
    assert_eq!(items.len(), 1, "{queue}");
    let item = &items[0];
    assert_eq!(item["attempt_id"], attempt_id.as_str());
    assert_eq!(item["question_id"], essay.as_str());
    assert!(
        item["candidate_code"].as_str().unwrap().starts_with("KZ-"),
        "{item}"
    );
    assert!(
        item["response_text"]
            .as_str()
            .unwrap()
            .contains("alamat IP")
    );
    assert!(item["prompt_html"].as_str().unwrap().contains("DNS"));
    let text = queue.to_string();
    assert!(
        !text.contains(&s.trainee_username) && !text.contains(&s.trainee_id),
        "the marker does not learn who wrote it: {text}"
    );

    let path = format!("/api/v1/quiz-marking/{attempt_id}/{essay}");
    let (status, one) = marker.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["candidate_code"], item["candidate_code"]);

    let (status, body) = marker.post(&path, &json!({ "points": 1.5 })).await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "points", "{body}");

    let (status, marked) = marker
        .post(
            &path,
            &json!({ "points": 0.5, "comment": "Benar, kurang contoh." }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{marked}");
    assert_eq!(marked["attempt_status"], "graded", "{marked}");
    assert_eq!(marked["remaining"], 0);
    assert_eq!(marked["score"], 2.5, "{marked}");
    assert_eq!(marked["passed"], true, "{marked}");

    // The trainee sees the grade; the required quiz counts as passed.
    let (_, after) = s
        .trainee
        .get(&format!("/api/v1/attempts/{attempt_id}"))
        .await;
    assert_eq!(after["status"], "graded", "{after}");
    assert_eq!(after["result"]["passed"], true, "{after}");
    assert!(!after.to_string().contains("asesor-kuis"), "{after}");
    let (_, info) = s
        .trainee
        .get(&format!("/api/v1/quizzes/{}", s.quiz_id))
        .await;
    assert_eq!(info["passed"], true, "{info}");

    let (status, body) = marker.post(&path, &json!({ "points": 1 })).await;
    assert_error(status, &body, 409, "already_marked");
    let (status, body) = marker.get(&path).await;
    assert_error(status, &body, 409, "already_marked");
    let (_, queue) = marker.get("/api/v1/quiz-marking").await;
    assert_eq!(queue, json!([]));

    // An admin may mark too; the audit names the marker and the comment.
    let (status, audit) = s
        .admin
        .get(&format!("/api/v1/attempts/{attempt_id}/audit"))
        .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    assert!(
        audit.to_string().contains("Benar, kurang contoh."),
        "{audit}"
    );
}

async fn marking_is_refused_to_trainees_twice_and_for_exams(app: TestApp) {
    let s = essay_quiz(&app, "QE-DENY").await;
    let done = take(&s, "Jawaban singkat.").await;
    let attempt_id = done["id"].as_str().unwrap();
    let essay = essay_of(&done);
    let path = format!("/api/v1/quiz-marking/{attempt_id}/{essay}");

    // A trainee marks nothing, not even their own essay, and sees no queue.
    let (status, body) = s.trainee.get("/api/v1/quiz-marking").await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = s.trainee.post(&path, &json!({ "points": 1 })).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = s.trainee.get(&path).await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = app.anonymous().get("/api/v1/quiz-marking").await;
    assert_error(status, &body, 401, "unauthenticated");
    // Made an assessor too, the trainee still never reaches their own essay.
    let (_, me) = s.trainee.get("/api/v1/me").await;
    let (status, body) = s
        .admin
        .patch(
            &format!("/api/v1/users/{}", me["id"].as_str().unwrap()),
            &json!({ "roles": ["trainee", "assessor"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, queue) = s.trainee.get("/api/v1/quiz-marking").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    assert!(
        !queue.to_string().contains(attempt_id),
        "their own attempt is not in their queue: {queue}"
    );
    let (status, body) = s.trainee.get(&path).await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = s.trainee.post(&path, &json!({ "points": 1 })).await;
    assert_error(status, &body, 404, "not_found");

    let marker = assessor(&app, "asesor-tolak").await;
    // A machine-graded question of the attempt is nothing to mark.
    let objective = done["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["type"] != "essay")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = marker
        .post(
            &format!("/api/v1/quiz-marking/{attempt_id}/{objective}"),
            &json!({ "points": 1 }),
        )
        .await;
    assert_error(status, &body, 404, "not_found");

    // An exam's essay belongs to the exam's own blind grading.
    let (admin, exam_id, batch_id) = small_exam(&app, "QE-EXAM", false).await;
    let (candidate_id, candidate) = person(&app, &admin, "calon-qe", "Dinas A", "trainee").await;
    enrol(&admin, &batch_id, &candidate_id).await;
    let exam_attempt = sit(&candidate, &exam_id, "Esai ujian.", true).await;
    let exam_essay = essay_of(&exam_attempt);
    let (status, body) = marker
        .post(
            &format!(
                "/api/v1/quiz-marking/{}/{exam_essay}",
                exam_attempt["id"].as_str().unwrap()
            ),
            &json!({ "points": 1 }),
        )
        .await;
    assert_error(status, &body, 404, "not_found");
    let (_, queue) = marker.get("/api/v1/quiz-marking").await;
    assert_eq!(
        queue.as_array().unwrap().len(),
        1,
        "only the quiz essay: {queue}"
    );

    // Two marks at once: one counts, the other is refused.
    let (one, zero) = (json!({ "points": 1 }), json!({ "points": 0 }));
    let (a, b) = tokio::join!(marker.post(&path, &one), s.admin.post(&path, &zero));
    let mut statuses = [a.0.as_u16(), b.0.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} {}", a.1, b.1);
}

async fn the_editor_shows_counts_and_an_assessor_marks_on_the_page(app: TestApp) {
    let s = essay_quiz(&app, "QE-PAGE").await;
    let admin = app.browser_client();
    sign_in(&admin, &app, "admin", crate::support::ADMIN_PASSWORD).await;
    let editor = format!("/admin/modules/{}/quiz", s.module_id);
    let (status, html) = page(&admin, &app, &editor).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<th>Pilihan ganda</th>") && html.contains("<th>Esai</th>"),
        "{html}"
    );
    assert!(
        html.contains("data-rule=\"1 × unit:jaringan, jenis esai\""),
        "{html}"
    );
    assert!(
        html.contains("id=\"essay-warning\" class=\"alert warn\" role=\"status\">Soal esai perlu dinilai manual oleh asesor/admin"),
        "the saved rules draw essays, so the warning shows: {html}"
    );
    assert!(
        !html.contains("multichoice</td>"),
        "no raw type names in the table"
    );
    let (_, banks) = s.admin.get("/api/v1/question-banks").await;
    let bank = banks[0]["id"].as_str().unwrap().to_owned();
    let fields = [
        ("csrf_token", csrf_token(&html)),
        ("title", "Kuis esai".to_owned()),
        ("bank_id", bank),
        ("selection_mode", "by_tags".into()),
        (
            "rules",
            "2 × unit:jaringan, type truefalse|multichoice\n\n3 x unit:jaringan, type essay".into(),
        ),
        ("max_attempts", "1".into()),
        ("pass_percent", "50".into()),
        ("grade_method", "highest".into()),
        ("review_policy", "after_submit".into()),
    ];
    let resp = admin
        .post(app.url(&editor))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Baris 3, <strong>Aturan acak</strong>")
            && html.contains("hanya memiliki 2 soal latihan berbeda yang cocok (soal satu grup dihitung satu), diminta 3"),
        "the rule the bank cannot fill is named by its line: {html}"
    );

    let done = take(&s, "DNS memetakan nama ke alamat.").await;
    let attempt_id = done["id"].as_str().unwrap().to_owned();
    let essay = essay_of(&done);
    let (_, marker) = app.user_with_roles("asesor-hal", &["assessor"]).await;
    drop(marker);
    let client = app.browser_client();
    sign_in(
        &client,
        &app,
        "asesor-hal",
        &crate::support::password_of("asesor-hal"),
    )
    .await;
    let (status, queue) = page(&client, &app, "/quiz-marking").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        queue.contains("KZ-") && queue.contains("Esai kuis"),
        "{queue}"
    );
    assert!(!queue.contains(&s.trainee_username), "{queue}");
    let path = format!("/quiz-marking/{attempt_id}/{essay}");
    let (status, form) = page(&client, &app, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("DNS memetakan nama ke alamat."), "{form}");
    let post = |points: &str| {
        vec![
            ("csrf_token".to_owned(), csrf_token(&form)),
            ("points".to_owned(), points.to_owned()),
            ("comment".to_owned(), "Cukup.".to_owned()),
        ]
    };
    let resp = client
        .post(app.url(&path))
        .form(&post("1,5"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<strong>Nilai</strong>: nilai harus 0 sampai 1"),
        "{html}"
    );
    let resp = client
        .post(app.url(&path))
        .form(&post("0,5"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("notice="), "{location}");
    let (_, after) = page(&client, &app, &location).await;
    assert!(
        after.contains("lulus") && after.contains("Tidak ada esai kuis"),
        "{after}"
    );
    let (_, attempt) = s
        .trainee
        .get(&format!("/api/v1/attempts/{attempt_id}"))
        .await;
    assert_eq!(attempt["status"], "graded", "{attempt}");
    assert_eq!(attempt["result"]["score"], 2.5, "{attempt}");

    let trainee = app.browser_client();
    let username = s.trainee_username.clone();
    sign_in(
        &trainee,
        &app,
        &username,
        &crate::support::password_of(&username),
    )
    .await;
    let (status, _) = page(&trainee, &app, "/quiz-marking").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn an_administrator_corrects_a_mark_with_a_reason(app: TestApp) {
    let s = essay_quiz(&app, "QE-KOR").await;
    let done = take(&s, "DNS menerjemahkan nama domain.").await;
    let attempt_id = done["id"].as_str().unwrap().to_owned();
    let essay = essay_of(&done);
    let path = format!("/api/v1/quiz-marking/{attempt_id}/{essay}");
    let marker = assessor(&app, "asesor-kor").await;
    let (status, first) = marker.post(&path, &json!({ "points": 0 })).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["attempt_status"], "graded");

    // The marker cannot mark again, nor correct: that is an admin's call.
    let (status, body) = marker.post(&path, &json!({ "points": 1 })).await;
    assert_error(status, &body, 409, "already_marked");
    let again = json!({ "points": 1, "reason": "nilai salah ketik" });
    let (status, _) = marker.post(&path, &again).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The admin sees the marked essay with its points, and corrects it.
    let (status, item) = s.admin.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(item["marked_points"].as_f64(), Some(0.0));
    let max = item["max_points"].as_f64().unwrap();
    let (status, body) = s
        .admin
        .post(&path, &json!({ "points": max, "reason": "x" }))
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, fixed) = s
        .admin
        .post(
            &path,
            &json!({ "points": max, "reason": "nilai salah ketik" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fixed}");
    assert_eq!(fixed["percent"].as_f64(), Some(100.0), "{fixed}");
    assert_eq!(fixed["passed"], true);
    assert!(fixed["percent"].as_f64() > first["percent"].as_f64());
    let (_, view) = s
        .trainee
        .get(&format!("/api/v1/attempts/{attempt_id}"))
        .await;
    assert_eq!(view["result"]["percent"].as_f64(), Some(100.0), "{view}");

    // Through the pages: the results link the attempt, whose essays list
    // their points and offer a correction with a reason.
    let admin = app.browser_client();
    sign_in(&admin, &app, "admin", crate::support::ADMIN_PASSWORD).await;
    let (_, results) = page(
        &admin,
        &app,
        &format!("/admin/quizzes/{}/results", s.quiz_id),
    )
    .await;
    assert!(
        results.contains(&format!("/quiz-marking/{attempt_id}")),
        "{results}"
    );
    let (status, list) = page(&admin, &app, &format!("/quiz-marking/{attempt_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Koreksi"), "{list}");
    let item_page = format!("/quiz-marking/{attempt_id}/{essay}");
    let (_, html) = page(&admin, &app, &item_page).await;
    assert!(
        html.contains("Alasan koreksi") && html.contains("Sudah dinilai"),
        "{html}"
    );
    let resp = admin
        .post(app.url(&item_page))
        .form(&[
            ("csrf_token", csrf_token(&html).as_str()),
            ("points", "0,5"),
            ("comment", ""),
            ("reason", "diperiksa ulang bersama asesor"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let back = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        back.starts_with(&format!("/quiz-marking/{attempt_id}?notice=")),
        "{back}"
    );
    let (_, list) = page(&admin, &app, &back).await;
    assert!(
        list.contains("dikoreksi") && list.contains("0,5 dari"),
        "{list}"
    );
    // Not for assessors, nor for the trainee whose attempt it is.
    let trainee = app.browser_client();
    sign_in(
        &trainee,
        &app,
        &s.trainee_username,
        &crate::support::password_of(&s.trainee_username),
    )
    .await;
    let (status, _) = page(&trainee, &app, &format!("/quiz-marking/{attempt_id}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = marker
        .get(&format!("/api/v1/quiz-marking/{attempt_id}/{essay}"))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an assessor sees no marked essay"
    );
}
