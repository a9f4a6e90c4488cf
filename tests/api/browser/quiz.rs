//! A trainee takes a quiz on a 360×740 phone: with JavaScript through a
//! network drop (autosave, countdown, the offline banner, recovery, the
//! attempt finishing itself at the deadline), and without JavaScript.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::browser::{
    element, fits_the_screen, sign_in, sign_in_at, submit, text_of, wait_for_path,
};
use crate::given::setup;
use crate::proxy::Proxy;
use crate::support::{Session, TestApp};

type Flow = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Answers one question (as the page shows it) correctly.
async fn answer(question: &Element) {
    let kind = question
        .attr("data-type")
        .await
        .unwrap()
        .unwrap_or_default();
    match kind.as_str() {
        "truefalse" => {
            let yes = question
                .find(Locator::Css("input[value=true]"))
                .await
                .unwrap();
            yes.click().await.unwrap();
        }
        "multichoice" => {
            for label in question
                .find_all(Locator::Css("label.check"))
                .await
                .unwrap()
            {
                let text = label.text().await.unwrap();
                if ["443", "SSH", "HTTPS"].contains(&text.trim()) {
                    label.click().await.unwrap();
                }
            }
        }
        "shortanswer" | "numerical" => {
            let input = question.find(Locator::Css("input")).await.unwrap();
            let value = if kind == "numerical" {
                "62"
            } else {
                "Domain Name System"
            };
            input.send_keys(value).await.unwrap();
        }
        "matching" => {
            for label in question
                .find_all(Locator::Css(".matching label"))
                .await
                .unwrap()
            {
                let item = label.find(Locator::Css("span.item")).await.unwrap();
                let port = match item.text().await.unwrap().trim() {
                    "DNS" => "53",
                    "HTTP" => "80",
                    _ => "443",
                };
                let option = label
                    .find(Locator::XPath(&format!(
                        ".//option[normalize-space(.)='{port}']"
                    )))
                    .await
                    .unwrap();
                option.click().await.unwrap();
            }
        }
        other => panic!("unexpected question type {other}"),
    }
}

async fn questions(client: &Client) -> Vec<Element> {
    element(client, "fieldset[data-question]").await;
    client
        .find_all(Locator::Css("fieldset[data-question]"))
        .await
        .unwrap()
}

/// Waits (up to `seconds`) until `check` holds.
async fn eventually<F, Fut>(seconds: u64, what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..seconds * 10 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {seconds} s");
}

async fn saved_answers(trainee: &Session, attempt: &str) -> usize {
    let (_, view) = trainee.get(&format!("/api/v1/attempts/{attempt}")).await;
    view["answers"].as_object().map_or(0, |a| a.len())
}

async fn is_shown(client: &Client, css: &str) -> bool {
    match client.find(Locator::Css(css)).await {
        Ok(e) => e.is_displayed().await.unwrap_or(false),
        Err(_) => false,
    }
}

