use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attempt_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub attempt_id: Uuid,
    /// The question version's id.
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_id: Uuid,
    /// `attempts::model::Answer` as JSON.
    #[sea_orm(column_type = "Text")]
    pub response: String,
    /// The client's sequence number: an older write never replaces a newer one.
    pub seq: Option<i64>,
    pub saved_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
