//! A regrade: a finished attempt graded again
//! with the current rules, by an administrator, with a reason, audited.

use uuid::Uuid;

use super::model::{grade, totals};
use super::parts::{Finished, finished_parts};
use super::store::{self, Grade};
use super::views::ResultView;
use crate::accounts::model::{CurrentUser, Role};
use crate::audit::{self, AuditView};
use crate::clock;
use crate::engine::Engine;
use crate::error::{AppError, AppResult};

/// Every recorded change of an attempt's grade (administrators).
pub async fn history(
    engine: &Engine,
    admin: &CurrentUser,
    attempt_id: Uuid,
) -> AppResult<Vec<AuditView>> {
    admin.require(Role::Admin)?;
    audit::history(engine.db.read(), "attempt", attempt_id).await
}

/// Re-grades a finished attempt with the current grading rules (assessor
/// marks are kept), recording old and new score in the audit log.
pub async fn regrade(
    engine: &Engine,
    admin: &CurrentUser,
    attempt_id: Uuid,
    reason: &str,
) -> AppResult<ResultView> {
    admin.require(Role::Admin)?;
    let reason = AppError::required(reason, "reason", "alasan penilaian ulang wajib diisi")?;
    let row = store::attempt(engine.db.read(), attempt_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Finished {
        quiz,
        shape,
        questions,
    } = finished_parts(engine, &row).await?;
    let pass_percent = quiz.pass_percent;
    let actor = admin.id;
    let reason = reason.to_owned();
    // Read, recompute and write under the writer (and the attempt's row
    // lock on PostgreSQL): an essay marked meanwhile is kept, not lost.
    let (status, score, max, percent, passed) = engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let row = store::attempt_for_update(txn, attempt_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let old = super::marking::marks_of(&row);
                let responses = store::responses(txn, attempt_id).await?;
                let marks = grade(&shape.slots, &questions, &responses, &shape.key, &old);
                let grade = Grade::of(&marks, pass_percent, clock::now())?;
                let (status, score, percent, passed) =
                    (grade.status, grade.score, grade.percent, grade.passed);
                let max = totals(&marks).1;
                store::set_grade(txn, attempt_id, grade).await?;
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: "attempt.regrade",
                        object_type: "attempt",
                        object_id: attempt_id,
                        old: Some(serde_json::json!({ "score": row.score, "percent": row.percent, "passed": row.passed })),
                        new: Some(serde_json::json!({ "score": score, "percent": percent, "passed": passed })),
                        reason: Some(&reason),
                    },
                )
                .await?;
                Ok((status, score, max, percent, passed))
            })
        })
        .await?;
    Ok(ResultView {
        status,
        score,
        max_score: max,
        percent,
        passed,
        pass_percent,
        finished_by: row.finished_by,
        submitted_at: row.submitted_at,
    })
}
