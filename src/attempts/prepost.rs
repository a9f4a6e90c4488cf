//! A course's pre-test and post-test: one blueprint (bank, tag rules,
//! time) kept as two assessments of the course. The post-test draws
//! around the items its trainee saw in the pre-test where the bank allows;
//! the pre-test shows its score, never its key, and closes for a trainee
//! once their post-test has begun. Per batch: each trainee's two scores
//! and normalised gain, and the batch's summary.

use std::collections::{HashMap, HashSet};

use poem_openapi::Object;
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};
use serde::Serialize;
use uuid::Uuid;

use super::model::gain::{GainLevel, GainSummary, normalised_gain, summarise};
use super::model::{AssessmentKind, AttemptStatus, GradeMethod, ReviewPolicy, Selection, Slot};
use super::model::{TagRule, in_exam_pool};
use super::settings::{QuizInput, QuizView, apply, view};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::clock;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::{assessment, attempt};
use crate::error::{AppError, AppResult, FieldError};

/// The blueprint both tests are drawn from.
#[derive(Debug, Clone)]
pub struct PrePostInput {
    pub bank_id: Uuid,
    pub rules: Vec<TagRule>,
    pub time_limit_seconds: Option<i32>,
    pub shuffle_questions: bool,
    pub shuffle_choices: bool,
    /// When trainees see the post-test's answers (the pre-test's: never).
    pub post_review_policy: ReviewPolicy,
}

/// A course's pre-test and post-test. Neither is passed or failed (their
/// pass mark is 0) and neither counts for completing the course.
#[derive(Debug, Clone, Serialize, Object)]
pub struct PrePostView {
    pub course_id: Uuid,
    pub pre_test: QuizView,
    pub post_test: QuizView,
    /// Whether the bank holds at least twice what each rule draws, so that
    /// every post-test can be drawn from items its trainee has not seen.
    pub parallel_forms: bool,
}

fn conflict_exists() -> AppError {
    AppError::conflict(
        Conflict::PrePostExists,
        "Pre-test dan post-test kursus ini baru saja dibuat oleh orang lain; muat ulang halaman.",
    )
}

/// Whether every rule finds twice its count in the bank's current version.
async fn parallel(engine: &Engine, row: &assessment::Model) -> AppResult<bool> {
    let Selection::ByTags { rules } = super::settings::selection_of(row)? else {
        return Ok(false);
    };
    let Some(bank) = crate::banks::lookup::find_bank(engine.db.read(), row.bank_id).await? else {
        return Ok(false);
    };
    let Some(version) = crate::banks::lookup::current_version(engine.db.read(), &bank).await?
    else {
        return Ok(false);
    };
    let pool = engine.caches.pool(&engine.db, version.id).await?;
    Ok(rules.iter().all(|rule| {
        let available = pool
            .iter()
            .filter(|c| !in_exam_pool(&c.question) && rule.admits(&c.question))
            .count();
        available >= 2 * rule.count as usize
    }))
}

/// The course's pre-test and post-test, if set up (administrators).
pub async fn of_course(
    engine: &Engine,
    admin: &CurrentUser,
    course_id: Uuid,
) -> AppResult<Option<PrePostView>> {
    admin.require(Role::Admin)?;
    crate::catalog::service::get_course(&engine.db, admin, course_id).await?;
    let read = engine.db.read();
    let pre = store::course_assessment(read, course_id, AssessmentKind::PreTest).await?;
    let post = store::course_assessment(read, course_id, AssessmentKind::PostTest).await?;
    match (pre, post) {
        (Some(pre), Some(post)) => Ok(Some(PrePostView {
            course_id,
            parallel_forms: parallel(engine, &post).await?,
            pre_test: view(&pre)?,
            post_test: view(&post)?,
        })),
        _ => Ok(None),
    }
}

/// The ids of a course's pre-test and post-test, for the links trainees
/// follow (the course page has already decided who may see the course).
pub async fn test_ids(engine: &Engine, course_id: Uuid) -> AppResult<Option<(Uuid, Uuid)>> {
    let read = engine.db.read();
    let pre = store::course_assessment(read, course_id, AssessmentKind::PreTest).await?;
    let post = store::course_assessment(read, course_id, AssessmentKind::PostTest).await?;
    Ok(pre.zip(post).map(|(a, b)| (a.id, b.id)))
}

