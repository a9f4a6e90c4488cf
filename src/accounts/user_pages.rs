//! The administrator's page of one user (details, roles, deactivation,
//! reset) and the activation sheets the users list, the import result and
//! the batch page print.

use minijinja::context;
use poem::http::header;
use poem::web::{CsrfToken, Data, Html, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;
use uuid::Uuid;

use super::activation_api::{self, Recipients, SheetBody, SheetFormat};
use super::credential_pages::{is_form_error, shown_errors};
use super::model::Role;
use super::service::{self, UserChanges};
use super::{credentials, slips};
use crate::error::{AppError, AppResult};
use crate::http::auth::PageUser;
use crate::http::csrf::{CheckedForm, CheckedPairs};
use crate::http::pages::redirect_with;
use crate::http::state::AppState;
use crate::http::templates::to_value;

fn role_choices() -> Vec<minijinja::Value> {
    Role::ALL
        .iter()
        .map(|r| context! { value => r.as_str(), label => r.label() })
        .collect()
}

#[derive(Deserialize, Default)]
pub struct MessageQuery {
    notice: Option<String>,
    error: Option<String>,
}

async fn user_page(
    state: &AppState,
    admin: &PageUser,
    csrf: &str,
    id: Uuid,
    extra: minijinja::Value,
) -> AppResult<Html<String>> {
    let user = service::get_user(&state.db, &admin.0, id).await?;
    state.templates.page(
        "admin/user.html",
        Some(&admin.0),
        csrf,
        context! {
            user => to_value(&user),
            roles => role_choices(),
            is_self => admin.0.id == id,
            ..extra
        },
    )
}

#[handler]
pub async fn show(
    state: Data<&AppState>,
    admin: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(query): Query<MessageQuery>,
) -> AppResult<Html<String>> {
    user_page(
        &state,
        &admin,
        csrf,
        id.0,
        context! { notice => query.notice, error => query.error },
    )
    .await
}

/// Saves the details form: every field as sent (empty clears it) and the
/// ticked roles.
#[handler]
pub async fn save(
    state: Data<&AppState>,
    admin: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedPairs(pairs): CheckedPairs,
) -> AppResult<Response> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let optional = |name: &str| {
        let value = field(name);
        Some((!value.is_empty()).then_some(value))
    };
    let changes = UserChanges {
        name: Some(field("name")),
        nip: optional("nip"),
        email: optional("email"),
        unit_kerja: optional("unit_kerja"),
        jabatan: optional("jabatan"),
        roles: Some(
            pairs
                .iter()
                .filter(|(k, _)| k == "roles")
                .filter_map(|(_, v)| Role::from_sheet(v))
                .collect(),
        ),
        ..UserChanges::default()
    };
    match service::update_user(&state.db, &admin.0, id.0, changes).await {
        Ok(_) => Ok(
            redirect_with(&format!("/admin/users/{}", id.0), Ok("Perubahan disimpan."))
                .into_response(),
        ),
        Err(err) if is_form_error(&err) => {
            let page = user_page(
                &state,
                &admin,
                csrf,
                id.0,
                context! { errors => to_value(shown_errors(&err)) },
            )
            .await?;
            Ok(page.with_status(err.status()).into_response())
        }
        Err(err) => Err(err),
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    confirm: Option<String>,
}

/// Clears the password, ends every session and shows a new activation
/// code once, ready to print.
#[handler]
pub async fn reset(
    state: Data<&AppState>,
    admin: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<ConfirmForm>,
) -> AppResult<Response> {
    service::may_manage(&admin.0)?;
    let back = format!("/admin/users/{}", id.0);
    if form.confirm.is_none() {
        return Ok(
            redirect_with(&back, Err("Centang konfirmasi untuk mengatur ulang akun."))
                .into_response(),
        );
    }
    match credentials::reset_account(&state.db, &admin.0, id.0).await {
        Ok(issued) => {
            let slip = slips::slips(&state.config.base_url, std::slice::from_ref(&issued));
            let slip = slip.first().map(|s| {
                context! {
                    code => s.code.clone(), valid_until => s.valid_until.clone(),
                    address => s.address.clone(), link => s.link.clone(),
                }
            });
            Ok(user_page(
                &state,
                &admin,
                csrf,
                id.0,
                context! {
                    slip => slip,
                    notice => "Akun diatur ulang: kata sandi lama dihapus dan semua sesinya diakhiri.",
                },
            )
            .await?
            .into_response())
        }
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with(&back, Err(&message)).into_response())
        }
        Err(err) => Err(err),
    }
}

