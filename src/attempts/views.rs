//! What a trainee sees of an attempt. Everything here is built from the
//! question *without* its key: no fraction, no correct flag, no feedback
//! and no accepted answer leaves this module, except through `review`,
//! which the service calls only when the review policy allows it.

use std::collections::BTreeMap;

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

pub mod cloze;

use self::cloze::BlankView;
use super::model::{
    Answer, AnswerBody, AssessmentKind, AttemptStatus, ChoiceKey, ChoiceList, Mark, Slot,
};
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
    /// Cloze: the blanks, each standing in `text_html` as
    /// `<span class="cloze-blank" data-blank="N"></span>`.
    pub blanks: Vec<BlankView>,
}

/// A question's texts as HTML, rendered once per question version: the
/// sanitiser is the costliest part of showing an attempt, and 5,000
/// trainees starting one quiz would otherwise run it 5,000 times per text.
#[derive(Debug)]
pub struct Rendered {
    text_html: String,
    /// Multiple choice, by choice index in the bank; Cloze, every blank's
    /// answers in one list.
    choices: Vec<String>,
    /// Matching: the items, by pair index (empty for distractor-only pairs) …
    lefts: Vec<String>,
    /// … and the distinct answers, in bank order.
    rights: Vec<String>,
}

impl Rendered {
    pub fn text_html(&self) -> &str {
        &self.text_html
    }
}

pub fn render(question: &Question) -> Rendered {
    let mut rendered = Rendered {
        text_html: question.text_html(),
        choices: Vec::new(),
        lefts: Vec::new(),
        rights: Vec::new(),
    };
    match &question.body {
        Body::Multichoice { choices, .. } => {
            rendered.choices = choices.iter().map(|c| question.html(&c.text)).collect();
        }
        Body::Matching { pairs } => {
            rendered.lefts = pairs
                .iter()
                .map(|p| {
                    if p.left.is_empty() {
                        String::new()
                    } else {
                        question.html(&p.left)
                    }
                })
                .collect();
            let mut rights: Vec<&str> = Vec::new();
            for p in pairs {
                if !rights.contains(&p.right.as_str()) {
                    rights.push(&p.right);
                }
            }
            rendered.rights = rights.into_iter().map(crate::markup::escape_html).collect();
        }
        Body::Cloze { blanks } => {
            rendered.choices = cloze::render_choices(blanks);
        }
        _ => {}
    }
    rendered
}

/// A question as shown to the trainee, in this attempt's order and ids.
pub fn question_view(
    key: &ChoiceKey,
    number: u32,
    slot: &Slot,
    question: &Question,
    rendered: &Rendered,
) -> QuestionView {
    let mut view = QuestionView {
        id: slot.question_id,
        number,
        kind: question.kind(),
        text_html: rendered.text_html.clone(),
        points: slot.points,
        multiple: false,
        choices: Vec::new(),
        left: Vec::new(),
        right: Vec::new(),
        blanks: Vec::new(),
    };
    let shown = |kind: ChoiceList, list: &[String], order: &mut dyn Iterator<Item = u16>| {
        order
            .filter_map(|i| list.get(i as usize).map(|html| (i, html)))
            .map(|(i, html)| ChoiceView {
                id: key.id(slot.question_id, kind, i),
                text_html: html.clone(),
            })
            .collect::<Vec<_>>()
    };
    match &question.body {
        Body::Multichoice { single, .. } => {
            view.multiple = !single;
            view.choices = shown(
                ChoiceList::Choice,
                &rendered.choices,
                &mut slot.order.iter().copied(),
            );
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
            let items = (0..pairs.len() as u16).filter(|i| !pairs[*i as usize].left.is_empty());
            view.left = shown(ChoiceList::Left, &rendered.lefts, &mut items.into_iter());
            view.right = shown(
                ChoiceList::Right,
                &rendered.rights,
                &mut slot.right_order.iter().copied(),
            );
        }
        Body::Cloze { blanks } => {
            view.text_html = cloze::place(&rendered.text_html, blanks.len(), cloze::placeholder);
            view.blanks = cloze::blank_views(key, slot, blanks, &rendered.choices);
        }
        _ => {}
    }
    view
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct SavedAnswer {
    pub response: AnswerBody,
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
}

impl SavedAnswer {
    pub fn new(answer: &Answer, saved_at: OffsetDateTime) -> Self {
        SavedAnswer {
            response: AnswerBody::from(answer),
            saved_at,
        }
    }

    /// The saved answer as the engine reads it.
    pub fn answer(&self) -> Option<Answer> {
        self.response.clone().parse().ok()
    }
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
    #[serde(with = "time::serde::rfc3339::option")]
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
    /// A module quiz, an exam, or the course's pre-test or post-test.
    pub kind: AssessmentKind,
    pub title: String,
    pub number: i32,
    pub status: AttemptStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// Computed by the server; answers are accepted until then (plus a few seconds).
    #[serde(with = "time::serde::rfc3339")]
    pub deadline: OffsetDateTime,
    /// The server's clock now, so a client can correct its own.
    #[serde(with = "time::serde::rfc3339")]
    pub server_time: OffsetDateTime,
    pub questions: Vec<QuestionView>,
    /// Saved answers by question id.
    pub answers: BTreeMap<String, SavedAnswer>,
    pub result: Option<ResultView>,
    /// Present only when the review policy allows it.
    pub review: Option<Vec<ReviewItem>>,
}

fn correct_answer_html(question: &Question) -> String {
    match &question.body {
        Body::Multichoice { choices, .. } => choices
            .iter()
            .filter(|c| c.fraction > 0.0)
            .map(|c| question.html(&c.text))
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
                    let v = crate::numbers::plain(v);
                    if a.tolerance > 0.0 {
                        format!("{v} ± {}", crate::numbers::plain(a.tolerance))
                    } else {
                        v
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
                    question.html(&p.left),
                    crate::markup::escape_html(&p.right)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Body::Cloze { blanks } => cloze::correct_answer_html(blanks),
        Body::Essay | Body::Description => String::new(),
    }
}

fn chosen_feedback(
    key: &ChoiceKey,
    slot: &Slot,
    question: &Question,
    response: Option<&Answer>,
) -> String {
    let Some(response) = response else {
        return String::new();
    };
    match &question.body {
        Body::Multichoice { choices, .. } => {
            let picked = response.choices();
            choices
                .iter()
                .enumerate()
                .filter(|(i, c)| {
                    !c.feedback.is_empty()
                        && picked.contains(&key.id(slot.question_id, ChoiceList::Choice, *i as u16))
                })
                .map(|(_, c)| question.html(&c.feedback))
                .collect::<Vec<_>>()
                .join(" ")
        }
        Body::Truefalse {
            feedback_true,
            feedback_false,
            ..
        } => match response.choices().first().map(String::as_str) {
            Some("true") => question.html(feedback_true),
            Some("false") => question.html(feedback_false),
            _ => String::new(),
        },
        Body::Cloze { blanks } => cloze::feedback_html(key, slot, blanks, response.blanks()),
        _ => String::new(),
    }
}

/// The review of one question: only called when the policy allows it.
pub fn review(
    key: &ChoiceKey,
    slot: &Slot,
    question: &Question,
    response: Option<&Answer>,
    mark: Option<&Mark>,
) -> ReviewItem {
    ReviewItem {
        question_id: slot.question_id,
        fraction: mark.and_then(|m| m.fraction),
        correct_answer_html: correct_answer_html(question),
        feedback_html: chosen_feedback(key, slot, question, response),
        general_feedback_html: question.html(&question.general_feedback),
    }
}
