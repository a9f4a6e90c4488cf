//! A trainee answers Cloze questions (imported from Moodle XML, one with a
//! picture) on a 360×740 phone: typed blanks, a number with the decimal comma, a
//! drop-down, radio buttons side by side and check boxes, all inside the
//! text; each saved as it changes, still there after a reload, and marked
//! blank by blank.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::browser::{element, fits_the_screen, sign_in, submit, text_of};
use crate::given::{fixture, setup_with_bank};
use crate::support::Session;

type Flow = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The Cloze question on the page whose text holds `words`.
async fn question_with(client: &Client, words: &str) -> Element {
    element(client, "fieldset[data-type=cloze]").await;
    for q in client
        .find_all(Locator::Css("fieldset[data-type=cloze]"))
        .await
        .unwrap()
    {
        if q.text().await.unwrap().contains(words) {
            return q;
        }
    }
    panic!("no Cloze question with {words}");
}

async fn type_into(question: &Element, blank: u32, text: &str) {
    let input = question
        .find(Locator::Css(&format!("input[data-blank='{blank}']")))
        .await
        .unwrap();
    input.send_keys(text).await.unwrap();
}

/// Picks the choices of `blank` whose texts are `texts` (drop-down option,
/// radio button or check box).
async fn choose(question: &Element, blank: u32, texts: &[&str]) {
    for text in texts {
        let path = format!(
            ".//option[@value != '' and normalize-space(.)='{text}' and ancestor::select[@data-blank='{blank}']] \
             | .//label[input[@data-blank='{blank}'] and normalize-space(.)='{text}']"
        );
        let target = question.find(Locator::XPath(&path)).await.unwrap();
        target.click().await.unwrap();
    }
}

/// The saved answer of question `id`, as the API has it.
async fn saved(trainee: &Session, attempt: &str, id: &str) -> Value {
    let (_, view) = trainee.get(&format!("/api/v1/attempts/{attempt}")).await;
    view["answers"][id]["response"].clone()
}

async fn saved_blanks(trainee: &Session, attempt: &str, id: &str, want: usize) -> Value {
    for _ in 0..150 {
        let response = saved(trainee, attempt, id).await;
        let filled = response["blanks"].as_array().map_or(0, |b| {
            b.iter()
                .filter(|x| {
                    x["text"].as_str().is_some_and(|t| !t.is_empty())
                        || x["choices"].as_array().is_some_and(|c| !c.is_empty())
                })
                .count()
        });
        if filled == want {
            return response;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{want} blanks not saved: {}",
        saved(trainee, attempt, id).await
    );
}

pub fn on_a_phone(client: Client, app: crate::support::TestApp) -> Flow {
    Box::pin(async move {
        let s = setup_with_bank(
            &app,
            "CLZ-WEB",
            &fixture("moodle_xml/cloze.xml"),
            json!({
                "time_limit_seconds": 1800,
                "review_policy": "after_submit",
                "selection": { "rules": [{ "tag": "unit:jaringan", "count": 2, "types": ["cloze"] }] },
            }),
        )
        .await;
        client.set_window_size(360, 740).await.unwrap();
        let password = crate::support::password_of(&s.trainee_username);
        sign_in(&client, &app, &s.trainee_username, &password).await;
        client
            .goto(&app.url(&format!("/quizzes/{}", s.quiz_id)))
            .await
            .unwrap();
        submit(&client, "main form button[type=submit]").await;
        let path = client.current_url().await.unwrap().path().to_owned();
        let attempt = path.trim_start_matches("/attempts/").to_owned();

        let basics = question_with(&client, "Jawa Tengah").await;
        let basics_id = basics.attr("data-question").await.unwrap().unwrap();
        // The question's picture, imported with it, is shown and shrinks
        // to the phone's width.
        let mut picture = Value::Null;
        for _ in 0..150 {
            picture = client
                .execute(
                    "const img = document.querySelector('fieldset[data-type=cloze] img'); \
                     return img && img.complete && img.naturalWidth > 0 \
                       ? [img.naturalWidth, img.getBoundingClientRect().width] : null;",
                    vec![],
                )
                .await
                .unwrap();
            if !picture.is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let natural = picture[0].as_f64().unwrap_or_default();
        let shown = picture[1].as_f64().unwrap_or_default();
        assert!(
            natural == 900.0 && shown > 0.0 && shown < 360.0,
            "{picture}"
        );
        type_into(&basics, 1, "Semarang").await;
        type_into(&basics, 2, "62").await;
        choose(&basics, 3, &["HTTPS"]).await;
        choose(&basics, 4, &["53"]).await;
        choose(&basics, 5, &["Benar"]).await;
        choose(&basics, 6, &["SSH", "TLS"]).await;
        let response = saved_blanks(&s.trainee, &attempt, &basics_id, 6).await;
        assert_eq!(response["blanks"][0]["text"], "Semarang", "{response}");
        assert_eq!(
            response["blanks"][5]["choices"].as_array().unwrap().len(),
            2
        );

        let short = question_with(&client, "DNS singkatan").await;
        let short_id = short.attr("data-question").await.unwrap().unwrap();
        type_into(&short, 1, "Domain Name System").await;
        type_into(&short, 2, "a}b").await;
        choose(&short, 3, &["UDP"]).await;
        type_into(&short, 4, "3,5").await;
        saved_blanks(&s.trainee, &attempt, &short_id, 4).await;
        fits_the_screen(&client, "the quiz page").await;

        // A reload shows what was saved, inside the text.
        client.refresh().await.unwrap();
        let basics = question_with(&client, "Jawa Tengah").await;
        let first = basics
            .find(Locator::Css("input[data-blank='1']"))
            .await
            .unwrap();
        assert_eq!(
            first.prop("value").await.unwrap().as_deref(),
            Some("Semarang")
        );
        fits_the_screen(&client, "the quiz page").await;

        submit(&client, "button[value=summary]").await;
        assert!(
            text_of(&client, "main")
                .await
                .contains("Semua 2 soal sudah dijawab")
        );
        submit(&client, "main form button[type=submit]").await;
        let text = text_of(&client, "main").await;
        assert!(
            text.contains("100%") && text.contains("11 dari 11 poin") && text.contains("Lulus"),
            "{text}"
        );
        assert!(
            text.contains("(1) Semarang; (2) 62; (3) HTTPS; (4) 53; (5) Benar; (6) SSH, TLS"),
            "{text}"
        );
        fits_the_screen(&client, "the quiz page").await;
    })
}
