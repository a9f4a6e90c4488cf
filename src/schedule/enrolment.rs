//! Who sits in a batch: enrolling (one by one, by an administrator or a
//! trainee themselves), withdrawing, the waitlist moving up, and the lists
//! of who holds a seat.

use std::collections::HashSet;

use sea_orm::ConnectionTrait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::BatchFilter;
use super::model::{BatchStatus, EnrolmentStatus, Seat, Window, overlaps, seat_for, window_at};
use super::showing::{enrolment_view, may_see, views};
use super::store::{self, NewEnrolment};
use super::views::{BatchView, EnrolmentView};
use crate::accounts::model::{CurrentUser, Role};
use crate::clock;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::entities::{batch, user};
use crate::error::{AppError, AppResult};

/// Moves waiting trainees into free seats, first come first served.
pub(super) async fn promote_waitlist(
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
    let ids: Vec<Uuid> = waiting.iter().map(|e| e.user_id).collect();
    let mut users = crate::accounts::lookup::users_by_id(conn, &ids).await?;
    let promoted: Vec<user::Model> = ids.iter().filter_map(|id| users.remove(id)).collect();
    super::notify::invite(conn, b, &promoted).await?;
    Ok(waiting.len() as u32)
}

/// Who is being enrolled.
pub enum Target {
    User(Uuid),
    Nip(String),
    Myself,
}

async fn resolve_target(db: &Db, actor: &CurrentUser, target: Target) -> AppResult<user::Model> {
    let found = match target {
        Target::Myself => crate::accounts::lookup::find_by_id(db.read(), actor.id).await?,
        Target::User(id) => crate::accounts::lookup::find_by_id(db.read(), id).await?,
        Target::Nip(nip) => {
            let nip = crate::accounts::nip::Nip::parse(&nip, clock::today_wib())
                .map_err(|e| AppError::invalid_field("nip", e.to_string()))?;
            crate::accounts::lookup::find_by_nip(db.read(), nip.as_str()).await?
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
    if !crate::accounts::lookup::has_role(conn, trainee.id, Role::Trainee).await? {
        return Err(AppError::conflict(
            Conflict::NotATrainee,
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
                Conflict::OverlappingBatch,
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
                Conflict::BatchFull,
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
                Conflict::SelfEnrolmentClosed,
                "Angkatan ini tidak membuka pendaftaran mandiri.",
            ));
        }
        match window_at(b.enrol_opens_at, b.enrol_closes_at, now) {
            Window::NotYetOpen => {
                return Err(AppError::conflict(
                    Conflict::EnrolmentNotOpen,
                    "Pendaftaran belum dibuka.",
                ));
            }
            Window::Closed => {
                return Err(AppError::conflict(
                    Conflict::EnrolmentClosed,
                    "Pendaftaran sudah ditutup; hubungi administrator BKD.",
                ));
            }
            Window::Open => {}
        }
    }
    if matches!(b.status, BatchStatus::Cancelled | BatchStatus::Finished) {
        return Err(AppError::conflict(
            Conflict::BatchClosed,
            format!(
                "Angkatan {} berstatus {}.",
                b.name,
                b.status.label().to_lowercase()
            ),
        ));
    }
    match place(&txn, &b, &trainee, Some(actor.id), now).await? {
        Placed::Seated(EnrolmentStatus::Enrolled) => {
            super::notify::invite(&txn, &b, std::slice::from_ref(&trainee)).await?;
        }
        Placed::AlreadyThere(status) => {
            return Err(AppError::conflict(
                Conflict::AlreadyEnrolled,
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
    let reason = AppError::required(reason, "reason", "alasan pengunduran diri wajib diisi")?;
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
    if let Some(who) = crate::accounts::lookup::users_by_id(&txn, &[user_id])
        .await?
        .get(&user_id)
    {
        super::notify::left(&txn, &b, who, reason).await?;
    }
    if e.status == EnrolmentStatus::Enrolled {
        promote_waitlist(&txn, &b, now).await?;
    }
    txn.commit().await?;
    let e = store::enrolment(db.read(), batch_id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let users = crate::accounts::lookup::users_by_id(db.read(), &[user_id]).await?;
    Ok(enrolment_view(&e, users.get(&user_id)))
}

/// An administrator withdraws a trainee from the batch's page.
pub async fn withdraw_by_admin(
    db: &Db,
    admin: &CurrentUser,
    batch_id: Uuid,
    user_id: Uuid,
    reason: &str,
) -> AppResult<EnrolmentView> {
    admin.require(Role::Admin)?;
    withdraw(db, admin, batch_id, user_id, reason).await
}

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

/// Whether `user_id` holds a seat (enrolled) in some batch of `course_id`.
pub async fn has_seat_in_course(db: &Db, user_id: Uuid, course_id: Uuid) -> AppResult<bool> {
    let any = |_: &batch::Model| super::model::Admission::Now;
    Ok(super::seats::seat(db, user_id, course_id, any)
        .await?
        .is_some())
}

/// Open batches with self-registration a trainee is not in yet; none for
/// someone who is not a trainee.
pub async fn open_for(db: &Db, trainee: &CurrentUser) -> AppResult<Vec<BatchView>> {
    if !trainee.has(Role::Trainee) {
        return Ok(Vec::new());
    }
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
