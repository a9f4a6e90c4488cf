//! One simulated trainee: a session, an attempt, and every answer the
//! server acknowledged (to be found in the database afterwards).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

/// The server, as the benchmark's clients see it: one instance, or several
/// taken in turn request by request, as a proxy without sticky sessions
/// would (a trainee's next save may land on another instance).
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    bases: Arc<[String]>,
    next: Arc<AtomicUsize>,
    /// Requests sent to each instance so far.
    sent: Arc<[AtomicU64]>,
}

impl Api {
    pub fn new(bases: Vec<String>) -> Api {
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_idle_timeout(None)
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .expect("HTTP client");
        let sent = bases.iter().map(|_| AtomicU64::new(0)).collect();
        Api {
            client,
            bases: bases.into(),
            next: Arc::new(AtomicUsize::new(0)),
            sent,
        }
    }

    /// `path` on the next instance in turn.
    pub fn url(&self, path: &str) -> String {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.bases.len();
        self.sent[i].fetch_add(1, Ordering::Relaxed);
        format!("{}{path}", self.bases[i])
    }

    pub fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// Requests sent to each instance since `mark`, which moves to now.
    pub fn sent_since(&self, mark: &mut Vec<u64>) -> Vec<u64> {
        let now: Vec<u64> = self
            .sent
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .collect();
        let since = now
            .iter()
            .zip(mark.iter().chain(std::iter::repeat(&0)))
            .map(|(now, then)| now - then)
            .collect();
        *mark = now;
        since
    }
}

/// Sends `request` and returns its JSON body when the status is `expected`.
pub async fn expect(request: RequestBuilder, expected: &[u16]) -> Result<Value, String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("transport: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .map_err(|e| format!("reading body: {e}"))?;
    if !expected.contains(&status) {
        return Err(format!("HTTP {status}: {}", truncate(&body)));
    }
    serde_json::from_str(&body).map_err(|e| format!("HTTP {status}, not JSON ({e})"))
}

fn truncate(text: &str) -> &str {
    match text.char_indices().nth(200) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Shown {
    pub id: String,
}

/// A question as the attempt shows it (ids only: that is all a client needs).
#[derive(Debug, Clone, Deserialize)]
pub struct Question {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: String,
    pub multiple: bool,
    pub choices: Vec<Shown>,
    pub left: Vec<Shown>,
    pub right: Vec<Shown>,
}

#[derive(Deserialize)]
struct Started {
    id: Uuid,
    questions: Vec<Question>,
}

pub struct Trainee {
    pub token: String,
    pub attempt: Option<Uuid>,
    pub questions: Vec<Question>,
    /// The newest acknowledged answer per question: its sequence number and response.
    pub acked: HashMap<Uuid, (i64, Value)>,
    next_seq: i64,
    rng: StdRng,
}

impl Trainee {
    pub fn new(token: String, seed: u64) -> Trainee {
        Trainee {
            token,
            attempt: None,
            questions: Vec::new(),
            acked: HashMap::new(),
            next_seq: 1,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    pub async fn start(&mut self, api: &Api, quiz_id: Uuid) -> Result<(), String> {
        let path = format!("/api/v1/quizzes/{quiz_id}/attempts");
        let body = expect(
            api.request(Method::POST, &path, &self.token)
                .json(&json!({})),
            &[200, 201],
        )
        .await?;
        let started: Started =
            serde_json::from_value(body).map_err(|e| format!("attempt unreadable: {e}"))?;
        if started.questions.is_empty() {
            return Err("attempt without questions".into());
        }
        self.attempt = Some(started.id);
        self.questions = started.questions;
        Ok(())
    }

    /// Answers one question (an unanswered one first, as people do) and
    /// remembers the answer once the server acknowledged it.
    pub async fn save_one(&mut self, api: &Api) -> Result<(), String> {
        let attempt = self.attempt.ok_or("no attempt")?;
        let unanswered: Vec<usize> = (0..self.questions.len())
            .filter(|i| !self.acked.contains_key(&self.questions[*i].id))
            .collect();
        let index = match unanswered.choose(&mut self.rng) {
            Some(i) => *i,
            None => self.rng.random_range(0..self.questions.len()),
        };
        let question = &self.questions[index];
        let response = random_response(question, &mut self.rng);
        let seq = self.next_seq;
        self.next_seq += 1;
        let path = format!("/api/v1/attempts/{attempt}/answers/{}", question.id);
        let body = json!({ "response": response, "seq": seq });
        let saved = expect(
            api.request(Method::PUT, &path, &self.token).json(&body),
            &[200],
        )
        .await?;
        if saved["stale"] == json!(true) || !saved["saved_at"].is_string() {
            return Err(format!("save not acknowledged as newest: {saved}"));
        }
        self.acked.insert(question.id, (seq, response));
        Ok(())
    }

    pub async fn submit(&mut self, api: &Api) -> Result<(), String> {
        let attempt = self.attempt.ok_or("no attempt")?;
        let path = format!("/api/v1/attempts/{attempt}/submit");
        let result = expect(
            api.request(Method::POST, &path, &self.token)
                .json(&json!({})),
            &[200],
        )
        .await?;
        match result["status"].as_str() {
            Some("graded") => Ok(()),
            other => Err(format!("submitted attempt is {other:?}")),
        }
    }
}

/// Some valid answer to `question`, right or wrong.
pub fn random_response(question: &Question, rng: &mut StdRng) -> Value {
    let pick = |list: &[Shown], rng: &mut StdRng| list.choose(rng).map(|c| c.id.clone());
    match question.kind.as_str() {
        "multichoice" if question.multiple => {
            let mut ids: Vec<String> = question.choices.iter().map(|c| c.id.clone()).collect();
            ids.shuffle(rng);
            ids.truncate(rng.random_range(1..=ids.len().max(1)));
            json!({ "choices": ids })
        }
        "multichoice" | "truefalse" => json!({ "choices": [pick(&question.choices, rng)] }),
        "numerical" => json!({ "number": f64::from(rng.random_range(0..1000u32)) / 4.0 }),
        "matching" => {
            let matches: serde_json::Map<String, Value> = question
                .left
                .iter()
                .map(|l| (l.id.clone(), json!(pick(&question.right, rng))))
                .collect();
            json!({ "matches": matches })
        }
        _ => json!({ "text": format!("jawaban {}", rng.random_range(0..100u32)) }),
    }
}