/// Where the last part of question `index` on the page sits, in page pixels.
async fn bottom_of(client: &Client, index: usize) -> f64 {
    client
        .execute(
            "const box = document.querySelectorAll('fieldset[data-question]')[arguments[0]];\
             return box.lastElementChild.getBoundingClientRect().top + window.scrollY;",
            vec![json!(index)],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap()
}

async fn state_of(question: &Element) -> String {
    question
        .find(Locator::Css(".save-state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap_or_default()
}

pub fn with_javascript(client: Client, app: TestApp) -> Flow {
    Box::pin(async move {
        // Just under a minute (the last-minute warning shows at once), with
        // room for a loaded two-core machine to get through the steps.
        let s = setup(
            &app,
            "QZ-WEB",
            json!({ "time_limit_seconds": 59, "review_policy": "after_submit" }),
        )
        .await;
        // All of the browser's traffic goes through the proxy: the "Wi-Fi".
        let wifi = Proxy::start(app.addr).await;
        client.set_window_size(360, 740).await.unwrap();
        let password = crate::support::password_of(&s.trainee_username);
        sign_in_at(&client, &wifi.url("/login"), &s.trainee_username, &password).await;
        client
            .goto(&wifi.url(&format!("/quizzes/{}", s.quiz_id)))
            .await
            .unwrap();
        submit(&client, "main form button[type=submit]").await;
        let path = client.current_url().await.unwrap().path().to_owned();
        assert!(path.starts_with("/attempts/"), "{path}");
        let attempt = path.trim_start_matches("/attempts/").to_owned();

        // The countdown runs from the server's deadline, and warns.
        eventually(5, "countdown", || async {
            text_of(&client, "#countdown").await.contains("sisa 0:")
        })
        .await;
        assert!(is_shown(&client, "#time-banner").await);
        assert!(text_of(&client, "#time-banner").await.contains("1 menit"));

        let on_page = questions(&client).await;
        let before = (bottom_of(&client, 0).await, bottom_of(&client, 1).await);
        answer(&on_page[0]).await;
        eventually(10, "first answer saved", || async {
            state_of(&on_page[0]).await.starts_with("tersimpan")
        })
        .await;
        // "tersimpan 10.32.15 WIB" appearing moves nothing under the finger
        // (a wrapped line once shifted a choice away from a tap).
        assert_eq!(
            (bottom_of(&client, 0).await, bottom_of(&client, 1).await),
            before,
            "the page kept still while the answer was saved"
        );
        assert_eq!(saved_answers(&s.trainee, &attempt).await, 1);

        // The Wi-Fi drops: the answer waits, and the trainee is told.
        wifi.go_offline();
        answer(&on_page[1]).await;
        eventually(10, "offline banner", || is_shown(&client, "#save-banner")).await;
        assert!(
            text_of(&client, "#save-banner")
                .await
                .contains("Jawaban belum tersimpan — periksa koneksi")
        );
        assert_eq!(
            saved_answers(&s.trainee, &attempt).await,
            1,
            "not stored yet"
        );

        // It comes back: the answer is retried and stored, the banner goes.
        wifi.go_online();
        eventually(20, "banner gone after recovery", || async {
            !is_shown(&client, "#save-banner").await
        })
        .await;
        eventually(15, "second answer saved", || async {
            state_of(&on_page[1]).await.starts_with("tersimpan")
        })
        .await;
        assert_eq!(saved_answers(&s.trainee, &attempt).await, 2);
        fits_the_screen(&client, "the quiz page").await;

        // Time runs out: the page finishes by itself, with both answers.
        let result = format!("/attempts/{attempt}/result");
        for _ in 0..700 {
            if client.current_url().await.unwrap().path() == result {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        wait_for_path(&client, &result).await;
        let text = text_of(&client, "main").await;
        assert!(
            text.contains("Diselesaikan otomatis saat waktu habis")
                && text.contains("2 dari 6 poin"),
            "{text}"
        );
        fits_the_screen(&client, "the quiz page").await;
    })
}

pub fn without_javascript(client: Client, app: TestApp) -> Flow {
    Box::pin(async move {
        let s = setup(&app, "QZ-NOJS", json!({ "time_limit_seconds": 1800 })).await;
        client.set_window_size(360, 740).await.unwrap();
        let password = crate::support::password_of(&s.trainee_username);
        sign_in(&client, &app, &s.trainee_username, &password).await;
        client
            .goto(&app.url(&format!("/quizzes/{}", s.quiz_id)))
            .await
            .unwrap();
        submit(&client, "main form button[type=submit]").await;
        assert_eq!(
            text_of(&client, "#countdown").await,
            "",
            "no script, no countdown"
        );
        assert!(text_of(&client, ".quiz-bar").await.contains("Batas waktu"));
        fits_the_screen(&client, "the quiz page").await;

        for q in questions(&client).await {
            answer(&q).await;
        }
        submit(&client, "button[value=next]").await;
        assert!(text_of(&client, "main").await.contains("Halaman 2 dari 2"));
        for q in questions(&client).await {
            answer(&q).await;
        }
        submit(&client, "button[value=summary]").await;
        assert!(
            text_of(&client, "main")
                .await
                .contains("Semua 6 soal sudah dijawab")
        );
        submit(&client, "main form button[type=submit]").await;
        let text = text_of(&client, "main").await;
        assert!(text.contains("100%") && text.contains("Lulus"), "{text}");
        fits_the_screen(&client, "the quiz page").await;
    })
}
