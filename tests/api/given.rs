//! What a test starts from: people, courses, batches, banks, quizzes, exams
//! and finished batches, set up through the API as an administrator would.
//! A helper that more than one test file needs lives here, so test files
//! import from this module and `support`, never from each other.
//! (`tests/fixtures/` is something else: the data files `fixture` reads.)

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Session, TestApp, password_of, read};

// People.

/// A valid PNS NIP for person `i` (distinct birth dates and serials).
pub fn nip(i: u32) -> String {
    format!(
        "{}{:02}{:02}2015031{:03}",
        1990 + i / 900,
        i % 12 + 1,
        i % 28 + 1,
        i % 900 + 1
    )
}

/// Creates `n` trainees (NIPs from `nip(from..)`) in one import; returns their ids.
pub async fn trainees(admin: &Session, from: u32, n: u32) -> Vec<String> {
    let mut csv = String::from("nip,nama,unit_kerja\n");
    for i in from..from + n {
        csv.push_str(&format!("{},Peserta {i},Dinas {}\n", nip(i), i % 4));
    }
    let (status, body) = admin
        .upload("/api/v1/users/import", "p.csv", csv.into_bytes())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut ids = Vec::new();
    for i in from..from + n {
        let (_, found) = admin.get(&format!("/api/v1/users?q={}", nip(i))).await;
        ids.push(found["items"][0]["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// A user with `role` in `unit_kerja`, signed in: their id and session.
pub async fn person(
    app: &TestApp,
    admin: &Session,
    username: &str,
    unit_kerja: &str,
    role: &str,
) -> (String, Session) {
    let password = password_of(username);
    let (status, user) = admin
        .post(
            "/api/v1/users",
            &json!({
                "username": username, "name": format!("Nama {username}"), "roles": [role],
                "password": password, "unit_kerja": unit_kerja,
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    (
        user["id"].as_str().unwrap().to_owned(),
        app.login(username, &password).await,
    )
}

// Courses and batches.

pub async fn course_with_modules(admin: &Session, code: &str, modules: &[(&str, i32)]) -> Value {
    let (status, course) = admin
        .post(
            "/api/v1/courses",
            &json!({ "code": code, "title": format!("Bimtek {code}"), "track": "pranata_komputer", "target_level": "terampil" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{course}");
    let id = course["id"].as_str().unwrap();
    for (title, jp) in modules {
        let (status, module) = admin
            .post(
                &format!("/api/v1/courses/{id}/modules"),
                &json!({ "title": title, "jp": jp, "body_markdown": format!("# {title}\n\nIsi modul.") }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{module}");
    }
    let (_, detail) = admin.get(&format!("/api/v1/courses/{id}")).await;
    detail
}

/// A published course with two modules and a batch of it, 3–5 March 2026.
pub async fn course_and_batch(admin: &Session, code: &str, extra: Value) -> (Value, Value) {
    let course = course_with_modules(admin, code, &[("Modul 1", 2), ("Modul 2", 2)]).await;
    let id = course["id"].as_str().unwrap();
    admin
        .patch(
            &format!("/api/v1/courses/{id}"),
            &json!({ "status": "published" }),
        )
        .await;
    let batch = create_batch(admin, id, extra).await;
    (course, batch)
}

/// A batch of the course, 3–5 March 2026 with three sessions; `extra`
/// overrides any field.
pub async fn create_batch(admin: &Session, course_id: &str, extra: Value) -> Value {
    let mut body = json!({
        "course_id": course_id, "name": "Angkatan I 2026", "starts_on": "2026-03-03", "ends_on": "2026-03-05",
        "venue": "Hotel Puri Asri", "capacity": 44, "status": "open",
        "sessions": [
            { "day": "2026-03-03", "starts_at": "08:00", "ends_at": "16:00", "topic": "Pembukaan" },
            { "day": "2026-03-04", "starts_at": "08:00", "ends_at": "16:00" },
            { "day": "2026-03-05", "starts_at": "08:00", "ends_at": "12:00" },
        ],
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, batch) = admin.post("/api/v1/batches", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{batch}");
    batch
}

/// Puts `users` into a new batch of the course: reading is recorded only for enrolled trainees.
pub async fn seat(admin: &Session, course_id: &str, users: &[&Value]) {
    let batch = create_batch(admin, course_id, json!({ "sessions": [] })).await;
    for user in users {
        let (status, body) = admin
            .post(
                &format!(
                    "/api/v1/batches/{}/enrolments",
                    batch["id"].as_str().unwrap()
                ),
                &json!({ "user_id": user["id"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
}

/// Enrols a user, asserting that it worked.
pub async fn enrol(admin: &Session, batch_id: &str, user_id: &str) {
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{batch_id}/enrolments"),
            &json!({ "user_id": user_id }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// Marks the user present at every session of the batch.
pub async fn attend(admin: &Session, batch: &Value, user_id: &str) {
    let batch_id = batch["id"].as_str().unwrap();
    let entries: Vec<Value> = batch["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| json!({ "session_id": s["id"], "user_id": user_id, "status": "present" }))
        .collect();
    let (status, body) = admin
        .post(
            &format!("/api/v1/batches/{batch_id}/attendance"),
            &json!({ "entries": entries }),
        )
        .await;
    assert!(status.is_success(), "{body}");
}

/// The trainee completes every module of the course.
pub async fn read_all(trainee: &Session, course: &Value) {
    for m in course["modules"].as_array().unwrap() {
        let (status, body) = trainee
            .post(
                &format!("/api/v1/modules/{}/complete", m["id"].as_str().unwrap()),
                &json!({}),
            )
            .await;
        assert!(status.is_success(), "{body}");
    }
}

// Question banks.

/// Uploads a bank file to `POST /api/v1/question-banks/import`, with
/// `extra` as form fields (`name`, `dry_run`…).
pub async fn import(
    session: &Session,
    file_name: &str,
    content: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(content.as_bytes().to_vec())
            .file_name(file_name.to_owned()),
    );
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    read(
        session
            .request(reqwest::Method::POST, "/api/v1/question-banks/import")
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// `GET /api/v1/question-banks/{bank_id}/export?format={format}`.
pub async fn export(session: &Session, bank_id: &str, format: &str) -> reqwest::Response {
    session
        .request(
            reqwest::Method::GET,
            &format!("/api/v1/question-banks/{bank_id}/export?format={format}"),
        )
        .send()
        .await
        .unwrap()
}

/// A file of `tests/fixtures/` (Moodle and Aiken examples).
pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("tests/fixtures")
            .join(path),
    )
    .unwrap()
}

/// The shipped GIFT files of `track` (`question_banks/<track>/`), joined.
pub fn shipped_bank(track: &str) -> String {
    let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("question_banks")
        .join(track);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<Vec<_>>()
        .join("\n\n")
}

// Quizzes and attempts.

pub const BANK: &str = "// [id:q-mc] [tag:unit:jaringan]\n::MC::Port bawaan HTTPS? {=443#Benar, HTTPS memakai 443 ~80#Itu HTTP ~21#Itu FTP}\n\n\
// [id:q-ma] [tag:unit:jaringan]\n::MA::Protokol terenkripsi? {~%50%SSH ~%50%HTTPS ~%-100%Telnet#Telnet tidak terenkripsi}\n\n\
// [id:q-tf] [tag:unit:jaringan]\n::TF::MFA menambah lapisan keamanan. {T#Salah, MFA menambah lapisan#Tepat}\n\n\
// [id:q-sa] [tag:unit:jaringan]\n::SA::Kepanjangan DNS? {=Domain Name System}\n\n\
// [id:q-num] [tag:unit:jaringan]\n::NUM::Jumlah host /26? {#62####2^6 - 2}\n\n\
// [id:q-match] [tag:unit:jaringan]\n::MATCH::Pasangkan port. {=DNS -> 53 =HTTP -> 80 =HTTPS -> 443}\n";

/// What `setup` made.
pub struct Setup {
    pub admin: Session,
    pub trainee: Session,
    pub trainee_id: String,
    pub trainee_username: String,
    pub quiz_id: String,
    pub module_id: String,
    pub course_id: String,
    pub batch_id: String,
}

/// A published course with a batch, a trainee seated in it, and a quiz on
/// its first module drawing all six questions of `BANK`.
pub async fn setup(app: &TestApp, code: &str, quiz: Value) -> Setup {
    setup_with_bank(app, code, BANK, quiz).await
}

/// `setup` with another bank.
pub async fn setup_with_bank(app: &TestApp, code: &str, bank: &str, quiz: Value) -> Setup {
    let admin = app.admin().await;
    let (status, report) = import(&admin, &format!("{code}.gift"), bank, &[]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let bank_id = report["bank_id"].as_str().unwrap().to_owned();
    let (course, batch) = course_and_batch(&admin, code, json!({})).await;
    let module_id = course["modules"][0]["id"].as_str().unwrap().to_owned();
    let trainee_username = format!("p-{}", code.to_lowercase());
    let (user, trainee) = app.user_with_roles(&trainee_username, &["trainee"]).await;
    let (status, body) = admin
        .post(
            &format!(
                "/api/v1/batches/{}/enrolments",
                batch["id"].as_str().unwrap()
            ),
            &json!({ "user_id": user["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut settings = json!({ "bank_id": bank_id, "selection": { "rules": [{ "tag": "unit:jaringan", "count": 6 }] } });
    for (k, v) in quiz.as_object().unwrap() {
        settings[k] = v.clone();
    }
    let (status, created) = admin
        .post(&format!("/api/v1/modules/{module_id}/quiz"), &settings)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    Setup {
        quiz_id: created["id"].as_str().unwrap().to_owned(),
        admin,
        trainee,
        trainee_id: user["id"].as_str().unwrap().to_owned(),
        trainee_username,
        module_id,
        course_id: course["id"].as_str().unwrap().to_owned(),
        batch_id: batch["id"].as_str().unwrap().to_owned(),
    }
}

/// The response that answers `question` (as shown) correctly.
pub fn correct_response(question: &Value) -> Value {
    let text = question["text_html"].as_str().unwrap();
    let pick = |wanted: &[&str]| {
        let ids: Vec<Value> = question["choices"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| wanted.contains(&c["text_html"].as_str().unwrap()))
            .map(|c| c["id"].clone())
            .collect();
        json!({ "choices": ids })
    };
    match question["type"].as_str().unwrap() {
        "multichoice" if text.contains("HTTPS?") => pick(&["443"]),
        "multichoice" => pick(&["SSH", "HTTPS"]),
        "truefalse" => json!({ "choices": ["true"] }),
        "shortanswer" => json!({ "text": "  domain name   SYSTEM " }),
        "numerical" => json!({ "number": 62 }),
        "matching" => {
            let right = |t: &str| {
                question["right"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["text_html"] == t)
                    .unwrap()["id"]
                    .clone()
            };
            let mut matches = serde_json::Map::new();
            for left in question["left"].as_array().unwrap() {
                let target = match left["text_html"].as_str().unwrap() {
                    "DNS" => "53",
                    "HTTP" => "80",
                    _ => "443",
                };
                matches.insert(left["id"].as_str().unwrap().to_owned(), right(target));
            }
            json!({ "matches": matches })
        }
        other => panic!("unexpected question type {other}"),
    }
}

/// Starts (or resumes) `session`'s attempt at `quiz_id`; the attempt as shown.
pub async fn start_attempt(session: &Session, quiz_id: &str) -> Value {
    let (status, attempt) = session
        .post(&format!("/api/v1/quizzes/{quiz_id}/attempts"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    attempt
}

/// Saves one answer; `seq` orders saves that race.
pub async fn save(
    session: &Session,
    attempt: &str,
    question: &str,
    response: Value,
    seq: Option<i64>,
) -> (StatusCode, Value) {
    let mut body = json!({ "response": response });
    if let Some(seq) = seq {
        body["seq"] = json!(seq);
    }
    read(
        session
            .request(
                Method::PUT,
                &format!("/api/v1/attempts/{attempt}/answers/{question}"),
            )
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

// Exams.

/// An exam window opened five minutes ago, for three hours.
pub fn window() -> Value {
    let now = time::OffsetDateTime::now_utc();
    let fmt = &time::format_description::well_known::Rfc3339;
    json!({
        "opens_at": (now - time::Duration::minutes(5)).format(fmt).unwrap(),
        "closes_at": (now + time::Duration::hours(3)).format(fmt).unwrap(),
    })
}

/// The questions of a GIFT source moved into the exam pool, which exams
/// draw and quizzes never do.
pub fn exam_pool(gift: &str) -> String {
    gift.replace("[tag:unit:", "[tag:pool:ujian] [tag:unit:")
}

/// A small exam on the quiz bank (known answers) with one essay task.
pub async fn small_exam(app: &TestApp, code: &str, double: bool) -> (Session, String, String) {
    small_exam_with_gate(app, code, double, Value::Null).await
}

/// The same, its first criterion ("Ketepatan") a must-pass one at `must_reach` points.
pub async fn small_exam_with_gate(
    app: &TestApp,
    code: &str,
    double: bool,
    must_reach: Value,
) -> (Session, String, String) {
    let admin = app.admin().await;
    let bank = exam_pool(&format!(
        "{BANK}\n// [id:q-essay] [tag:unit:jaringan]\n::Esai::Jelaskan cara kerja DNS. {{}}\n"
    ));
    let (status, report) = import(&admin, &format!("{code}.gift"), &bank, &[("name", code)]).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, batch) = course_and_batch(&admin, code, json!({})).await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let level = |p: f64, d: &str| json!({ "points": p, "descriptor": d });
    let mut body = window();
    for (k, v) in json!({
        "batch_id": batch_id, "title": "Uji Jaringan", "bank": code, "code_prefix": "PK",
        "double_marking": double, "moderation_threshold": 2, "appeal_days": 7,
        "units": [{ "code": "jaringan", "title": "Mengelola jaringan", "objective_count": 6, "objective_pass_percent": 70 }],
        "tasks": [{
            "key": "esai", "unit": "jaringan", "question": "q-essay", "pass_points": 4, "word_limit": 200,
            "upload": { "extensions": ["pdf"], "max_kib": 1 },
            "rubric": [
                { "criterion": "Ketepatan", "must_reach": must_reach, "levels": [level(0.0, "salah"), level(1.0, "sebagian"), level(2.0, "benar"), level(3.0, "lengkap")] },
                { "criterion": "Kejelasan", "levels": [level(0.0, "kabur"), level(1.0, "cukup"), level(2.0, "jelas"), level(3.0, "runtut")] },
            ],
        }],
    })
    .as_object()
    .unwrap()
    {
        body[k] = v.clone();
    }
    let (status, exam) = admin.post("/api/v1/exams", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{exam}");
    (admin, exam["id"].as_str().unwrap().to_owned(), batch_id)
}

/// Starts the exam, answers every task with `text` (objective questions
/// with `objective`, if given) and submits.
pub async fn sit(candidate: &Session, exam_id: &str, text: &str, objective: bool) -> Value {
    let (status, attempt) = candidate
        .post(&format!("/api/v1/exams/{exam_id}/attempts"), &json!({}))
        .await;
    // 201 for a new attempt, 200 when it was already started.
    assert!(status.is_success(), "{attempt}");
    let id = attempt["id"].as_str().unwrap();
    for q in attempt["questions"].as_array().unwrap() {
        let qid = q["id"].as_str().unwrap();
        if q["type"] == "essay" {
            let (status, body) = save(candidate, id, qid, json!({ "text": text }), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        } else if objective {
            let (status, body) = save(candidate, id, qid, correct_response(q), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }
    let (status, done) = candidate
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    // The objective score of an exam is not the candidate's to see yet,
    // not even through the quiz view of its assessment.
    assert!(done["result"].is_null(), "{done}");
    let (status, _) = candidate
        .get(&format!(
            "/api/v1/quizzes/{}",
            attempt["assessment_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    attempt
}

/// The assessor's grading queue.
pub async fn queue(assessor: &Session) -> Value {
    let (status, q) = assessor.get("/api/v1/grading/queue").await;
    assert_eq!(status, StatusCode::OK, "{q}");
    q
}

/// Drafts and finalises one item with the given levels.
pub async fn mark(
    assessor: &Session,
    item: &Value,
    levels: &[u32],
    comment: &str,
    reason: Option<&str>,
) {
    let id = item["id"].as_str().unwrap();
    let mut body = json!({ "levels": levels, "comment": comment });
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    let (status, draft) = assessor.post(&format!("/api/v1/grading/{id}"), &body).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["status"], "draft");
    let (status, done) = assessor
        .post(&format!("/api/v1/grading/{id}/finalize"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "final");
}

// Certificates.

/// A finished batch (see `finished_batch`).
pub struct Batch {
    pub admin: Session,
    pub batch_id: String,
    pub course_code: String,
    /// (user id, session) of: one who completed everything, one who only
    /// attended, one who did neither.
    pub done: (String, Session),
    pub attended: (String, Session),
    pub absent: (String, Session),
}

/// A finished batch of course `code` with three trainees (usernames prefixed).
pub async fn finished_batch(app: &TestApp, code: &str) -> Batch {
    let admin = app.admin().await;
    let (course, batch) = course_and_batch(&admin, code, json!({})).await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let prefix = code.to_lowercase();
    let mut people = Vec::new();
    for (who, unit) in [
        ("lulus", "Diskominfo"),
        ("hadir", "Dinkes"),
        ("absen", "Bappeda"),
    ] {
        let (id, session) = person(app, &admin, &format!("{prefix}-{who}"), unit, "trainee").await;
        enrol(&admin, &batch_id, &id).await;
        people.push((id, session));
    }
    read_all(&people[0].1, &course).await;
    attend(&admin, &batch, &people[0].0).await;
    attend(&admin, &batch, &people[1].0).await;
    let mut people = people.into_iter();
    Batch {
        admin,
        batch_id,
        course_code: code.to_owned(),
        done: people.next().unwrap(),
        attended: people.next().unwrap(),
        absent: people.next().unwrap(),
    }
}

/// Issues the batch's certificates and returns the one of the trainee who
/// completed everything.
pub async fn issued_for_done(b: &Batch) -> Value {
    let (status, issued) = b
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", b.batch_id),
            &json!({}),
        )
        .await;
    assert!(status.is_success(), "{issued}");
    issued
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["user_id"] == b.done.0.as_str())
        .unwrap()
        .clone()
}

// Evaluations.

/// `YYYY-MM-DD`, `days` from today in WIB.
pub fn day(days: i64) -> String {
    (time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+7))
        + time::Duration::days(days))
    .date()
    .to_string()
}

/// A batch that ended today (the form is open), with two narasumber, and
/// `n` trainees seated in it: (batch id, course id, trainees).
pub async fn evaluated_batch(
    app: &TestApp,
    admin: &Session,
    code: &str,
    n: usize,
) -> (String, String, Vec<Session>) {
    let (course, _) = course_and_batch(admin, code, json!({})).await;
    let course_id = course["id"].as_str().unwrap().to_owned();
    let batch = create_batch(
        admin,
        &course_id,
        json!({
            "name": "Angkatan Evaluasi", "starts_on": day(-2), "ends_on": day(0),
            "sessions": [
                { "day": day(-2), "starts_at": "08:00", "ends_at": "12:00", "topic": "Tata kelola", "instructor": "Dr. Bambang Sutopo" },
                { "day": day(-1), "starts_at": "08:00", "ends_at": "12:00", "instructor": "Ir. Sri Wahyuni" },
                { "day": day(0), "starts_at": "08:00", "ends_at": "12:00", "instructor": "Dr. Bambang Sutopo" },
            ],
        }),
    )
    .await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let mut trainees = Vec::new();
    for i in 0..n {
        let (user, session) = app
            .user_with_roles(&format!("{}_{i}", code.to_lowercase()), &["trainee"])
            .await;
        let (status, body) = admin
            .post(
                &format!("/api/v1/batches/{batch_id}/enrolments"),
                &json!({ "user_id": user["id"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        trainees.push(session);
    }
    (batch_id, course_id, trainees)
}
