//! Reading a page of answers from the quiz page's form (the settings form
//! is `quiz_form.rs`). Pure functions; the handlers only fetch and store.
//!
//! Answer fields are named `a-<question id>` (radio buttons, check boxes,
//! text and number boxes) and `m-<question id>-<item id>` (the select of
//! each matching item).

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Serialize;
use uuid::Uuid;

use super::fields::values;
use crate::attempts::model::Answer;
use crate::attempts::views::{QuestionView, SavedAnswer};
use crate::banks::model::QuestionType;
use crate::error::FieldError;

/// Questions per page: few enough for a phone screen, and each "next"
/// saves them.
pub const PAGE_SIZE: usize = 5;

pub fn page_count(questions: usize) -> usize {
    questions.div_ceil(PAGE_SIZE).max(1)
}

/// The page (1-based) that question `index` (0-based) is on.
pub fn page_of(index: usize) -> usize {
    index / PAGE_SIZE + 1
}

/// The questions (by index, of `count`) on `page`; none for a page that is
/// not there.
pub fn page_range(page: usize, count: usize) -> Range<usize> {
    if page == 0 {
        return 0..0;
    }
    let first = ((page - 1) * PAGE_SIZE).min(count);
    first..(first + PAGE_SIZE).min(count)
}

/// A saved answer in the shape the form fields need.
#[derive(Debug, Default, Serialize, PartialEq)]
pub struct Filled {
    pub choices: Vec<String>,
    pub text: String,
    pub number: String,
    pub matches: BTreeMap<String, String>,
}

pub fn filled(response: Option<&Answer>) -> Filled {
    let Some(r) = response else {
        return Filled::default();
    };
    let mut filled = Filled::default();
    match r {
        Answer::Choices(c) => filled.choices = c.clone(),
        Answer::Text(t) => filled.text = t.clone(),
        Answer::Number(n) => filled.number = format_number(*n),
        Answer::Matches(m) => filled.matches = m.clone(),
        Answer::Blanks(_) => {}
    }
    filled
}

/// 1.5 → "1,5", as people here write it.
fn format_number(n: f64) -> String {
    n.to_string().replace('.', ",")
}

/// What the form says about `question`, if it says anything.
fn response_for(
    pairs: &[(String, String)],
    question: &QuestionView,
) -> Result<Option<Answer>, FieldError> {
    let name = format!("a-{}", question.id);
    let given = values(pairs, &name);
    let response = match question.kind {
        QuestionType::Multichoice | QuestionType::Truefalse => {
            // An untouched radio group sends nothing; an emptied set of
            // check boxes also sends nothing, and means "no choice".
            if given.is_empty() && !question.multiple {
                return Ok(None);
            }
            Answer::Choices(given.iter().map(|v| v.to_string()).collect())
        }
        QuestionType::Shortanswer | QuestionType::Essay => match given.first() {
            Some(text) => Answer::Text(text.to_string()),
            None => return Ok(None),
        },
        QuestionType::Numerical => match given.first().map(|t| t.trim()) {
            None | Some("") => return Ok(None),
            Some(text) => match crate::numbers::read(text) {
                Some(number) => Answer::Number(number),
                None => {
                    return Err(FieldError::new(
                        format!("Soal {}", question.number),
                        format!("'{text}' bukan angka; tulis misalnya 62 atau 1,5"),
                    ));
                }
            },
        },
        QuestionType::Matching => {
            let matches: BTreeMap<String, String> = question
                .left
                .iter()
                .filter_map(|item| {
                    let field = format!("m-{}-{}", question.id, item.id);
                    values(pairs, &field)
                        .first()
                        .filter(|v| !v.is_empty())
                        .map(|v| (item.id.clone(), v.to_string()))
                })
                .collect();
            Answer::Matches(matches)
        }
        QuestionType::Cloze => return super::cloze::response_from_form(pairs, question),
        QuestionType::Description => return Ok(None),
    };
    Ok(Some(response))
}

