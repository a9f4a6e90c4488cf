//! Saving many answers in two statements: one read of the attempts' state,
//! one multi-row upsert. Per answer that is what the single writer would
//! otherwise spend two round trips on, which on exam day is the difference
//! between a few thousand and over ten thousand answers a second.
//!
//! The outcome of every save is exactly what it would have been had the
//! saves run one after another in arrival order (`model::answer_writes`).

use std::collections::{HashMap, HashSet};

use sea_orm::DatabaseTransaction;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::accepts_answers;
use super::model::answer_writes::{AnswerWrite, SaveOutcome, plan, repeated_keys};
use super::store;
use crate::error::AppResult;

/// Saves `writes` inside the writer's transaction; one outcome per write,
/// in order. Time is read by the caller inside the transaction: the deadline
/// is checked against the moment the answer is written, not when it was sent.
pub async fn save_all(
    txn: &DatabaseTransaction,
    writes: &[AnswerWrite],
    now: OffsetDateTime,
) -> AppResult<Vec<SaveOutcome>> {
    let attempt_ids: Vec<Uuid> = writes
        .iter()
        .map(|w| w.attempt_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let closed = store::closed_attempts(txn, &attempt_ids).await?;
    let mut outcomes = vec![SaveOutcome::Closed; writes.len()];
    let open: Vec<usize> = (0..writes.len())
        .filter(|i| {
            let w = &writes[*i];
            !closed.contains(&w.attempt_id) && accepts_answers(w.deadline_at, now)
        })
        .collect();
    let candidates: Vec<AnswerWrite> = open.iter().map(|i| writes[*i].clone()).collect();
    let repeated = repeated_keys(&candidates);
    let stored = if repeated.is_empty() {
        HashMap::new()
    } else {
        store::answer_stamps(txn, &repeated).await?
    };
    let plan = plan(&candidates, &stored);

    let rows: Vec<&AnswerWrite> = plan.winners.iter().map(|w| &candidates[*w]).collect();
    let written = store::upsert_answers(txn, &rows, now).await?;
    // Usually every row is written. If not, a newer numbered answer was
    // already stored for some: the stored numbers tell which.
    let newer = if written as usize == rows.len() {
        HashMap::new()
    } else {
        let numbered: Vec<(Uuid, Uuid)> = rows
            .iter()
            .filter(|w| w.seq.is_some())
            .map(|w| (w.attempt_id, w.question_id))
            .collect();
        store::answer_stamps(txn, &numbered).await?
    };
    let mut result: HashMap<usize, SaveOutcome> = HashMap::new();
    for winner in &plan.winners {
        let write = &candidates[*winner];
        let outcome = match newer.get(&(write.attempt_id, write.question_id)) {
            Some((seq, saved_at)) if *seq > write.seq => SaveOutcome::Stale(*saved_at),
            _ => SaveOutcome::Saved(now),
        };
        result.insert(*winner, outcome);
    }
    for (replaced, winner) in &plan.replaced_by {
        result.insert(*replaced, result[winner]);
    }
    for stale in &plan.stale {
        let w = &candidates[*stale];
        let saved_at = stored
            .get(&(w.attempt_id, w.question_id))
            .map_or(now, |s| s.1);
        result.insert(*stale, SaveOutcome::Stale(saved_at));
    }
    for (candidate, outcome) in result {
        outcomes[open[candidate]] = outcome;
    }
    Ok(outcomes)
}
