//! An exam's audit trail for administrators: every recorded event of the
//! exam (assessors, drafts and final marks, markers named or replaced,
//! moderations, release, appeals, regrades of the objective part), with
//! who, when in WIB, the old and new values in words, the reason and the
//! round.

use std::collections::HashMap;

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::codes::codes;
use super::model::history::{Lookup, action_label, describe};
use super::model::{MarkRound, Round};
use super::setup::{Loaded, load};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::audit::{self, AuditView};
use crate::clock::format_datetime_wib;
use crate::engine::Engine;
use crate::entities::audit_log;
use crate::error::AppResult;

/// One event of an exam's audit trail.
#[derive(Debug, Clone, Serialize, Object)]
pub struct ExamEvent {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The same instant as people read it: `1 Desember 2026 16.05 WIB`.
    pub at_wib: String,
    /// Who acted; none for the system.
    #[oai(nullable)]
    pub actor_id: Option<Uuid>,
    /// Their name, or "Sistem".
    pub actor_name: String,
    /// Stable key of the action, e.g. `grade.final`.
    pub action: String,
    /// The action in words.
    pub action_label: String,
    #[oai(nullable)]
    pub candidate_code: Option<String>,
    #[oai(nullable)]
    pub task_key: Option<String>,
    /// The task (or "Bagian objektif") in words.
    #[oai(nullable)]
    pub task_label: Option<String>,
    #[oai(nullable)]
    pub round: Option<MarkRound>,
    /// "Penilai 1", "Penilai 2", "Moderasi" or "Banding".
    #[oai(nullable)]
    pub round_label: Option<String>,
    /// The value before, as recorded (JSON text).
    #[oai(nullable)]
    pub old_value: Option<String>,
    /// The value after, as recorded (JSON text).
    #[oai(nullable)]
    pub new_value: Option<String>,
    /// The value before, in words.
    #[oai(nullable)]
    pub old_label: Option<String>,
    /// The value after, in words.
    #[oai(nullable)]
    pub new_label: Option<String>,
    #[oai(nullable)]
    pub reason: Option<String>,
}

/// Every event of an exam, oldest first.
#[derive(Debug, Clone, Serialize, Object)]
pub struct ExamAudit {
    pub exam_id: Uuid,
    pub title: String,
    pub events: Vec<ExamEvent>,
}

/// What an event is about: whose work, which task, which round.
#[derive(Default, Clone)]
struct Subject {
    candidate: Option<Uuid>,
    task_key: Option<String>,
    round: Option<Round>,
    objective: bool,
}

/// Every recorded event of the exam and what each is about.
async fn entries(engine: &Engine, loaded: &Loaded) -> AppResult<Vec<(audit_log::Model, Subject)>> {
    let conn = engine.db.read();
    let exam_id = loaded.row.id;
    let items = store::items_of_exam(conn, exam_id).await?;
    let appeals = store::appeals_of_exam(conn, exam_id).await?;
    // Only finished attempts are ever regraded.
    let attempts = store::finished_attempts(conn, loaded.assessment.id).await?;
    let mut subjects: HashMap<Uuid, Subject> = HashMap::new();
    subjects.insert(exam_id, Subject::default());
    for i in &items {
        subjects.insert(
            i.id,
            Subject {
                candidate: Some(i.candidate_id),
                task_key: Some(i.task_key.clone()),
                round: Round::from_i32(i.round),
                objective: false,
            },
        );
    }
    for a in &appeals {
        subjects.insert(
            a.id,
            Subject {
                candidate: Some(a.user_id),
                round: Some(Round::Appeal),
                ..Subject::default()
            },
        );
    }
    for a in &attempts {
        subjects.insert(
            a.id,
            Subject {
                candidate: Some(a.user_id),
                objective: true,
                ..Subject::default()
            },
        );
    }
    let mut out = Vec::new();
    for (object_type, object_ids) in [
        ("exam", vec![exam_id]),
        ("grading_item", items.iter().map(|i| i.id).collect()),
        ("appeal", appeals.iter().map(|a| a.id).collect()),
        ("attempt", attempts.iter().map(|a| a.id).collect()),
    ] {
        for entry in audit::entries_of(conn, object_type, &object_ids).await? {
            let subject = subjects.get(&entry.object_id).cloned().unwrap_or_default();
            out.push((entry, subject));
        }
    }
    out.sort_by_key(|(e, _)| (e.at, e.id));
    Ok(out)
}

