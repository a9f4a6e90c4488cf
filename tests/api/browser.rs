//! Browser tests: headless Chromium driven through ChromeDriver against the
//! real server. Skipped (or, with BIMTEK_TEST_REQUIRE_ALL=1, failed) when
//! Chromium or ChromeDriver is not installed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use libtest_mimic::{Failed, Trial};

use crate::support::{ADMIN_PASSWORD, Backend, TestApp, TestDatabase};

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
    vec![Trial::test(
        "browser::admin_signs_in_creates_imports_and_signs_out",
        move || crate::runtime().block_on(run(browser, admin_flow)),
    )]
}

struct Driver {
    process: Child,
    _profile: tempfile::TempDir,
    client: Client,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(browser: &Browser) -> Driver {
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
    let capabilities: serde_json::Map<String, serde_json::Value> =
        capabilities.as_object().unwrap().clone();
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

type Flow = fn(Client, TestApp) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

async fn run(browser: Browser, flow: Flow) -> Result<(), Failed> {
    let db = TestDatabase::create(&Backend::Sqlite).await;
    let app = TestApp::spawn(&Backend::Sqlite, &db).await;
    let mut driver = start(&browser).await;
    let outcome = tokio::spawn(flow(driver.client.clone(), app.clone())).await;
    let _ = driver.client.clone().close().await;
    let _ = driver.process.kill();
    let _ = driver.process.wait();
    app.stop().await;
    outcome.map_err(|e| Failed::from(crate::panic_message(e)))
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn fill(client: &Client, css: &str, value: &str) {
    let field = client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn wait_for_path(client: &Client, path: &str) {
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

fn admin_flow(
    client: Client,
    app: TestApp,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move {
        client.goto(&app.url("/")).await.unwrap();
        wait_for_path(&client, "/login").await;
        fill(&client, "#login", "admin").await;
        fill(&client, "#password", ADMIN_PASSWORD).await;
        client
            .find(Locator::Css("form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_path(&client, "/").await;
        assert!(text_of(&client, "h1").await.contains("Selamat datang"));

        client.goto(&app.url("/admin/users/new")).await.unwrap();
        fill(&client, "input[name=name]", "Sari Peserta").await;
        fill(&client, "input[name=nip]", "199203042019032005").await;
        fill(&client, "input[name=password]", "sari-sandi-123").await;
        client
            .find(Locator::Css("form.grid button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_path(&client, "/admin/users").await;
        assert!(text_of(&client, ".alert.ok").await.contains("Sari Peserta"));
        assert!(
            text_of(&client, "table")
                .await
                .contains("199203042019032005")
        );

        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("peserta.csv");
        std::fs::write(&csv, "nip,nama\n199001012015031001,Ani\n19900101,Budi\n").unwrap();
        client.goto(&app.url("/admin/users/import")).await.unwrap();
        upload(&client, &csv).await;
        client
            .find(Locator::Css("main form button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let errors = wait_text(&client, "table.errors").await;
        assert!(
            errors.contains("3") && errors.contains("nip") && errors.contains("18 digit"),
            "{errors}"
        );

        client
            .find(Locator::Css("button.link"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_path(&client, "/login").await;
        client.goto(&app.url("/admin/users")).await.unwrap();
        wait_for_path(&client, "/login").await;
    })
}

async fn upload(client: &Client, file: &Path) {
    let input = client.find(Locator::Css("input[type=file]")).await.unwrap();
    input.send_keys(&file.display().to_string()).await.unwrap();
}

async fn wait_text(client: &Client, css: &str) -> String {
    for _ in 0..50 {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            return element.text().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never appeared");
}
