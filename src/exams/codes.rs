//! Candidate codes (`HM-2026-017`): the only way assessors know a candidate.

use std::collections::HashMap;

use uuid::Uuid;

use super::model::candidate_code;
use super::setup::Loaded;
use super::store;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::exam_candidate;
use crate::error::{AppError, AppResult};

/// The candidate code of `user_id` in the exam, made on first need
/// (numbered in order of arrival; a clash with another instance retries).
pub async fn code_for(engine: &Engine, loaded: &Loaded, user_id: Uuid) -> AppResult<String> {
    if let Some(c) = store::candidate(engine.db.read(), loaded.row.id, user_id).await? {
        return Ok(c.code);
    }
    let exam_id = loaded.row.id;
    let prefix = loaded.row.code_prefix.clone();
    let year = loaded.row.created_at.year();
    for _ in 0..5 {
        let prefix = prefix.clone();
        let made = engine
            .writer
            .run(move |txn| {
                Box::pin(async move {
                    if let Some(c) = store::candidate(txn, exam_id, user_id).await? {
                        return Ok(Some(c.code));
                    }
                    let number = store::candidates(txn, exam_id)
                        .await?
                        .iter()
                        .map(|c| c.number)
                        .max()
                        .unwrap_or(0)
                        + 1;
                    let code = candidate_code(&prefix, year, number);
                    let row = exam_candidate::Model {
                        exam_id,
                        user_id,
                        number,
                        code: code.clone(),
                    };
                    // In a savepoint: a clash with another instance must not
                    // spoil the writer's shared transaction.
                    let inserted = crate::attempts::writer::in_savepoint(txn, move |sp| {
                        Box::pin(store::insert_candidate(sp, row))
                    })
                    .await;
                    match inserted {
                        Ok(()) => Ok(Some(code)),
                        Err(AppError::Db(e))
                            if matches!(
                                e.sql_err(),
                                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                            ) =>
                        {
                            Ok(None)
                        }
                        Err(e) => Err(e),
                    }
                })
            })
            .await;
        match made {
            Ok(Some(code)) => return Ok(code),
            Ok(None) => continue,
            // PostgreSQL aborts the transaction on a clash: try again.
            Err(AppError::Db(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(AppError::conflict(
        Conflict::Busy,
        "Kode peserta belum dapat dibuat; coba lagi.",
    ))
}

/// Codes of every candidate, by user.
pub async fn codes(engine: &Engine, exam_id: Uuid) -> AppResult<HashMap<Uuid, String>> {
    Ok(store::candidates(engine.db.read(), exam_id)
        .await?
        .into_iter()
        .map(|c| (c.user_id, c.code))
        .collect())
}
