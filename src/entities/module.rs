use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "modules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub course_id: Uuid,
    pub position: i32,
    pub title: String,
    pub jp: Option<i32>,
    #[sea_orm(column_type = "Text")]
    pub body_markdown: String,
    /// Rendered and sanitised once, when the module is saved.
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
