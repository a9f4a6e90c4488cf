//! The administrators' quiz pages: a module's quiz settings (with batch
//! windows), and a quiz's results with downloads and item analysis.

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path, Query, Redirect};
use poem::{Response, handler};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::quiz_form::{QuizForm, for_page, local_input, parse_local, parse_rules, picker};
use crate::accounts::model::CurrentUser;
use crate::attempts::model::AssessmentKind;
use crate::attempts::{export, results, settings, store};
use crate::banks::service as banks;
use crate::catalog::service as catalog;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, redirect_with, saved_or_redisplay};
use crate::http::state::AppState;
use crate::http::templates::to_value;
use crate::schedule::lookup::find_batches as batches;
use crate::schedule::model::BatchFilter;

/// A batch of the course and its own window for the quiz, if any.
#[derive(Serialize)]
pub(super) struct BatchWindow {
    id: Uuid,
    name: String,
    opens_at: String,
    closes_at: String,
}

/// Each batch of the course with its own window for `quiz_id`.
pub(super) async fn batch_windows(
    state: &AppState,
    course_id: Uuid,
    quiz_id: Uuid,
) -> AppResult<Vec<BatchWindow>> {
    let filter = BatchFilter {
        course_id: Some(course_id),
        ..BatchFilter::default()
    };
    let mut windows = Vec::new();
    for b in batches(state.db.read(), &filter).await? {
        let own = store::window(state.db.read(), quiz_id, b.id).await?;
        let at = |pick: fn(&crate::entities::assessment_window::Model) -> _| {
            own.as_ref()
                .and_then(pick)
                .map(local_input)
                .unwrap_or_default()
        };
        windows.push(BatchWindow {
            id: b.id,
            name: b.name,
            opens_at: at(|w| w.opens_at),
            closes_at: at(|w| w.closes_at),
        });
    }
    Ok(windows)
}

/// The tags of each bank, per type, to write rules the bank can fill.
pub(super) async fn bank_pickers(
    state: &AppState,
    user: &CurrentUser,
) -> AppResult<Vec<minijinja::Value>> {
    let mut pickers = Vec::new();
    for bank in banks::list_banks(&state.db, user).await? {
        let counts = banks::tag_type_counts(&state.db, bank.id).await?;
        pickers.push(context! {
            id => bank.id.to_string(),
            name => bank.name,
            picker => to_value(picker(&counts)),
        });
    }
    Ok(pickers)
}

async fn settings_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    module_id: Uuid,
    form: Option<QuizForm>,
    errors: Vec<FieldError>,
    flash: Flash,
) -> AppResult<Html<String>> {
    let quiz = settings::of_module(&state.engine, user, module_id).await?;
    let module = catalog::get_module(&state.db, user, module_id).await?;
    let form = form.unwrap_or_else(|| match &quiz {
        Some(q) => QuizForm::from_view(q),
        None => QuizForm::blank(&module.title),
    });
    let windows = match &quiz {
        Some(q) => batch_windows(state, module.course_id, q.id).await?,
        None => Vec::new(),
    };
    let pickers = bank_pickers(state, user).await?;
    let bank_list = banks::list_banks(&state.db, user).await?;
    let essays = parse_rules(&form.rules).is_ok_and(|rules| rules.iter().any(|r| r.draws_essays()));
    let errors = for_page(errors, &form.rules);
    state.templates.page(
        "admin/quiz_edit.html",
        Some(user),
        csrf,
        context! {
            module => to_value(&module),
            quiz => to_value(&quiz),
            form => to_value(&form),
            banks => to_value(&bank_list),
            pickers => pickers,
            essays => essays && form.selection_mode != "fixed",
            windows => to_value(&windows),
            errors => to_value(&errors),
            notice => flash.notice,
            error => flash.error,
        },
    )
}

#[handler]
pub async fn quiz_settings(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    settings_page(&state, &user.0, csrf, id.0, None, Vec::new(), q).await
}

