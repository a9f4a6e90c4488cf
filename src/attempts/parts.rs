//! What an attempt is made of, as every part of the engine reads it: its
//! assessment, its shape (drawn questions and choice key, cached) and the
//! questions themselves.

use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;

use super::cache::AttemptShape;
use super::model::{AttemptStatus, Slot};
use super::store;
use crate::banks::model::Question;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::engine::Engine;
use crate::entities::{assessment, attempt};
use crate::error::{AppError, AppResult};

/// The assessment (a quiz, an exam, a pre-test or a post-test), or 404.
pub(crate) async fn find_assessment(db: &Db, id: Uuid) -> AppResult<assessment::Model> {
    store::assessment(db.read(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The attempt's shape, from the cache or from `row`.
pub(crate) async fn shape(engine: &Engine, row: &attempt::Model) -> AppResult<Arc<AttemptShape>> {
    match engine.caches.attempt(&row.id) {
        Some(shape) => Ok(shape),
        None => Ok(engine.caches.remember(AttemptShape::from_row(row)?)),
    }
}

/// The attempt's shape, from the cache or the database.
pub(crate) async fn shape_by_id(engine: &Engine, id: Uuid) -> AppResult<Arc<AttemptShape>> {
    if let Some(shape) = engine.caches.attempt(&id) {
        return Ok(shape);
    }
    let row = store::attempt(engine.db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    shape(engine, &row).await
}

/// What grading a handed-in attempt reads.
pub(crate) struct Finished {
    pub quiz: assessment::Model,
    pub shape: Arc<AttemptShape>,
    pub questions: HashMap<Uuid, Arc<Question>>,
}

/// The parts of `row` for marking or regrading; 409 `attempt_open` while
/// the trainee may still change their answers.
pub(crate) async fn finished_parts(engine: &Engine, row: &attempt::Model) -> AppResult<Finished> {
    if row.status == AttemptStatus::Open {
        return Err(attempt_open());
    }
    let quiz = find_assessment(&engine.db, row.assessment_id).await?;
    let shape = shape(engine, row).await?;
    let questions = questions_of(engine, &shape).await?;
    Ok(Finished {
        quiz,
        shape,
        questions,
    })
}

pub(crate) fn attempt_open() -> AppError {
    AppError::conflict(Conflict::AttemptOpen, "Percobaan masih berlangsung.")
}

pub(crate) async fn questions_of(
    engine: &Engine,
    shape: &AttemptShape,
) -> AppResult<HashMap<Uuid, Arc<Question>>> {
    questions_for(engine, &shape.slots).await
}

/// The questions drawn into `slots`.
pub(crate) async fn questions_for(
    engine: &Engine,
    slots: &[Slot],
) -> AppResult<HashMap<Uuid, Arc<Question>>> {
    let ids: Vec<Uuid> = slots.iter().map(|s| s.question_id).collect();
    engine.caches.questions(&engine.db, &ids).await
}
