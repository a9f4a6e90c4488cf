//! The administrators' exam pages: building an exam from a template,
//! assessors, grading progress, release, the results matrix and appeals.

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::model::CurrentUser;
use crate::attempts::pages::quiz_form::parse_local;
use crate::error::{AppError, AppResult, FieldError};
use crate::exams::assessors::{self, AssessorInput};
use crate::exams::setup::{self, ExamInput};
use crate::exams::{appeals, results};
use crate::http::auth::PageUser;
use crate::http::csrf::{CheckedForm, CheckedPairs};
use crate::http::pages::{Flash, redirect_after, redirect_with, unconfirmed, unprocessable};
use crate::http::state::AppState;
use crate::http::templates::to_value;
use crate::schedule::lookup::find_batches as batches;
use crate::schedule::model::BatchFilter;

#[derive(Deserialize, Default, serde::Serialize)]
pub struct NewExamForm {
    batch_id: String,
    template: String,
    opens_at: String,
    closes_at: String,
}

/// What the two forms of the list page hold (kept when shown again).
#[derive(Default)]
struct ListForms {
    template: NewExamForm,
    json: JsonExamForm,
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    forms: ListForms,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Html<String>> {
    let rows = setup::rows(&state.engine, user).await?;
    let mut json = forms.json;
    if json.spec.trim().is_empty() {
        json.spec = setup::template_source("humas_penulisan")
            .unwrap_or_default()
            .to_owned();
    }
    let all_batches = batches(state.db.read(), &BatchFilter::default()).await?;
    let mut exams = Vec::new();
    for row in rows {
        let batch = all_batches.iter().find(|b| b.id == row.batch_id);
        exams.push(context! {
            id => row.id.to_string(),
            title => row.title,
            batch => batch.map(|b| b.name.clone()),
            released => row.released_at.is_some(),
        });
    }
    let batch_options: Vec<_> = all_batches
        .iter()
        .map(|b| context! { id => b.id.to_string(), name => b.name.clone(), starts_on => b.starts_on.to_string() })
        .collect();
    state.templates.page(
        "exam/admin_list.html",
        Some(user),
        csrf,
        context! {
            exams => exams,
            batches => batch_options,
            templates => to_value(setup::templates()),
            form => to_value(&forms.template),
            json_form => to_value(&json),
            errors => to_value(&errors),
            notice => notice,
        },
    )
}

#[handler]
pub async fn exam_list(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    list_page(
        &state,
        &user.0,
        &csrf.0,
        ListForms::default(),
        Vec::new(),
        q.notice,
    )
    .await
}

#[handler]
pub async fn create_exam(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<NewExamForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let (batch_id, opens_at, closes_at) =
        batch_and_window(&form.batch_id, &form.opens_at, &form.closes_at, &mut errors);
    if form.template.trim().is_empty() {
        errors.push(FieldError::new("template", "pilih templat"));
    }
    let input = ExamInput {
        batch_id,
        template: Some(form.template.trim().to_owned()),
        opens_at,
        closes_at,
        ..ExamInput::default()
    };
    let keep = ListForms {
        template: form,
        ..ListForms::default()
    };
    let done = "Ujian dibuat. Tetapkan asesornya di bawah.";
    create_or_redisplay(&state, &user.0, &csrf.0, Some(input), errors, done, keep).await
}

/// The batch and the window both new-exam forms ask for; each problem is
/// added to `errors` on its field.
fn batch_and_window(
    batch_id: &str,
    opens_at: &str,
    closes_at: &str,
    errors: &mut Vec<FieldError>,
) -> (Option<Uuid>, Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let batch_id = Uuid::parse_str(batch_id.trim()).ok();
    if batch_id.is_none() {
        errors.push(FieldError::new("batch_id", "pilih angkatan"));
    }
    let opens_at = parse_local(opens_at, "opens_at", errors);
    let closes_at = parse_local(closes_at, "closes_at", errors);
    (batch_id, opens_at, closes_at)
}

/// Creates the exam when the form had no errors and goes to its page;
/// otherwise the list again (422) with the form as sent and every error.
async fn create_or_redisplay(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    input: Option<ExamInput>,
    mut errors: Vec<FieldError>,
    done: &str,
    keep: ListForms,
) -> AppResult<Response> {
    if let (true, Some(input)) = (errors.is_empty(), input) {
        match setup::create(&state.engine, user, input).await {
            Ok(exam) => {
                return Ok(
                    redirect_with(&format!("/admin/exams/{}", exam.id), Ok(done)).into_response(),
                );
            }
            Err(AppError::Validation { details, .. }) => errors = details,
            Err(other) => return Err(other),
        }
    }
    Ok(unprocessable(
        list_page(state, user, csrf, keep, errors, None).await?,
    ))
}

#[handler]
pub async fn exam_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    let loaded = setup::to_manage(&state.engine, &user.0, id.0).await?;
    let exam = setup::view(&state.engine, &loaded).await?;
    let assessors = assessors::assessors_of(&state.engine, &loaded).await?;
    let matrix = results::matrix(&state.engine, &user.0, id.0).await?;
    let appeal_rows = appeals::list(&state.engine, &user.0, id.0).await?;
    let blocked: Vec<_> = crate::exams::markers::missing(&state.engine, &loaded)
        .await?
        .into_iter()
        .filter(|m| m.needs_admin)
        .collect();
    let assessor_options = super::oversight::assessor_options(&state).await?;
    let batch = crate::schedule::lookup::find_batch(state.db.read(), loaded.row.batch_id).await?;
    state.templates.page(
        "exam/admin_exam.html",
        Some(&user.0),
        &csrf.0,
        context! {
            exam => to_value(&exam),
            batch_name => batch.map(|b| b.name),
            assessors => to_value(&assessors),
            assessor_options => assessor_options,
            matrix => to_value(&matrix),
            appeals => to_value(&appeal_rows),
            blocked => to_value(&blocked),
            notice => q.notice,
            error => q.error,
        },
    )
}

