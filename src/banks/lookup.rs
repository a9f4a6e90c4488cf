//! What other capabilities may ask of the banks: a bank, its current
//! version, the stored question rows of a version. Each takes the
//! connection so that a caller inside a transaction sees its own writes;
//! the tables stay private to banks.

use std::sync::LazyLock;
use std::time::Duration;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::store;
use crate::db::Db;
use crate::entities::{bank_version, question, question_bank};
use crate::error::AppResult;
use crate::fresh::Fresh;

/// Each bank's current version id (`None`: nothing imported yet), as
/// starts read it: a copy at most a second old.
static CURRENT_VERSIONS: LazyLock<Fresh<Option<Uuid>>> =
    LazyLock::new(|| Fresh::new(Duration::from_secs(1)));

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

/// The id of the bank's current version, for a draw: `None` for an unknown
/// bank, `Some(None)` while nothing was ever imported. Read from a copy at
/// most a second old; an import on this instance replaces it at once.
pub async fn current_version_id(db: &Db, bank_id: Uuid) -> AppResult<Option<Option<Uuid>>> {
    if let Some(version) = CURRENT_VERSIONS.get(&bank_id) {
        return Ok(Some(*version));
    }
    let Some(bank) = find_bank(db.read(), bank_id).await? else {
        return Ok(None);
    };
    let version = current_version(db.read(), &bank).await?.map(|v| v.id);
    Ok(Some(*CURRENT_VERSIONS.put(bank_id, version)))
}

pub(super) fn forget_current_version(bank_id: Uuid) {
    CURRENT_VERSIONS.forget(&bank_id);
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
