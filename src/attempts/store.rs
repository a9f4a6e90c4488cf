//! Queries on assessments, attempts and answers.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::answer_writes::{AnswerWrite, Stamp};
use super::model::{Answer, AttemptStatus, Mark, totals};
use crate::entities::{assessment, assessment_window, attempt, attempt_answer};
use crate::error::AppResult;

pub async fn assessment(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<assessment::Model>> {
    Ok(assessment::Entity::find_by_id(id).one(conn).await?)
}

pub async fn quiz_of_module(
    conn: &impl ConnectionTrait,
    module_id: Uuid,
) -> AppResult<Option<assessment::Model>> {
    Ok(assessment::Entity::find()
        .filter(assessment::Column::ModuleId.eq(module_id))
        .one(conn)
        .await?)
}

pub async fn quizzes_of_course(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
) -> AppResult<Vec<assessment::Model>> {
    Ok(assessment::Entity::find()
        .filter(assessment::Column::CourseId.eq(course_id))
        .filter(assessment::Column::Kind.eq("quiz"))
        .order_by_asc(assessment::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// A course's pre-test or post-test (one of each at most).
pub async fn course_assessment(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
    kind: super::model::AssessmentKind,
) -> AppResult<Option<assessment::Model>> {
    Ok(assessment::Entity::find()
        .filter(assessment::Column::CourseId.eq(course_id))
        .filter(assessment::Column::Kind.eq(kind))
        .one(conn)
        .await?)
}

pub async fn window(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
    batch_id: Uuid,
) -> AppResult<Option<assessment_window::Model>> {
    Ok(
        assessment_window::Entity::find_by_id((assessment_id, batch_id))
            .one(conn)
            .await?,
    )
}

/// Every batch's own window of an assessment.
pub async fn windows_of(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
) -> AppResult<Vec<assessment_window::Model>> {
    Ok(assessment_window::Entity::find()
        .filter(assessment_window::Column::AssessmentId.eq(assessment_id))
        .all(conn)
        .await?)
}

pub async fn set_window(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
    batch_id: Uuid,
    opens_at: Option<OffsetDateTime>,
    closes_at: Option<OffsetDateTime>,
) -> AppResult<()> {
    assessment_window::Entity::insert(assessment_window::ActiveModel {
        assessment_id: Set(assessment_id),
        batch_id: Set(batch_id),
        opens_at: Set(opens_at),
        closes_at: Set(closes_at),
    })
    .on_conflict(
        OnConflict::columns([
            assessment_window::Column::AssessmentId,
            assessment_window::Column::BatchId,
        ])
        .update_columns([
            assessment_window::Column::OpensAt,
            assessment_window::Column::ClosesAt,
        ])
        .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn attempt(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<attempt::Model>> {
    Ok(attempt::Entity::find_by_id(id).one(conn).await?)
}

/// The attempt row locked for update on PostgreSQL (SQLite's writer is already alone).
pub async fn attempt_for_update(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<attempt::Model>> {
    Ok(attempt::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?)
}

/// Which of `ids` are no longer open. On PostgreSQL every row is read under
/// a share lock, so that no submit on another instance slips between this
/// check and the answers written after it; on SQLite the single writer
/// already excludes that, and asking only for closed attempts means the
/// usual answer is no rows at all.
pub async fn closed_attempts(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    let mut select = attempt::Entity::find()
        .select_only()
        .column(attempt::Column::Id)
        .column(attempt::Column::Status)
        .filter(attempt::Column::Id.is_in(ids.iter().copied()));
    select = if conn.get_database_backend() == DbBackend::Postgres {
        select.lock_shared()
    } else {
        select.filter(attempt::Column::Status.ne(AttemptStatus::Open))
    };
    let rows: Vec<(Uuid, String)> = select.into_tuple().all(conn).await?;
    Ok(rows
        .into_iter()
        .filter(|(_, status)| status != AttemptStatus::Open.as_str())
        .map(|(id, _)| id)
        .collect())
}

pub async fn open_attempt(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
    user_id: Uuid,
) -> AppResult<Option<attempt::Model>> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::AssessmentId.eq(assessment_id))
        .filter(attempt::Column::UserId.eq(user_id))
        .filter(attempt::Column::Status.eq(AttemptStatus::Open))
        .one(conn)
        .await?)
}

/// How many attempts a trainee made at an assessment through one batch.
pub async fn count_attempts_in_batch(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
    user_id: Uuid,
    batch_id: Uuid,
) -> AppResult<u64> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::AssessmentId.eq(assessment_id))
        .filter(attempt::Column::UserId.eq(user_id))
        .filter(attempt::Column::BatchId.eq(batch_id))
        .count(conn)
        .await?)
}

/// How many attempts of an assessment are still open.
pub async fn open_attempts_of(conn: &impl ConnectionTrait, assessment_id: Uuid) -> AppResult<u64> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::AssessmentId.eq(assessment_id))
        .filter(attempt::Column::Status.eq(AttemptStatus::Open))
        .count(conn)
        .await?)
}

