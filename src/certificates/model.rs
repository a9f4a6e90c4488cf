//! Pure rules of certificates: who gets which kind, numbers from a
//! pattern, verification codes, the signed content and its canonical
//! bytes, masking an NIP, Indonesian dates, and what a verification says.

use poem_openapi::Object;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::string_enum::string_enum;

string_enum!(
    /// `kelulusan`: completed (and Kompeten); `keterangan`: attended only.
    CertificateKind { Kelulusan = "kelulusan", Keterangan = "keterangan" }
);
string_enum!(
    VerifyStatus { Valid = "valid", Revoked = "revoked", Expired = "expired", Invalid = "invalid", Unknown = "unknown" }
);

string_enum!(
    /// What a "surat keterangan mengikuti" credits towards the 20 JP a year
    /// and SIASN `jumlahJam`: `none` (only completed training counts), or
    /// `attended`: the course's JP in proportion to the sessions attended.
    LetterJp { None = "none", Attended = "attended" }
);

/// The JP a certificate credits (and states): the course's JP for a
/// certificate of completion; for a letter, per the course's `LetterJp`,
/// nothing or the share of sessions attended, rounded down (a JP is not
/// split).
pub fn credited_jp(
    kind: CertificateKind,
    course_jp: i32,
    letter_jp: LetterJp,
    present: u32,
    sessions: u32,
) -> i32 {
    match (kind, letter_jp) {
        (CertificateKind::Kelulusan, _) => course_jp,
        (CertificateKind::Keterangan, LetterJp::None) => 0,
        (CertificateKind::Keterangan, LetterJp::Attended) if sessions == 0 => 0,
        (CertificateKind::Keterangan, LetterJp::Attended) => {
            let share = i64::from(course_jp.max(0)) * i64::from(present.min(sessions))
                / i64::from(sessions);
            i32::try_from(share).unwrap_or(course_jp)
        }
    }
}

impl CertificateKind {
    pub fn title(self) -> &'static str {
        match self {
            CertificateKind::Kelulusan => "Sertifikat Kelulusan",
            CertificateKind::Keterangan => "Surat Keterangan Mengikuti",
        }
    }
}

/// Where a trainee stands on the batch's exam, if it has one.
#[derive(Debug, Clone, PartialEq)]
pub enum ExamStanding {
    NoExam,
    NotReleased,
    NotSat,
    Kompeten,
    BelumKompeten(Vec<String>),
}

/// What eligibility is decided from.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// Why the course's completion rule is not met (modules, attendance, quizzes).
    pub unmet: Vec<String>,
    pub attendance_percent: f64,
    pub min_attendance_percent: f64,
    pub exam: ExamStanding,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Eligibility {
    Eligible(CertificateKind),
    NotEligible(Vec<String>),
}

/// Completed and (when there is an exam) Kompeten in every unit: a
/// certificate. Attended enough but not that: a letter, if the course gives
/// them. Otherwise every reason why not.
pub fn eligibility(facts: &Facts, letters: bool) -> Eligibility {
    let mut reasons = facts.unmet.clone();
    match &facts.exam {
        ExamStanding::NoExam | ExamStanding::Kompeten => {}
        ExamStanding::NotReleased => reasons.push("hasil uji kompetensi belum dirilis".into()),
        ExamStanding::NotSat => reasons.push("belum mengikuti uji kompetensi".into()),
        ExamStanding::BelumKompeten(units) => {
            reasons.push(format!("belum kompeten pada unit: {}", units.join(", ")))
        }
    }
    if reasons.is_empty() {
        return Eligibility::Eligible(CertificateKind::Kelulusan);
    }
    let attended = facts.attendance_percent + 1e-9 >= facts.min_attendance_percent;
    if letters && attended && facts.exam != ExamStanding::NotReleased {
        return Eligibility::Eligible(CertificateKind::Keterangan);
    }
    Eligibility::NotEligible(reasons)
}

pub const DEFAULT_PATTERN: &str = "{seq:03}/BKD-BIMTEK/{course_code}/{month_roman}/{year}";

const ROMAN: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

pub fn roman_month(month: u8) -> &'static str {
    ROMAN[(month.clamp(1, 12) - 1) as usize]
}

