//! Scheduling operations shared by the API and the pages. Who may see what
//! is decided here: administrators see everything; a trainee sees the
//! batches they are (or were) in, and open batches they may register for,
//! never another trainee's enrolment or attendance.

use std::collections::{HashMap, HashSet};

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::{
    AttendanceStatus, BatchShape, BatchStatus, CompletionFacts, EnrolmentStatus, Seat,
    SessionInput, Window, check_batch, checkin_open, new_checkin_code, overlaps, phase, seat_for,
    summarise, unmet, window_at,
};
use super::store::{self, BatchFilter, NewEnrolment};
use super::views::{BatchDetail, BatchView, EnrolmentView, MyBatch, ProgressRow, SessionView};
use crate::accounts::model::{CurrentUser, Role};
use crate::catalog;
use crate::clock;
use crate::db::Db;
use crate::entities::{batch, batch_session, course, enrolment, user};
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
    /// Replaces every session when given.
    pub sessions: Option<Vec<SessionInput>>,
}

fn text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn hhmm(t: time::Time) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

pub fn session_view(s: &batch_session::Model) -> SessionView {
    SessionView {
        id: s.id,
        day: s.day,
        starts_at: hhmm(s.starts_at),
        ends_at: hhmm(s.ends_at),
        topic: s.topic.clone(),
        instructor: s.instructor.clone(),
    }
}

fn enrolment_view(e: &enrolment::Model, u: Option<&user::Model>) -> EnrolmentView {
    EnrolmentView {
        user_id: e.user_id,
        name: u.map(|u| u.name.clone()).unwrap_or_default(),
        nip: u.and_then(|u| u.nip.clone()),
        unit_kerja: u.and_then(|u| u.unit_kerja.clone()),
        status: e.status,
        reason: e.reason.clone(),
        enrolled_at: e.created_at,
    }
}

async fn views(db: &Db, batches: Vec<batch::Model>) -> AppResult<Vec<BatchView>> {
    let course_ids: Vec<Uuid> = batches.iter().map(|b| b.course_id).collect();
    let courses = store::courses(db.read(), &course_ids).await?;
    let totals = catalog::store::totals(db.read(), &course_ids).await?;
    let ids: Vec<Uuid> = batches.iter().map(|b| b.id).collect();
    let seats = store::seat_counts(db.read(), &ids).await?;
    Ok(batches
        .into_iter()
        .map(|b| {
            let course = courses.get(&b.course_id);
            let (enrolled, waitlisted) = seats.get(&b.id).copied().unwrap_or_default();
            BatchView {
                id: b.id,
                course_id: b.course_id,
                course_code: course.map(|c| c.code.clone()).unwrap_or_default(),
                course_title: course.map(|c| c.title.clone()).unwrap_or_default(),
                jp: totals.get(&b.course_id).map_or(0, |t| t.1),
                name: b.name,
                starts_on: b.starts_on,
                ends_on: b.ends_on,
                venue: b.venue,
                online: b.online,
                meeting_link: b.meeting_link,
                capacity: b.capacity,
                enrolled,
                waitlisted,
                enrol_opens_at: b.enrol_opens_at,
                enrol_closes_at: b.enrol_closes_at,
                status: b.status,
                organiser: b.organiser,
                self_enrol: b.self_enrol,
                waitlist: b.waitlist,
                cancel_reason: b.cancel_reason,
                cancelled_at: b.cancelled_at,
            }
        })
        .collect())
}

async fn view(db: &Db, b: batch::Model) -> AppResult<BatchView> {
    Ok(views(db, vec![b]).await?.remove(0))
}

