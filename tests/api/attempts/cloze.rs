//! Cloze (embedded answers) questions from a Moodle XML file written from
//! Moodle's documented syntax: imported with their blanks, taken through
//! the API without the key showing, marked per blank and weighted as
//! Moodle marks them, reviewed, shown on the bank page and on the result
//! page, and exported back to Moodle XML (GIFT cannot hold them).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::given::{fixture, save, setup_with_bank, start_attempt};
use crate::support::{ADMIN_PASSWORD, TestApp, assert_error, page, password_of, sign_in};

cases![cloze_questions_are_taken_and_marked_per_blank];

/// The ids of the choices of blank `number` whose texts are `texts`.
fn pick(question: &Value, number: usize, texts: &[&str]) -> Value {
    let blank = &question["blanks"][number - 1];
    let ids: Vec<Value> = blank["choices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| texts.contains(&c["text_html"].as_str().unwrap()))
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(ids.len(), texts.len(), "{blank}");
    json!({ "choices": ids })
}

fn typed(text: &str) -> Value {
    json!({ "text": text })
}

async fn cloze_questions_are_taken_and_marked_per_blank(app: TestApp) {
    let xml = fixture("moodle_xml/cloze.xml");
    let s = setup_with_bank(
        &app,
        "CLZ",
        &xml,
        json!({
            "selection": { "rules": [{ "tag": "unit:jaringan", "count": 2, "types": ["cloze"] }] },
            "review_policy": "after_submit",
        }),
    )
    .await;

    let attempt = start_attempt(&s.trainee, &s.quiz_id).await;
    let id = attempt["id"].as_str().unwrap();
    let questions = attempt["questions"].as_array().unwrap();
    assert!(questions.iter().all(|q| q["type"] == "cloze"), "{attempt}");
    let basics = questions
        .iter()
        .find(|q| q["text_html"].as_str().unwrap().contains("Jawa Tengah"))
        .unwrap();
    let short = questions
        .iter()
        .find(|q| q["text_html"].as_str().unwrap().contains("DNS singkatan"))
        .unwrap();
    // Worth the sum of the blanks' weights, as in Moodle.
    assert_eq!(
        (basics["points"].as_f64(), short["points"].as_f64()),
        (Some(7.0), Some(4.0))
    );
    let text = basics["text_html"].as_str().unwrap();
    assert!(
        text.contains("adalah <span class=\"cloze-blank\" data-blank=\"1\"></span>."),
        "{text}"
    );
    let inputs: Vec<&str> = basics["blanks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["input"].as_str().unwrap())
        .collect();
    assert_eq!(
        inputs,
        ["text", "number", "dropdown", "radio", "radio", "checkbox"]
    );
    assert_eq!(basics["blanks"][4]["horizontal"], true);
    // Nothing of the key: no typed answer, weight or feedback in the view.
    let shown = attempt.to_string();
    for secret in [
        "Semarang",
        "fraction",
        "Tepat",
        "Telnet tidak",
        "Domain Name",
        "2<sup>6",
    ] {
        assert!(
            !shown.contains(secret),
            "the attempt shows {secret}: {shown}"
        );
    }

    // Wrong shapes are refused, naming the blank.
    let basics_id = basics["id"].as_str().unwrap();
    let (status, body) = save(&s.trainee, id, basics_id, typed("Semarang"), None).await;
    assert_error(status, &body, 422, "validation_failed");
    let ssh = pick(basics, 6, &["SSH"]);
    let (status, body) = save(
        &s.trainee,
        id,
        basics_id,
        json!({ "blanks": [typed("x"), typed("1"), ssh] }),
        None,
    )
    .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(
        body["error"]["details"][0]["field"], "response.blanks[2]",
        "{body}"
    );

    // Blank by blank: 2 × 1 + 0,5 + 1 + 1 + 0 + 1 = 5,5 of 7.
    let (status, saved) = save(
        &s.trainee,
        id,
        basics_id,
        json!({ "blanks": [
            typed("  semarang "),
            typed("64"),
            pick(basics, 3, &["HTTPS"]),
            pick(basics, 4, &["53"]),
            pick(basics, 5, &["Salah"]),
            pick(basics, 6, &["SSH", "TLS"]),
        ] }),
        Some(1),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, saved) = save(
        &s.trainee,
        id,
        short["id"].as_str().unwrap(),
        json!({ "blanks": [
            typed("domain name system"),
            typed("a}b"),
            pick(short, 3, &["UDP"]),
            typed("3,55"),
        ] }),
        Some(1),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");

    // The no-JS page shows the fields inline, filled with what was saved.
    let trainee_pages = app.browser_client();
    let login = &s.trainee_username;
    sign_in(&trainee_pages, &app, login, &password_of(login)).await;
    let (_, html) = page(&trainee_pages, &app, &format!("/attempts/{id}")).await;
    assert!(
        html.contains(&format!("name=\"b-{basics_id}-1\" value=\"  semarang \"")),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"\">— pilih —</option>"),
        "{html}"
    );

    let (status, done) = s
        .trainee
        .post(&format!("/api/v1/attempts/{id}/submit"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["result"]["score"].as_f64(), Some(9.5), "{done}");
    assert_eq!(done["result"]["max_score"].as_f64(), Some(11.0));
    let review = done["review"].as_array().unwrap();
    let basics_review = review
        .iter()
        .find(|r| r["question_id"] == basics["id"])
        .unwrap();
    assert_eq!(
        basics_review["correct_answer_html"],
        "(1) Semarang; (2) 62; (3) HTTPS; (4) 53; (5) Benar; (6) SSH + TLS"
    );
    assert!((basics_review["fraction"].as_f64().unwrap() - 5.5 / 7.0).abs() < 1e-6);
    let feedback = basics_review["feedback_html"].as_str().unwrap();
    assert!(
        feedback.contains("(1) Benar") && feedback.contains("(2) Alamat jaringan"),
        "{feedback}"
    );
    let (_, result) = page(&trainee_pages, &app, &format!("/attempts/{id}/result")).await;
    assert!(
        result.contains("(1) semarang") || result.contains("(1)   semarang "),
        "{result}"
    );
    assert!(result.contains("(6) SSH, TLS"), "{result}");

    // The bank page shows the blanks and their answers to staff.
    let (_, banks) = s.admin.get("/api/v1/question-banks").await;
    let bank_id = banks[0]["id"].as_str().unwrap().to_owned();
    let bank_name = banks[0]["name"].as_str().unwrap().to_owned();
    let admin_pages = app.browser_client();
    sign_in(&admin_pages, &app, "admin", ADMIN_PASSWORD).await;
    let (_, bank_page) = page(&admin_pages, &app, &format!("/admin/banks/{bank_id}")).await;
    assert!(
        bank_page.contains("<strong class=\"blank-mark\">(1)</strong>")
            && bank_page.contains("pilih beberapa, bobot 1")
            && bank_page.contains("Isian rumpang"),
        "{bank_page}"
    );

    // Exported as Moodle XML, the blanks are back in the text and a
    // re-import changes nothing; GIFT says it cannot.
    let export = |format: &'static str| crate::given::export(&s.admin, &bank_id, format);
    let exported = export("moodle_xml").await.text().await.unwrap();
    assert!(
        exported.contains("adalah {2:SHORTANSWER:=Semarang#Benar~%50%Smg#Singkatan saja~*#Bukan}.")
            && exported.contains("{1:MULTICHOICE_S:=UDP~ICMP~ARP}")
            && !exported.contains("<defaultgrade>7"),
        "{exported}"
    );
    let (status, again) =
        crate::given::import(&s.admin, "kembali.xml", &exported, &[("name", &bank_name)]).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (again["new"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(3)),
        "{again}"
    );
    let resp = export("gift").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refusal = resp.text().await.unwrap();
    assert!(refusal.contains("PK-CLZ-001"), "{refusal}");

    // From the bank page: the Moodle XML file, and the reason GIFT cannot
    // hold the bank on the page itself (never an error document).
    let download = format!("/admin/banks/{bank_id}/export?format=");
    assert!(
        bank_page
            .replace("&#x2f;", "/")
            .contains(&format!("{download}gift")),
        "the page links its own download"
    );
    let resp = admin_pages
        .get(app.url(&format!("{download}moodle_xml")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".xml\""),
    );
    assert_eq!(resp.text().await.unwrap(), exported);
    let resp = admin_pages
        .get(app.url(&format!("{download}gift")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let back = resp.headers()["location"].to_str().unwrap().to_owned();
    let (_, html) = page(&admin_pages, &app, &back).await;
    assert!(
        html.contains("Tidak dapat diunduh") && html.contains("PK-CLZ-001"),
        "{html}"
    );
    let trainee_pages = app.browser_client();
    sign_in(
        &trainee_pages,
        &app,
        &s.trainee_username,
        &password_of(&s.trainee_username),
    )
    .await;
    let (status, _) = page(&trainee_pages, &app, &format!("{download}moodle_xml")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