/// Deactivates or reactivates, after the confirmation box was ticked.
#[handler]
pub async fn set_active(
    state: Data<&AppState>,
    admin: PageUser,
    id: Path<Uuid>,
    CheckedPairs(pairs): CheckedPairs,
) -> AppResult<Response> {
    service::may_manage(&admin.0)?;
    let back = format!("/admin/users/{}", id.0);
    let has = |name: &str| pairs.iter().any(|(k, _)| k == name);
    let active = pairs.iter().any(|(k, v)| k == "active" && v == "true");
    if !active && !has("confirm") {
        return Ok(
            redirect_with(&back, Err("Centang konfirmasi untuk menonaktifkan akun."))
                .into_response(),
        );
    }
    let changes = UserChanges {
        active: Some(active),
        ..UserChanges::default()
    };
    let result = service::update_user(&state.db, &admin.0, id.0, changes).await;
    Ok(crate::http::pages::redirect_after(&back, result, |user| {
        if active {
            format!("{} diaktifkan kembali.", user.name)
        } else {
            format!("{} dinonaktifkan; semua sesinya diakhiri.", user.name)
        }
    })?
    .into_response())
}

/// Prints activation slips from a form: ticked `user_ids`, every active
/// account without a password (`all_without_password`), or a batch's list
/// (`batch_id`). `format` is `pdf` (default) or `xlsx`. When nobody needs a
/// code, back to `back` with the reason.
#[handler]
pub async fn sheet(
    state: Data<&AppState>,
    admin: PageUser,
    CheckedPairs(pairs): CheckedPairs,
) -> AppResult<Response> {
    service::may_manage(&admin.0)?;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let back = value("back")
        .filter(|b| b.starts_with("/admin/") && !b.starts_with("//"))
        .unwrap_or("/admin/users")
        .to_owned();
    let format = match value("format") {
        Some("xlsx") => SheetFormat::Xlsx,
        _ => SheetFormat::Pdf,
    };
    let include = value("include_with_password").is_some();
    let batch = value("batch_id").and_then(|b| Uuid::parse_str(b).ok());
    let recipients = if value("all_without_password").is_some() {
        Recipients::WithoutPassword
    } else if let Some(batch) = batch {
        Recipients::Batch(batch)
    } else {
        Recipients::Users(
            pairs
                .iter()
                .filter(|(k, _)| k == "user_ids")
                .filter_map(|(_, v)| Uuid::parse_str(v).ok())
                .collect(),
        )
    };
    if value("confirm").is_none() {
        return Ok(redirect_with(
            &back,
            Err("Centang konfirmasi dulu: kode aktivasi yang pernah dicetak untuk akun-akun ini tidak berlaku lagi."),
        )
        .into_response());
    }
    if matches!(&recipients, Recipients::Users(ids) if ids.is_empty()) {
        return Ok(redirect_with(&back, Err("Pilih minimal satu pengguna.")).into_response());
    }
    let issued = match activation_api::issue(&state, &admin.0, recipients, include).await {
        Ok(issued) => issued,
        Err(err @ (AppError::Conflict { .. } | AppError::Validation { .. })) => {
            return Ok(redirect_with(&back, Err(&err.to_string())).into_response());
        }
        Err(err) => return Err(err),
    };
    let (bytes, kind, disposition) =
        match activation_api::sheet(&state.config.base_url, &issued, format)? {
            SheetBody::Pdf(bytes, disposition, _) => (bytes.0, "application/pdf", disposition),
            SheetBody::Xlsx(bytes, disposition, _) => (
                bytes.0,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                disposition,
            ),
        };
    Ok(bytes
        .with_content_type(kind)
        .with_header(header::CONTENT_DISPOSITION, disposition)
        .with_header(header::CACHE_CONTROL, "no-store")
        .into_response())
}
