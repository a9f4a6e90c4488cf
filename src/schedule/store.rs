//! Queries on batches, sessions, enrolments and attendance.

use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::OnConflict,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{AttendanceStatus, BatchFilter, EnrolmentStatus, SessionInput};
use crate::entities::{attendance, batch, batch_session, enrolment};
use crate::error::AppResult;

pub async fn batch(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<batch::Model>> {
    Ok(batch::Entity::find_by_id(id).one(conn).await?)
}

/// The batch row, locked for the rest of the transaction on PostgreSQL
/// (SQLite's `BEGIN IMMEDIATE` already serialises writers).
pub async fn batch_for_update(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<batch::Model>> {
    Ok(batch::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?)
}

pub async fn batches(
    conn: &impl ConnectionTrait,
    filter: &BatchFilter,
) -> AppResult<Vec<batch::Model>> {
    let mut query = batch::Entity::find();
    if let Some(course_id) = filter.course_id {
        query = query.filter(batch::Column::CourseId.eq(course_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(batch::Column::Status.eq(status));
    }
    if let Some(from) = filter.from {
        query = query.filter(batch::Column::EndsOn.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(batch::Column::StartsOn.lte(to));
    }
    if let Some(ids) = &filter.ids {
        query = query.filter(batch::Column::Id.is_in(ids.iter().copied()));
    }
    Ok(query
        .order_by_asc(batch::Column::StartsOn)
        .order_by_asc(batch::Column::Name)
        .all(conn)
        .await?)
}

pub async fn sessions(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
) -> AppResult<Vec<batch_session::Model>> {
    Ok(batch_session::Entity::find()
        .filter(batch_session::Column::BatchId.eq(batch_id))
        .order_by_asc(batch_session::Column::Day)
        .order_by_asc(batch_session::Column::StartsAt)
        .all(conn)
        .await?)
}

pub async fn session(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<batch_session::Model>> {
    Ok(batch_session::Entity::find_by_id(id).one(conn).await?)
}

pub async fn sessions_with_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> AppResult<Vec<batch_session::Model>> {
    Ok(batch_session::Entity::find()
        .filter(batch_session::Column::CheckinCode.eq(code))
        .all(conn)
        .await?)
}

pub async fn insert_session(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    s: &SessionInput,
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    batch_session::Entity::insert(batch_session::ActiveModel {
        id: Set(id),
        batch_id: Set(batch_id),
        day: Set(s.day),
        starts_at: Set(s.starts_at),
        ends_at: Set(s.ends_at),
        topic: Set(s.topic.clone()),
        instructor: Set(s.instructor.clone()),
        checkin_code: Set(None),
    })
    .exec(conn)
    .await?;
    Ok(id)
}

pub async fn set_checkin_code(
    conn: &impl ConnectionTrait,
    session_id: Uuid,
    code: &str,
) -> AppResult<()> {
    batch_session::Entity::update_many()
        .col_expr(
            batch_session::Column::CheckinCode,
            sea_orm::sea_query::Expr::value(code),
        )
        .filter(batch_session::Column::Id.eq(session_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn enrolments(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
) -> AppResult<Vec<enrolment::Model>> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::BatchId.eq(batch_id))
        .order_by_asc(enrolment::Column::Seq)
        .all(conn)
        .await?)
}

pub async fn enrolment(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    user_id: Uuid,
) -> AppResult<Option<enrolment::Model>> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::BatchId.eq(batch_id))
        .filter(enrolment::Column::UserId.eq(user_id))
        .one(conn)
        .await?)
}

pub async fn enrolments_of_user(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Vec<enrolment::Model>> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::UserId.eq(user_id))
        .all(conn)
        .await?)
}

pub async fn count_with_status(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    status: EnrolmentStatus,
) -> AppResult<u64> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::BatchId.eq(batch_id))
        .filter(enrolment::Column::Status.eq(status))
        .count(conn)
        .await?)
}

