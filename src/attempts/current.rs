//! A quiz's settings and its batches' windows as every start and every
//! page of an attempt reads them: a copy at most a second old (`fresh`),
//! forgotten here as soon as either changes. On exam day thousands of
//! trainees ask for the same quiz each second; one query a second serves
//! them all.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use super::store;
use crate::db::Db;
use crate::entities::{assessment, assessment_window};
use crate::error::{AppError, AppResult};
use crate::fresh::Fresh;

pub struct QuizNow {
    pub quiz: assessment::Model,
    /// Each batch's own window, where it has one.
    pub windows: Vec<assessment_window::Model>,
}

static QUIZZES: LazyLock<Fresh<QuizNow>> = LazyLock::new(|| Fresh::new(Duration::from_secs(1)));

/// The assessment and its windows, or 404.
pub(crate) async fn quiz(db: &Db, id: Uuid) -> AppResult<Arc<QuizNow>> {
    if let Some(now) = QUIZZES.get(&id) {
        return Ok(now);
    }
    let quiz = store::assessment(db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let windows = store::windows_of(db.read(), id).await?;
    Ok(QUIZZES.put(id, QuizNow { quiz, windows }))
}

/// Called by every write of an assessment or of its windows.
pub(crate) fn forget(id: Uuid) {
    QUIZZES.forget(&id);
}

impl QuizNow {
    /// Opening and closing time for a batch (its own window wins).
    pub fn window(
        &self,
        batch_id: Option<Uuid>,
    ) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
        let own = self.windows.iter().find(|w| Some(w.batch_id) == batch_id);
        (
            own.and_then(|w| w.opens_at).or(self.quiz.opens_at),
            own.and_then(|w| w.closes_at).or(self.quiz.closes_at),
        )
    }
}
