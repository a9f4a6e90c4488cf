//! One candidate's result of an exam, computed from their attempt and
//! grading items: per unit the objective percentage, the final task marks
//! and the decision. Shared by the results, appeals and markers.

use poem_openapi::Object;
use serde::Serialize;
use uuid::Uuid;

use super::model::{
    AppealStatus, ItemStatus, Round, TaskOutcome, TaskStanding, UnitDecision, decide_unit,
    final_mark, objective_by_unit, unmet_in_final,
};
use super::plan::{ItemState, item_state, levels_of, round_marks};
use super::setup::Loaded;
use super::store;
use crate::attempts::model::Mark;
use crate::attempts::parts::{questions_of, shape_by_id};
use crate::banks::model::QuestionType;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::{attempt, grading_item};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, Object)]
pub struct TaskResult {
    pub key: String,
    pub final_total: Option<f64>,
    pub max_points: f64,
    pub pass_points: f64,
    /// `final`, `pending` (being marked) or `moderation`.
    pub state: String,
    /// The comments behind the final mark, without the assessors' names.
    pub comments: Vec<String>,
    /// Must-pass criteria the final mark does not reach: the task is not
    /// passed whatever its total.
    pub unmet_criteria: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct UnitResult {
    pub code: String,
    pub title: String,
    pub objective_percent: Option<f64>,
    pub objective_pass_percent: f64,
    pub decision: UnitDecision,
    /// "Kompeten", "Belum Kompeten" or "Belum diputuskan".
    pub label: String,
    pub tasks: Vec<TaskResult>,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct CandidateResult {
    pub candidate_code: String,
    pub attempt_id: Uuid,
    pub units: Vec<UnitResult>,
    /// Every unit decided.
    pub complete: bool,
}

/// The comments of the round(s) that made the final mark.
/// The final items of the rounds that count.
fn final_items<'a>(
    items: &'a [&'a grading_item::Model],
    marks_from: &'a [Round],
) -> impl Iterator<Item = &'a grading_item::Model> {
    items
        .iter()
        .copied()
        .filter(|i| marks_from.iter().any(|r| *r as i32 == i.round))
        .filter(|i| i.status == ItemStatus::Final)
}

/// The final markings (one level per criterion) of the rounds that count.
fn markings(items: &[&grading_item::Model], marks_from: &[Round]) -> Vec<Vec<usize>> {
    final_items(items, marks_from)
        .map(|i| levels_of(i).into_iter().map(|l| l as usize).collect())
        .collect()
}

fn comments(items: &[&grading_item::Model], marks_from: &[Round]) -> Vec<String> {
    final_items(items, marks_from)
        .filter_map(|i| i.comment.clone())
        .collect()
}

