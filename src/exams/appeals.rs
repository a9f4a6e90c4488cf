//! Appeals (banding): a trainee contests a released result within the
//! window; an administrator hands it to a different assessor, whose marks
//! are final; every step is audited.

use poem_openapi::Object;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::codes::code_for;
use super::model::{AppealStatus, Held, ItemStatus, Refusal, Round, appeal_open, may_mark};
use super::plan::NewItem;
use super::setup::{Loaded, load};
use super::standing::{candidate_result, own_attempt, released_own_attempt};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::audit;
use crate::clock;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::{appeal, grading_item};
use crate::error::{AppError, AppResult, FieldError};

#[derive(Debug, Clone, Serialize, Object)]
pub struct AppealView {
    pub id: Uuid,
    pub exam_id: Uuid,
    pub reason: String,
    pub status: AppealStatus,
    /// "Diajukan", "Sedang ditinjau asesor lain", "Diputuskan".
    pub status_label: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub decided_at: Option<OffsetDateTime>,
}

pub fn appeal_view(a: &appeal::Model) -> AppealView {
    let status = a.status;
    AppealView {
        id: a.id,
        exam_id: a.exam_id,
        reason: a.reason.clone(),
        status,
        status_label: match status {
            AppealStatus::Submitted => "Diajukan",
            AppealStatus::Assigned => "Sedang ditinjau asesor lain",
            AppealStatus::Decided => "Diputuskan",
        }
        .into(),
        created_at: a.created_at,
        decided_at: a.decided_at,
    }
}

/// A trainee appeals their released result.
pub async fn submit(
    engine: &Engine,
    user: &CurrentUser,
    exam_id: Uuid,
    reason: &str,
) -> AppResult<AppealView> {
    let loaded = load(engine, exam_id).await?;
    let (_, released_at) = released_own_attempt(engine, &loaded, user.id).await?;
    if !appeal_open(released_at, loaded.row.appeal_days, clock::now()) {
        return Err(AppError::conflict(
            Conflict::AppealClosed,
            format!(
                "Masa banding ({} hari setelah hasil dirilis) sudah berakhir.",
                loaded.row.appeal_days
            ),
        ));
    }
    if loaded.spec.tasks.is_empty() {
        return Err(AppError::conflict(
            Conflict::NothingToAppeal,
            "Ujian ini tidak memiliki tugas yang dinilai asesor.",
        ));
    }
    let reason = reason.trim().to_owned();
    if reason.chars().count() < 10 {
        return Err(AppError::validation(vec![FieldError::new(
            "reason",
            "jelaskan alasan banding (minimal 10 karakter)",
        )]));
    }
    let row = appeal::Model {
        id: Uuid::now_v7(),
        exam_id,
        user_id: user.id,
        reason,
        status: AppealStatus::Submitted,
        assessor_id: None,
        created_at: clock::now(),
        decided_at: None,
    };
    let actor = user.id;
    let inserted = row.clone();
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                if store::appeal_of(txn, row.exam_id, row.user_id)
                    .await?
                    .is_some()
                {
                    return Err(AppError::conflict(
                        Conflict::AppealExists,
                        "Anda sudah mengajukan banding untuk ujian ini.",
                    ));
                }
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: "appeal.submit",
                        object_type: "appeal",
                        object_id: row.id,
                        old: None,
                        new: Some(json!({ "reason": row.reason })),
                        reason: Some(&row.reason),
                    },
                )
                .await?;
                store::insert_appeal(txn, row).await
            })
        })
        .await?;
    Ok(appeal_view(&inserted))
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct AppealRow {
    pub appeal: AppealView,
    pub candidate_code: String,
    pub name: String,
    pub assessor_id: Option<Uuid>,
    pub assessor_name: Option<String>,
}

