//! HTML pages: the bank list with upload and dry-run preview, and the bank
//! browser (administrators and assessors: it shows answer keys).

use minijinja::context;
use poem::http::StatusCode;
use poem::http::header;
use poem::web::{CsrfToken, CsrfVerifier, Data, Html, Multipart, Path, Query};
use poem::{IntoResponse, Response, handler};
use poem::{Route, get, post};
use sea_orm::Iterable;
use serde::Deserialize;
use uuid::Uuid;

use super::formats::{ExportFormat, Format};
use super::model::MAX_BANK_BYTES;
use super::model::QuestionType;
use super::service::{self, ImportRequest, QuestionFilter, SourceFile};
use crate::accounts::model::{CurrentUser, Role};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::pages::redirect_with;
use crate::http::state::AppState;
use crate::http::templates::to_value;
use crate::http::upload;

async fn banks_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    extra: minijinja::Value,
) -> AppResult<Html<String>> {
    let banks = service::list_banks(&state.db, user).await?;
    state.templates.page(
        "admin/banks.html",
        Some(user),
        csrf,
        context! { banks => to_value(&banks), can_import => user.has(Role::Admin), ..extra },
    )
}

#[handler]
pub async fn bank_list(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
) -> AppResult<Html<String>> {
    banks_page(&state, &user.0, csrf, context! { dry_run => true }).await
}

#[handler]
pub async fn import(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    verifier: &CsrfVerifier,
    multipart: Multipart,
) -> AppResult<Response> {
    let admin = &user.0;
    service::may_import(admin)?;
    let form = upload::page_form(multipart, verifier, MAX_BANK_BYTES).await?;
    let format = form
        .text("format")
        .and_then(Format::parse)
        .unwrap_or_default();
    let name = form
        .text("name")
        .filter(|n| !n.trim().is_empty())
        .map(str::to_owned);
    let dry_run = form.ticked("dry_run");
    let file = form.file.map(|f| SourceFile {
        name: f.name.unwrap_or_else(|| "bank.gift".into()),
        bytes: f.bytes,
    });
    let echo = context! { name => name.clone(), format => format.as_str(), dry_run => dry_run };
    let Some(file) = file else {
        let errors = vec![FieldError::new("file", "pilih berkas bank soal")];
        let page = banks_page(
            &state,
            admin,
            csrf,
            context! { errors => to_value(&errors), ..echo },
        )
        .await?;
        return Ok(page
            .with_status(StatusCode::UNPROCESSABLE_ENTITY)
            .into_response());
    };
    let file_name = file.name.clone();
    let request = ImportRequest {
        bank_name: name,
        format,
        files: vec![file],
        dry_run,
    };
    match service::import(&state.db, admin, request).await {
        Ok(report) => Ok(banks_page(
            &state,
            admin,
            csrf,
            context! { report => to_value(&report), file_name, ..echo },
        )
        .await?
        .into_response()),
        Err(AppError::Validation { details, .. }) => {
            let page = banks_page(
                &state,
                admin,
                csrf,
                context! { errors => to_value(&details), file_name, ..echo },
            )
            .await?;
            Ok(page
                .with_status(StatusCode::UNPROCESSABLE_ENTITY)
                .into_response())
        }
        Err(err) => Err(err),
    }
}

#[derive(Deserialize)]
pub struct BrowseQuery {
    tag: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    /// Why a download was refused (a GIFT export of a bank GIFT cannot hold).
    error: Option<String>,
}

#[handler]
pub async fn bank_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(query): Query<BrowseQuery>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    let filter = QuestionFilter {
        tag: query.tag.clone().filter(|t| !t.is_empty()),
        kind: query.kind.as_deref().and_then(QuestionType::parse),
        version: None,
    };
    let (_, all) = service::questions(&state.db, user, id.0, &QuestionFilter::default()).await?;
    let (bank, questions) = service::questions(&state.db, user, id.0, &filter).await?;
    let mut tags: Vec<&String> = all
        .iter()
        .flat_map(|q| &q.tags)
        .filter(|t| !t.starts_with("category:"))
        .collect();
    tags.sort();
    tags.dedup();
    let types: Vec<_> = QuestionType::iter()
        .map(|t| context! { value => t.as_str(), label => t.label() })
        .collect();
    state.templates.page(
        "admin/bank.html",
        Some(user),
        csrf,
        context! {
            bank => to_value(&bank),
            questions => to_value(&questions),
            tags => to_value(&tags),
            types => types,
            tag => query.tag.unwrap_or_default(),
            kind => query.kind.unwrap_or_default(),
            error => query.error,
        },
    )
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: ExportFormat,
}

/// The bank as a file, from its page: a format that cannot hold the bank
/// (GIFT with Cloze questions or images) brings the page back with the
/// reason instead of an error document.
#[handler]
pub async fn export(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    Query(query): Query<ExportQuery>,
) -> AppResult<Response> {
    match service::export(&state.db, &user.0, id.0, query.format, None).await {
        Ok((file_name, body)) => {
            let content_type = match query.format {
                ExportFormat::Gift => "text/plain; charset=utf-8",
                ExportFormat::MoodleXml => "application/xml",
            };
            Ok(body
                .with_content_type(content_type)
                .with_header(
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                )
                .into_response())
        }
        Err(AppError::Validation { details, .. }) => {
            let reasons: Vec<String> = details.into_iter().map(|d| d.message).collect();
            Ok(
                redirect_with(&format!("/admin/banks/{}", id.0), Err(&reasons.join("; ")))
                    .into_response(),
            )
        }
        Err(other) => Err(other),
    }
}

/// An image of a question, for staff and for trainees whose attempts show
/// that question. Its address is its content's SHA-256, so it never
/// changes and may be cached.
#[handler]
pub async fn question_media(
    state: Data<&AppState>,
    user: PageUser,
    sha256: Path<String>,
) -> AppResult<Response> {
    let shown = match service::may_read(&user.0) {
        Ok(()) => None,
        Err(_) => {
            Some(crate::attempts::service::questions_shown_to(&state.engine, user.0.id).await?)
        }
    };
    let file = service::media_for(&state.db, &sha256.0, shown.as_ref()).await?;
    Ok(file
        .data
        .with_content_type(file.content_type)
        .with_header(poem::http::header::CACHE_CONTROL, "private, max-age=86400")
        .into_response())
}

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/banks", get(bank_list))
        .at("/admin/banks/import", post(import))
        .at("/admin/banks/:id", get(bank_page))
        .at("/admin/banks/:id/export", get(export))
        .at("/question-media/:sha256", get(question_media))
}
