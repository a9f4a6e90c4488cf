use sea_orm::entity::prelude::*;

/// One day's session of a batch; times are WIB wall-clock times.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "batch_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub day: TimeDate,
    pub starts_at: TimeTime,
    pub ends_at: TimeTime,
    pub topic: Option<String>,
    pub instructor: Option<String>,
    /// Shown on screen during the session for self check-in.
    pub checkin_code: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
