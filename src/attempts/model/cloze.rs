//! Cloze questions in an attempt: which choice ids stand for which answers
//! of which blank, the order they are shown in, checking a response and
//! marking it. The answers of all blanks are numbered in one list (see
//! `banks::cloze::offsets`), so a choice id is keyed like any other choice
//! and says nothing about its blank or its place in the bank.

use rand::Rng;
use rand::seq::SliceRandom;
use uuid::Uuid;

use super::{AnswerBlank, ChoiceKey, ChoiceList, Slot};
use crate::banks::cloze::{self, Blank, BlankKind};
use crate::error::FieldError;

/// Characters typed into one blank.
const MAX_BLANK_TEXT: usize = 1_000;

/// The shown order of every choice blank's answers, blank after blank, as
/// indexes into the one list; shuffled within a blank when the author
/// asked for it (`_S`) and the quiz shuffles choices, as Moodle does.
pub fn order(blanks: &[Blank], shuffle_choices: bool, rng: &mut impl Rng) -> Vec<u16> {
    let mut out = Vec::new();
    for (blank, start) in blanks.iter().zip(cloze::offsets(blanks)) {
        if !blank.is_choice() {
            continue;
        }
        let mut own: Vec<u16> = (start..start + blank.answers.len())
            .map(|i| i as u16)
            .collect();
        if shuffle_choices && blank.shuffled() {
            own.shuffle(rng);
        }
        out.extend(own);
    }
    out
}

/// Blank `index`'s answers in the order shown, as indexes into the one
/// list (bank order for a slot drawn without an order).
pub fn shown(blanks: &[Blank], index: usize, slot: &Slot) -> Vec<u16> {
    let start = cloze::offsets(blanks)[index];
    let end = start + blanks[index].answers.len();
    let mine: Vec<u16> = slot
        .order
        .iter()
        .copied()
        .filter(|i| (start..end).contains(&usize::from(*i)))
        .collect();
    if mine.len() == end - start {
        mine
    } else {
        (start as u16..end as u16).collect()
    }
}

/// The answers of blank `index` that `ids` name (indexes into its answers);
/// `Err` with the first id that is not one of them.
fn picked(
    blanks: &[Blank],
    index: usize,
    question: Uuid,
    key: &ChoiceKey,
    ids: &[String],
) -> Result<Vec<usize>, String> {
    let start = cloze::offsets(blanks)[index];
    let len = blanks[index].answers.len();
    key.positions(question, ChoiceList::Choice, start..start + len, ids)
        .map(|found| found.into_iter().map(|i| usize::from(i) - start).collect())
        .map_err(str::to_owned)
}

/// Checks one response to a Cloze question: no more entries than blanks,
/// text only where a blank is typed, ids of that blank where it is picked.
pub fn validate(
    given: &[AnswerBlank],
    blanks: &[Blank],
    question: Uuid,
    key: &ChoiceKey,
) -> Result<(), FieldError> {
    if given.len() > blanks.len() {
        return Err(FieldError::new(
            "response.blanks",
            format!("soal ini hanya memiliki {} bagian", blanks.len()),
        ));
    }
    for (i, (answer, blank)) in given.iter().zip(blanks).enumerate() {
        let field = format!("response.blanks[{i}]");
        let number = i + 1;
        if blank.is_choice() {
            if answer.text.is_some() {
                return Err(FieldError::new(
                    field,
                    format!("bagian {number} dijawab dengan memilih (choices)"),
                ));
            }
            let ids = answer.choices.as_deref().unwrap_or_default();
            if matches!(blank.kind, BlankKind::Choice { .. }) && ids.len() > 1 {
                return Err(FieldError::new(
                    field,
                    format!("bagian {number} hanya menerima satu pilihan"),
                ));
            }
            if ids.len() > blank.answers.len() {
                return Err(FieldError::new(
                    field,
                    format!(
                        "bagian {number} hanya memiliki {} pilihan",
                        blank.answers.len()
                    ),
                ));
            }
            picked(blanks, i, question, key, ids).map_err(|id| {
                FieldError::new(
                    field.clone(),
                    format!("pilihan '{id}' tidak ada pada bagian {number}"),
                )
            })?;
        } else {
            if answer.choices.is_some() {
                return Err(FieldError::new(
                    field,
                    format!("bagian {number} dijawab dengan mengetik (text)"),
                ));
            }
            if answer
                .text
                .as_ref()
                .is_some_and(|t| t.chars().count() > MAX_BLANK_TEXT)
            {
                return Err(FieldError::new(
                    field,
                    format!("bagian {number}: maksimal {MAX_BLANK_TEXT} karakter"),
                ));
            }
        }
    }
    Ok(())
}

/// What one blank's answer matched (indexes into its answers).
pub fn matched(
    blanks: &[Blank],
    index: usize,
    answer: Option<&AnswerBlank>,
    question: Uuid,
    key: &ChoiceKey,
) -> Vec<usize> {
    let Some(answer) = answer else {
        return Vec::new();
    };
    let ids = answer.choices.as_deref().unwrap_or_default();
    let picked = picked(blanks, index, question, key, ids).unwrap_or_default();
    cloze::matched(&blanks[index], answer.text.as_deref(), &picked)
}

