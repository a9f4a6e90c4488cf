//! The evaluation on pages: the trainee's form (a phone is the usual
//! device), the batch's results for administrators with their download,
//! and a course's questions.

use std::collections::HashMap;

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path, Query};
use poem::{IntoResponse, Response, Route, get, handler, post};
use serde::Deserialize;
use uuid::Uuid;

use super::model::{Form, Submission, parse_form, table};
use super::service;
use crate::accounts::model::CurrentUser;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, redirect_with, saved_or_redisplay, unprocessable};
use crate::http::state::AppState;
use crate::http::templates::to_value;

/// This capability's pages.
pub fn routes(route: Route) -> Route {
    route
        .at(
            "/my/batches/:id/evaluasi",
            get(trainee_form).post(trainee_submit),
        )
        .at("/admin/batches/:id/evaluasi", get(results_page))
        .at("/admin/batches/:id/evaluasi/unduh", get(results_download))
        .at("/admin/batches/:id/evaluasi/tutup", post(close))
        .at(
            "/admin/courses/:id/evaluasi",
            get(questions_page).post(questions_save),
        )
        .at("/admin/courses/:id/evaluasi/bawaan", post(questions_reset))
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    batch_id: Uuid,
    sent: &HashMap<String, String>,
    errors: Vec<FieldError>,
) -> AppResult<Html<String>> {
    let form = service::form_for(&state.db, user, batch_id).await?;
    state.templates.page(
        "my/evaluation.html",
        Some(user),
        csrf,
        context! {
            form => to_value(&form),
            sent => to_value(sent),
            errors => to_value(&errors),
        },
    )
}

#[handler]
pub async fn trainee_form(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
) -> AppResult<Html<String>> {
    form_page(&state, &user.0, csrf, id.0, &HashMap::new(), Vec::new()).await
}

/// The form's fields (`org_0`, `spk_1_2`, `comment`) as a submission; a
/// statement left unanswered scores 0, which the check names.
fn submission(
    fields: &HashMap<String, String>,
    statements: usize,
    speakers: usize,
    per_speaker: usize,
) -> Submission {
    let score = |key: String| {
        fields
            .get(&key)
            .and_then(|v| v.trim().parse::<u8>().ok())
            .unwrap_or(0)
    };
    Submission {
        organisation: (0..statements).map(|i| score(format!("org_{i}"))).collect(),
        speakers: (0..speakers)
            .map(|s| {
                (0..per_speaker)
                    .map(|i| score(format!("spk_{s}_{i}")))
                    .collect()
            })
            .collect(),
        comment: fields.get("comment").cloned(),
    }
}

#[handler]
pub async fn trainee_submit(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(fields): CheckedForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let form = service::form_for(&state.db, &user.0, id.0).await?;
    let sent = submission(
        &fields,
        form.questions.organisation.len(),
        form.speakers.len(),
        form.questions.speaker.len(),
    );
    match service::submit(&state.db, &user.0, id.0, &sent).await {
        Ok(()) => Ok(redirect_with(
            "/my/batches",
            Ok("Terima kasih, evaluasi Anda tersimpan tanpa nama Anda."),
        )
        .into_response()),
        Err(AppError::Validation { details, .. }) => Ok(unprocessable(
            form_page(&state, &user.0, csrf, id.0, &fields, details).await?,
        )),
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with("/my/batches", Err(&message)).into_response())
        }
        Err(err) => Err(err),
    }
}

#[handler]
pub async fn results_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(flash): Query<Flash>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    let evaluation = service::results(&state.db, user, id.0).await?;
    state.templates.page(
        "admin/evaluation_results.html",
        Some(user),
        csrf,
        context! {
            evaluation => to_value(&evaluation),
            notice => flash.notice,
            error => flash.error,
        },
    )
}

#[handler]
pub async fn results_download(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    Query(q): Query<crate::download::DownloadQuery>,
) -> AppResult<Response> {
    let user = &user.0;
    let evaluation = service::results(&state.db, user, id.0).await?;
    let (headers, rows) = table(&evaluation.results);
    let title = format!(
        "evaluasi {} {}",
        evaluation.batch.course_code, evaluation.batch.name
    );
    crate::download::table_file(q.format.as_deref(), &title, &headers, &rows)
}

async fn questions_view(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    course_id: Uuid,
    shown: Option<(String, String)>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Html<String>> {
    let (form, own): (Form, bool) = service::course_form(&state.db, user, course_id).await?;
    let course = crate::catalog::service::get_course(&state.db, user, course_id).await?;
    let (organisation, speaker) =
        shown.unwrap_or_else(|| (form.organisation.join("\n"), form.speaker.join("\n")));
    state.templates.page(
        "admin/evaluation_form.html",
        Some(user),
        csrf,
        context! {
            course => to_value(&course),
            organisation,
            speaker,
            own,
            errors => to_value(&errors),
            notice,
        },
    )
}

#[handler]
pub async fn questions_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(flash): Query<Flash>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    questions_view(&state, user, csrf, id.0, None, Vec::new(), flash.notice).await
}

#[derive(Deserialize)]
pub struct QuestionsForm {
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    speaker: String,
}

#[handler]
pub async fn questions_save(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<QuestionsForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let outcome = match parse_form(&form.organisation, &form.speaker) {
        Ok(parsed) => service::save_course_form(&state.db, user, id.0, parsed).await,
        Err(errors) => Err(AppError::validation(errors)),
    };
    saved_or_redisplay(
        outcome,
        &format!("/admin/courses/{}/evaluasi", id.0),
        "Pertanyaan evaluasi disimpan; jawaban yang sudah masuk tidak berubah.",
        |details| {
            questions_view(
                &state,
                user,
                csrf,
                id.0,
                Some((form.organisation, form.speaker)),
                details,
                None,
            )
        },
    )
    .await
}

#[handler]
pub async fn questions_reset(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = &user.0;
    service::may_manage(user)?;
    let back = format!("/admin/courses/{}/evaluasi", id.0);
    if !form.contains_key("confirm") {
        return Ok(redirect_with(
            &back,
            Err("Centang konfirmasi untuk kembali ke pertanyaan bawaan: pertanyaan kursus ini akan hilang."),
        )
        .into_response());
    }
    service::reset_course_form(&state.db, user, id.0).await?;
    Ok(redirect_with(&back, Ok("Pertanyaan evaluasi kembali ke bawaan.")).into_response())
}

#[handler]
pub async fn close(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<HashMap<String, String>>,
) -> AppResult<Response> {
    let user = &user.0;
    service::may_manage(user)?;
    let back = format!("/admin/batches/{}/evaluasi", id.0);
    if !form.contains_key("confirm") {
        return Ok(redirect_with(
            &back,
            Err("Centang konfirmasi untuk menutup evaluasi: peserta tidak dapat mengisi lagi."),
        )
        .into_response());
    }
    match service::close(&state.db, user, id.0).await {
        Ok(()) => Ok(
            redirect_with(&back, Ok("Evaluasi ditutup; rekap final ditampilkan.")).into_response(),
        ),
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with(&back, Err(&message)).into_response())
        }
        Err(err) => Err(err),
    }
}
