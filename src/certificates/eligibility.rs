//! Who is eligible for which certificate of a batch, and for everyone else
//! exactly which condition fails: the preview the batch page shows and
//! what issuing starts from.

use poem_openapi::Object;
use serde::Serialize;
use uuid::Uuid;

use super::model::{CertificateKind, Eligibility, ExamStanding, Facts, UnitLine, eligibility};
use super::settings::settings;
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::engine::Engine;
use crate::error::{AppError, AppResult};
use crate::exams::model::UnitDecision;

#[derive(Debug, Clone, Serialize, Object)]
pub struct PreviewRow {
    pub user_id: Uuid,
    pub name: String,
    pub nip: Option<String>,
    pub unit_kerja: Option<String>,
    pub eligible: bool,
    pub kind: Option<CertificateKind>,
    /// Every condition that fails, when not eligible (or why only a letter).
    pub reasons: Vec<String>,
    /// The certificate already issued, if any.
    pub certificate_id: Option<Uuid>,
    /// The kind of that certificate: it may differ from `kind` when the
    /// trainee's standing changed since (then it is reissued).
    pub issued_kind: Option<CertificateKind>,
}

/// The batch's exam standing of one trainee.
async fn exam_standing(
    engine: &Engine,
    exam: Option<&crate::exams::setup::Loaded>,
    user_id: Uuid,
) -> AppResult<(ExamStanding, Vec<UnitLine>)> {
    let Some(loaded) = exam else {
        return Ok((ExamStanding::NoExam, Vec::new()));
    };
    if loaded.row.released_at.is_none() {
        return Ok((ExamStanding::NotReleased, Vec::new()));
    }
    let Some(result) = crate::exams::standing::result_of(engine, loaded, user_id).await? else {
        return Ok((ExamStanding::NotSat, Vec::new()));
    };
    let lines = result
        .units
        .iter()
        .map(|u| UnitLine {
            code: u.code.clone(),
            title: u.title.clone(),
            result: u.label.clone(),
        })
        .collect();
    let failed: Vec<String> = result
        .units
        .iter()
        .filter(|u| u.decision != UnitDecision::Kompeten)
        .map(|u| u.title.clone())
        .collect();
    Ok((
        if failed.is_empty() {
            ExamStanding::Kompeten
        } else {
            ExamStanding::BelumKompeten(failed)
        },
        lines,
    ))
}

pub(super) struct Candidate {
    pub(super) row: PreviewRow,
    pub(super) units: Vec<UnitLine>,
    /// Sessions attended and held, for the JP a letter may credit.
    pub(super) present: u32,
    pub(super) sessions: u32,
}

pub(super) async fn candidates(engine: &Engine, batch_id: Uuid) -> AppResult<Vec<Candidate>> {
    let (_, progress) = crate::schedule::progress::progress(&engine.db, batch_id).await?;
    let b = crate::schedule::lookup::find_batch(engine.db.read(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let course = crate::catalog::lookup::find_course(engine.db.read(), b.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = settings(engine, course.id).await?;
    let exam = crate::exams::setup::load_for_batch(engine, batch_id).await?;
    let mut out = Vec::new();
    for p in progress {
        let (standing, units) = exam_standing(engine, exam.as_ref(), p.user_id).await?;
        let facts = Facts {
            unmet: p.unmet.clone(),
            attendance_percent: p.attendance.percent,
            min_attendance_percent: f64::from(course.min_attendance_percent),
            exam: standing,
        };
        let decision = eligibility(&facts, s.letters);
        let issued = store::standing(engine.db.read(), batch_id, p.user_id).await?;
        let (eligible, kind, reasons) = match decision {
            Eligibility::Eligible(CertificateKind::Kelulusan) => {
                (true, Some(CertificateKind::Kelulusan), Vec::new())
            }
            Eligibility::Eligible(kind) => {
                let mut why = facts.unmet.clone();
                if let ExamStanding::BelumKompeten(u) = &facts.exam {
                    why.push(format!("belum kompeten pada unit: {}", u.join(", ")));
                }
                (true, Some(kind), why)
            }
            Eligibility::NotEligible(why) => (false, None, why),
        };
        out.push(Candidate {
            row: PreviewRow {
                user_id: p.user_id,
                name: p.name,
                nip: p.nip,
                unit_kerja: p.unit_kerja,
                eligible,
                kind,
                reasons,
                certificate_id: issued.as_ref().map(|c| c.id),
                issued_kind: issued.map(|c| c.kind),
            },
            units,
            present: p.attendance.present,
            sessions: p.attendance.sessions,
        });
    }
    Ok(out)
}

/// Who would get what, and for the rest exactly which condition fails
/// (administrators).
pub async fn preview(
    engine: &Engine,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<Vec<PreviewRow>> {
    admin.require(Role::Admin)?;
    Ok(candidates(engine, batch_id)
        .await?
        .into_iter()
        .map(|c| c.row)
        .collect())
}
