//! Scheduling operations shared by the API and the pages. Who may do and
//! see what is decided here: only administrators schedule, change and
//! cancel batches; administrators see everything; a trainee sees the
//! batches they are (or were) in, and open batches they may register for,
//! never another trainee's enrolment or attendance.

use std::collections::HashSet;

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::{
    BatchFilter, BatchShape, BatchStatus, EnrolmentStatus, NewBatch, SessionInput, check_batch,
};
use super::showing::{enrolment_view, may_see, session_view, view, views};
use super::store;
use super::views::{BatchDetail, BatchView};
use crate::accounts::model::{CurrentUser, Role};
use crate::catalog;
use crate::clock;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::entities::{batch, batch_session};
use crate::error::{AppError, AppResult, FieldError};

pub const DEFAULT_ORGANISER: &str = "BKD Kota Magelang";

/// What an administrator typed to create or change a batch; `None` leaves a
/// field alone on update.
#[derive(Debug, Clone, Default)]
pub struct BatchInput {
    pub course_id: Option<Uuid>,
    pub name: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub venue: Option<Option<String>>,
    pub online: Option<bool>,
    pub meeting_link: Option<Option<String>>,
    pub capacity: Option<i32>,
    pub enrol_opens_at: Option<Option<OffsetDateTime>>,
    pub enrol_closes_at: Option<Option<OffsetDateTime>>,
    pub status: Option<BatchStatus>,
    pub organiser: Option<String>,
    pub self_enrol: Option<bool>,
    pub waitlist: Option<bool>,
    /// What trainees should bring, for the invitation.
    pub bring: Option<Option<String>>,
    /// Replaces every session when given.
    pub sessions: Option<Vec<SessionInput>>,
}

fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

pub(super) fn shape(b: &batch::Model) -> BatchShape {
    BatchShape {
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        capacity: b.capacity,
        online: b.online,
        venue: b.venue.clone(),
        meeting_link: b.meeting_link.clone(),
        enrol_opens_at: b.enrol_opens_at,
        enrol_closes_at: b.enrol_closes_at,
    }
}

fn session_inputs(sessions: &[batch_session::Model]) -> Vec<SessionInput> {
    sessions
        .iter()
        .map(|s| SessionInput {
            day: s.day,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            topic: s.topic.clone(),
            instructor: s.instructor.clone(),
        })
        .collect()
}

/// Schedules a batch with its sessions (administrators).
pub async fn create_batch(
    db: &Db,
    admin: &CurrentUser,
    input: BatchInput,
) -> AppResult<BatchDetail> {
    admin.require(Role::Admin)?;
    let required = NewBatch::parse(
        input.course_id,
        input.name.as_deref(),
        input.starts_on,
        input.ends_on,
        input.capacity,
    )
    .map_err(AppError::validation)?;
    let course_id = required.course_id;
    catalog::lookup::find_course(db.read(), course_id)
        .await?
        .ok_or_else(|| AppError::invalid_field("course_id", "kursus tidak ditemukan"))?;
    let now = clock::now();
    let model = batch::Model {
        id: Uuid::now_v7(),
        course_id,
        name: required.name,
        starts_on: required.starts_on,
        ends_on: required.ends_on,
        venue: text(input.venue.flatten()),
        online: input.online.unwrap_or(false),
        meeting_link: text(input.meeting_link.flatten()),
        capacity: required.capacity,
        enrol_opens_at: input.enrol_opens_at.flatten(),
        enrol_closes_at: input.enrol_closes_at.flatten(),
        status: input.status.unwrap_or(BatchStatus::Draft),
        organiser: text(input.organiser).unwrap_or_else(|| DEFAULT_ORGANISER.into()),
        self_enrol: input.self_enrol.unwrap_or(false),
        waitlist: input.waitlist.unwrap_or(false),
        cancel_reason: None,
        cancelled_at: None,
        bring: text(input.bring.flatten()),
        calendar_sequence: 0,
        created_at: now,
        updated_at: now,
    };
    let sessions = input.sessions.unwrap_or_default();
    let mut errors = check_batch(&shape(&model), &sessions);
    errors.extend(check_bring(model.bring.as_deref()));
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let txn = db.begin_write().await?;
    batch::Entity::insert(model.clone().into_active_model())
        .exec(&txn)
        .await?;
    for s in &sessions {
        store::insert_session(&txn, model.id, s).await?;
    }
    txn.commit().await?;
    detail(db, admin, model.id).await
}

