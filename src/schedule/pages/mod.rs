//! HTML pages for scheduling: the administrators' calendar and batch page,
//! and the trainees' "Bimtek saya", check-in and calendar file.

pub mod admin;
pub mod messages;
pub mod trainee;

use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use crate::clock::WIB;
use crate::error::FieldError;

/// An HTML date input (`YYYY-MM-DD`); empty is `None`.
pub fn date_field(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match Date::parse(value, &format) {
        Ok(date) => Some(date),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("tanggal '{value}' tidak sah (TTTT-BB-HH)"),
            ));
            None
        }
    }
}

/// The instant a WIB day starts (or, with `end`, its last second).
pub fn wib_day(date: Date, end: bool) -> OffsetDateTime {
    let time = if end {
        Time::from_hms(23, 59, 59).expect("valid")
    } else {
        Time::MIDNIGHT
    };
    PrimitiveDateTime::new(date, time).assume_offset(WIB)
}

pub fn checked(value: &str) -> bool {
    matches!(value, "on" | "true" | "1")
}