/// The test of `kind` as saved from `input`: the existing row changed, or a new one.
async fn prepared(
    engine: &Engine,
    course: &crate::catalog::views::CourseView,
    kind: AssessmentKind,
    input: &PrePostInput,
) -> AppResult<(assessment::Model, bool)> {
    let existing = store::course_assessment(engine.db.read(), course.id, kind).await?;
    let is_new = existing.is_none();
    let now = clock::now();
    let (word, review) = match kind {
        AssessmentKind::PreTest => ("Pre-test", ReviewPolicy::Never),
        _ => ("Post-test", input.post_review_policy),
    };
    let mut row = existing.unwrap_or_else(|| assessment::Model {
        id: Uuid::now_v7(),
        kind,
        course_id: course.id,
        module_id: None,
        title: format!("{word} {}", course.title),
        bank_id: Uuid::nil(),
        selection: String::new(),
        time_limit_seconds: None,
        opens_at: None,
        closes_at: None,
        max_attempts: 1,
        pass_percent: 0.0,
        shuffle_questions: true,
        shuffle_choices: true,
        grade_method: GradeMethod::Highest,
        review_policy: review,
        required: false,
        created_at: now,
        updated_at: now,
    });
    let change = QuizInput {
        bank_id: Some(input.bank_id),
        selection: Some(Selection::ByTags {
            rules: input.rules.clone(),
        }),
        time_limit_seconds: Some(input.time_limit_seconds),
        shuffle_questions: Some(input.shuffle_questions),
        shuffle_choices: Some(input.shuffle_choices),
        review_policy: Some(review),
        max_attempts: Some(1),
        required: Some(false),
        ..QuizInput::default()
    };
    apply(engine, &mut row, change).await?;
    row.updated_at = now;
    Ok((row, is_new))
}

