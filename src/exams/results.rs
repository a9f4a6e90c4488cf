//! Results of an exam: per candidate and unit, the objective percentage,
//! the final task marks and Kompeten / Belum Kompeten; the release that
//! shows them to trainees.

use std::collections::HashMap;

use poem_openapi::Object;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::appeals::{AppealView, appeal_view};
use super::codes::{code_for, codes};
use super::grading::{item_state, levels_of, sync};
use super::model::{
    ItemStatus, Round, TaskOutcome, TaskStanding, UnitDecision, appeal_open, decide_unit,
    final_mark, objective_by_unit, unmet_in_final,
};
use super::plan::{ItemState, round_marks};
use super::setup::{Loaded, load};
use super::store;
use crate::accounts::model::CurrentUser;
use crate::attempts::model::Mark;
use crate::attempts::service::{Engine, questions_of, shape_by_id};
use crate::audit;
use crate::banks::model::QuestionType;
use crate::clock;
use crate::entities::{attempt, grading_item};
use crate::error::{AppError, AppResult, FieldError};

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
        .filter(|i| i.status == ItemStatus::Final.as_str())
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

#[derive(Debug, Clone, Serialize, Object)]
pub struct CandidateRow {
    pub user_id: Uuid,
    pub name: String,
    pub nip: Option<String>,
    pub unit_kerja: Option<String>,
    pub result: CandidateResult,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct ResultsMatrix {
    pub exam_id: Uuid,
    pub title: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub released_at: Option<OffsetDateTime>,
    pub units: Vec<String>,
    pub rows: Vec<CandidateRow>,
    /// Items still to be finalised, by state.
    pub items_total: u32,
    pub items_final: u32,
}

/// Every candidate × unit, for administrators.
pub async fn matrix(engine: &Engine, exam_id: Uuid) -> AppResult<ResultsMatrix> {
    let loaded = load(engine, exam_id).await?;
    sync(engine, &loaded).await?;
    let attempts = store::finished_attempts(engine.db.read(), loaded.assessment.id).await?;
    let items = store::items_of_exam(engine.db.read(), exam_id).await?;
    let codes = codes(engine, exam_id).await?;
    let appeals: HashMap<Uuid, bool> = store::appeals_of_exam(engine.db.read(), exam_id)
        .await?
        .into_iter()
        .map(|a| (a.user_id, a.status == "decided"))
        .collect();
    let ids: Vec<Uuid> = attempts.iter().map(|a| a.user_id).collect();
    let users = crate::schedule::store::users(engine.db.read(), &ids).await?;
    let mut rows = Vec::new();
    for attempt in &attempts {
        let code = match codes.get(&attempt.user_id) {
            Some(c) => c.clone(),
            None => code_for(engine, &loaded, attempt.user_id).await?,
        };
        let result = candidate_result(
            engine,
            &loaded,
            attempt,
            &items,
            code,
            appeals.get(&attempt.user_id).copied().unwrap_or(false),
        )
        .await?;
        let user = users.get(&attempt.user_id);
        rows.push(CandidateRow {
            user_id: attempt.user_id,
            name: user.map(|u| u.name.clone()).unwrap_or_default(),
            nip: user.and_then(|u| u.nip.clone()),
            unit_kerja: user.and_then(|u| u.unit_kerja.clone()),
            result,
        });
    }
    rows.sort_by(|a, b| a.result.candidate_code.cmp(&b.result.candidate_code));
    Ok(ResultsMatrix {
        exam_id,
        title: loaded.row.title.clone(),
        released_at: loaded.row.released_at,
        units: loaded.spec.units.iter().map(|u| u.title.clone()).collect(),
        rows,
        items_total: items.len() as u32,
        items_final: items
            .iter()
            .filter(|i| i.status == ItemStatus::Final.as_str())
            .count() as u32,
    })
}

/// Shows the results to trainees. Refused while any candidate's unit is undecided.
pub async fn release(
    engine: &Engine,
    admin: &CurrentUser,
    exam_id: Uuid,
) -> AppResult<ResultsMatrix> {
    let results = matrix(engine, exam_id).await?;
    if results.released_at.is_some() {
        return Ok(results);
    }
    let loaded = load(engine, exam_id).await?;
    let still_open =
        crate::attempts::store::open_attempts_of(engine.db.read(), loaded.assessment.id).await?;
    if still_open > 0 {
        return Err(AppError::conflict(
            "attempts_open",
            format!("{still_open} peserta masih mengerjakan ujian; rilis setelah semua selesai."),
        ));
    }
    if results.rows.is_empty() {
        return Err(AppError::conflict(
            "no_candidates",
            "Belum ada peserta yang menyelesaikan ujian ini.",
        ));
    }
    let pending: Vec<&str> = results
        .rows
        .iter()
        .filter(|r| !r.result.complete)
        .map(|r| r.result.candidate_code.as_str())
        .collect();
    if !pending.is_empty() {
        return Err(incomplete(engine, &loaded, &pending).await?);
    }
    let actor = admin.id;
    let letters = result_letters(engine, &results, loaded.row.batch_id).await?;
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let now = clock::now();
                // A second release at the same moment (a double click, two
                // administrators) changes nothing and tells no one again.
                if !store::set_released(txn, exam_id, now).await? {
                    return Ok(());
                }
                crate::notices::service::enqueue(txn, letters).await?;
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: "exam.release",
                        object_type: "exam",
                        object_id: exam_id,
                        old: None,
                        new: Some(json!({ "released_at": now
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap_or_default() })),
                        reason: None,
                    },
                )
                .await
            })
        })
        .await?;
    matrix(engine, exam_id).await
}

