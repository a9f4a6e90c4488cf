//! Marking quiz essays by hand: the queue of essay answers waiting for a
//! mark (admins and assessors; the trainee shown by a code only, as in the
//! exam queue), and a mark in points that grades the attempt once its last
//! essay is marked, so the kept grade and the course's required-quiz rule
//! see it. Every mark is audited.

use std::sync::Arc;

use poem_openapi::Object;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::essays::{MarkRefusal, candidate_code, record, waiting};
use super::model::{Answer, AssessmentKind, AttemptStatus, Mark};
use super::parts::{Finished, attempt_open, find_assessment, finished_parts, questions_of, shape};
use super::store::{self, Grade};
use crate::accounts::model::{CurrentUser, Role};
use crate::audit;
use crate::banks::model::{Question, QuestionType};
use crate::clock;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::attempt;
use crate::error::{AppError, AppResult};

/// One essay answer waiting for a mark.
#[derive(Debug, Clone, Serialize, Object)]
pub struct EssayItem {
    pub attempt_id: Uuid,
    /// The question version answered (with `attempt_id`, what a mark names).
    pub question_id: Uuid,
    pub quiz_id: Uuid,
    pub quiz_title: String,
    /// e.g. `KZ-3F9A2C`: never a name, NIP or unit kerja.
    pub candidate_code: String,
    /// The question's place in the attempt (1-based).
    pub number: u32,
    pub prompt_html: String,
    /// `null` when the trainee wrote nothing.
    pub response_text: Option<String>,
    pub max_points: f64,
    /// The points it was given, once marked (only an administrator sees a
    /// marked essay, to correct it).
    pub marked_points: Option<f64>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
}

/// A hand mark: points out of the question's, and a comment. With a
/// `reason` it corrects an earlier mark (administrators only).
#[derive(Debug, Clone)]
pub struct EssayMark {
    pub points: f64,
    pub comment: Option<String>,
    pub reason: Option<String>,
}

/// The attempt after a mark.
#[derive(Debug, Clone, Serialize, Object)]
pub struct MarkedEssay {
    pub attempt_id: Uuid,
    pub question_id: Uuid,
    pub points: f64,
    pub max_points: f64,
    /// `graded` once no essay of the attempt waits any more.
    pub attempt_status: AttemptStatus,
    /// Essays of the attempt still waiting.
    pub remaining: u32,
    /// Set once graded.
    pub score: Option<f64>,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
}

