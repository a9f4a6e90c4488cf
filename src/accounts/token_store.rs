//! Queries on one-time credentials (activation codes, reset links).

use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use time::OffsetDateTime;
use uuid::Uuid;

use super::codes::Purpose;
use crate::entities::account_token;
use crate::error::AppResult;

/// Stores `digest` as the user's only credential for `purpose`: a new code
/// makes the previous one worthless.
pub async fn replace(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Purpose,
    digest: String,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
    created_by: Option<Uuid>,
) -> AppResult<()> {
    account_token::Entity::delete_many()
        .filter(account_token::Column::UserId.eq(user_id))
        .filter(account_token::Column::Purpose.eq(purpose))
        .exec(conn)
        .await?;
    // Useless rows of anyone; dropping them here needs no background job.
    account_token::Entity::delete_many()
        .filter(account_token::Column::ExpiresAt.lt(now))
        .exec(conn)
        .await?;
    account_token::Entity::insert(account_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        purpose: Set(purpose),
        token_hash: Set(digest),
        created_at: Set(now),
        expires_at: Set(expires_at),
        created_by: Set(created_by),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// The stored credential with this digest and purpose, expired or not.
pub async fn find(
    conn: &impl ConnectionTrait,
    purpose: Purpose,
    digest: &str,
) -> AppResult<Option<account_token::Model>> {
    Ok(account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(digest))
        .filter(account_token::Column::Purpose.eq(purpose))
        .one(conn)
        .await?)
}

/// When the user's current credential for `purpose` was issued, if any.
pub async fn issued_at(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Purpose,
) -> AppResult<Option<OffsetDateTime>> {
    Ok(account_token::Entity::find()
        .filter(account_token::Column::UserId.eq(user_id))
        .filter(account_token::Column::Purpose.eq(purpose))
        .one(conn)
        .await?
        .map(|token| token.created_at))
}

/// Uses up a credential: true for the one caller that removed it, so two
/// requests racing with the same code cannot both succeed.
pub async fn consume(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<bool> {
    let removed = account_token::Entity::delete_by_id(id).exec(conn).await?;
    Ok(removed.rows_affected == 1)
}

/// Forgets every credential of a user for `purpose`, or of every purpose.
pub async fn drop_all(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Option<Purpose>,
) -> AppResult<()> {
    let mut delete =
        account_token::Entity::delete_many().filter(account_token::Column::UserId.eq(user_id));
    if let Some(purpose) = purpose {
        delete = delete.filter(account_token::Column::Purpose.eq(purpose));
    }
    delete.exec(conn).await?;
    Ok(())
}