#[handler]
pub async fn save_quiz_settings(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<QuizForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let saved = match form.input() {
        Ok(input) => match settings::of_module(&state.engine, user, id.0).await? {
            Some(_) => settings::update_for_module(&state.engine, user, id.0, input).await,
            None => settings::create_for_module(&state.engine, user, id.0, input).await,
        },
        Err(errors) => Err(AppError::validation(errors)),
    };
    saved_or_redisplay(
        saved,
        &format!("/admin/modules/{}/quiz", id.0),
        "Pengaturan kuis disimpan.",
        |details| {
            settings_page(
                &state,
                user,
                csrf,
                id.0,
                Some(form),
                details,
                Flash::default(),
            )
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct WindowForm {
    batch_id: Uuid,
    #[serde(default)]
    opens_at: String,
    #[serde(default)]
    closes_at: String,
}

#[handler]
pub async fn set_window(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<WindowForm>,
) -> AppResult<Redirect> {
    let quiz = settings::to_schedule(&state.engine, &user.0, id.0).await?;
    // A module's quiz lives on its module; the pre-test and post-test on their course.
    let back = match quiz.module_id {
        Some(module_id) => format!("/admin/modules/{module_id}/quiz"),
        None if quiz.kind != AssessmentKind::Exam => {
            format!("/admin/courses/{}/pre-post-test", quiz.course_id)
        }
        None => return Err(AppError::NotFound),
    };
    let mut errors = Vec::new();
    let opens = parse_local(&form.opens_at, "opens_at", &mut errors);
    let closes = parse_local(&form.closes_at, "closes_at", &mut errors);
    if let Some(error) = errors.first() {
        return Ok(redirect_with(
            &back,
            Err(&format!("{}: {}", error.field, error.message)),
        ));
    }
    match settings::set_window(&state.engine, &user.0, id.0, form.batch_id, opens, closes).await {
        Ok(()) => Ok(redirect_with(&back, Ok("Jadwal kuis angkatan disimpan."))),
        Err(AppError::Validation { details, message }) => {
            let text = details
                .first()
                .map(|d| d.message.clone())
                .unwrap_or(message);
            Ok(redirect_with(&back, Err(&text)))
        }
        Err(err) => Err(err),
    }
}

#[derive(Deserialize)]
pub struct ResultsQuery {
    batch_id: Option<Uuid>,
}

#[handler]
pub async fn quiz_results(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<ResultsQuery>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    let (quiz, rows) = results::results(&state.engine, user, id.0, q.batch_id).await?;
    let items = results::item_analysis(&state.engine, user, id.0).await?;
    let filter = BatchFilter {
        course_id: Some(quiz.course_id),
        ..BatchFilter::default()
    };
    let course_batches: Vec<_> = batches(state.db.read(), &filter)
        .await?
        .into_iter()
        .map(|b| context! { id => b.id.to_string(), name => b.name })
        .collect();
    let query = q
        .batch_id
        .map(|b| format!("?batch_id={b}"))
        .unwrap_or_default();
    state.templates.page(
        "admin/quiz_results.html",
        Some(user),
        csrf,
        context! {
            quiz => context! {
                id => quiz.id.to_string(),
                title => quiz.title,
                module_id => quiz.module_id.map(|m| m.to_string()),
                pass_percent => quiz.pass_percent,
            },
            rows => to_value(&rows),
            items => to_value(&items),
            batches => course_batches,
            batch_id => q.batch_id.map(|b| b.to_string()),
            query => query,
        },
    )
}

/// The results table as CSV or XLSX.
async fn results_file(
    state: &AppState,
    user: &CurrentUser,
    quiz_id: Uuid,
    batch_id: Option<Uuid>,
    format: &str,
) -> AppResult<Response> {
    let (quiz, rows) = results::results(&state.engine, user, quiz_id, batch_id).await?;
    let (headers, rows) = export::table(&rows);
    let title = format!("hasil {}", quiz.title);
    crate::download::table_file(Some(format), &title, &headers, &rows)
}

#[handler]
pub async fn results_csv(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    Query(q): Query<ResultsQuery>,
) -> AppResult<Response> {
    results_file(&state, &user.0, id.0, q.batch_id, "csv").await
}

#[handler]
pub async fn results_xlsx(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    Query(q): Query<ResultsQuery>,
) -> AppResult<Response> {
    results_file(&state, &user.0, id.0, q.batch_id, "xlsx").await
}
