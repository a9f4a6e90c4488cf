//! Test support: starts the real server on a random port against a fresh
//! database (a temporary SQLite file, or a new PostgreSQL database), a small
//! HTTP client that speaks the API and the pages, and `cases!`, which
//! registers a file's tests.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use bimtek::App;
use bimtek::config::Config;
use poem::listener::{Acceptor, Listener, TcpListener};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub use crate::database::{Backend, TestDatabase};
pub use crate::process::ADMIN_PASSWORD;

/// The password the helpers give `username`: long enough, and made of
/// neither the username nor the name, so it passes the password policy.
pub fn password_of(username: &str) -> String {
    let reversed: String = username.chars().rev().collect();
    format!("{reversed}-kunci-rahasia")
}

pub type CaseFn = fn(TestApp) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// One integration test, run once per backend.
#[derive(Clone, Copy)]
pub struct Case {
    /// The module that holds it, e.g. `api::attempts::quizzes`.
    pub module: &'static str,
    pub name: &'static str,
    pub run: CaseFn,
}

impl Case {
    /// `attempts::quizzes::a_quiz_taken_start_to_finish`: where it is written.
    pub fn path(&self) -> String {
        let module = self.module.split_once("::").map_or("", |(_, m)| m);
        format!("{module}::{}", self.name)
    }
}

/// Lists a module's test functions: `cases![login_works, logout_works];`
#[macro_export]
macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        pub fn cases() -> Vec<$crate::support::Case> {
            vec![$($crate::support::Case {
                module: module_path!(),
                name: stringify!($name),
                run: |app| Box::pin($name(app)),
            }),*]
        }
    };
}

/// The `.rs` files under `tests/api/` that no `mod` line declares: the
/// compiler never sees them, so their tests would silently not exist.
pub fn undeclared_files() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api");
    let mut missing = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        let parent = if dir == root { "main.rs" } else { "mod.rs" };
        let declared = std::fs::read_to_string(dir.join(parent)).unwrap_or_default();
        let is_declared = |name: &str| {
            declared
                .lines()
                .any(|line| line.trim().ends_with(&format!("mod {name};")))
        };
        for entry in std::fs::read_dir(&dir).expect("tests/api is readable") {
            let path = entry.expect("directory entry").path();
            let name = path.file_stem().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                dirs.push(path.clone());
            } else if path.extension().is_none_or(|e| e != "rs") || ["main", "mod"].contains(&name)
            {
                continue;
            }
            if !is_declared(name) {
                missing.push(path.strip_prefix(&root).unwrap().display().to_string());
            }
        }
    }
    missing.sort();
    missing
}

struct Running {
    stop: std::sync::Mutex<Option<oneshot::Sender<()>>>,
    done: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

/// The server under test and a client for it.
#[derive(Clone)]
pub struct TestApp {
    pub addr: SocketAddr,
    /// The database the server uses (empty for a server run elsewhere).
    pub database_url: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    running: Arc<Running>,
}

impl TestApp {
    pub async fn spawn(backend: &Backend, db: &TestDatabase) -> TestApp {
        Self::spawn_with(backend, db, |_| {}).await
    }

    /// Starts the app with a configuration adjusted by `tweak`.
    pub async fn spawn_with(
        backend: &Backend,
        db: &TestDatabase,
        tweak: impl FnOnce(&mut Config),
    ) -> TestApp {
        let mut config = Config::for_database(db.url.clone());
        config.admin_password = Some(ADMIN_PASSWORD.into());
        tweak(&mut config);
        let app = App::prepare(config).await.expect("app prepares");
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind");
        let addr = acceptor.local_addr()[0]
            .as_socket_addr()
            .copied()
            .expect("socket address");
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            app.run(acceptor, async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
        });
        TestApp {
            addr,
            database_url: db.url.clone(),
            client: reqwest::Client::builder().build().expect("client"),
            backend: backend.clone(),
            running: Arc::new(Running {
                stop: std::sync::Mutex::new(Some(stop)),
                done: tokio::sync::Mutex::new(Some(handle)),
            }),
        }
    }

