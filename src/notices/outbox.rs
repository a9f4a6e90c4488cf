//! The outbox table's queries. Messages are written inside the caller's
//! transaction (the change and its announcement commit together); a
//! worker claims a row with a conditional update, so two instances never
//! send the same row, and a crashed worker's claim runs out.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::model::{MessageKind, MessageStatus};
use crate::entities::{message_template, outbox_message as row};
use crate::error::AppResult;

/// How long a worker may hold a message before another may take it: far
/// beyond a slow SMTP conversation (lettre's timeout is per step).
pub(super) const CLAIM: Duration = Duration::minutes(10);

pub(super) async fn insert(conn: &impl ConnectionTrait, message: row::Model) -> AppResult<()> {
    row::Entity::insert(row::ActiveModel::from(message))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

fn unclaimed(now: OffsetDateTime) -> Condition {
    Condition::any()
        .add(row::Column::ClaimedUntil.is_null())
        .add(row::Column::ClaimedUntil.lt(now))
}

/// Deletes the messages about a batch's schedule still waiting for `user`
/// (everyone when `None`) and not held by a worker: a newer one replaces
/// them, or the seat or the batch is gone.
pub(super) async fn drop_waiting(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    user: Option<Uuid>,
    now: OffsetDateTime,
) -> AppResult<u64> {
    let kinds: Vec<MessageKind> = MessageKind::ALL
        .into_iter()
        .filter(|k| k.is_about_schedule())
        .collect();
    let mut delete = row::Entity::delete_many()
        .filter(row::Column::BatchId.eq(batch_id))
        .filter(row::Column::Status.eq(MessageStatus::Pending))
        .filter(row::Column::Kind.is_in(kinds))
        .filter(unclaimed(now));
    if let Some(user) = user {
        delete = delete.filter(row::Column::UserId.eq(user));
    }
    Ok(delete.exec(conn).await?.rows_affected)
}

/// Whether `user` was ever sent (or is being sent) an invitation to the
/// batch that is not deleted: then a change is announced as a change.
pub(super) async fn was_invited(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    user: Uuid,
) -> AppResult<bool> {
    Ok(row::Entity::find()
        .filter(row::Column::BatchId.eq(batch_id))
        .filter(row::Column::UserId.eq(user))
        .filter(row::Column::Kind.is_in([MessageKind::Invitation, MessageKind::ScheduleChange]))
        .one(conn)
        .await?
        .is_some())
}

/// Up to `limit` ids due at `now`, oldest first.
pub(super) async fn due(
    conn: &impl ConnectionTrait,
    now: OffsetDateTime,
    limit: u64,
) -> AppResult<Vec<Uuid>> {
    Ok(row::Entity::find()
        .select_only()
        .column(row::Column::Id)
        .filter(row::Column::Status.eq(MessageStatus::Pending))
        .filter(row::Column::NextAttemptAt.lte(now))
        .filter(unclaimed(now))
        .order_by_asc(row::Column::NextAttemptAt)
        .order_by_asc(row::Column::CreatedAt)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?)
}

/// Takes `id` for this worker until `now + CLAIM`; `None` when another
/// worker took it first or it is no longer waiting.
pub(super) async fn claim(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: OffsetDateTime,
) -> AppResult<Option<row::Model>> {
    let taken = row::Entity::update_many()
        .col_expr(row::Column::ClaimedUntil, Expr::value(Some(now + CLAIM)))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::Status.eq(MessageStatus::Pending))
        .filter(unclaimed(now))
        .exec(conn)
        .await?
        .rows_affected;
    if taken == 0 {
        return Ok(None);
    }
    Ok(row::Entity::find_by_id(id).one(conn).await?)
}

/// The message as claimed: only this claim (its `claimed_until`, read
/// back from the database) may settle it.
fn still_held(message: &row::Model) -> Condition {
    let held = row::Column::Id.eq(message.id);
    match message.claimed_until {
        Some(until) => Condition::all()
            .add(held)
            .add(row::Column::ClaimedUntil.eq(until)),
        None => Condition::all().add(held),
    }
}

/// Records the outcome of one try and lets go of the claim; a claim that
/// ran out and was taken by another worker changes nothing.
pub(super) async fn settle(
    conn: &impl ConnectionTrait,
    message: &row::Model,
    status: MessageStatus,
    next_attempt_at: OffsetDateTime,
    error: Option<String>,
    now: OffsetDateTime,
) -> AppResult<()> {
    let sent = status == MessageStatus::Sent;
    row::Entity::update_many()
        .col_expr(row::Column::Status, Expr::value(status))
        .col_expr(row::Column::Attempts, Expr::value(message.attempts + 1))
        .col_expr(row::Column::NextAttemptAt, Expr::value(next_attempt_at))
        .col_expr(
            row::Column::ClaimedUntil,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .col_expr(row::Column::SentAt, Expr::value(sent.then_some(now)))
        .col_expr(row::Column::LastError, Expr::value(error))
        .filter(still_held(message))
        .exec(conn)
        .await?;
    Ok(())
}

/// Marks a message whose moment passed without trying it.
pub(super) async fn expire(conn: &impl ConnectionTrait, message: &row::Model) -> AppResult<()> {
    row::Entity::update_many()
        .col_expr(row::Column::Status, Expr::value(MessageStatus::Expired))
        .col_expr(
            row::Column::ClaimedUntil,
            Expr::value(Option::<OffsetDateTime>::None),
        )
        .filter(still_held(message))
        .exec(conn)
        .await?;
    Ok(())
}

/// Every message of a batch, newest first.
pub(super) async fn of_batch(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
) -> AppResult<Vec<row::Model>> {
    Ok(row::Entity::find()
        .filter(row::Column::BatchId.eq(batch_id))
        .order_by_desc(row::Column::CreatedAt)
        .order_by_asc(row::Column::ToName)
        .all(conn)
        .await?)
}

pub(super) async fn delete_of_user(conn: &impl ConnectionTrait, user: Uuid) -> AppResult<()> {
    row::Entity::delete_many()
        .filter(row::Column::UserId.eq(user))
        .exec(conn)
        .await?;
    Ok(())
}

pub(super) async fn template(
    conn: &impl ConnectionTrait,
    kind: MessageKind,
) -> AppResult<Option<message_template::Model>> {
    Ok(message_template::Entity::find_by_id(kind).one(conn).await?)
}

/// Replaces the text of a kind in one statement.
pub(super) async fn save_template(
    conn: &impl ConnectionTrait,
    saved: message_template::Model,
) -> AppResult<()> {
    message_template::Entity::insert(message_template::ActiveModel::from(saved))
        .on_conflict(
            OnConflict::column(message_template::Column::Kind)
                .update_columns([
                    message_template::Column::Subject,
                    message_template::Column::Body,
                    message_template::Column::UpdatedAt,
                    message_template::Column::UpdatedBy,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub(super) async fn delete_template(
    conn: &impl ConnectionTrait,
    kind: MessageKind,
) -> AppResult<()> {
    message_template::Entity::delete_by_id(kind)
        .exec(conn)
        .await?;
    Ok(())
}

/// Every message to `user`, newest first.
pub(super) async fn of_user(conn: &impl ConnectionTrait, user: Uuid) -> AppResult<Vec<row::Model>> {
    Ok(row::Entity::find()
        .filter(row::Column::UserId.eq(user))
        .order_by_desc(row::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// Deletes messages composed before `before`.
pub(super) async fn delete_composed_before(
    conn: &impl ConnectionTrait,
    before: OffsetDateTime,
) -> AppResult<u64> {
    Ok(row::Entity::delete_many()
        .filter(row::Column::CreatedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
