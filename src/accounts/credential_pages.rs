//! Pages where a person sets their own password: the first sign-in with an
//! activation code (`/activate`) and a change while signed in (`/password`).

use minijinja::context;
use poem::web::cookie::CookieJar;
use poem::web::{CsrfToken, Data, Html, Query};
use poem::{IntoResponse, Response, handler};
use serde::{Deserialize, Serialize};

use super::credentials;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::{ClientIp, PageUser, SessionUser, start_session};
use crate::http::csrf::CheckedForm;
use crate::http::field_labels::field_label;
use crate::http::pages::Flash;
use crate::http::pages::redirect_with;
use crate::http::state::AppState;
use crate::http::templates::to_value;

#[derive(Serialize)]
pub(super) struct ShownError {
    label: String,
    message: String,
}

/// Errors a form page shows: every field by its label, or the one message.
pub(super) fn shown_errors(err: &AppError) -> Vec<ShownError> {
    match err {
        AppError::Validation { details, .. } => details
            .iter()
            .map(|d| ShownError {
                label: field_label(&d.field),
                message: d.message.clone(),
            })
            .collect(),
        other => vec![ShownError {
            label: String::new(),
            message: other.to_string(),
        }],
    }
}

/// Errors a person can fix on the form itself; anything else is a real failure.
pub(super) fn is_form_error(err: &AppError) -> bool {
    matches!(
        err,
        AppError::Validation { .. }
            | AppError::InvalidActivationCode
            | AppError::InvalidResetLink
            | AppError::InvalidCredentials
            | AppError::TooManyRequests { .. }
            | AppError::Conflict { .. }
    )
}

/// The two copies of a new password must agree before anything else.
pub(super) fn same_twice(first: &str, second: &str) -> AppResult<()> {
    if first == second {
        Ok(())
    } else {
        Err(AppError::validation(vec![FieldError::new(
            "new_password2",
            "tidak sama dengan kata sandi baru",
        )]))
    }
}

#[derive(Deserialize, Default)]
pub struct ActivateQuery {
    login: Option<String>,
}

#[handler]
pub async fn activate_form(
    state: Data<&AppState>,
    session: Data<&SessionUser>,
    csrf: &CsrfToken,
    Query(query): Query<ActivateQuery>,
) -> AppResult<Html<String>> {
    state.templates.page(
        "account/activate.html",
        session.0.0.as_ref(),
        csrf,
        context! { login => query.login.unwrap_or_default() },
    )
}

#[derive(Deserialize)]
pub struct ActivateForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password2: String,
}

#[handler]
pub async fn activate_submit(
    state: Data<&AppState>,
    client: Data<&ClientIp>,
    cookies: &CookieJar,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<ActivateForm>,
) -> AppResult<Response> {
    let ttl = state.config.session_ttl();
    let address = client.key();
    let result = match same_twice(&form.new_password, &form.new_password2) {
        Ok(()) => {
            credentials::activate(
                &state.db,
                &form.login,
                &form.code,
                form.new_password,
                address.as_deref(),
                ttl,
            )
            .await
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(signed_in) => {
            start_session(cookies, &state.config, &signed_in.session);
            Ok(redirect_with("/", Ok("Akun Anda aktif. Selamat datang!")).into_response())
        }
        Err(err) if is_form_error(&err) => {
            let page = state.templates.page(
                "account/activate.html",
                None,
                csrf,
                context! { login => form.login, code => form.code, errors => to_value(shown_errors(&err)) },
            )?;
            Ok(page.with_status(err.status()).into_response())
        }
        Err(err) => Err(err),
    }
}

#[handler]
pub async fn password_form(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(query): Query<Flash>,
) -> AppResult<Html<String>> {
    state.templates.page(
        "account/password.html",
        Some(&user.0),
        csrf,
        context! { notice => query.notice },
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password2: String,
}

#[handler]
pub async fn password_submit(
    state: Data<&AppState>,
    user: PageUser,
    client: Data<&ClientIp>,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<PasswordForm>,
) -> AppResult<Response> {
    let address = client.key();
    let result = match same_twice(&form.new_password, &form.new_password2) {
        Ok(()) => {
            credentials::change_password(
                &state.db,
                &user.0,
                form.current_password,
                form.new_password,
                address.as_deref(),
            )
            .await
        }
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => Ok(redirect_with(
            "/password",
            Ok("Kata sandi diganti. Sesi Anda di perangkat lain telah diakhiri."),
        )
        .into_response()),
        Err(err) if is_form_error(&err) => {
            let page = state.templates.page(
                "account/password.html",
                Some(&user.0),
                csrf,
                context! { errors => to_value(shown_errors(&err)) },
            )?;
            Ok(page.with_status(err.status()).into_response())
        }
        Err(err) => Err(err),
    }
}
