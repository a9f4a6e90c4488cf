//! Reliability with the server as a real process: `kill -9` and SIGTERM in
//! the middle of many saves, and an exam day played across two instances on
//! one PostgreSQL database.

use std::collections::HashMap;
use std::time::Duration;

use libtest_mimic::{Failed, Trial};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::database::{Backend, TestDatabase};
use crate::given::{correct_response, course_and_batch, save, setup};
use crate::process::ServerProcess;
use crate::support::{Session, TestApp};

pub fn trials(backends: &[Backend]) -> Vec<Trial> {
    let mut trials = Vec::new();
    for backend in backends {
        let b = backend.clone();
        trials.push(Trial::test(
            format!(
                "{}::reliability::kill_nine_keeps_every_acknowledged_answer",
                b.name()
            ),
            move || run(kill_nine_keeps_every_acknowledged_answer(b)),
        ));
        let b = backend.clone();
        trials.push(Trial::test(
            format!(
                "{}::reliability::sigterm_drains_and_keeps_every_acknowledged_answer",
                b.name()
            ),
            move || run(sigterm_drains_and_keeps_every_acknowledged_answer(b)),
        ));
        let b = backend.clone();
        trials.push(Trial::test(
            format!(
                "{}::reliability::a_copied_binary_brings_its_banks",
                b.name()
            ),
            move || run(a_copied_binary_brings_its_banks(b)),
        ));
        if matches!(backend, Backend::Postgres(_)) {
            let b = backend.clone();
            trials.push(Trial::test(
                "postgres::reliability::an_exam_day_across_two_instances",
                move || run(an_exam_day_across_two_instances(b)),
            ));
        }
    }
    trials
}

fn run(test: impl Future<Output = ()> + Send + 'static) -> Result<(), Failed> {
    crate::runtime().block_on(async move {
        tokio::spawn(test)
            .await
            .map_err(|e| Failed::from(crate::panic_message(e)))
    })
}

/// A trainee's open attempt: its id and the ids of the short-answer and
/// numerical questions, whose answers can carry a sequence number in them.
struct Taker {
    session: Session,
    attempt: String,
    short: String,
    number: String,
}

