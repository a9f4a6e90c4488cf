//! The attempt engine: start (once, even when asked twenty times at once),
//! resume, view (whole, or one page of the quiz form), submit (grading
//! once), and what a trainee has been shown. Saving answers is
//! `answering.rs`; finishing at the deadline, `finishing.rs`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use poem_openapi::Object;
use rand::SeedableRng;
use rand::rngs::StdRng;
use sea_orm::{ConnectionTrait, DbBackend};

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::current::{self, QuizNow};
use super::finishing::{Closer, finish_attempt};
use super::model::{
    Answer, AnswerLimit, AssessmentKind, AttemptStatus, ChoiceKey, Mark, ReviewPolicy,
    accepts_answers, deadline, draw_avoiding, kept, review_open, set_limits,
};
use super::parts::{questions_for, shape, shape_by_id};
use super::settings::selection_of;
use super::store::{self};
use super::views::{AttemptView, ResultView, SavedAnswer, question_view, review};
use super::writer::in_savepoint;
use crate::accounts::model::{CurrentUser, Role};
use crate::clock;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::engine::Engine;
use crate::entities::{assessment, attempt, batch};
use crate::error::{AppError, AppResult};

/// The batch through which `user` sits the quiz: the seat whose window
/// admits the attempt (an exam admits only the batches it was set for).
async fn seat(db: &Db, user_id: Uuid, current: &QuizNow) -> AppResult<Option<batch::Model>> {
    use crate::schedule::model::Admission;
    let quiz = &current.quiz;
    let exam = quiz.kind == AssessmentKind::Exam;
    let now = clock::now();
    let admission = |b: &batch::Model| {
        if exam && !current.windows.iter().any(|w| w.batch_id == b.id) {
            return Admission::Never;
        }
        let (opens, closes) = current.window(Some(b.id));
        if opens.is_some_and(|o| now < o) || closes.is_some_and(|c| now >= c) {
            Admission::NotNow
        } else {
            Admission::Now
        }
    };
    crate::schedule::seats::seat(db, user_id, quiz.course_id, admission).await
}

fn kind_of(quiz: &assessment::Model) -> AssessmentKind {
    quiz.kind
}

fn policy(quiz: &assessment::Model) -> ReviewPolicy {
    quiz.review_policy
}

