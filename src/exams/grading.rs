//! Blind grading: handing out items, an assessor's queue (candidate codes
//! only), drafts, finalising, moderation, and the audit trail of every mark.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use poem_openapi::Object;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::codes::code_for;
use super::model::{
    Criterion, Held, ItemStatus, Marker, Round, Task, comment_required, may_mark, score,
    unmet_criteria,
};
use super::plan::{ItemState, Settings, Sitting, item_state, levels_of, plan_items};
use super::setup::{Loaded, load};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::attempts::parts::{questions_of, shape_by_id};
use crate::audit;
use crate::banks::model::Question;
use crate::clock;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::grading_item;
use crate::error::{AppError, AppResult, FieldError};

/// Creates the items the exam still needs (markers for newly finished
/// attempts, moderations for marks too far apart). Safe to run anywhere,
/// any number of times.
pub async fn sync(engine: &Engine, loaded: &Loaded) -> AppResult<()> {
    if loaded.spec.tasks.is_empty() {
        return Ok(());
    }
    let attempts = store::finished_attempts(engine.db.read(), loaded.assessment.id).await?;
    if attempts.is_empty() {
        return Ok(());
    }
    let assessors = store::assessors(engine.db.read(), loaded.row.id).await?;
    let mut ids: Vec<Uuid> = attempts.iter().map(|a| a.user_id).collect();
    ids.extend(assessors.iter().map(|a| a.user_id));
    let users = crate::accounts::lookup::users_by_id(engine.db.read(), &ids).await?;
    let assessor_ids: Vec<Uuid> = assessors.iter().map(|a| a.user_id).collect();
    // Only who can still mark: active, and still holding the assessor role.
    let can_mark = crate::accounts::lookup::active_with_role_among(
        engine.db.read(),
        &assessor_ids,
        crate::accounts::model::Role::Assessor,
    )
    .await?;
    let unit_kerja = |id: &Uuid| users.get(id).and_then(|u| u.unit_kerja.clone());
    let markers: Vec<Marker> = assessors
        .iter()
        .filter(|a| can_mark.contains(&a.user_id))
        .map(|a| Marker {
            id: a.user_id,
            units: serde_json::from_str(&a.units).unwrap_or_default(),
            lead: a.lead,
            unit_kerja: unit_kerja(&a.user_id),
            load: 0,
        })
        .collect();
    let sittings: Vec<Sitting> = attempts
        .iter()
        .map(|a| Sitting {
            attempt_id: a.id,
            candidate_id: a.user_id,
            unit_kerja: unit_kerja(&a.user_id),
        })
        .collect();
    let existing: Vec<ItemState> = store::items_of_exam(engine.db.read(), loaded.row.id)
        .await?
        .iter()
        .filter_map(item_state)
        .collect();
    let settings = Settings {
        double_marking: loaded.row.double_marking,
        threshold: loaded.row.moderation_threshold,
        rule: loaded.rule(),
    };
    let plan = plan_items(&loaded.spec, &settings, &sittings, &existing, &markers);
    if plan.is_empty() {
        return Ok(());
    }
    let candidates: HashSet<Uuid> = plan.iter().map(|p| p.candidate_id).collect();
    for candidate in candidates {
        code_for(engine, loaded, candidate).await?;
    }
    let now = clock::now();
    let exam_id = loaded.row.id;
    let rows: Vec<grading_item::Model> = plan
        .into_iter()
        .map(|p| store::pending_item(exam_id, p, now))
        .collect();
    engine
        .writer
        .run(move |txn| Box::pin(async move { store::insert_items(txn, rows).await }))
        .await
}

/// The form of a task a candidate drew: its number (from 1), the task as
/// that form (its question, pass points and rubric), and the bank question
/// (pinned version) behind it in the attempt.
pub struct DrawnForm {
    pub number: usize,
    pub task: Task,
    pub question: Option<(Uuid, Arc<Question>)>,
}

