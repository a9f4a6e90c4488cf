use sea_orm::entity::prelude::*;

use crate::exams::model::AppealStatus;

/// A trainee's appeal (banding) against a released exam result.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appeals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub exam_id: Uuid,
    pub user_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// `submitted`, `assigned` or `decided`.
    pub status: AppealStatus,
    pub assessor_id: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub decided_at: Option<TimeDateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