/// One candidate's result; appeal marks count only once the appeal is decided.
pub async fn candidate_result(
    engine: &Engine,
    loaded: &Loaded,
    attempt: &attempt::Model,
    items: &[grading_item::Model],
    code: String,
    appeal_decided: bool,
) -> AppResult<CandidateResult> {
    let shape = shape_by_id(engine, attempt.id).await?;
    let questions = questions_of(engine, &shape).await?;
    let marks: Vec<Mark> = attempt
        .marks
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or_default();
    let objective: Vec<(Vec<String>, f64, Option<f64>)> = marks
        .iter()
        .filter_map(|m| {
            let q = questions.get(&m.question_id)?;
            (q.kind() != QuestionType::Essay).then(|| (q.tags.clone(), m.points, m.fraction))
        })
        .collect();
    let by_unit = objective_by_unit(&loaded.spec.units, &objective);
    let mine: Vec<&grading_item::Model> = items
        .iter()
        .filter(|i| i.attempt_id == attempt.id)
        .filter(|i| appeal_decided || i.round != Round::Appeal as i32)
        .collect();
    let states: Vec<ItemState> = mine.iter().filter_map(|i| item_state(i)).collect();
    let mut units = Vec::new();
    for unit in &loaded.spec.units {
        let mut tasks = Vec::new();
        let mut outcomes = Vec::new();
        for listed in loaded.spec.tasks.iter().filter(|t| t.unit == unit.code) {
            // Marked under the rubric of the form this candidate drew.
            let ids: Vec<String> = questions.values().map(|q| q.stable_id()).collect();
            let (_, form) = listed.form_drawn(ids.iter().map(String::as_str));
            let task = &form;
            let marks = round_marks(&states, attempt.id, &task.key);
            let outcome = final_mark(
                marks,
                loaded.row.double_marking,
                loaded.row.moderation_threshold,
                loaded.rule(),
            );
            let here: Vec<&grading_item::Model> = mine
                .iter()
                .copied()
                .filter(|i| i.task_key == task.key)
                .collect();
            let from = if marks.appeal.is_some() {
                vec![Round::Appeal]
            } else if marks.moderation.is_some() {
                vec![Round::Moderation]
            } else {
                vec![Round::First, Round::Second]
            };
            let unmet = if matches!(outcome, TaskOutcome::Final(_)) {
                unmet_in_final(task, &markings(&here, &from), loaded.rule())
            } else {
                Vec::new()
            };
            let (final_total, state) = match outcome {
                TaskOutcome::Final(t) => (Some((t * 100.0).round() / 100.0), "final"),
                TaskOutcome::NeedsModeration => (None, "moderation"),
                TaskOutcome::Pending => (None, "pending"),
            };
            tasks.push(TaskResult {
                key: task.key.clone(),
                final_total,
                max_points: task.max_points(),
                pass_points: task.pass_points,
                state: state.into(),
                comments: if final_total.is_some() {
                    comments(&here, &from)
                } else {
                    Vec::new()
                },
                unmet_criteria: unmet.clone(),
            });
            outcomes.push(TaskStanding {
                outcome,
                pass_points: task.pass_points,
                must_pass_met: unmet.is_empty(),
            });
        }
        let exact = by_unit.get(&unit.code).copied();
        let decision = decide_unit(unit, exact, &outcomes);
        let objective_percent = exact.map(|p| (p * 10.0).round() / 10.0);
        units.push(UnitResult {
            code: unit.code.clone(),
            title: unit.title.clone(),
            objective_percent,
            objective_pass_percent: unit.objective_pass_percent,
            decision,
            label: decision.label().into(),
            tasks,
        });
    }
    Ok(CandidateResult {
        candidate_code: code,
        attempt_id: attempt.id,
        complete: units.iter().all(|u| u.decision != UnitDecision::Pending),
        units,
    })
}

/// The caller's own finished attempt and when its result was released;
/// 404 without an attempt, 409 `results_not_released` before the release.
pub async fn released_own_attempt(
    engine: &Engine,
    loaded: &Loaded,
    user_id: Uuid,
) -> AppResult<(attempt::Model, time::OffsetDateTime)> {
    let attempt = own_attempt(engine, loaded, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(released_at) = loaded.row.released_at else {
        return Err(AppError::conflict(
            Conflict::ResultsNotReleased,
            "Hasil ujian belum dirilis.",
        ));
    };
    Ok((attempt, released_at))
}

/// The caller's own attempt of the exam, if finished.
pub async fn own_attempt(
    engine: &Engine,
    loaded: &Loaded,
    user_id: Uuid,
) -> AppResult<Option<attempt::Model>> {
    Ok(
        store::finished_attempts(engine.db.read(), loaded.assessment.id)
            .await?
            .into_iter()
            .find(|a| a.user_id == user_id),
    )
}

/// A candidate's result as a certificate sees it (no candidate code), or
/// none when they did not finish the exam.
pub async fn result_of(
    engine: &Engine,
    loaded: &Loaded,
    user_id: Uuid,
) -> AppResult<Option<CandidateResult>> {
    let Some(attempt) = own_attempt(engine, loaded, user_id).await? else {
        return Ok(None);
    };
    let items = store::items_of_exam(engine.db.read(), loaded.row.id).await?;
    let decided = store::appeal_of(engine.db.read(), loaded.row.id, user_id)
        .await?
        .is_some_and(|a| a.status == AppealStatus::Decided);
    let result = candidate_result(engine, loaded, &attempt, &items, String::new(), decided).await?;
    Ok(Some(result))
}
