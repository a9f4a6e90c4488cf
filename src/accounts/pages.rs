//! HTML pages for signing in and out and for administering users.

use minijinja::context;
use poem::web::cookie::CookieJar;
use poem::web::{CsrfToken, CsrfVerifier, Data, Html, Multipart, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::import;
use super::model::ListFilter;
use super::model::{Role, UserInput};
use super::service;
use crate::error::{AppError, AppResult};
use crate::http::auth::{ClientIp, PageUser, SessionUser, expired_session_cookie, start_session};
use crate::http::csrf::CheckedForm;
use crate::http::pages::Flash;
use crate::http::pages::urlencode;
use crate::http::state::AppState;
use crate::http::templates::to_value;
use crate::http::upload;

const PER_PAGE: u64 = 50;

#[handler]
pub async fn login_form(
    state: Data<&AppState>,
    session: Data<&SessionUser>,
    csrf: &CsrfToken,
    Query(query): Query<Flash>,
) -> AppResult<Response> {
    if session.0.0.is_some() {
        return Ok(Redirect::see_other("/").into_response());
    }
    Ok(state
        .templates
        .page(
            "login.html",
            None,
            csrf,
            context! { login => "", notice => query.notice },
        )?
        .into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

#[handler]
pub async fn login_submit(
    state: Data<&AppState>,
    client: Data<&ClientIp>,
    cookies: &CookieJar,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<LoginForm>,
) -> AppResult<Response> {
    let ttl = state.config.session_ttl();
    let address = client.key();
    match service::login(
        &state.db,
        &form.login,
        form.password,
        address.as_deref(),
        ttl,
    )
    .await
    {
        Ok(signed_in) => {
            start_session(cookies, &state.config, &signed_in.session);
            Ok(Redirect::see_other("/").into_response())
        }
        Err(err @ (AppError::InvalidCredentials | AppError::TooManyRequests { .. })) => {
            let page = state.templates.page(
                "login.html",
                None,
                csrf,
                context! { login => form.login, error => err.to_string() },
            )?;
            Ok(page.with_status(err.status()).into_response())
        }
        Err(err) => Err(err),
    }
}

#[handler]
pub async fn logout(
    state: Data<&AppState>,
    user: PageUser,
    cookies: &CookieJar,
    _form: CheckedForm<Empty>,
) -> AppResult<Redirect> {
    service::logout(&state.db, &user.0).await?;
    cookies.add(expired_session_cookie(&state.config));
    Ok(Redirect::see_other("/login"))
}

#[derive(Deserialize)]
pub struct Empty {}

#[derive(Deserialize)]
pub struct UserListQuery {
    q: Option<String>,
    role: Option<String>,
    page: Option<u64>,
    notice: Option<String>,
    error: Option<String>,
}

#[handler]
pub async fn users(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(query): Query<UserListQuery>,
) -> AppResult<Html<String>> {
    let role = query.role.as_deref().and_then(Role::parse);
    let page = query.page.unwrap_or(1).max(1);
    let filter = ListFilter {
        role,
        query: query.q.clone(),
        page,
        per_page: PER_PAGE,
    };
    let found = service::list_users(&state.db, &user.0, &filter).await?;
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    state.templates.page(
        "admin/users.html",
        Some(&user.0),
        csrf,
        context! {
            users => to_value(&found.items),
            total => found.total,
            page => page,
            pages => pages,
            q => query.q.unwrap_or_default(),
            role => role.map(Role::as_str).unwrap_or_default(),
            roles => Role::ALL.iter().map(|r| context! { value => r.as_str(), label => r.label() }).collect::<Vec<_>>(),
            notice => query.notice,
            error => query.error,
            self_id => user.0.id.to_string(),
        },
    )
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    nip: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    unit_kerja: String,
    #[serde(default)]
    jabatan: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

fn new_user_page(
    state: &AppState,
    user: &PageUser,
    csrf: &str,
    form: &NewUserForm,
    errors: Vec<crate::error::FieldError>,
) -> AppResult<Html<String>> {
    state.templates.page(
        "admin/user_new.html",
        Some(&user.0),
        csrf,
        context! {
            form => to_value(form),
            errors => to_value(&errors),
            roles => Role::ALL.iter().map(|r| context! { value => r.as_str(), label => r.label() }).collect::<Vec<_>>(),
        },
    )
}

#[handler]
pub async fn new_user_form(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
) -> AppResult<Html<String>> {
    service::may_manage(&user.0)?;
    let form = NewUserForm {
        role: Role::Trainee.as_str().into(),
        ..NewUserForm::default()
    };
    new_user_page(&state, &user, csrf, &form, Vec::new())
}

#[handler]
pub async fn create_user(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<NewUserForm>,
) -> AppResult<Response> {
    let filled = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
    let input = UserInput {
        username: filled(&form.username),
        nip: filled(&form.nip),
        name: filled(&form.name),
        email: filled(&form.email),
        unit_kerja: filled(&form.unit_kerja),
        jabatan: filled(&form.jabatan),
        roles: Role::from_sheet(&form.role).into_iter().collect(),
        password: filled(&form.password),
    };
    match service::create_user(&state.db, &user.0, input).await {
        Ok(created) => {
            let notice = format!("Pengguna {} ({}) dibuat.", created.name, created.username);
            Ok(
                Redirect::see_other(format!("/admin/users?notice={}", urlencode(&notice)))
                    .into_response(),
            )
        }
        Err(AppError::Validation { details, .. }) => {
            Ok(new_user_page(&state, &user, csrf, &form, details)?
                .with_status(poem::http::StatusCode::UNPROCESSABLE_ENTITY)
                .into_response())
        }
        Err(err) => Err(err),
    }
}

#[handler]
pub async fn import_form(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(flash): Query<crate::http::pages::Flash>,
) -> AppResult<Html<String>> {
    service::may_manage(&user.0)?;
    state.templates.page(
        "admin/users_import.html",
        Some(&user.0),
        csrf,
        context! { notice => flash.notice, error => flash.error },
    )
}

#[handler]
pub async fn import_submit(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    verifier: &CsrfVerifier,
    multipart: Multipart,
) -> AppResult<Response> {
    service::may_manage(&user.0)?;
    let form = upload::page_form(multipart, verifier, crate::tabular::MAX_UPLOAD_BYTES).await?;
    let dry_run = form.ticked("dry_run");
    let Some((name, bytes)) = form.file.map(|f| (f.name, f.bytes)) else {
        let page = state.templates.page(
            "admin/users_import.html",
            Some(&user.0),
            csrf,
            context! { errors => to_value(vec![crate::error::FieldError::new("file", "pilih berkas CSV atau XLSX")]) },
        )?;
        return Ok(page
            .with_status(poem::http::StatusCode::UNPROCESSABLE_ENTITY)
            .into_response());
    };
    let result = import::import_file(&state.db, &user.0, name.clone(), bytes, dry_run).await;
    match result {
        Ok(summary) => Ok(state
            .templates
            .page(
                "admin/users_import.html",
                Some(&user.0),
                csrf,
                context! { summary => to_value(&summary), file_name => name },
            )?
            .into_response()),
        Err(AppError::Validation { details, .. }) => Ok(state
            .templates
            .page(
                "admin/users_import.html",
                Some(&user.0),
                csrf,
                context! { errors => to_value(&details), file_name => name },
            )?
            .with_status(poem::http::StatusCode::UNPROCESSABLE_ENTITY)
            .into_response()),
        Err(err) => Err(err),
    }
}
