//! A candidate answering an attempt through the service, for the demo
//! year (`bimtek demo`): right where `knows` says so, wrong or blank
//! otherwise. It lives here because only an attempt knows its choice ids.

use uuid::Uuid;

use super::model::{Answer, ChoiceKey, ChoiceList, Slot, distinct_rights};
use super::{answering, parts};
use crate::accounts::model::CurrentUser;
use crate::banks::model::{Body, Question};
use crate::engine::Engine;
use crate::error::AppResult;

/// Saves an answer to every question of the attempt; `knows()` is asked
/// once per question, `essay` answers essays and tasks.
pub async fn answer_all(
    engine: &Engine,
    user: &CurrentUser,
    attempt_id: Uuid,
    knows: &mut impl FnMut() -> bool,
    essay: &str,
) -> AppResult<()> {
    let shape = parts::shape_by_id(engine, attempt_id).await?;
    let questions = parts::questions_of(engine, &shape).await?;
    for slot in &shape.slots {
        let Some(question) = questions.get(&slot.question_id) else {
            continue;
        };
        if let Some(response) = response(question, slot, &shape.key, knows(), essay) {
            answering::save(engine, user, attempt_id, slot.question_id, response, None).await?;
        }
    }
    Ok(())
}

/// The right answer when `right`, otherwise a wrong one where the type
/// has an obvious one; `None` leaves the question unanswered.
pub fn response(
    question: &Question,
    slot: &Slot,
    key: &ChoiceKey,
    right: bool,
    essay: &str,
) -> Option<Answer> {
    let id = |list, index: usize| key.id(slot.question_id, list, index as u16);
    let response = match &question.body {
        Body::Multichoice { choices, .. } => {
            let picked: Vec<String> = if right {
                (0..choices.len())
                    .filter(|i| choices[*i].fraction > 0.0)
                    .map(|i| id(ChoiceList::Choice, i))
                    .collect()
            } else {
                let wrong = (0..choices.len()).find(|i| choices[*i].fraction <= 0.0)?;
                vec![id(ChoiceList::Choice, wrong)]
            };
            Answer::Choices(picked)
        }
        Body::Truefalse { correct, .. } => Answer::Choices(vec![(*correct == right).to_string()]),
        Body::Numerical { answers } => {
            let value = answers
                .iter()
                .filter(|a| a.fraction >= 1.0)
                .find_map(|a| a.value)?;
            Answer::Number(if right { value } else { value + 1000.0 })
        }
        Body::Shortanswer { answers } if right => {
            let answer = answers.iter().find(|a| a.fraction >= 1.0)?;
            Answer::Text(answer.text.clone())
        }
        Body::Matching { pairs } if right => {
            let rights = distinct_rights(pairs);
            let matches = (0..pairs.len())
                .filter(|i| !pairs[*i].left.is_empty())
                .filter_map(|i| {
                    let right = rights.iter().position(|r| *r == pairs[i].right)?;
                    Some((id(ChoiceList::Left, i), id(ChoiceList::Right, right)))
                })
                .collect();
            Answer::Matches(matches)
        }
        Body::Essay => Answer::Text(essay.to_owned()),
        _ => return None,
    };
    Some(response)
}
