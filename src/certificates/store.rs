//! Queries on certificates, their counters and per-course settings.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::entities::{certificate, certificate_counter, certificate_setting};
use crate::error::{AppError, AppResult};

pub async fn settings(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
) -> AppResult<Option<certificate_setting::Model>> {
    Ok(certificate_setting::Entity::find_by_id(course_id)
        .one(conn)
        .await?)
}

pub async fn save_settings(
    conn: &impl ConnectionTrait,
    row: certificate_setting::Model,
) -> AppResult<()> {
    certificate_setting::Entity::insert(row.into_active_model())
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(certificate_setting::Column::CourseId)
                .update_columns([
                    certificate_setting::Column::NumberPattern,
                    certificate_setting::Column::Letters,
                    certificate_setting::Column::ExpiryMonths,
                    certificate_setting::Column::LetterJp,
                ])
                .to_owned(),
        )
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<certificate::Model>> {
    Ok(certificate::Entity::find_by_id(id).one(conn).await?)
}

pub async fn by_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> AppResult<Option<certificate::Model>> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::VerificationCode.eq(code))
        .one(conn)
        .await?)
}

pub async fn of_batch(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
) -> AppResult<Vec<certificate::Model>> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::BatchId.eq(batch_id))
        .order_by_asc(certificate::Column::Number)
        .all(conn)
        .await?)
}

pub async fn of_user(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
) -> AppResult<Vec<certificate::Model>> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user_id))
        .order_by_desc(certificate::Column::IssuedAt)
        .all(conn)
        .await?)
}

pub async fn standing(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    user_id: Uuid,
) -> AppResult<Option<certificate::Model>> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::BatchId.eq(batch_id))
        .filter(certificate::Column::UserId.eq(user_id))
        .filter(certificate::Column::RevokedAt.is_null())
        .one(conn)
        .await?)
}

/// Certificates issued, or revoked, in `[since, until)`.
pub async fn issued_between(
    conn: &impl ConnectionTrait,
    since: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
) -> AppResult<Vec<certificate::Model>> {
    let mut q = certificate::Entity::find();
    if let Some(s) = since {
        q = q.filter(certificate::Column::IssuedAt.gte(s));
    }
    if let Some(u) = until {
        q = q.filter(certificate::Column::IssuedAt.lt(u));
    }
    Ok(q.order_by_asc(certificate::Column::IssuedAt)
        .all(conn)
        .await?)
}

pub async fn revoked_between(
    conn: &impl ConnectionTrait,
    since: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
) -> AppResult<Vec<certificate::Model>> {
    let mut q = certificate::Entity::find().filter(certificate::Column::RevokedAt.is_not_null());
    if let Some(s) = since {
        q = q.filter(certificate::Column::RevokedAt.gte(s));
    }
    if let Some(u) = until {
        q = q.filter(certificate::Column::RevokedAt.lt(u));
    }
    Ok(q.order_by_asc(certificate::Column::RevokedAt)
        .all(conn)
        .await?)
}

pub async fn all_standing(conn: &impl ConnectionTrait) -> AppResult<Vec<certificate::Model>> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::RevokedAt.is_null())
        .all(conn)
        .await?)
}

pub async fn insert(conn: &impl ConnectionTrait, row: certificate::Model) -> AppResult<()> {
    certificate::Entity::insert(row.into_active_model())
        .exec(conn)
        .await?;
    Ok(())
}

/// Records a revocation with the signature over its standing.
pub async fn set_revoked(
    conn: &impl ConnectionTrait,
    id: Uuid,
    at: OffsetDateTime,
    reason: &str,
    standing_signature: &str,
    standing_kid: &str,
) -> AppResult<()> {
    certificate::Entity::update(certificate::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(id),
        revoked_at: Set(Some(at)),
        revoke_reason: Set(Some(reason.to_owned())),
        standing_signature: Set(Some(standing_signature.to_owned())),
        standing_kid: Set(Some(standing_kid.to_owned())),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// The number `next_seq` would take now, without taking it (a preview).
pub async fn peek_seq(conn: &impl ConnectionTrait, pattern: &str, year: i32) -> AppResult<i64> {
    let row = certificate_counter::Entity::find_by_id((pattern.to_owned(), year))
        .one(conn)
        .await?;
    Ok(row.map_or(1, |r| r.last_seq + 1))
}

/// The next number of `pattern` in `year`, taken inside the caller's
/// transaction: the counter row is locked (PostgreSQL) or the single writer
/// holds the database (SQLite), and a number is used only if that
/// transaction commits, so numbers have no gaps.
pub async fn next_seq(conn: &impl ConnectionTrait, pattern: &str, year: i32) -> AppResult<i64> {
    certificate_counter::Entity::insert(certificate_counter::ActiveModel {
        pattern: Set(pattern.to_owned()),
        year: Set(year),
        last_seq: Set(0),
    })
    .on_conflict_do_nothing_on([
        certificate_counter::Column::Pattern,
        certificate_counter::Column::Year,
    ])
    .exec(conn)
    .await?;
    let mut select = certificate_counter::Entity::find_by_id((pattern.to_owned(), year));
    if conn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_exclusive();
    }
    let row = select
        .one(conn)
        .await?
        .ok_or_else(|| AppError::internal("certificate counter missing"))?;
    let next = row.last_seq + 1;
    certificate_counter::Entity::update(certificate_counter::ActiveModel {
        pattern: sea_orm::ActiveValue::Unchanged(row.pattern),
        year: sea_orm::ActiveValue::Unchanged(row.year),
        last_seq: Set(next),
    })
    .exec(conn)
    .await?;
    Ok(next)
}
