use sea_orm::entity::prelude::*;

use crate::notices::model::{MessageKind, MessageStatus};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: MessageKind,
    /// The batch the message is about, for its log on the batch page.
    pub batch_id: Option<Uuid>,
    pub user_id: Uuid,
    pub to_name: String,
    pub to_address: Option<String>,
    pub subject: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// The `.ics` attached, when the message is about a schedule.
    #[sea_orm(column_type = "Text", nullable)]
    pub calendar: Option<String>,
    pub status: MessageStatus,
    pub attempts: i32,
    pub next_attempt_at: TimeDateTimeWithTimeZone,
    /// After this a message still waiting is no longer worth sending.
    pub expires_at: Option<TimeDateTimeWithTimeZone>,
    /// A worker holds the message until then; another may take it after.
    pub claimed_until: Option<TimeDateTimeWithTimeZone>,
    pub sent_at: Option<TimeDateTimeWithTimeZone>,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
