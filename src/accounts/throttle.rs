//! Sign-in throttling: too many failures for one login name or from one
//! address within a window lock further attempts for a while.
//!
//! The counters live in the database, so every instance behind a load
//! balancer sees the same count.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, sea_query::OnConflict};
use time::{Duration, OffsetDateTime};

use crate::db::Db;
use crate::entities::login_throttle;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub max_failures: i32,
    pub window: Duration,
    pub lockout: Duration,
}

/// Five wrong passwords for one account in 15 minutes lock it for 15 minutes.
pub const PER_LOGIN: Rule = Rule {
    max_failures: 5,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

/// An address guessing across many accounts is stopped after 20 failures.
pub const PER_ADDRESS: Rule = Rule {
    max_failures: 20,
    window: Duration::minutes(15),
    lockout: Duration::minutes(15),
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub failures: i32,
    pub window_started_at: OffsetDateTime,
    pub locked_until: Option<OffsetDateTime>,
}

/// Seconds until the lock lifts, when locked.
pub fn retry_after(counter: &Counter, now: OffsetDateTime) -> Option<u64> {
    counter
        .locked_until
        .filter(|until| *until > now)
        .map(|until| (until - now).whole_seconds().max(1) as u64)
}

/// The counter after one more failure at `now`.
pub fn after_failure(previous: Option<Counter>, rule: Rule, now: OffsetDateTime) -> Counter {
    let fresh = Counter {
        failures: 0,
        window_started_at: now,
        locked_until: None,
    };
    let mut counter = match previous {
        Some(c) if now - c.window_started_at < rule.window => c,
        _ => fresh,
    };
    counter.failures += 1;
    if counter.failures >= rule.max_failures {
        counter.locked_until = Some(now + rule.lockout);
    }
    counter
}

pub fn login_key(login: &str) -> String {
    format!("login:{}", login.trim().to_lowercase())
}

pub fn address_key(address: &str) -> String {
    format!("addr:{address}")
}

impl From<login_throttle::Model> for Counter {
    fn from(m: login_throttle::Model) -> Self {
        Counter {
            failures: m.failures,
            window_started_at: m.window_started_at,
            locked_until: m.locked_until,
        }
    }
}

/// Refuses with 429 when any of `keys` is locked.
pub async fn check(db: &Db, keys: &[String], now: OffsetDateTime) -> AppResult<()> {
    let rows = login_throttle::Entity::find()
        .filter(login_throttle::Column::Key.is_in(keys.iter().cloned()))
        .all(db.read())
        .await?;
    let wait = rows
        .into_iter()
        .filter_map(|row| retry_after(&row.into(), now))
        .max();
    match wait {
        Some(retry_after) => Err(AppError::TooManyRequests { retry_after }),
        None => Ok(()),
    }
}

/// Counts one failure against each `(key, rule)`.
pub async fn record_failure(
    db: &Db,
    keys: &[(String, Rule)],
    now: OffsetDateTime,
) -> AppResult<()> {
    let txn = db.begin_write().await?;
    for (key, rule) in keys {
        let previous = login_throttle::Entity::find_by_id(key.clone())
            .one(&txn)
            .await?
            .map(Counter::from);
        let next = after_failure(previous, *rule, now);
        let row = login_throttle::ActiveModel {
            key: Set(key.clone()),
            failures: Set(next.failures),
            window_started_at: Set(next.window_started_at),
            locked_until: Set(next.locked_until),
        };
        login_throttle::Entity::insert(row)
            .on_conflict(
                OnConflict::column(login_throttle::Column::Key)
                    .update_columns([
                        login_throttle::Column::Failures,
                        login_throttle::Column::WindowStartedAt,
                        login_throttle::Column::LockedUntil,
                    ])
                    .to_owned(),
            )
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful sign-in).
pub async fn clear(db: &Db, key: &str) -> AppResult<()> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(db.write())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-22 08:00 UTC);

    #[test]
    fn locks_after_the_limit_and_unlocks_later() {
        let mut counter = None;
        for i in 1..PER_LOGIN.max_failures {
            let c = after_failure(counter, PER_LOGIN, T0 + Duration::seconds(i as i64));
            assert_eq!(retry_after(&c, T0 + Duration::seconds(i as i64)), None);
            counter = Some(c);
        }
        let locked = after_failure(counter, PER_LOGIN, T0 + Duration::seconds(10));
        assert_eq!(
            retry_after(&locked, T0 + Duration::seconds(10)),
            Some(15 * 60)
        );
        assert_eq!(retry_after(&locked, T0 + Duration::minutes(30)), None);
    }

    #[test]
    fn an_old_window_starts_over() {
        let old = Counter {
            failures: 4,
            window_started_at: T0,
            locked_until: None,
        };
        let next = after_failure(Some(old), PER_LOGIN, T0 + Duration::minutes(20));
        assert_eq!(next.failures, 1);
        assert_eq!(next.locked_until, None);
    }
}