/// Changes a batch (administrators).
pub async fn update_batch(
    db: &Db,
    admin: &CurrentUser,
    id: Uuid,
    input: BatchInput,
) -> AppResult<BatchDetail> {
    admin.require(Role::Admin)?;
    let txn = db.begin_write().await?;
    let existing = live_batch_for_update(&txn, id).await?;
    let mut next = existing.clone();
    if let Some(name) = text(input.name.clone()) {
        next.name = name;
    } else if input.name.is_some() {
        return Err(AppError::invalid_field("name", "wajib diisi"));
    }
    if let Some(course_id) = input.course_id {
        next.course_id = course_id;
    }
    next.starts_on = input.starts_on.unwrap_or(next.starts_on);
    next.ends_on = input.ends_on.unwrap_or(next.ends_on);
    if let Some(venue) = input.venue {
        next.venue = text(venue);
    }
    next.online = input.online.unwrap_or(next.online);
    if let Some(link) = input.meeting_link {
        next.meeting_link = text(link);
    }
    next.capacity = input.capacity.unwrap_or(next.capacity);
    if let Some(opens) = input.enrol_opens_at {
        next.enrol_opens_at = opens;
    }
    if let Some(closes) = input.enrol_closes_at {
        next.enrol_closes_at = closes;
    }
    if let Some(status) = input.status {
        if status == BatchStatus::Cancelled {
            return Err(AppError::invalid_field(
                "status",
                "batalkan angkatan melalui /cancel dengan alasan",
            ));
        }
        next.status = status;
    }
    if let Some(organiser) = text(input.organiser) {
        next.organiser = organiser;
    }
    next.self_enrol = input.self_enrol.unwrap_or(next.self_enrol);
    next.waitlist = input.waitlist.unwrap_or(next.waitlist);
    if let Some(bring) = input.bring {
        next.bring = text(bring);
    }

    let current_sessions = store::sessions(&txn, id).await?;
    let sessions = input
        .sessions
        .clone()
        .unwrap_or_else(|| session_inputs(&current_sessions));
    let mut errors = check_batch(&shape(&next), &sessions);
    errors.extend(check_bring(next.bring.as_deref()));
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let calendar_changed = input.sessions.is_some()
        || (
            next.starts_on,
            next.ends_on,
            &next.venue,
            next.online,
            &next.meeting_link,
        ) != (
            existing.starts_on,
            existing.ends_on,
            &existing.venue,
            existing.online,
            &existing.meeting_link,
        );
    if calendar_changed {
        next.calendar_sequence = existing.calendar_sequence + 1;
    }
    let enrolled = store::count_with_status(&txn, id, EnrolmentStatus::Enrolled).await?;
    if (next.capacity as u64) < enrolled {
        return Err(AppError::conflict(
            Conflict::CapacityBelowEnrolled,
            format!(
                "Kapasitas {} lebih kecil dari {} peserta yang sudah terdaftar; undurkan peserta dahulu.",
                next.capacity, enrolled
            ),
        ));
    }
    next.updated_at = clock::now();
    let mut active = next.clone().into_active_model();
    active.id = Set(id);
    batch::Entity::update(active.reset_all()).exec(&txn).await?;
    if let Some(new_sessions) = &input.sessions {
        for s in &current_sessions {
            if store::count_attendance(&txn, s.id).await? > 0 {
                return Err(AppError::conflict(
                    Conflict::AttendanceRecorded,
                    "Jadwal tidak bisa diganti seluruhnya: kehadiran sudah tercatat. Tambah atau ubah sesi satu per satu.",
                ));
            }
            store::delete_session(&txn, s.id).await?;
        }
        for s in new_sessions {
            store::insert_session(&txn, id, s).await?;
        }
    }
    super::enrolment::promote_waitlist(&txn, &next, next.updated_at).await?;
    let opened = existing.status == BatchStatus::Draft && next.status != BatchStatus::Draft;
    if calendar_changed || opened {
        let withdrawn = if input.sessions.is_some() {
            current_sessions.as_slice()
        } else {
            &[]
        };
        super::notify::announce_change(&txn, &next, withdrawn).await?;
    }
    txn.commit().await?;
    detail(db, admin, id).await
}