/// "Your results are out", one per candidate, queued with the release.
async fn result_letters(
    engine: &Engine,
    results: &ResultsMatrix,
    batch_id: Uuid,
) -> AppResult<Vec<crate::notices::service::Notice>> {
    use crate::notices::model::MessageKind;
    use crate::notices::service::{Notice, Recipient};
    use crate::notices::templates::ExamFacts;
    let ids: Vec<Uuid> = results.rows.iter().map(|r| r.user_id).collect();
    let users = crate::schedule::store::users(engine.db.read(), &ids).await?;
    let link = crate::links::absolute(&format!("/exams/{}", results.exam_id));
    Ok(results
        .rows
        .iter()
        .map(|row| {
            let facts = ExamFacts {
                nama: row.name.clone(),
                ujian: results.title.clone(),
                tautan: link.clone(),
            };
            Notice {
                kind: MessageKind::ExamResult,
                batch_id: Some(batch_id),
                to: Recipient {
                    user_id: row.user_id,
                    name: row.name.clone(),
                    email: users.get(&row.user_id).and_then(|u| u.email.clone()),
                },
                facts: serde_json::to_value(facts).unwrap_or_default(),
                calendar: None,
                send_at: None,
                expires_at: None,
            }
        })
        .collect())
}

/// Why release is refused: each candidate code with the mark it lacks
/// and why (in the message and, one entry each, in `details`).
async fn incomplete(engine: &Engine, loaded: &Loaded, pending: &[&str]) -> AppResult<AppError> {
    let missing = super::markers::missing(engine, loaded).await?;
    let mut details = super::markers::details(&missing);
    // Marks all there, yet undecided: the objective part is not graded.
    for code in pending {
        if !missing.iter().any(|m| m.candidate_code == *code) {
            details.push(FieldError::new(
                *code,
                "bagian objektif belum dinilai".to_owned(),
            ));
        }
    }
    const SHOWN: usize = 5;
    let mut listed: Vec<String> = details
        .iter()
        .take(SHOWN)
        .map(|d| format!("{} ({})", d.field, d.message))
        .collect();
    if details.len() > SHOWN {
        listed.push(format!("dan {} lainnya", details.len() - SHOWN));
    }
    Ok(AppError::conflict_with(
        "grading_incomplete",
        format!(
            "Hasil belum dapat dirilis; nilai yang belum ada: {}.",
            listed.join("; ")
        ),
        details,
    ))
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct MyResult {
    pub exam_id: Uuid,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub released_at: OffsetDateTime,
    pub result: CandidateResult,
    pub appeal: Option<AppealView>,
    /// Until when an appeal may be lodged.
    #[serde(with = "time::serde::rfc3339")]
    pub appeal_until: OffsetDateTime,
    pub can_appeal: bool,
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

/// Every released result of the trainee's exams.
pub async fn my_released(engine: &Engine, user: &CurrentUser) -> AppResult<Vec<MyResult>> {
    let mut out = Vec::new();
    for exam in super::sitting::mine(engine, user).await? {
        if !exam.released {
            continue;
        }
        // Released without a finished attempt of theirs: nothing to show.
        match my_result(engine, user, exam.id).await {
            Ok(result) => out.push(result),
            Err(AppError::NotFound) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(out)
}

/// A trainee's own result, only once released.
pub async fn my_result(engine: &Engine, user: &CurrentUser, exam_id: Uuid) -> AppResult<MyResult> {
    let loaded = load(engine, exam_id).await?;
    let attempt = own_attempt(engine, &loaded, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(released_at) = loaded.row.released_at else {
        return Err(AppError::conflict(
            "results_not_released",
            "Hasil ujian belum dirilis.",
        ));
    };
    let items = store::items_of_exam(engine.db.read(), exam_id).await?;
    let appeal = store::appeal_of(engine.db.read(), exam_id, user.id).await?;
    let decided = appeal.as_ref().is_some_and(|a| a.status == "decided");
    let code = code_for(engine, &loaded, user.id).await?;
    let result = candidate_result(engine, &loaded, &attempt, &items, code, decided).await?;
    let appeal_until = released_at + time::Duration::days(i64::from(loaded.row.appeal_days));
    Ok(MyResult {
        exam_id,
        title: loaded.row.title.clone(),
        released_at,
        can_appeal: appeal.is_none()
            && !loaded.spec.tasks.is_empty()
            && appeal_open(released_at, loaded.row.appeal_days, clock::now()),
        appeal: appeal.as_ref().map(appeal_view),
        appeal_until,
        result,
    })
}

/// How many candidates of one exam were judged Kompeten in one unit: a
/// line of the laporan penyelenggaraan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitTally {
    pub exam_id: Uuid,
    pub exam: String,
    pub released: bool,
    pub unit: String,
    pub kompeten: u32,
    pub belum_kompeten: u32,
    pub undecided: u32,
}

/// Counts per unit, in the exam's unit order.
pub fn tally(results: &ResultsMatrix) -> Vec<UnitTally> {
    let mut lines: Vec<UnitTally> = Vec::new();
    for row in &results.rows {
        for unit in &row.result.units {
            let at = match lines.iter().position(|l| l.unit == unit.title) {
                Some(at) => at,
                None => {
                    lines.push(UnitTally {
                        exam_id: results.exam_id,
                        exam: results.title.clone(),
                        released: results.released_at.is_some(),
                        unit: unit.title.clone(),
                        kompeten: 0,
                        belum_kompeten: 0,
                        undecided: 0,
                    });
                    lines.len() - 1
                }
            };
            match unit.decision {
                crate::exams::model::UnitDecision::Kompeten => lines[at].kompeten += 1,
                crate::exams::model::UnitDecision::BelumKompeten => lines[at].belum_kompeten += 1,
                crate::exams::model::UnitDecision::Pending => lines[at].undecided += 1,
            }
        }
    }
    lines
}

/// The unit counts of every exam of a batch (administrators).
pub async fn tally_of_batch(
    engine: &Engine,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<Vec<UnitTally>> {
    admin.require(crate::accounts::model::Role::Admin)?;
    let mut lines = Vec::new();
    for exam in store::exams_of_batches(engine.db.read(), &[batch_id]).await? {
        lines.extend(tally(&matrix(engine, exam.id).await?));
    }
    Ok(lines)
}
