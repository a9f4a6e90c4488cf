//! The evaluation's use cases: the form a trainee fills, answering once,
//! a batch's results for administrators, and a course's questions.

use poem_openapi::Object;
use serde::Serialize;
use uuid::Uuid;

use super::model::{self, Answers, Form, Results, SCALE, Submission};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::clock;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::entities::{evaluation_closure, evaluation_form, evaluation_response};
use crate::error::{AppError, AppResult};
use crate::schedule::model::BatchStatus;
use crate::schedule::views::{BatchDetail, BatchView};

/// A course's questions in force: its own, or the shipped ones.
async fn form_of(db: &Db, course_id: Uuid) -> AppResult<(Form, bool)> {
    Ok(match store::form(db.read(), course_id).await? {
        Some(row) => match serde_json::from_str(&row.questions) {
            Ok(form) => (form, true),
            Err(err) => {
                tracing::warn!(course = %course_id, error = %err, "evaluation questions unreadable; the shipped ones apply");
                (Form::default(), false)
            }
        },
        None => (Form::default(), false),
    })
}

/// The narasumber of a batch's sessions, each once, in the order they teach.
fn speakers(detail: &BatchDetail) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in detail
        .sessions
        .iter()
        .filter_map(|s| s.instructor.as_deref())
    {
        let name = name.trim();
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// One step of the scale, as the form offers it.
#[derive(Debug, Clone, Serialize, Object)]
pub struct ScaleStep {
    pub value: u8,
    pub label: String,
}

/// The form as a trainee of the batch sees it.
#[derive(Debug, Clone, Serialize, Object)]
pub struct TraineeForm {
    pub batch: BatchView,
    pub questions: Form,
    /// The narasumber to rate, in order.
    pub speakers: Vec<String>,
    pub scale: Vec<ScaleStep>,
    /// The caller has already answered (once is all).
    pub answered: bool,
    /// Why the form cannot be filled now, if it cannot.
    pub closed_because: Option<String>,
}

/// The batch, for a trainee who holds a seat in it; 403 for anyone else
/// who may see it, 404 for who may not.
async fn seat(db: &Db, trainee: &CurrentUser, batch_id: Uuid) -> AppResult<BatchDetail> {
    trainee.require(Role::Trainee)?;
    let detail = crate::schedule::service::detail(db, trainee, batch_id).await?;
    match &detail.my_enrolment {
        Some(e) if e.status.is_participant() => Ok(detail),
        _ => Err(AppError::Forbidden),
    }
}

async fn closed(db: &Db, detail: &BatchDetail) -> AppResult<Option<String>> {
    Ok(model::closed_because(
        detail.batch.status == BatchStatus::Cancelled,
        store::closed(db.read(), detail.batch.id).await?,
        detail.batch.ends_on,
        clock::today_wib(),
    ))
}

pub async fn form_for(db: &Db, trainee: &CurrentUser, batch_id: Uuid) -> AppResult<TraineeForm> {
    let detail = seat(db, trainee, batch_id).await?;
    let (questions, _) = form_of(db, detail.batch.course_id).await?;
    let answered = store::answered(db.read(), batch_id, trainee.id).await?;
    Ok(TraineeForm {
        closed_because: closed(db, &detail).await?,
        speakers: speakers(&detail),
        batch: detail.batch,
        questions,
        scale: SCALE
            .iter()
            .map(|(value, label)| ScaleStep {
                value: *value,
                label: (*label).to_owned(),
            })
            .collect(),
        answered,
    })
}

/// Keeps a trainee's answers, without who gave them, and notes that they
/// answered; a second answer is refused.
pub async fn submit(
    db: &Db,
    trainee: &CurrentUser,
    batch_id: Uuid,
    sent: &Submission,
) -> AppResult<()> {
    let detail = seat(db, trainee, batch_id).await?;
    if let Some(why) = closed(db, &detail).await? {
        return Err(AppError::conflict(Conflict::EvaluationClosed, why));
    }
    let (questions, _) = form_of(db, detail.batch.course_id).await?;
    let answers: Answers =
        model::check(&questions, &speakers(&detail), sent).map_err(AppError::validation)?;
    let already = || {
        AppError::conflict(
            Conflict::AlreadyAnswered,
            "Anda sudah mengisi evaluasi angkatan ini; terima kasih.",
        )
    };
    let txn = db.begin_write().await?;
    store::insert_receipt(&txn, batch_id, trainee.id)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => already(),
            _ => AppError::from(e),
        })?;
    store::insert_response(
        &txn,
        evaluation_response::Model {
            id: Uuid::new_v4(),
            batch_id,
            submitted_on: clock::today_wib(),
            answers: serde_json::to_string(&answers)
                .map_err(|e| AppError::internal(e.to_string()))?,
        },
    )
    .await?;
    txn.commit().await.map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => already(),
        _ => AppError::from(e),
    })
}

