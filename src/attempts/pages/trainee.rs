//! The trainee's quiz pages. They work without JavaScript: a page of
//! questions is one form, saved on every "next"; `quiz.js`, when it runs,
//! saves each answer as it changes through the JSON API instead.

use std::collections::BTreeMap;

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::cloze;
use super::form::{Filled, PAGE_SIZE, changed_answers, filled, page_count, page_of, page_range};
use crate::accounts::model::CurrentUser;
use crate::attempts::answering;
use crate::attempts::model::{AssessmentKind, AttemptStatus};
use crate::attempts::service::{self, AttemptPage};
use crate::attempts::views::{AttemptView, QuestionView, ReviewItem, SavedAnswer};
use crate::banks::model::QuestionType;
use crate::conflict::Conflict;
use crate::error::{AppError, AppResult};
use crate::http::auth::{ApiToken, PageUser};
use crate::http::csrf::{CheckedForm, CheckedPairs};
use crate::http::pages::redirect_with;
use crate::http::state::AppState;
use crate::http::templates::to_value;

#[derive(Deserialize)]
pub struct Notice {
    notice: Option<String>,
    error: Option<String>,
    page: Option<usize>,
}

#[derive(Deserialize)]
pub struct Empty {}

#[handler]
pub async fn quiz_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<Notice>,
) -> AppResult<Html<String>> {
    let info = service::quiz_info(&state.engine, &user.0, id.0).await?;
    let attempts_left = info.attempts_used < info.max_attempts.max(0) as u32;
    state.templates.page(
        "quiz/intro.html",
        Some(&user.0),
        csrf,
        context! {
            quiz => to_value(&info),
            attempts_left => attempts_left,
            notice => q.notice,
            error => q.error,
        },
    )
}

#[derive(Deserialize)]
pub struct StartForm {
    /// Ticked to start a post-test before its pre-test, which closes it.
    #[serde(default)]
    confirm: String,
}

#[handler]
pub async fn start_attempt(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<StartForm>,
) -> AppResult<Redirect> {
    if form.confirm != "on"
        && service::quiz_info(&state.engine, &user.0, id.0)
            .await?
            .pre_test_pending
    {
        return Ok(redirect_with(
            &format!("/quizzes/{}", id.0),
            Err(
                "Centang pernyataan bahwa pre-test tidak dapat dikerjakan lagi, lalu mulai post-test.",
            ),
        ));
    }
    match service::start(&state.engine, &user.0, id.0).await {
        Ok((attempt, _)) => Ok(Redirect::see_other(format!("/attempts/{}", attempt.id))),
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with(&format!("/quizzes/{}", id.0), Err(&message)))
        }
        Err(err) => Err(err),
    }
}

/// One question on a page, with what the trainee has answered.
#[derive(Serialize)]
struct Shown<'a> {
    question: &'a QuestionView,
    answer: Filled,
    answered: bool,
    page: usize,
    review: Option<&'a ReviewItem>,
    /// Cloze only: the text with its fields, the text numbered for the
    /// result page, and the answers in words.
    cloze: Option<ClozeShown>,
}

#[derive(Serialize)]
struct ClozeShown {
    form_html: String,
    text_html: String,
    answer_html: String,
}

/// The questions of `view`, as the templates show them.
fn shown(view: &AttemptView) -> Vec<Shown<'_>> {
    view.questions
        .iter()
        .map(|q| {
            let saved = view
                .answers
                .get(&q.id.to_string())
                .and_then(SavedAnswer::answer);
            let saved = saved.as_ref();
            Shown {
                question: q,
                answer: filled(saved),
                answered: saved.is_some_and(|r| !r.is_blank()),
                cloze: (q.kind == QuestionType::Cloze).then(|| ClozeShown {
                    form_html: cloze::form_html(q, saved),
                    text_html: cloze::numbered_text_html(q),
                    answer_html: cloze::answer_html(q, saved),
                }),
                page: page_of(q.number.saturating_sub(1) as usize),
                review: view
                    .review
                    .as_ref()
                    .and_then(|items| items.iter().find(|r| r.question_id == q.id)),
            }
        })
        .collect()
}

