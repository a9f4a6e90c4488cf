//! Quiz essays: rules by tag, type and level; essays only when a rule names
//! them; the marking queue that grades the attempt on its last mark.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::cases;
use crate::quizzes::{BANK, Setup, setup_with_bank};
use crate::support::TestApp;

cases![old_rules_draw_no_essays_and_rules_the_bank_cannot_fill_are_refused];

/// `BANK` plus two essays on the same unit, one at level ahli-muda.
pub fn essay_bank() -> String {
    format!(
        "{BANK}\n// [id:q-es1] [tag:unit:jaringan] [tag:level:ahli-muda]\n::ES1::Jelaskan cara kerja DNS. {{}}\n\n\
         // [id:q-es2] [tag:unit:jaringan] [tag:level:terampil]\n::ES2::Jelaskan fungsi router. {{}}\n"
    )
}

pub async fn essay_setup(app: &TestApp, code: &str, rules: Value, quiz: Value) -> Setup {
    let mut settings = json!({ "selection": { "rules": rules } });
    for (k, v) in quiz.as_object().unwrap() {
        settings[k] = v.clone();
    }
    setup_with_bank(app, code, &essay_bank(), settings).await
}

fn types(attempt: &Value) -> Vec<String> {
    attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["type"].as_str().unwrap().to_owned())
        .collect()
}

async fn old_rules_draw_no_essays_and_rules_the_bank_cannot_fill_are_refused(app: TestApp) {
    // A rule with no types, as every quiz stored before types existed.
    let s = essay_setup(
        &app,
        "QE-OLD",
        json!([{ "tag": "unit:jaringan", "count": 6 }]),
        json!({}),
    )
    .await;
    let (status, attempt) = s
        .trainee
        .post(
            &format!("/api/v1/quizzes/{}/attempts", s.quiz_id),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let drawn = types(&attempt);
    assert_eq!(drawn.len(), 6);
    assert!(!drawn.contains(&"essay".to_owned()), "{drawn:?}");

    let quiz = format!("/api/v1/modules/{}/quiz", s.module_id);
    let (status, body) = s
        .admin
        .patch(
            &quiz,
            &json!({ "selection": { "rules": [{ "tag": "unit:jaringan", "count": 7 }] } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let detail = &body["error"]["details"][0];
    assert_eq!(detail["field"], "selection.rules[0].count", "{body}");
    assert!(
        detail["message"]
            .as_str()
            .unwrap()
            .contains("hanya memiliki 6 soal"),
        "essays do not count for a rule without types: {body}"
    );

    let (status, body) = s
        .admin
        .patch(
            &quiz,
            &json!({ "selection": { "rules": [
                { "tag": "unit:jaringan", "count": 2, "types": ["multichoice", "truefalse"] },
                { "tag": "unit:jaringan", "count": 2, "types": ["essay"], "level": "ahli-muda" },
            ] } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let detail = &body["error"]["details"][0];
    assert_eq!(detail["field"], "selection.rules[1].count", "{body}");
    assert!(
        detail["message"]
            .as_str()
            .unwrap()
            .contains("hanya memiliki 1 soal"),
        "{body}"
    );

    let (status, body) = s
        .admin
        .patch(
            &quiz,
            &json!({ "selection": { "rules": [
                { "tag": "unit:jaringan", "count": 3, "types": ["multichoice", "truefalse"] },
                { "tag": "unit:jaringan", "count": 1, "types": ["essay"], "level": "ahli-muda" },
            ] } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rules"][1]["types"], json!(["essay"]), "{body}");
    assert_eq!(body["rules"][1]["level"], "ahli-muda", "{body}");
    assert!(body["rules"][0].get("level").is_none(), "{body}");
}
