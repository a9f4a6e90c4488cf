use sea_orm::entity::prelude::*;

/// The file a candidate uploaded for one task of their exam attempt.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub attempt_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub data: Vec<u8>,
    pub saved_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