/// What to bring is free text, but the invitation has room for a few lines.
fn check_bring(bring: Option<&str>) -> Option<FieldError> {
    const MAX: usize = 500;
    bring
        .filter(|b| b.chars().count() > MAX)
        .map(|_| FieldError::new("bring", format!("paling panjang {MAX} karakter")))
}

/// Cancels a batch with the reason its trainees will see (administrators).
pub async fn cancel_batch(
    db: &Db,
    admin: &CurrentUser,
    id: Uuid,
    reason: &str,
) -> AppResult<BatchDetail> {
    admin.require(Role::Admin)?;
    let reason = AppError::required(reason, "reason", "alasan pembatalan wajib diisi")?;
    let txn = db.begin_write().await?;
    let existing = live_batch_for_update(&txn, id).await?;
    let now = clock::now();
    let sequence = existing.calendar_sequence + 1;
    let mut active = existing.into_active_model();
    active.status = Set(BatchStatus::Cancelled);
    active.cancel_reason = Set(Some(reason.to_owned()));
    active.cancelled_at = Set(Some(now));
    active.calendar_sequence = Set(sequence);
    active.updated_at = Set(now);
    let cancelled = batch::Entity::update(active).exec(&txn).await?;
    super::notify::announce_cancellation(&txn, &cancelled).await?;
    txn.commit().await?;
    detail(db, admin, id).await
}