/// What a trainee learns about a quiz before starting.
#[derive(Debug, Clone, Serialize, Object)]
pub struct QuizInfo {
    pub id: Uuid,
    /// A module quiz, or the course's pre-test or post-test (which are
    /// not passed or failed).
    pub kind: AssessmentKind,
    pub title: String,
    pub time_limit_seconds: Option<i32>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub opens_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closes_at: Option<OffsetDateTime>,
    pub max_attempts: i32,
    pub attempts_used: u32,
    pub pass_percent: f64,
    pub open_attempt_id: Option<Uuid>,
    /// The kept grade (highest or last, per the quiz) of the finished attempts.
    pub kept_percent: Option<f64>,
    pub passed: Option<bool>,
    pub finished: Vec<FinishedAttempt>,
    /// A post-test only: the caller has not taken the course's pre-test in
    /// this batch, which starting the post-test closes for good.
    pub pre_test_pending: bool,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct FinishedAttempt {
    pub id: Uuid,
    pub number: i32,
    pub status: AttemptStatus,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
}

pub async fn quiz_info(engine: &Engine, user: &CurrentUser, quiz_id: Uuid) -> AppResult<QuizInfo> {
    let current = current::quiz(&engine.db, quiz_id).await?;
    let quiz = &current.quiz;
    // An exam's scores reach candidates only through its release.
    if quiz.kind == AssessmentKind::Exam && !user.has(Role::Admin) {
        return Err(AppError::NotFound);
    }
    crate::catalog::service::visible_course(&engine.db, user, quiz.course_id).await?;
    let batch = seat(&engine.db, user.id, &current).await?;
    let (opens_at, closes_at) = current.window(batch.as_ref().map(|b| b.id));
    let mut attempts = store::attempts_of(engine.db.read(), quiz.id, user.id).await?;
    if kind_of(quiz).per_batch() {
        let batch_id = batch.as_ref().map(|b| b.id);
        attempts.retain(|a| a.batch_id == batch_id);
    }
    let pre_test_pending = match &batch {
        Some(b) => super::prepost::pre_test_pending(engine, quiz, user.id, b.id).await?,
        None => false,
    };
    let finished: Vec<FinishedAttempt> = attempts
        .iter()
        .filter(|a| a.status != AttemptStatus::Open)
        .map(|a| FinishedAttempt {
            id: a.id,
            number: a.number,
            status: a.status,
            percent: a.percent,
            passed: a.passed,
        })
        .collect();
    let graded: Vec<(i32, f64)> = attempts
        .iter()
        .filter(|a| a.status == AttemptStatus::Graded)
        .filter_map(|a| a.percent.map(|p| (a.number, p)))
        .collect();
    let method = quiz.grade_method;
    let kept_percent = kept(&graded, method).map(|(_, p)| p);
    Ok(QuizInfo {
        id: quiz.id,
        kind: kind_of(quiz),
        title: quiz.title.clone(),
        time_limit_seconds: quiz.time_limit_seconds,
        opens_at,
        closes_at,
        max_attempts: quiz.max_attempts,
        attempts_used: attempts.len() as u32,
        pass_percent: quiz.pass_percent,
        open_attempt_id: attempts
            .iter()
            .find(|a| a.status == AttemptStatus::Open)
            .map(|a| a.id),
        kept_percent,
        passed: kept_percent.map(|p| p >= quiz.pass_percent),
        finished,
        pre_test_pending,
    })
}

enum Started {
    Created(Box<attempt::Model>),
    Existing(Box<attempt::Model>),
    NoneLeft,
}

/// Starts a quiz attempt, or returns the trainee's open one. Returns
/// whether it is new. An exam is not started here (404, as its quiz view
/// is): `exams::sitting::start` checks its release and hands out the
/// candidate code first, then calls `start_exam_attempt`.
pub async fn start(
    engine: &Engine,
    user: &CurrentUser,
    quiz_id: Uuid,
) -> AppResult<(AttemptView, bool)> {
    user.require(Role::Trainee)?;
    let current = current::quiz(&engine.db, quiz_id).await?;
    if current.quiz.kind == AssessmentKind::Exam {
        return Err(AppError::NotFound);
    }
    start_attempt(engine, user, &current, &BTreeMap::new()).await
}

/// Starts (or resumes) an exam's attempt; only `exams::sitting` calls it.
/// `limits` holds the length limit of each task question, by stable id.
pub async fn start_exam_attempt(
    engine: &Engine,
    user: &CurrentUser,
    assessment_id: Uuid,
    limits: &BTreeMap<String, AnswerLimit>,
) -> AppResult<(AttemptView, bool)> {
    user.require(Role::Trainee)?;
    let current = current::quiz(&engine.db, assessment_id).await?;
    start_attempt(engine, user, &current, limits).await
}

/// Starts being worked on at once; the rest wait their turn in arrival
/// order. Every start builds all of its attempt's questions: on exam day
/// thousands press "Mulai" within seconds, and working on all of them at
/// once only holds more memory, it does not finish any sooner on two cores.
static STARTING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(64);

async fn start_attempt(
    engine: &Engine,
    user: &CurrentUser,
    current: &QuizNow,
    limits: &BTreeMap<String, AnswerLimit>,
) -> AppResult<(AttemptView, bool)> {
    let _turn = STARTING
        .acquire()
        .await
        .map_err(|_| AppError::internal("the start queue is closed"))?;
    let quiz = &current.quiz;
    let Some(batch) = seat(&engine.db, user.id, current).await? else {
        return Err(AppError::conflict(
            Conflict::NotEnrolled,
            if quiz.kind == AssessmentKind::Exam {
                "Anda tidak terdaftar di angkatan ujian ini."
            } else {
                "Anda belum terdaftar di angkatan kursus ini."
            },
        ));
    };
    let now = clock::now();
    // An open attempt past its deadline is finished first, with what it had.
    if let Some(open) = store::open_attempt(engine.db.read(), quiz.id, user.id).await? {
        if accepts_answers(open.deadline_at, now) {
            return Ok((
                build_view(engine, user, current, &open, Answers::Stored, all).await?,
                false,
            ));
        }
        finish_attempt(engine, open.id, Closer::Deadline).await?;
    }
    let (opens_at, closes_at) = current.window(Some(batch.id));
    if opens_at.is_some_and(|o| now < o) {
        return Err(AppError::conflict(
            Conflict::QuizNotOpen,
            "Kuis belum dibuka.",
        ));
    }
    if closes_at.is_some_and(|c| now >= c) {
        return Err(AppError::conflict(
            Conflict::QuizClosed,
            "Kuis sudah ditutup.",
        ));
    }
    let version = crate::banks::lookup::current_version_id(&engine.db, quiz.bank_id)
        .await?
        .ok_or(AppError::NotFound)?
        .ok_or_else(|| AppError::conflict(Conflict::BankEmpty, "Bank soal kuis ini kosong."))?;
    let pool = engine.caches.pool(&engine.db, version).await?;
    let seen = super::prepost::before_start(engine, quiz, user.id, batch.id).await?;
    let seed: i64 = rand::random::<i64>();
    let mut rng = StdRng::seed_from_u64(seed as u64);
    let mut slots = draw_avoiding(
        &selection_of(quiz)?,
        &pool,
        &seen,
        quiz.shuffle_questions,
        quiz.shuffle_choices,
        &mut rng,
    );
    set_limits(&mut slots, &pool, limits);
    if slots.is_empty() {
        return Err(AppError::conflict(
            Conflict::BankEmpty,
            "Tidak ada soal yang dapat diambil untuk kuis ini.",
        ));
    }
    let max_score: f64 = slots.iter().map(|s| s.points).sum();
    let row = attempt::Model {
        id: Uuid::now_v7(),
        assessment_id: quiz.id,
        user_id: user.id,
        batch_id: Some(batch.id),
        number: 0,
        status: AttemptStatus::Open,
        seed,
        choice_key: ChoiceKey::generate().to_stored(),
        slots: serde_json::to_string(&slots).map_err(|e| AppError::internal(e.to_string()))?,
        started_at: now,
        deadline_at: deadline(now, quiz.time_limit_seconds, closes_at),
        submitted_at: None,
        finished_by: None,
        marks: None,
        score: None,
        max_score,
        percent: None,
        passed: None,
        graded_at: None,
        updated_at: now,
    };
    let max_attempts = quiz.max_attempts;
    // A pre-test or post-test is taken once per batch: a trainee who sits
    // the course again in a later batch measures their learning again.
    let per_batch = kind_of(quiz).per_batch();
    let started = engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let earlier = store::attempts_of(txn, row.assessment_id, row.user_id).await?;
                if let Some(open) = earlier.iter().find(|a| a.status == AttemptStatus::Open) {
                    return Ok(Started::Existing(Box::new(open.clone())));
                }
                let used = earlier.len();
                let counted = match row.batch_id {
                    Some(batch_id) if per_batch => earlier
                        .iter()
                        .filter(|a| a.batch_id == Some(batch_id))
                        .count(),
                    _ => used,
                };
                if counted >= max_attempts.max(0) as usize {
                    return Ok(Started::NoneLeft);
                }
                let mut row = row;
                row.number = used as i32 + 1;
                let insert = if txn.get_database_backend() == DbBackend::Postgres {
                    let copy = row.clone();
                    in_savepoint(txn, move |sp| Box::pin(store::insert_attempt(sp, copy))).await
                } else {
                    store::insert_attempt(txn, row.clone()).await
                };
                match insert {
                    Ok(()) => Ok(Started::Created(Box::new(row))),
                    // Another instance started it a moment ago.
                    Err(AppError::Db(e))
                        if matches!(
                            e.sql_err(),
                            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                        ) =>
                    {
                        match store::open_attempt(txn, row.assessment_id, row.user_id).await? {
                            Some(open) => Ok(Started::Existing(Box::new(open))),
                            None => Err(AppError::Db(e)),
                        }
                    }
                    Err(other) => Err(other),
                }
            })
        })
        .await?;
    match started {
        Started::Created(row) => Ok((
            build_view(engine, user, current, &row, Answers::None, all).await?,
            true,
        )),
        Started::Existing(row) => Ok((
            build_view(engine, user, current, &row, Answers::Stored, all).await?,
            false,
        )),
        Started::NoneLeft => Err(AppError::conflict(
            Conflict::NoAttemptsLeft,
            format!("Kesempatan mengerjakan kuis ini sudah habis ({max_attempts} kali)."),
        )),
    }
}

