//! Attendance: marks recorded by an administrator, self check-in with the
//! code on the screen, and the records read back.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use super::model::{AttendanceStatus, checkin_open, new_checkin_code};
use super::showing::{session_view, view};
use super::store;
use super::views::{BatchView, SessionView};
use crate::accounts::model::{CurrentUser, Role};
use crate::clock;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::entities::batch_session;
use crate::error::{AppError, AppResult, FieldError};

/// One attendance mark to record.
pub struct Mark {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub status: AttendanceStatus,
}

/// Records marks for a batch (administrators); all or nothing, every bad
/// entry named.
pub async fn record_attendance(
    db: &Db,
    actor: &CurrentUser,
    batch_id: Uuid,
    marks: &[Mark],
) -> AppResult<u32> {
    actor.require(Role::Admin)?;
    let b = store::batch(db.read(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sessions: HashSet<Uuid> = store::sessions(db.read(), b.id)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    let participants: HashSet<Uuid> = store::enrolments(db.read(), b.id)
        .await?
        .into_iter()
        .filter(|e| e.status.is_participant())
        .map(|e| e.user_id)
        .collect();
    let mut errors = Vec::new();
    for (i, m) in marks.iter().enumerate() {
        if !sessions.contains(&m.session_id) {
            errors.push(FieldError::new(
                format!("entries[{i}].session_id"),
                "sesi bukan milik angkatan ini",
            ));
        }
        if !participants.contains(&m.user_id) {
            errors.push(FieldError::new(
                format!("entries[{i}].user_id"),
                "bukan peserta angkatan ini",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let now = clock::now();
    let txn = db.begin_write().await?;
    for m in marks {
        store::record_attendance(
            &txn,
            m.session_id,
            m.user_id,
            m.status,
            "admin",
            Some(actor.id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(marks.len() as u32)
}

/// A fresh self check-in code for a session, to show on screen
/// (administrators).
pub async fn new_code(
    db: &Db,
    admin: &CurrentUser,
    batch_id: Uuid,
    session_id: Uuid,
) -> AppResult<(batch_session::Model, String)> {
    admin.require(Role::Admin)?;
    let s = store::session(db.read(), session_id)
        .await?
        .filter(|s| s.batch_id == batch_id)
        .ok_or(AppError::NotFound)?;
    let code = new_checkin_code();
    store::set_checkin_code(db.write(), s.id, &code).await?;
    Ok((s, code))
}

/// A trainee checks in with the code on the screen.
pub async fn checkin(
    db: &Db,
    trainee: &CurrentUser,
    code: &str,
) -> AppResult<(BatchView, SessionView)> {
    trainee.require(Role::Trainee)?;
    let code = code.trim().to_uppercase();
    if code.len() != 6 {
        return Err(AppError::invalid_field(
            "code",
            "kode hadir terdiri dari 6 karakter",
        ));
    }
    let now = clock::now();
    for s in store::sessions_with_code(db.read(), &code).await? {
        let Some(e) = store::enrolment(db.read(), s.batch_id, trainee.id).await? else {
            continue;
        };
        if !e.status.is_participant() {
            continue;
        }
        if !checkin_open(s.day, s.starts_at, s.ends_at, now) {
            return Err(AppError::conflict(
                Conflict::CheckinClosed,
                "Presensi mandiri hanya dibuka 30 menit sebelum sesi dimulai sampai sesi selesai.",
            ));
        }
        store::record_attendance(
            db.write(),
            s.id,
            trainee.id,
            AttendanceStatus::Present,
            "checkin",
            Some(trainee.id),
            now,
        )
        .await?;
        let b = store::batch(db.read(), s.batch_id)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok((view(db, b).await?, session_view(&s)));
    }
    Err(AppError::NotFound)
}

/// The attendance grid: every recorded mark of a batch (administrators).
pub async fn attendance_grid(
    db: &Db,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<HashMap<(Uuid, Uuid), AttendanceStatus>> {
    admin.require(Role::Admin)?;
    let session_ids: Vec<Uuid> = store::sessions(db.read(), batch_id)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    Ok(store::attendance_of(db.read(), &session_ids)
        .await?
        .into_iter()
        .map(|a| ((a.session_id, a.user_id), a.status))
        .collect())
}

/// A user's attendance records in the given sessions: (session, status).
pub async fn attendance_of_user(
    db: &Db,
    user_id: Uuid,
    session_ids: &[Uuid],
) -> AppResult<Vec<(Uuid, AttendanceStatus)>> {
    Ok(store::attendance_of_user(db.read(), user_id, session_ids)
        .await?
        .into_iter()
        .map(|a| (a.session_id, a.status))
        .collect())
}