pub async fn detail(db: &Db, viewer: &CurrentUser, id: Uuid) -> AppResult<BatchDetail> {
    let b = store::batch(db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mine = store::enrolment(db.read(), id, viewer.id).await?;
    if !may_see(viewer, &b, mine.as_ref()) {
        return Err(AppError::NotFound);
    }
    let sessions = store::sessions(db.read(), id)
        .await?
        .iter()
        .map(session_view)
        .collect();
    let enrolments = if viewer.has(Role::Admin) {
        let rows = store::enrolments(db.read(), id).await?;
        let ids: Vec<Uuid> = rows.iter().map(|e| e.user_id).collect();
        let users = crate::accounts::lookup::users_by_id(db.read(), &ids).await?;
        Some(
            rows.iter()
                .map(|e| enrolment_view(e, users.get(&e.user_id)))
                .collect(),
        )
    } else {
        None
    };
    let my_enrolment = match &mine {
        Some(e) => {
            let users = crate::accounts::lookup::users_by_id(db.read(), &[viewer.id]).await?;
            Some(enrolment_view(e, users.get(&viewer.id)))
        }
        None => None,
    };
    Ok(BatchDetail {
        batch: view(db, b).await?,
        sessions,
        enrolments,
        my_enrolment,
    })
}

pub async fn list(
    db: &Db,
    viewer: &CurrentUser,
    mut filter: BatchFilter,
) -> AppResult<Vec<BatchView>> {
    if !viewer.has(Role::Admin) {
        let mine: HashSet<Uuid> = store::enrolments_of_user(db.read(), viewer.id)
            .await?
            .into_iter()
            .map(|e| e.batch_id)
            .collect();
        let all = store::batches(db.read(), &filter).await?;
        let visible: Vec<batch::Model> = all
            .into_iter()
            .filter(|b| {
                mine.contains(&b.id)
                    || (b.self_enrol && b.status == BatchStatus::Open && viewer.has(Role::Trainee))
            })
            .collect();
        return views(db, visible).await;
    }
    filter.ids = None;
    views(db, store::batches(db.read(), &filter).await?).await
}

/// Every batch the filter matches, drafts and cancelled ones too: the
/// administrators' calendar.
pub async fn all_batches(
    db: &Db,
    admin: &CurrentUser,
    filter: BatchFilter,
) -> AppResult<Vec<BatchView>> {
    admin.require(Role::Admin)?;
    list(db, admin, filter).await
}

/// Adds one session to a batch (administrators).
pub async fn add_session(
    db: &Db,
    admin: &CurrentUser,
    batch_id: Uuid,
    session: SessionInput,
) -> AppResult<()> {
    admin.require(Role::Admin)?;
    let b = store::batch(db.read(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let errors = check_batch(&shape(&b), std::slice::from_ref(&session));
    if !errors.is_empty() {
        let errors = errors
            .into_iter()
            .map(|e| FieldError::new(e.field.replace("sessions[0].", ""), e.message))
            .collect();
        return Err(AppError::validation(errors));
    }
    let txn = db.begin_write().await?;
    let locked = live_batch_for_update(&txn, batch_id).await?;
    store::insert_session(&txn, batch_id, &session).await?;
    calendar_changed(&txn, locked, &[]).await?;
    txn.commit().await?;
    Ok(())
}

/// The batch, locked for this write; a cancelled one is not changed.
async fn live_batch_for_update(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<batch::Model> {
    let batch = store::batch_for_update(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if batch.status == BatchStatus::Cancelled {
        return Err(AppError::conflict(
            Conflict::BatchCancelled,
            "Angkatan ini sudah dibatalkan.",
        ));
    }
    Ok(batch)
}

/// Raises the (locked) batch's calendar revision and tells its trainees,
/// `withdrawn` sessions cancelled in their calendars.
async fn calendar_changed(
    conn: &impl ConnectionTrait,
    b: batch::Model,
    withdrawn: &[batch_session::Model],
) -> AppResult<()> {
    let sequence = b.calendar_sequence + 1;
    let mut active = b.into_active_model();
    active.calendar_sequence = Set(sequence);
    active.updated_at = Set(clock::now());
    let changed = batch::Entity::update(active).exec(conn).await?;
    super::notify::announce_change(conn, &changed, withdrawn).await
}

/// Removes a session that has no attendance yet (administrators).
pub async fn remove_session(
    db: &Db,
    admin: &CurrentUser,
    batch_id: Uuid,
    session_id: Uuid,
) -> AppResult<()> {
    admin.require(Role::Admin)?;
    let s = store::session(db.read(), session_id)
        .await?
        .filter(|s| s.batch_id == batch_id)
        .ok_or(AppError::NotFound)?;
    if store::count_attendance(db.read(), s.id).await? > 0 {
        return Err(AppError::conflict(
            Conflict::AttendanceRecorded,
            "Sesi ini sudah memiliki catatan kehadiran dan tidak dapat dihapus.",
        ));
    }
    let txn = db.begin_write().await?;
    let locked = live_batch_for_update(&txn, batch_id).await?;
    store::delete_session(&txn, s.id).await?;
    calendar_changed(&txn, locked, std::slice::from_ref(&s)).await?;
    txn.commit().await?;
    Ok(())
}

/// What was sent to the batch's trainees, when and how it went
/// (administrators; 404 for an unknown batch).
pub async fn messages(
    db: &Db,
    viewer: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<Vec<crate::notices::service::MessageView>> {
    viewer.require(Role::Admin)?;
    store::batch(db.read(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::notices::service::batch_log(db, viewer, batch_id).await
}
