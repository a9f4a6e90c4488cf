use sea_orm::entity::prelude::*;

use crate::accounts::codes::Purpose;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub purpose: Purpose,
    /// SHA-256 of the code or link token; the secret itself is never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub expires_at: TimeDateTimeWithTimeZone,
    /// The administrator who issued an activation code.
    pub created_by: Option<Uuid>,
}

impl ActiveModelBehavior for ActiveModel {}