/// Sets up (or changes) the course's pre-test and post-test from one
/// blueprint (administrators). Attempts already started keep their questions.
pub async fn save(
    engine: &Engine,
    admin: &CurrentUser,
    course_id: Uuid,
    input: PrePostInput,
) -> AppResult<PrePostView> {
    admin.require(Role::Admin)?;
    let course = crate::catalog::service::get_course(&engine.db, admin, course_id)
        .await?
        .course;
    let mut errors = Vec::new();
    if input.rules.is_empty() {
        errors.push(FieldError::new(
            "rules",
            "isi sekurang-kurangnya satu aturan acak",
        ));
    }
    if input.rules.iter().any(TagRule::draws_essays) {
        errors.push(FieldError::new(
            "rules",
            "pre-test dan post-test hanya memakai soal yang dinilai otomatis (tanpa esai)",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let pre = prepared(engine, &course, AssessmentKind::PreTest, &input).await?;
    let post = prepared(engine, &course, AssessmentKind::PostTest, &input).await?;
    let txn = engine.db.begin_write().await?;
    for (row, is_new) in [&pre, &post] {
        let written = if *is_new {
            assessment::Entity::insert(row.clone().into_active_model())
                .exec(&txn)
                .await
                .map(|_| ())
        } else {
            let mut active = row.clone().into_active_model();
            active = ActiveModelTrait::reset_all(active);
            assessment::Entity::update(active)
                .exec(&txn)
                .await
                .map(|_| ())
        };
        written.map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => conflict_exists(),
            _ => AppError::Db(e),
        })?;
    }
    txn.commit().await?;
    // After the commit: a read before it would copy the old settings again.
    for (row, _) in [&pre, &post] {
        super::current::forget(row.id);
    }
    Ok(PrePostView {
        course_id,
        parallel_forms: parallel(engine, &post.0).await?,
        pre_test: view(&pre.0)?,
        post_test: view(&post.0)?,
    })
}

/// What starting `quiz` for `user_id` in `batch_id` must respect. A
/// pre-test is refused once the post-test of that batch has begun (its
/// score would no longer be a "before"); a post-test is refused while the
/// pre-test is still open (its answers could carry the post-test's review
/// back), and gets the stable ids of every item its trainee saw in a
/// pre-test, to draw around. Other kinds: nothing.
pub(super) async fn before_start(
    engine: &Engine,
    quiz: &assessment::Model,
    user_id: Uuid,
    batch_id: Uuid,
) -> AppResult<HashSet<String>> {
    let read = engine.db.read();
    match Some(quiz.kind) {
        Some(AssessmentKind::PreTest) => {
            if let Some(post) =
                store::course_assessment(read, quiz.course_id, AssessmentKind::PostTest).await?
                && store::count_attempts_in_batch(read, post.id, user_id, batch_id).await? > 0
            {
                return Err(AppError::conflict(
                    Conflict::PostTestStarted,
                    "Pre-test tidak dapat dikerjakan lagi setelah post-test dimulai.",
                ));
            }
            Ok(HashSet::new())
        }
        Some(AssessmentKind::PostTest) => {
            let Some(pre) =
                store::course_assessment(read, quiz.course_id, AssessmentKind::PreTest).await?
            else {
                return Ok(HashSet::new());
            };
            if store::open_attempt(read, pre.id, user_id).await?.is_some() {
                return Err(AppError::conflict(
                    Conflict::PreTestOpen,
                    "Kumpulkan pre-test Anda dahulu, lalu mulai post-test.",
                ));
            }
            let mut ids = Vec::new();
            for a in store::attempts_of(read, pre.id, user_id).await? {
                let slots: Vec<Slot> = serde_json::from_str(&a.slots).map_err(|e| {
                    AppError::internal(format!("attempt {} slots unreadable: {e}", a.id))
                })?;
                ids.extend(slots.iter().map(|s| s.question_id));
            }
            let seen = engine.caches.questions(&engine.db, &ids).await?;
            Ok(seen.values().map(|q| q.stable_id()).collect())
        }
        _ => Ok(HashSet::new()),
    }
}

/// Whether `quiz` is a post-test whose pre-test the trainee has not taken
/// in `batch_id`: starting the post-test would close it for good.
pub async fn pre_test_pending(
    engine: &Engine,
    quiz: &assessment::Model,
    user_id: Uuid,
    batch_id: Uuid,
) -> AppResult<bool> {
    if Some(quiz.kind) != Some(AssessmentKind::PostTest) {
        return Ok(false);
    }
    let read = engine.db.read();
    match store::course_assessment(read, quiz.course_id, AssessmentKind::PreTest).await? {
        Some(pre) => {
            Ok(store::count_attempts_in_batch(read, pre.id, user_id, batch_id).await? == 0)
        }
        None => Ok(false),
    }
}

/// One trainee's two scores and gain.
#[derive(Debug, Clone, Serialize, Object)]
pub struct GainRow {
    pub user_id: Uuid,
    pub name: String,
    pub nip: Option<String>,
    pub unit_kerja: Option<String>,
    /// Percent of the graded pre-test; `null` when not taken.
    pub pre: Option<f64>,
    pub post: Option<f64>,
    /// g = (post − pre) / (100 − pre); `null` without both, or with a
    /// pre-test of 100.
    pub gain: Option<f64>,
    pub gain_level: Option<GainLevel>,
    pub improved: Option<bool>,
}

/// A batch's pre-test and post-test results.
#[derive(Debug, Clone, Serialize, Object)]
pub struct BatchGain {
    pub batch_id: Uuid,
    pub batch_name: String,
    pub course_id: Uuid,
    pub course_code: String,
    pub course_title: String,
    /// Whether the course has a pre-test and post-test at all.
    pub set_up: bool,
    pub pre_test_id: Option<Uuid>,
    pub post_test_id: Option<Uuid>,
    /// The batch's participants, by name.
    pub rows: Vec<GainRow>,
    pub summary: GainSummary,
}

/// A graded attempt's percent, and when it began and was handed in.
struct Score {
    percent: f64,
    started_at: time::OffsetDateTime,
    submitted_at: Option<time::OffsetDateTime>,
}

/// The first graded attempt per trainee of the batch.
async fn scores(
    engine: &Engine,
    test: Option<&assessment::Model>,
    batch_id: Uuid,
) -> AppResult<HashMap<Uuid, Score>> {
    let mut out = HashMap::new();
    let Some(test) = test else {
        return Ok(out);
    };
    let attempts: Vec<attempt::Model> =
        store::attempts_for(engine.db.read(), test.id, Some(batch_id)).await?;
    for a in attempts {
        if a.status == AttemptStatus::Graded
            && let Some(percent) = a.percent
        {
            out.entry(a.user_id).or_insert(Score {
                percent,
                started_at: a.started_at,
                submitted_at: a.submitted_at,
            });
        }
    }
    Ok(out)
}

/// Per participant of the batch: pre, post and gain, and the summary (administrators).
pub async fn of_batch(
    engine: &Engine,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<BatchGain> {
    admin.require(Role::Admin)?;
    let detail = crate::schedule::service::detail(&engine.db, admin, batch_id).await?;
    let b = detail.batch;
    let read = engine.db.read();
    let pre = store::course_assessment(read, b.course_id, AssessmentKind::PreTest).await?;
    let post = store::course_assessment(read, b.course_id, AssessmentKind::PostTest).await?;
    let pre_scores = scores(engine, pre.as_ref(), batch_id).await?;
    let post_scores = scores(engine, post.as_ref(), batch_id).await?;
    let mut rows: Vec<GainRow> = detail
        .enrolments
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.status.is_participant())
        .map(|e| {
            let post_score = post_scores.get(&e.user_id);
            // A pre-test handed in after the post-test began is no "before".
            let pre = pre_scores
                .get(&e.user_id)
                .filter(|p| match (post_score, p.submitted_at) {
                    (Some(post), Some(handed_in)) => handed_in <= post.started_at,
                    _ => true,
                })
                .map(|p| p.percent);
            let post = post_score.map(|p| p.percent);
            let gain = pre.zip(post).and_then(|(a, b)| normalised_gain(a, b));
            GainRow {
                user_id: e.user_id,
                name: e.name,
                nip: e.nip,
                unit_kerja: e.unit_kerja,
                pre,
                post,
                gain,
                gain_level: gain.map(GainLevel::of),
                improved: pre.zip(post).map(|(a, b)| b > a),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let pairs: Vec<(Option<f64>, Option<f64>)> = rows.iter().map(|r| (r.pre, r.post)).collect();
    Ok(BatchGain {
        batch_id,
        batch_name: b.name,
        course_id: b.course_id,
        course_code: b.course_code,
        course_title: b.course_title,
        set_up: pre.is_some() && post.is_some(),
        pre_test_id: pre.map(|p| p.id),
        post_test_id: post.map(|p| p.id),
        summary: summarise(&pairs),
        rows,
    })
}

/// The results as a download's header and rows (decimal commas, as read here).
pub fn table(gain: &BatchGain) -> (Vec<String>, Vec<Vec<String>>) {
    let number = |v: Option<f64>| v.map(crate::numbers::decimal).unwrap_or_default();
    let headers = [
        "Nama",
        "NIP",
        "Unit kerja",
        "Pre-test",
        "Post-test",
        "N-gain",
        "Kategori N-gain",
        "Meningkat",
    ];
    let rows = gain
        .rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.nip.clone().unwrap_or_default(),
                r.unit_kerja.clone().unwrap_or_default(),
                number(r.pre),
                number(r.post),
                number(r.gain),
                r.gain_level
                    .map(|l| l.label().to_owned())
                    .unwrap_or_default(),
                match r.improved {
                    Some(true) => "ya".into(),
                    Some(false) => "tidak".into(),
                    None => String::new(),
                },
            ]
        })
        .collect::<Vec<Vec<String>>>();
    let mut rows = rows;
    let s = &gain.summary;
    rows.push(vec![
        "Rata-rata (peserta yang mengerjakan keduanya)".into(),
        String::new(),
        String::new(),
        number(s.mean_pre),
        number(s.mean_post),
        number(s.mean_gain),
        s.gain_level
            .map(|l| l.label().to_owned())
            .unwrap_or_default(),
        format!("{} dari {} meningkat", s.improved, s.took_both),
    ]);
    (headers.iter().map(|h| h.to_string()).collect(), rows)
}
