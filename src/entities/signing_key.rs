use sea_orm::entity::prelude::*;

/// An Ed25519 certificate signing key. Retired keys still verify what they signed.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    /// Hex; kept in the database so every instance signs alike.
    pub secret_key: String,
    /// Hex.
    pub public_key: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub retired_at: Option<TimeDateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
