//! What other capabilities may ask of the schedule: a batch, the batches
//! matching a filter, who holds a seat. Each takes the connection so that a
//! caller inside a transaction sees its own writes; the tables stay private
//! to schedule.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::model::{BatchFilter, EnrolmentStatus};
use super::store;
use crate::entities::{batch, user};
use crate::error::AppResult;

pub async fn find_batch(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<batch::Model>> {
    store::batch(conn, id).await
}

pub async fn find_batches(
    conn: &impl ConnectionTrait,
    filter: &BatchFilter,
) -> AppResult<Vec<batch::Model>> {
    store::batches(conn, filter).await
}

/// The trainees enrolled (not waitlisted, not withdrawn) in a batch, by name.
pub async fn enrolled_users(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
) -> AppResult<Vec<user::Model>> {
    let ids: Vec<Uuid> = store::enrolments(conn, batch_id)
        .await?
        .into_iter()
        .filter(|e| e.status == EnrolmentStatus::Enrolled)
        .map(|e| e.user_id)
        .collect();
    let mut users: Vec<user::Model> = crate::accounts::lookup::users_by_id(conn, &ids)
        .await?
        .into_values()
        .collect();
    users.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(users)
}
