//! Building an exam (from a shipped template or from scratch) and reading
//! it back.

use poem_openapi::Object;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{ExamSpec, FinalRule, Task, Unit, check_spec};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::attempts::model::{
    AssessmentKind, GradeMethod, ReviewPolicy, Selection, TaskQuestions, check_selection,
};
use crate::clock;
use crate::engine::Engine;
use crate::entities::{assessment, exam};
use crate::error::{AppError, AppResult, FieldError};

/// A shipped exam template (`question_banks/exams/*.json`), compiled in.
#[derive(Debug, Clone, Deserialize)]
pub struct Template {
    pub title: String,
    pub bank: String,
    pub code_prefix: String,
    pub time_limit_minutes: Option<i32>,
    pub double_marking: bool,
    pub moderation_threshold: f64,
    pub appeal_days: i32,
    pub units: Vec<Unit>,
    pub tasks: Vec<Task>,
}

const TEMPLATES: [(&str, &str); 2] = [
    (
        "humas_penulisan",
        include_str!("../../question_banks/exams/humas_penulisan.json"),
    ),
    (
        "pranata_komputer",
        include_str!("../../question_banks/exams/pranata_komputer.json"),
    ),
];

/// The JSON text of a shipped template (a starting point to adapt).
pub fn template_source(name: &str) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

pub fn template(name: &str) -> Option<Template> {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, text)| serde_json::from_str(text).ok())
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct TemplateInfo {
    pub name: String,
    pub title: String,
    pub bank: String,
    pub units: Vec<String>,
    pub tasks: usize,
}

/// The shipped templates, for administrators choosing one.
pub fn shipped_templates(admin: &CurrentUser) -> AppResult<Vec<TemplateInfo>> {
    admin.require(Role::Admin)?;
    Ok(templates())
}

pub fn templates() -> Vec<TemplateInfo> {
    TEMPLATES
        .iter()
        .filter_map(|(name, _)| {
            template(name).map(|t| TemplateInfo {
                name: (*name).into(),
                title: t.title,
                bank: t.bank,
                units: t.units.iter().map(|u| u.title.clone()).collect(),
                tasks: t.tasks.len(),
            })
        })
        .collect()
}

/// A new exam; what is `None` comes from the template, if one is named.
/// Also read from the JSON an author adapts on the exam builder page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExamInput {
    pub batch_id: Option<Uuid>,
    pub template: Option<String>,
    pub title: Option<String>,
    pub bank: Option<String>,
    pub code_prefix: Option<String>,
    pub time_limit_minutes: Option<i32>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub opens_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closes_at: Option<OffsetDateTime>,
    pub double_marking: Option<bool>,
    pub moderation_threshold: Option<f64>,
    pub final_rule: Option<FinalRule>,
    pub appeal_days: Option<i32>,
    pub units: Option<Vec<Unit>>,
    pub tasks: Option<Vec<Task>>,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct ExamView {
    pub id: Uuid,
    /// The attempt engine's assessment behind the objective part.
    pub assessment_id: Uuid,
    pub batch_id: Uuid,
    pub course_id: Uuid,
    pub title: String,
    pub code_prefix: String,
    pub time_limit_minutes: Option<i32>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub opens_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub closes_at: Option<OffsetDateTime>,
    pub double_marking: bool,
    pub moderation_threshold: f64,
    pub final_rule: FinalRule,
    pub appeal_days: i32,
    #[serde(with = "time::serde::rfc3339::option")]
    pub released_at: Option<OffsetDateTime>,
    pub units: Vec<Unit>,
    pub tasks: Vec<Task>,
}

/// An exam with its spec read back.
pub struct Loaded {
    pub row: exam::Model,
    pub spec: ExamSpec,
    pub assessment: assessment::Model,
}

impl Loaded {
    pub fn rule(&self) -> FinalRule {
        FinalRule::parse(&self.row.final_rule).unwrap_or(FinalRule::Mean)
    }
}

/// Every exam in full (administrators).
pub async fn list(engine: &Engine, admin: &CurrentUser) -> AppResult<Vec<ExamView>> {
    let mut out = Vec::new();
    for row in rows(engine, admin).await? {
        let loaded = load(engine, row.id).await?;
        out.push(view(engine, &loaded).await?);
    }
    Ok(out)
}

/// Every exam's row, for the administrators' list page.
pub async fn rows(engine: &Engine, admin: &CurrentUser) -> AppResult<Vec<exam::Model>> {
    admin.require(Role::Admin)?;
    store::exams(engine.db.read()).await
}

/// An exam as its administrators manage it.
pub async fn to_manage(engine: &Engine, admin: &CurrentUser, id: Uuid) -> AppResult<Loaded> {
    admin.require(Role::Admin)?;
    load(engine, id).await
}

