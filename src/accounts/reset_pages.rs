//! "Lupa kata sandi" pages: ask for a link (`/password-reset`) and set a
//! new password through it (`/password-reset/confirm?token=…`).

use minijinja::context;
use poem::http::header;
use poem::web::{CsrfToken, Data, Html, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::credential_pages::{is_form_error, same_twice, shown_errors};
use super::password_reset;
use crate::error::AppResult;
use crate::http::csrf::CheckedForm;
use crate::http::pages::redirect_with;
use crate::http::state::AppState;
use crate::http::templates::to_value;

#[derive(Deserialize, Default)]
pub struct RequestQuery {
    sent: Option<String>,
}

fn request_page(
    state: &AppState,
    csrf: &CsrfToken,
    login: &str,
    sent: bool,
) -> AppResult<Html<String>> {
    state.templates.page(
        "account/reset_request.html",
        None,
        csrf,
        context! {
            available => state.mailer.is_some(),
            sent,
            login,
            minutes => crate::accounts::codes::RESET_TTL.whole_minutes(),
        },
    )
}

#[handler]
pub async fn request_form(
    state: Data<&AppState>,
    csrf: &CsrfToken,
    Query(query): Query<RequestQuery>,
) -> AppResult<Html<String>> {
    request_page(&state, csrf, "", query.sent.is_some())
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    login: String,
}

#[handler]
pub async fn request_submit(
    state: Data<&AppState>,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<RequestForm>,
) -> AppResult<Response> {
    let login = form.login.trim();
    if state.mailer.is_none() || login.is_empty() || login.len() > 254 {
        return Ok(request_page(&state, csrf, login, false)?.into_response());
    }
    password_reset::start(&state, login.to_owned())?;
    Ok(poem::web::Redirect::see_other("/password-reset?sent=1").into_response())
}

#[derive(Deserialize, Default)]
pub struct ConfirmQuery {
    #[serde(default)]
    token: String,
}

/// The form behind the link. The token stays out of caches; the pages'
/// same-origin referrer policy keeps it from other sites.
fn confirm_page(
    state: &AppState,
    csrf: &CsrfToken,
    token: &str,
    errors: Option<minijinja::Value>,
) -> AppResult<Response> {
    let page = state.templates.page(
        "account/reset_confirm.html",
        None,
        csrf,
        context! { token, errors },
    )?;
    Ok(page
        .with_header(header::CACHE_CONTROL, "no-store")
        .into_response())
}

#[handler]
pub async fn confirm_form(
    state: Data<&AppState>,
    csrf: &CsrfToken,
    Query(query): Query<ConfirmQuery>,
) -> AppResult<Response> {
    confirm_page(&state, csrf, &query.token, None)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password2: String,
}

#[handler]
pub async fn confirm_submit(
    state: Data<&AppState>,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<ConfirmForm>,
) -> AppResult<Response> {
    let result = match same_twice(&form.new_password, &form.new_password2) {
        Ok(()) => password_reset::confirm(&state.db, &form.token, form.new_password).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => Ok(redirect_with(
            "/login",
            Ok("Kata sandi baru tersimpan. Silakan masuk dengan kata sandi baru."),
        )
        .into_response()),
        Err(err) if is_form_error(&err) => {
            let status = err.status();
            let errors = Some(to_value(shown_errors(&err)));
            let mut page = confirm_page(&state, csrf, &form.token, errors)?;
            page.set_status(status);
            Ok(page)
        }
        Err(err) => Err(err),
    }
}
