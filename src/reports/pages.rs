//! A batch's laporan on a page (administrators): what it will contain,
//! the closing words to write, and the PDF.

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path};
use poem::{Response, Route, get, handler};
use serde::Deserialize;
use uuid::Uuid;

use super::service;
use crate::accounts::model::CurrentUser;
use crate::error::{AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, saved_or_redisplay};
use crate::http::state::AppState;
use crate::http::templates::to_value;

pub fn routes(route: Route) -> Route {
    route
        .at("/admin/batches/:id/laporan", get(show).post(save))
        .at("/admin/batches/:id/laporan.pdf", get(download))
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    batch_id: Uuid,
    closing: Option<String>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Html<String>> {
    let laporan = service::gather(&state.engine, &state.config, user, batch_id).await?;
    let participants = laporan
        .progress
        .iter()
        .filter(|r| r.status.is_participant())
        .count();
    state.templates.page(
        "admin/batch_report.html",
        Some(user),
        csrf,
        context! {
            batch => to_value(&laporan.batch),
            closing => closing.or(laporan.closing.clone()).unwrap_or_default(),
            sessions => laporan.sessions.len(),
            participants,
            exams => laporan.exams.len(),
            evaluated => laporan.evaluation.respondents,
            evaluation_shown => laporan.evaluation.shown,
            certificates => laporan.certificates.iter().filter(|c| c.revoked_at.is_none()).count(),
            errors => to_value(&errors),
            notice,
        },
    )
}

#[handler]
pub async fn show(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    poem::web::Query(flash): poem::web::Query<Flash>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    page(&state, user, csrf, id.0, None, Vec::new(), flash.notice).await
}

#[derive(Deserialize)]
pub struct ClosingForm {
    #[serde(default)]
    closing: String,
}

#[handler]
pub async fn save(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<ClosingForm>,
) -> AppResult<Response> {
    let user = &user.0;
    saved_or_redisplay(
        service::save_closing(&state.engine, user, id.0, &form.closing).await,
        &format!("/admin/batches/{}/laporan", id.0),
        "Penutup laporan disimpan.",
        |details| page(&state, user, csrf, id.0, Some(form.closing), details, None),
    )
    .await
}

#[handler]
pub async fn download(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
) -> AppResult<Response> {
    let user = &user.0;
    let (laporan, bytes) = service::pdf(&state.engine, &state.config, user, id.0).await?;
    let name = crate::download::file_stem(&format!(
        "laporan {} {}",
        laporan.batch.course_code, laporan.batch.name
    ));
    Ok(crate::download::attachment(
        bytes,
        "application/pdf",
        &format!("{name}.pdf"),
    ))
}
