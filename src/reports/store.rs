//! The batch_reports table.

use sea_orm::sea_query::OnConflict;
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

/// Keeps the closing words in one statement (two saves at once leave one).
pub(super) async fn save(conn: &impl ConnectionTrait, row: batch_report::Model) -> AppResult<()> {
    batch_report::Entity::insert(batch_report::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(batch_report::Column::BatchId)
                .update_columns([
                    batch_report::Column::Closing,
                    batch_report::Column::UpdatedAt,
                    batch_report::Column::UpdatedBy,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
