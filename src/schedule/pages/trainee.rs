//! The trainees' pages: "Bimtek saya", a batch's page, self-registration,
//! the calendar file and self check-in. Built for a phone first.

use minijinja::context;
use poem::http::{StatusCode, header};
use poem::web::{CsrfToken, Data, Html, Path, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::Flash;
use crate::http::pages::redirect_with;
use crate::http::state::AppState;
use crate::http::templates::to_value;
use crate::schedule::enrolment::{self, Target};
use crate::schedule::model::Phase;
use crate::schedule::service;
use crate::schedule::{attendance, progress};

#[handler]
pub async fn my_batches(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    let mine = progress::my_batches(&state.db, &user.0).await?;
    let open = enrolment::open_for(&state.db, &user.0).await?;
    let group = |phase: Phase| {
        mine.iter()
            .filter(|m| m.phase == phase)
            .cloned()
            .collect::<Vec<_>>()
    };
    state.templates.page(
        "my/batches.html",
        Some(&user.0),
        csrf,
        context! {
            running => to_value(group(Phase::Running)),
            upcoming => to_value(group(Phase::Upcoming)),
            finished => to_value(group(Phase::Finished)),
            cancelled => to_value(group(Phase::Cancelled)),
            open => to_value(&open),
            notice => q.notice,
            error => q.error,
        },
    )
}

fn back(notice: Result<String, String>) -> Redirect {
    redirect_with("/my/batches", notice.as_deref().map_err(String::as_str))
}

#[derive(Deserialize)]
pub struct Empty {}

/// A trainee registers for an open batch.
#[handler]
pub async fn enrol(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    _form: CheckedForm<Empty>,
) -> AppResult<Redirect> {
    match enrolment::enrol(&state.db, &user.0, id.0, Target::Myself).await {
        Ok(e) => Ok(back(Ok(format!(
            "Pendaftaran berhasil: {}.",
            e.status.label().to_lowercase()
        )))),
        Err(AppError::Conflict { message, .. }) => Ok(back(Err(message))),
        Err(err) => Err(err),
    }
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

#[handler]
pub async fn withdraw(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<ReasonForm>,
) -> AppResult<Redirect> {
    match enrolment::withdraw(&state.db, &user.0, id.0, user.0.id, &form.reason).await {
        Ok(_) => Ok(back(Ok("Anda telah mengundurkan diri.".into()))),
        Err(AppError::Validation { message, .. }) => Ok(back(Err(message))),
        Err(err) => Err(err),
    }
}

/// The batch's sessions as an .ics file for a phone's calendar.
#[handler]
pub async fn calendar_file(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
) -> AppResult<Response> {
    let detail = service::detail(&state.db, &user.0, id.0).await?;
    let ics = super::super::ics::calendar(&detail.batch, &detail.sessions, &state.config.base_url);
    Ok(ics
        .with_content_type("text/calendar; charset=utf-8")
        .with_header(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"bimtek.ics\"",
        )
        .into_response())
}

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

#[handler]
pub async fn checkin_form(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(q): Query<CodeQuery>,
) -> AppResult<Html<String>> {
    state.templates.page(
        "my/checkin.html",
        Some(&user.0),
        csrf,
        context! { code => q.code.unwrap_or_default() },
    )
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

#[handler]
pub async fn checkin(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<CodeForm>,
) -> AppResult<Response> {
    let (status, ctx) = match attendance::checkin(&state.db, &user.0, &form.code).await {
        Ok((batch, session)) => (
            StatusCode::OK,
            context! { done => true, batch => to_value(&batch), session => to_value(&session) },
        ),
        Err(AppError::NotFound) => (
            StatusCode::NOT_FOUND,
            context! { error => "Kode tidak dikenal untuk angkatan Anda. Periksa kembali kode di layar.", code => form.code },
        ),
        Err(err @ (AppError::Conflict { .. } | AppError::Validation { .. })) => (
            err.status(),
            context! { error => err.to_string(), code => form.code },
        ),
        Err(err) => return Err(err),
    };
    Ok(state
        .templates
        .page("my/checkin.html", Some(&user.0), csrf, ctx)?
        .with_status(status)
        .into_response())
}
