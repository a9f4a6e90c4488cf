//! Verification of a certificate by its code, for anyone. Every time: the
//! signature over the content, and the signature over its standing (so an
//! erased revocation shows as tampering). What is shown is a public record
//! built from the signed content alone — never the full NIP, never a
//! column beside it — and that record is itself signed with the
//! certificate's own key, so a third party can check it with the
//! published key set.

use poem_openapi::Object;
use serde::Serialize;

use super::keys;
use super::model::{
    Content, PublicRecord, Standing, UnitLine, VerifyStatus, normalise_code, public_record,
    statement_time, verify_status,
};
use super::store;
use crate::clock;
use crate::engine::Engine;
use crate::entities::certificate;
use crate::error::AppResult;

/// The public record as signed: check `signature` (Ed25519, base64url)
/// over the UTF-8 bytes of `payload` with the key `kid` of
/// `/api/v1/certificate-keys`, then read the facts from `payload`.
#[derive(Debug, Clone, Serialize, Object)]
pub struct SignedRecord {
    /// The public record as canonical JSON (keys sorted, no spaces).
    pub payload: String,
    pub signature: String,
    pub kid: String,
    /// Always `EdDSA` (Ed25519).
    pub alg: String,
}

/// What anyone learns by checking a code: never the full NIP. The fields
/// are those of the signed public record (`signed.payload`).
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
    /// The signed public record; absent for an unknown or invalid code.
    pub signed: Option<SignedRecord>,
    /// The holder's account was anonymised after the certificate was
    /// issued; the certificate itself is unchanged and still checks.
    pub holder_anonymised: bool,
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

fn bare(status: VerifyStatus) -> Verification {
    Verification {
        status,
        label: label(status).into(),
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
        signed: None,
        holder_anonymised: false,
    }
}

fn shown(record: PublicRecord, signed: SignedRecord) -> Verification {
    Verification {
        status: record.status,
        label: label(record.status).into(),
        number: Some(record.number),
        kind: Some(record.kind),
        holder_name: Some(record.holder_name),
        nip_masked: record.nip_masked,
        course_title: Some(record.course_title),
        batch_name: Some(record.batch_name),
        starts_on: Some(record.starts_on),
        ends_on: Some(record.ends_on),
        jp: Some(record.jp),
        units: record.units,
        issuer: Some(record.issuer),
        issued_on: Some(record.issued_on),
        expires_on: record.expires_on,
        revoked_on: record.revoked_on,
        revoke_reason: record.revoke_reason,
        signed: Some(signed),
        holder_anonymised: false,
    }
}

/// The signed content of `row`, if its signature and its standing's
/// signature hold and the row agrees with what was signed.
async fn checked_content(engine: &Engine, row: &certificate::Model) -> AppResult<Option<Content>> {
    let signed = keys::verify(&engine.db, &row.kid, row.content.as_bytes(), &row.signature).await?;
    let Some(content) = serde_json::from_str::<Content>(&row.content)
        .ok()
        .filter(|c| {
            signed && c.number == row.number && c.verification_code == row.verification_code
        })
    else {
        return Ok(None);
    };
    if !content.standing_signed {
        return Ok(Some(content));
    }
    let standing = Standing {
        number: &row.number,
        verification_code: &row.verification_code,
        revoked_at: row.revoked_at.map(statement_time),
        revoke_reason: row.revoke_reason.as_deref(),
    };
    let standing_ok = match (&row.standing_kid, &row.standing_signature) {
        (Some(kid), Some(signature)) => {
            keys::verify(&engine.db, kid, &standing.canonical_bytes(), signature).await?
        }
        _ => false,
    };
    Ok(standing_ok.then_some(content))
}

/// Checks a code. A record altered in the database, a revocation erased or
/// edited, shows as invalid.
pub async fn verify(engine: &Engine, code: &str) -> AppResult<Verification> {
    let code = normalise_code(code);
    let Some(row) = store::by_code(engine.db.read(), &code).await? else {
        return Ok(bare(VerifyStatus::Unknown));
    };
    let Some(content) = checked_content(engine, &row).await? else {
        return Ok(bare(VerifyStatus::Invalid));
    };
    let expires_on = content.expires_on.as_deref().and_then(parse_date);
    let today = clock::today_wib();
    let status = verify_status(true, row.revoked_at.is_some(), expires_on, today);
    let revoked = row
        .revoked_at
        .map(|at| at.to_offset(clock::WIB).date())
        .zip(row.revoke_reason.as_deref());
    let record = public_record(&content, status, revoked, expires_on, clock::now());
    let payload = record.canonical_bytes();
    let key = keys::by_kid(&engine.db, &row.kid).await?;
    let signed = SignedRecord {
        signature: key.sign(&payload),
        kid: key.kid,
        alg: "EdDSA".into(),
        payload: String::from_utf8_lossy(&payload).into_owned(),
    };
    let mut shown = shown(record, signed);
    shown.holder_anonymised =
        crate::accounts::anonymise::is_anonymised(&engine.db, row.user_id).await?;
    Ok(shown)
}

/// An ISO date (`2028-01-31`) as stored in the content.
pub fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}