/// `(enrolled, waitlisted)` per batch.
pub async fn seat_counts(
    conn: &impl ConnectionTrait,
    batch_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, (u32, u32)>> {
    let rows: Vec<(Uuid, EnrolmentStatus)> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::BatchId)
        .column(enrolment::Column::Status)
        .filter(enrolment::Column::BatchId.is_in(batch_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut counts: HashMap<Uuid, (u32, u32)> = HashMap::new();
    for (batch_id, status) in rows {
        let entry = counts.entry(batch_id).or_default();
        match status {
            EnrolmentStatus::Enrolled
            | EnrolmentStatus::Completed
            | EnrolmentStatus::NotCompleted => entry.0 += 1,
            EnrolmentStatus::Waitlisted => entry.1 += 1,
            EnrolmentStatus::Withdrawn => {}
        }
    }
    Ok(counts)
}

pub async fn next_seq(conn: &impl ConnectionTrait, batch_id: Uuid) -> AppResult<i64> {
    let last: Option<i64> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::Seq)
        .filter(enrolment::Column::BatchId.eq(batch_id))
        .order_by_desc(enrolment::Column::Seq)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(last.map_or(1, |s| s + 1))
}

pub struct NewEnrolment {
    pub batch_id: Uuid,
    pub user_id: Uuid,
    pub status: EnrolmentStatus,
    pub seq: i64,
    pub created_by: Option<Uuid>,
}

/// Inserts an enrolment, or turns a withdrawn one back into `status`.
pub async fn upsert_enrolment(
    conn: &impl ConnectionTrait,
    new: NewEnrolment,
    now: OffsetDateTime,
) -> AppResult<()> {
    enrolment::Entity::insert(enrolment::ActiveModel {
        id: Set(Uuid::now_v7()),
        batch_id: Set(new.batch_id),
        user_id: Set(new.user_id),
        status: Set(new.status),
        seq: Set(new.seq),
        reason: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([enrolment::Column::BatchId, enrolment::Column::UserId])
            .update_columns([
                enrolment::Column::Status,
                enrolment::Column::Seq,
                enrolment::Column::Reason,
                enrolment::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn set_enrolment_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    status: EnrolmentStatus,
    reason: Option<String>,
    now: OffsetDateTime,
) -> AppResult<()> {
    enrolment::Entity::update_many()
        .col_expr(
            enrolment::Column::Status,
            sea_orm::sea_query::Expr::value(status),
        )
        .col_expr(
            enrolment::Column::Reason,
            sea_orm::sea_query::Expr::value(reason),
        )
        .col_expr(
            enrolment::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(enrolment::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The first waiting trainees, in arrival order.
pub async fn waiting(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    limit: u64,
) -> AppResult<Vec<enrolment::Model>> {
    Ok(enrolment::Entity::find()
        .filter(enrolment::Column::BatchId.eq(batch_id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Waitlisted))
        .order_by_asc(enrolment::Column::Seq)
        .limit(limit)
        .all(conn)
        .await?)
}

pub async fn attendance_of(
    conn: &impl ConnectionTrait,
    session_ids: &[Uuid],
) -> AppResult<Vec<attendance::Model>> {
    Ok(attendance::Entity::find()
        .filter(attendance::Column::SessionId.is_in(session_ids.iter().copied()))
        .all(conn)
        .await?)
}

/// One person's attendance records in the given sessions.
pub async fn attendance_of_user(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    session_ids: &[Uuid],
) -> AppResult<Vec<attendance::Model>> {
    Ok(attendance::Entity::find()
        .filter(attendance::Column::UserId.eq(user_id))
        .filter(attendance::Column::SessionId.is_in(session_ids.iter().copied()))
        .all(conn)
        .await?)
}

pub async fn record_attendance(
    conn: &impl ConnectionTrait,
    session_id: Uuid,
    user_id: Uuid,
    status: AttendanceStatus,
    via: &str,
    recorded_by: Option<Uuid>,
    now: OffsetDateTime,
) -> AppResult<()> {
    attendance::Entity::insert(attendance::ActiveModel {
        session_id: Set(session_id),
        user_id: Set(user_id),
        status: Set(status),
        via: Set(via.to_owned()),
        recorded_by: Set(recorded_by),
        recorded_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([attendance::Column::SessionId, attendance::Column::UserId])
            .update_columns([
                attendance::Column::Status,
                attendance::Column::Via,
                attendance::Column::RecordedBy,
                attendance::Column::RecordedAt,
            ])
            .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

pub async fn delete_session(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<()> {
    batch_session::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

pub async fn count_attendance(conn: &impl ConnectionTrait, session_id: Uuid) -> AppResult<u64> {
    Ok(attendance::Entity::find()
        .filter(attendance::Column::SessionId.eq(session_id))
        .count(conn)
        .await?)
}
