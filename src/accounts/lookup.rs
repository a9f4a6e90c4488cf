//! What other capabilities may ask of accounts: who a user is and which
//! roles they hold. Each takes the connection so that a caller inside a
//! transaction sees its own writes; the tables stay private to accounts.

use std::collections::{HashMap, HashSet};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::model::{ListFilter, Role};
use super::store;
use crate::entities::user;
use crate::error::AppResult;

pub async fn find_by_id(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<user::Model>> {
    store::get(conn, id).await
}

/// The account holding `nip` (already normalised by `Nip::parse`).
pub async fn find_by_nip(conn: &impl ConnectionTrait, nip: &str) -> AppResult<Option<user::Model>> {
    store::find_by_nip(conn, nip).await
}

/// The accounts among `ids` that exist, by id.
pub async fn users_by_id(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, user::Model>> {
    Ok(store::get_many(conn, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

pub async fn has_role(conn: &impl ConnectionTrait, user_id: Uuid, role: Role) -> AppResult<bool> {
    Ok(store::roles_of(conn, user_id).await?.contains(&role))
}

/// The account, when it is active and holds `role`.
pub async fn active_with_role(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    role: Role,
) -> AppResult<Option<user::Model>> {
    let Some(account) = store::get(conn, user_id).await?.filter(|u| u.active) else {
        return Ok(None);
    };
    Ok(has_role(conn, user_id, role).await?.then_some(account))
}

/// Those of `ids` whose account is active and holds `role`.
pub async fn active_with_role_among(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    role: Role,
) -> AppResult<HashSet<Uuid>> {
    let roles = store::roles_of_many(conn, ids).await?;
    Ok(store::get_many(conn, ids)
        .await?
        .into_iter()
        .filter(|u| u.active && roles.get(&u.id).is_some_and(|r| r.contains(&role)))
        .map(|u| u.id)
        .collect())
}

/// Every active account holding `role`, by name.
pub async fn active_holding(
    conn: &impl ConnectionTrait,
    role: Role,
) -> AppResult<Vec<user::Model>> {
    let filter = ListFilter {
        role: Some(role),
        per_page: ALL,
        ..Default::default()
    };
    let (found, _) = store::list(conn, &filter).await?;
    Ok(found.into_iter().filter(|u| u.active).collect())
}

/// More than a city's civil servants: one page holds them all.
const ALL: u64 = 1_000_000;