fn shape(b: &batch::Model) -> BatchShape {
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

pub async fn create_batch(db: &Db, input: BatchInput) -> AppResult<BatchDetail> {
    let mut missing = Vec::new();
    for (field, absent) in [
        ("course_id", input.course_id.is_none()),
        ("name", text(input.name.clone()).is_none()),
        ("starts_on", input.starts_on.is_none()),
        ("ends_on", input.ends_on.is_none()),
        ("capacity", input.capacity.is_none()),
    ] {
        if absent {
            missing.push(FieldError::new(field, "wajib diisi"));
        }
    }
    if !missing.is_empty() {
        return Err(AppError::validation(missing));
    }
    let course_id = input.course_id.expect("checked");
    catalog::store::get_course(db.read(), course_id)
        .await?
        .ok_or_else(|| AppError::invalid_field("course_id", "kursus tidak ditemukan"))?;
    let now = clock::now();
    let model = batch::Model {
        id: Uuid::now_v7(),
        course_id,
        name: text(input.name).expect("checked"),
        starts_on: input.starts_on.expect("checked"),
        ends_on: input.ends_on.expect("checked"),
        venue: text(input.venue.flatten()),
        online: input.online.unwrap_or(false),
        meeting_link: text(input.meeting_link.flatten()),
        capacity: input.capacity.expect("checked"),
        enrol_opens_at: input.enrol_opens_at.flatten(),
        enrol_closes_at: input.enrol_closes_at.flatten(),
        status: input.status.unwrap_or(BatchStatus::Draft),
        organiser: text(input.organiser).unwrap_or_else(|| DEFAULT_ORGANISER.into()),
        self_enrol: input.self_enrol.unwrap_or(false),
        waitlist: input.waitlist.unwrap_or(false),
        cancel_reason: None,
        cancelled_at: None,
        created_at: now,
        updated_at: now,
    };
    let sessions = input.sessions.unwrap_or_default();
    let errors = check_batch(&shape(&model), &sessions);
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
    detail(db, &admin_view_marker(), model.id).await
}

/// Administrators see the enrolment list; the marker makes that explicit.
fn admin_view_marker() -> CurrentUser {
    CurrentUser {
        id: Uuid::nil(),
        session_id: Uuid::nil(),
        username: String::new(),
        name: String::new(),
        roles: [Role::Admin].into(),
    }
}

pub async fn update_batch(db: &Db, id: Uuid, input: BatchInput) -> AppResult<BatchDetail> {
    let txn = db.begin_write().await?;
    let existing = store::batch_for_update(&txn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if existing.status == BatchStatus::Cancelled {
        return Err(AppError::conflict(
            "batch_cancelled",
            "Angkatan ini sudah dibatalkan.",
        ));
    }
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

    let current_sessions = store::sessions(&txn, id).await?;
    let sessions = input
        .sessions
        .clone()
        .unwrap_or_else(|| session_inputs(&current_sessions));
    let errors = check_batch(&shape(&next), &sessions);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let enrolled = store::count_with_status(&txn, id, EnrolmentStatus::Enrolled).await?;
    if (next.capacity as u64) < enrolled {
        return Err(AppError::conflict(
            "capacity_below_enrolled",
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
                    "attendance_recorded",
                    "Jadwal tidak bisa diganti seluruhnya: kehadiran sudah tercatat. Tambah atau ubah sesi satu per satu.",
                ));
            }
            store::delete_session(&txn, s.id).await?;
        }
        for s in new_sessions {
            store::insert_session(&txn, id, s).await?;
        }
    }
    promote_waitlist(&txn, &next, next.updated_at).await?;
    txn.commit().await?;
    detail(db, &admin_view_marker(), id).await
}

/// Moves waiting trainees into free seats, first come first served.
async fn promote_waitlist(
    conn: &impl ConnectionTrait,
    b: &batch::Model,
    now: OffsetDateTime,
) -> AppResult<u32> {
    let enrolled = store::count_with_status(conn, b.id, EnrolmentStatus::Enrolled).await?;
    let free = (b.capacity.max(0) as u64).saturating_sub(enrolled);
    if free == 0 {
        return Ok(0);
    }
    let waiting = store::waiting(conn, b.id, free).await?;
    for e in &waiting {
        store::set_enrolment_status(conn, e.id, EnrolmentStatus::Enrolled, None, now).await?;
    }
    Ok(waiting.len() as u32)
}

pub async fn cancel_batch(db: &Db, id: Uuid, reason: &str) -> AppResult<BatchDetail> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid_field(
            "reason",
            "alasan pembatalan wajib diisi",
        ));
    }
    let txn = db.begin_write().await?;
    let existing = store::batch_for_update(&txn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if existing.status == BatchStatus::Cancelled {
        return Err(AppError::conflict(
            "batch_cancelled",
            "Angkatan ini sudah dibatalkan.",
        ));
    }
    let now = clock::now();
    let mut active = existing.into_active_model();
    active.status = Set(BatchStatus::Cancelled);
    active.cancel_reason = Set(Some(reason.to_owned()));
    active.cancelled_at = Set(Some(now));
    active.updated_at = Set(now);
    batch::Entity::update(active).exec(&txn).await?;
    txn.commit().await?;
    detail(db, &admin_view_marker(), id).await
}

