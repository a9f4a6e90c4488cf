//! The sender: on every instance a loop takes due messages from the
//! outbox, hands each to SMTP and records the outcome. A message is
//! marked sent only after the server accepted it and a claim keeps other
//! instances off it meanwhile; on shutdown the loop finishes the message
//! in hand and stops, so a restart neither loses nor repeats one.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::model::{MAX_ATTEMPTS, MessageStatus, backoff};
use super::outbox;
use crate::clock;
use crate::db::Db;
use crate::entities::outbox_message;
use crate::error::AppResult;
use crate::mail::{Letter, Mailer};

/// How often the outbox is looked at when it was found empty.
const IDLE: StdDuration = StdDuration::from_secs(1);
const BATCH: u64 = 20;

/// Starts the sender; without a mailer nothing is sent (the messages wait
/// in the outbox and the batch page says so).
pub fn spawn(
    db: Db,
    mailer: Option<Arc<Mailer>>,
    first_retry: StdDuration,
    mut stop: watch::Receiver<bool>,
) -> Option<JoinHandle<()>> {
    let mailer = mailer?;
    let first_retry = Duration::try_from(first_retry).unwrap_or(Duration::seconds(30));
    Some(tokio::spawn(async move {
        loop {
            if *stop.borrow() {
                return;
            }
            let handled = match round(&db, &mailer, first_retry, &stop).await {
                Ok(n) => n,
                Err(err) => {
                    tracing::warn!(error = %err, "outbox round failed");
                    0
                }
            };
            if handled < BATCH as usize {
                tokio::select! {
                    _ = tokio::time::sleep(IDLE) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }))
}

/// Sends what is due, up to `BATCH` messages; says how many it took.
async fn round(
    db: &Db,
    mailer: &Mailer,
    first_retry: Duration,
    stop: &watch::Receiver<bool>,
) -> AppResult<usize> {
    let due = outbox::due(db.read(), clock::now(), BATCH).await?;
    let count = due.len();
    for id in due {
        if *stop.borrow() {
            break;
        }
        let now = clock::now();
        let Some(message) = outbox::claim(db.write(), id, now).await? else {
            continue;
        };
        if message.expires_at.is_some_and(|at| at <= now) {
            outbox::expire(db.write(), &message).await?;
            continue;
        }
        deliver(db, mailer, message, first_retry).await?;
    }
    Ok(count)
}

async fn deliver(
    db: &Db,
    mailer: &Mailer,
    message: outbox_message::Model,
    first_retry: Duration,
) -> AppResult<()> {
    let Some(address) = message.to_address.clone() else {
        return outbox::settle(
            db.write(),
            &message,
            MessageStatus::NoAddress,
            message.next_attempt_at,
            None,
            clock::now(),
        )
        .await;
    };
    let outcome = mailer
        .send(Letter {
            to_name: message.to_name.clone(),
            to_address: address,
            subject: message.subject.clone(),
            body: message.body.clone(),
            message_id: Some(format!("<{}@bimtek.outbox>", message.id)),
            calendar: message.calendar.clone(),
        })
        .await;
    let now = clock::now();
    match outcome {
        Ok(()) => outbox::settle(db.write(), &message, MessageStatus::Sent, now, None, now).await,
        Err(reason) => {
            let tries = message.attempts + 1;
            let status = if tries >= MAX_ATTEMPTS {
                MessageStatus::Failed
            } else {
                MessageStatus::Pending
            };
            tracing::warn!(message = %message.id, tries, error = %reason, "message not delivered");
            let reason: String = reason.chars().take(500).collect();
            outbox::settle(
                db.write(),
                &message,
                status,
                now + backoff(tries, first_retry),
                Some(reason),
                now,
            )
            .await
        }
    }
}
