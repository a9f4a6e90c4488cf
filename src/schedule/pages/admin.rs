//! The administrators' pages: a month calendar of batches and one page per
//! batch with its schedule, enrolments, import, attendance grid and progress.

use std::collections::HashMap;

use minijinja::context;
use poem::http::StatusCode;
use poem::web::{CsrfToken, CsrfVerifier, Data, Html, Multipart, Path, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use super::{checked, date_field, wib_day};
use crate::accounts::model::CurrentUser;
use crate::catalog;
use crate::clock;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, redirect_with, unprocessable};
use crate::http::state::AppState;
use crate::http::templates::to_value;
use crate::http::upload;
use crate::schedule::api::parse_time;
use crate::schedule::attendance::{self as attendance_records, Mark};
use crate::schedule::enrolment::{self, Target};
use crate::schedule::import::{EnrolmentImportSummary, ImportOptions};
use crate::schedule::model::BatchFilter;
use crate::schedule::model::{
    AttendanceStatus, BatchStatus, SessionInput, first_of_month, last_of_month, month_weeks,
};
use crate::schedule::progress;
use crate::schedule::service::{self, BatchInput};

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct BatchForm {
    #[serde(default)]
    course_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    online: String,
    #[serde(default)]
    meeting_link: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    enrol_opens: String,
    #[serde(default)]
    enrol_closes: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    organiser: String,
    #[serde(default)]
    self_enrol: String,
    #[serde(default)]
    waitlist: String,
    #[serde(default)]
    bring: String,
}

impl BatchForm {
    fn input(&self) -> Result<BatchInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let course_id = match self.course_id.trim() {
            "" => None,
            id => match Uuid::parse_str(id) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new("course_id", "pilih kursus"));
                    None
                }
            },
        };
        let capacity = match self.capacity.trim() {
            "" => None,
            n => match n.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.push(FieldError::new(
                        "capacity",
                        "kapasitas harus bilangan bulat",
                    ));
                    None
                }
            },
        };
        let starts_on = date_field(&self.starts_on, "starts_on", &mut errors);
        let ends_on = date_field(&self.ends_on, "ends_on", &mut errors);
        let opens =
            date_field(&self.enrol_opens, "enrol_opens", &mut errors).map(|d| wib_day(d, false));
        let closes =
            date_field(&self.enrol_closes, "enrol_closes", &mut errors).map(|d| wib_day(d, true));
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(BatchInput {
            course_id,
            name: Some(self.name.clone()),
            starts_on,
            ends_on,
            venue: Some(Some(self.venue.clone())),
            online: Some(checked(&self.online)),
            meeting_link: Some(Some(self.meeting_link.clone())),
            capacity,
            enrol_opens_at: Some(opens),
            enrol_closes_at: Some(closes),
            status: BatchStatus::parse(&self.status),
            organiser: Some(self.organiser.clone()),
            self_enrol: Some(checked(&self.self_enrol)),
            waitlist: Some(checked(&self.waitlist)),
            bring: Some(Some(self.bring.clone())),
            sessions: None,
        })
    }
}

#[derive(Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

fn month_of(query: &MonthQuery) -> Date {
    let today = clock::today_wib();
    query
        .month
        .as_deref()
        .and_then(|m| {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(&format!("{m}-01"), &format).ok()
        })
        .unwrap_or(today)
}