/// The bank ids of the exam-pool questions in the current version of a
/// quiz's bank.
async fn exam_pool_ids(engine: &Engine, quiz: &assessment::Model) -> AppResult<HashSet<String>> {
    let Some(bank) = crate::banks::lookup::find_bank(engine.db.read(), quiz.bank_id).await? else {
        return Ok(HashSet::new());
    };
    let Some(version) = crate::banks::lookup::current_version(engine.db.read(), &bank).await?
    else {
        return Ok(HashSet::new());
    };
    let pool = engine.caches.pool(&engine.db, version.id).await?;
    Ok(pool
        .iter()
        .filter(|c| c.question.in_exam_pool())
        .map(|c| c.stable_id.clone())
        .collect())
}

/// Whether an attempt's answers need reading: a just-created one has none.
enum Answers {
    None,
    Stored,
}

/// Every question of an attempt, for `build_view`'s `pick`.
fn all(count: usize) -> Range<usize> {
    0..count
}

/// The view of `row`, its questions (and their review) only in the range
/// that `pick` chooses from the number of questions: the quiz form shows
/// five at a time and should not build forty.
async fn build_view(
    engine: &Engine,
    viewer: &CurrentUser,
    current: &QuizNow,
    row: &attempt::Model,
    answers: Answers,
    pick: impl FnOnce(usize) -> Range<usize>,
) -> AppResult<AttemptView> {
    let quiz = &current.quiz;
    let shape = shape(engine, row).await?;
    let count = shape.slots.len();
    let picked = pick(count);
    let end = picked.end.min(count);
    let first = picked.start.min(end);
    let slots = &shape.slots[first..end];
    let questions = questions_for(engine, slots).await?;
    let rows = match answers {
        Answers::None => Vec::new(),
        Answers::Stored => store::answers(engine.db.read(), row.id).await?,
    };
    let stored: Vec<(Uuid, Answer, OffsetDateTime)> = rows
        .into_iter()
        .filter_map(|a| {
            serde_json::from_str(&a.response)
                .ok()
                .map(|r| (a.question_id, r, a.saved_at))
        })
        .collect();
    let answers: HashMap<Uuid, Answer> = stored.iter().map(|(q, r, _)| (*q, r.clone())).collect();
    let saved: BTreeMap<String, SavedAnswer> = stored
        .into_iter()
        .map(|(q, response, saved_at)| (q.to_string(), SavedAnswer::new(&response, saved_at)))
        .collect();
    let status = row.status;
    let closed = status != AttemptStatus::Open;
    // An exam's result reaches candidates only through its release.
    let exam_for_trainee = quiz.kind == AssessmentKind::Exam && !viewer.has(Role::Admin);
    let result = (closed && !exam_for_trainee).then(|| ResultView {
        status,
        score: row.score.unwrap_or(0.0),
        max_score: row.max_score,
        percent: row.percent.unwrap_or(0.0),
        passed: row.passed,
        pass_percent: quiz.pass_percent,
        finished_by: row.finished_by.clone(),
        submitted_at: row.submitted_at,
    });
    let (_, closes_at) = current.window(row.batch_id);
    let now = clock::now();
    let show_review =
        closed && (viewer.has(Role::Admin) || review_open(policy(quiz), closed, closes_at, now));
    // A question moved into the exam pool after this quiz attempt drew it
    // is reviewed no more: its key and marking notes belong to exams now.
    let withheld = if show_review && !viewer.has(Role::Admin) {
        exam_pool_ids(engine, quiz).await?
    } else {
        HashSet::new()
    };
    let marks: Vec<Mark> = row
        .marks
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    let mut views = Vec::with_capacity(slots.len());
    let mut reviews = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        let Some(question) = questions.get(&slot.question_id) else {
            continue;
        };
        let rendered = engine.caches.rendered(slot.question_id, question);
        views.push(question_view(
            &shape.key,
            (first + i) as u32 + 1,
            slot,
            question,
            &rendered,
        ));
        if show_review && !withheld.contains(&question.stable_id()) {
            let mark = marks.iter().find(|m| m.question_id == slot.question_id);
            reviews.push(review(
                &shape.key,
                slot,
                question,
                answers.get(&slot.question_id),
                mark,
            ));
        }
    }
    Ok(AttemptView {
        id: row.id,
        assessment_id: row.assessment_id,
        kind: kind_of(quiz),
        title: quiz.title.clone(),
        number: row.number,
        status,
        started_at: row.started_at,
        deadline: row.deadline_at,
        server_time: now,
        questions: views,
        answers: saved,
        result,
        review: show_review.then_some(reviews),
    })
}