pub async fn attempts_of(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
    user_id: Uuid,
) -> AppResult<Vec<attempt::Model>> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::AssessmentId.eq(assessment_id))
        .filter(attempt::Column::UserId.eq(user_id))
        .order_by_asc(attempt::Column::Number)
        .all(conn)
        .await?)
}

pub async fn attempts_for(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
    batch_id: Option<Uuid>,
) -> AppResult<Vec<attempt::Model>> {
    let mut query = attempt::Entity::find().filter(attempt::Column::AssessmentId.eq(assessment_id));
    if let Some(batch_id) = batch_id {
        query = query.filter(attempt::Column::BatchId.eq(batch_id));
    }
    Ok(query
        .order_by_asc(attempt::Column::UserId)
        .order_by_asc(attempt::Column::Number)
        .all(conn)
        .await?)
}

/// Open attempts whose deadline (and grace) has passed.
pub async fn overdue(
    conn: &impl ConnectionTrait,
    before: OffsetDateTime,
    limit: u64,
) -> AppResult<Vec<Uuid>> {
    Ok(attempt::Entity::find()
        .select_only()
        .column(attempt::Column::Id)
        .filter(attempt::Column::Status.eq(AttemptStatus::Open))
        .filter(attempt::Column::DeadlineAt.lt(before))
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?)
}

pub async fn answers(
    conn: &impl ConnectionTrait,
    attempt_id: Uuid,
) -> AppResult<Vec<attempt_answer::Model>> {
    Ok(attempt_answer::Entity::find()
        .filter(attempt_answer::Column::AttemptId.eq(attempt_id))
        .all(conn)
        .await?)
}

/// An attempt's saved responses by question; an unreadable one counts as
/// unanswered.
pub async fn responses(
    conn: &impl ConnectionTrait,
    attempt_id: Uuid,
) -> AppResult<HashMap<Uuid, Answer>> {
    Ok(answers(conn, attempt_id)
        .await?
        .into_iter()
        .filter_map(|a| {
            serde_json::from_str(&a.response)
                .ok()
                .map(|r| (a.question_id, r))
        })
        .collect())
}

pub async fn answer(
    conn: &impl ConnectionTrait,
    attempt_id: Uuid,
    question_id: Uuid,
) -> AppResult<Option<attempt_answer::Model>> {
    Ok(
        attempt_answer::Entity::find_by_id((attempt_id, question_id))
            .one(conn)
            .await?,
    )
}

/// Sequence number and save time of the stored answers among `keys`
/// (attempt, question).
pub async fn answer_stamps(
    conn: &impl ConnectionTrait,
    keys: &[(Uuid, Uuid)],
) -> AppResult<HashMap<(Uuid, Uuid), Stamp>> {
    let mut any = Condition::any();
    for (attempt_id, question_id) in keys {
        any = any.add(
            Condition::all()
                .add(attempt_answer::Column::AttemptId.eq(*attempt_id))
                .add(attempt_answer::Column::QuestionId.eq(*question_id)),
        );
    }
    let rows = attempt_answer::Entity::find().filter(any).all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|a| ((a.attempt_id, a.question_id), (a.seq, a.saved_at)))
        .collect())
}

/// Writes many answers in one statement, each unless a newer one (higher
/// client sequence) is stored; returns how many were written. `rows` must
/// not repeat a pair (PostgreSQL refuses to update a row twice).
pub async fn upsert_answers(
    conn: &impl ConnectionTrait,
    rows: &[&AnswerWrite],
    now: OffsetDateTime,
) -> AppResult<u64> {
    use attempt_answer::Column;
    if rows.is_empty() {
        return Ok(0);
    }
    let stored_seq = Expr::col((attempt_answer::Entity, Column::Seq));
    let new_seq = Expr::col((Alias::new("excluded"), Column::Seq));
    let newer_or_unordered = stored_seq
        .clone()
        .is_null()
        .or(new_seq.clone().is_null())
        .or(stored_seq.lte(new_seq));
    let mut insert = Query::insert();
    insert
        .into_table(attempt_answer::Entity)
        .columns([
            Column::AttemptId,
            Column::QuestionId,
            Column::Response,
            Column::Seq,
            Column::SavedAt,
        ])
        .on_conflict(
            OnConflict::columns([Column::AttemptId, Column::QuestionId])
                .update_columns([Column::Response, Column::Seq, Column::SavedAt])
                .action_and_where(newer_or_unordered)
                .to_owned(),
        );
    for row in rows {
        insert.values_panic([
            row.attempt_id.into(),
            row.question_id.into(),
            row.response.clone().into(),
            row.seq.into(),
            now.into(),
        ]);
    }
    Ok(conn.execute(&insert).await?.rows_affected())
}

