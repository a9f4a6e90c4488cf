use sea_orm::entity::prelude::*;

use crate::schedule::model::EnrolmentStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub user_id: Uuid,
    pub status: EnrolmentStatus,
    /// Arrival order within the batch: the waitlist is served by it.
    pub seq: i64,
    /// Why the trainee withdrew (or was withdrawn).
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
