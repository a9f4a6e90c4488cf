use sea_orm::entity::prelude::*;

/// That an organiser closed a batch's evaluation early.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_closures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub batch_id: Uuid,
    pub closed_at: TimeDateTimeWithTimeZone,
    pub closed_by: Option<Uuid>,
}

impl ActiveModelBehavior for ActiveModel {}
