//! One simulated trainee: a session, an attempt, and every answer the
//! server acknowledged (to be found in the database afterwards).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use bimtek::attempts::pages::form::PAGE_SIZE;

/// The server, as the benchmark's clients see it: one instance, or several
/// taken in turn request by request, as a proxy without sticky sessions
/// would (a trainee's next save may land on another instance).
#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    /// For the pages: redirects are followed by hand, as the clock runs.
    pub pages: reqwest::Client,
    bases: Arc<[String]>,
    next: Arc<AtomicUsize>,
    /// Requests sent to each instance so far.
    sent: Arc<[AtomicU64]>,
    /// At most this many requests (and so connections) at once, as a
    /// reverse proxy's pool to the server would hold; `None`: one
    /// connection per phone.
    at_once: Option<Arc<Semaphore>>,
}

impl Api {
    pub fn new(bases: Vec<String>, at_once: usize) -> Api {
        let client = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_idle_timeout(None)
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .expect("HTTP client");
        let pages = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_idle_timeout(None)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .expect("HTTP client");
        let sent = bases.iter().map(|_| AtomicU64::new(0)).collect();
        Api {
            client,
            pages,
            bases: bases.into(),
            next: Arc::new(AtomicUsize::new(0)),
            sent,
            at_once: (at_once > 0).then(|| Arc::new(Semaphore::new(at_once))),
        }
    }

