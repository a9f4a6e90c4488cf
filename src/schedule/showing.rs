//! Batches as they are shown: rows to views (with the course, its JP and
//! the seats taken), sessions and enrolments to views, and who may see a
//! batch at all. Shared by every job of scheduling.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::model::BatchStatus;
use super::store;
use super::views::{BatchView, EnrolmentView, SessionView};
use crate::accounts::model::{CurrentUser, Role};
use crate::catalog;
use crate::db::Db;
use crate::entities::{batch, batch_session, enrolment, user};
use crate::error::AppResult;

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

pub(super) fn enrolment_view(e: &enrolment::Model, u: Option<&user::Model>) -> EnrolmentView {
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

pub(super) async fn views(db: &Db, batches: Vec<batch::Model>) -> AppResult<Vec<BatchView>> {
    views_on(db.read(), batches).await
}

/// The views of `batches` as `conn` sees them (inside a transaction, its
/// own uncommitted changes included).
pub(super) async fn views_on(
    conn: &impl ConnectionTrait,
    batches: Vec<batch::Model>,
) -> AppResult<Vec<BatchView>> {
    let course_ids: Vec<Uuid> = batches.iter().map(|b| b.course_id).collect();
    let courses = catalog::lookup::courses_by_id(conn, &course_ids).await?;
    let totals = catalog::lookup::totals(conn, &course_ids).await?;
    let ids: Vec<Uuid> = batches.iter().map(|b| b.id).collect();
    let seats = store::seat_counts(conn, &ids).await?;
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
                bring: b.bring,
                calendar_sequence: b.calendar_sequence,
            }
        })
        .collect())
}

pub(super) async fn view(db: &Db, b: batch::Model) -> AppResult<BatchView> {
    Ok(views(db, vec![b]).await?.remove(0))
}

/// A trainee may see a batch they have an enrolment in, or an open one
/// they may register for.
pub(super) fn may_see(
    viewer: &CurrentUser,
    b: &batch::Model,
    mine: Option<&enrolment::Model>,
) -> bool {
    viewer.has(Role::Admin)
        || mine.is_some()
        || (b.self_enrol && b.status == BatchStatus::Open && viewer.has(Role::Trainee))
}
