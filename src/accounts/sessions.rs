//! Sign-in sessions, held in the database so that any instance can serve
//! any request and a logout or a deactivation takes effect everywhere at once.
//!
//! The client holds a random token; the database holds only its SHA-256, so
//! a copy of the database does not let anyone sign in.
//!
//! Every request carries its token, and an exam day sends thousands of
//! answers a second, so each instance remembers a resolved session for a few
//! seconds (`FRESH_FOR`) instead of spending three queries per answer.
//! Logout, deactivation and password or role changes drop the remembered
//! entries on the instance that made them at once; other instances notice
//! within `FRESH_FOR`.

use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::model::CurrentUser;
use super::store;
use crate::clock;
use crate::db::Db;
use crate::entities::{session, user};
use crate::error::AppResult;

/// A fresh session token handed to the client.
pub struct NewSession {
    pub token: String,
    pub expires_at: OffsetDateTime,
}

/// How long a resolved session is trusted without asking the database.
pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(10);
/// Remembered sessions per instance before the memory starts over.
const REMEMBERED: usize = 100_000;

struct Remembered {
    user: CurrentUser,
    resolved_at: Instant,
    expires_at: OffsetDateTime,
}

/// Per process, keyed by token hash: tokens are random, so the several
/// servers a test suite runs in one process cannot see each other's entries.
static RECENT: LazyLock<RwLock<HashMap<String, Remembered>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

fn recall(token_hash: &str) -> Option<CurrentUser> {
    let recent = RECENT
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let entry = recent.get(token_hash)?;
    (entry.resolved_at.elapsed() < FRESH_FOR && entry.expires_at > clock::now())
        .then(|| entry.user.clone())
}

fn remember(token_hash: String, user: CurrentUser, expires_at: OffsetDateTime) {
    let mut recent = RECENT
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if recent.len() >= REMEMBERED {
        recent.clear();
    }
    recent.insert(
        token_hash,
        Remembered {
            user,
            resolved_at: Instant::now(),
            expires_at,
        },
    );
}

/// Drops what this instance remembers of a user's sessions (their roles,
/// name or standing changed).
pub fn forget_user(user_id: Uuid) {
    RECENT
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .retain(|_, entry| entry.user.id != user_id);
}

fn forget_session(session_id: Uuid) {
    RECENT
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .retain(|_, entry| entry.user.session_id != session_id);
}

pub async fn create(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    ttl: Duration,
) -> AppResult<NewSession> {
    let now = clock::now();
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let expires_at = now + ttl;
    // Expired sessions are deleted by the daily retention sweep, not here:
    // an exam day's start storm signs thousands in within minutes.
    session::Entity::insert(session::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(super::codes::digest(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
    })
    .exec(conn)
    .await?;
    Ok(NewSession { token, expires_at })
}

/// The active user behind `token`, if the session exists, has not expired
/// and the account is still active.
pub async fn resolve(db: &Db, token: &str) -> AppResult<Option<CurrentUser>> {
    let token_hash = super::codes::digest(token);
    if let Some(user) = recall(&token_hash) {
        return Ok(Some(user));
    }
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(&token_hash))
        .filter(session::Column::ExpiresAt.gt(clock::now()))
        .one(db.read())
        .await?;
    let Some(session) = found else {
        return Ok(None);
    };
    let account = user::Entity::find_by_id(session.user_id)
        .filter(user::Column::Active.eq(true))
        .one(db.read())
        .await?;
    let Some(account) = account else {
        return Ok(None);
    };
    let user = CurrentUser {
        id: account.id,
        session_id: session.id,
        roles: store::roles_of(db.read(), account.id).await?,
        username: account.username,
        name: account.name,
    };
    remember(token_hash, user.clone(), session.expires_at);
    Ok(Some(user))
}

pub async fn revoke(db: &Db, session_id: Uuid) -> AppResult<()> {
    session::Entity::delete_by_id(session_id)
        .exec(db.write())
        .await?;
    forget_session(session_id);
    Ok(())
}

/// Ends every session of a user (deactivation, password reset).
pub async fn revoke_all(conn: &impl ConnectionTrait, user_id: Uuid) -> AppResult<()> {
    forget_user(user_id);
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user except `keep` (the one changing its own
/// password stays signed in).
pub async fn revoke_all_but(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> AppResult<()> {
    forget_user(user_id);
    let mut delete = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        delete = delete.filter(session::Column::Id.ne(keep));
    }
    delete.exec(conn).await?;
    Ok(())
}
