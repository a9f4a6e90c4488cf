//! What other capabilities (exams, mostly) may ask of the attempt engine:
//! an assessment's window for a batch, a person's attempts, a saved answer.
//! Each takes the connection so that a caller inside a transaction sees its
//! own writes; the tables stay private to attempts.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::model::{Answer, AttemptStatus};
use super::store;
use crate::entities::{assessment, assessment_window, attempt};
use crate::error::AppResult;

pub async fn find_assessment(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<assessment::Model>> {
    store::assessment(conn, id).await
}

/// The assessment's own window for one batch, if it has one.
pub async fn window_of(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
    batch_id: Uuid,
) -> AppResult<Option<assessment_window::Model>> {
    store::window(conn, assessment_id, batch_id).await
}

/// The person's attempt still open, if any.
pub async fn open_attempt(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
    user_id: Uuid,
) -> AppResult<Option<attempt::Model>> {
    store::open_attempt(conn, assessment_id, user_id).await
}

/// The person's latest attempt, whatever its state.
pub async fn latest_attempt(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
    user_id: Uuid,
) -> AppResult<Option<attempt::Model>> {
    Ok(store::attempts_of(conn, assessment_id, user_id)
        .await?
        .into_iter()
        .next_back())
}

/// Whether the attempt still takes answers (as `conn` sees it).
pub async fn is_open(conn: &impl ConnectionTrait, attempt_id: Uuid) -> AppResult<bool> {
    Ok(store::attempt(conn, attempt_id)
        .await?
        .is_some_and(|a| a.status == AttemptStatus::Open))
}

/// How many attempts of the assessment are still open.
pub async fn open_count(conn: &impl ConnectionTrait, assessment_id: Uuid) -> AppResult<u64> {
    store::open_attempts_of(conn, assessment_id).await
}

/// The text saved for one question of an attempt (an essay's answer).
pub async fn response_text(
    conn: &impl ConnectionTrait,
    attempt_id: Uuid,
    question_id: Uuid,
) -> AppResult<Option<String>> {
    Ok(store::answer(conn, attempt_id, question_id)
        .await?
        .and_then(|a| serde_json::from_str::<Answer>(&a.response).ok())
        .and_then(|r| r.text().map(str::to_owned)))
}