/// What the quiz page's bar shows of the attempt.
#[derive(Serialize)]
struct QuizBar<'a> {
    id: Uuid,
    title: &'a str,
    #[serde(with = "time::serde::rfc3339")]
    deadline: time::OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    server_time: time::OffsetDateTime,
}

impl QuizBar<'_> {
    fn of(view: &AttemptView) -> QuizBar<'_> {
        QuizBar {
            id: view.id,
            title: &view.title,
            deadline: view.deadline,
            server_time: view.server_time,
        }
    }
}

/// One question's link in the quiz page's navigation.
#[derive(Serialize)]
struct NavLink {
    id: Uuid,
    number: u32,
    page: usize,
    answered: bool,
}

fn navigation(outline: &[Uuid], answers: &BTreeMap<String, SavedAnswer>) -> Vec<NavLink> {
    outline
        .iter()
        .enumerate()
        .map(|(i, id)| NavLink {
            id: *id,
            number: i as u32 + 1,
            page: page_of(i),
            answered: answers
                .get(&id.to_string())
                .and_then(SavedAnswer::answer)
                .is_some_and(|r| !r.is_blank()),
        })
        .collect()
}

/// The attempt, finished first if its time is up.
async fn open_view(state: &AppState, user: &CurrentUser, id: Uuid) -> AppResult<AttemptView> {
    service::view(&state.engine, user, id).await
}

fn result_path(id: Uuid) -> String {
    format!("/attempts/{id}/result")
}

#[handler]
pub async fn attempt_page(
    state: Data<&AppState>,
    user: PageUser,
    api_token: ApiToken,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<Notice>,
) -> AppResult<Response> {
    // Only this page's questions are built in full (the navigation needs
    // little of the others): the page a phone without JavaScript reloads
    // on every "next".
    let wanted = q.page.unwrap_or(1);
    let AttemptPage { view, outline } = service::view_page(&state.engine, &user.0, id.0, |count| {
        page_range(wanted.clamp(1, page_count(count)), count)
    })
    .await?;
    if view.status != AttemptStatus::Open {
        return Ok(Redirect::see_other(result_path(id.0)).into_response());
    }
    let pages = page_count(outline.len());
    let page = wanted.clamp(1, pages);
    let on_page = shown(&view);
    Ok(state
        .templates
        .page(
            "quiz/attempt.html",
            Some(&user.0),
            csrf,
            context! {
                attempt => to_value(QuizBar::of(&view)),
                questions => to_value(&on_page),
                all => to_value(navigation(&outline, &view.answers)),
                page => page,
                pages => pages,
                page_size => PAGE_SIZE,
                api_token => api_token.0,
                notice => q.notice,
                error => q.error,
            },
        )?
        .into_response())
}

/// Where a page's buttons lead: `next`, `previous`, `summary` or a page number.
fn destination(id: Uuid, page: usize, pages: usize, go: &str) -> String {
    let to_page = |p: usize| format!("/attempts/{id}?page={}", p.clamp(1, pages));
    match go {
        "summary" => format!("/attempts/{id}/summary"),
        "previous" => to_page(page.saturating_sub(1)),
        "next" if page >= pages => format!("/attempts/{id}/summary"),
        "next" => to_page(page + 1),
        other => other.parse().map(to_page).unwrap_or_else(|_| to_page(page)),
    }
}

