//! Sign-in sessions, held in the database so that any instance can serve
//! any request and a logout or a deactivation takes effect everywhere at once.
//!
//! The client holds a random token; the database holds only its SHA-256, so
//! a copy of the database does not let anyone sign in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};
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

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub async fn create(db: &Db, user_id: Uuid, ttl: Duration) -> AppResult<NewSession> {
    let now = clock::now();
    let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    let expires_at = now + ttl;
    // Expired sessions are useless; dropping them here keeps the table small
    // without a background job.
    session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now))
        .exec(db.write())
        .await?;
    session::Entity::insert(session::ActiveModel {
        id: Set(Uuid::now_v7()),
        token_hash: Set(hash_token(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
    })
    .exec(db.write())
    .await?;
    Ok(NewSession { token, expires_at })
}

/// The active user behind `token`, if the session exists, has not expired
/// and the account is still active.
pub async fn resolve(db: &Db, token: &str) -> AppResult<Option<CurrentUser>> {
    let found = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
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
    Ok(Some(CurrentUser {
        id: account.id,
        session_id: session.id,
        roles: store::roles_of(db.read(), account.id).await?,
        username: account.username,
        name: account.name,
    }))
}

pub async fn revoke(db: &Db, session_id: Uuid) -> AppResult<()> {
    session::Entity::delete_by_id(session_id)
        .exec(db.write())
        .await?;
    Ok(())
}

/// Ends every session of a user (deactivation, password reset).
pub async fn revoke_all(conn: &impl ConnectionTrait, user_id: Uuid) -> AppResult<()> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    Ok(())
}
