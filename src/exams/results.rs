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
use super::grading::sync;
use super::model::{AppealStatus, ItemStatus, appeal_open};
use super::setup::{Loaded, load};
use super::standing::{CandidateResult, candidate_result, released_own_attempt};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::audit;
use crate::clock;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::error::{AppError, AppResult, FieldError};

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
pub async fn matrix(
    engine: &Engine,
    admin: &CurrentUser,
    exam_id: Uuid,
) -> AppResult<ResultsMatrix> {
    admin.require(Role::Admin)?;
    matrix_of(engine, exam_id).await
}

async fn matrix_of(engine: &Engine, exam_id: Uuid) -> AppResult<ResultsMatrix> {
    let loaded = load(engine, exam_id).await?;
    sync(engine, &loaded).await?;
    let attempts = store::finished_attempts(engine.db.read(), loaded.assessment.id).await?;
    let items = store::items_of_exam(engine.db.read(), exam_id).await?;
    let codes = codes(engine, exam_id).await?;
    let appeals: HashMap<Uuid, bool> = store::appeals_of_exam(engine.db.read(), exam_id)
        .await?
        .into_iter()
        .map(|a| (a.user_id, a.status == AppealStatus::Decided))
        .collect();
    let ids: Vec<Uuid> = attempts.iter().map(|a| a.user_id).collect();
    let users = crate::accounts::lookup::users_by_id(engine.db.read(), &ids).await?;
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
            .filter(|i| i.status == ItemStatus::Final)
            .count() as u32,
    })
}

/// Shows the results to trainees. Refused while any candidate's unit is undecided.
pub async fn release(
    engine: &Engine,
    admin: &CurrentUser,
    exam_id: Uuid,
) -> AppResult<ResultsMatrix> {
    let results = matrix(engine, admin, exam_id).await?;
    if results.released_at.is_some() {
        return Ok(results);
    }
    let loaded = load(engine, exam_id).await?;
    let still_open =
        crate::attempts::lookup::open_count(engine.db.read(), loaded.assessment.id).await?;
    if still_open > 0 {
        return Err(AppError::conflict(
            Conflict::AttemptsOpen,
            format!("{still_open} peserta masih mengerjakan ujian; rilis setelah semua selesai."),
        ));
    }
    if results.rows.is_empty() {
        return Err(AppError::conflict(
            Conflict::NoCandidates,
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
    matrix_of(engine, exam_id).await
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
    let users = crate::accounts::lookup::users_by_id(engine.db.read(), &ids).await?;
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
        Conflict::GradingIncomplete,
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

/// The caller's result for their exam page: none until they finished the
/// exam and its results were released.
pub async fn released_result(
    engine: &Engine,
    user: &CurrentUser,
    exam_id: Uuid,
) -> AppResult<Option<MyResult>> {
    match my_result(engine, user, exam_id).await {
        Ok(result) => Ok(Some(result)),
        Err(AppError::NotFound)
        | Err(AppError::Conflict {
            code: Conflict::ResultsNotReleased,
            ..
        }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// A trainee's own result, only once released.
pub async fn my_result(engine: &Engine, user: &CurrentUser, exam_id: Uuid) -> AppResult<MyResult> {
    let loaded = load(engine, exam_id).await?;
    let (attempt, released_at) = released_own_attempt(engine, &loaded, user.id).await?;
    let items = store::items_of_exam(engine.db.read(), exam_id).await?;
    let appeal = store::appeal_of(engine.db.read(), exam_id, user.id).await?;
    let decided = appeal
        .as_ref()
        .is_some_and(|a| a.status == AppealStatus::Decided);
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
    admin.require(Role::Admin)?;
    let mut lines = Vec::new();
    for exam in store::exams_of_batches(engine.db.read(), &[batch_id]).await? {
        lines.extend(tally(&matrix_of(engine, exam.id).await?));
    }
    Ok(lines)
}
