//! Queries on exams, their assessors, candidates, grading items and appeals.

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::attempts::model::AttemptStatus;
use crate::entities::{appeal, attempt, exam, exam_assessor, exam_candidate, grading_item};
use crate::error::AppResult;

pub async fn exam(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<exam::Model>> {
    Ok(exam::Entity::find_by_id(id).one(conn).await?)
}

pub async fn exams(conn: &impl ConnectionTrait) -> AppResult<Vec<exam::Model>> {
    Ok(exam::Entity::find()
        .order_by_desc(exam::Column::CreatedAt)
        .all(conn)
        .await?)
}

pub async fn exam_of_assessment(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
) -> AppResult<Option<exam::Model>> {
    Ok(exam::Entity::find()
        .filter(exam::Column::AssessmentId.eq(assessment_id))
        .one(conn)
        .await?)
}

pub async fn exams_of_batches(
    conn: &impl ConnectionTrait,
    batch_ids: &[Uuid],
) -> AppResult<Vec<exam::Model>> {
    Ok(exam::Entity::find()
        .filter(exam::Column::BatchId.is_in(batch_ids.iter().copied()))
        .order_by_asc(exam::Column::CreatedAt)
        .all(conn)
        .await?)
}

pub async fn insert_exam(conn: &impl ConnectionTrait, row: exam::Model) -> AppResult<()> {
    exam::Entity::insert(row.into_active_model())
        .exec(conn)
        .await?;
    Ok(())
}

/// Marks the exam released unless it already was; says whether this call did.
pub async fn set_released(
    conn: &impl ConnectionTrait,
    id: Uuid,
    at: time::OffsetDateTime,
) -> AppResult<bool> {
    let changed = exam::Entity::update_many()
        .col_expr(
            exam::Column::ReleasedAt,
            sea_orm::sea_query::Expr::value(at),
        )
        .col_expr(exam::Column::UpdatedAt, sea_orm::sea_query::Expr::value(at))
        .filter(exam::Column::Id.eq(id))
        .filter(exam::Column::ReleasedAt.is_null())
        .exec(conn)
        .await?
        .rows_affected;
    Ok(changed == 1)
}

pub async fn assessors(
    conn: &impl ConnectionTrait,
    exam_id: Uuid,
) -> AppResult<Vec<exam_assessor::Model>> {
    Ok(exam_assessor::Entity::find()
        .filter(exam_assessor::Column::ExamId.eq(exam_id))
        .all(conn)
        .await?)
}

pub async fn exams_of_assessor(conn: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(exam_assessor::Entity::find()
        .filter(exam_assessor::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.exam_id)
        .collect())
}

pub async fn upsert_assessor(
    conn: &impl ConnectionTrait,
    row: exam_assessor::Model,
) -> AppResult<()> {
    exam_assessor::Entity::insert(row.into_active_model())
        .on_conflict(
            OnConflict::columns([exam_assessor::Column::ExamId, exam_assessor::Column::UserId])
                .update_columns([exam_assessor::Column::Units, exam_assessor::Column::Lead])
                .to_owned(),
        )
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn candidates(
    conn: &impl ConnectionTrait,
    exam_id: Uuid,
) -> AppResult<Vec<exam_candidate::Model>> {
    Ok(exam_candidate::Entity::find()
        .filter(exam_candidate::Column::ExamId.eq(exam_id))
        .order_by_asc(exam_candidate::Column::Number)
        .all(conn)
        .await?)
}

pub async fn candidate(
    conn: &impl ConnectionTrait,
    exam_id: Uuid,
    user_id: Uuid,
) -> AppResult<Option<exam_candidate::Model>> {
    Ok(exam_candidate::Entity::find_by_id((exam_id, user_id))
        .one(conn)
        .await?)
}

pub async fn insert_candidate(
    conn: &impl ConnectionTrait,
    row: exam_candidate::Model,
) -> AppResult<()> {
    exam_candidate::Entity::insert(row.into_active_model())
        .exec(conn)
        .await?;
    Ok(())
}

/// Attempts of the exam's objective part that are no longer open.
pub async fn finished_attempts(
    conn: &impl ConnectionTrait,
    assessment_id: Uuid,
) -> AppResult<Vec<attempt::Model>> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::AssessmentId.eq(assessment_id))
        .filter(attempt::Column::Status.ne(AttemptStatus::Open))
        .order_by_asc(attempt::Column::StartedAt)
        .all(conn)
        .await?)
}

