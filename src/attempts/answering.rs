//! A trainee's answers on their way in: checked against the attempt they
//! belong to (the caller's own, still open) and handed to the writer, which
//! stores them durably before anything is acknowledged.

use std::sync::Arc;

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::cache::AttemptShape;
use super::finishing::{Closer, finish_attempt};
use super::model::answer_writes::{AnswerWrite, SaveOutcome};
use super::model::{Answer, accepts_answers, validate};
use super::parts::shape_by_id;
use crate::accounts::model::CurrentUser;
use crate::clock;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, Object)]
pub struct Saved {
    /// When the answer stored now was written (durably).
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
    /// True when a newer answer (higher `seq`) was already stored and this one was ignored.
    pub stale: bool,
}

fn closed_error() -> AppError {
    AppError::conflict(
        Conflict::AttemptClosed,
        "Waktu mengerjakan sudah habis atau percobaan sudah dikumpulkan; jawaban tidak disimpan.",
    )
}

/// Saves one answer and returns only after it is durable.
pub async fn save(
    engine: &Engine,
    user: &CurrentUser,
    attempt_id: Uuid,
    question_id: Uuid,
    response: Answer,
    seq: Option<i64>,
) -> AppResult<Saved> {
    let shape = own_shape(engine, user, attempt_id).await?;
    let write = checked_write(engine, &shape, question_id, response, seq).await?;
    still_open(engine, &shape).await?;
    // The writer checks the attempt and the deadline again when it writes:
    // the moment that counts is when the answer is stored, not when it was sent.
    match engine.writer.save(write).await? {
        SaveOutcome::Saved(saved_at) => Ok(Saved {
            saved_at,
            stale: false,
        }),
        SaveOutcome::Stale(saved_at) => Ok(Saved {
            saved_at,
            stale: true,
        }),
        SaveOutcome::Closed => Err(closed_error()),
    }
}

/// Saves the answers of one page of the quiz form together: all of them,
/// or (when one is invalid) none.
pub async fn save_page(
    engine: &Engine,
    user: &CurrentUser,
    attempt_id: Uuid,
    answers: Vec<(Uuid, Answer)>,
) -> AppResult<()> {
    if answers.is_empty() {
        return Ok(());
    }
    let shape = own_shape(engine, user, attempt_id).await?;
    let mut writes = Vec::with_capacity(answers.len());
    for (question_id, response) in answers {
        writes.push(checked_write(engine, &shape, question_id, response, None).await?);
    }
    still_open(engine, &shape).await?;
    let outcomes = engine.writer.save_many(writes).await?;
    if outcomes.contains(&SaveOutcome::Closed) {
        return Err(closed_error());
    }
    Ok(())
}

/// The caller's own attempt (anyone else's: 404).
async fn own_shape(
    engine: &Engine,
    user: &CurrentUser,
    attempt_id: Uuid,
) -> AppResult<Arc<AttemptShape>> {
    let shape = shape_by_id(engine, attempt_id).await?;
    if shape.user_id != user.id {
        return Err(AppError::NotFound);
    }
    Ok(shape)
}

/// 409 once the attempt's time is up, finishing it first.
async fn still_open(engine: &Engine, shape: &AttemptShape) -> AppResult<()> {
    if !accepts_answers(shape.deadline_at, clock::now()) {
        finish_attempt(engine, shape.id, Closer::Deadline).await?;
        return Err(closed_error());
    }
    Ok(())
}

/// The answer to one of the attempt's questions, checked and ready for the writer.
async fn checked_write(
    engine: &Engine,
    shape: &AttemptShape,
    question_id: Uuid,
    response: Answer,
    seq: Option<i64>,
) -> AppResult<AnswerWrite> {
    let slot = shape.slot(question_id).ok_or(AppError::NotFound)?;
    let question = engine
        .caches
        .questions(&engine.db, &[question_id])
        .await?
        .remove(&question_id)
        .ok_or(AppError::NotFound)?;
    validate(&response, &question, slot, &shape.key).map_err(|e| AppError::validation(vec![e]))?;
    if let Some(limit) = slot.limit
        && let Some(text) = response.text()
        && let Some(problem) = limit.problem(text)
    {
        return Err(AppError::invalid_field("response.text", problem));
    }
    let json = serde_json::to_string(&response).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(AnswerWrite {
        attempt_id: shape.id,
        question_id,
        response: json,
        seq,
        deadline_at: shape.deadline_at,
    })
}