/// A trainee may see a batch they have an enrolment in, or an open one
/// they may register for.
fn may_see(viewer: &CurrentUser, b: &batch::Model, mine: Option<&enrolment::Model>) -> bool {
    viewer.has(Role::Admin)
        || mine.is_some()
        || (b.self_enrol && b.status == BatchStatus::Open && viewer.has(Role::Trainee))
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
        let users = store::users(db.read(), &ids).await?;
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
            let users = store::users(db.read(), &[viewer.id]).await?;
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

/// Who is being enrolled.
pub enum Target {
    User(Uuid),
    Nip(String),
    Myself,
}

async fn resolve_target(db: &Db, actor: &CurrentUser, target: Target) -> AppResult<user::Model> {
    let found = match target {
        Target::Myself => crate::accounts::store::get(db.read(), actor.id).await?,
        Target::User(id) => crate::accounts::store::get(db.read(), id).await?,
        Target::Nip(nip) => {
            let nip = crate::accounts::nip::Nip::parse(&nip, clock::today_wib())
                .map_err(|e| AppError::invalid_field("nip", e.to_string()))?;
            crate::accounts::store::find_by_nip(db.read(), nip.as_str()).await?
        }
    };
    found
        .filter(|u| u.active)
        .ok_or_else(|| AppError::invalid_field("user", "pengguna tidak ditemukan atau tidak aktif"))
}

/// The outcome of trying to seat one trainee, inside the batch's lock.
pub(crate) enum Placed {
    Seated(EnrolmentStatus),
    AlreadyThere(EnrolmentStatus),
}

pub(crate) async fn place(
    conn: &impl ConnectionTrait,
    b: &batch::Model,
    trainee: &user::Model,
    actor: Option<Uuid>,
    now: OffsetDateTime,
) -> AppResult<Placed> {
    if !crate::accounts::store::roles_of(conn, trainee.id)
        .await?
        .contains(&Role::Trainee)
    {
        return Err(AppError::conflict(
            "not_a_trainee",
            format!("{} tidak memiliki peran peserta.", trainee.name),
        ));
    }
    let existing = store::enrolment(conn, b.id, trainee.id).await?;
    if let Some(e) = existing
        .as_ref()
        .filter(|e| e.status != EnrolmentStatus::Withdrawn)
    {
        return Ok(Placed::AlreadyThere(e.status));
    }
    for other in store::enrolments_of_user(conn, trainee.id).await? {
        if other.batch_id == b.id || !other.status.is_active() {
            continue;
        }
        let Some(ob) = store::batch(conn, other.batch_id).await? else {
            continue;
        };
        if ob.course_id == b.course_id
            && ob.status != BatchStatus::Cancelled
            && overlaps((ob.starts_on, ob.ends_on), (b.starts_on, b.ends_on))
        {
            return Err(AppError::conflict(
                "overlapping_batch",
                format!(
                    "{} sudah terdaftar di {} ({} – {}) untuk kursus yang sama pada tanggal yang bertumpuk.",
                    trainee.name,
                    ob.name,
                    clock::format_date_id(ob.starts_on),
                    clock::format_date_id(ob.ends_on)
                ),
            ));
        }
    }
    let enrolled = store::count_with_status(conn, b.id, EnrolmentStatus::Enrolled).await?;
    let status = match seat_for(enrolled, b.capacity, b.waitlist) {
        Seat::Enrolled => EnrolmentStatus::Enrolled,
        Seat::Waitlisted => EnrolmentStatus::Waitlisted,
        Seat::Full => {
            return Err(AppError::conflict(
                "batch_full",
                format!("Angkatan {} sudah penuh ({} peserta).", b.name, b.capacity),
            ));
        }
    };
    let seq = store::next_seq(conn, b.id).await?;
    store::upsert_enrolment(
        conn,
        NewEnrolment {
            batch_id: b.id,
            user_id: trainee.id,
            status,
            seq,
            created_by: actor,
        },
        now,
    )
    .await?;
    Ok(Placed::Seated(status))
}

/// Enrols a trainee: an administrator anyone (also after the window), a
/// trainee themselves into an open self-registration batch inside its window.
pub async fn enrol(
    db: &Db,
    actor: &CurrentUser,
    batch_id: Uuid,
    target: Target,
) -> AppResult<EnrolmentView> {
    let by_admin = actor.has(Role::Admin);
    let target = match target {
        Target::Myself if by_admin => {
            return Err(AppError::invalid_field(
                "user_id",
                "sebutkan user_id atau nip peserta",
            ));
        }
        t if !by_admin && !matches!(t, Target::Myself | Target::User(_)) => {
            return Err(AppError::Forbidden);
        }
        Target::User(id) if !by_admin && id != actor.id => return Err(AppError::Forbidden),
        t => t,
    };
    let trainee = resolve_target(db, actor, target).await?;
    let now = clock::now();
    let txn = db.begin_write().await?;
    let b = store::batch_for_update(&txn, batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !by_admin {
        let mine = store::enrolment(&txn, batch_id, actor.id).await?;
        if !may_see(actor, &b, mine.as_ref()) {
            return Err(AppError::NotFound);
        }
        if !b.self_enrol || b.status != BatchStatus::Open {
            return Err(AppError::conflict(
                "self_enrolment_closed",
                "Angkatan ini tidak membuka pendaftaran mandiri.",
            ));
        }
        match window_at(b.enrol_opens_at, b.enrol_closes_at, now) {
            Window::NotYetOpen => {
                return Err(AppError::conflict(
                    "enrolment_not_open",
                    "Pendaftaran belum dibuka.",
                ));
            }
            Window::Closed => {
                return Err(AppError::conflict(
                    "enrolment_closed",
                    "Pendaftaran sudah ditutup; hubungi administrator BKD.",
                ));
            }
            Window::Open => {}
        }
    }
    if matches!(b.status, BatchStatus::Cancelled | BatchStatus::Finished) {
        return Err(AppError::conflict(
            "batch_closed",
            format!(
                "Angkatan {} berstatus {}.",
                b.name,
                b.status.label().to_lowercase()
            ),
        ));
    }
    match place(&txn, &b, &trainee, Some(actor.id), now).await? {
        Placed::AlreadyThere(status) => {
            return Err(AppError::conflict(
                "already_enrolled",
                format!(
                    "{} sudah {} di angkatan ini.",
                    trainee.name,
                    status.label().to_lowercase()
                ),
            ));
        }
        Placed::Seated(_) => {}
    }
    txn.commit().await?;
    let e = store::enrolment(db.read(), batch_id, trainee.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(enrolment_view(&e, Some(&trainee)))
}

/// Withdraws a trainee (an administrator anyone, a trainee themselves) and
/// gives the seat to the first trainee waiting.
pub async fn withdraw(
    db: &Db,
    actor: &CurrentUser,
    batch_id: Uuid,
    user_id: Uuid,
    reason: &str,
) -> AppResult<EnrolmentView> {
    if !actor.has(Role::Admin) && actor.id != user_id {
        return Err(AppError::NotFound);
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::invalid_field(
            "reason",
            "alasan pengunduran diri wajib diisi",
        ));
    }
    let now = clock::now();
    let txn = db.begin_write().await?;
    let b = store::batch_for_update(&txn, batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let e = store::enrolment(&txn, batch_id, user_id)
        .await?
        .filter(|e| e.status.is_active())
        .ok_or(AppError::NotFound)?;
    store::set_enrolment_status(
        &txn,
        e.id,
        EnrolmentStatus::Withdrawn,
        Some(reason.to_owned()),
        now,
    )
    .await?;
    if e.status == EnrolmentStatus::Enrolled {
        promote_waitlist(&txn, &b, now).await?;
    }
    txn.commit().await?;
    let e = store::enrolment(db.read(), batch_id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let users = store::users(db.read(), &[user_id]).await?;
    Ok(enrolment_view(&e, users.get(&user_id)))
}

/// One attendance mark to record.
pub struct Mark {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub status: AttendanceStatus,
}

/// Records marks for a batch; all or nothing, every bad entry named.
pub async fn record_attendance(
    db: &Db,
    actor: &CurrentUser,
    batch_id: Uuid,
    marks: &[Mark],
) -> AppResult<u32> {
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

pub async fn add_session(db: &Db, batch_id: Uuid, session: SessionInput) -> AppResult<()> {
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
    store::insert_session(db.write(), batch_id, &session).await?;
    Ok(())
}

pub async fn remove_session(db: &Db, batch_id: Uuid, session_id: Uuid) -> AppResult<()> {
    let s = store::session(db.read(), session_id)
        .await?
        .filter(|s| s.batch_id == batch_id)
        .ok_or(AppError::NotFound)?;
    if store::count_attendance(db.read(), s.id).await? > 0 {
        return Err(AppError::conflict(
            "attendance_recorded",
            "Sesi ini sudah memiliki catatan kehadiran dan tidak dapat dihapus.",
        ));
    }
    store::delete_session(db.write(), s.id).await
}

/// A fresh self check-in code for a session.
pub async fn new_code(
    db: &Db,
    batch_id: Uuid,
    session_id: Uuid,
) -> AppResult<(batch_session::Model, String)> {
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
                "checkin_closed",
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

struct Facts {
    course: course::Model,
    module_ids: Vec<Uuid>,
    session_ids: Vec<Uuid>,
    attendance: HashMap<(Uuid, Uuid), AttendanceStatus>,
}

async fn facts(db: &Db, b: &batch::Model) -> AppResult<Facts> {
    let course = catalog::store::get_course(db.read(), b.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let module_ids = catalog::store::modules_of(db.read(), b.course_id)
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

/// Per trainee: modules read, attendance and the completion rule.
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
    let users = store::users(db.read(), &ids).await?;
    let mut rows = Vec::new();
    for e in &enrolments {
        let read = catalog::store::completed_by(db.read(), e.user_id, &facts.module_ids)
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

/// The attendance grid: every recorded mark of a batch.
pub async fn attendance_grid(
    db: &Db,
    batch_id: Uuid,
) -> AppResult<HashMap<(Uuid, Uuid), AttendanceStatus>> {
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

/// "Bimtek saya": the trainee's batches with their own progress.
pub async fn my_batches(db: &Db, trainee: &CurrentUser) -> AppResult<Vec<MyBatch>> {
    let enrolments = store::enrolments_of_user(db.read(), trainee.id).await?;
    let users = store::users(db.read(), &[trainee.id]).await?;
    let me = users.get(&trainee.id);
    let today = clock::today_wib();
    let mut out = Vec::new();
    for e in enrolments {
        let Some(b) = store::batch(db.read(), e.batch_id).await? else {
            continue;
        };
        let facts = facts(db, &b).await?;
        let read = catalog::store::completed_by(db.read(), trainee.id, &facts.module_ids)
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

/// A user's attendance records in the given sessions: (session, status).
pub async fn attendance_of_user(
    db: &Db,
    user_id: Uuid,
    session_ids: &[Uuid],
) -> AppResult<Vec<(Uuid, AttendanceStatus)>> {
    Ok(store::attendance_of(db.read(), session_ids)
        .await?
        .into_iter()
        .filter(|a| a.user_id == user_id)
        .map(|a| (a.session_id, a.status))
        .collect())
}

/// Whether `user_id` holds a seat (enrolled) in some batch of `course_id`.
/// Everyone on a batch's list who has not withdrawn (seated, waiting or
/// finished), for papers handed to each of them; 404 for an unknown batch.
pub async fn roster(db: &Db, batch_id: Uuid) -> AppResult<Vec<Uuid>> {
    store::batch(db.read(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(store::enrolments(db.read(), batch_id)
        .await?
        .into_iter()
        .filter(|e| e.status != EnrolmentStatus::Withdrawn)
        .map(|e| e.user_id)
        .collect())
}

pub async fn has_seat_in_course(db: &Db, user_id: Uuid, course_id: Uuid) -> AppResult<bool> {
    let any = |_: &batch::Model| super::model::Admission::Now;
    Ok(super::seats::seat(db, user_id, course_id, any)
        .await?
        .is_some())
}

/// Open batches with self-registration a trainee is not in yet.
pub async fn open_for(db: &Db, trainee: &CurrentUser) -> AppResult<Vec<BatchView>> {
    let mine: HashSet<Uuid> = store::enrolments_of_user(db.read(), trainee.id)
        .await?
        .into_iter()
        .filter(|e| e.status != EnrolmentStatus::Withdrawn)
        .map(|e| e.batch_id)
        .collect();
    let filter = BatchFilter {
        status: Some(BatchStatus::Open),
        from: Some(clock::today_wib()),
        ..BatchFilter::default()
    };
    let open: Vec<batch::Model> = store::batches(db.read(), &filter)
        .await?
        .into_iter()
        .filter(|b| b.self_enrol && !mine.contains(&b.id))
        .collect();
    views(db, open).await
}