/// Saves the answers of one page (those that changed), then goes on.
#[handler]
pub async fn save_page(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedPairs(pairs): CheckedPairs,
) -> AppResult<Redirect> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let page: usize = field("page").parse().unwrap_or(1);
    // A page number that is not there reads no answers: the form of another
    // page must not clear this one's.
    let AttemptPage { view, outline } = service::view_page(&state.engine, &user.0, id.0, |count| {
        page_range(page, count)
    })
    .await?;
    if view.status != AttemptStatus::Open {
        return Ok(redirect_with(
            &result_path(id.0),
            Err("Waktu habis: jawaban yang tersimpan sebelum batas waktu sudah dinilai."),
        ));
    }
    let pages = page_count(outline.len());
    let here = format!("/attempts/{}?page={page}", id.0);
    let on_page: Vec<&QuestionView> = view.questions.iter().collect();
    let changed = match changed_answers(&pairs, &on_page, &view.answers) {
        Ok(changed) => changed,
        Err(errors) => {
            let text: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            return Ok(redirect_with(&here, Err(&text.join("; "))));
        }
    };
    match answering::save_page(&state.engine, &user.0, id.0, changed).await {
        Ok(()) => {}
        Err(AppError::Conflict {
            code: Conflict::AttemptClosed,
            ..
        }) => {
            return Ok(redirect_with(
                &result_path(id.0),
                Err("Waktu habis: jawaban yang tersimpan sebelum batas waktu sudah dinilai."),
            ));
        }
        Err(AppError::Validation { message, details }) => {
            let detail = details
                .first()
                .map(|d| d.message.clone())
                .unwrap_or(message);
            return Ok(redirect_with(&here, Err(&detail)));
        }
        Err(err) => return Err(err),
    }
    Ok(Redirect::see_other(destination(
        id.0,
        page,
        pages,
        field("go"),
    )))
}

#[handler]
pub async fn summary_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
) -> AppResult<Response> {
    let view = open_view(&state, &user.0, id.0).await?;
    if view.status != AttemptStatus::Open {
        return Ok(Redirect::see_other(result_path(id.0)).into_response());
    }
    let all = shown(&view);
    let unanswered: Vec<&Shown> = all.iter().filter(|s| !s.answered).collect();
    Ok(state
        .templates
        .page(
            "quiz/summary.html",
            Some(&user.0),
            csrf,
            context! {
                attempt => to_value(&view),
                all => to_value(&all),
                unanswered => to_value(&unanswered),
                pages => page_count(view.questions.len()),
            },
        )?
        .into_response())
}

#[handler]
pub async fn submit_attempt(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    _form: CheckedForm<Empty>,
) -> AppResult<Redirect> {
    service::submit(&state.engine, &user.0, id.0).await?;
    Ok(Redirect::see_other(result_path(id.0)))
}

#[handler]
pub async fn result_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<Notice>,
) -> AppResult<Response> {
    let view = open_view(&state, &user.0, id.0).await?;
    if view.status == AttemptStatus::Open {
        return Ok(Redirect::see_other(format!("/attempts/{}", id.0)).into_response());
    }
    // An exam's result is its release, on the exam's own page.
    if view.kind == AssessmentKind::Exam {
        return Ok(
            Redirect::see_other(format!("/exams/handed-in/{}", view.assessment_id)).into_response(),
        );
    }
    let all = shown(&view);
    Ok(state
        .templates
        .page(
            "quiz/result.html",
            Some(&user.0),
            csrf,
            context! {
                attempt => to_value(&view),
                all => to_value(&all),
                quiz_id => view.assessment_id.to_string(),
                notice => q.notice,
                error => q.error,
            },
        )?
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_lead_where_they_say() {
        let id = Uuid::from_u128(1);
        let at = |p: &str| format!("/attempts/{id}{p}");
        assert_eq!(destination(id, 2, 3, "next"), at("?page=3"));
        assert_eq!(destination(id, 3, 3, "next"), at("/summary"));
        assert_eq!(destination(id, 1, 3, "previous"), at("?page=1"));
        assert_eq!(destination(id, 2, 3, "summary"), at("/summary"));
        assert_eq!(destination(id, 2, 3, "9"), at("?page=3"));
        assert_eq!(destination(id, 2, 3, ""), at("?page=2"));
    }
}
