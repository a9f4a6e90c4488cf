//! Cloze questions on the quiz pages: the text with its blanks as form
//! fields (named `b-<question id>-<blank number>`), reading those fields
//! back, and the trainee's answers in words for the result page. Works
//! without JavaScript; `quiz.js` saves the same fields as they change.

use crate::attempts::model::{Answer, AnswerBlank};
use crate::attempts::views::QuestionView;
use crate::attempts::views::cloze::{BlankInput, BlankView, fill_placeholders};
use crate::error::FieldError;
use crate::markup::escape_html;

fn field(question: &QuestionView, number: u32) -> String {
    format!("b-{}-{number}", question.id)
}

/// Sent with every Cloze question on a page: radio buttons and check boxes
/// left empty send nothing, and "nothing" must still clear a saved answer.
fn shown_field(question: &QuestionView) -> String {
    format!("b-{}-shown", question.id)
}

fn input_html(question: &QuestionView, blank: &BlankView, saved: Option<&AnswerBlank>) -> String {
    let name = field(question, blank.number);
    let label = format!("Bagian {}", blank.number);
    let typed = escape_html(saved.and_then(|s| s.text.as_deref()).unwrap_or_default());
    let picked = saved.and_then(|s| s.choices.as_deref()).unwrap_or_default();
    let n = blank.number;
    match blank.input {
        BlankInput::Text => format!(
            "<input class=\"blank\" name=\"{name}\" value=\"{typed}\" data-blank=\"{n}\" aria-label=\"{label}\" autocomplete=\"off\" autocapitalize=\"off\" spellcheck=\"false\">"
        ),
        BlankInput::Number => format!(
            "<input class=\"blank number\" name=\"{name}\" value=\"{typed}\" data-blank=\"{n}\" aria-label=\"{label} (angka)\" inputmode=\"decimal\" autocomplete=\"off\">"
        ),
        BlankInput::Dropdown => {
            let options: String = blank
                .choices
                .iter()
                .map(|c| {
                    let selected = if picked.contains(&c.id) {
                        " selected"
                    } else {
                        ""
                    };
                    format!(
                        "<option value=\"{}\"{selected}>{}</option>",
                        c.id, c.text_html
                    )
                })
                .collect();
            format!(
                "<select class=\"blank\" name=\"{name}\" data-blank=\"{n}\" aria-label=\"{label}\"><option value=\"\">— pilih —</option>{options}</select>"
            )
        }
        BlankInput::Radio | BlankInput::Checkbox => {
            let kind = if blank.input == BlankInput::Radio {
                "radio"
            } else {
                "checkbox"
            };
            let layout = if blank.horizontal { " horizontal" } else { "" };
            let items: String = blank
                .choices
                .iter()
                .map(|c| {
                    let checked = if picked.contains(&c.id) { " checked" } else { "" };
                    format!(
                        "<label class=\"check\"><input type=\"{kind}\" name=\"{name}\" value=\"{}\" data-blank=\"{n}\"{checked}> <span>{}</span></label>",
                        c.id, c.text_html
                    )
                })
                .collect();
            format!(
                "<span class=\"blank-choices{layout}\" role=\"group\" aria-label=\"{label}\">{items}</span>"
            )
        }
    }
}

/// The question text with a field where each blank stands; a blank whose
/// place the text lost is asked after it.
pub fn form_html(question: &QuestionView, saved: Option<&Answer>) -> String {
    let answers = saved.map(Answer::blanks).unwrap_or_default();
    let blank = |n: usize| question.blanks.get(n.wrapping_sub(1));
    let (mut html, found) = fill_placeholders(&question.text_html, |n| match blank(n) {
        Some(b) => input_html(question, b, answers.get(n - 1)),
        None => String::new(),
    });
    html.push_str(&format!(
        "<input type=\"hidden\" name=\"{}\" value=\"1\">",
        shown_field(question)
    ));
    for b in &question.blanks {
        if !found.contains(&(b.number as usize)) {
            html.push_str(&format!(
                "<p><label>Bagian {} {}</label></p>",
                b.number,
                input_html(question, b, answers.get(b.number as usize - 1))
            ));
        }
    }
    html
}

/// The question text as the result page shows it: "(1)", "(2)" where the
/// blanks stood.
pub fn numbered_text_html(question: &QuestionView) -> String {
    fill_placeholders(&question.text_html, crate::banks::cloze::mark_html).0
}

