//! The assessor's pages: the queue with counts, and the grading page with
//! the response beside the rubric (levels are radio buttons, so it works
//! without JavaScript; `grading.js` adds the running total).

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path, Query};
use poem::{IntoResponse, Response, handler};
use uuid::Uuid;

use crate::accounts::model::CurrentUser;
use crate::error::{AppError, AppResult, FieldError};
use crate::exams::grading::{self, MarkInput, QueueItem};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedPairs;
use crate::http::pages::{Flash, redirect_with, unprocessable};
use crate::http::state::AppState;
use crate::http::templates::to_value;

/// What the grading form holds: a level per criterion (if chosen), comment, reason.
#[derive(Default)]
struct Marking {
    chosen: Vec<Option<u32>>,
    comment: Option<String>,
    reason: Option<String>,
}

#[handler]
pub async fn queue_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    let queue = grading::queue(&state.engine, &user.0).await?;
    state.templates.page(
        "exam/queue.html",
        Some(&user.0),
        csrf,
        context! { queue => to_value(&queue), notice => q.notice },
    )
}

fn grade_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    item: &QueueItem,
    marking: &Marking,
    errors: &[FieldError],
    (notice, error): (Option<String>, Option<String>),
) -> AppResult<Html<String>> {
    state.templates.page(
        "exam/grade.html",
        Some(user),
        csrf,
        context! {
            item => to_value(item),
            chosen => to_value(&marking.chosen),
            comment => marking.comment.as_deref(),
            reason => marking.reason.as_deref(),
            errors => to_value(errors),
            notice => notice,
            error => error,
        },
    )
}

#[handler]
pub async fn item_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    let item = grading::item(&state.engine, &user.0, id.0).await?;
    let marking = Marking {
        chosen: (0..item.task.rubric.len())
            .map(|i| item.levels.get(i).copied())
            .collect(),
        comment: item.comment.clone(),
        reason: item.reason.clone(),
    };
    grade_page(
        &state,
        &user.0,
        &csrf.0,
        &item,
        &marking,
        &[],
        (q.notice, q.error),
    )
}

/// The form has `level-{n}` per criterion, `comment`, `reason`, and
/// `action` = `draft` or `final`.
#[handler]
pub async fn save_item(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedPairs(pairs): CheckedPairs,
) -> AppResult<Response> {
    let item = grading::item(&state.engine, &user.0, id.0).await?;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let chosen: Vec<Option<u32>> = (0..item.task.rubric.len())
        .map(|i| value(&format!("level-{i}")).and_then(|v| v.parse().ok()))
        .collect();
    let comment = value("comment").map(str::to_owned);
    let reason = value("reason").map(str::to_owned);
    let mut errors: Vec<FieldError> = chosen
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_none())
        .map(|(i, _)| {
            FieldError::new(
                format!("levels[{i}]"),
                format!("pilih level untuk \"{}\"", item.task.rubric[i].criterion),
            )
        })
        .collect();
    if errors.is_empty() {
        let input = MarkInput {
            levels: chosen.iter().map(|c| c.unwrap_or(0)).collect(),
            comment: comment.clone(),
            reason: reason.clone(),
        };
        match grading::save_draft(&state.engine, &user.0, id.0, input).await {
            Ok(_) if value("action") == Some("final") => {
                grading::finalize(&state.engine, &user.0, id.0).await?;
                return Ok(redirect_with(
                    "/grading",
                    Ok(&format!("Nilai {} difinalkan.", item.candidate_code)),
                )
                .into_response());
            }
            Ok(_) => {
                return Ok(
                    redirect_with(&format!("/grading/{}", id.0), Ok("Draf tersimpan."))
                        .into_response(),
                );
            }
            Err(AppError::Validation { details, .. }) => errors = details,
            Err(AppError::Conflict { message, .. }) => {
                return Ok(
                    redirect_with(&format!("/grading/{}", id.0), Err(&message)).into_response()
                );
            }
            Err(other) => return Err(other),
        }
    }
    let marking = Marking {
        chosen,
        comment,
        reason,
    };
    Ok(unprocessable(grade_page(
        &state,
        &user.0,
        &csrf.0,
        &item,
        &marking,
        &errors,
        (None, None),
    )?))
}

/// The candidate's file for one of the assessor's items, under a neutral name.
#[handler]
pub async fn item_file(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
) -> AppResult<Response> {
    let (name, content_type, bytes) =
        crate::exams::files::for_item(&state.engine, &user.0, id.0).await?;
    Ok(bytes
        .with_content_type(content_type)
        .with_header(
            poem::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .with_header(poem::http::header::CACHE_CONTROL, "private, no-store")
        .into_response())
}
