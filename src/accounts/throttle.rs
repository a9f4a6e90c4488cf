//! Sign-in throttling: too many failures for one account (or one unknown
//! login name) or from one address within a window lock further attempts
//! for a while.
//!
//! A sign-in *reserves* its try against the account before the slow
//! password check, and the reservation is what counts: a hundred guesses
//! sent at once get five verdicts, not a hundred; a success clears the
//! count. The address counter only counts failures, after the check: an
//! office behind one NAT address signs forty people in at once, and that
//! must not look like an attack. The counters live in the database, so
//! every instance behind a load balancer sees the same count.

use sea_orm::{ActiveValue::Set, EntityTrait, QuerySelect};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

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

/// Takes one try at `now`: the counter with it counted, or how many
/// seconds to wait when the key is locked. The try that reaches the limit
/// still gets its verdict, and sets the lock for every try after it.
pub fn reserve(previous: Option<Counter>, rule: Rule, now: OffsetDateTime) -> Result<Counter, u64> {
    if let Some(wait) = previous.as_ref().and_then(|c| retry_after(c, now)) {
        return Err(wait);
    }
    let mut counter = match previous {
        Some(c) if now - c.window_started_at < rule.window && c.failures < rule.max_failures => c,
        _ => Counter {
            failures: 0,
            window_started_at: now,
            locked_until: None,
        },
    };
    counter.failures += 1;
    if counter.failures >= rule.max_failures {
        counter.locked_until = Some(now + rule.lockout);
    }
    Ok(counter)
}

/// The counter of an account, whichever of its username, NIP or e-mail
/// (with whatever spacing or case) was typed.
pub fn account_key(id: Uuid) -> String {
    format!("account:{id}")
}

/// The counter of a login name that matches no account, spelled the way
/// the lookup reads it (case and spaces ignored).
pub fn login_key(login: &str) -> String {
    let normalised: String = login
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    format!("login:{normalised}")
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

fn row(key: &str, counter: Counter) -> login_throttle::ActiveModel {
    login_throttle::ActiveModel {
        key: Set(key.to_owned()),
        failures: Set(counter.failures),
        window_started_at: Set(counter.window_started_at),
        locked_until: Set(counter.locked_until),
    }
}

/// Reads the counter of `key` inside a write transaction, holding its row
/// until the transaction ends (PostgreSQL: the row lock; SQLite: the write
/// transaction is already exclusive).
async fn locked_counter(
    txn: &sea_orm::DatabaseTransaction,
    key: &str,
    now: OffsetDateTime,
) -> AppResult<Option<Counter>> {
    let fresh = Counter {
        failures: 0,
        window_started_at: now,
        locked_until: None,
    };
    login_throttle::Entity::insert(row(key, fresh))
        .on_conflict_do_nothing_on([login_throttle::Column::Key])
        .exec(txn)
        .await?;
    Ok(login_throttle::Entity::find_by_id(key.to_owned())
        .lock_exclusive()
        .one(txn)
        .await?
        .map(Counter::from))
}

/// Reserves one try against each `(key, rule)`, all or none: 429 with the
/// longest wait when any key is locked or the limit is used up.
pub async fn reserve_try(db: &Db, keys: &[(String, Rule)], now: OffsetDateTime) -> AppResult<()> {
    let txn = db.begin_write().await?;
    let mut taken = Vec::with_capacity(keys.len());
    let mut wait = None;
    for (key, rule) in keys {
        let previous = locked_counter(&txn, key, now).await?;
        match reserve(previous, *rule, now) {
            Ok(counter) => taken.push((key, counter)),
            Err(seconds) => wait = wait.max(Some(seconds)),
        }
    }
    if let Some(retry_after) = wait {
        txn.rollback().await?;
        return Err(AppError::TooManyRequests { retry_after });
    }
    for (key, counter) in taken {
        login_throttle::Entity::update(row(key, counter))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Refuses with 429 while `key` is locked.
pub async fn check(db: &Db, key: &str, now: OffsetDateTime) -> AppResult<()> {
    let counter = login_throttle::Entity::find_by_id(key.to_owned())
        .one(db.read())
        .await?
        .map(Counter::from);
    match counter.as_ref().and_then(|c| retry_after(c, now)) {
        Some(retry_after) => Err(AppError::TooManyRequests { retry_after }),
        None => Ok(()),
    }
}

/// Forgets the failures of `key` (after a successful sign-in).
pub async fn clear(conn: &impl sea_orm::ConnectionTrait, key: &str) -> AppResult<()> {
    login_throttle::Entity::delete_by_id(key.to_owned())
        .exec(conn)
        .await?;
    Ok(())
}

/// The throttle around one sign-in-like attempt (a password, an activation
/// code): the try is reserved against the account (or the unknown login
/// name) before the slow check, and a failure also counts against the
/// client address.
pub struct Guard {
    login_key: String,
    address_key: Option<String>,
}

impl Guard {
    /// Refuses with 429 while the address or the account is locked, and
    /// takes one try from the account's allowance.
    pub async fn enter(
        db: &Db,
        account: Option<Uuid>,
        login: &str,
        address: Option<&str>,
        now: OffsetDateTime,
    ) -> AppResult<Guard> {
        let login_key = match account {
            Some(id) => account_key(id),
            None => login_key(login),
        };
        let address_key = address.map(address_key);
        if let Some(key) = &address_key {
            check(db, key, now).await?;
        }
        reserve_try(db, &[(login_key.clone(), PER_LOGIN)], now).await?;
        Ok(Guard {
            login_key,
            address_key,
        })
    }

    /// Counts a failure against the address.
    pub async fn failed(self, db: &Db, now: OffsetDateTime) -> AppResult<()> {
        if let Some(key) = self.address_key {
            match reserve_try(db, &[(key, PER_ADDRESS)], now).await {
                // Already locked by a parallel failure: nothing more to count.
                Ok(()) | Err(AppError::TooManyRequests { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    /// Forgets the account's failures after a success.
    pub async fn succeeded(self, conn: &impl sea_orm::ConnectionTrait) -> AppResult<()> {
        clear(conn, &self.login_key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-22 08:00 UTC);

    #[test]
    fn the_limit_gives_exactly_that_many_verdicts_then_locks() {
        let mut counter = None;
        for i in 1..=PER_LOGIN.max_failures {
            let c = reserve(counter, PER_LOGIN, T0).expect("within the limit");
            assert_eq!(c.failures, i);
            counter = Some(c);
        }
        assert_eq!(reserve(counter, PER_LOGIN, T0), Err(15 * 60));
        assert_eq!(
            reserve(counter, PER_LOGIN, T0 + Duration::minutes(10)),
            Err(5 * 60)
        );
        let after = reserve(counter, PER_LOGIN, T0 + Duration::minutes(16)).unwrap();
        assert_eq!((after.failures, after.locked_until), (1, None));
    }

    #[test]
    fn an_old_window_starts_over() {
        let old = Counter {
            failures: 4,
            window_started_at: T0,
            locked_until: None,
        };
        let next = reserve(Some(old), PER_LOGIN, T0 + Duration::minutes(20)).unwrap();
        assert_eq!(next.failures, 1);
        assert_eq!(next.locked_until, None);
    }

    #[test]
    fn every_spelling_of_an_unknown_login_is_one_counter() {
        assert_eq!(login_key(" Budi "), login_key("budi"));
        assert_eq!(
            login_key("198503 122010 01 1 001"),
            login_key("198503122010011001")
        );
    }
}
