//! The evaluation tables' queries.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::{
    evaluation_closure, evaluation_form, evaluation_receipt, evaluation_response,
};
use crate::error::AppResult;

pub(super) async fn form(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
) -> AppResult<Option<evaluation_form::Model>> {
    Ok(evaluation_form::Entity::find_by_id(course_id)
        .one(conn)
        .await?)
}

/// Replaces a course's questions in one statement (two saves at once
/// leave one of them, never an error).
pub(super) async fn save_form(
    conn: &impl ConnectionTrait,
    row: evaluation_form::Model,
) -> AppResult<()> {
    evaluation_form::Entity::insert(evaluation_form::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(evaluation_form::Column::CourseId)
                .update_columns([
                    evaluation_form::Column::Questions,
                    evaluation_form::Column::UpdatedAt,
                    evaluation_form::Column::UpdatedBy,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub(super) async fn closed(conn: &impl ConnectionTrait, batch_id: Uuid) -> AppResult<bool> {
    Ok(evaluation_closure::Entity::find_by_id(batch_id)
        .one(conn)
        .await?
        .is_some())
}

/// Closes a batch's evaluation; closing it again changes nothing.
pub(super) async fn close(
    conn: &impl ConnectionTrait,
    row: evaluation_closure::Model,
) -> AppResult<()> {
    evaluation_closure::Entity::insert(evaluation_closure::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(evaluation_closure::Column::BatchId)
                .do_nothing()
                .to_owned(),
        )
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