async fn calendar_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    month: Date,
    form: &BatchForm,
    errors: Vec<FieldError>,
) -> AppResult<Html<String>> {
    let first = first_of_month(month);
    let last = last_of_month(first);
    let filter = BatchFilter {
        from: Some(first),
        to: Some(last),
        ..BatchFilter::default()
    };
    let batches = service::all_batches(&state.db, user, filter).await?;
    let weeks: Vec<_> = month_weeks(first)
        .into_iter()
        .map(|week| {
            week.iter()
                .map(|day| {
                    let here: Vec<_> = batches
                        .iter()
                        .filter(|b| b.starts_on <= *day && *day <= b.ends_on)
                        .map(|b| context! { id => b.id.to_string(), name => b.name.clone(), code => b.course_code.clone(), cancelled => b.status == BatchStatus::Cancelled })
                        .collect();
                    context! { day => day.day(), in_month => day.month() == first.month(), today => *day == clock::today_wib(), batches => here }
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let previous = first_of_month(first - time::Duration::days(1));
    let next = last + time::Duration::days(1);
    let courses = catalog::service::list_courses(&state.db, user, None, None).await?;
    state.templates.page(
        "admin/batches.html",
        Some(user),
        csrf,
        context! {
            month_label => format!("{} {}", crate::clock::month_name(first.month()), first.year()),
            previous => format!("{}-{:02}", previous.year(), u8::from(previous.month())),
            next => format!("{}-{:02}", next.year(), u8::from(next.month())),
            weeks => weeks,
            batches => to_value(&batches),
            courses => to_value(&courses),
            form => to_value(form),
            errors => to_value(&errors),
            statuses => BatchStatus::ALL.iter().filter(|s| **s != BatchStatus::Cancelled).map(|s| context! { value => s.as_str(), label => s.label() }).collect::<Vec<_>>(),
        },
    )
}

#[handler]
pub async fn calendar(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(query): Query<MonthQuery>,
) -> AppResult<Html<String>> {
    let form = BatchForm {
        capacity: "44".into(),
        organiser: service::DEFAULT_ORGANISER.into(),
        status: "open".into(),
        ..BatchForm::default()
    };
    calendar_page(&state, &user.0, csrf, month_of(&query), &form, Vec::new()).await
}

#[handler]
pub async fn create(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<BatchForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let result = match form.input() {
        Ok(input) => service::create_batch(&state.db, user, input).await,
        Err(errors) => Err(AppError::validation(errors)),
    };
    match result {
        Ok(detail) => {
            Ok(Redirect::see_other(format!("/admin/batches/{}", detail.batch.id)).into_response())
        }
        Err(AppError::Validation { details, .. }) => {
            let month =
                date_field(&form.starts_on, "", &mut Vec::new()).unwrap_or_else(clock::today_wib);
            Ok(unprocessable(
                calendar_page(&state, user, csrf, month, &form, details).await?,
            ))
        }
        Err(err) => Err(err),
    }
}

/// What the batch page shows besides the batch itself.
#[derive(Default)]
struct Extras {
    form: Option<BatchForm>,
    errors: Vec<FieldError>,
    import_errors: Vec<FieldError>,
    import_summary: Option<EnrolmentImportSummary>,
    checkin: Option<(Uuid, String)>,
    notice: Option<String>,
    error: Option<String>,
}

async fn batch_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    id: Uuid,
    extras: Extras,
) -> AppResult<Html<String>> {
    let (_, progress) = progress::of_batch(&state.db, user, id).await?;
    let detail = service::detail(&state.db, user, id).await?;
    let grid = attendance_records::attendance_grid(&state.db, user, id).await?;
    let marks: HashMap<String, &str> = grid
        .iter()
        .map(|((session, user), status)| (format!("{session}_{user}"), status.as_str()))
        .collect();
    let b = &detail.batch;
    let form = extras.form.unwrap_or_else(|| BatchForm {
        course_id: b.course_id.to_string(),
        name: b.name.clone(),
        starts_on: b.starts_on.to_string(),
        ends_on: b.ends_on.to_string(),
        venue: b.venue.clone().unwrap_or_default(),
        online: if b.online { "on".into() } else { String::new() },
        meeting_link: b.meeting_link.clone().unwrap_or_default(),
        capacity: b.capacity.to_string(),
        enrol_opens: b
            .enrol_opens_at
            .map(|t| t.to_offset(clock::WIB).date().to_string())
            .unwrap_or_default(),
        enrol_closes: b
            .enrol_closes_at
            .map(|t| t.to_offset(clock::WIB).date().to_string())
            .unwrap_or_default(),
        status: b.status.as_str().into(),
        organiser: b.organiser.clone(),
        self_enrol: if b.self_enrol {
            "on".into()
        } else {
            String::new()
        },
        waitlist: if b.waitlist {
            "on".into()
        } else {
            String::new()
        },
        bring: b.bring.clone().unwrap_or_default(),
    });
    let participants: Vec<_> = detail
        .enrolments
        .iter()
        .flatten()
        .filter(|e| e.status.is_participant())
        .cloned()
        .collect();
    let messages = service::messages(&state.db, user, id).await?;
    let message_counts =
        crate::notices::model::MessageCounts::of(messages.iter().map(|m| m.status));
    state.templates.page(
        "admin/batch.html",
        Some(user),
        csrf,
        context! {
            batch => to_value(&detail),
            message_counts => to_value(&message_counts),
            sending => state.mailer.is_some(),
            form => to_value(&form),
            errors => to_value(&extras.errors),
            import_errors => to_value(&extras.import_errors),
            import_summary => to_value(&extras.import_summary),
            participants => to_value(&participants),
            progress => to_value(&progress),
            marks => to_value(&marks),
            checkin => extras.checkin.map(|(session, code)| context! {
                session => session.to_string(),
                code => code.clone(),
                qr => minijinja::Value::from_safe_string(qr_svg(&format!("{}/checkin?code={code}", state.config.base_url.trim_end_matches('/')))),
            }),
            notice => extras.notice,
            error => extras.error,
            attendance_options => AttendanceStatus::ALL.iter().map(|s| context! { value => s.as_str(), label => s.label() }).collect::<Vec<_>>(),
            statuses => BatchStatus::ALL.iter().filter(|s| **s != BatchStatus::Cancelled).map(|s| context! { value => s.as_str(), label => s.label() }).collect::<Vec<_>>(),
        },
    )
}

/// The QR code of `text` as inline SVG.
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

#[handler]
pub async fn show_batch(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    let extras = Extras {
        notice: q.notice,
        error: q.error,
        ..Extras::default()
    };
    batch_page(&state, &user.0, csrf, id.0, extras).await
}

fn back(id: Uuid, notice: &str) -> Redirect {
    redirect_with(&format!("/admin/batches/{id}"), Ok(notice))
}

/// Runs `action`; a validation or conflict error re-renders the batch page
/// with the error instead of leaving it.
async fn or_show_errors(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    id: Uuid,
    result: AppResult<Redirect>,
    form: Option<BatchForm>,
) -> AppResult<Response> {
    match result {
        Ok(redirect) => Ok(redirect.into_response()),
        Err(AppError::Validation { details, .. }) => {
            let extras = Extras {
                form,
                errors: details,
                ..Extras::default()
            };
            Ok(unprocessable(
                batch_page(state, user, csrf, id, extras).await?,
            ))
        }
        Err(AppError::Conflict { message, .. }) => {
            let extras = Extras {
                form,
                errors: vec![FieldError::new("angkatan", message)],
                ..Extras::default()
            };
            Ok(batch_page(state, user, csrf, id, extras)
                .await?
                .with_status(StatusCode::CONFLICT)
                .into_response())
        }
        Err(err) => Err(err),
    }
}

#[handler]
pub async fn update(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<BatchForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let result = match form.input() {
        Ok(mut input) => {
            input.course_id = None;
            service::update_batch(&state.db, user, id.0, input)
                .await
                .map(|_| back(id.0, "Data angkatan disimpan."))
        }
        Err(errors) => Err(AppError::validation(errors)),
    };
    or_show_errors(&state, user, csrf, id.0, result, Some(form)).await
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

#[handler]
pub async fn cancel(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<ReasonForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let result = service::cancel_batch(&state.db, user, id.0, &form.reason)
        .await
        .map(|_| back(id.0, "Angkatan dibatalkan."));
    or_show_errors(&state, user, csrf, id.0, result, None).await
}

#[derive(Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    instructor: String,
}

#[handler]
pub async fn add_session(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<SessionForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let mut errors = Vec::new();
    let day = date_field(&form.day, "day", &mut errors);
    let starts_at = parse_time(&form.starts_at, "starts_at")
        .map_err(|e| errors.push(e))
        .ok();
    let ends_at = parse_time(&form.ends_at, "ends_at")
        .map_err(|e| errors.push(e))
        .ok();
    let result = match (day, starts_at, ends_at) {
        (Some(day), Some(starts_at), Some(ends_at)) if errors.is_empty() => {
            let session = SessionInput {
                day,
                starts_at,
                ends_at,
                topic: Some(form.topic.trim().to_owned()).filter(|t| !t.is_empty()),
                instructor: Some(form.instructor.trim().to_owned()).filter(|t| !t.is_empty()),
            };
            service::add_session(&state.db, user, id.0, session)
                .await
                .map(|_| back(id.0, "Sesi ditambahkan."))
        }
        _ => {
            if day.is_none() && !errors.iter().any(|e| e.field == "day") {
                errors.push(FieldError::new("day", "wajib diisi"));
            }
            Err(AppError::validation(errors))
        }
    };
    or_show_errors(&state, user, csrf, id.0, result, None).await
}

#[handler]
pub async fn remove_session(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Path((id, session_id)): Path<(Uuid, Uuid)>,
    CheckedForm(form): CheckedForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = &user.0;
    if !form.contains_key("confirm") {
        return Ok(redirect_with(
            &format!("/admin/batches/{id}"),
            Err("Centang konfirmasi untuk menghapus sesi: catatan kehadirannya ikut terhapus."),
        )
        .into_response());
    }
    let result = service::remove_session(&state.db, user, id, session_id)
        .await
        .map(|_| back(id, "Sesi dihapus."));
    or_show_errors(&state, user, csrf, id, result, None).await
}

#[handler]
pub async fn checkin_code(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Path((id, session_id)): Path<(Uuid, Uuid)>,
    _form: CheckedForm<HashMap<String, String>>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    let (session, code) = attendance_records::new_code(&state.db, user, id, session_id).await?;
    let extras = Extras {
        checkin: Some((session.id, code)),
        ..Extras::default()
    };
    batch_page(&state, user, csrf, id, extras).await
}

#[derive(Deserialize)]
pub struct NipForm {
    #[serde(default)]
    nip: String,
}

#[handler]
pub async fn enrol(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<NipForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let result = enrolment::enrol(&state.db, user, id.0, Target::Nip(form.nip))
        .await
        .map(|e| {
            back(
                id.0,
                &format!("{} {}.", e.name, e.status.label().to_lowercase()),
            )
        });
    or_show_errors(&state, user, csrf, id.0, result, None).await
}

#[handler]
pub async fn withdraw(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Path((id, user_id)): Path<(Uuid, Uuid)>,
    CheckedForm(form): CheckedForm<ReasonForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let result = enrolment::withdraw_by_admin(&state.db, user, id, user_id, &form.reason)
        .await
        .map(|e| back(id, &format!("{} mengundurkan diri.", e.name)));
    or_show_errors(&state, user, csrf, id, result, None).await
}

#[handler]
pub async fn import(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    verifier: &CsrfVerifier,
    id: Path<Uuid>,
    multipart: Multipart,
) -> AppResult<Response> {
    let user = &user.0;
    let form = upload::page_form(multipart, verifier, crate::tabular::MAX_UPLOAD_BYTES).await?;
    let options = ImportOptions {
        create_missing: form.ticked("create_missing"),
        dry_run: form.ticked("dry_run"),
    };
    let file = form.file.map(|f| (f.name, f.bytes));
    let result = match file {
        Some((name, bytes)) => {
            super::super::import::import_file(&state.db, user, id.0, name, bytes, options).await
        }
        None => Err(AppError::invalid_field(
            "file",
            "pilih berkas CSV atau XLSX",
        )),
    };
    match result {
        Ok(summary) => {
            let extras = Extras {
                import_summary: Some(summary),
                ..Extras::default()
            };
            Ok(batch_page(&state, user, csrf, id.0, extras)
                .await?
                .into_response())
        }
        Err(AppError::Validation { details, .. }) => {
            let extras = Extras {
                import_errors: details,
                ..Extras::default()
            };
            Ok(unprocessable(
                batch_page(&state, user, csrf, id.0, extras).await?,
            ))
        }
        Err(err) => Err(err),
    }
}

/// The whole-batch attendance form: one select per trainee and session,
/// named `m_<session>_<user>`; blank selects are left as they are.
#[handler]
pub async fn attendance(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = &user.0;
    let mut marks = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in &form {
        let Some(rest) = key.strip_prefix("m_") else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let parsed = rest
            .split_once('_')
            .and_then(|(s, u)| Some((Uuid::parse_str(s).ok()?, Uuid::parse_str(u).ok()?)));
        match (parsed, AttendanceStatus::parse(value)) {
            (Some((session_id, user_id)), Some(status)) => marks.push(Mark {
                session_id,
                user_id,
                status,
            }),
            _ => errors.push(FieldError::new(
                key.clone(),
                format!("isian '{value}' tidak sah"),
            )),
        }
    }
    let result = if errors.is_empty() {
        attendance_records::record_attendance(&state.db, user, id.0, &marks)
            .await
            .map(|n| back(id.0, &format!("{n} catatan kehadiran disimpan.")))
    } else {
        Err(AppError::validation(errors))
    };
    or_show_errors(&state, user, csrf, id.0, result, None).await
}

/// The progress table as CSV or XLSX, for the download links.
#[handler]
pub async fn progress_download(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    Query(q): Query<crate::download::DownloadQuery>,
) -> AppResult<Response> {
    let (batch, rows) = progress::of_batch(&state.db, &user.0, id.0).await?;
    let (headers, rows) = super::super::export::table(&rows);
    let title = format!("kemajuan {} {}", batch.course_code, batch.name);
    crate::download::table_file(q.format.as_deref(), &title, &headers, &rows)
}
