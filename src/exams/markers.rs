//! Markers an administrator names: what each candidate's result still
//! waits for and why, a missing marker or moderator added, and the
//! assessor of an item that is not final replaced (one who was
//! deactivated, or lost the assessor role). Every change is audited.

use std::collections::{HashMap, HashSet};

use poem_openapi::Object;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::codes::codes;
use super::grading::{snapshot, sync};
use super::model::{Held, ItemStatus, MarkRound, Round, TaskOutcome, final_mark, may_mark};
use super::plan::{
    Holdup, ItemState, NewItem, Settings, Sitting, item_state, missing_marks, round_marks,
};
use super::setup::{Loaded, load};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::audit;
use crate::clock;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::{attempt, grading_item, user};
use crate::error::{AppError, AppResult, FieldError};
use crate::string_enum::string_enum;

string_enum!(
    /// Why a mark has not come.
    HoldupKind {
        NoMarker = "no_marker",
        NoModerator = "no_moderator",
        Unavailable = "unavailable",
        OwnMark = "own_mark",
        Waiting = "waiting"
    }
);

/// A mark a candidate's result still waits for.
#[derive(Debug, Clone, Serialize, Object)]
pub struct MissingView {
    pub candidate_code: String,
    pub name: String,
    pub task_key: String,
    pub round: MarkRound,
    /// "Penilai 1", "Penilai 2", "Moderasi" or "Banding".
    pub round_label: String,
    pub holdup: HoldupKind,
    /// Why, in words.
    pub holdup_label: String,
    /// Only an administrator can unblock it: name or replace a marker.
    pub needs_admin: bool,
    /// The item, when one was handed out.
    #[oai(nullable)]
    pub item_id: Option<Uuid>,
    #[oai(nullable)]
    pub assessor_id: Option<Uuid>,
    #[oai(nullable)]
    pub assessor_name: Option<String>,
}

/// A grading item as administrators see it: who holds it and where it stands.
#[derive(Debug, Clone, Serialize, Object)]
pub struct MarkerItem {
    pub item_id: Uuid,
    pub candidate_code: String,
    pub name: String,
    pub task_key: String,
    pub round: MarkRound,
    pub round_label: String,
    pub assessor_id: Uuid,
    pub assessor_name: String,
    /// Active and still an assessor.
    pub assessor_available: bool,
    pub status: ItemStatus,
    pub status_label: String,
}

/// Every grading item of an exam and every mark still missing.
#[derive(Debug, Clone, Serialize, Object)]
pub struct MarkerBoard {
    pub exam_id: Uuid,
    pub missing: Vec<MissingView>,
    pub items: Vec<MarkerItem>,
}

/// What naming a marker needs.
#[derive(Debug, Clone)]
pub struct NameMarker {
    pub candidate_code: String,
    pub task_key: String,
    pub round: MarkRound,
    pub assessor_id: Uuid,
    pub reason: String,
}

/// The exam's attempts, items, codes and people, read once.
struct Facts {
    attempts: Vec<attempt::Model>,
    items: Vec<grading_item::Model>,
    codes: HashMap<Uuid, String>,
    users: HashMap<Uuid, user::Model>,
    available: HashSet<Uuid>,
}

impl Facts {
    fn name(&self, id: Uuid) -> String {
        self.users
            .get(&id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "(pengguna dihapus)".into())
    }

    fn code(&self, id: Uuid) -> String {
        self.codes.get(&id).cloned().unwrap_or_default()
    }
}

async fn facts(engine: &Engine, loaded: &Loaded) -> AppResult<Facts> {
    let attempts = store::finished_attempts(engine.db.read(), loaded.assessment.id).await?;
    let items = store::items_of_exam(engine.db.read(), loaded.row.id).await?;
    let mut ids: Vec<Uuid> = attempts.iter().map(|a| a.user_id).collect();
    ids.extend(items.iter().map(|i| i.assessor_id));
    ids.sort();
    ids.dedup();
    let users = crate::accounts::lookup::users_by_id(engine.db.read(), &ids).await?;
    let available =
        crate::accounts::lookup::active_with_role_among(engine.db.read(), &ids, Role::Assessor)
            .await?;
    Ok(Facts {
        attempts,
        items,
        codes: codes(engine, loaded.row.id).await?,
        users,
        available,
    })
}

