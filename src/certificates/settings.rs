//! A course's certificate settings: number pattern, attendance letters, expiry.

use uuid::Uuid;

use super::model::{DEFAULT_PATTERN, LetterJp, format_number};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::engine::Engine;
use crate::entities::certificate_setting;
use crate::error::{AppError, AppResult, FieldError};
use serde::Serialize;

/// A course's certificate settings (defaults when never set).
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
pub struct Settings {
    /// e.g. `{seq:03}/BKD-BIMTEK/{course_code}/{month_roman}/{year}`: text with
    /// `{seq}` (or `{seq:N}`, N ≤ 10 digits) and `{year}`, and optionally
    /// `{course_code}`, `{month}`, `{month_roman}`.
    #[oai(validator(
        max_length = 200,
        pattern = r"^(?:[^{]|\{(?:course_code|month|month_roman|year|seq(?::(?:0?[0-9]|10))?)\})*(?:\{seq(?::(?:0?[0-9]|10))?\}(?:[^{]|\{(?:course_code|month|month_roman|year|seq(?::(?:0?[0-9]|10))?)\})*\{year\}|\{year\}(?:[^{]|\{(?:course_code|month|month_roman|year|seq(?::(?:0?[0-9]|10))?)\})*\{seq(?::(?:0?[0-9]|10))?\})(?:[^{]|\{(?:course_code|month|month_roman|year|seq(?::(?:0?[0-9]|10))?)\})*$"
    ))]
    pub number_pattern: String,
    /// Give a "surat keterangan mengikuti" to those who attended but did not complete.
    pub letters: bool,
    /// Months a certificate stays valid; none: no expiry.
    #[oai(validator(minimum(value = "1"), maximum(value = "240")))]
    pub expiry_months: Option<i32>,
    /// What a letter credits towards the JP tally and SIASN (default none).
    #[oai(default)]
    pub letter_jp: LetterJp,
}

// `string_enum!` cannot mark a `#[default]` variant.
#[allow(clippy::derivable_impls)]
impl Default for LetterJp {
    fn default() -> Self {
        LetterJp::None
    }
}

/// A course's certificate settings as its administrators edit them.
pub async fn to_edit(engine: &Engine, admin: &CurrentUser, course_id: Uuid) -> AppResult<Settings> {
    admin.require(Role::Admin)?;
    settings(engine, course_id).await
}

pub async fn settings(engine: &Engine, course_id: Uuid) -> AppResult<Settings> {
    Ok(match store::settings(engine.db.read(), course_id).await? {
        Some(s) => Settings {
            number_pattern: s.number_pattern,
            letters: s.letters,
            expiry_months: s.expiry_months,
            letter_jp: LetterJp::parse(&s.letter_jp).unwrap_or_default(),
        },
        None => Settings {
            number_pattern: DEFAULT_PATTERN.into(),
            letters: true,
            expiry_months: None,
            letter_jp: LetterJp::None,
        },
    })
}

/// What is wrong with `s`, each naming its field (empty when nothing).
pub fn check(s: &Settings) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let sample = time::macros::date!(2026 - 01 - 01);
    if s.number_pattern.chars().count() > 200 {
        errors.push(FieldError::new("number_pattern", "maksimal 200 karakter"));
    } else if let Err(e) = format_number(&s.number_pattern, 1, "X", sample) {
        errors.push(FieldError::new("number_pattern", e));
    } else if !s.number_pattern.contains("{year}") {
        // Numbers restart every year; without the year they would repeat.
        errors.push(FieldError::new(
            "number_pattern",
            "pola nomor harus memuat {year} (urutan dimulai lagi setiap tahun)",
        ));
    }
    if s.expiry_months.is_some_and(|m| !(1..=240).contains(&m)) {
        errors.push(FieldError::new("expiry_months", "harus 1–240 bulan"));
    }
    errors
}

/// The number the course's next certificate would get today under
/// `pattern`, or why the pattern cannot be used. Takes no number.
pub async fn next_number(
    engine: &Engine,
    admin: &CurrentUser,
    course_id: Uuid,
    pattern: &str,
) -> AppResult<Result<String, String>> {
    admin.require(Role::Admin)?;
    let course = crate::catalog::lookup::find_course(engine.db.read(), course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let probe = Settings {
        number_pattern: pattern.to_owned(),
        letters: true,
        expiry_months: None,
        letter_jp: LetterJp::None,
    };
    if let Some(problem) = check(&probe).into_iter().next() {
        return Ok(Err(problem.message));
    }
    let today = crate::clock::today_wib();
    let seq = store::peek_seq(engine.db.read(), pattern, today.year()).await?;
    Ok(format_number(pattern, seq, &course.code, today))
}

/// Changes a course's certificate settings (administrators).
pub async fn save_settings(
    engine: &Engine,
    admin: &CurrentUser,
    course_id: Uuid,
    s: Settings,
) -> AppResult<Settings> {
    admin.require(Role::Admin)?;
    crate::catalog::lookup::find_course(engine.db.read(), course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let errors = check(&s);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    store::save_settings(
        engine.db.write(),
        certificate_setting::Model {
            course_id,
            number_pattern: s.number_pattern.clone(),
            letters: s.letters,
            expiry_months: s.expiry_months,
            letter_jp: s.letter_jp.as_str().into(),
        },
    )
    .await?;
    Ok(s)
}