/// Fills a number pattern: `{seq}`, `{seq:03}` (zero-padded), `{course_code}`,
/// `{month}`, `{month_roman}`, `{year}`. Unknown placeholders are an error.
pub fn format_number(
    pattern: &str,
    seq: i64,
    course_code: &str,
    on: Date,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = pattern;
    let mut has_seq = false;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("'{{' tanpa '}}' pada pola: {pattern}"))?
            + open;
        let token = &rest[open + 1..close];
        let value = match token {
            "seq" => {
                has_seq = true;
                seq.to_string()
            }
            "course_code" => course_code.to_owned(),
            "month" => format!("{:02}", on.month() as u8),
            "month_roman" => roman_month(on.month() as u8).to_owned(),
            "year" => on.year().to_string(),
            t if t.starts_with("seq:") => {
                has_seq = true;
                let width: usize = t[4..]
                    .parse()
                    .ok()
                    .filter(|w| *w <= 10)
                    .ok_or_else(|| format!("lebar nomor tidak valid (1–10): {{{t}}}"))?;
                format!("{seq:0width$}")
            }
            other => return Err(format!("isian tidak dikenal: {{{other}}}")),
        };
        out.push_str(&value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    if !has_seq {
        return Err("pola nomor harus memuat {seq}".into());
    }
    Ok(out)
}

/// Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A random verification code like `K7QM-P3XV-9TRA` (60 bits).
pub fn verification_code(rng: &mut impl Rng) -> String {
    let chars: Vec<char> = (0..12)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed or scanned: upper case, dashes and spaces ignored.
pub fn normalise_code(code: &str) -> String {
    let clean: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    clean
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// `198503******2003`: enough to recognise one's own, not to misuse.
pub fn mask_nip(nip: &str) -> String {
    let digits: Vec<char> = nip.chars().filter(char::is_ascii_digit).collect();
    if digits.len() <= 8 {
        return "*".repeat(digits.len());
    }
    let keep = 4;
    digits
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 6 || i >= digits.len() - keep {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// `dd-mm-yyyy`, as SIASN wants it.
pub fn siasn_date(date: Date) -> String {
    format!(
        "{:02}-{:02}-{}",
        date.day(),
        date.month() as u8,
        date.year()
    )
}

/// A unit's result as printed on a competency certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Object)]
pub struct UnitLine {
    pub code: String,
    pub title: String,
    pub result: String,
}

/// Everything a certificate says; its canonical bytes are what is signed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Object)]
pub struct Content {
    pub number: String,
    pub kind: CertificateKind,
    pub holder_name: String,
    pub nip: Option<String>,
    pub unit_kerja: Option<String>,
    pub course_code: String,
    pub course_title: String,
    pub batch_name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub jp: i32,
    pub units: Vec<UnitLine>,
    pub issuer: String,
    /// The kop's lines. This and the signatory's NIP and rank were added
    /// after the first certificates were signed; absent, they are left out
    /// of the signed bytes, so those signatures still hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[oai(default, skip_serializing_if_is_empty)]
    pub letterhead: Vec<String>,
    pub signatory_name: String,
    pub signatory_position: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[oai(skip_serializing_if_is_none)]
    pub signatory_nip: Option<String>,
    /// Pangkat/golongan, e.g. "Pembina Utama Muda (IV/c)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[oai(skip_serializing_if_is_none)]
    pub signatory_rank: Option<String>,
    pub issued_at: String,
    pub expires_on: Option<String>,
    pub verification_code: String,
    /// The certificate this one replaces, by number.
    pub replaces: Option<String>,
    /// Its standing (issued, revoked) is a signed statement too, so a
    /// revocation erased from the database shows as tampering. Certificates
    /// issued before standings were signed lack it (and the field, so their
    /// signed bytes are unchanged).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[oai(default)]
    pub standing_signed: bool,
}

impl Content {
    /// JSON with object keys sorted and no spaces: anyone holding the
    /// content can rebuild these bytes and check the signature.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        canonical_json(self)
    }

    /// The moment of issue, as signed.
    pub fn issued_at(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(
            &self.issued_at,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()
    }
}

/// `value` as JSON with object keys sorted and no spaces: the bytes that
/// are signed, rebuildable by anyone who holds the value.
pub fn canonical_json(value: &impl Serialize) -> Vec<u8> {
    let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    let mut out = String::new();
    canonical(&value, &mut out);
    out.into_bytes()
}

fn canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// What a verification reports.
pub fn verify_status(
    signature_ok: bool,
    revoked: bool,
    expires_on: Option<Date>,
    today: Date,
) -> VerifyStatus {
    if !signature_ok {
        VerifyStatus::Invalid
    } else if revoked {
        VerifyStatus::Revoked
    } else if expires_on.is_some_and(|e| today > e) {
        VerifyStatus::Expired
    } else {
        VerifyStatus::Valid
    }
}

/// The day a certificate expires, `months` after issue (clamped to month end).
pub fn expiry(issued: OffsetDateTime, months: Option<i32>) -> Option<Date> {
    let months = months.filter(|m| *m > 0)?;
    let date = issued.date();
    let total = date.year() * 12 + (date.month() as i32 - 1) + months;
    let (year, month) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u8);
    let month = time::Month::try_from(month).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

mod public;
pub use public::{PublicRecord, Standing, public_record, statement_time, stored_moment};

#[cfg(test)]
mod tests;