fn settings(loaded: &Loaded) -> Settings {
    Settings {
        double_marking: loaded.row.double_marking,
        threshold: loaded.row.moderation_threshold,
        rule: loaded.rule(),
    }
}

fn missing_of(loaded: &Loaded, facts: &Facts) -> Vec<MissingView> {
    let sittings: Vec<Sitting> = facts
        .attempts
        .iter()
        .map(|a| Sitting {
            attempt_id: a.id,
            candidate_id: a.user_id,
            unit_kerja: None,
        })
        .collect();
    let states: Vec<ItemState> = facts.items.iter().filter_map(item_state).collect();
    let mut out: Vec<MissingView> =
        missing_marks(&loaded.spec, &settings(loaded), &sittings, &states, |a| {
            facts.available.contains(&a)
        })
        .into_iter()
        .map(|m| {
            let item = facts.items.iter().find(|i| {
                i.attempt_id == m.attempt_id
                    && i.task_key == m.task_key
                    && i.round == m.round as i32
            });
            let (kind, assessor_id) = match m.holdup {
                Holdup::NoMarker => (HoldupKind::NoMarker, None),
                Holdup::NoModerator => (HoldupKind::NoModerator, None),
                Holdup::Unavailable(a) => (HoldupKind::Unavailable, Some(a)),
                Holdup::OwnMark(a) => (HoldupKind::OwnMark, Some(a)),
                Holdup::Waiting(a) => (HoldupKind::Waiting, Some(a)),
            };
            MissingView {
                candidate_code: facts.code(m.candidate_id),
                name: facts.name(m.candidate_id),
                task_key: m.task_key,
                round: m.round.into(),
                round_label: m.round.title().into(),
                holdup: kind,
                holdup_label: m.holdup.label().into(),
                needs_admin: m.holdup.needs_admin(),
                item_id: item.map(|i| i.id),
                assessor_id,
                assessor_name: assessor_id.map(|a| facts.name(a)),
            }
        })
        .collect();
    // What needs an administrator first, then by candidate.
    out.sort_by(|a, b| {
        (
            !a.needs_admin,
            &a.candidate_code,
            &a.task_key,
            a.round.as_str(),
        )
            .cmp(&(
                !b.needs_admin,
                &b.candidate_code,
                &b.task_key,
                b.round.as_str(),
            ))
    });
    out
}

fn row(facts: &Facts, item: &grading_item::Model) -> MarkerItem {
    let round = Round::from_i32(item.round).unwrap_or(Round::First);
    let status = item.status;
    MarkerItem {
        item_id: item.id,
        candidate_code: facts.code(item.candidate_id),
        name: facts.name(item.candidate_id),
        task_key: item.task_key.clone(),
        round: round.into(),
        round_label: round.title().into(),
        assessor_id: item.assessor_id,
        assessor_name: facts.name(item.assessor_id),
        assessor_available: facts.available.contains(&item.assessor_id),
        status,
        status_label: status.label().into(),
    }
}

/// The marks the exam's results still wait for (handing out what can be
/// handed out first).
pub async fn missing(engine: &Engine, loaded: &Loaded) -> AppResult<Vec<MissingView>> {
    sync(engine, loaded).await?;
    Ok(missing_of(loaded, &facts(engine, loaded).await?))
}

/// Every item and every missing mark of an exam, for administrators.
pub async fn board(engine: &Engine, admin: &CurrentUser, exam_id: Uuid) -> AppResult<MarkerBoard> {
    admin.require(Role::Admin)?;
    let loaded = load(engine, exam_id).await?;
    sync(engine, &loaded).await?;
    let facts = facts(engine, &loaded).await?;
    let mut items: Vec<MarkerItem> = facts.items.iter().map(|i| row(&facts, i)).collect();
    items.sort_by(|a, b| {
        (&a.candidate_code, &a.task_key, a.round.as_str()).cmp(&(
            &b.candidate_code,
            &b.task_key,
            b.round.as_str(),
        ))
    });
    Ok(MarkerBoard {
        exam_id,
        missing: missing_of(&loaded, &facts),
        items,
    })
}

