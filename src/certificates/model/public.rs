//! The two statements besides the content that verification relies on:
//! a certificate's standing (issued, or revoked when and why), and the
//! public record anyone checking a code receives. Both are signed, so
//! every fact shown — issue date and revocation included — is covered by
//! a signature, and a third party can check the record with the published
//! key set.

use poem_openapi::Object;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, UtcOffset};

use super::{Content, UnitLine, VerifyStatus, canonical_json, mask_nip};
use crate::clock::format_date_id;

/// A certificate's standing as signed when it was issued and again when it
/// was revoked: `revoked_at` and `revoke_reason` are empty while it stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing<'a> {
    pub number: &'a str,
    pub verification_code: &'a str,
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<&'a str>,
}

impl Standing<'_> {
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical_json(self)
    }
}

/// A moment as the databases keep it: whole microseconds (PostgreSQL's
/// precision), rounded up so that a revocation never moves before a
/// records pull that ended just before it. Store this, and sign its text.
pub fn stored_moment(at: OffsetDateTime) -> OffsetDateTime {
    let nanos = at.nanosecond();
    let micros = nanos.div_ceil(1_000);
    match at.replace_nanosecond(micros * 1_000) {
        Ok(rounded) => rounded,
        // 999_999.5 µs rounds up to the next second.
        Err(_) => at.replace_nanosecond(0).unwrap_or(at) + time::Duration::SECOND,
    }
}

/// A stored moment as a statement records it: UTC, RFC 3339.
pub fn statement_time(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Everything a public verification shows, in the form that is signed:
/// never the full NIP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Object)]
pub struct PublicRecord {
    pub status: VerifyStatus,
    pub number: String,
    /// "Sertifikat Kelulusan" or "Surat Keterangan Mengikuti".
    pub kind: String,
    pub holder_name: String,
    pub nip_masked: Option<String>,
    pub course_code: String,
    pub course_title: String,
    pub batch_name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub jp: i32,
    pub units: Vec<UnitLine>,
    pub issuer: String,
    pub issued_on: String,
    pub expires_on: Option<String>,
    pub revoked_on: Option<String>,
    pub revoke_reason: Option<String>,
    pub verification_code: String,
    /// When the server checked the certificate and signed this record.
    pub checked_at: String,
}

/// The public record of a certificate whose content and standing verified.
pub fn public_record(
    content: &Content,
    status: VerifyStatus,
    revoked: Option<(Date, &str)>,
    expires_on: Option<Date>,
    checked_at: OffsetDateTime,
) -> PublicRecord {
    let wib = crate::clock::WIB;
    PublicRecord {
        status,
        number: content.number.clone(),
        kind: content.kind.title().into(),
        holder_name: content.holder_name.clone(),
        nip_masked: content.nip.as_deref().map(mask_nip),
        course_code: content.course_code.clone(),
        course_title: content.course_title.clone(),
        batch_name: content.batch_name.clone(),
        starts_on: content.starts_on.clone(),
        ends_on: content.ends_on.clone(),
        jp: content.jp,
        units: content.units.clone(),
        issuer: content.issuer.clone(),
        issued_on: content
            .issued_at()
            .map(|at| crate::clock::format_date_id(at.to_offset(wib).date()))
            .unwrap_or_default(),
        expires_on: expires_on.map(format_date_id),
        revoked_on: revoked.map(|(on, _)| crate::clock::format_date_id(on)),
        revoke_reason: revoked.map(|(_, why)| why.to_owned()),
        verification_code: content.verification_code.clone(),
        checked_at: statement_time(checked_at),
    }
}

impl PublicRecord {
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical_json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn standing_bytes_are_stable_and_name_the_revocation() {
        let standing = Standing {
            number: "001/BKD",
            verification_code: "K7QM-P3XV-9TRA",
            revoked_at: None,
            revoke_reason: None,
        };
        assert_eq!(
            String::from_utf8(standing.canonical_bytes()).unwrap(),
            r#"{"number":"001/BKD","revoke_reason":null,"revoked_at":null,"verification_code":"K7QM-P3XV-9TRA"}"#
        );
        let revoked = Standing {
            revoked_at: Some(statement_time(stored_moment(datetime!(
                2026-12-01 10:00:00.1234561 +7
            )))),
            revoke_reason: Some("salah nama"),
            ..standing.clone()
        };
        assert_ne!(revoked.canonical_bytes(), standing.canonical_bytes());
        assert_eq!(
            revoked.revoked_at.as_deref(),
            Some("2026-12-01T03:00:00.123457Z")
        );
        assert_eq!(
            stored_moment(datetime!(2026-12-01 10:00:00.9999995 UTC)),
            datetime!(2026-12-01 10:00:01 UTC)
        );
    }

    #[test]
    fn the_public_record_masks_the_nip_and_dates_from_the_content() {
        let content = crate::certificates::layout::sample();
        let record = public_record(
            &content,
            VerifyStatus::Valid,
            None,
            None,
            datetime!(2026-12-01 00:00 UTC),
        );
        let nip = content.nip.clone().unwrap();
        let text = String::from_utf8(record.canonical_bytes()).unwrap();
        assert!(!text.contains(&nip), "{text}");
        assert_eq!(record.issued_on, "22 November 2026");
        assert_eq!(record.checked_at, "2026-12-01T00:00:00Z");
    }
}