/// An exam in full, rubrics included (administrators).
pub async fn get(engine: &Engine, admin: &CurrentUser, id: Uuid) -> AppResult<ExamView> {
    let loaded = to_manage(engine, admin, id).await?;
    view(engine, &loaded).await
}

pub async fn load(engine: &Engine, id: Uuid) -> AppResult<Loaded> {
    let row = store::exam(engine.db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let spec: ExamSpec = serde_json::from_str(&row.spec)
        .map_err(|e| AppError::internal(format!("exam {id} spec unreadable: {e}")))?;
    let assessment = crate::attempts::lookup::find_assessment(engine.db.read(), row.assessment_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Loaded {
        row,
        spec,
        assessment,
    })
}

/// The batch's exam (the first made, should there be several).
pub async fn load_for_batch(engine: &Engine, batch_id: Uuid) -> AppResult<Option<Loaded>> {
    match store::exams_of_batches(engine.db.read(), &[batch_id])
        .await?
        .first()
    {
        Some(row) => Ok(Some(load(engine, row.id).await?)),
        None => Ok(None),
    }
}

pub async fn view(engine: &Engine, loaded: &Loaded) -> AppResult<ExamView> {
    let window = crate::attempts::lookup::window_of(
        engine.db.read(),
        loaded.assessment.id,
        loaded.row.batch_id,
    )
    .await?;
    Ok(ExamView {
        id: loaded.row.id,
        assessment_id: loaded.assessment.id,
        batch_id: loaded.row.batch_id,
        course_id: loaded.assessment.course_id,
        title: loaded.row.title.clone(),
        code_prefix: loaded.row.code_prefix.clone(),
        time_limit_minutes: loaded.assessment.time_limit_seconds.map(|s| s / 60),
        opens_at: window.as_ref().and_then(|w| w.opens_at),
        closes_at: window.as_ref().and_then(|w| w.closes_at),
        double_marking: loaded.row.double_marking,
        moderation_threshold: loaded.row.moderation_threshold,
        final_rule: loaded.rule(),
        appeal_days: loaded.row.appeal_days,
        released_at: loaded.row.released_at,
        units: loaded.spec.units.clone(),
        tasks: loaded.spec.tasks.clone(),
    })
}

fn required<T>(value: Option<T>, field: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    if value.is_none() {
        errors.push(FieldError::new(field, "wajib diisi"));
    }
    value
}

/// Creates an exam for a batch: checks everything first, then writes the
/// assessment, the batch's window and the exam in one transaction
/// (administrators).
pub async fn create(engine: &Engine, admin: &CurrentUser, input: ExamInput) -> AppResult<ExamView> {
    admin.require(Role::Admin)?;
    let base = match &input.template {
        Some(name) => Some(template(name).ok_or_else(|| {
            AppError::invalid_field("template", format!("templat '{name}' tidak dikenal"))
        })?),
        None => None,
    };
    let mut errors = Vec::new();
    let batch_id = required(input.batch_id, "batch_id", &mut errors);
    let title = required(
        input.title.or(base.as_ref().map(|b| b.title.clone())),
        "title",
        &mut errors,
    )
    .map(|t| t.trim().to_owned());
    if title.as_deref() == Some("") {
        errors.push(FieldError::new("title", "wajib diisi"));
    }
    let bank_name = required(
        input.bank.or(base.as_ref().map(|b| b.bank.clone())),
        "bank",
        &mut errors,
    );
    let code_prefix = required(
        input
            .code_prefix
            .or(base.as_ref().map(|b| b.code_prefix.clone())),
        "code_prefix",
        &mut errors,
    )
    .map(|p| p.trim().to_uppercase());
    if let Some(prefix) = &code_prefix
        && (prefix.is_empty()
            || prefix.len() > 8
            || !prefix.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        errors.push(FieldError::new(
            "code_prefix",
            "1–8 huruf atau angka, mis. HM",
        ));
    }
    let time_limit = input
        .time_limit_minutes
        .or(base.as_ref().and_then(|b| b.time_limit_minutes));
    if time_limit.is_some_and(|m| !(1..=24 * 60).contains(&m)) {
        errors.push(FieldError::new("time_limit_minutes", "harus 1–1440 menit"));
    }
    if let (Some(o), Some(c)) = (input.opens_at, input.closes_at)
        && c <= o
    {
        errors.push(FieldError::new(
            "closes_at",
            "waktu tutup harus setelah waktu buka",
        ));
    }
    let threshold = input
        .moderation_threshold
        .or(base.as_ref().map(|b| b.moderation_threshold))
        .unwrap_or(2.0);
    if threshold < 0.0 {
        errors.push(FieldError::new(
            "moderation_threshold",
            "tidak boleh negatif",
        ));
    }
    let appeal_days = input
        .appeal_days
        .or(base.as_ref().map(|b| b.appeal_days))
        .unwrap_or(7);
    if !(0..=90).contains(&appeal_days) {
        errors.push(FieldError::new("appeal_days", "harus 0–90 hari"));
    }
    let spec = ExamSpec {
        units: input
            .units
            .or(base.as_ref().map(|b| b.units.clone()))
            .unwrap_or_default(),
        tasks: input
            .tasks
            .or(base.as_ref().map(|b| b.tasks.clone()))
            .unwrap_or_default(),
    };
    errors.extend(check_spec(&spec));
    let batch = match batch_id {
        Some(id) => {
            let batch = crate::schedule::lookup::find_batch(engine.db.read(), id).await?;
            if batch.is_none() {
                errors.push(FieldError::new("batch_id", "angkatan tidak ditemukan"));
            }
            batch
        }
        None => None,
    };
    let bank = match &bank_name {
        Some(name) => {
            let bank = crate::banks::lookup::find_bank_by_name(engine.db.read(), name).await?;
            if bank.is_none() {
                errors.push(FieldError::new(
                    "bank",
                    format!("bank soal '{name}' tidak ditemukan"),
                ));
            }
            bank
        }
        None => None,
    };
    let selection = Selection::Exam {
        rules: spec
            .units
            .iter()
            .filter(|u| u.objective_count > 0)
            .map(Unit::rule)
            .collect(),
        tasks: spec
            .tasks
            .iter()
            .map(|t| TaskQuestions::Forms(t.questions().map(str::to_owned).collect()))
            .collect(),
        exam_pool: true,
    };
    if let Some(bank) = &bank {
        match crate::banks::lookup::current_version(engine.db.read(), bank).await? {
            Some(version) => {
                let pool = engine.caches.pool(&engine.db, version.id).await?;
                errors.extend(check_selection(&selection, &pool).into_iter().map(|mut e| {
                    // Rules are numbered among units with objective questions.
                    if let Some(i) = objective_unit_index(&e.field, &spec.units) {
                        e.field = format!("units[{i}].objective_count");
                    }
                    e
                }));
                for (i, task) in spec.tasks.iter().enumerate() {
                    for question in task.questions() {
                        if let Some(c) = pool.iter().find(|c| c.stable_id == question)
                            && !c.question.tags.contains(&format!("unit:{}", task.unit))
                        {
                            errors.push(FieldError::new(
                                format!("tasks[{i}].question"),
                                format!("soal '{question}' tidak bertag unit:{}", task.unit),
                            ));
                        }
                    }
                }
            }
            None => errors.push(FieldError::new("bank", "bank soal ini kosong")),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let (Some(batch), Some(bank), Some(title), Some(code_prefix)) =
        (batch, bank, title, code_prefix)
    else {
        return Err(AppError::internal("checked fields missing"));
    };
    let now = clock::now();
    let assessment = assessment::Model {
        id: Uuid::now_v7(),
        kind: AssessmentKind::Exam,
        course_id: batch.course_id,
        module_id: None,
        title: title.clone(),
        bank_id: bank.id,
        selection: serde_json::to_string(&selection)
            .map_err(|e| AppError::internal(e.to_string()))?,
        time_limit_seconds: time_limit.map(|m| m * 60),
        opens_at: None,
        closes_at: None,
        max_attempts: 1,
        pass_percent: 0.0,
        shuffle_questions: true,
        shuffle_choices: true,
        grade_method: GradeMethod::Last,
        // The key of an exam is never shown to candidates.
        review_policy: ReviewPolicy::Never,
        required: true,
        created_at: now,
        updated_at: now,
    };
    let row = exam::Model {
        id: Uuid::now_v7(),
        assessment_id: assessment.id,
        batch_id: batch.id,
        title,
        code_prefix,
        spec: serde_json::to_string(&spec).map_err(|e| AppError::internal(e.to_string()))?,
        double_marking: input
            .double_marking
            .or(base.as_ref().map(|b| b.double_marking))
            .unwrap_or(true),
        moderation_threshold: threshold,
        final_rule: input.final_rule.unwrap_or(FinalRule::Mean).as_str().into(),
        appeal_days,
        released_at: None,
        created_at: now,
        updated_at: now,
    };
    let exam_id = row.id;
    let (opens_at, closes_at) = (input.opens_at, input.closes_at);
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                crate::attempts::settings::create_exam_assessment(
                    txn,
                    assessment,
                    row.batch_id,
                    opens_at,
                    closes_at,
                )
                .await?;
                store::insert_exam(txn, row).await
            })
        })
        .await?;
    let loaded = load(engine, exam_id).await?;
    view(engine, &loaded).await
}

fn objective_unit_index(field: &str, units: &[Unit]) -> Option<usize> {
    let rule: usize = field
        .strip_prefix("units[")?
        .split(']')
        .next()?
        .parse()
        .ok()?;
    units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.objective_count > 0)
        .nth(rule)
        .map(|(i, _)| i)
}
