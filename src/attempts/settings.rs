//! Quiz settings of a module: which bank and questions, time limit and
//! window (per batch too), attempts, pass mark, shuffling, which grade is
//! kept and when the review opens.

use poem_openapi::Object;
use sea_orm::ActiveValue::Set;
use sea_orm::{EntityTrait, IntoActiveModel};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{
    AssessmentKind, GradeMethod, ReviewPolicy, Selection, TagRule, check_selection,
};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::catalog;
use crate::clock;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::assessment;
use crate::error::{AppError, AppResult, FieldError};

/// A change to quiz settings; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct QuizInput {
    pub title: Option<String>,
    pub bank_id: Option<Uuid>,
    pub selection: Option<Selection>,
    pub time_limit_seconds: Option<Option<i32>>,
    pub opens_at: Option<Option<OffsetDateTime>>,
    pub closes_at: Option<Option<OffsetDateTime>>,
    pub max_attempts: Option<i32>,
    pub pass_percent: Option<f64>,
    pub shuffle_questions: Option<bool>,
    pub shuffle_choices: Option<bool>,
    pub grade_method: Option<GradeMethod>,
    pub review_policy: Option<ReviewPolicy>,
    pub required: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct QuizView {
    pub id: Uuid,
    pub module_id: Option<Uuid>,
    pub course_id: Uuid,
    pub title: String,
    pub bank_id: Uuid,
    /// `by_tags` with `rules`, or `fixed` with `question_ids`.
    pub selection_mode: String,
    pub rules: Vec<TagRule>,
    pub question_ids: Vec<String>,
    pub time_limit_seconds: Option<i32>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub opens_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closes_at: Option<OffsetDateTime>,
    pub max_attempts: i32,
    pub pass_percent: f64,
    pub shuffle_questions: bool,
    pub shuffle_choices: bool,
    pub grade_method: GradeMethod,
    pub review_policy: ReviewPolicy,
    pub required: bool,
}

pub fn selection_of(row: &assessment::Model) -> AppResult<Selection> {
    serde_json::from_str(&row.selection)
        .map_err(|e| AppError::internal(format!("quiz {} selection unreadable: {e}", row.id)))
}

pub fn view(row: &assessment::Model) -> AppResult<QuizView> {
    let (mode, rules, ids) = match selection_of(row)? {
        Selection::ByTags { rules } => ("by_tags", rules, Vec::new()),
        Selection::Fixed { question_ids } => ("fixed", Vec::new(), question_ids),
        Selection::Exam { rules, tasks, .. } => (
            "exam",
            rules,
            tasks.iter().flat_map(|t| t.ids().to_vec()).collect(),
        ),
    };
    Ok(QuizView {
        id: row.id,
        module_id: row.module_id,
        course_id: row.course_id,
        title: row.title.clone(),
        bank_id: row.bank_id,
        selection_mode: mode.into(),
        rules,
        question_ids: ids,
        time_limit_seconds: row.time_limit_seconds,
        opens_at: row.opens_at,
        closes_at: row.closes_at,
        max_attempts: row.max_attempts,
        pass_percent: row.pass_percent,
        shuffle_questions: row.shuffle_questions,
        shuffle_choices: row.shuffle_choices,
        grade_method: row.grade_method,
        review_policy: row.review_policy,
        required: row.required,
    })
}

/// Applies `input` over `row` and checks the result against the bank.
pub(super) async fn apply(
    engine: &Engine,
    row: &mut assessment::Model,
    input: QuizInput,
) -> AppResult<()> {
    let mut errors = Vec::new();
    if let Some(title) = input.title {
        let title = title.trim().to_owned();
        if title.is_empty() {
            errors.push(FieldError::new("title", "wajib diisi"));
        }
        row.title = title;
    }
    if let Some(bank_id) = input.bank_id {
        row.bank_id = bank_id;
    }
    if let Some(selection) = &input.selection {
        row.selection =
            serde_json::to_string(selection).map_err(|e| AppError::internal(e.to_string()))?;
    }
    if let Some(limit) = input.time_limit_seconds {
        if limit.is_some_and(|s| s < 10) {
            errors.push(FieldError::new(
                "time_limit_seconds",
                "batas waktu minimal 10 detik",
            ));
        }
        row.time_limit_seconds = limit;
    }
    if let Some(opens) = input.opens_at {
        row.opens_at = opens;
    }
    if let Some(closes) = input.closes_at {
        row.closes_at = closes;
    }
    if let (Some(o), Some(c)) = (row.opens_at, row.closes_at)
        && c <= o
    {
        errors.push(FieldError::new(
            "closes_at",
            "waktu tutup harus setelah waktu buka",
        ));
    }
    if let Some(max) = input.max_attempts {
        if max < 1 {
            errors.push(FieldError::new("max_attempts", "minimal 1 kali"));
        }
        row.max_attempts = max;
    }
    if let Some(pass) = input.pass_percent {
        if !(0.0..=100.0).contains(&pass) {
            errors.push(FieldError::new("pass_percent", "harus 0–100"));
        }
        row.pass_percent = pass;
    }
    row.shuffle_questions = input.shuffle_questions.unwrap_or(row.shuffle_questions);
    row.shuffle_choices = input.shuffle_choices.unwrap_or(row.shuffle_choices);
    if let Some(method) = input.grade_method {
        row.grade_method = method;
    }
    if let Some(policy) = input.review_policy {
        row.review_policy = policy;
    }
    row.required = input.required.unwrap_or(row.required);

    match crate::banks::lookup::find_bank(engine.db.read(), row.bank_id).await? {
        None => errors.push(FieldError::new("bank_id", "bank soal tidak ditemukan")),
        Some(bank) => match crate::banks::lookup::current_version(engine.db.read(), &bank).await? {
            None => errors.push(FieldError::new("bank_id", "bank soal belum berisi soal")),
            Some(version) => {
                let pool = engine.caches.pool(&engine.db, version.id).await?;
                errors.extend(check_selection(&selection_of(row)?, &pool));
            }
        },
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

/// Adds a quiz to a module (administrators).
pub async fn create_for_module(
    engine: &Engine,
    admin: &CurrentUser,
    module_id: Uuid,
    input: QuizInput,
) -> AppResult<QuizView> {
    admin.require(Role::Admin)?;
    let module = catalog::lookup::find_module(engine.db.read(), module_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if store::quiz_of_module(engine.db.read(), module_id)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            Conflict::QuizExists,
            "Modul ini sudah memiliki kuis; ubah dengan PATCH.",
        ));
    }
    let mut missing = Vec::new();
    if input.bank_id.is_none() {
        missing.push(FieldError::new("bank_id", "wajib diisi"));
    }
    if input.selection.is_none() {
        missing.push(FieldError::new("selection", "wajib diisi"));
    }
    if !missing.is_empty() {
        return Err(AppError::validation(missing));
    }
    let now = clock::now();
    let mut row = assessment::Model {
        id: Uuid::now_v7(),
        kind: AssessmentKind::Quiz,
        course_id: module.course_id,
        module_id: Some(module_id),
        title: format!("Kuis {}", module.title),
        bank_id: Uuid::nil(),
        selection: String::new(),
        time_limit_seconds: None,
        opens_at: None,
        closes_at: None,
        max_attempts: 1,
        pass_percent: 70.0,
        shuffle_questions: true,
        shuffle_choices: true,
        grade_method: GradeMethod::Highest,
        review_policy: ReviewPolicy::AfterSubmit,
        required: true,
        created_at: now,
        updated_at: now,
    };
    apply(engine, &mut row, input).await?;
    assessment::Entity::insert(row.clone().into_active_model())
        .exec(engine.db.write())
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::conflict(
                Conflict::QuizExists,
                "Modul ini sudah memiliki kuis; ubah dengan PATCH.",
            ),
            _ => AppError::Db(e),
        })?;
    view(&row)
}

