//! The message texts on pages (administrators): the list of kinds, and one
//! kind's subject and body with its variables, a preview with sample facts,
//! and going back to the shipped text.

use std::collections::HashMap;

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path, Query};
use poem::{IntoResponse, Response, Route, get, handler, post};
use serde::{Deserialize, Serialize};

use super::model::MessageKind;
use super::service::{self, TemplateView};
use super::templates::{self, Template};
use crate::accounts::model::CurrentUser;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, redirect_with, unprocessable};
use crate::http::state::AppState;
use crate::http::templates::to_value;

/// This capability's pages.
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/templat-surel", get(list))
        .at("/admin/templat-surel/:kind", get(show).post(save))
        .at("/admin/templat-surel/:kind/bawaan", post(reset))
}

fn kind_of(slug: &str) -> AppResult<MessageKind> {
    MessageKind::from_slug(slug).ok_or(AppError::NotFound)
}

#[handler]
pub async fn list(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(flash): Query<Flash>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    let views = service::template_views(&state.db, user).await?;
    state.templates.page(
        "admin/message_templates.html",
        Some(user),
        csrf,
        context! {
            kinds => to_value(&views),
            sending => state.mailer.is_some(),
            notice => flash.notice,
            error => flash.error,
        },
    )
}

#[derive(Deserialize, Serialize, Default)]
pub struct TemplateForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    /// `preview` renders without saving.
    #[serde(default)]
    action: String,
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    view: TemplateView,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Html<String>> {
    state.templates.page(
        "admin/message_template.html",
        Some(user),
        csrf,
        context! {
            kind => to_value(&view),
            errors => to_value(&errors),
            notice,
        },
    )
}

async fn current(
    state: &AppState,
    user: &CurrentUser,
    kind: MessageKind,
) -> AppResult<TemplateView> {
    service::template_views(&state.db, user)
        .await?
        .into_iter()
        .find(|v| v.kind == kind)
        .ok_or(AppError::NotFound)
}

#[handler]
pub async fn show(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Path(slug): Path<String>,
    Query(flash): Query<Flash>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    service::may_manage(user)?;
    let view = current(&state, user, kind_of(&slug)?).await?;
    edit_page(&state, user, csrf, view, Vec::new(), flash.notice).await
}

#[handler]
pub async fn save(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Path(slug): Path<String>,
    CheckedForm(form): CheckedForm<TemplateForm>,
) -> AppResult<Response> {
    let user = &user.0;
    service::may_manage(user)?;
    let kind = kind_of(&slug)?;
    let template = Template {
        subject: form.subject.clone(),
        body: form.body.clone(),
    };
    let mut shown = current(&state, user, kind).await?;
    shown.subject = form.subject;
    shown.body = form.body;
    let outcome = if form.action == "preview" {
        let errors = templates::check(kind, &template);
        if errors.is_empty() {
            let (subject, body) =
                templates::render(&template, &templates::sample(kind)).unwrap_or_default();
            shown.preview_subject = subject;
            shown.preview_body = body;
            let page = edit_page(&state, user, csrf, shown, Vec::new(), None).await?;
            return Ok(page.into_response());
        }
        Err(AppError::validation(errors))
    } else {
        service::save_template(&state.db, user, kind, template).await
    };
    match outcome {
        Ok(()) => Ok(redirect_with(
            &format!("/admin/templat-surel/{slug}"),
            Ok("Templat disimpan; pesan berikutnya memakai teks ini."),
        )
        .into_response()),
        Err(AppError::Validation { details, .. }) => {
            shown.preview_subject = String::new();
            shown.preview_body = String::new();
            Ok(unprocessable(
                edit_page(&state, user, csrf, shown, details, None).await?,
            ))
        }
        Err(err) => Err(err),
    }
}

#[handler]
pub async fn reset(
    state: Data<&AppState>,
    user: PageUser,
    Path(slug): Path<String>,
    CheckedForm(form): CheckedForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = &user.0;
    service::may_manage(user)?;
    let kind = kind_of(&slug)?;
    let back = format!("/admin/templat-surel/{slug}");
    if !form.contains_key("confirm") {
        return Ok(redirect_with(
            &back,
            Err("Centang konfirmasi untuk kembali ke teks bawaan: teks Anda akan hilang."),
        )
        .into_response());
    }
    service::reset_template(&state.db, user, kind).await?;
    Ok(redirect_with(&back, Ok("Templat kembali ke teks bawaan.")).into_response())
}
