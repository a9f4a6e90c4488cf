use sea_orm::entity::prelude::*;

use crate::certificates::model::CertificateKind;

/// An issued certificate: its signed content and the signature over it.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub user_id: Uuid,
    pub course_id: Uuid,
    /// `kelulusan` or `keterangan`.
    pub kind: CertificateKind,
    pub number: String,
    pub verification_code: String,
    /// `certificates::model::Content` in its canonical JSON form.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// Ed25519 over `content`, base64url without padding.
    pub signature: String,
    /// Which signing key made it.
    pub kid: String,
    pub issued_at: TimeDateTimeWithTimeZone,
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
    #[sea_orm(column_type = "Text", nullable)]
    pub revoke_reason: Option<String>,
    pub replaces_id: Option<Uuid>,
    /// Ed25519 over the canonical `certificates::model::Standing` (issued,
    /// or revoked with `revoked_at` and `revoke_reason`), by `standing_kid`.
    #[sea_orm(column_type = "Text", nullable)]
    pub standing_signature: Option<String>,
    pub standing_kid: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
