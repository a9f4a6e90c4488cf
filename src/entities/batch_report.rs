use sea_orm::entity::prelude::*;

/// The organiser's closing words for a batch's laporan penyelenggaraan.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "batch_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub batch_id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub closing: String,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub updated_by: Option<Uuid>,
}

impl ActiveModelBehavior for ActiveModel {}
