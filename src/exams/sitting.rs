//! A candidate sitting an exam: what they see before starting, starting
//! through the attempt engine, and the length limits of task answers.

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::codes::code_for;
use super::setup::{Loaded, load};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::attempts::model::AttemptStatus;
use crate::attempts::service;
use crate::attempts::views::AttemptView;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::error::{AppError, AppResult};

/// Starts (or resumes) the caller's exam attempt and gives them a code.
pub async fn start(
    engine: &Engine,
    user: &CurrentUser,
    exam_id: Uuid,
) -> AppResult<(AttemptView, bool)> {
    let loaded = load(engine, exam_id).await?;
    if loaded.row.released_at.is_some() {
        return Err(AppError::conflict(
            Conflict::ResultsReleased,
            "Hasil ujian ini sudah dirilis; ujian tidak dapat dikerjakan lagi.",
        ));
    }
    let limits = loaded
        .spec
        .tasks
        .iter()
        .filter_map(|task| Some((task.answer_limit()?, task)))
        .flat_map(|(limit, task)| task.questions().map(move |q| (q.to_string(), limit)))
        .collect();
    let started = service::start_exam_attempt(engine, user, loaded.assessment.id, &limits).await?;
    code_for(engine, &loaded, user.id).await?;
    Ok(started)
}

/// What a trainee sees of an exam they are enrolled for.
#[derive(Debug, Clone, Serialize, Object)]
pub struct ExamInfo {
    pub id: Uuid,
    pub title: String,
    pub time_limit_minutes: Option<i32>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub opens_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closes_at: Option<OffsetDateTime>,
    pub units: Vec<String>,
    pub tasks: usize,
    pub attempt_id: Option<Uuid>,
    /// `open`, `submitted` or `graded` once started.
    pub attempt_status: Option<AttemptStatus>,
    pub released: bool,
}

async fn info_of(engine: &Engine, loaded: &Loaded, user_id: Uuid) -> AppResult<ExamInfo> {
    let window = crate::attempts::lookup::window_of(
        engine.db.read(),
        loaded.assessment.id,
        loaded.row.batch_id,
    )
    .await?;
    let attempt =
        crate::attempts::lookup::latest_attempt(engine.db.read(), loaded.assessment.id, user_id)
            .await?;
    Ok(ExamInfo {
        id: loaded.row.id,
        title: loaded.row.title.clone(),
        time_limit_minutes: loaded.assessment.time_limit_seconds.map(|s| s / 60),
        opens_at: window.as_ref().and_then(|w| w.opens_at),
        closes_at: window.as_ref().and_then(|w| w.closes_at),
        units: loaded.spec.units.iter().map(|u| u.title.clone()).collect(),
        tasks: loaded.spec.tasks.len(),
        attempt_id: attempt.as_ref().map(|a| a.id),
        attempt_status: attempt.as_ref().map(|a| a.status),
        released: loaded.row.released_at.is_some(),
    })
}

/// The exam an attempt's assessment belongs to, for whoever may see it:
/// an exam attempt's result page hands over to the exam's own page.
pub async fn exam_of_assessment(
    engine: &Engine,
    user: &CurrentUser,
    assessment_id: Uuid,
) -> AppResult<Uuid> {
    let exam = store::exam_of_assessment(engine.db.read(), assessment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(info(engine, user, exam.id).await?.id)
}

/// The exam for a trainee seated in its batch, or an administrator.
pub async fn info(engine: &Engine, user: &CurrentUser, exam_id: Uuid) -> AppResult<ExamInfo> {
    let loaded = load(engine, exam_id).await?;
    if !user.has(Role::Admin) && !seated(engine, &loaded, user.id).await? {
        return Err(AppError::NotFound);
    }
    info_of(engine, &loaded, user.id).await
}

/// Holds a seat in the exam's own batch (enrolled, batch not cancelled).
async fn seated(engine: &Engine, loaded: &Loaded, user_id: Uuid) -> AppResult<bool> {
    use crate::schedule::model::Admission;
    let batch_id = loaded.row.batch_id;
    let only_its_batch = |b: &crate::entities::batch::Model| {
        if b.id == batch_id {
            Admission::Now
        } else {
            Admission::Never
        }
    };
    Ok(crate::schedule::seats::seat(
        &engine.db,
        user_id,
        loaded.assessment.course_id,
        only_its_batch,
    )
    .await?
    .is_some())
}

/// The exams of the caller's batches.
pub async fn mine(engine: &Engine, user: &CurrentUser) -> AppResult<Vec<ExamInfo>> {
    let batch_ids: Vec<Uuid> = crate::schedule::seats::seated_batches(&engine.db, user.id)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let mut out = Vec::new();
    for row in store::exams_of_batches(engine.db.read(), &batch_ids).await? {
        let loaded = load(engine, row.id).await?;
        out.push(info_of(engine, &loaded, user.id).await?);
    }
    Ok(out)
}