    /// A client for a server running elsewhere (a child process at `base_url`).
    pub fn external(base_url: &str, backend: &Backend) -> TestApp {
        let addr = base_url
            .trim_start_matches("http://")
            .parse()
            .expect("base URL of the form http://host:port");
        TestApp {
            addr,
            database_url: String::new(),
            client: reqwest::Client::builder().build().expect("client"),
            backend: backend.clone(),
            running: Arc::new(Running {
                stop: std::sync::Mutex::new(None),
                done: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// The same caller, talking to another server (another instance, or
    /// the same database after a restart).
    pub fn session_on(&self, session: &Session) -> Session {
        Session {
            app: self.clone(),
            token: session.token.clone(),
        }
    }

    /// Runs SQL straight on the server's database (to play an intruder).
    pub async fn sql(&self, sql: &str) {
        use sea_orm::ConnectionTrait;
        let conn = sea_orm::Database::connect(&self.database_url)
            .await
            .expect("connect to the test database");
        conn.execute_unprepared(sql).await.expect("sql runs");
        conn.close().await.ok();
    }

    pub async fn stop(&self) {
        if let Some(stop) = self.running.stop.lock().unwrap().take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.running.done.lock().await.take() {
            let _ = handle.await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client for pages: keeps cookies, does not follow redirects.
    pub fn browser_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub async fn login_raw(&self, login: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({ "login": login, "password": password }))
            .send()
            .await
            .expect("request")
    }

    pub async fn login(&self, login: &str, password: &str) -> Session {
        let resp = self.login_raw(login, password).await;
        let (status, body) = read(resp).await;
        assert_eq!(status, StatusCode::OK, "login {login}: {body}");
        Session {
            app: self.clone(),
            token: Some(body["token"].as_str().expect("token").to_owned()),
        }
    }

    pub async fn admin(&self) -> Session {
        self.login("admin", ADMIN_PASSWORD).await
    }

    pub fn anonymous(&self) -> Session {
        Session {
            app: self.clone(),
            token: None,
        }
    }

    /// Creates a user with `roles` and a password, and signs them in.
    pub async fn user_with_roles(&self, username: &str, roles: &[&str]) -> (Value, Session) {
        let admin = self.admin().await;
        let password = crate::support::password_of(username);
        let (status, user) = admin
            .post(
                "/api/v1/users",
                &json!({ "username": username, "name": format!("Pengguna {username}"), "roles": roles, "password": password }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{user}");
        let session = self.login(username, &password).await;
        (user, session)
    }
}

/// A signed-in (or anonymous) API caller using a bearer token.
#[derive(Clone)]
pub struct Session {
    pub app: TestApp,
    pub token: Option<String>,
}

pub async fn read(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

impl Session {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let builder = self.app.client.request(method, self.app.url(path));
        match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(
            self.request(reqwest::Method::GET, path)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.request(reqwest::Method::POST, path)
                .json(body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.request(reqwest::Method::PATCH, path)
                .json(body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn upload(&self, path: &str, file_name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        read(
            self.request(reqwest::Method::POST, path)
                .multipart(form)
                .send()
                .await
                .expect("request"),
        )
        .await
    }
}

/// Asserts the error shape and code of a failed response.
pub fn assert_error(status: StatusCode, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status.as_u16(), expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
}

// The pages, driven over plain HTTP as a browser without JavaScript does.

/// The CSRF token in a page's first form (HTML-unescaped).
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("page has a CSRF field") + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end]
        .replace("&#x2f;", "/")
        .replace("&#x3d;", "=")
        .replace("&#x2b;", "+")
        .replace("&amp;", "&")
}

/// `path` as `client` sees it (with its cookies): the status and the HTML.
pub async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = client.get(app.url(path)).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

/// Signs `client` in through the login form.
pub async fn sign_in(
    client: &reqwest::Client,
    app: &TestApp,
    login: &str,
    password: &str,
) -> reqwest::Response {
    let (_, html) = page(client, app, "/login").await;
    client
        .post(app.url("/login"))
        .form(&[
            ("csrf_token", csrf_token(&html).as_str()),
            ("login", login),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
}

/// Posts `fields` with the CSRF token of `page_path`: the status, the body
/// and where a redirect points.
pub async fn post_form(
    client: &reqwest::Client,
    app: &TestApp,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    let (_, html) = page(client, app, page_path).await;
    let mut form = vec![("csrf_token".to_owned(), csrf_token(&html))];
    form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let resp = client
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, unescape(&resp.text().await.unwrap()), location)
}

/// Page text with the slashes minijinja escapes written plainly.
pub fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
}
