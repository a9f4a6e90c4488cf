//! What other capabilities may ask of the catalog: a course or module, a
//! course's modules and JP, what a trainee has read. Each takes the
//! connection so that a caller inside a transaction sees its own writes;
//! the tables stay private to the catalog.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::store;
use crate::entities::{course, module};
use crate::error::AppResult;

pub async fn find_course(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<course::Model>> {
    store::get_course(conn, id).await
}

/// The courses among `ids` that exist, by id.
pub async fn courses_by_id(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, course::Model>> {
    Ok(course::Entity::find()
        .filter(course::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect())
}

pub async fn find_module(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<module::Model>> {
    store::get_module(conn, id).await
}

/// A course's modules, in their order.
pub async fn modules_of(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
) -> AppResult<Vec<module::Model>> {
    store::modules_of(conn, course_id).await
}

/// `(module count, total JP)` per course.
pub async fn totals(
    conn: &impl ConnectionTrait,
    course_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, (u32, i32)>> {
    store::totals(conn, course_ids).await
}

/// Which of `module_ids` the user has marked read.
pub async fn completed_by(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    module_ids: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    store::completed_by(conn, user_id, module_ids).await
}
