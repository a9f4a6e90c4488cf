//! The quiz essay marking pages (admins, assessors): the queue, and a form
//! per essay answer with points (a decimal comma is fine) and a comment.

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;
use uuid::Uuid;

use crate::accounts::model::CurrentUser;
use crate::attempts::marking::{self, EssayItem, EssayMark};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, redirect_with, unprocessable};
use crate::http::state::AppState;
use crate::http::templates::to_value;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MarkForm {
    points: String,
    comment: String,
    /// Sent only when an administrator corrects a mark.
    reason: Option<String>,
}

#[handler]
pub async fn queue_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    let items = marking::queue(&state.engine, &user.0).await?;
    state.templates.page(
        "quiz/marking_queue.html",
        Some(&user.0),
        csrf,
        context! { items => to_value(&items), notice => q.notice, error => q.error },
    )
}

/// The essays of one attempt, marked or waiting (administrators): where a
/// mark is found to correct, linked from the quiz's results.
#[handler]
pub async fn attempt_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Path(attempt_id): Path<Uuid>,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    let items = marking::attempt_essays(&state.engine, &user.0, attempt_id).await?;
    state.templates.page(
        "quiz/marking_attempt.html",
        Some(&user.0),
        csrf,
        context! { items => to_value(&items), notice => q.notice, error => q.error },
    )
}

fn mark_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    item: &EssayItem,
    form: &MarkForm,
    errors: &[FieldError],
) -> AppResult<Html<String>> {
    state.templates.page(
        "quiz/marking.html",
        Some(user),
        csrf,
        context! {
            item => to_value(item),
            points => form.points.as_str(),
            comment => form.comment.as_str(),
            reason => form.reason.as_deref().unwrap_or_default(),
            errors => to_value(errors),
        },
    )
}

#[handler]
pub async fn item_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Path((attempt_id, question_id)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    match marking::item(&state.engine, &user.0, attempt_id, question_id).await {
        Ok(item) => {
            Ok(mark_page(&state, &user.0, csrf, &item, &MarkForm::default(), &[])?.into_response())
        }
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with("/quiz-marking", Err(&message)).into_response())
        }
        Err(other) => Err(other),
    }
}

#[handler]
pub async fn save_mark(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Path((attempt_id, question_id)): Path<(Uuid, Uuid)>,
    CheckedForm(form): CheckedForm<MarkForm>,
) -> AppResult<Response> {
    let item = match marking::item(&state.engine, &user.0, attempt_id, question_id).await {
        Ok(item) => item,
        Err(AppError::Conflict { message, .. }) => {
            return Ok(redirect_with("/quiz-marking", Err(&message)).into_response());
        }
        Err(other) => return Err(other),
    };
    let errors = match crate::numbers::read(&form.points) {
        None => vec![FieldError::new(
            "Nilai",
            format!("'{}' bukan angka; tulis mis. 2,5", form.points.trim()),
        )],
        Some(points) => {
            let input = EssayMark {
                points,
                comment: Some(form.comment.clone()),
                reason: form.reason.clone(),
            };
            match marking::mark(&state.engine, &user.0, attempt_id, question_id, input).await {
                Ok(marked) => {
                    let outcome = match marked.passed {
                        Some(true) => " Percobaan selesai dinilai: lulus.",
                        Some(false) => " Percobaan selesai dinilai: belum lulus.",
                        None => "",
                    };
                    let (text, back) = if item.marked_points.is_some() {
                        (
                            format!("Nilai esai {} dikoreksi.{outcome}", item.candidate_code),
                            format!("/quiz-marking/{attempt_id}"),
                        )
                    } else {
                        (
                            format!("Nilai esai {} disimpan.{outcome}", item.candidate_code),
                            "/quiz-marking".to_owned(),
                        )
                    };
                    return Ok(redirect_with(&back, Ok(&text)).into_response());
                }
                Err(AppError::Validation { details, .. }) => details
                    .into_iter()
                    .map(|d| FieldError {
                        field: match d.field.as_str() {
                            "points" => "Nilai".into(),
                            "reason" => "Alasan koreksi".into(),
                            _ => "Komentar".into(),
                        },
                        ..d
                    })
                    .collect(),
                Err(AppError::Conflict { message, .. }) => {
                    return Ok(redirect_with("/quiz-marking", Err(&message)).into_response());
                }
                Err(other) => return Err(other),
            }
        }
    };
    Ok(unprocessable(mark_page(
        &state, &user.0, csrf, &item, &form, &errors,
    )?))
}
