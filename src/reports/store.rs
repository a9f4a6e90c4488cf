//! The batch_reports table.

use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::entities::batch_report;
use crate::error::AppResult;

pub(super) async fn closing(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
) -> AppResult<Option<String>> {
    Ok(batch_report::Entity::find_by_id(batch_id)
        .one(conn)
        .await?
        .map(|r| r.closing))
}

pub(super) async fn save(conn: &impl ConnectionTrait, row: batch_report::Model) -> AppResult<()> {
    batch_report::Entity::delete_by_id(row.batch_id)
        .exec(conn)
        .await?;
    batch_report::Entity::insert(batch_report::ActiveModel::from(row))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