/// A batch's evaluation results, for administrators.
#[derive(Debug, Clone, Serialize, Object)]
pub struct BatchEvaluation {
    pub batch: BatchView,
    /// Trainees who hold (or held to the end) a seat.
    pub participants: u32,
    pub minimum_shown: u32,
    /// No more answers are taken (closed by the organiser, or its 30 days
    /// are over, or the batch was cancelled).
    pub closed: bool,
    /// The last day trainees may answer, unless closed earlier.
    #[serde(with = "crate::clock::iso_date")]
    pub open_until: time::Date,
    pub results: Results,
}

/// Who sets a course's evaluation questions, reads the results and closes
/// a batch's evaluation: administrators. Pages ask it before their
/// confirmation box, so a forbidden role gets 403 first.
pub fn may_manage(user: &CurrentUser) -> AppResult<()> {
    user.require(Role::Admin)
}

pub async fn results(db: &Db, admin: &CurrentUser, batch_id: Uuid) -> AppResult<BatchEvaluation> {
    may_manage(admin)?;
    let detail = crate::schedule::service::detail(db, admin, batch_id).await?;
    let participants = detail
        .enrolments
        .iter()
        .flatten()
        .filter(|e| e.status.is_participant())
        .count() as u32;
    let all: Vec<Answers> = store::responses(db.read(), batch_id)
        .await?
        .iter()
        .filter_map(|r| serde_json::from_str(&r.answers).ok())
        .collect();
    let finished =
        closed(db, &detail).await?.is_some() && clock::today_wib() >= detail.batch.ends_on;
    let published = model::publishable(finished, all.len(), participants as usize);
    Ok(BatchEvaluation {
        open_until: detail.batch.ends_on + time::Duration::days(model::OPEN_DAYS_AFTER),
        batch: detail.batch,
        participants,
        minimum_shown: model::MIN_SHOWN as u32,
        closed: finished,
        results: model::results(&all, published),
    })
}

/// Closes a batch's evaluation (administrators): no more answers, and the
/// results, final now, are shown.
pub async fn close(db: &Db, admin: &CurrentUser, batch_id: Uuid) -> AppResult<()> {
    may_manage(admin)?;
    let detail = crate::schedule::service::detail(db, admin, batch_id).await?;
    if clock::today_wib() < detail.batch.ends_on {
        return Err(AppError::conflict(
            Conflict::EvaluationNotOpen,
            "Evaluasi baru dibuka pada hari terakhir Bimtek.",
        ));
    }
    store::close(
        db.write(),
        evaluation_closure::Model {
            batch_id,
            closed_at: clock::now(),
            closed_by: Some(admin.id),
        },
    )
    .await
}

/// A course's questions, for administrators: in force, and whether the
/// course has its own.
pub async fn course_form(db: &Db, admin: &CurrentUser, course_id: Uuid) -> AppResult<(Form, bool)> {
    may_manage(admin)?;
    crate::catalog::service::get_course(db, admin, course_id).await?;
    form_of(db, course_id).await
}

/// Replaces a course's questions; answers already given keep theirs.
pub async fn save_course_form(
    db: &Db,
    admin: &CurrentUser,
    course_id: Uuid,
    form: Form,
) -> AppResult<()> {
    may_manage(admin)?;
    crate::catalog::service::get_course(db, admin, course_id).await?;
    store::save_form(
        db.write(),
        evaluation_form::Model {
            course_id,
            questions: serde_json::to_string(&form)
                .map_err(|e| AppError::internal(e.to_string()))?,
            updated_at: clock::now(),
            updated_by: Some(admin.id),
        },
    )
    .await
}

pub async fn reset_course_form(db: &Db, admin: &CurrentUser, course_id: Uuid) -> AppResult<()> {
    may_manage(admin)?;
    crate::catalog::service::get_course(db, admin, course_id).await?;
    store::delete_form(db.write(), course_id).await
}
