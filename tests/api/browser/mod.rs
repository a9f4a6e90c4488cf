//! Browser tests: headless Chromium driven through ChromeDriver against the
//! real server. Skipped (or, with BIMTEK_TEST_REQUIRE_ALL=1, failed) when
//! Chromium or ChromeDriver is not installed. This module lists the flows
//! (one file each) and holds what they share: starting the browser, and
//! helpers that wait for pages and elements.

mod admin;
mod batch;
mod certificate;
mod cloze;
mod course;
mod day;
mod evaluation;
mod exam;
mod quiz;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use libtest_mimic::{Failed, Trial};

use crate::support::{Backend, TestApp, TestDatabase};

#[derive(Clone, Debug)]
pub struct Browser {
    chromium: PathBuf,
    driver: PathBuf,
}

fn find(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Ok(path) = std::env::var(env) {
        return Some(PathBuf::from(path));
    }
    let dirs = std::env::var("PATH").unwrap_or_default();
    names
        .iter()
        .flat_map(|name| std::env::split_paths(&dirs).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

impl Browser {
    pub fn detect() -> Result<Browser, String> {
        let chromium = find(
            "BIMTEK_TEST_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        )
        .ok_or("chromium not found; apt-get install chromium chromium-driver")?;
        let driver = find("BIMTEK_TEST_CHROMEDRIVER", &["chromedriver"])
            .ok_or("chromedriver not found; apt-get install chromium-driver")?;
        Ok(Browser { chromium, driver })
    }

    pub fn describe(&self) -> String {
        format!("{} via {}", self.chromium.display(), self.driver.display())
    }
}

pub fn trials(browser: Browser) -> Vec<Trial> {
    let flows: [(&str, Flow, Scripts); 9] = [
        (
            "browser::batch_scheduled_imported_attended_seen_on_phone",
            batch::flow,
            Scripts::On,
        ),
        (
            "browser::admin_signs_in_creates_imports_and_signs_out",
            admin::flow,
            Scripts::On,
        ),
        (
            "browser::course_published_bank_fixed_trainee_reads",
            course::flow,
            Scripts::On,
        ),
        (
            "browser::timed_quiz_on_a_phone_through_a_network_drop",
            quiz::with_javascript,
            Scripts::On,
        ),
        (
            "browser::cloze_question_taken_and_marked_on_a_phone",
            cloze::on_a_phone,
            Scripts::On,
        ),
        (
            "browser::quiz_on_a_phone_without_javascript",
            quiz::without_javascript,
            Scripts::Off,
        ),
        (
            "browser::assessor_grades_on_a_tablet_trainee_reads_result_on_a_phone",
            exam::grading_and_results,
            Scripts::On,
        ),
        (
            "browser::trainee_downloads_certificate_stranger_verifies_on_a_phone",
            certificate::download_and_verify,
            Scripts::On,
        ),
        (
            "browser::trainee_fills_the_evaluation_on_a_phone",
            evaluation::on_a_phone,
            Scripts::On,
        ),
    ];
    let mut trials: Vec<Trial> = flows
        .into_iter()
        .map(|(name, flow, scripts)| {
            let browser = browser.clone();
            Trial::test(name, move || {
                crate::runtime().block_on(run(browser, flow, scripts))
            })
        })
        .collect();
    trials.push(day::trial(browser));
    trials
}

/// Whether the browser runs JavaScript.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scripts {
    On,
    Off,
}

pub struct Driver {
    process: Child,
    _profile: tempfile::TempDir,
    pub client: Client,
}

impl Driver {
    /// Ends the browser session and ChromeDriver.
    pub async fn close(&mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// A browser that saves downloads (PDFs too, never shown inline) to `dir`.
pub async fn start_with_downloads(browser: &Browser, scripts: Scripts, dir: &Path) -> Driver {
    start(browser, scripts, Some(dir)).await
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(browser: &Browser, scripts: Scripts, downloads: Option<&Path>) -> Driver {
    let port = free_port();
    let process = Command::new(&browser.driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let capabilities = serde_json::json!({
        "goog:chromeOptions": {
            "binary": browser.chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    });
    let mut capabilities: serde_json::Map<String, serde_json::Value> =
        capabilities.as_object().unwrap().clone();
    // Console messages, read back by `console_errors`.
    capabilities.insert(
        "goog:loggingPrefs".into(),
        serde_json::json!({ "browser": "ALL" }),
    );
    let mut prefs = serde_json::Map::new();
    if scripts == Scripts::Off {
        prefs.insert(
            "profile.managed_default_content_settings.javascript".into(),
            2.into(),
        );
    }
    if let Some(dir) = downloads {
        prefs.insert(
            "download.default_directory".into(),
            dir.display().to_string().into(),
        );
        prefs.insert("download.prompt_for_download".into(), false.into());
        prefs.insert("plugins.always_open_pdf_externally".into(), true.into());
    }
    if !prefs.is_empty() {
        capabilities["goog:chromeOptions"]["prefs"] = prefs.into();
    }
    let mut last_error = String::new();
    for _ in 0..50 {
        // ChromeDriver is on loopback: plain HTTP, no TLS stack needed.
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => {
                return Driver {
                    process,
                    _profile: profile,
                    client,
                };
            }
            Err(err) => {
                last_error = err.to_string();
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    panic!("chromedriver did not start: {last_error}");
}

pub type Flow =
    fn(Client, TestApp) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

async fn run(browser: Browser, flow: Flow, scripts: Scripts) -> Result<(), Failed> {
    let db = TestDatabase::create(&Backend::Sqlite).await;
    let app = TestApp::spawn(&Backend::Sqlite, &db).await;
    let mut driver = start(&browser, scripts, None).await;
    let outcome = tokio::spawn(flow(driver.client.clone(), app.clone())).await;
    driver.close().await;
    app.stop().await;
    outcome.map_err(|e| Failed::from(crate::panic_message(e)))
}

/// ChromeDriver's console log of the page(s) since the last read.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (poem::http::Method, Option<String>) {
        (
            poem::http::Method::POST,
            Some(r#"{"type":"browser"}"#.into()),
        )
    }
}

/// The errors the console showed since the last call (scripts that threw,
/// resources that failed to load, content-security-policy refusals).
pub async fn console_errors(client: &Client) -> Vec<String> {
    let log = client
        .issue_cmd(BrowserLog)
        .await
        .expect("ChromeDriver's log");
    log.as_array()
        .expect("log entries")
        .iter()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The text of an element, waiting for it as `element` does: under a
/// loaded CI machine a page can still be arriving when the test reads it.
pub async fn text_of(client: &Client, css: &str) -> String {
    element(client, css).await.text().await.unwrap()
}

pub async fn fill(client: &Client, css: &str, value: &str) {
    let field = element(client, css).await;
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

pub async fn wait_for_path(client: &Client, path: &str) {
    for _ in 0..50 {
        if client.current_url().await.unwrap().path() == path {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never reached {path}, at {}",
        client.current_url().await.unwrap()
    );
}

/// Fails when the page is wider than the window: on a phone that means
/// scrolling sideways to read or tap something.
pub async fn fits_the_screen(client: &Client, what: &str) {
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "{what} scrolls sideways by {overflow}"
    );
}

/// Waits (up to 10 s) for the element `css` to exist.
pub async fn element(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

pub async fn click(client: &Client, css: &str) {
    element(client, css).await.click().await.unwrap();
}

/// Clicks something that loads a new page and waits until it has.
pub async fn submit(client: &Client, css: &str) {
    let old = client.find(Locator::Css("html")).await.unwrap();
    click(client, css).await;
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("clicking {css} did not load a page");
}

pub async fn sign_in(client: &Client, app: &TestApp, login: &str, password: &str) {
    sign_in_at(client, &app.url("/login"), login, password).await;
}

/// Signs in through the login page at `login_url` (e.g. through a proxy).
pub async fn sign_in_at(client: &Client, login_url: &str, login: &str, password: &str) {
    client.goto(login_url).await.unwrap();
    fill(client, "#login", login).await;
    fill(client, "#password", password).await;
    submit(client, "form button[type=submit]").await;
    wait_for_path(client, "/").await;
}

pub async fn page_text(client: &Client) -> String {
    text_of(client, "main").await
}

/// Chooses `file` in the page's file field.
pub async fn upload(client: &Client, file: &Path) {
    let input = client.find(Locator::Css("input[type=file]")).await.unwrap();
    input.send_keys(&file.display().to_string()).await.unwrap();
}

pub async fn wait_text(client: &Client, css: &str) -> String {
    for _ in 0..50 {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            return element.text().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never appeared");
}
