//! Progress: per trainee of a batch (modules read, attendance, the
//! completion rule) and the trainee's own "Bimtek saya".

use std::collections::HashMap;

use uuid::Uuid;

use super::model::{AttendanceStatus, CompletionFacts, phase, summarise, unmet};
use super::showing::{enrolment_view, session_view, view};
use super::store;
use super::views::{BatchView, MyBatch, ProgressRow};
use crate::accounts::model::{CurrentUser, Role};
use crate::catalog;
use crate::clock;
use crate::db::Db;
use crate::entities::{batch, course, enrolment};
use crate::error::{AppError, AppResult};

struct Facts {
    course: course::Model,
    module_ids: Vec<Uuid>,
    session_ids: Vec<Uuid>,
    attendance: HashMap<(Uuid, Uuid), AttendanceStatus>,
}

async fn facts(db: &Db, b: &batch::Model) -> AppResult<Facts> {
    let course = catalog::lookup::find_course(db.read(), b.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let module_ids = catalog::lookup::modules_of(db.read(), b.course_id)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    let session_ids: Vec<Uuid> = store::sessions(db.read(), b.id)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    let attendance = store::attendance_of(db.read(), &session_ids)
        .await?
        .into_iter()
        .map(|a| ((a.session_id, a.user_id), a.status))
        .collect();
    Ok(Facts {
        course,
        module_ids,
        session_ids,
        attendance,
    })
}

impl Facts {
    fn attendance_of(&self, user_id: Uuid) -> super::model::AttendanceSummary {
        let records: Vec<Option<AttendanceStatus>> = self
            .session_ids
            .iter()
            .map(|s| self.attendance.get(&(*s, user_id)).copied())
            .collect();
        summarise(&records)
    }
}

/// [`progress`] for an administrator's table and download.
pub async fn of_batch(
    db: &Db,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<(BatchView, Vec<ProgressRow>)> {
    admin.require(Role::Admin)?;
    progress(db, batch_id).await
}

/// Per trainee: modules read, attendance and the completion rule, for the
/// services that decided who may see it.
pub async fn progress(db: &Db, batch_id: Uuid) -> AppResult<(BatchView, Vec<ProgressRow>)> {
    let b = store::batch(db.read(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let facts = facts(db, &b).await?;
    let enrolments: Vec<enrolment::Model> = store::enrolments(db.read(), b.id)
        .await?
        .into_iter()
        .filter(|e| e.status.is_participant())
        .collect();
    let ids: Vec<Uuid> = enrolments.iter().map(|e| e.user_id).collect();
    let users = crate::accounts::lookup::users_by_id(db.read(), &ids).await?;
    let mut rows = Vec::new();
    for e in &enrolments {
        let read = catalog::lookup::completed_by(db.read(), e.user_id, &facts.module_ids)
            .await?
            .len() as u32;
        let attendance = facts.attendance_of(e.user_id);
        let standing = crate::attempts::results::quiz_standing(db, b.course_id, e.user_id).await?;
        let reasons = unmet(&CompletionFacts {
            modules_read: read,
            modules_total: facts.module_ids.len() as u32,
            attendance,
            min_attendance_percent: facts.course.min_attendance_percent,
            quizzes_not_passed: standing
                .iter()
                .filter(|q| q.2 && !q.4)
                .map(|q| q.1.clone())
                .collect(),
        });
        let u = users.get(&e.user_id);
        rows.push(ProgressRow {
            user_id: e.user_id,
            name: u.map(|u| u.name.clone()).unwrap_or_default(),
            nip: u.and_then(|u| u.nip.clone()),
            unit_kerja: u.and_then(|u| u.unit_kerja.clone()),
            status: e.status,
            modules_read: read,
            modules_total: facts.module_ids.len() as u32,
            quiz_best: standing
                .into_iter()
                .map(
                    |(quiz_id, title, _, best_percent, passed)| super::views::QuizScore {
                        quiz_id,
                        title,
                        best_percent,
                        passed,
                    },
                )
                .collect(),
            attendance,
            meets_completion: reasons.is_empty(),
            unmet: reasons,
        });
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((view(db, b).await?, rows))
}

/// "Bimtek saya": the trainee's batches with their own progress.
pub async fn my_batches(db: &Db, trainee: &CurrentUser) -> AppResult<Vec<MyBatch>> {
    let enrolments = store::enrolments_of_user(db.read(), trainee.id).await?;
    let users = crate::accounts::lookup::users_by_id(db.read(), &[trainee.id]).await?;
    let me = users.get(&trainee.id);
    let today = clock::today_wib();
    let mut out = Vec::new();
    for e in enrolments {
        let Some(b) = store::batch(db.read(), e.batch_id).await? else {
            continue;
        };
        let facts = facts(db, &b).await?;
        let read = catalog::lookup::completed_by(db.read(), trainee.id, &facts.module_ids)
            .await?
            .len() as u32;
        let sessions = store::sessions(db.read(), b.id)
            .await?
            .iter()
            .map(session_view)
            .collect();
        out.push(MyBatch {
            phase: phase(b.status, b.starts_on, b.ends_on, today),
            attendance: facts.attendance_of(trainee.id),
            modules_read: read,
            modules_total: facts.module_ids.len() as u32,
            sessions,
            enrolment: enrolment_view(&e, me),
            batch: view(db, b).await?,
        });
    }
    out.sort_by_key(|m| m.batch.starts_on);
    Ok(out)
}