pub async fn items_of_exam(
    conn: &impl ConnectionTrait,
    exam_id: Uuid,
) -> AppResult<Vec<grading_item::Model>> {
    Ok(grading_item::Entity::find()
        .filter(grading_item::Column::ExamId.eq(exam_id))
        .order_by_asc(grading_item::Column::CreatedAt)
        .all(conn)
        .await?)
}

pub async fn items_of_assessor(
    conn: &impl ConnectionTrait,
    assessor_id: Uuid,
) -> AppResult<Vec<grading_item::Model>> {
    Ok(grading_item::Entity::find()
        .filter(grading_item::Column::AssessorId.eq(assessor_id))
        .order_by_asc(grading_item::Column::CreatedAt)
        .all(conn)
        .await?)
}

pub async fn item(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<grading_item::Model>> {
    Ok(grading_item::Entity::find_by_id(id).one(conn).await?)
}

/// A new item waiting for its assessor, as the grading plan, a change of
/// assessor and an appeal create it.
pub fn pending_item(
    exam_id: Uuid,
    item: super::plan::NewItem,
    now: time::OffsetDateTime,
) -> grading_item::Model {
    grading_item::Model {
        id: Uuid::now_v7(),
        exam_id,
        attempt_id: item.attempt_id,
        task_key: item.task_key,
        candidate_id: item.candidate_id,
        assessor_id: item.assessor_id,
        round: item.round as i32,
        status: super::model::ItemStatus::Pending,
        levels: None,
        comment: None,
        total: None,
        reason: None,
        created_at: now,
        updated_at: now,
        finalized_at: None,
    }
}

/// Inserts items; one that another instance created a moment ago is skipped.
pub async fn insert_items(
    conn: &impl ConnectionTrait,
    rows: Vec<grading_item::Model>,
) -> AppResult<()> {
    for row in rows {
        grading_item::Entity::insert(row.into_active_model())
            .on_conflict_do_nothing_on([
                grading_item::Column::AttemptId,
                grading_item::Column::TaskKey,
                grading_item::Column::Round,
            ])
            .exec(conn)
            .await?;
    }
    Ok(())
}

pub async fn update_item(conn: &impl ConnectionTrait, row: grading_item::Model) -> AppResult<()> {
    let active = grading_item::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(row.id),
        assessor_id: Set(row.assessor_id),
        status: Set(row.status),
        levels: Set(row.levels),
        comment: Set(row.comment),
        total: Set(row.total),
        reason: Set(row.reason),
        updated_at: Set(row.updated_at),
        finalized_at: Set(row.finalized_at),
        ..Default::default()
    };
    grading_item::Entity::update(active).exec(conn).await?;
    Ok(())
}

pub async fn appeals_of_exam(
    conn: &impl ConnectionTrait,
    exam_id: Uuid,
) -> AppResult<Vec<appeal::Model>> {
    Ok(appeal::Entity::find()
        .filter(appeal::Column::ExamId.eq(exam_id))
        .order_by_asc(appeal::Column::CreatedAt)
        .all(conn)
        .await?)
}

pub async fn appeal(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<appeal::Model>> {
    Ok(appeal::Entity::find_by_id(id).one(conn).await?)
}

pub async fn appeal_of(
    conn: &impl ConnectionTrait,
    exam_id: Uuid,
    user_id: Uuid,
) -> AppResult<Option<appeal::Model>> {
    Ok(appeal::Entity::find()
        .filter(appeal::Column::ExamId.eq(exam_id))
        .filter(appeal::Column::UserId.eq(user_id))
        .one(conn)
        .await?)
}

pub async fn insert_appeal(conn: &impl ConnectionTrait, row: appeal::Model) -> AppResult<()> {
    appeal::Entity::insert(row.into_active_model())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn update_appeal(conn: &impl ConnectionTrait, row: appeal::Model) -> AppResult<()> {
    let active = appeal::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(row.id),
        status: Set(row.status),
        assessor_id: Set(row.assessor_id),
        decided_at: Set(row.decided_at),
        ..Default::default()
    };
    appeal::Entity::update(active).exec(conn).await?;
    Ok(())
}