async fn start(session: Session, quiz_id: &str) -> Taker {
    let (status, attempt) = session
        .post(&format!("/api/v1/quizzes/{quiz_id}/attempts"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let question = |kind: &str| {
        attempt["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["type"] == kind)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    Taker {
        attempt: attempt["id"].as_str().unwrap().to_owned(),
        short: question("shortanswer"),
        number: question("numerical"),
        session,
    }
}

/// Saves `n` = 1, 2, 3, … into one question until the server stops
/// answering; returns the highest `n` it acknowledged.
async fn save_until_gone(
    session: Session,
    attempt: String,
    question: String,
    numeric: bool,
) -> i64 {
    let mut acknowledged = 0;
    for n in 1.. {
        let response = if numeric {
            json!({ "number": n })
        } else {
            json!({ "text": format!("jawaban {n}") })
        };
        let body = json!({ "response": response, "seq": n });
        let sent = session
            .request(
                reqwest::Method::PUT,
                &format!("/api/v1/attempts/{attempt}/answers/{question}"),
            )
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(r) if r.status() == StatusCode::OK => {
                let saved: Value = r.json().await.unwrap_or(Value::Null);
                // The connection may die between the status and the body:
                // only a complete `saved_at` counts as acknowledged.
                if saved["saved_at"].is_string() {
                    acknowledged = n;
                }
            }
            Ok(r) => panic!("save {n} refused: {}", r.status()),
            Err(_) => break,
        }
    }
    acknowledged
}

/// The `n` of the answer stored for `question`.
fn stored_n(view: &Value, question: &str) -> i64 {
    let response = &view["answers"][question]["response"];
    if let Some(n) = response["number"].as_f64() {
        return n as i64;
    }
    response["text"]
        .as_str()
        .and_then(|t| t.strip_prefix("jawaban "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The binary started from an empty directory (as after copying it to a
/// server) has both tracks' banks, and an exam builds from each template.
async fn a_copied_binary_brings_its_banks(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let empty = tempfile::tempdir().unwrap();
    let server = ServerProcess::start_in(
        Some(empty.path()),
        &db.url,
        &[("BIMTEK_BUILT_IN_BANKS", "true")],
    )
    .await;
    let app = TestApp::external(&server.base_url, &backend);
    let admin = app.admin().await;
    let (_, banks) = admin.get("/api/v1/question-banks").await;
    for (track, at_least) in [("pranata_komputer", 150), ("humas", 100)] {
        let count = banks
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["name"] == track)
            .and_then(|b| b["question_count"].as_u64());
        assert!(count.unwrap_or(0) >= at_least, "{track}: {banks}");
    }
    for (code, template) in [("CPH", "humas_penulisan"), ("CPK", "pranata_komputer")] {
        let (_, batch) = course_and_batch(&admin, code, json!({})).await;
        let (status, exam) = admin
            .post(
                "/api/v1/exams",
                &json!({ "batch_id": batch["id"], "template": template }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{template}: {exam}");
    }
    assert_eq!(
        std::fs::read_dir(empty.path()).unwrap().count(),
        0,
        "nothing is written to the working directory"
    );
    server.kill();
    db.drop_database().await;
}

/// How a test stops the server in the middle of the saves.
#[derive(Clone, Copy, PartialEq)]
enum Stop {
    /// `kill -9`: nothing is flushed, nothing said goodbye.
    Kill,
    /// SIGTERM: requests in flight finish, then the process exits cleanly.
    Terminate,
}

async fn kill_nine_keeps_every_acknowledged_answer(backend: Backend) {
    stopped_mid_saves(backend, Stop::Kill).await;
}

/// SIGTERM (systemd stop, a container engine's stop) while trainees save:
/// the process drains and exits 0, its JSON log says so, and every answer
/// it acknowledged is there after the restart.
async fn sigterm_drains_and_keeps_every_acknowledged_answer(backend: Backend) {
    stopped_mid_saves(backend, Stop::Terminate).await;
}

async fn stopped_mid_saves(backend: Backend, stop: Stop) {
    let db = TestDatabase::create(&backend).await;
    let server = ServerProcess::start(
        &db.url,
        &[("BIMTEK_LOG_FORMAT", "json"), ("RUST_LOG", "info")],
    )
    .await;
    let app = TestApp::external(&server.base_url, &backend);
    let code = match stop {
        Stop::Kill => "KILL9",
        Stop::Terminate => "TERM",
    };
    let s = setup(&app, code, json!({ "time_limit_seconds": 3600 })).await;
    let mut takers = vec![start(s.trainee.clone(), &s.quiz_id).await];
    for i in 0..3 {
        let (user, session) = app
            .user_with_roles(&format!("{}-{i}", code.to_lowercase()), &["trainee"])
            .await;
        let (status, body) = s
            .admin
            .post(
                &format!("/api/v1/batches/{}/enrolments", s.batch_id),
                &json!({ "user_id": user["id"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        takers.push(start(session, &s.quiz_id).await);
    }

    let mut savers = Vec::new();
    for t in &takers {
        for (question, numeric) in [(&t.short, false), (&t.number, true)] {
            let task = save_until_gone(
                t.session.clone(),
                t.attempt.clone(),
                question.clone(),
                numeric,
            );
            savers.push(((t.attempt.clone(), question.clone()), tokio::spawn(task)));
        }
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    match stop {
        Stop::Kill => server.kill(),
        Stop::Terminate => {
            let (exit, log) = tokio::task::spawn_blocking(move || {
                let mut server = server;
                let exit = server.terminate(Duration::from_secs(20));
                (exit, server.log_text())
            })
            .await
            .unwrap();
            assert!(
                exit.as_ref().is_some_and(|e| e.success()),
                "exits 0 after draining, within 20 s: {exit:?}\n{log}"
            );
            let lines: Vec<Value> = log
                .lines()
                .map(|line| {
                    serde_json::from_str(line)
                        .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"))
                })
                .collect();
            assert!(
                lines.iter().any(|l| l["message"] == "request"
                    && l["status"] == 200
                    && l["route"].as_str().is_some()),
                "requests are logged as JSON objects: {log}"
            );
            assert!(
                lines.iter().any(|l| l["message"] == "shutting down"),
                "{log}"
            );
        }
    }
    let mut acknowledged = HashMap::new();
    for (key, task) in savers {
        acknowledged.insert(key, task.await.expect("saver"));
    }
    let total: i64 = acknowledged.values().sum();
    assert!(total > 40, "enough saves before the stop: {total}");

    let restarted = ServerProcess::start(&db.url, &[]).await;
    let app = TestApp::external(&restarted.base_url, &backend);
    for t in &takers {
        let session = app.session_on(&t.session);
        let (status, view) = session
            .get(&format!("/api/v1/attempts/{}", t.attempt))
            .await;
        assert_eq!(status, StatusCode::OK, "{view}");
        for question in [&t.short, &t.number] {
            let acked = acknowledged[&(t.attempt.clone(), question.clone())];
            let stored = stored_n(&view, question);
            assert!(
                stored >= acked,
                "answer {acked} was acknowledged but {stored} is stored ({})",
                backend.name()
            );
        }
    }
    drop(restarted);
    db.drop_database().await;
}

/// Two instances behind no sticky sessions, one PostgreSQL database: the
/// trainee signs in on A, starts on B, saves alternate, submits on A; a
/// certificate issued on A verifies on B; a logout on A is honoured by B
/// within `FRESH_FOR` (10 s, as the README says).
async fn an_exam_day_across_two_instances(backend: Backend) {
    let db = TestDatabase::create(&backend).await;
    let first = ServerProcess::start(&db.url, &[]).await;
    let second = ServerProcess::start(&db.url, &[]).await;
    let a = TestApp::external(&first.base_url, &backend);
    let b = TestApp::external(&second.base_url, &backend);
    let s = setup(&a, "TWO", json!({ "time_limit_seconds": 3600 })).await;
    let on_a = a
        .login(
            &s.trainee_username,
            &crate::support::password_of(&s.trainee_username),
        )
        .await;
    let on_b = b.session_on(&on_a);

    let (status, attempt) = on_b
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let id = attempt["id"].as_str().unwrap();
    let (status, resumed) = on_a.get(&format!("/api/v1/attempts/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{resumed}");
    assert_eq!(
        resumed["questions"], attempt["questions"],
        "same attempt on A"
    );
    for (i, q) in attempt["questions"].as_array().unwrap().iter().enumerate() {
        let here = if i % 2 == 0 { &on_a } else { &on_b };
        let (status, body) = save(
            here,
            id,
            q["id"].as_str().unwrap(),
            correct_response(q),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let (status, result) = on_a
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["status"], "graded", "{result}");
    assert_eq!(
        result["result"]["percent"], 100.0,
        "answers saved on A and B all count: {}",
        result["result"]
    );
    let (_, seen_on_b) = on_b.get(&format!("/api/v1/attempts/{id}")).await;
    assert_eq!(seen_on_b["result"]["percent"], 100.0, "{seen_on_b}");
    let first_question = attempt["questions"][0]["id"].as_str().unwrap();
    let (status, body) = save(
        &on_b,
        id,
        first_question,
        correct_response(&attempt["questions"][0]),
        None,
    )
    .await;
    crate::support::assert_error(status, &body, 409, "attempt_closed");

    // Certificates issued on A verify on B.
    let batch = crate::given::finished_batch(&a, "TWO-SRT").await;
    let (status, issued) = batch
        .admin
        .post(
            &format!("/api/v1/batches/{}/certificates", batch.batch_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    let code = issued[0]["content"]["verification_code"].as_str().unwrap();
    let (status, checked) = b.anonymous().get(&format!("/api/v1/verify/{code}")).await;
    assert_eq!(
        (status, checked["status"].as_str()),
        (StatusCode::OK, Some("valid")),
        "{checked}"
    );

    // A logout on A: refused on A at once, on B within FRESH_FOR.
    let (status, _) = on_b.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "B knows the session");
    let (status, body) = on_a.post("/api/v1/auth/logout", &json!({})).await;
    assert!(status.is_success(), "{body}");
    let (status, _) = on_a.get("/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "A forgets at once");
    let logged_out = std::time::Instant::now();
    loop {
        let (status, _) = on_b.get("/api/v1/me").await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert!(
            logged_out.elapsed() < Duration::from_secs(12),
            "B still honours a session logged out on A after {:?}",
            logged_out.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop((first, second));
    db.drop_database().await;
}