/// The attempt for its owner or an administrator (anyone else: 404),
/// finished first if its deadline has passed.
pub async fn view(
    engine: &Engine,
    viewer: &CurrentUser,
    attempt_id: Uuid,
) -> AppResult<AttemptView> {
    view_picking(engine, viewer, attempt_id, all).await
}

/// One page of an attempt: the questions `view` shows in full, and every
/// question's id in the attempt's order (for the page's navigation).
pub struct AttemptPage {
    pub view: AttemptView,
    pub outline: Vec<Uuid>,
}

/// As `view`, with only the questions in the range that `page` chooses
/// from the number of questions.
pub async fn view_page(
    engine: &Engine,
    viewer: &CurrentUser,
    attempt_id: Uuid,
    page: impl FnOnce(usize) -> Range<usize>,
) -> AppResult<AttemptPage> {
    let view = view_picking(engine, viewer, attempt_id, page).await?;
    let shape = shape_by_id(engine, attempt_id).await?;
    Ok(AttemptPage {
        view,
        outline: shape.slots.iter().map(|s| s.question_id).collect(),
    })
}

async fn view_picking(
    engine: &Engine,
    viewer: &CurrentUser,
    attempt_id: Uuid,
    pick: impl FnOnce(usize) -> Range<usize>,
) -> AppResult<AttemptView> {
    let mut row = store::attempt(engine.db.read(), attempt_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.user_id != viewer.id && !viewer.has(Role::Admin) {
        return Err(AppError::NotFound);
    }
    if row.status == AttemptStatus::Open && !accepts_answers(row.deadline_at, clock::now()) {
        finish_attempt(engine, row.id, Closer::Deadline).await?;
        row = store::attempt(engine.db.read(), attempt_id)
            .await?
            .ok_or(AppError::NotFound)?;
    }
    let current = current::quiz(&engine.db, row.assessment_id).await?;
    build_view(engine, viewer, &current, &row, Answers::Stored, pick).await
}

/// The trainee hands the attempt in; doing it twice grades once.
pub async fn submit(
    engine: &Engine,
    user: &CurrentUser,
    attempt_id: Uuid,
) -> AppResult<AttemptView> {
    let row = store::attempt(engine.db.read(), attempt_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.user_id != user.id {
        return Err(AppError::NotFound);
    }
    let by = if accepts_answers(row.deadline_at, clock::now()) {
        Closer::Trainee
    } else {
        Closer::Deadline
    };
    finish_attempt(engine, attempt_id, by).await?;
    view(engine, user, attempt_id).await
}

/// Every attempt of the signed-in user, each as they may see it (their
/// personal data: what they answered, never more than the review allows).
pub async fn all_of_user(engine: &Engine, user: &CurrentUser) -> AppResult<Vec<AttemptView>> {
    let mut out = Vec::new();
    for id in store::attempt_ids_of_user(engine.db.read(), user.id).await? {
        out.push(view(engine, user, id).await?);
    }
    Ok(out)
}

/// Every question version drawn into one of the user's attempts: what they
/// have been shown (images of other questions stay with their owners).
pub async fn questions_shown_to(engine: &Engine, user_id: Uuid) -> AppResult<HashSet<Uuid>> {
    let mut shown = HashSet::new();
    for slots in store::slots_of_user(engine.db.read(), user_id).await? {
        let slots: Vec<super::model::Slot> = serde_json::from_str(&slots)
            .map_err(|e| AppError::internal(format!("attempt slots unreadable: {e}")))?;
        shown.extend(slots.into_iter().map(|s| s.question_id));
    }
    Ok(shown)
}
