//! What other capabilities may ask of the banks: a bank, its current
//! version, the stored question rows of a version. Each takes the
//! connection so that a caller inside a transaction sees its own writes;
//! the tables stay private to banks.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::store;
use crate::entities::{bank_version, question, question_bank};
use crate::error::AppResult;

pub async fn find_bank(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<question_bank::Model>> {
    store::bank(conn, id).await
}

pub async fn find_bank_by_name(
    conn: &impl ConnectionTrait,
    name: &str,
) -> AppResult<Option<question_bank::Model>> {
    store::bank_by_name(conn, name).await
}

/// The bank's current version; none while nothing was ever imported.
pub async fn current_version(
    conn: &impl ConnectionTrait,
    bank: &question_bank::Model,
) -> AppResult<Option<bank_version::Model>> {
    store::version(conn, bank.id, bank.current_version).await
}

/// The question rows of `ids`, in that order (missing ones left out).
pub async fn questions_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<Vec<question::Model>> {
    store::questions_by_ids(conn, ids).await
}

/// The question rows of a bank version, in its file's order.
pub async fn version_questions(
    conn: &impl ConnectionTrait,
    bank_version_id: Uuid,
) -> AppResult<Vec<question::Model>> {
    let ids = store::members(conn, bank_version_id).await?;
    store::questions_by_ids(conn, &ids).await
}