/// One entry per missing mark: `field` is `{candidate code}.{task}`.
pub fn details(missing: &[MissingView]) -> Vec<FieldError> {
    missing
        .iter()
        .map(|m| {
            let who = m
                .assessor_name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            FieldError::new(
                format!("{}.{}", m.candidate_code, m.task_key),
                format!("{}: {}{who}", m.round_label, m.holdup_label),
            )
        })
        .collect()
}

/// Whether `round` of the task is one the candidate's result needs now.
fn needed(
    loaded: &Loaded,
    states: &[ItemState],
    attempt_id: Uuid,
    task: &str,
    round: Round,
) -> bool {
    match round {
        Round::First => true,
        Round::Second => loaded.row.double_marking,
        Round::Moderation => {
            let marks = round_marks(states, attempt_id, task);
            let marks = super::model::RoundMarks {
                moderation: None,
                appeal: None,
                ..marks
            };
            final_mark(
                marks,
                loaded.row.double_marking,
                loaded.row.moderation_threshold,
                loaded.rule(),
            ) == TaskOutcome::NeedsModeration
        }
        // Appeal items come from assigning the appeal.
        Round::Appeal => false,
    }
}

/// Names the assessor of one round of a candidate's task: adds the item
/// when there is none (a marker nobody could be given, a moderator no lead
/// could be), or hands a not-final item to someone else (its draft is
/// dropped; the audit keeps it). The same rules as the automatic hand-out
/// hold: never the candidate, a colleague from their unit kerja, the other
/// marker, or a moderator or appeal assessor judging their own mark.
pub async fn name_marker(
    engine: &Engine,
    admin: &CurrentUser,
    exam_id: Uuid,
    input: NameMarker,
) -> AppResult<MarkerItem> {
    admin.require(Role::Admin)?;
    let loaded = load(engine, exam_id).await?;
    sync(engine, &loaded).await?;
    let candidate_id = store::candidates(engine.db.read(), exam_id)
        .await?
        .into_iter()
        .find(|c| c.code == input.candidate_code.trim())
        .map(|c| c.user_id)
        .ok_or(AppError::NotFound)?;
    let task_key = input.task_key.trim().to_owned();
    if loaded.spec.task(&task_key).is_none() {
        return Err(AppError::invalid_field(
            "task_key",
            format!("tugas '{task_key}' tidak ada di ujian ini"),
        ));
    }
    let reason = AppError::required(
        &input.reason,
        "reason",
        "wajib diisi: mengapa penilai ini ditetapkan",
    )?
    .to_owned();
    let assessor_id = input.assessor_id;
    let assessor =
        crate::accounts::lookup::active_with_role(engine.db.read(), assessor_id, Role::Assessor)
            .await?;
    let Some(assessor) = assessor else {
        return Err(AppError::invalid_field(
            "assessor_id",
            "pengguna ini bukan asesor yang aktif",
        ));
    };
    let attempt = super::standing::own_attempt(engine, &loaded, candidate_id)
        .await?
        .ok_or_else(|| {
            AppError::conflict(
                Conflict::AttemptOpen,
                "Peserta ini belum selesai mengerjakan ujian.",
            )
        })?;
    let candidate = crate::accounts::lookup::find_by_id(engine.db.read(), candidate_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let round = Round::from(input.round);
    let items: Vec<grading_item::Model> = store::items_of_exam(engine.db.read(), exam_id)
        .await?
        .into_iter()
        .filter(|i| i.attempt_id == attempt.id)
        .collect();
    let current = items
        .iter()
        .find(|i| i.task_key == task_key && i.round == round as i32)
        .cloned();
    match &current {
        Some(item) if item.status == ItemStatus::Final => {
            return Err(AppError::conflict(
                Conflict::ItemFinal,
                "Nilai ini sudah final; penilainya tidak dapat diganti.",
            ));
        }
        Some(item) if item.assessor_id == assessor_id => {
            let facts = facts(engine, &loaded).await?;
            return Ok(row(&facts, item));
        }
        Some(_) => {}
        None => {
            let states: Vec<ItemState> = items.iter().filter_map(item_state).collect();
            if !needed(&loaded, &states, attempt.id, &task_key, round) {
                return Err(AppError::conflict(
                    Conflict::RoundNotNeeded,
                    format!(
                        "{} tidak diperlukan untuk tugas ini saat ini.",
                        round.title()
                    ),
                ));
            }
        }
    }
    let held: Vec<Held> = items
        .iter()
        .filter(|i| current.as_ref().is_none_or(|c| c.id != i.id))
        .filter_map(|i| {
            Some(Held {
                task_key: i.task_key.clone(),
                round: Round::from_i32(i.round)?,
                assessor_id: i.assessor_id,
            })
        })
        .collect();
    may_mark(
        round,
        &task_key,
        (assessor_id, assessor.unit_kerja.as_deref()),
        (candidate_id, candidate.unit_kerja.as_deref()),
        &held,
    )
    .map_err(|refusal| AppError::conflict(refusal.code(), refusal.message()))?;

    let now = clock::now();
    let actor = admin.id;
    let item = NewItem {
        attempt_id: attempt.id,
        task_key: task_key.clone(),
        candidate_id,
        assessor_id,
        round,
    };
    let new_row = store::pending_item(exam_id, item, now);
    let item_id = engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let Some(before) = current else {
                    store::insert_items(txn, vec![new_row.clone()]).await?;
                    // Handed out by someone else a moment ago: theirs stands.
                    if store::item(txn, new_row.id).await?.is_none() {
                        return Err(AppError::conflict(
                            Conflict::Busy,
                            "Butir ini baru saja diberikan kepada asesor; muat ulang halaman.",
                        ));
                    }
                    audit::record(
                        txn,
                        audit::Entry {
                            actor: Some(actor),
                            action: "grade.assign",
                            object_type: "grading_item",
                            object_id: new_row.id,
                            old: None,
                            new: Some(json!({ "assessor_id": assessor_id, "status": "pending" })),
                            reason: Some(&reason),
                        },
                    )
                    .await?;
                    return Ok(new_row.id);
                };
                let Some(now_there) = store::item(txn, before.id).await? else {
                    return Err(AppError::NotFound);
                };
                if now_there.status == ItemStatus::Final {
                    return Err(AppError::conflict(
                        Conflict::ItemFinal,
                        "Nilai ini sudah final; penilainya tidak dapat diganti.",
                    ));
                }
                let mut next = now_there.clone();
                next.assessor_id = assessor_id;
                next.status = ItemStatus::Pending;
                next.levels = None;
                next.comment = None;
                next.total = None;
                next.reason = None;
                next.updated_at = clock::now();
                let mut old = snapshot(&now_there);
                old["assessor_id"] = json!(now_there.assessor_id);
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: "grade.reassign",
                        object_type: "grading_item",
                        object_id: now_there.id,
                        old: Some(old),
                        new: Some(json!({ "assessor_id": assessor_id, "status": "pending" })),
                        reason: Some(&reason),
                    },
                )
                .await?;
                store::update_item(txn, next).await?;
                if round == Round::Appeal {
                    reassign_appeal(
                        txn,
                        exam_id,
                        candidate_id,
                        now_there.assessor_id,
                        assessor_id,
                        actor,
                        &reason,
                    )
                    .await?;
                }
                Ok(now_there.id)
            })
        })
        .await?;
    let facts = facts(engine, &loaded).await?;
    facts
        .items
        .iter()
        .find(|i| i.id == item_id)
        .map(|i| row(&facts, i))
        .ok_or(AppError::NotFound)
}

/// The appeal follows its items to the new assessor.
async fn reassign_appeal(
    txn: &impl sea_orm::ConnectionTrait,
    exam_id: Uuid,
    candidate_id: Uuid,
    from: Uuid,
    to: Uuid,
    actor: Uuid,
    reason: &str,
) -> AppResult<()> {
    let Some(mut appeal) = store::appeal_of(txn, exam_id, candidate_id).await? else {
        return Ok(());
    };
    if appeal.assessor_id != Some(from) {
        return Ok(());
    }
    appeal.assessor_id = Some(to);
    audit::record(
        txn,
        audit::Entry {
            actor: Some(actor),
            action: "appeal.reassign",
            object_type: "appeal",
            object_id: appeal.id,
            old: Some(json!({ "assessor_id": from })),
            new: Some(json!({ "assessor_id": to })),
            reason: Some(reason),
        },
    )
    .await?;
    store::update_appeal(txn, appeal).await
}
