use sea_orm::entity::prelude::*;

/// One version of one question. Never updated once written.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub bank_id: Uuid,
    pub stable_id: String,
    pub version: i32,
    pub content_hash: String,
    pub qtype: crate::banks::model::QuestionType,
    pub title: Option<String>,
    pub category: Option<String>,
    /// The whole question (`banks::model::Question`) as JSON.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub created_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
