//! Keeping personal data no longer than needed (UU 27/2022): sign-in
//! records are kept `BIMTEK_RETENTION_YEARS`; sessions, activation and reset
//! codes go once they have expired, sign-in throttle entries (which hold
//! client addresses) once their window and lock are over. A daily sweep
//! deletes the rest; attempts, grades, certificates and the audit of
//! changes are records of the training and stay.

use std::time::Duration as StdDuration;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use uuid::Uuid;

use super::throttle;
use crate::audit;
use crate::clock;
use crate::db::Db;
use crate::entities::{account_token, audit_log, login_throttle, session};
use crate::error::AppResult;

/// The audit action of a sign-in: the only audit entries that expire.
pub const SIGNED_IN: &str = "user.signed_in";

/// Notes a sign-in (with the client's address, when known) for the
/// account's owner and for investigating misuse. A failure to note it is
/// logged, never the sign-in's failure.
pub async fn record_sign_in(txn: &DatabaseTransaction, user_id: Uuid, address: Option<&str>) {
    // In a savepoint of the sign-in's transaction: on PostgreSQL a failed
    // statement would otherwise fail the whole sign-in.
    let noted = async {
        let savepoint = txn.begin().await?;
        audit::record(
            &savepoint,
            audit::Entry {
                actor: Some(user_id),
                action: SIGNED_IN,
                object_type: "user",
                object_id: user_id,
                old: None,
                new: Some(serde_json::json!({ "address": address })),
                reason: None,
            },
        )
        .await?;
        savepoint.commit().await?;
        Ok::<(), crate::error::AppError>(())
    }
    .await;
    if let Err(err) = noted {
        tracing::warn!(error = %err, "sign-in not recorded");
    }
}

/// Deletes every sign-in record of one account (it is being anonymised).
pub async fn forget_sign_ins(conn: &impl ConnectionTrait, user_id: Uuid) -> AppResult<()> {
    audit_log::Entity::delete_many()
        .filter(audit_log::Column::ObjectType.eq("user"))
        .filter(audit_log::Column::ObjectId.eq(user_id))
        .filter(audit_log::Column::Action.eq(SIGNED_IN))
        .exec(conn)
        .await?;
    Ok(())
}

/// One sign-in, as its owner sees it.
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
pub struct SignIn {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The client's address as the server saw it, when known.
    pub address: Option<String>,
}

/// The user's sign-ins still kept, newest first.
pub async fn sign_ins_of(db: &Db, user_id: Uuid) -> AppResult<Vec<SignIn>> {
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::ObjectType.eq("user"))
        .filter(audit_log::Column::ObjectId.eq(user_id))
        .filter(audit_log::Column::Action.eq(SIGNED_IN))
        .order_by_desc(audit_log::Column::At)
        .all(db.read())
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| SignIn {
            at: row.at,
            address: row
                .new_value
                .and_then(|v| serde_json::from_str::<serde_json::Value>(&v).ok())
                .and_then(|v| v["address"].as_str().map(str::to_owned)),
        })
        .collect())
}

/// What one sweep deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub sign_ins: u64,
    pub sessions: u64,
    pub codes: u64,
    pub throttle_entries: u64,
    /// E-mails composed longer ago than sign-ins are kept.
    pub messages: u64,
}

/// Sign-ins before this moment are deleted: `years` calendar years before
/// `now` (29 February falls back to the 28th); `now` itself for 0.
pub fn sign_ins_before(now: OffsetDateTime, years: u32) -> OffsetDateTime {
    // Within the years `time` can represent, and no setting means more.
    let year = now.year() - years.min(1_000) as i32;
    now.replace_year(year)
        .or_else(|_| (now - Duration::days(1)).replace_year(year))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Throttle entries whose window started before this are over, unless
/// still locked.
pub fn throttle_over_before(now: OffsetDateTime) -> OffsetDateTime {
    now - throttle::PER_LOGIN.window.max(throttle::PER_ADDRESS.window)
}

pub async fn sweep(db: &Db, years: u32, now: OffsetDateTime) -> AppResult<Swept> {
    let sign_ins = audit_log::Entity::delete_many()
        .filter(audit_log::Column::Action.eq(SIGNED_IN))
        .filter(audit_log::Column::At.lt(sign_ins_before(now, years)))
        .exec(db.write())
        .await?
        .rows_affected;
    let sessions = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lt(now))
        .exec(db.write())
        .await?
        .rows_affected;
    let codes = account_token::Entity::delete_many()
        .filter(account_token::Column::ExpiresAt.lt(now))
        .exec(db.write())
        .await?
        .rows_affected;
    let throttle_entries = login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::WindowStartedAt.lt(throttle_over_before(now)))
        .filter(
            Condition::any()
                .add(login_throttle::Column::LockedUntil.is_null())
                .add(login_throttle::Column::LockedUntil.lt(now)),
        )
        .exec(db.write())
        .await?
        .rows_affected;
    let messages =
        crate::notices::service::forget_older_than(db, sign_ins_before(now, years)).await?;
    Ok(Swept {
        sign_ins,
        sessions,
        codes,
        throttle_entries,
        messages,
    })
}

/// Sweeps at start and then once a day.
pub fn spawn_daily(db: Db, years: u32) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(StdDuration::from_secs(24 * 60 * 60));
        loop {
            tick.tick().await;
            match sweep(&db, years, clock::now()).await {
                Ok(swept) => tracing::info!(?swept, "retention sweep"),
                Err(err) => tracing::warn!(error = %err, "retention sweep failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn sign_ins_are_kept_whole_calendar_years() {
        let now = datetime!(2026-12-02 10:00 UTC);
        assert_eq!(sign_ins_before(now, 2), datetime!(2024-12-02 10:00 UTC));
        assert_eq!(sign_ins_before(now, 0), now);
        let leap = datetime!(2028-02-29 08:00 UTC);
        assert_eq!(sign_ins_before(leap, 1), datetime!(2027-02-28 08:00 UTC));
        assert_eq!(sign_ins_before(now, u32::MAX).year(), 1026);
    }

    #[test]
    fn throttle_entries_outlive_their_window() {
        let now = datetime!(2026-12-02 10:00 UTC);
        assert_eq!(throttle_over_before(now), datetime!(2026-12-02 09:45 UTC));
    }
}
