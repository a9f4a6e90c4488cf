//! Verification of a certificate by its code, for anyone: the signature is
//! checked every time; what is shown never includes the full NIP.

use poem_openapi::Object;
use serde::Serialize;

use super::keys;
use super::model::{
    Content, UnitLine, VerifyStatus, mask_nip, normalise_code, tanggal, verify_status,
};
use super::store;
use crate::attempts::service::Engine;
use crate::clock;
use crate::error::AppResult;

/// What anyone learns by checking a code: never the full NIP.
#[derive(Debug, Clone, Serialize, Object)]
pub struct Verification {
    pub status: VerifyStatus,
    /// "Sah", "Dicabut", "Kedaluwarsa", "Tidak sah", "Tidak dikenal".
    pub label: String,
    pub number: Option<String>,
    pub kind: Option<String>,
    pub holder_name: Option<String>,
    pub nip_masked: Option<String>,
    pub course_title: Option<String>,
    pub batch_name: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub jp: Option<i32>,
    pub units: Vec<UnitLine>,
    pub issuer: Option<String>,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    pub revoked_on: Option<String>,
    pub revoke_reason: Option<String>,
}

fn label(status: VerifyStatus) -> &'static str {
    match status {
        VerifyStatus::Valid => "Sah",
        VerifyStatus::Revoked => "Dicabut",
        VerifyStatus::Expired => "Kedaluwarsa",
        VerifyStatus::Invalid => "Tidak sah",
        VerifyStatus::Unknown => "Tidak dikenal",
    }
}

fn unknown() -> Verification {
    Verification {
        status: VerifyStatus::Unknown,
        label: label(VerifyStatus::Unknown).into(),
        number: None,
        kind: None,
        holder_name: None,
        nip_masked: None,
        course_title: None,
        batch_name: None,
        starts_on: None,
        ends_on: None,
        jp: None,
        units: Vec::new(),
        issuer: None,
        issued_on: None,
        expires_on: None,
        revoked_on: None,
        revoke_reason: None,
    }
}

/// Checks a code: the signature over the stored content is verified every
/// time, so a record altered in the database shows as invalid.
pub async fn verify(engine: &Engine, code: &str) -> AppResult<Verification> {
    let code = normalise_code(code);
    let Some(row) = store::by_code(engine.db.read(), &code).await? else {
        return Ok(unknown());
    };
    let signed = keys::verify(&engine.db, &row.kid, row.content.as_bytes(), &row.signature).await?;
    let content: Option<Content> = serde_json::from_str(&row.content).ok();
    let consistent = content
        .as_ref()
        .is_some_and(|c| c.number == row.number && c.verification_code == row.verification_code);
    let Some(content) = content.filter(|_| signed && consistent) else {
        let mut v = unknown();
        v.status = VerifyStatus::Invalid;
        v.label = label(VerifyStatus::Invalid).into();
        return Ok(v);
    };
    let expires_on_date = content.expires_on.as_deref().and_then(parse_date);
    let status = verify_status(
        true,
        row.revoked_at.is_some(),
        expires_on_date,
        clock::today_wib(),
    );
    Ok(Verification {
        status,
        label: label(status).into(),
        number: Some(content.number.clone()),
        kind: Some(content.kind.title().into()),
        holder_name: Some(content.holder_name.clone()),
        nip_masked: content.nip.as_deref().map(mask_nip),
        course_title: Some(content.course_title.clone()),
        batch_name: Some(content.batch_name.clone()),
        starts_on: Some(content.starts_on.clone()),
        ends_on: Some(content.ends_on.clone()),
        jp: Some(content.jp),
        units: content.units.clone(),
        issuer: Some(content.issuer.clone()),
        issued_on: Some(tanggal(row.issued_at.to_offset(crate::clock::WIB).date())),
        expires_on: expires_on_date.map(tanggal),
        revoked_on: row
            .revoked_at
            .map(|r| tanggal(r.to_offset(crate::clock::WIB).date())),
        revoke_reason: row.revoke_reason.clone(),
    })
}

/// An ISO date (`2028-01-31`) as stored in the content.
pub fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}
