//! The evaluation tables' queries.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::{evaluation_form, evaluation_receipt, evaluation_response};
use crate::error::AppResult;

pub(super) async fn form(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
) -> AppResult<Option<evaluation_form::Model>> {
    Ok(evaluation_form::Entity::find_by_id(course_id)
        .one(conn)
        .await?)
}

pub(super) async fn save_form(
    conn: &impl ConnectionTrait,
    row: evaluation_form::Model,
) -> AppResult<()> {
    evaluation_form::Entity::delete_by_id(row.course_id)
        .exec(conn)
        .await?;
    evaluation_form::Entity::insert(evaluation_form::ActiveModel::from(row))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub(super) async fn delete_form(conn: &impl ConnectionTrait, course_id: Uuid) -> AppResult<()> {
    evaluation_form::Entity::delete_by_id(course_id)
        .exec(conn)
        .await?;
    Ok(())
}

pub(super) async fn answered(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    user_id: Uuid,
) -> AppResult<bool> {
    Ok(evaluation_receipt::Entity::find_by_id((batch_id, user_id))
        .one(conn)
        .await?
        .is_some())
}

/// Records that `user_id` answered; fails with a unique violation when
/// they already had.
pub(super) async fn insert_receipt(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    user_id: Uuid,
) -> Result<(), sea_orm::DbErr> {
    evaluation_receipt::Entity::insert(evaluation_receipt::ActiveModel::from(
        evaluation_receipt::Model { batch_id, user_id },
    ))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub(super) async fn insert_response(
    conn: &impl ConnectionTrait,
    row: evaluation_response::Model,
) -> AppResult<()> {
    evaluation_response::Entity::insert(evaluation_response::ActiveModel::from(row))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub(super) async fn responses(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
) -> AppResult<Vec<evaluation_response::Model>> {
    Ok(evaluation_response::Entity::find()
        .filter(evaluation_response::Column::BatchId.eq(batch_id))
        .all(conn)
        .await?)
}
