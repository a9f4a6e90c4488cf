//! HTML pages for scheduling: the administrators' calendar and batch page,
//! and the trainees' "Bimtek saya", check-in and calendar file.

pub mod admin;
pub mod messages;
pub mod trainee;

use poem::{Route, get, post};
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
        time::macros::time!(23:59:59)
    } else {
        Time::MIDNIGHT
    };
    PrimitiveDateTime::new(date, time).assume_offset(WIB)
}

pub fn checked(value: &str) -> bool {
    matches!(value, "on" | "true" | "1")
}

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/batches", get(admin::calendar).post(admin::create))
        .at(
            "/admin/batches/:id",
            get(admin::show_batch).post(admin::update),
        )
        .at("/admin/batches/:id/cancel", post(admin::cancel))
        .at("/admin/batches/:id/sessions", post(admin::add_session))
        .at(
            "/admin/batches/:id/sessions/:session_id/delete",
            post(admin::remove_session),
        )
        .at(
            "/admin/batches/:id/sessions/:session_id/checkin",
            post(admin::checkin_code),
        )
        .at("/admin/batches/:id/enrolments", post(admin::enrol))
        .at(
            "/admin/batches/:id/enrolments/:user_id/withdraw",
            post(admin::withdraw),
        )
        .at("/admin/batches/:id/enrolments/import", post(admin::import))
        .at("/admin/batches/:id/attendance", post(admin::attendance))
        .at("/admin/batches/:id/progress", get(admin::progress_download))
        .at("/admin/batches/:id/surel", get(messages::log))
        .at("/admin/batches/:id/surel.csv", get(messages::download))
        .at("/my/batches", get(trainee::my_batches))
        .at("/batches/:id/enrol", post(trainee::enrol))
        .at("/batches/:id/withdraw", post(trainee::withdraw))
        .at("/batches/:id/calendar.ics", get(trainee::calendar_file))
        .at(
            "/checkin",
            get(trainee::checkin_form).post(trainee::checkin),
        )
}
