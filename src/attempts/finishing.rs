//! Handing an attempt in: grading what it holds once, by the trainee or at
//! the deadline, and the sweeper that finishes attempts nobody handed in.

use std::time::Duration as StdDuration;

use uuid::Uuid;

use super::model::{AttemptStatus, GRACE, grade};
use super::parts::{find_assessment, questions_of, shape_by_id};
use super::store::{self, Finish, Grade};
use crate::clock;
use crate::engine::Engine;
use crate::error::AppResult;

/// Who ended an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closer {
    Trainee,
    Deadline,
}

/// Finishes an open attempt once: grades what it has and records the
/// result. Returns false if it was already finished.
pub async fn finish_attempt(engine: &Engine, attempt_id: Uuid, by: Closer) -> AppResult<bool> {
    let shape = shape_by_id(engine, attempt_id).await?;
    let questions = questions_of(engine, &shape).await?;
    let quiz = find_assessment(&engine.db, shape.assessment_id).await?;
    let pass_percent = quiz.pass_percent;
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let Some(row) = store::attempt_for_update(txn, attempt_id).await? else {
                    return Ok(false);
                };
                if row.status != AttemptStatus::Open {
                    return Ok(false);
                }
                let responses = store::responses(txn, attempt_id).await?;
                let marks = grade(&shape.slots, &questions, &responses, &shape.key, &[]);
                let now = clock::now();
                let finish = Finish {
                    grade: Grade::of(&marks, pass_percent, now)?,
                    submitted_at: match by {
                        Closer::Trainee => now,
                        Closer::Deadline => row.deadline_at.min(now),
                    },
                    finished_by: match by {
                        Closer::Trainee => "trainee",
                        Closer::Deadline => "deadline",
                    },
                };
                store::finish(txn, attempt_id, finish).await
            })
        })
        .await
}

/// Finishes every overdue open attempt; safe when several instances run it.
pub async fn finish_overdue(engine: &Engine) -> AppResult<u32> {
    let overdue = store::overdue(engine.db.read(), clock::now() - GRACE, 500).await?;
    let mut finished = 0;
    for id in overdue {
        if finish_attempt(engine, id, Closer::Deadline).await? {
            finished += 1;
        }
    }
    Ok(finished)
}

/// Runs `finish_overdue` every `every` until the runtime stops.
pub fn spawn_sweeper(engine: Engine, every: StdDuration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match finish_overdue(&engine).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(finished = n, "overdue attempts finished"),
                Err(err) => tracing::warn!(error = %err, "sweeping overdue attempts failed"),
            }
        }
    });
}