/// The assessor form: `user_id`, `lead` and any number of `unit` fields.
#[handler]
pub async fn assign_assessor(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedPairs(pairs): CheckedPairs,
) -> AppResult<Redirect> {
    let back = format!("/admin/exams/{}", id.0);
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let Some(user_id) = value("user_id").and_then(|v| Uuid::parse_str(&v).ok()) else {
        return Ok(redirect_with(&back, Err("Pilih asesor.")));
    };
    let input = AssessorInput {
        user_id,
        units: pairs
            .iter()
            .filter(|(k, _)| k == "unit")
            .map(|(_, v)| v.clone())
            .collect(),
        lead: value("lead").is_some_and(|v| v == "on" || v == "true"),
    };
    redirect_after(
        &back,
        assessors::assign(&state.engine, &user.0, id.0, vec![input]).await,
        |_| "Asesor disimpan.".into(),
    )
}

#[derive(Deserialize)]
pub struct ReleaseForm {
    /// The confirmation box: released results cannot be taken back.
    confirm: Option<String>,
}

#[handler]
pub async fn release(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<ReleaseForm>,
) -> AppResult<Redirect> {
    let back = format!("/admin/exams/{}", id.0);
    if let Some(refused) = unconfirmed(
        &form.confirm,
        &back,
        "Centang konfirmasi untuk merilis hasil: setelah dirilis, hasil tidak dapat ditarik kembali.",
    ) {
        return refused;
    }
    redirect_after(
        &back,
        results::release(&state.engine, &user.0, id.0).await,
        |_| "Hasil dirilis; peserta kini dapat melihatnya.".into(),
    )
}

#[derive(Deserialize)]
pub struct AssignForm {
    assessor_id: String,
}

#[handler]
pub async fn assign_appeal(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<AssignForm>,
) -> AppResult<Redirect> {
    let appeal = appeals::find(&state.engine, &user.0, id.0).await?;
    let back = format!("/admin/exams/{}", appeal.exam_id);
    let Ok(assessor_id) = Uuid::parse_str(form.assessor_id.trim()) else {
        return Ok(redirect_with(&back, Err("Pilih asesor banding.")));
    };
    redirect_after(
        &back,
        appeals::assign(&state.engine, &user.0, id.0, assessor_id).await,
        |_| "Banding diserahkan kepada asesor.".into(),
    )
}

#[derive(Deserialize, Default, serde::Serialize)]
pub struct JsonExamForm {
    batch_id: String,
    opens_at: String,
    closes_at: String,
    spec: String,
}

/// Builds an exam from a JSON spec pasted in the page (a template adapted
/// in place); every problem is listed with its field, or line and column.
#[handler]
pub async fn create_from_json(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<JsonExamForm>,
) -> AppResult<Response> {
    let mut errors = Vec::new();
    let (batch_id, opens_at, closes_at) =
        batch_and_window(&form.batch_id, &form.opens_at, &form.closes_at, &mut errors);
    // The page's batch and window win over anything in the JSON.
    let input: Option<ExamInput> = match serde_json::from_str::<ExamInput>(&form.spec) {
        Ok(spec) => Some(ExamInput {
            batch_id,
            opens_at,
            closes_at,
            ..spec
        }),
        Err(e) => {
            errors.push(FieldError::new(
                "spec",
                format!("JSON baris {} kolom {}: {e}", e.line(), e.column()),
            ));
            None
        }
    };
    let keep = ListForms {
        json: form,
        ..ListForms::default()
    };
    let done = "Ujian dibuat dari JSON. Tetapkan asesornya di bawah.";
    create_or_redisplay(&state, &user.0, &csrf.0, input, errors, done, keep).await
}