pub async fn drawn_form(engine: &Engine, attempt_id: Uuid, task: &Task) -> AppResult<DrawnForm> {
    let shape = shape_by_id(engine, attempt_id).await?;
    let questions = questions_of(engine, &shape).await?;
    let drawn: Vec<(Uuid, &Arc<Question>)> = shape
        .slots
        .iter()
        .filter_map(|slot| {
            questions
                .get(&slot.question_id)
                .map(|q| (slot.question_id, q))
        })
        .collect();
    let ids: Vec<String> = drawn.iter().map(|(_, q)| q.stable_id()).collect();
    let (number, form) = task.form_drawn(ids.iter().map(String::as_str));
    let question = drawn
        .into_iter()
        .find(|(_, q)| q.stable_id() == form.question)
        .map(|(id, q)| (id, q.clone()));
    Ok(DrawnForm {
        number,
        task: form,
        question,
    })
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct TaskView {
    pub key: String,
    pub unit: String,
    pub unit_title: String,
    pub prompt_html: String,
    pub word_limit: Option<u32>,
    pub char_limit: Option<u32>,
    pub pass_points: f64,
    pub max_points: f64,
    /// The rubric of the form the candidate drew.
    pub rubric: Vec<Criterion>,
    /// Which parallel form the candidate drew (from 1), of `forms`.
    pub form: u32,
    pub forms: u32,
}

/// A mark as another round shows it: no assessor's name.
#[derive(Debug, Clone, Serialize, Object)]
pub struct OtherMark {
    pub round: String,
    pub levels: Vec<u32>,
    pub total: Option<f64>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct QueueItem {
    pub id: Uuid,
    pub exam_id: Uuid,
    pub exam_title: String,
    /// e.g. `HM-2026-003`: never a name, NIP or unit kerja.
    pub candidate_code: String,
    /// `penilaian`, `moderasi` or `banding`.
    pub round: String,
    pub status: ItemStatus,
    pub task: TaskView,
    pub response_text: Option<String>,
    /// The uploaded file, named by candidate code and task only.
    pub response_file: Option<super::files::FileInfo>,
    pub levels: Vec<u32>,
    pub comment: Option<String>,
    pub reason: Option<String>,
    pub total: Option<f64>,
    /// For a moderation: the two markers' final marks.
    pub other_marks: Vec<OtherMark>,
    /// For an appeal: what the candidate wrote.
    pub appeal_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Object)]
pub struct QueueCounts {
    pub to_grade: u32,
    pub drafts: u32,
    pub moderation: u32,
    pub finished: u32,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct Queue {
    pub counts: QueueCounts,
    pub items: Vec<QueueItem>,
}

async fn item_view(
    engine: &Engine,
    loaded: &Loaded,
    item: &grading_item::Model,
    siblings: &[grading_item::Model],
) -> AppResult<QueueItem> {
    let listed = loaded
        .spec
        .task(&item.task_key)
        .ok_or_else(|| AppError::internal(format!("task {} not in exam", item.task_key)))?;
    let drawn = drawn_form(engine, item.attempt_id, listed).await?;
    let task = &drawn.task;
    let unit_title = loaded
        .spec
        .unit(&task.unit)
        .map(|u| u.title.clone())
        .unwrap_or_default();
    let (prompt_html, response_text) = match &drawn.question {
        Some((version_id, question)) => {
            let version_id = *version_id;
            let rendered = engine.caches.rendered(version_id, question);
            let answer = crate::attempts::lookup::response_text(
                engine.db.read(),
                item.attempt_id,
                version_id,
            )
            .await?;
            (rendered.text_html().to_owned(), answer)
        }
        None => (String::new(), None),
    };
    let round = Round::from_i32(item.round).unwrap_or(Round::First);
    let other_marks = if round == Round::Moderation {
        siblings
            .iter()
            .filter(|s| {
                s.attempt_id == item.attempt_id
                    && s.task_key == item.task_key
                    && (s.round == Round::First as i32 || s.round == Round::Second as i32)
                    && s.status == ItemStatus::Final
            })
            .map(|s| OtherMark {
                round: format!("Penilai {}", s.round),
                levels: levels_of(s),
                total: s.total,
                comment: s.comment.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let appeal_reason = if round == Round::Appeal {
        store::appeal_of(engine.db.read(), loaded.row.id, item.candidate_id)
            .await?
            .map(|a| a.reason)
    } else {
        None
    };
    let code = code_for(engine, loaded, item.candidate_id).await?;
    let response_file = super::files::of_attempt(engine, item.attempt_id)
        .await?
        .into_iter()
        .find(|f| f.task_key == item.task_key)
        .map(|mut f| {
            f.file_name = super::files::neutral_name(&code, &item.task_key, &f.content_type);
            f
        });
    Ok(QueueItem {
        id: item.id,
        exam_id: loaded.row.id,
        exam_title: loaded.row.title.clone(),
        candidate_code: code,
        round: round.label().into(),
        status: item.status,
        task: TaskView {
            key: task.key.clone(),
            unit: task.unit.clone(),
            unit_title,
            prompt_html,
            word_limit: task.word_limit,
            char_limit: task.char_limit,
            pass_points: task.pass_points,
            max_points: task.max_points(),
            rubric: task.rubric.clone(),
            form: drawn.number as u32,
            forms: listed.form_count() as u32,
        },
        response_text,
        response_file,
        levels: levels_of(item),
        comment: item.comment.clone(),
        reason: item.reason.clone(),
        total: item.total,
        other_marks,
        appeal_reason,
    })
}

/// The caller's own items across the exams they assess.
pub async fn queue(engine: &Engine, assessor: &CurrentUser) -> AppResult<Queue> {
    assessor.require(Role::Assessor)?;
    let mut loaded_exams: HashMap<Uuid, Loaded> = HashMap::new();
    for exam_id in store::exams_of_assessor(engine.db.read(), assessor.id).await? {
        let loaded = load(engine, exam_id).await?;
        sync(engine, &loaded).await?;
        loaded_exams.insert(exam_id, loaded);
    }
    let mine = store::items_of_assessor(engine.db.read(), assessor.id).await?;
    let mut counts = QueueCounts::default();
    let mut exam_items: HashMap<Uuid, Vec<grading_item::Model>> = HashMap::new();
    let mut items = Vec::new();
    for item in &mine {
        // An appeal assessor need not be on the exam's list.
        if let std::collections::hash_map::Entry::Vacant(slot) = loaded_exams.entry(item.exam_id) {
            slot.insert(load(engine, item.exam_id).await?);
        }
        let loaded = &loaded_exams[&item.exam_id];
        let status = item.status;
        match (status, item.round) {
            (ItemStatus::Final, _) => counts.finished += 1,
            (_, r) if r == Round::Moderation as i32 => counts.moderation += 1,
            (ItemStatus::Draft, _) => counts.drafts += 1,
            _ => counts.to_grade += 1,
        }
        // A moderation shows the markers' marks: one read per exam, not per item.
        let siblings: &[grading_item::Model] = if item.round == Round::Moderation as i32 {
            if let std::collections::hash_map::Entry::Vacant(slot) = exam_items.entry(item.exam_id)
            {
                slot.insert(store::items_of_exam(engine.db.read(), item.exam_id).await?);
            }
            &exam_items[&item.exam_id]
        } else {
            &[]
        };
        items.push(item_view(engine, loaded, item, siblings).await?);
    }
    Ok(Queue { counts, items })
}

/// One of the caller's items (anyone else's: 404).
pub async fn item(engine: &Engine, assessor: &CurrentUser, id: Uuid) -> AppResult<QueueItem> {
    assessor.require(Role::Assessor)?;
    let item = own_item(engine, assessor, id).await?;
    let loaded = load(engine, item.exam_id).await?;
    let siblings = store::items_of_exam(engine.db.read(), item.exam_id).await?;
    item_view(engine, &loaded, &item, &siblings).await
}

async fn own_item(
    engine: &Engine,
    assessor: &CurrentUser,
    id: Uuid,
) -> AppResult<grading_item::Model> {
    store::item(engine.db.read(), id)
        .await?
        .filter(|i| i.assessor_id == assessor.id)
        .ok_or(AppError::NotFound)
}

/// A moderation or appeal item its holder marked themself (handed out
/// before the rule held) is refused, never marked.
async fn refuse_own_mark(engine: &Engine, item: &grading_item::Model) -> AppResult<()> {
    let Some(round) = Round::from_i32(item.round).filter(|r| *r >= Round::Moderation) else {
        return Ok(());
    };
    let held: Vec<Held> = store::items_of_exam(engine.db.read(), item.exam_id)
        .await?
        .into_iter()
        .filter(|i| i.attempt_id == item.attempt_id && i.id != item.id)
        .filter_map(|i| {
            Some(Held {
                round: Round::from_i32(i.round)?,
                task_key: i.task_key,
                assessor_id: i.assessor_id,
            })
        })
        .collect();
    // Unit kerja was checked when the item was handed out.
    may_mark(
        round,
        &item.task_key,
        (item.assessor_id, None),
        (item.candidate_id, None),
        &held,
    )
    .map_err(|refusal| AppError::conflict(refusal.code(), refusal.message()))
}

#[derive(Debug, Clone)]
pub struct MarkInput {
    pub levels: Vec<u32>,
    pub comment: Option<String>,
    pub reason: Option<String>,
}

pub(super) fn snapshot(item: &grading_item::Model) -> serde_json::Value {
    json!({
        "status": item.status,
        "levels": levels_of(item),
        "total": item.total,
        "comment": item.comment,
        "reason": item.reason,
    })
}

fn final_error() -> AppError {
    AppError::conflict(
        Conflict::ItemFinal,
        "Nilai ini sudah final dan tidak dapat diubah.",
    )
}

/// Saves a draft mark: one level per criterion, a comment when the total
/// is below the pass points, a reason for a moderation or appeal.
pub async fn save_draft(
    engine: &Engine,
    assessor: &CurrentUser,
    id: Uuid,
    input: MarkInput,
) -> AppResult<QueueItem> {
    assessor.require(Role::Assessor)?;
    let item = own_item(engine, assessor, id).await?;
    refuse_own_mark(engine, &item).await?;
    let loaded = load(engine, item.exam_id).await?;
    let listed = loaded.spec.task(&item.task_key).ok_or(AppError::NotFound)?;
    let task = &drawn_form(engine, item.attempt_id, listed).await?.task;
    let levels: Vec<usize> = input.levels.iter().map(|l| *l as usize).collect();
    let total = score(task, &levels).map_err(|e| AppError::validation(vec![e]))?;
    let comment = input
        .comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let reason = input
        .reason
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let mut errors = Vec::new();
    if comment_required(task, total, &levels) && comment.is_none() {
        let unmet = unmet_criteria(task, &levels);
        let why = if unmet.is_empty() {
            format!(
                "nilai {} di bawah batas lulus {}",
                crate::numbers::decimal(total),
                crate::numbers::decimal(task.pass_points)
            )
        } else {
            format!("kriteria wajib belum tercapai: {}", unmet.join(", "))
        };
        errors.push(FieldError::new("comment", format!("wajib diisi: {why}")));
    }
    if item.round >= Round::Moderation as i32 && reason.is_none() {
        errors.push(FieldError::new(
            "reason",
            "wajib diisi: alasan nilai moderasi atau banding",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let actor = assessor.id;
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let Some(current) = store::item(txn, id).await? else {
                    return Err(AppError::NotFound);
                };
                if current.status == ItemStatus::Final {
                    return Err(final_error());
                }
                let mut next = current.clone();
                next.status = ItemStatus::Draft;
                next.levels = Some(json!(input.levels).to_string());
                next.total = Some(total);
                next.comment = comment;
                next.reason = reason;
                next.updated_at = clock::now();
                update_audited(txn, actor, "grade.draft", &current, next).await
            })
        })
        .await?;
    item_view_fresh(engine, &loaded, id).await
}

/// Writes `next` over `current`, with both in the audit log.
async fn update_audited(
    txn: &impl sea_orm::ConnectionTrait,
    actor: Uuid,
    action: &'static str,
    current: &grading_item::Model,
    next: grading_item::Model,
) -> AppResult<()> {
    audit::record(
        txn,
        audit::Entry {
            actor: Some(actor),
            action,
            object_type: "grading_item",
            object_id: current.id,
            old: Some(snapshot(current)),
            new: Some(snapshot(&next)),
            reason: next.reason.as_deref(),
        },
    )
    .await?;
    store::update_item(txn, next).await
}

async fn item_view_fresh(engine: &Engine, loaded: &Loaded, id: Uuid) -> AppResult<QueueItem> {
    let item = store::item(engine.db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let siblings = store::items_of_exam(engine.db.read(), item.exam_id).await?;
    item_view(engine, loaded, &item, &siblings).await
}

/// Locks the draft as the assessor's final mark (again: no change).
/// A moderation is handed out at once when the two marks are too far apart;
/// the last appeal item decides the appeal.
pub async fn finalize(engine: &Engine, assessor: &CurrentUser, id: Uuid) -> AppResult<QueueItem> {
    assessor.require(Role::Assessor)?;
    let item = own_item(engine, assessor, id).await?;
    refuse_own_mark(engine, &item).await?;
    let loaded = load(engine, item.exam_id).await?;
    let actor = assessor.id;
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let Some(current) = store::item(txn, id).await? else {
                    return Err(AppError::NotFound);
                };
                if current.status == ItemStatus::Final {
                    return Ok(());
                }
                if current.status != ItemStatus::Draft {
                    return Err(AppError::conflict(
                        Conflict::NoDraft,
                        "Simpan nilai (draf) dahulu sebelum difinalkan.",
                    ));
                }
                let mut next = current.clone();
                let now = clock::now();
                next.status = ItemStatus::Final;
                next.finalized_at = Some(now);
                next.updated_at = now;
                update_audited(txn, actor, "grade.final", &current, next).await
            })
        })
        .await?;
    if item.round == Round::Appeal as i32 {
        super::appeals::settle(engine, &loaded, item.candidate_id, actor).await?;
    } else {
        sync(engine, &loaded).await?;
    }
    item_view_fresh(engine, &loaded, id).await
}