/// Changes a module's quiz (administrators).
pub async fn update_for_module(
    engine: &Engine,
    admin: &CurrentUser,
    module_id: Uuid,
    input: QuizInput,
) -> AppResult<QuizView> {
    admin.require(Role::Admin)?;
    let mut row = store::quiz_of_module(engine.db.read(), module_id)
        .await?
        .ok_or(AppError::NotFound)?;
    apply(engine, &mut row, input).await?;
    row.updated_at = clock::now();
    let mut active = row.clone().into_active_model();
    active.id = Set(row.id);
    assessment::Entity::update(sea_orm::ActiveModelTrait::reset_all(active))
        .exec(engine.db.write())
        .await?;
    super::current::forget(row.id);
    view(&row)
}

/// A module's quiz settings, if it has a quiz (administrators).
pub async fn of_module(
    engine: &Engine,
    admin: &CurrentUser,
    module_id: Uuid,
) -> AppResult<Option<QuizView>> {
    admin.require(Role::Admin)?;
    quiz_of_module(engine, module_id).await
}

pub async fn quiz_of_module(engine: &Engine, module_id: Uuid) -> AppResult<Option<QuizView>> {
    store::quiz_of_module(engine.db.read(), module_id)
        .await?
        .as_ref()
        .map(view)
        .transpose()
}

/// Writes an exam's assessment with its window for the exam's batch, inside
/// the exam's own transaction. The window row is also what admits this
/// batch, and only this batch, to the exam (see `service::start_exam_attempt`).
pub async fn create_exam_assessment(
    conn: &impl sea_orm::ConnectionTrait,
    exam: assessment::Model,
    batch_id: Uuid,
    opens_at: Option<OffsetDateTime>,
    closes_at: Option<OffsetDateTime>,
) -> AppResult<()> {
    let id = exam.id;
    assessment::Entity::insert(exam.into_active_model())
        .exec(conn)
        .await?;
    store::set_window(conn, id, batch_id, opens_at, closes_at).await?;
    super::current::forget(id);
    Ok(())
}

/// The quiz, pre-test or post-test whose batch windows an administrator
/// sets.
pub async fn to_schedule(
    engine: &Engine,
    admin: &CurrentUser,
    quiz_id: Uuid,
) -> AppResult<assessment::Model> {
    admin.require(Role::Admin)?;
    store::assessment(engine.db.read(), quiz_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A batch's own opening and closing time for a quiz (administrators).
pub async fn set_window(
    engine: &Engine,
    admin: &CurrentUser,
    quiz_id: Uuid,
    batch_id: Uuid,
    opens_at: Option<OffsetDateTime>,
    closes_at: Option<OffsetDateTime>,
) -> AppResult<()> {
    let quiz = to_schedule(engine, admin, quiz_id).await?;
    let batch = crate::schedule::lookup::find_batch(engine.db.read(), batch_id)
        .await?
        .filter(|b| b.course_id == quiz.course_id)
        .ok_or_else(|| {
            AppError::invalid_field("batch_id", "angkatan tidak ditemukan untuk kursus kuis ini")
        })?;
    if let (Some(o), Some(c)) = (opens_at, closes_at)
        && c <= o
    {
        return Err(AppError::invalid_field(
            "closes_at",
            "waktu tutup harus setelah waktu buka",
        ));
    }
    store::set_window(engine.db.write(), quiz.id, batch.id, opens_at, closes_at).await?;
    super::current::forget(quiz.id);
    Ok(())
}