/// "(1) Semarang; (2) HTTPS": what the trainee answered, in words.
pub fn answer_html(question: &QuestionView, saved: Option<&Answer>) -> String {
    let answers = saved.map(Answer::blanks).unwrap_or_default();
    question
        .blanks
        .iter()
        .map(|b| {
            let given = answers.get(b.number as usize - 1);
            let words = match b.input {
                BlankInput::Text | BlankInput::Number => given
                    .and_then(|g| g.text.as_deref())
                    .filter(|t| !t.trim().is_empty())
                    .map(escape_html),
                _ => {
                    let picked = given.and_then(|g| g.choices.as_deref()).unwrap_or_default();
                    let texts: Vec<&str> = b
                        .choices
                        .iter()
                        .filter(|c| picked.contains(&c.id))
                        .map(|c| c.text_html.as_str())
                        .collect();
                    (!texts.is_empty()).then(|| texts.join(", "))
                }
            };
            format!(
                "({}) {}",
                b.number,
                words.unwrap_or_else(|| "<em>kosong</em>".into())
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the form's fields say about a Cloze question; `None` when the page
/// did not show it. A number blank that holds no number is an error naming
/// the question and the blank.
pub fn response_from_form(
    pairs: &[(String, String)],
    question: &QuestionView,
) -> Result<Option<Answer>, FieldError> {
    let shown_marker = shown_field(question);
    if !pairs.iter().any(|(k, _)| *k == shown_marker) {
        return Ok(None);
    }
    let blanks: Vec<AnswerBlank> = question
        .blanks
        .iter()
        .map(|b| {
            let values = super::fields::values(pairs, &field(question, b.number));
            match b.input {
                BlankInput::Text | BlankInput::Number => AnswerBlank {
                    text: values.first().map(|v| v.to_string()),
                    choices: None,
                },
                _ => AnswerBlank {
                    text: None,
                    choices: Some(
                        values
                            .iter()
                            .filter(|v| !v.is_empty())
                            .map(|v| v.to_string())
                            .collect(),
                    ),
                },
            }
        })
        .collect();
    for (b, given) in question.blanks.iter().zip(&blanks) {
        if let (BlankInput::Number, Some(text)) = (b.input, given.text.as_deref())
            && !text.trim().is_empty()
            && crate::numbers::read(text).is_none()
        {
            return Err(FieldError::new(
                format!("Soal {} bagian {}", question.number, b.number),
                format!("'{text}' bukan angka; tulis misalnya 62 atau 1,5"),
            ));
        }
    }
    Ok(Some(Answer::Blanks(blanks)))
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::attempts::views::ChoiceView;
    use crate::banks::model::QuestionType;

    fn question() -> QuestionView {
        let blank = |number, input, choices: &[&str]| BlankView {
            number,
            input,
            horizontal: false,
            choices: choices
                .iter()
                .map(|c| ChoiceView {
                    id: format!("c{c}"),
                    text_html: c.to_string(),
                })
                .collect(),
        };
        QuestionView {
            id: Uuid::from_u128(9),
            number: 3,
            kind: QuestionType::Cloze,
            text_html: format!(
                "<p>Kota {} dan {} lalu {}</p>",
                crate::attempts::views::cloze::placeholder(1),
                crate::attempts::views::cloze::placeholder(2),
                crate::attempts::views::cloze::placeholder(3)
            ),
            points: 3.0,
            multiple: false,
            choices: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
            blanks: vec![
                blank(1, BlankInput::Text, &[]),
                blank(2, BlankInput::Number, &[]),
                blank(3, BlankInput::Checkbox, &["a", "b"]),
                blank(4, BlankInput::Dropdown, &["x", "y"]),
            ],
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        let q = Uuid::from_u128(9);
        list.iter()
            .map(|(k, v)| (format!("b-{q}-{k}"), v.to_string()))
            .collect()
    }

    #[test]
    fn fields_are_placed_in_the_text_and_read_back() {
        let q = question();
        let saved = Answer::Blanks(vec![
            AnswerBlank {
                text: Some("<b>".into()),
                choices: None,
            },
            AnswerBlank::default(),
            AnswerBlank {
                text: None,
                choices: Some(vec!["cb".into()]),
            },
        ]);
        let html = form_html(&q, Some(&saved));
        assert!(html.starts_with("<p>Kota <input class=\"blank\""), "{html}");
        assert!(html.contains("value=\"&lt;b&gt;\""), "{html}");
        assert!(
            html.contains("value=\"cb\" data-blank=\"3\" checked"),
            "{html}"
        );
        // Blank 4 lost its place in the text: asked after it.
        assert!(html.contains("<label>Bagian 4 <select"), "{html}");

        let form = pairs(&[
            ("shown", "1"),
            ("1", "Magelang"),
            ("2", " 3,5 "),
            ("3", "ca"),
            ("3", "cb"),
            ("4", ""),
        ]);
        let response = response_from_form(&form, &q).unwrap().unwrap();
        let blanks = response.blanks();
        assert_eq!(blanks[0].text.as_deref(), Some("Magelang"));
        assert_eq!(blanks[2].choices, Some(vec!["ca".into(), "cb".into()]));
        assert_eq!(blanks[3].choices, Some(vec![]));
        // Check boxes all cleared still clear the saved answer.
        let cleared = response_from_form(&pairs(&[("shown", "1")]), &q)
            .unwrap()
            .unwrap();
        assert!(cleared.is_blank());
        // Not on this page: nothing.
        assert_eq!(response_from_form(&[], &q).unwrap(), None);
        let err = response_from_form(&pairs(&[("shown", "1"), ("2", "dua")]), &q).unwrap_err();
        assert_eq!(err.field, "Soal 3 bagian 2");
        assert_eq!(
            answer_html(&q, Some(&saved)),
            "(1) &lt;b&gt;; (2) <em>kosong</em>; (3) b; (4) <em>kosong</em>"
        );
    }
}
