//! A trainee's answer to one question: on the wire a body with one of five
//! fields (what clients send and read), in the engine one variant per way
//! of answering, so a rule can only read the part a question type takes.

use std::collections::BTreeMap;

use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// A trainee's answer, as the engine checks, stores and grades it.
///
/// Stored as JSON with serde's external tag, `{"choices": […]}`, which is
/// the wire body with its one field: answers saved before this type
/// existed read back unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Choice ids (multiple choice, multiple answer); `true` or `false`.
    Choices(Vec<String>),
    /// Short answer or essay.
    Text(String),
    /// Numerical.
    Number(f64),
    /// Matching: left id → right id.
    Matches(BTreeMap<String, String>),
    /// Cloze: one entry per blank, in the order of the text.
    Blanks(Vec<AnswerBlank>),
}

impl Answer {
    /// Nothing picked, typed or matched: the question counts as unanswered.
    pub fn is_blank(&self) -> bool {
        match self {
            Answer::Choices(c) => c.is_empty(),
            Answer::Text(t) => t.trim().is_empty(),
            Answer::Number(_) => false,
            Answer::Matches(m) => m.is_empty(),
            Answer::Blanks(b) => b.iter().all(AnswerBlank::is_blank),
        }
    }

    /// The field a client fills for this kind of answer.
    pub fn field(&self) -> &'static str {
        match self {
            Answer::Choices(_) => "choices",
            Answer::Text(_) => "text",
            Answer::Number(_) => "number",
            Answer::Matches(_) => "matches",
            Answer::Blanks(_) => "blanks",
        }
    }

    pub fn choices(&self) -> &[String] {
        match self {
            Answer::Choices(c) => c,
            _ => &[],
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            Answer::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn blanks(&self) -> &[AnswerBlank] {
        match self {
            Answer::Blanks(b) => b,
            _ => &[],
        }
    }
}

/// A trainee's answer to one question, as clients send and read it: exactly
/// one field is filled, the one the question type takes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Object)]
#[oai(rename = "Answer")]
pub struct AnswerBody {
    /// Choice ids (multiple choice, multiple answer, true/false: `true` or `false`).
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    /// Short answer or essay.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Numerical.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<f64>,
    /// Matching: left id → right id.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches: Option<BTreeMap<String, String>>,
    /// Cloze: one entry per blank, in the order of the text (blank 1
    /// first); later blanks may be left out.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blanks: Option<Vec<AnswerBlank>>,
}

impl AnswerBody {
    /// The one filled field as an answer; none or several is refused.
    pub fn parse(self) -> Result<Answer, FieldError> {
        let AnswerBody {
            choices,
            text,
            number,
            matches,
            blanks,
        } = self;
        let mut given = [
            choices.map(Answer::Choices),
            text.map(Answer::Text),
            number.map(Answer::Number),
            matches.map(Answer::Matches),
            blanks.map(Answer::Blanks),
        ]
        .into_iter()
        .flatten();
        match (given.next(), given.next()) {
            (Some(answer), None) => Ok(answer),
            _ => Err(FieldError::new(
                "response",
                "isi tepat satu dari choices, text, number, matches, blanks",
            )),
        }
    }
}

impl From<&Answer> for AnswerBody {
    fn from(answer: &Answer) -> Self {
        let mut body = AnswerBody::default();
        match answer.clone() {
            Answer::Choices(c) => body.choices = Some(c),
            Answer::Text(t) => body.text = Some(t),
            Answer::Number(n) => body.number = Some(n),
            Answer::Matches(m) => body.matches = Some(m),
            Answer::Blanks(b) => body.blanks = Some(b),
        }
        body
    }
}

/// The answer to one blank of a Cloze question: typed text (a number
/// blank takes "3,5" or "3.5"), or the ids of the picked choices.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Object)]
pub struct AnswerBlank {
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
}

impl AnswerBlank {
    pub fn is_blank(&self) -> bool {
        self.text.as_ref().is_none_or(|t| t.trim().is_empty())
            && self.choices.as_ref().is_none_or(|c| c.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_with_one_field_parses_and_writes_back_the_same() {
        let body = AnswerBody {
            choices: Some(vec!["c1".into()]),
            ..AnswerBody::default()
        };
        let answer = body.clone().parse().unwrap();
        assert_eq!(answer, Answer::Choices(vec!["c1".into()]));
        assert_eq!(AnswerBody::from(&answer), body);
    }

    #[test]
    fn none_or_two_fields_are_refused_on_response() {
        assert_eq!(AnswerBody::default().parse().unwrap_err().field, "response");
        let two = AnswerBody {
            text: Some("a".into()),
            number: Some(1.0),
            ..AnswerBody::default()
        };
        assert_eq!(two.parse().unwrap_err().field, "response");
    }

    #[test]
    fn stored_json_is_the_wire_body() {
        // Answers written before the enum existed must read back.
        for json in [
            r#"{"choices":["a","b"]}"#,
            r#"{"text":"HTTPS"}"#,
            r#"{"number":3.5}"#,
            r#"{"matches":{"l1":"r2"}}"#,
            r#"{"blanks":[{"text":"x"},{"choices":["c3"]}]}"#,
        ] {
            let answer: Answer = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&answer).unwrap(), json);
            let body: AnswerBody = serde_json::from_str(json).unwrap();
            assert_eq!(body.parse().unwrap(), answer);
        }
    }

    #[test]
    fn blank_answers_count_as_unanswered() {
        assert!(Answer::Choices(Vec::new()).is_blank());
        assert!(Answer::Text("  ".into()).is_blank());
        assert!(!Answer::Number(0.0).is_blank());
        assert!(Answer::Blanks(vec![AnswerBlank::default()]).is_blank());
    }
}