pub async fn insert_attempt(conn: &impl ConnectionTrait, row: attempt::Model) -> AppResult<()> {
    use sea_orm::IntoActiveModel;
    attempt::Entity::insert(row.into_active_model())
        .exec(conn)
        .await?;
    Ok(())
}

/// A grade as stored on an attempt.
pub struct Grade {
    pub status: AttemptStatus,
    /// `Mark` list as JSON.
    pub marks: String,
    pub score: f64,
    pub percent: f64,
    pub passed: Option<bool>,
    pub graded_at: Option<OffsetDateTime>,
}

impl Grade {
    /// What `marks` earn: graded (passed or not, stamped `at`) once no mark
    /// waits for a marker, otherwise submitted and waiting.
    pub fn of(marks: &[Mark], pass_percent: f64, at: OffsetDateTime) -> AppResult<Grade> {
        let (score, _, percent, complete) = totals(marks);
        Ok(Grade {
            status: if complete {
                AttemptStatus::Graded
            } else {
                AttemptStatus::Submitted
            },
            marks: serde_json::to_string(marks)
                .map_err(|e| crate::error::AppError::internal(e.to_string()))?,
            score,
            percent,
            passed: complete.then_some(percent >= pass_percent),
            graded_at: complete.then_some(at),
        })
    }
}

pub struct Finish {
    pub grade: Grade,
    pub submitted_at: OffsetDateTime,
    pub finished_by: &'static str,
}

/// Closes an open attempt with its grade; returns false if it was no longer open.
pub async fn finish(conn: &impl ConnectionTrait, id: Uuid, f: Finish) -> AppResult<bool> {
    let done = attempt::Entity::update_many()
        .col_expr(
            attempt::Column::Status,
            Expr::value(f.grade.status.as_str()),
        )
        .col_expr(attempt::Column::SubmittedAt, Expr::value(f.submitted_at))
        .col_expr(attempt::Column::FinishedBy, Expr::value(f.finished_by))
        .col_expr(attempt::Column::Marks, Expr::value(f.grade.marks))
        .col_expr(attempt::Column::Score, Expr::value(f.grade.score))
        .col_expr(attempt::Column::Percent, Expr::value(f.grade.percent))
        .col_expr(attempt::Column::Passed, Expr::value(f.grade.passed))
        .col_expr(attempt::Column::GradedAt, Expr::value(f.grade.graded_at))
        .col_expr(attempt::Column::UpdatedAt, Expr::value(f.submitted_at))
        .filter(attempt::Column::Id.eq(id))
        .filter(attempt::Column::Status.eq(AttemptStatus::Open))
        .exec(conn)
        .await?;
    Ok(done.rows_affected > 0)
}

/// Replaces the grade of a finished attempt (a regrade or an assessor's marks).
pub async fn set_grade(conn: &impl ConnectionTrait, id: Uuid, grade: Grade) -> AppResult<()> {
    attempt::Entity::update_many()
        .col_expr(attempt::Column::Status, Expr::value(grade.status))
        .col_expr(attempt::Column::Marks, Expr::value(grade.marks))
        .col_expr(attempt::Column::Score, Expr::value(grade.score))
        .col_expr(attempt::Column::Percent, Expr::value(grade.percent))
        .col_expr(attempt::Column::Passed, Expr::value(grade.passed))
        .col_expr(attempt::Column::GradedAt, Expr::value(grade.graded_at))
        .col_expr(attempt::Column::UpdatedAt, Expr::value(crate::clock::now()))
        .filter(attempt::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Quiz attempts handed in and still waiting for a hand mark (exams have
/// their own grading items), oldest first.
pub async fn quiz_attempts_awaiting_marks(
    conn: &impl ConnectionTrait,
) -> AppResult<Vec<attempt::Model>> {
    let quizzes = Query::select()
        .column(assessment::Column::Id)
        .from(assessment::Entity)
        .and_where(assessment::Column::Kind.eq(super::model::AssessmentKind::Quiz))
        .to_owned();
    Ok(attempt::Entity::find()
        .filter(attempt::Column::Status.eq(AttemptStatus::Submitted))
        .filter(attempt::Column::AssessmentId.in_subquery(quizzes))
        .order_by_asc(attempt::Column::SubmittedAt)
        .all(conn)
        .await?)
}

/// Every attempt of a user, oldest first.
pub async fn attempt_ids_of_user(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Vec<Uuid>> {
    Ok(attempt::Entity::find()
        .select_only()
        .column(attempt::Column::Id)
        .filter(attempt::Column::UserId.eq(user_id))
        .order_by_asc(attempt::Column::StartedAt)
        .into_tuple::<Uuid>()
        .all(conn)
        .await?)
}

/// The drawn questions (`slots`, as stored) of every attempt of a user.
pub async fn slots_of_user(conn: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Vec<String>> {
    Ok(attempt::Entity::find()
        .select_only()
        .column(attempt::Column::Slots)
        .filter(attempt::Column::UserId.eq(user_id))
        .into_tuple::<String>()
        .all(conn)
        .await?)
}
