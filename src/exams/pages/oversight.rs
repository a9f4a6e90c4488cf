//! The administrators' oversight pages of an exam: its audit trail, and
//! the markers page (what each candidate's result still lacks, naming or
//! replacing a marker or moderator).

use minijinja::context;
use poem::handler;
use poem::web::{CsrfToken, Data, Html, Path, Query, Redirect};
use serde::Deserialize;
use uuid::Uuid;

use crate::accounts::model::Role;
use crate::error::AppResult;
use crate::exams::markers::{self, NameMarker};
use crate::exams::model::MarkRound;
use crate::exams::{history, setup};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, redirect_after, redirect_with};
use crate::http::state::AppState;
use crate::http::templates::to_value;

#[handler]
pub async fn audit_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
) -> AppResult<Html<String>> {
    let audit = history::exam_audit(&state.engine, &user.0, id.0).await?;
    state.templates.page(
        "exam/admin_audit.html",
        Some(&user.0),
        &csrf.0,
        context! { audit => to_value(&audit) },
    )
}

/// Active assessors to choose from: id, name and unit kerja.
pub async fn assessor_options(state: &AppState) -> AppResult<Vec<minijinja::Value>> {
    let found = crate::accounts::lookup::active_holding(state.db.read(), Role::Assessor).await?;
    Ok(found
        .iter()
        .map(|u| context! { id => u.id.to_string(), name => u.name.clone(), unit_kerja => u.unit_kerja.clone() })
        .collect())
}

#[handler]
pub async fn markers_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(q): Query<Flash>,
) -> AppResult<Html<String>> {
    let loaded = setup::to_manage(&state.engine, &user.0, id.0).await?;
    let board = markers::board(&state.engine, &user.0, id.0).await?;
    state.templates.page(
        "exam/admin_markers.html",
        Some(&user.0),
        &csrf.0,
        context! {
            exam => context! { id => loaded.row.id.to_string(), title => loaded.row.title.clone() },
            board => to_value(&board),
            assessor_options => assessor_options(&state).await?,
            notice => q.notice,
            error => q.error,
        },
    )
}

/// One round of one candidate's task, as the forms send it:
/// `{candidate code}|{task key}|{round}`.
#[derive(Deserialize)]
pub struct NameForm {
    slot: String,
    assessor_id: String,
    #[serde(default)]
    reason: String,
    /// Ticked to confirm a replacement (the current draft is dropped).
    confirm: Option<String>,
    /// Present when the form replaces someone's item.
    replace: Option<String>,
}

#[handler]
pub async fn name_marker(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<NameForm>,
) -> AppResult<Redirect> {
    let back = format!("/admin/exams/{}/markers", id.0);
    let mut parts = form.slot.splitn(3, '|');
    let (Some(code), Some(task), Some(round)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(redirect_with(&back, Err("Pilih butir penilaian.")));
    };
    let Some(round) = MarkRound::parse(round) else {
        return Ok(redirect_with(&back, Err("Pilih butir penilaian.")));
    };
    let Ok(assessor_id) = Uuid::parse_str(form.assessor_id.trim()) else {
        return Ok(redirect_with(&back, Err("Pilih asesor.")));
    };
    if form.replace.is_some() && form.confirm.is_none() {
        return Ok(redirect_with(
            &back,
            Err("Centang konfirmasi: draf penilai sebelumnya tidak dipakai lagi."),
        ));
    }
    let input = NameMarker {
        candidate_code: code.to_owned(),
        task_key: task.to_owned(),
        round,
        assessor_id,
        reason: form.reason,
    };
    redirect_after(
        &back,
        markers::name_marker(&state.engine, &user.0, id.0, input).await,
        |row| {
            format!(
                "{} untuk {} ({}) kini {}.",
                row.round_label, row.candidate_code, row.task_key, row.assessor_name
            )
        },
    )
}
