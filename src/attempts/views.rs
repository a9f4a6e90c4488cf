//! What a trainee sees of an attempt. Everything here is built from the
//! question *without* its key: no fraction, no correct flag, no feedback
//! and no accepted answer leaves this module, except through `review`,
//! which the service calls only when the review policy allows it.

use std::collections::BTreeMap;

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{AttemptStatus, Mark, Response, Slot, choice_id};
use crate::banks::model::{Body, Question, QuestionType};

#[derive(Debug, Clone, Serialize, Object)]
pub struct ChoiceView {
    pub id: String,
    pub text_html: String,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct QuestionView {
    /// Use this id to save the answer.
    pub id: Uuid,
    /// 1-based number in this attempt.
    pub number: u32,
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: QuestionType,
    pub text_html: String,
    pub points: f64,
    /// Multiple choice: several choices may be picked.
    pub multiple: bool,
    /// Multiple choice and true/false.
    pub choices: Vec<ChoiceView>,
    /// Matching: the items to match …
    pub left: Vec<ChoiceView>,
    /// … and what to match them with.
    pub right: Vec<ChoiceView>,
}

/// A question as shown to the trainee, in this attempt's order and ids.
pub fn question_view(attempt: Uuid, number: u32, slot: &Slot, question: &Question) -> QuestionView {
    let format = question.text_format;
    let mut view = QuestionView {
        id: slot.question_id,
        number,
        kind: question.kind(),
        text_html: question.text_html(),
        points: slot.points,
        multiple: false,
        choices: Vec::new(),
        left: Vec::new(),
        right: Vec::new(),
    };
    match &question.body {
        Body::Multichoice { single, choices } => {
            view.multiple = !single;
            view.choices = slot
                .order
                .iter()
                .filter_map(|i| choices.get(*i as usize).map(|c| (i, c)))
                .map(|(i, c)| ChoiceView {
                    id: choice_id(attempt, slot.question_id, 'c', *i),
                    text_html: format.to_html(&c.text),
                })
                .collect();
        }
        Body::Truefalse { .. } => {
            view.choices = vec![
                ChoiceView {
                    id: "true".into(),
                    text_html: "Benar".into(),
                },
                ChoiceView {
                    id: "false".into(),
                    text_html: "Salah".into(),
                },
            ];
        }
        Body::Matching { pairs } => {
            let mut rights: Vec<&str> = Vec::new();
            for p in pairs {
                if !rights.contains(&p.right.as_str()) {
                    rights.push(&p.right);
                }
            }
            view.left = pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| !p.left.is_empty())
                .map(|(i, p)| ChoiceView {
                    id: choice_id(attempt, slot.question_id, 'l', i as u16),
                    text_html: format.to_html(&p.left),
                })
                .collect();
            view.right = slot
                .right_order
                .iter()
                .filter_map(|i| rights.get(*i as usize).map(|r| (i, r)))
                .map(|(i, r)| ChoiceView {
                    id: choice_id(attempt, slot.question_id, 'r', *i),
                    text_html: crate::markup::escape_html(r),
                })
                .collect();
        }
        _ => {}
    }
    view
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct SavedAnswer {
    pub response: Response,
    pub saved_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct ResultView {
    pub status: AttemptStatus,
    pub score: f64,
    pub max_score: f64,
    pub percent: f64,
    /// `None` while an assessor still has to grade part of it.
    pub passed: Option<bool>,
    pub pass_percent: f64,
    /// `trainee` or `deadline`.
    pub finished_by: Option<String>,
    pub submitted_at: Option<OffsetDateTime>,
}

/// Correct answer and feedback of one question, for the review.
#[derive(Debug, Clone, Serialize, Object)]
pub struct ReviewItem {
    pub question_id: Uuid,
    /// Share of the points earned; `None` while an assessor has not graded it.
    pub fraction: Option<f64>,
    pub correct_answer_html: String,
    /// Feedback on what the trainee answered.
    pub feedback_html: String,
    pub general_feedback_html: String,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct AttemptView {
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub title: String,
    pub number: i32,
    pub status: AttemptStatus,
    pub started_at: OffsetDateTime,
    /// Computed by the server; answers are accepted until then (plus a few seconds).
    pub deadline: OffsetDateTime,
    /// The server's clock now, so a client can correct its own.
    pub server_time: OffsetDateTime,
    pub questions: Vec<QuestionView>,
    /// Saved answers by question id.
    pub answers: BTreeMap<String, SavedAnswer>,
    pub result: Option<ResultView>,
    /// Present only when the review policy allows it.
    pub review: Option<Vec<ReviewItem>>,
}

fn correct_answer_html(question: &Question) -> String {
    let format = question.text_format;
    match &question.body {
        Body::Multichoice { choices, .. } => choices
            .iter()
            .filter(|c| c.fraction > 0.0)
            .map(|c| format.to_html(&c.text))
            .collect::<Vec<_>>()
            .join("; "),
        Body::Truefalse { correct, .. } => if *correct { "Benar" } else { "Salah" }.into(),
        Body::Shortanswer { answers } => answers
            .iter()
            .filter(|a| a.fraction >= 1.0)
            .map(|a| crate::markup::escape_html(&a.text))
            .collect::<Vec<_>>()
            .join("; "),
        Body::Numerical { answers } => answers
            .iter()
            .filter(|a| a.fraction >= 1.0)
            .filter_map(|a| {
                a.value.map(|v| {
                    if a.tolerance > 0.0 {
                        format!("{v} ± {}", a.tolerance)
                    } else {
                        format!("{v}")
                    }
                })
            })
            .collect::<Vec<_>>()
            .join("; "),
        Body::Matching { pairs } => pairs
            .iter()
            .filter(|p| !p.left.is_empty())
            .map(|p| {
                format!(
                    "{} → {}",
                    format.to_html(&p.left),
                    crate::markup::escape_html(&p.right)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Body::Essay | Body::Description => String::new(),
    }
}

fn chosen_feedback(
    attempt: Uuid,
    slot: &Slot,
    question: &Question,
    response: Option<&Response>,
) -> String {
    let format = question.text_format;
    let Some(response) = response else {
        return String::new();
    };
    match &question.body {
        Body::Multichoice { choices, .. } => {
            let picked = response.choices.as_deref().unwrap_or_default();
            choices
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    !c.feedback.is_empty()
                        && picked.contains(&choice_id(attempt, slot.question_id, 'c', *i as u16))
                })
                .map(|(_, c)| format.to_html(&c.feedback))
                .collect::<Vec<_>>()
                .join(" ")
        }
        Body::Truefalse {
            feedback_true,
            feedback_false,
            ..
        } => match response
            .choices
            .as_deref()
            .unwrap_or_default()
            .first()
            .map(String::as_str)
        {
            Some("true") => format.to_html(feedback_true),
            Some("false") => format.to_html(feedback_false),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// The review of one question: only called when the policy allows it.
pub fn review(
    attempt: Uuid,
    slot: &Slot,
    question: &Question,
    response: Option<&Response>,
    mark: Option<&Mark>,
) -> ReviewItem {
    ReviewItem {
        question_id: slot.question_id,
        fraction: mark.and_then(|m| m.fraction),
        correct_answer_html: correct_answer_html(question),
        feedback_html: chosen_feedback(attempt, slot, question, response),
        general_feedback_html: question.text_format.to_html(&question.general_feedback),
    }
}
