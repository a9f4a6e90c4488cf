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
    let flows: [(&str, Flow, Scripts); 9] = [
        (
            "browser::batch_scheduled_imported_attended_seen_on_phone",
            batch_flow,
            Scripts::On,
        ),
        (
            "browser::admin_signs_in_creates_imports_and_signs_out",
            admin_flow,
            Scripts::On,
        ),
        (
            "browser::course_published_bank_fixed_trainee_reads",
            course_flow,
            Scripts::On,
        ),
        (
            "browser::timed_quiz_on_a_phone_through_a_network_drop",
            crate::browser_quiz::with_javascript,
            Scripts::On,
        ),
        (
            "browser::cloze_question_taken_and_marked_on_a_phone",
            crate::browser_cloze::on_a_phone,
            Scripts::On,
        ),
        (
            "browser::quiz_on_a_phone_without_javascript",
            crate::browser_quiz::without_javascript,
            Scripts::Off,
        ),
        (
            "browser::assessor_grades_on_a_tablet_trainee_reads_result_on_a_phone",
            crate::browser_exam::grading_and_results,
            Scripts::On,
        ),
        (
            "browser::trainee_downloads_certificate_stranger_verifies_on_a_phone",
            crate::browser_certificate::download_and_verify,
            Scripts::On,
        ),
        (
            "browser::trainee_fills_the_evaluation_on_a_phone",
            crate::evaluations::on_a_phone,
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
    trials.push(crate::browser_day::trial(browser));
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

        // The API documentation runs under its content security policy.
        client.goto(&app.url("/api/docs")).await.unwrap();
        assert!(
            text_of(&client, ".swagger-ui .info .title")
                .await
                .contains("Bimtek")
        );

        client.goto(&app.url("/admin/users/new")).await.unwrap();
        fill(&client, "input[name=name]", "Sari Peserta").await;
        fill(&client, "input[name=nip]", "199203042019032005").await;
        fill(
            &client,
            "input[name=password]",
            &crate::support::password_of("sari"),
        )
        .await;
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
            errors.contains("3") && errors.contains("NIP") && errors.contains("18 digit"),
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

/// Waits (up to 10 s) for the element `css` to exist.
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

/// The issue's flow: an admin builds and publishes a two-module course,
/// uploads a GIFT file with an error and then the fixed file; a trainee
/// reads both modules and sees the progress.
fn course_flow(
    client: Client,
    app: TestApp,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move {
        let (peserta, _) = app.user_with_roles("peserta", &["trainee"]).await;
        sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
        client.goto(&app.url("/admin/courses")).await.unwrap();
        fill(&client, "#baru input[name=code]", "BIMTEK-HM-2026").await;
        fill(&client, "#baru input[name=title]", "Menulis Siaran Pers").await;
        client
            .find(Locator::Css("#baru select[name=track]"))
            .await
            .unwrap()
            .select_by_value("humas")
            .await
            .unwrap();
        submit(&client, "#baru button[type=submit]").await;
        for (title, body) in [
            ("Struktur siaran pers", "Judul, **teras**, tubuh."),
            (
                "Kutipan narasumber",
                "| Unsur | Isi |\n|---|---|\n| Kutipan | Langsung |",
            ),
        ] {
            fill(&client, "#modul-baru input[name=title]", title).await;
            fill(&client, "#modul-baru input[name=jp]", "2").await;
            fill(&client, "#modul-baru textarea[name=body_markdown]", body).await;
            submit(&client, "#modul-baru button[value=save]").await;
        }
        click(
            &client,
            "form[action$='/status'] input[value=published] ~ button",
        )
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let editor = page_text(&client).await;
        assert!(
            editor.contains("Terbit") && editor.contains("2 modul") && editor.contains("4 JP"),
            "{editor}"
        );

        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("latihan.gift");
        std::fs::write(
            &broken,
            "// [tag:unit:siaran-pers]\nSatu {T}\n\nDua {=a ~b\n",
        )
        .unwrap();
        client.goto(&app.url("/admin/banks")).await.unwrap();
        upload(&client, &broken).await;
        submit(&client, "#impor button[type=submit]").await;
        let errors = wait_text(&client, "table.errors").await;
        assert!(
            errors.contains("4") && errors.contains("diharapkan '}'"),
            "{errors}"
        );
        std::fs::write(
            &broken,
            "// [tag:unit:siaran-pers]\nSatu {T}\n\n// [tag:unit:siaran-pers]\nDua {=a ~b}\n",
        )
        .unwrap();
        upload(&client, &broken).await;
        click(&client, "#impor input[name=dry_run]").await;
        submit(&client, "#impor button[type=submit]").await;
        let done = wait_text(&client, ".alert.ok").await;
        assert!(
            done.contains("selesai") && done.contains("2 baru"),
            "{done}"
        );
        submit(&client, "button.link").await;
        wait_for_path(&client, "/login").await;

        let admin = app.admin().await;
        let (_, courses) = admin.get("/api/v1/courses").await;
        let course_id = courses[0]["id"].as_str().unwrap().to_owned();
        crate::catalog::seat(&admin, &course_id, &[&peserta]).await;
        sign_in(
            &client,
            &app,
            "peserta",
            &crate::support::password_of("peserta"),
        )
        .await;
        client.goto(&app.url("/courses")).await.unwrap();
        assert!(page_text(&client).await.contains("0 dari 2 modul dibaca"));
        submit(&client, ".tile a").await;
        submit(&client, ".modules li a").await;
        assert!(text_of(&client, "article").await.contains("teras"));
        click(&client, ".module-nav form button").await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        click(
            &client,
            ".module-nav a.button[href^='/modules/']:last-child",
        )
        .await;
        let table = wait_text(&client, "article table").await;
        assert!(table.contains("Kutipan"), "{table}");
        submit(&client, ".module-nav form button").await;
        submit(&client, "main > p > a").await;
        let course = page_text(&client).await;
        assert!(course.contains("2 dari 2 modul dibaca"), "{course}");
    })
}

/// An admin schedules a batch, imports trainees (first with a bad row) and
/// records attendance; a trainee on a 360×740 screen sees the batch.
fn batch_flow(
    client: Client,
    app: TestApp,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move {
        let admin = app.admin().await;
        let course =
            crate::catalog::course_with_modules(&admin, "BIMTEK-PK-2026", &[("Jaringan", 4)]).await;
        let course_id = course["id"].as_str().unwrap().to_owned();
        admin
            .patch(
                &format!("/api/v1/courses/{course_id}"),
                &serde_json::json!({ "status": "published" }),
            )
            .await;
        let nips: Vec<String> = (1200..1203).map(crate::schedule::nip).collect();
        crate::schedule::trainees(&admin, 1200, 3).await;
        let (_, found) = admin.get(&format!("/api/v1/users?q={}", nips[0])).await;
        let first_id = found["items"][0]["id"].as_str().unwrap().to_owned();
        admin
            .patch(
                &format!("/api/v1/users/{first_id}"),
                &serde_json::json!({ "password": "Kebun-Teh-Pagi-1" }),
            )
            .await;

        sign_in(&client, &app, "admin", ADMIN_PASSWORD).await;
        client
            .goto(&app.url("/admin/batches?month=2026-03"))
            .await
            .unwrap();
        element(&client, "#baru select[name=course_id]")
            .await
            .select_by_value(&course_id)
            .await
            .unwrap();
        fill(&client, "#baru input[name=name]", "Angkatan I 2026").await;
        for (field, value) in [("starts_on", "2026-03-03"), ("ends_on", "2026-03-05")] {
            // Date inputs take the value through script: typing depends on the browser's locale.
            client
                .execute(
                    "document.querySelector(arguments[0]).value = arguments[1];",
                    vec![
                        serde_json::json!(format!("#baru input[name={field}]")),
                        serde_json::json!(value),
                    ],
                )
                .await
                .unwrap();
        }
        fill(&client, "#baru input[name=venue]", "Hotel Puri Asri").await;
        submit(&client, "#baru button[type=submit]").await;
        assert!(text_of(&client, "h1").await.contains("Angkatan I 2026"));

        client
            .execute(
                "document.querySelector('#jadwal input[name=day]').value = '2026-03-03';",
                vec![],
            )
            .await
            .unwrap();
        submit(&client, "#jadwal form.grid button[type=submit]").await;
        assert!(text_of(&client, "#jadwal table").await.contains("08:00"));

        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("peserta.csv");
        std::fs::write(
            &list,
            format!("nip\n{}\n{}\n12345\n{}\n", nips[0], nips[1], nips[2]),
        )
        .unwrap();
        client
            .find(Locator::Css("#peserta input[type=file]"))
            .await
            .unwrap()
            .send_keys(&list.display().to_string())
            .await
            .unwrap();
        submit(
            &client,
            "form[action$='/enrolments/import'] button[type=submit]",
        )
        .await;
        let errors = wait_text(&client, "table.errors").await;
        assert!(
            errors.contains("4") && errors.contains("18 digit"),
            "{errors}"
        );
        std::fs::write(
            &list,
            format!("nip\n{}\n{}\n{}\n", nips[0], nips[1], nips[2]),
        )
        .unwrap();
        client
            .find(Locator::Css("#peserta input[type=file]"))
            .await
            .unwrap()
            .send_keys(&list.display().to_string())
            .await
            .unwrap();
        submit(
            &client,
            "form[action$='/enrolments/import'] button[type=submit]",
        )
        .await;
        assert!(
            wait_text(&client, "#peserta .alert.ok")
                .await
                .contains("3 terdaftar")
        );

        let select = element(&client, "#kehadiran tbody tr:first-child select").await;
        select.select_by_value("present").await.unwrap();
        submit(&client, "#kehadiran button[type=submit]").await;
        assert!(
            wait_text(&client, ".alert.ok")
                .await
                .contains("1 catatan kehadiran disimpan")
        );
        submit(&client, "button.link").await;

        client.set_window_size(360, 740).await.unwrap();
        sign_in(&client, &app, &nips[0], "Kebun-Teh-Pagi-1").await;
        client.goto(&app.url("/my/batches")).await.unwrap();
        let card = wait_text(&client, ".batch-card").await;
        assert!(
            card.contains("Angkatan I 2026")
                && card.contains("Hotel Puri Asri")
                && card.contains("3 Maret 2026"),
            "{card}"
        );
        click(&client, ".batch-card details summary").await;
        assert!(
            text_of(&client, ".schedule")
                .await
                .contains("08:00–16:00 WIB")
        );
        fits_the_screen(&client, "the batch page").await;
    })
}

async fn upload(client: &Client, file: &Path) {
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
