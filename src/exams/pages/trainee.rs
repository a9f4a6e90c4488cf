//! The candidate's exam pages: the exam with its start button (the attempt
//! itself is the quiz UI), the results once released, and the appeal form.

use minijinja::context;
use poem::handler;
use poem::web::{CsrfToken, CsrfVerifier, Data, Html, Multipart, Path, Query, Redirect};
use serde::Deserialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::exams::{appeals, files, results, setup, sitting};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, redirect_after, redirect_with};
use crate::http::state::AppState;
use crate::http::templates::to_value;

#[handler]
pub async fn my_exams(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
) -> AppResult<Html<String>> {
    let exams = sitting::mine(&state.engine, &user.0).await?;
    state.templates.page(
        "exam/mine.html",
        Some(&user.0),
        csrf,
        context! { exams => to_value(&exams) },
    )
}

/// Where an exam's attempt lands once handed in: the exam's own page.
#[handler]
pub async fn handed_in(
    state: Data<&AppState>,
    user: PageUser,
    assessment_id: Path<Uuid>,
) -> AppResult<Redirect> {
    let exam_id = sitting::exam_of_assessment(&state.engine, &user.0, assessment_id.0).await?;
    Ok(redirect_with(
        &format!("/exams/{exam_id}"),
        Ok(
            "Jawaban ujian Anda sudah dikumpulkan. Hasil diumumkan setelah penilaian selesai dan dirilis.",
        ),
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
    let info = sitting::info(&state.engine, &user.0, id.0).await?;
    let result = results::released_result(&state.engine, &user.0, id.0).await?;
    let loaded = setup::load(&state.engine, id.0).await?;
    let uploaded = files::mine(&state.engine, &user.0, id.0).await?;
    let uploads: Vec<_> = loaded
        .spec
        .tasks
        .iter()
        .filter_map(|t| {
            let rule = t.upload.as_ref()?;
            let unit = loaded.spec.unit(&t.unit).map(|u| u.title.clone());
            Some(context! {
                key => t.key.clone(),
                unit => unit,
                extensions => rule.extensions.join(", "),
                accept => rule.extensions.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(","),
                max_kib => rule.max_kib,
                file => to_value(uploaded.iter().find(|f| f.task_key == t.key)),
            })
        })
        .collect();
    state.templates.page(
        "exam/trainee.html",
        Some(&user.0),
        csrf,
        context! {
            exam => to_value(&info),
            result => to_value(&result),
            uploads => uploads,
            notice => q.notice,
            error => q.error,
        },
    )
}

#[derive(Deserialize)]
pub struct Empty {}

#[handler]
pub async fn start(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    _form: CheckedForm<Empty>,
) -> AppResult<Redirect> {
    match sitting::start(&state.engine, &user.0, id.0).await {
        Ok((attempt, _)) => Ok(Redirect::see_other(format!("/attempts/{}", attempt.id))),
        Err(AppError::Conflict { message, .. }) => {
            Ok(redirect_with(&format!("/exams/{}", id.0), Err(&message)))
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize)]
pub struct AppealForm {
    reason: String,
}

#[handler]
pub async fn appeal(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<AppealForm>,
) -> AppResult<Redirect> {
    let back = format!("/exams/{}", id.0);
    redirect_after(
        &back,
        appeals::submit(&state.engine, &user.0, id.0, &form.reason).await,
        |_| "Banding Anda diterima dan akan ditinjau asesor lain.".into(),
    )
}

/// A task's file from the exam page (multipart, with the CSRF field).
#[handler]
pub async fn upload_file(
    state: Data<&AppState>,
    user: PageUser,
    verifier: &CsrfVerifier,
    Path((id, key)): Path<(Uuid, String)>,
    multipart: Multipart,
) -> AppResult<Redirect> {
    let form = crate::http::upload::page_form(
        multipart,
        verifier,
        crate::exams::model::MAX_TASK_FILE_BYTES,
    )
    .await?;
    let back = format!("/exams/{id}");
    let Some(file) = form.file else {
        return Ok(redirect_with(
            &back,
            Err("Pilih berkas yang akan diunggah."),
        ));
    };
    let name = file.name.unwrap_or_else(|| "berkas".into());
    let bytes = file.bytes;
    redirect_after(
        &back,
        files::upload(&state.engine, &user.0, id, &key, &name, bytes).await,
        |saved| format!("Berkas {} tersimpan.", saved.file_name),
    )
}
