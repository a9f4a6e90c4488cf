//! Certificate pages: the public verification page the QR code leads to,
//! a trainee's certificates, and a batch's certificates for administrators
//! (eligibility, issue, revoke, reissue, downloads).

use super::settings_pages as certificate_settings;
use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use poem::{Route, get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::{eligibility, service, standing};
use crate::error::{AppError, AppResult};
use crate::http::auth::{ClientIp, PageUser};
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, redirect_after, unconfirmed};
use crate::http::state::AppState;
use crate::http::templates::to_value;

#[derive(Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

async fn verify_page(
    state: &AppState,
    client: ClientIp,
    csrf: &str,
    code: Option<String>,
) -> AppResult<Response> {
    let result = match code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => {
            let address = client.key().unwrap_or_default();
            state
                .verify_throttle
                .check(&address, std::time::Instant::now())?;
            Some(super::verify::verify(&state.engine, code).await?)
        }
        None => None,
    };
    Ok(state
        .templates
        .page(
            "certificates/verify.html",
            None,
            csrf,
            context! { code => code, result => to_value(&result) },
        )?
        .into_response())
}

/// `/verify?code=…`: a form to type a code, and its answer.
#[handler]
pub async fn verify_form(
    state: Data<&AppState>,
    client: Data<&ClientIp>,
    csrf: &CsrfToken,
    Query(q): Query<CodeQuery>,
) -> AppResult<Response> {
    verify_page(&state, **client, &csrf.0, q.code).await
}

/// `/verify/{code}`: where the QR code on a certificate leads.
#[handler]
pub async fn verify_code(
    state: Data<&AppState>,
    client: Data<&ClientIp>,
    csrf: &CsrfToken,
    code: Path<String>,
) -> AppResult<Response> {
    verify_page(&state, **client, &csrf.0, Some(code.0)).await
}

#[handler]
pub async fn my_certificates(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
) -> AppResult<Html<String>> {
    let certs = service::mine(&state.engine, &state.config, &user.0).await?;
    state.templates.page(
        "certificates/mine.html",
        Some(&user.0),
        csrf,
        context! { certificates => to_value(&certs) },
    )
}

#[handler]
pub async fn batch_certificates(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    let preview = eligibility::preview(&state.engine, &user.0, id.0).await?;
    let batch = crate::schedule::lookup::find_batch(state.db.read(), id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let issued = service::in_batch(&state.db, &state.config, &user.0, id.0).await?;
    state.templates.page(
        "certificates/batch.html",
        Some(&user.0),
        csrf,
        context! {
            batch_id => batch.id.to_string(),
            batch_name => batch.name,
            preview => to_value(&preview),
            issued => to_value(&issued),
            notice => q.notice,
            error => q.error,
        },
    )
}

#[derive(Deserialize)]
pub struct Empty {}

#[derive(Deserialize)]
pub struct IssueForm {
    /// The confirmation box: an issued certificate takes a number for good.
    confirm: Option<String>,
}

#[handler]
pub async fn issue(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<IssueForm>,
) -> AppResult<Redirect> {
    let back = format!("/admin/batches/{}/certificates", id.0);
    if let Some(refused) = unconfirmed(
        &form.confirm,
        &back,
        "Centang konfirmasi untuk menerbitkan: sertifikat yang terbit memakai nomor dan hanya dapat dicabut atau diganti.",
    ) {
        return refused;
    }
    redirect_after(
        &back,
        service::issue(&state.engine, &state.config, &user.0, id.0, None).await,
        |outcome| outcome.notice(),
    )
}

#[derive(Deserialize)]
pub struct RevokeForm {
    reason: String,
    /// The confirmation box: revoking cannot be undone.
    confirm: Option<String>,
}

#[handler]
pub async fn revoke(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<RevokeForm>,
) -> AppResult<Redirect> {
    let cert = service::to_manage(&state.engine, &state.config, &user.0, id.0).await?;
    let back = format!("/admin/batches/{}/certificates", cert.batch_id);
    if let Some(refused) = unconfirmed(
        &form.confirm,
        &back,
        "centang konfirmasi: pencabutan tidak dapat dibatalkan",
    ) {
        return refused;
    }
    redirect_after(
        &back,
        standing::revoke(&state.engine, &state.config, &user.0, id.0, &form.reason).await,
        |c| format!("Sertifikat {} dicabut.", c.content.number),
    )
}

#[derive(Deserialize)]
pub struct ReplaceForm {
    reason: String,
    /// The confirmation box: the old document stops being valid.
    confirm: Option<String>,
}

#[handler]
pub async fn replace(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<ReplaceForm>,
) -> AppResult<Redirect> {
    let cert = service::to_manage(&state.engine, &state.config, &user.0, id.0).await?;
    let back = format!("/admin/batches/{}/certificates", cert.batch_id);
    if let Some(refused) = unconfirmed(
        &form.confirm,
        &back,
        "centang konfirmasi: sertifikat lama dicabut",
    ) {
        return refused;
    }
    redirect_after(
        &back,
        standing::replace(&state.engine, &state.config, &user.0, id.0, &form.reason).await,
        |c| {
            format!(
                "Sertifikat {} diganti dengan {} ({}).",
                cert.content.number,
                c.content.number,
                c.content.kind.title()
            )
        },
    )
}

#[handler]
pub async fn reissue(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    _form: CheckedForm<Empty>,
) -> AppResult<Redirect> {
    let cert = service::to_manage(&state.engine, &state.config, &user.0, id.0).await?;
    let back = format!("/admin/batches/{}/certificates", cert.batch_id);
    redirect_after(
        &back,
        standing::reissue(&state.engine, &state.config, &user.0, id.0).await,
        |c| {
            format!(
                "Terbit ulang sebagai {} ({}).",
                c.content.number,
                c.content.kind.title()
            )
        },
    )
}

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    route
        .at(
            "/admin/courses/:id/certificates",
            get(certificate_settings::show).post(certificate_settings::save),
        )
        .at(
            "/admin/courses/:id/certificates/next-number",
            get(certificate_settings::next_number),
        )
        .at("/verify", get(verify_form))
        .at("/verify/:code", get(verify_code))
        .at("/my/certificates", get(my_certificates))
        .at("/admin/batches/:id/certificates", get(batch_certificates))
        .at("/admin/batches/:id/certificates/issue", post(issue))
        .at("/admin/certificates/:id/revoke", post(revoke))
        .at("/admin/certificates/:id/reissue", post(reissue))
        .at("/admin/certificates/:id/replace", post(replace))
}
