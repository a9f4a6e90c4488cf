//! An exam's assessors: who grades which units, who leads moderation, and
//! which trainees each may not grade (same unit kerja).

use poem_openapi::Object;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::model::conflict;
use super::setup::{Loaded, load};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::audit;
use crate::engine::Engine;
use crate::entities::exam_assessor;
use crate::error::{AppError, AppResult, FieldError};

#[derive(Debug, Clone, Deserialize, Object)]
pub struct AssessorInput {
    pub user_id: Uuid,
    /// Unit codes this assessor grades; empty or absent: every unit.
    #[serde(default)]
    #[oai(default)]
    pub units: Vec<String>,
    /// A lead assessor moderates when two marks are too far apart.
    #[serde(default)]
    #[oai(default)]
    pub lead: bool,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct AssessorView {
    pub user_id: Uuid,
    pub name: String,
    pub unit_kerja: Option<String>,
    pub units: Vec<String>,
    pub lead: bool,
    /// Candidates of the batch this assessor may not grade (same unit kerja).
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct Conflict {
    pub trainee_name: String,
    pub unit_kerja: String,
}

/// Adds or changes assessors of an exam. Every user must hold the assessor
/// role and every unit must be one of the exam's; nothing is saved otherwise.
pub async fn assign(
    engine: &Engine,
    admin: &CurrentUser,
    exam_id: Uuid,
    assessors: Vec<AssessorInput>,
) -> AppResult<Vec<AssessorView>> {
    admin.require(Role::Admin)?;
    let loaded = load(engine, exam_id).await?;
    let mut errors = Vec::new();
    if assessors.is_empty() {
        errors.push(FieldError::new("assessors", "minimal satu asesor"));
    }
    for (i, a) in assessors.iter().enumerate() {
        if !crate::accounts::lookup::has_role(engine.db.read(), a.user_id, Role::Assessor).await? {
            errors.push(FieldError::new(
                format!("assessors[{i}].user_id"),
                "pengguna ini bukan asesor",
            ));
        }
        for (j, unit) in a.units.iter().enumerate() {
            if loaded.spec.unit(unit).is_none() {
                errors.push(FieldError::new(
                    format!("assessors[{i}].units[{j}]"),
                    format!("unit '{unit}' tidak ada di ujian ini"),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let actor = admin.id;
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let entry = |user_id: Uuid, units: &[String], lead: bool| {
                    json!({ "user_id": user_id, "units": units, "lead": lead })
                };
                let before: Vec<serde_json::Value> = store::assessors(txn, exam_id)
                    .await?
                    .into_iter()
                    .filter(|old| assessors.iter().any(|a| a.user_id == old.user_id))
                    .map(|old| {
                        let units: Vec<String> =
                            serde_json::from_str(&old.units).unwrap_or_default();
                        entry(old.user_id, &units, old.lead)
                    })
                    .collect();
                let after: Vec<serde_json::Value> = assessors
                    .iter()
                    .map(|a| entry(a.user_id, &a.units, a.lead))
                    .collect();
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: "exam.assessors",
                        object_type: "exam",
                        object_id: exam_id,
                        old: Some(json!({ "assessors": before })),
                        new: Some(json!({ "assessors": after })),
                        reason: None,
                    },
                )
                .await?;
                for a in assessors {
                    store::upsert_assessor(
                        txn,
                        exam_assessor::Model {
                            exam_id,
                            user_id: a.user_id,
                            units: serde_json::to_string(&a.units)
                                .map_err(|e| AppError::internal(e.to_string()))?,
                            lead: a.lead,
                        },
                    )
                    .await?;
                }
                Ok(())
            })
        })
        .await?;
    assessors_of(engine, &loaded).await
}

/// An exam's assessors and their conflicts of interest (administrators).
pub async fn of_exam(
    engine: &Engine,
    admin: &CurrentUser,
    exam_id: Uuid,
) -> AppResult<Vec<AssessorView>> {
    admin.require(Role::Admin)?;
    assessors_of(engine, &load(engine, exam_id).await?).await
}

/// The exam's assessors with the batch's trainees each may not grade.
pub async fn assessors_of(engine: &Engine, loaded: &Loaded) -> AppResult<Vec<AssessorView>> {
    let trainees =
        crate::schedule::lookup::enrolled_users(engine.db.read(), loaded.row.batch_id).await?;
    let mut out = Vec::new();
    for a in store::assessors(engine.db.read(), loaded.row.id).await? {
        let Some(user) = crate::accounts::lookup::find_by_id(engine.db.read(), a.user_id).await?
        else {
            continue;
        };
        let conflicts = trainees
            .iter()
            .filter(|t| conflict(user.unit_kerja.as_deref(), t.unit_kerja.as_deref()))
            .map(|t| Conflict {
                trainee_name: t.name.clone(),
                unit_kerja: t.unit_kerja.clone().unwrap_or_default(),
            })
            .collect();
        out.push(AssessorView {
            user_id: a.user_id,
            name: user.name,
            unit_kerja: user.unit_kerja,
            units: serde_json::from_str(&a.units).unwrap_or_default(),
            lead: a.lead,
            conflicts,
        });
    }
    Ok(out)
}