/// Every appeal of an exam, for administrators.
pub async fn list(
    engine: &Engine,
    admin: &CurrentUser,
    exam_id: Uuid,
) -> AppResult<Vec<AppealRow>> {
    admin.require(Role::Admin)?;
    let loaded = load(engine, exam_id).await?;
    let appeals = store::appeals_of_exam(engine.db.read(), exam_id).await?;
    let mut ids: Vec<Uuid> = appeals.iter().map(|a| a.user_id).collect();
    ids.extend(appeals.iter().filter_map(|a| a.assessor_id));
    let users = crate::accounts::lookup::users_by_id(engine.db.read(), &ids).await?;
    let mut rows = Vec::new();
    for a in appeals {
        rows.push(AppealRow {
            candidate_code: code_for(engine, &loaded, a.user_id).await?,
            name: users
                .get(&a.user_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            assessor_id: a.assessor_id,
            assessor_name: a
                .assessor_id
                .and_then(|id| users.get(&id).map(|u| u.name.clone())),
            appeal: appeal_view(&a),
        });
    }
    Ok(rows)
}

/// An appeal, for administrators handing it out.
pub async fn find(
    engine: &Engine,
    admin: &CurrentUser,
    appeal_id: Uuid,
) -> AppResult<appeal::Model> {
    admin.require(Role::Admin)?;
    store::appeal(engine.db.read(), appeal_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Hands an appeal to an assessor who has not marked this candidate and
/// has no conflict of interest; they re-mark every task.
pub async fn assign(
    engine: &Engine,
    admin: &CurrentUser,
    appeal_id: Uuid,
    assessor_id: Uuid,
) -> AppResult<AppealRow> {
    let appeal = find(engine, admin, appeal_id).await?;
    let loaded = load(engine, appeal.exam_id).await?;
    if appeal.status != AppealStatus::Submitted {
        return Err(AppError::conflict(
            Conflict::AppealAssigned,
            "Banding ini sudah diserahkan kepada asesor.",
        ));
    }
    let assessor =
        crate::accounts::lookup::active_with_role(engine.db.read(), assessor_id, Role::Assessor)
            .await?;
    let Some(assessor) = assessor else {
        return Err(AppError::invalid_field(
            "assessor_id",
            "pengguna ini bukan asesor yang aktif",
        ));
    };
    let candidate = crate::accounts::lookup::find_by_id(engine.db.read(), appeal.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let attempt = own_attempt(engine, &loaded, appeal.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let held: Vec<Held> = store::items_of_exam(engine.db.read(), loaded.row.id)
        .await?
        .into_iter()
        .filter(|i| i.attempt_id == attempt.id)
        .filter_map(|i| {
            Some(Held {
                round: Round::from_i32(i.round)?,
                task_key: i.task_key,
                assessor_id: i.assessor_id,
            })
        })
        .collect();
    // One rule for every judge: the same as for markers and moderators.
    for task in &loaded.spec.tasks {
        may_mark(
            Round::Appeal,
            &task.key,
            (assessor_id, assessor.unit_kerja.as_deref()),
            (appeal.user_id, candidate.unit_kerja.as_deref()),
            &held,
        )
        .map_err(|refusal| match refusal {
            Refusal::OwnMark => AppError::conflict(
                Conflict::SameAssessor,
                "Banding harus ditinjau asesor yang belum menilai peserta ini.",
            ),
            other => AppError::conflict(other.code(), other.message()),
        })?;
    }
    let now = clock::now();
    let new_items: Vec<grading_item::Model> = loaded
        .spec
        .tasks
        .iter()
        .map(|task| {
            let item = NewItem {
                attempt_id: attempt.id,
                task_key: task.key.clone(),
                candidate_id: appeal.user_id,
                assessor_id,
                round: Round::Appeal,
            };
            store::pending_item(loaded.row.id, item, now)
        })
        .collect();
    let actor = admin.id;
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let Some(mut current) = store::appeal(txn, appeal_id).await? else {
                    return Err(AppError::NotFound);
                };
                if current.status != AppealStatus::Submitted {
                    return Err(AppError::conflict(
                        Conflict::AppealAssigned,
                        "Banding ini sudah diserahkan kepada asesor.",
                    ));
                }
                current.status = AppealStatus::Assigned;
                current.assessor_id = Some(assessor_id);
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: "appeal.assign",
                        object_type: "appeal",
                        object_id: appeal_id,
                        old: Some(json!({ "status": "submitted" })),
                        new: Some(json!({ "status": "assigned", "assessor_id": assessor_id })),
                        reason: None,
                    },
                )
                .await?;
                store::update_appeal(txn, current).await?;
                store::insert_items(txn, new_items).await
            })
        })
        .await?;
    list(engine, admin, loaded.row.id)
        .await?
        .into_iter()
        .find(|r| r.appeal.id == appeal_id)
        .ok_or(AppError::NotFound)
}

/// Decides the candidate's appeal once every appeal item is final,
/// recording the unit decisions before and after.
pub async fn settle(
    engine: &Engine,
    loaded: &Loaded,
    candidate_id: Uuid,
    actor: Uuid,
) -> AppResult<()> {
    let Some(appeal) = store::appeal_of(engine.db.read(), loaded.row.id, candidate_id).await?
    else {
        return Ok(());
    };
    if appeal.status != AppealStatus::Assigned {
        return Ok(());
    }
    let Some(attempt) = own_attempt(engine, loaded, candidate_id).await? else {
        return Ok(());
    };
    let items = store::items_of_exam(engine.db.read(), loaded.row.id).await?;
    let appeal_items: Vec<&grading_item::Model> = items
        .iter()
        .filter(|i| i.attempt_id == attempt.id && i.round == Round::Appeal as i32)
        .collect();
    if appeal_items.iter().any(|i| i.status != ItemStatus::Final) {
        return Ok(());
    }
    let code = code_for(engine, loaded, candidate_id).await?;
    let before = candidate_result(engine, loaded, &attempt, &items, code.clone(), false).await?;
    let after = candidate_result(engine, loaded, &attempt, &items, code, true).await?;
    let summary = |r: &super::standing::CandidateResult| {
        json!(
            r.units
                .iter()
                .map(|u| json!({ "unit": u.code, "decision": u.decision.as_str() }))
                .collect::<Vec<_>>()
        )
    };
    let (old, new) = (summary(&before), summary(&after));
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let Some(mut current) = store::appeal(txn, appeal.id).await? else {
                    return Ok(());
                };
                if current.status != AppealStatus::Assigned {
                    return Ok(());
                }
                current.status = AppealStatus::Decided;
                current.decided_at = Some(clock::now());
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: "appeal.decide",
                        object_type: "appeal",
                        object_id: current.id,
                        old: Some(old),
                        new: Some(new),
                        reason: None,
                    },
                )
                .await?;
                store::update_appeal(txn, current).await
            })
        })
        .await
}
