//! What a trainee sees of a Cloze question: the text with a placeholder
//! where each blank stands, and per blank how it is answered and, for a
//! choice blank, its choices under this attempt's ids. Nothing here says
//! which answer is right; `correct_answer_html` and `feedback_html` are
//! for the review only.

use poem_openapi::{Enum, Object};
use serde::Serialize;

use super::ChoiceView;
use crate::attempts::model::cloze::{matched, shown};
use crate::attempts::model::{AnswerBlank, ChoiceKey, ChoiceList, Slot};
pub use crate::banks::cloze::place;
use crate::banks::cloze::{Blank, BlankKind, Layout};
use crate::markup::{escape_html, html_to_text_html};

/// How a blank is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum BlankInput {
    /// A typed word or phrase.
    Text,
    /// A typed number ("3,5" or "3.5").
    Number,
    /// One choice from a drop-down.
    Dropdown,
    /// One choice from radio buttons.
    Radio,
    /// Any number of choices from check boxes.
    Checkbox,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct BlankView {
    /// 1-based, as in the text's `data-blank`; answers go in `blanks[number - 1]`.
    pub number: u32,
    pub input: BlankInput,
    /// Radio buttons or check boxes side by side rather than one per line.
    pub horizontal: bool,
    /// Drop-down, radio buttons and check boxes: the choices, in the order shown.
    pub choices: Vec<ChoiceView>,
}

fn input(kind: BlankKind) -> (BlankInput, bool) {
    match kind {
        BlankKind::Short { .. } => (BlankInput::Text, false),
        BlankKind::Numerical => (BlankInput::Number, false),
        BlankKind::Choice {
            layout: Layout::Dropdown,
            ..
        } => (BlankInput::Dropdown, false),
        BlankKind::Choice { layout, .. } => (BlankInput::Radio, layout == Layout::Horizontal),
        BlankKind::Multiple { layout, .. } => (BlankInput::Checkbox, layout == Layout::Horizontal),
    }
}

/// Every choice blank's answers as text (no markup: it may go into an
/// `<option>`), in the one list the choice ids number; rendered once per
/// question version. A typed blank's answers are the key and are shown to
/// nobody: they keep their places in the numbering, empty.
pub fn render_choices(blanks: &[Blank]) -> Vec<String> {
    blanks
        .iter()
        .flat_map(|b| {
            b.answers.iter().map(move |a| {
                if b.is_choice() {
                    html_to_text_html(&a.text)
                } else {
                    String::new()
                }
            })
        })
        .collect()
}

/// The blanks as shown in this attempt.
pub fn blank_views(
    key: &ChoiceKey,
    slot: &Slot,
    blanks: &[Blank],
    choices: &[String],
) -> Vec<BlankView> {
    blanks
        .iter()
        .enumerate()
        .map(|(i, blank)| {
            let (input, horizontal) = input(blank.kind);
            let choices = if blank.is_choice() {
                shown(blanks, i, slot)
                    .into_iter()
                    .filter_map(|j| {
                        choices.get(usize::from(j)).map(|text| ChoiceView {
                            id: key.id(slot.question_id, ChoiceList::Choice, j),
                            text_html: text.clone(),
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            BlankView {
                number: i as u32 + 1,
                input,
                horizontal,
                choices,
            }
        })
        .collect()
}

/// The element that stands for blank `n` in a trainee's question text.
pub fn placeholder(n: usize) -> String {
    format!("<span class=\"cloze-blank\" data-blank=\"{n}\"></span>")
}

const PLACEHOLDER_START: &str = "<span class=\"cloze-blank\" data-blank=\"";
const PLACEHOLDER_END: &str = "\"></span>";

/// Replaces each `placeholder(n)` of a trainee's question text by
/// `fill(n)`; returns the numbers it found (a page adds the others after
/// the text, so every blank can be answered). One pass.
pub fn fill_placeholders(
    html: &str,
    mut fill: impl FnMut(usize) -> String,
) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(html.len() * 2);
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(PLACEHOLDER_START) {
        let after = &rest[at + PLACEHOLDER_START.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) if after[digits..].starts_with(PLACEHOLDER_END) => {
                out.push_str(&rest[..at]);
                out.push_str(&fill(n));
                found.push(n);
                rest = &after[digits + PLACEHOLDER_END.len()..];
            }
            _ => {
                out.push_str(&rest[..at + PLACEHOLDER_START.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, found)
}

fn answer_text(blank: &Blank, index: usize) -> String {
    let answer = &blank.answers[index];
    match (blank.kind, answer.tolerance) {
        (BlankKind::Numerical, tolerance) => {
            let value = answer
                .text
                .parse::<f64>()
                .map(crate::numbers::plain)
                .unwrap_or_else(|_| escape_html(&answer.text));
            match tolerance {
                Some(t) if t > 0.0 => format!("{value} ± {}", crate::numbers::plain(t)),
                _ => value,
            }
        }
        (BlankKind::Short { .. }, _) => escape_html(&answer.text),
        _ => html_to_text_html(&answer.text),
    }
}

/// "(1) Semarang; (2) 62; (3) HTTPS": what earns each blank in full.
pub fn correct_answer_html(blanks: &[Blank]) -> String {
    blanks
        .iter()
        .enumerate()
        .map(|(i, blank)| {
            let answers: Vec<String> = blank
                .answers
                .iter()
                .enumerate()
                .filter(|(_, a)| blank.counts_as_correct(a))
                .map(|(j, _)| answer_text(blank, j))
                .collect();
            let join = if matches!(blank.kind, BlankKind::Multiple { .. }) {
                " + "
            } else {
                " / "
            };
            format!("({}) {}", i + 1, answers.join(join))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The author's feedback on what the trainee answered in each blank.
pub fn feedback_html(
    key: &ChoiceKey,
    slot: &Slot,
    blanks: &[Blank],
    given: &[AnswerBlank],
) -> String {
    let mut parts = Vec::new();
    for (i, blank) in blanks.iter().enumerate() {
        for j in matched(blanks, i, given.get(i), slot.question_id, key) {
            let feedback = &blank.answers[j].feedback;
            if !feedback.trim().is_empty() {
                parts.push(format!("({}) {}", i + 1, html_to_text_html(feedback)));
            }
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_one_pass() {
        let shown = place("<p>{#2} lalu {#1}</p>", 2, placeholder);
        let (filled, found) = fill_placeholders(&shown, |n| format!("<input name=b{n}>"));
        assert_eq!(filled, "<p><input name=b2> lalu <input name=b1></p>");
        assert_eq!(found, vec![2, 1]);
    }

    #[test]
    fn the_review_lists_each_blank() {
        let blanks = crate::banks::cloze::parse(
            "{2:SA:=Semarang~%50%Smg} {1:NM:=62:0.5} {1:MC:a &amp; b~=c} {1:MR:%50%SSH~%50%HTTPS~%-100%Telnet}",
        )
        .unwrap()
        .blanks;
        assert_eq!(
            correct_answer_html(&blanks),
            "(1) Semarang; (2) 62 ± 0,5; (3) c; (4) SSH + HTTPS"
        );
        assert_eq!(render_choices(&blanks)[3], "a &amp; b");
    }
}