    /// A turn to send, when requests at once are limited.
    pub async fn turn(&self) -> Option<OwnedSemaphorePermit> {
        match &self.at_once {
            Some(slots) => slots.clone().acquire_owned().await.ok(),
            None => None,
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
    expect_as(request, expected).await
}

/// `expect`, read straight into `T` (no `Value` tree: the bench's own CPU
/// is taken from the same two cores as the server's).
pub async fn expect_as<T: serde::de::DeserializeOwned>(
    request: RequestBuilder,
    expected: &[u16],
) -> Result<T, String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("transport: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("reading body: {e}"))?;
    if !expected.contains(&status) {
        return Err(format!(
            "HTTP {status}: {}",
            truncate(&String::from_utf8_lossy(&body))
        ));
    }
    serde_json::from_slice(&body).map_err(|e| format!("HTTP {status}, not as expected ({e})"))
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
pub struct Started {
    pub id: Uuid,
    pub questions: Vec<Question>,
}

/// Starts (or resumes) the quiz's attempt for the holder of `token`.
pub async fn start(api: &Api, token: &str, quiz_id: Uuid) -> Result<Started, String> {
    let _turn = api.turn().await;
    let path = format!("/api/v1/quizzes/{quiz_id}/attempts");
    let started: Started = expect_as(
        api.request(Method::POST, &path, token).json(&json!({})),
        &[200, 201],
    )
    .await?;
    if started.questions.is_empty() {
        return Err("attempt without questions".into());
    }
    Ok(started)
}

/// Where a trainee without JavaScript is: the page on screen, and the
/// cookie and form token it came with.
struct OnPage {
    page: usize,
    csrf_cookie: String,
    form_token: String,
}

pub struct Trainee {
    pub token: String,
    pub attempt: Option<Uuid>,
    pub questions: Vec<Question>,
    /// The newest acknowledged answer per question: its sequence number
    /// (none when saved by the page form, which numbers nothing) and response.
    pub acked: HashMap<Uuid, (Option<i64>, Value)>,
    on_page: Option<OnPage>,
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
            on_page: None,
            next_seq: 1,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    pub async fn start(&mut self, api: &Api, quiz_id: Uuid) -> Result<(), String> {
        let started = start(api, &self.token, quiz_id).await?;
        self.attempt = Some(started.id);
        self.questions = started.questions;
        Ok(())
    }

    /// Answers one question (an unanswered one first, as people do) and
    /// remembers the answer once the server acknowledged it.
    pub async fn save_one(&mut self, api: &Api) -> Result<(), String> {
        let _turn = api.turn().await;
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
        self.acked.insert(question.id, (Some(seq), response));
        Ok(())
    }

    fn cookies(&self) -> String {
        match &self.on_page {
            Some(on) => format!(
                "bimtek_session={}; bimtek_csrf={}",
                self.token, on.csrf_cookie
            ),
            None => format!("bimtek_session={}", self.token),
        }
    }

    /// `GET` of one page of the quiz, as a phone without JavaScript shows it.
    pub async fn open_page(&mut self, api: &Api, page: usize) -> Result<(), String> {
        let _turn = api.turn().await;
        self.open_page_now(api, page).await
    }

    async fn open_page_now(&mut self, api: &Api, page: usize) -> Result<(), String> {
        let attempt = self.attempt.ok_or("no attempt")?;
        let response = api
            .pages
            .get(api.url(&format!("/attempts/{attempt}?page={page}")))
            .header("cookie", self.cookies())
            .send()
            .await
            .map_err(|e| format!("transport: {e}"))?;
        let status = response.status().as_u16();
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("bimtek_csrf="))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned());
        let html = response
            .text()
            .await
            .map_err(|e| format!("reading page: {e}"))?;
        if status != 200 {
            return Err(format!("page HTTP {status}: {}", truncate(&html)));
        }
        let form_token = between(&html, "name=\"csrf_token\" value=\"", "\"")
            .ok_or("page without a form token")?;
        let shown = between(&html, "name=\"page\" value=\"", "\"");
        if shown != Some(page.to_string().as_str()) {
            return Err(format!("asked for page {page}, got {shown:?}"));
        }
        let csrf_cookie = match (cookie, self.on_page.take()) {
            (Some(new), _) => new,
            (None, Some(old)) => old.csrf_cookie,
            (None, None) => return Err("no CSRF cookie set".into()),
        };
        self.on_page = Some(OnPage {
            page,
            csrf_cookie,
            // As the browser reads the attribute.
            form_token: form_token
                .replace("&#x2f;", "/")
                .replace("&#x3d;", "=")
                .replace("&#x2b;", "+")
                .replace("&amp;", "&"),
        });
        Ok(())
    }

    /// Answers every question on the page on screen and presses "Simpan &
    /// lanjut" (`POST`, a 303 to the next page, its `GET`); after the last
    /// page the summary sends the trainee back to the first.
    pub async fn turn_page(&mut self, api: &Api) -> Result<(), String> {
        let _turn = api.turn().await;
        let attempt = self.attempt.ok_or("no attempt")?;
        let on = self.on_page.as_ref().ok_or("no page on screen")?;
        let page = on.page;
        let mut fields: Vec<(String, String)> = vec![
            ("csrf_token".into(), on.form_token.clone()),
            ("page".into(), page.to_string()),
            ("go".into(), "next".into()),
        ];
        let start = (page - 1) * PAGE_SIZE;
        let end = (start + PAGE_SIZE).min(self.questions.len());
        let mut answered = Vec::new();
        for question in &self.questions[start..end] {
            let response = random_response(question, &mut self.rng);
            fields.extend(form_fields(question, &response));
            answered.push((question.id, response));
        }
        let response = api
            .pages
            .post(api.url(&format!("/attempts/{attempt}")))
            .header("cookie", self.cookies())
            .form(&fields)
            .send()
            .await
            .map_err(|e| format!("transport: {e}"))?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if status != 303 || location.contains("error=") || location.contains("/result") {
            let body = response.text().await.unwrap_or_default();
            return Err(format!(
                "page form HTTP {status} to {location:?}: {}",
                truncate(&body)
            ));
        }
        for (question, response) in answered {
            self.acked.insert(question, (None, response));
        }
        let next = if location.ends_with("/summary") {
            1
        } else {
            location
                .rsplit_once("page=")
                .and_then(|(_, n)| n.parse().ok())
                .ok_or_else(|| format!("next page unknown: {location}"))?
        };
        self.open_page_now(api, next).await
    }

    pub async fn submit(&mut self, api: &Api) -> Result<(), String> {
        let _turn = api.turn().await;
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

/// The text between `before` and the next `after`.
fn between<'a>(text: &'a str, before: &str, after: &str) -> Option<&'a str> {
    let start = text.find(before)? + before.len();
    let len = text[start..].find(after)?;
    Some(&text[start..start + len])
}

/// `response` as the quiz page's form fields (`a-<question>` and
/// `m-<question>-<item>`), numbers with a decimal comma as typed here.
fn form_fields(question: &Question, response: &Value) -> Vec<(String, String)> {
    let name = format!("a-{}", question.id);
    if let Some(choices) = response["choices"].as_array() {
        return choices
            .iter()
            .filter_map(Value::as_str)
            .map(|c| (name.clone(), c.to_owned()))
            .collect();
    }
    if let Some(number) = response["number"].as_f64() {
        return vec![(name, number.to_string().replace('.', ","))];
    }
    if let Some(matches) = response["matches"].as_object() {
        return matches
            .iter()
            .map(|(item, right)| {
                (
                    format!("m-{}-{item}", question.id),
                    right.as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
    }
    vec![(
        name,
        response["text"].as_str().unwrap_or_default().to_owned(),
    )]
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