/// The question's fraction: each blank marked as Moodle marks it, weighted.
pub fn fraction(blanks: &[Blank], given: &[AnswerBlank], slot: &Slot, key: &ChoiceKey) -> f64 {
    let fractions: Vec<f64> = blanks
        .iter()
        .enumerate()
        .map(|(i, blank)| {
            let Some(answer) = given.get(i) else {
                return 0.0;
            };
            let ids = answer.choices.as_deref().unwrap_or_default();
            let picked = picked(blanks, i, slot.question_id, key, ids).unwrap_or_default();
            cloze::mark(blank, answer.text.as_deref(), &picked)
        })
        .collect();
    cloze::total(blanks, &fractions).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    const Q: Uuid = Uuid::from_u128(7);

    fn blanks() -> Vec<Blank> {
        cloze::parse(
            "Ibu kota {2:SA:=Semarang#Benar~*#Salah}, host /26 {1:NM:=62:0}, \
             protokol {1:MCS:HTTP~=HTTPS~FTP}, aman {1:MR:%50%SSH~%50%HTTPS~%-100%Telnet}.",
        )
        .unwrap()
        .blanks
    }

    fn slot(blanks: &[Blank], shuffle: bool) -> Slot {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        Slot {
            question_id: Q,
            points: 1.0,
            order: order(blanks, shuffle, &mut rng),
            right_order: Vec::new(),
            limit: None,
        }
    }

    fn ids(key: &ChoiceKey, slot: &Slot, b: &[Blank], blank: usize) -> Vec<String> {
        shown(b, blank, slot)
            .into_iter()
            .map(|i| key.id(Q, ChoiceList::Choice, i))
            .collect()
    }

    #[test]
    fn choices_are_shuffled_only_inside_their_blank() {
        let b = blanks();
        let s = slot(&b, true);
        // Answers 0–1 (SA) and 2 (NM) are typed; 3–5 and 6–8 are picked.
        assert_eq!(s.order.len(), 6);
        let mut third = shown(&b, 2, &s);
        third.sort();
        assert_eq!(third, vec![3, 4, 5]);
        // MR without _S keeps the author's order.
        assert_eq!(shown(&b, 3, &s), vec![6, 7, 8]);
        assert_eq!(shown(&b, 2, &slot(&b, false)), vec![3, 4, 5]);
    }

    #[test]
    fn a_response_is_checked_and_marked_per_blank() {
        let b = blanks();
        let s = slot(&b, true);
        let key = ChoiceKey::generate();
        let protocol = ids(&key, &s, &b, 2);
        let https = key.id(Q, ChoiceList::Choice, 4);
        let secure = ids(&key, &s, &b, 3);
        let text = |t: &str| AnswerBlank {
            text: Some(t.into()),
            choices: None,
        };
        let pick = |ids: Vec<String>| AnswerBlank {
            text: None,
            choices: Some(ids),
        };
        let full = vec![
            text(" semarang "),
            text("62"),
            pick(vec![https.clone()]),
            pick(secure[..2].to_vec()),
        ];
        validate(&full, &b, Q, &key).unwrap();
        assert!((fraction(&b, &full, &s, &key) - 1.0).abs() < 1e-9);
        // Wrong city (weight 2 of 5) and Telnet with SSH (0): 3 × 1 / 5 lost.
        let partly = vec![
            text("Solo"),
            text("62,0"),
            pick(vec![https.clone()]),
            pick(vec![secure[0].clone(), secure[2].clone()]),
        ];
        assert!((fraction(&b, &partly, &s, &key) - 0.4).abs() < 1e-9);
        // Blank 1 alone, the rest left out.
        assert!((fraction(&b, &[text("Semarang")], &s, &key) - 0.4).abs() < 1e-9);

        let err = |given: Vec<AnswerBlank>| validate(&given, &b, Q, &key).unwrap_err();
        assert_eq!(
            err(vec![pick(vec![https.clone()])]).field,
            "response.blanks[0]"
        );
        assert!(
            err(vec![text("a"), text("1"), pick(protocol.clone())])
                .message
                .contains("hanya menerima satu")
        );
        // More ids than the blank has answers: refused before any is derived.
        assert!(
            err(vec![
                text("a"),
                text("1"),
                pick(vec![https.clone()]),
                pick(vec![secure[0].clone(); 1000])
            ])
            .message
            .contains("bagian 4 hanya memiliki 3 pilihan")
        );
        // An id of another blank is not an answer to this one.
        assert!(
            err(vec![text("a"), text("1"), pick(vec![secure[0].clone()])])
                .message
                .contains("tidak ada pada bagian 3")
        );
        assert!(
            err(vec![AnswerBlank::default(); 5])
                .message
                .contains("4 bagian")
        );
    }
}
