use sea_orm::entity::prelude::*;

use crate::notices::model::MessageKind;

/// An administrator's text for one kind of message; the shipped default
/// applies while there is none.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: MessageKind,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub updated_by: Option<Uuid>,
}

impl ActiveModelBehavior for ActiveModel {}