/// Admins and assessors mark quiz essays.
fn may_mark(user: &CurrentUser) -> AppResult<()> {
    if user.has(Role::Admin) || user.has(Role::Assessor) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(super) fn marks_of(row: &attempt::Model) -> Vec<Mark> {
    row.marks
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default()
}

fn is_essay(question: Option<&Arc<Question>>) -> bool {
    question.is_some_and(|q| q.kind() == QuestionType::Essay)
}

async fn code_secret(engine: &Engine) -> AppResult<[u8; 32]> {
    crate::secrets::load_or_create(&engine.db, "quiz-essay-codes").await
}

/// The waiting essays of one attempt as queue items.
async fn items_of(
    engine: &Engine,
    secret: &[u8; 32],
    row: &attempt::Model,
    only: Option<Uuid>,
    include_marked: bool,
) -> AppResult<Vec<EssayItem>> {
    let quiz = find_assessment(&engine.db, row.assessment_id).await?;
    let shape = shape(engine, row).await?;
    let questions = questions_of(engine, &shape).await?;
    let marks = marks_of(row);
    let mut items = Vec::new();
    let shown = marks
        .iter()
        .filter(|m| include_marked || m.fraction.is_none())
        .filter(|m| only.is_none_or(|q| q == m.question_id));
    for mark in shown {
        let question = questions.get(&mark.question_id);
        let Some(question) = question.filter(|_| is_essay(question)) else {
            continue;
        };
        let number = shape
            .slots
            .iter()
            .position(|s| s.question_id == mark.question_id)
            .map_or(0, |i| i as u32 + 1);
        let response_text = store::answer(engine.db.read(), row.id, mark.question_id)
            .await?
            .and_then(|a| serde_json::from_str::<Answer>(&a.response).ok())
            .and_then(|r| r.text().map(str::to_owned))
            .filter(|t| !t.trim().is_empty());
        let rendered = engine.caches.rendered(mark.question_id, question);
        items.push(EssayItem {
            attempt_id: row.id,
            question_id: mark.question_id,
            quiz_id: quiz.id,
            quiz_title: quiz.title.clone(),
            candidate_code: candidate_code(secret, row.id),
            number,
            prompt_html: rendered.text_html().to_owned(),
            response_text,
            max_points: mark.points,
            marked_points: mark.fraction.map(|f| f * mark.points),
            submitted_at: row.submitted_at,
        });
    }
    Ok(items)
}

/// Every quiz essay answer waiting for a mark, oldest attempt first.
pub async fn queue(engine: &Engine, user: &CurrentUser) -> AppResult<Vec<EssayItem>> {
    may_mark(user)?;
    let secret = code_secret(engine).await?;
    let mut items = Vec::new();
    for row in store::quiz_attempts_awaiting_marks(engine.db.read())
        .await?
        .into_iter()
        .filter(|row| row.user_id != user.id)
    {
        items.extend(items_of(engine, &secret, &row, None, false).await?);
    }
    Ok(items)
}

/// A quiz attempt a marker may mark in (an exam's: 404, it has its own queue).
/// Someone holding both the trainee and the assessor role never sees or
/// marks their own attempt: 404, as for anyone else's object they may not reach.
async fn quiz_attempt(
    engine: &Engine,
    user: &CurrentUser,
    attempt_id: Uuid,
) -> AppResult<attempt::Model> {
    let row = store::attempt(engine.db.read(), attempt_id)
        .await?
        .filter(|row| row.user_id != user.id)
        .ok_or(AppError::NotFound)?;
    if find_assessment(&engine.db, row.assessment_id).await?.kind != AssessmentKind::Quiz {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// One waiting essay answer.
pub async fn item(
    engine: &Engine,
    user: &CurrentUser,
    attempt_id: Uuid,
    question_id: Uuid,
) -> AppResult<EssayItem> {
    may_mark(user)?;
    let row = quiz_attempt(engine, user, attempt_id).await?;
    let secret = code_secret(engine).await?;
    let correcting = user.has(Role::Admin);
    items_of(engine, &secret, &row, Some(question_id), correcting)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| refusal(&row, question_id))
}

/// Every essay answer of one finished quiz attempt, marked or waiting
/// (administrators, to find a mark to correct).
pub async fn attempt_essays(
    engine: &Engine,
    user: &CurrentUser,
    attempt_id: Uuid,
) -> AppResult<Vec<EssayItem>> {
    user.require(Role::Admin)?;
    let row = quiz_attempt(engine, user, attempt_id).await?;
    let secret = code_secret(engine).await?;
    items_of(engine, &secret, &row, None, true).await
}

/// Why an essay of `row` is not in the queue: marked already, or nothing to mark.
fn refusal(row: &attempt::Model, question_id: Uuid) -> AppError {
    let marked = marks_of(row)
        .iter()
        .any(|m| m.question_id == question_id && m.fraction.is_some());
    if row.status == AttemptStatus::Open {
        attempt_open()
    } else if marked {
        already_marked()
    } else {
        AppError::NotFound
    }
}

fn already_marked() -> AppError {
    AppError::conflict(
        Conflict::AlreadyMarked,
        "Esai ini sudah dinilai; perubahan nilai melalui penilaian ulang oleh admin.",
    )
}

/// Records a mark; the last essay of the attempt grades it (score,
/// passed or failed). Audited with the marker, old and new grade, and the comment.
pub async fn mark(
    engine: &Engine,
    user: &CurrentUser,
    attempt_id: Uuid,
    question_id: Uuid,
    input: EssayMark,
) -> AppResult<MarkedEssay> {
    may_mark(user)?;
    let reason = input
        .reason
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if let Some(reason) = &reason {
        // Changing a mark is an administrator's decision, with its reason.
        user.require(Role::Admin)?;
        if reason.chars().count() < 5 {
            return Err(AppError::invalid_field("reason", "minimal 5 karakter"));
        }
        if reason.chars().count() > 2000 {
            return Err(AppError::invalid_field("reason", "maksimal 2.000 karakter"));
        }
    }
    let correction = reason.is_some();
    let row = quiz_attempt(engine, user, attempt_id).await?;
    let Finished {
        quiz,
        shape: _,
        questions,
    } = finished_parts(engine, &row).await?;
    let essay = is_essay(questions.get(&question_id));
    let comment = input
        .comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 5000) {
        return Err(AppError::invalid_field(
            "comment",
            "maksimal 5.000 karakter",
        ));
    }
    let pass_percent = quiz.pass_percent;
    let actor = user.id;
    let points = input.points;
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                // Read again under the writer (and a row lock on PostgreSQL):
                // two markers at once must not both mark, nor lose a mark.
                let current = store::attempt_for_update(txn, attempt_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let before = marks_of(&current);
                let old_points = before
                    .iter()
                    .find(|m| m.question_id == question_id)
                    .and_then(|m| m.fraction.map(|f| f * m.points));
                let marks = record(&before, question_id, essay, points, correction).map_err(|r| match r {
                    MarkRefusal::NotWaiting => AppError::NotFound,
                    MarkRefusal::AlreadyMarked => already_marked(),
                    MarkRefusal::Invalid(e) => AppError::validation(vec![e]),
                })?;
                let remaining = waiting(&marks).count() as u32;
                let grade = Grade::of(&marks, pass_percent, clock::now())?;
                let (status, score, percent, passed) =
                    (grade.status, grade.score, grade.percent, grade.passed);
                let complete = status == AttemptStatus::Graded;
                store::set_grade(txn, attempt_id, grade).await?;
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: if correction {
                            "attempt.essay_mark_corrected"
                        } else {
                            "attempt.essay_mark"
                        },
                        object_type: "attempt",
                        object_id: attempt_id,
                        old: Some(json!({ "question_id": question_id, "points": old_points, "status": current.status, "score": current.score })),
                        new: Some(json!({ "question_id": question_id, "points": points, "comment": comment, "status": status.as_str(), "score": score, "percent": percent, "passed": passed })),
                        reason: reason.as_deref().or(comment.as_deref()),
                    },
                )
                .await?;
                let max_points = before
                    .iter()
                    .find(|m| m.question_id == question_id)
                    .map_or(0.0, |m| m.points);
                Ok(MarkedEssay {
                    attempt_id,
                    question_id,
                    points,
                    max_points,
                    attempt_status: status,
                    remaining,
                    score: complete.then_some(score),
                    percent: complete.then_some(percent),
                    passed,
                })
            })
        })
        .await
}