/// The answers on a page's form that differ from what is saved: only those
/// are written. A blank answer where nothing was saved is not an answer.
pub fn changed_answers(
    pairs: &[(String, String)],
    shown: &[&QuestionView],
    saved: &BTreeMap<String, SavedAnswer>,
) -> Result<Vec<(Uuid, Answer)>, Vec<FieldError>> {
    let mut changed = Vec::new();
    let mut errors = Vec::new();
    for question in shown {
        match response_for(pairs, question) {
            Ok(Some(response)) => {
                let before = saved
                    .get(&question.id.to_string())
                    .and_then(SavedAnswer::answer);
                let unchanged = match before {
                    Some(previous) => previous == response,
                    None => response.is_blank(),
                };
                if !unchanged {
                    changed.push((question.id, response));
                }
            }
            Ok(None) => {}
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(changed)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attempts::views::ChoiceView;

    fn question(kind: QuestionType, multiple: bool) -> QuestionView {
        QuestionView {
            id: Uuid::from_u128(7),
            number: 3,
            kind,
            text_html: String::new(),
            points: 1.0,
            multiple,
            choices: Vec::new(),
            left: vec![
                ChoiceView {
                    id: "l1".into(),
                    text_html: "DNS".into(),
                },
                ChoiceView {
                    id: "l2".into(),
                    text_html: "HTTP".into(),
                },
            ],
            right: Vec::new(),
            blanks: Vec::new(),
        }
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const Q: &str = "00000000-0000-0000-0000-000000000007";

    #[test]
    fn a_page_holds_its_five_questions_and_no_page_holds_none() {
        assert_eq!(page_range(1, 12), 0..5);
        assert_eq!(page_range(3, 12), 10..12);
        assert_eq!(page_range(4, 12), 12..12);
        assert_eq!(page_range(0, 12), 0..0);
        assert_eq!(page_range(1, 0), 0..0);
        for count in 0..23 {
            let shown: usize = (1..=page_count(count))
                .map(|p| page_range(p, count).len())
                .sum();
            assert_eq!(shown, count, "every question is on exactly one page");
            for i in 0..count {
                assert!(page_range(page_of(i), count).contains(&i));
            }
        }
    }

    #[test]
    fn numbers_are_read_the_indonesian_way_too() {
        assert_eq!(crate::numbers::read("1,5"), Some(1.5));
        assert_eq!(crate::numbers::read(" 62 "), Some(62.0));
        assert_eq!(crate::numbers::read("1.234,5"), Some(1234.5));
        assert_eq!(crate::numbers::read("1.5"), Some(1.5));
        assert_eq!(crate::numbers::read("dua"), None);
        assert_eq!(format_number(1.5), "1,5");
    }

    #[test]
    fn a_page_yields_only_changed_answers() {
        let multi = question(QuestionType::Multichoice, true);
        let radio = QuestionView {
            id: Uuid::from_u128(8),
            ..question(QuestionType::Multichoice, false)
        };
        let form = pairs(&[(&format!("a-{Q}"), "c1"), (&format!("a-{Q}"), "c2")]);
        let got = changed_answers(&form, &[&multi, &radio], &BTreeMap::new()).unwrap();
        assert_eq!(got.len(), 1, "the untouched radio group is not an answer");
        assert_eq!(got[0].1, Answer::Choices(vec!["c1".into(), "c2".into()]));

        let saved = BTreeMap::from([(
            Q.to_string(),
            SavedAnswer::new(&got[0].1, crate::clock::now()),
        )]);
        assert!(
            changed_answers(&form, &[&multi], &saved)
                .unwrap()
                .is_empty(),
            "unchanged"
        );
        let cleared = changed_answers(&[], &[&multi], &saved).unwrap();
        assert_eq!(
            cleared[0].1,
            Answer::Choices(vec![]),
            "unticking every box clears the answer"
        );
    }

    #[test]
    fn matching_and_numbers_are_read_from_their_fields() {
        let matching = question(QuestionType::Matching, false);
        let form = pairs(&[(&format!("m-{Q}-l1"), "r2"), (&format!("m-{Q}-l2"), "")]);
        let got = changed_answers(&form, &[&matching], &BTreeMap::new()).unwrap();
        assert_eq!(
            got[0].1,
            Answer::Matches(BTreeMap::from([("l1".into(), "r2".into())]))
        );

        let numeric = question(QuestionType::Numerical, false);
        let bad = pairs(&[(&format!("a-{Q}"), "enam dua")]);
        let errors = changed_answers(&bad, &[&numeric], &BTreeMap::new()).unwrap_err();
        assert_eq!(errors[0].field, "Soal 3");
        let blank = pairs(&[(&format!("a-{Q}"), " ")]);
        assert!(
            changed_answers(&blank, &[&numeric], &BTreeMap::new())
                .unwrap()
                .is_empty()
        );
    }
}