/// The people an entry names: its actor and any assessor in its values.
fn people(entry: &audit_log::Model, into: &mut Vec<Uuid>) {
    into.extend(entry.actor_id);
    for text in [&entry.old_value, &entry.new_value].into_iter().flatten() {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
            continue;
        };
        into.extend(
            value["assessor_id"]
                .as_str()
                .and_then(|s| Uuid::parse_str(s).ok()),
        );
        for a in value["assessors"].as_array().into_iter().flatten() {
            into.extend(a["user_id"].as_str().and_then(|s| Uuid::parse_str(s).ok()));
        }
    }
}

/// Every draft, final mark and moderation of one grading item
/// (administrators).
pub async fn item_audit(
    engine: &Engine,
    admin: &CurrentUser,
    item_id: Uuid,
) -> AppResult<Vec<AuditView>> {
    admin.require(Role::Admin)?;
    audit::history(engine.db.read(), "grading_item", item_id).await
}

/// The exam's audit trail (administrators).
pub async fn exam_audit(
    engine: &Engine,
    admin: &CurrentUser,
    exam_id: Uuid,
) -> AppResult<ExamAudit> {
    admin.require(Role::Admin)?;
    let loaded = load(engine, exam_id).await?;
    let entries = entries(engine, &loaded).await?;
    let mut ids: Vec<Uuid> = Vec::new();
    for (entry, _) in &entries {
        people(entry, &mut ids);
    }
    ids.sort();
    ids.dedup();
    let names: HashMap<Uuid, String> = crate::accounts::lookup::users_by_id(engine.db.read(), &ids)
        .await?
        .into_iter()
        .map(|(id, u)| (id, u.name))
        .collect();
    let units: HashMap<String, String> = loaded
        .spec
        .units
        .iter()
        .map(|u| (u.code.clone(), u.title.clone()))
        .collect();
    let codes = codes(engine, exam_id).await?;
    let lookup = Lookup {
        names: &names,
        units: &units,
    };
    let words = |text: &Option<String>| {
        text.as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .and_then(|v| describe(&v, &lookup))
    };
    let task_label = |key: &str| {
        let unit = loaded
            .spec
            .task(key)
            .and_then(|t| loaded.spec.unit(&t.unit))
            .map(|u| u.title.clone())
            .unwrap_or_default();
        format!("{unit} ({key})")
    };
    let events = entries
        .into_iter()
        .map(|(e, subject)| ExamEvent {
            at: e.at,
            at_wib: format_datetime_wib(e.at),
            actor_id: e.actor_id,
            actor_name: e
                .actor_id
                .map(|id| {
                    names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| "(pengguna tidak dikenal)".into())
                })
                .unwrap_or_else(|| "Sistem".into()),
            action_label: action_label(&e.action).into(),
            action: e.action,
            candidate_code: subject.candidate.and_then(|c| codes.get(&c).cloned()),
            task_label: match (&subject.task_key, subject.objective) {
                (Some(key), _) => Some(task_label(key)),
                (None, true) => Some("Bagian objektif".into()),
                (None, false) => None,
            },
            task_key: subject.task_key,
            round: subject.round.map(MarkRound::from),
            round_label: subject.round.map(|r| r.title().to_owned()),
            old_label: words(&e.old_value),
            new_label: words(&e.new_value),
            old_value: e.old_value,
            new_value: e.new_value,
            reason: e.reason,
        })
        .collect();
    Ok(ExamAudit {
        exam_id,
        title: loaded.row.title.clone(),
        events,
    })
}

/// The trail as a table for people: words only, no keys.
pub fn table(audit: &ExamAudit) -> (Vec<String>, Vec<Vec<String>>) {
    let headers = [
        "Waktu (WIB)",
        "Pelaku",
        "Peristiwa",
        "Kode peserta",
        "Tugas",
        "Putaran",
        "Sebelum",
        "Sesudah",
        "Alasan",
    ]
    .map(String::from)
    .to_vec();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let rows = audit
        .events
        .iter()
        .map(|e| {
            vec![
                e.at_wib.clone(),
                e.actor_name.clone(),
                e.action_label.clone(),
                text(&e.candidate_code),
                text(&e.task_label),
                text(&e.round_label),
                text(&e.old_label),
                text(&e.new_label),
                text(&e.reason),
            ]
        })
        .collect();
    (headers, rows)
}
