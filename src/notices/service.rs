//! What other capabilities and the pages call: queue a message inside
//! the transaction that causes it, drop messages no longer true, read a
//! batch's log and download, and edit the texts.

use std::collections::HashMap;

use poem_openapi::Object;
use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

use sea_orm::ConnectionTrait;

use super::model::{MessageKind, MessageStatus};
use super::outbox;
use super::templates::{self, Template};
use crate::accounts::model::{CurrentUser, Role};
use crate::clock;
use crate::db::Db;
use crate::entities::{message_template, outbox_message};
use crate::error::{AppError, AppResult};

/// Who a message goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: Uuid,
    pub name: String,
    pub email: Option<String>,
}

/// A message to queue: its facts are rendered with the current template.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: MessageKind,
    pub batch_id: Option<Uuid>,
    pub to: Recipient,
    /// The template's variables (one of the `templates::*Facts`).
    pub facts: serde_json::Value,
    /// The `.ics` to attach.
    pub calendar: Option<String>,
    /// Not before (the reminder); now when `None`.
    pub send_at: Option<OffsetDateTime>,
    /// Not after: a message still waiting then is marked expired.
    pub expires_at: Option<OffsetDateTime>,
}

/// The text of `kind` in force: the administrator's, or the shipped one.
async fn template_in_force(conn: &impl ConnectionTrait, kind: MessageKind) -> AppResult<Template> {
    Ok(match outbox::template(conn, kind).await? {
        Some(saved) => Template {
            subject: saved.subject,
            body: saved.body,
        },
        None => templates::default_for(kind),
    })
}

/// Renders and queues `notices` on `conn` (the caller's transaction).
pub async fn enqueue(conn: &impl ConnectionTrait, notices: Vec<Notice>) -> AppResult<()> {
    let now = clock::now();
    let mut in_force: HashMap<MessageKind, Template> = HashMap::new();
    for notice in notices {
        let template = match in_force.get(&notice.kind) {
            Some(template) => template.clone(),
            None => {
                let loaded = template_in_force(conn, notice.kind).await?;
                in_force.insert(notice.kind, loaded.clone());
                loaded
            }
        };
        // A saved template was checked against the same variables; should
        // it still fail, the message goes out in the shipped wording.
        let (subject, body) = templates::render(&template, &notice.facts)
            .or_else(|_| templates::render(&templates::default_for(notice.kind), &notice.facts))
            .map_err(|errors| {
                AppError::internal(format!(
                    "message {:?} cannot be rendered: {errors:?}",
                    notice.kind
                ))
            })?;
        let address = notice
            .to
            .email
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty());
        outbox::insert(
            conn,
            outbox_message::Model {
                id: Uuid::now_v7(),
                kind: notice.kind,
                batch_id: notice.batch_id,
                user_id: notice.to.user_id,
                to_name: notice.to.name,
                status: if address.is_some() {
                    MessageStatus::Pending
                } else {
                    MessageStatus::NoAddress
                },
                to_address: address,
                subject,
                body,
                calendar: notice.calendar,
                attempts: 0,
                // In UTC like every stored moment: SQLite compares them as text.
                next_attempt_at: notice.send_at.unwrap_or(now).to_offset(UtcOffset::UTC),
                expires_at: notice.expires_at.map(|at| at.to_offset(UtcOffset::UTC)),
                claimed_until: None,
                sent_at: None,
                last_error: None,
                created_at: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// Drops the invitation, change and reminder still waiting for `user` (or
/// for everyone) in a batch: a newer message replaces them, or the seat or
/// the batch is gone.
pub async fn drop_waiting(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    user: Option<Uuid>,
) -> AppResult<u64> {
    outbox::drop_waiting(conn, batch_id, user, clock::now()).await
}

/// Whether `user` already has an invitation or change for the batch:
/// then a change is announced as a change, otherwise as an invitation.
pub async fn was_invited(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    user: Uuid,
) -> AppResult<bool> {
    outbox::was_invited(conn, batch_id, user).await
}

/// Deletes every message to a person whose account is being anonymised.
pub async fn forget_person(conn: &impl ConnectionTrait, user: Uuid) -> AppResult<()> {
    outbox::delete_of_user(conn, user).await
}

/// The messages Bimtek wrote to `user` (for their own data download).
pub async fn messages_to(db: &Db, user: Uuid) -> AppResult<Vec<MessageView>> {
    Ok(outbox::of_user(db.read(), user)
        .await?
        .iter()
        .map(message_view)
        .collect())
}

/// Deletes messages composed before the retention period (they hold
/// names, addresses and texts about people), sent or not.
pub async fn forget_older_than(db: &Db, before: OffsetDateTime) -> AppResult<u64> {
    outbox::delete_composed_before(db.write(), before).await
}

/// One line of a batch's message log.
#[derive(Debug, Clone, Object, Serialize)]
pub struct MessageView {
    pub id: Uuid,
    pub kind: MessageKind,
    pub user_id: Uuid,
    pub to_name: String,
    pub to_address: Option<String>,
    pub subject: String,
    /// The text as sent (or to be sent).
    pub body: String,
    pub status: MessageStatus,
    /// Delivery tries so far.
    pub attempts: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it is (or was last) due.
    #[serde(with = "time::serde::rfc3339")]
    pub next_attempt_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<OffsetDateTime>,
    /// What the SMTP server said at the last failed try.
    pub last_error: Option<String>,
}

fn message_view(row: &outbox_message::Model) -> MessageView {
    MessageView {
        id: row.id,
        kind: row.kind,
        user_id: row.user_id,
        to_name: row.to_name.clone(),
        to_address: row.to_address.clone(),
        subject: row.subject.clone(),
        body: row.body.clone(),
        status: row.status,
        attempts: row.attempts,
        created_at: row.created_at,
        next_attempt_at: row.next_attempt_at,
        sent_at: row.sent_at,
        last_error: row.last_error.clone(),
    }
}

/// What was sent to whom and when for one batch (administrators only;
/// the caller has checked the batch exists).
pub async fn batch_log(
    db: &Db,
    actor: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<Vec<MessageView>> {
    may_manage(actor)?;
    Ok(outbox::of_batch(db.read(), batch_id)
        .await?
        .iter()
        .map(message_view)
        .collect())
}

const HEADERS: [&str; 8] = [
    "Nama",
    "Alamat surel",
    "Jenis",
    "Subjek",
    "Pesan",
    "Status",
    "Disusun (WIB)",
    "Terkirim (WIB)",
];

/// The messages as a table with their full texts, for a download to send
/// by hand (a WhatsApp broadcast) when there is no SMTP server.
pub fn table(messages: &[MessageView]) -> (Vec<String>, Vec<Vec<String>>) {
    let rows = messages
        .iter()
        .map(|m| {
            vec![
                m.to_name.clone(),
                m.to_address.clone().unwrap_or_default(),
                m.kind.label().to_owned(),
                m.subject.clone(),
                m.body.clone(),
                m.status.label().to_owned(),
                clock::format_datetime_wib(m.created_at),
                m.sent_at
                    .map(clock::format_datetime_wib)
                    .unwrap_or_default(),
            ]
        })
        .collect();
    (HEADERS.iter().map(|h| h.to_string()).collect(), rows)
}

/// One kind of message as the template page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateView {
    pub kind: MessageKind,
    pub slug: &'static str,
    pub label: &'static str,
    pub subject: String,
    pub body: String,
    /// An administrator changed the shipped text.
    pub customised: bool,
    pub variables: Vec<(&'static str, &'static str)>,
    /// The text rendered with sample facts.
    pub preview_subject: String,
    pub preview_body: String,
}

fn template_view(kind: MessageKind, template: Template, customised: bool) -> TemplateView {
    let (preview_subject, preview_body) =
        templates::render(&template, &templates::sample(kind)).unwrap_or_default();
    TemplateView {
        kind,
        slug: kind.slug(),
        label: kind.label(),
        subject: template.subject,
        body: template.body,
        customised,
        variables: templates::variables(kind).to_vec(),
        preview_subject,
        preview_body,
    }
}

/// Who edits the message texts and reads a batch's message log:
/// administrators. Pages ask it first, so a forbidden role gets 403 before
/// a 404 for an unknown text or a confirmation reminder.
pub fn may_manage(user: &CurrentUser) -> AppResult<()> {
    user.require(Role::Admin)
}

pub async fn template_views(db: &Db, actor: &CurrentUser) -> AppResult<Vec<TemplateView>> {
    may_manage(actor)?;
    let mut views = Vec::new();
    for kind in MessageKind::ALL {
        let saved = outbox::template(db.read(), kind).await?;
        let customised = saved.is_some();
        let template = match saved {
            Some(s) => Template {
                subject: s.subject,
                body: s.body,
            },
            None => templates::default_for(kind),
        };
        views.push(template_view(kind, template, customised));
    }
    Ok(views)
}

/// Saves an administrator's text for `kind` after rendering it with sample
/// facts; every problem is named at once and nothing is saved.
pub async fn save_template(
    db: &Db,
    actor: &CurrentUser,
    kind: MessageKind,
    template: Template,
) -> AppResult<()> {
    may_manage(actor)?;
    let errors = templates::check(kind, &template);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    outbox::save_template(
        db.write(),
        message_template::Model {
            kind,
            subject: template.subject.trim().to_owned(),
            body: template.body.replace("\r\n", "\n"),
            updated_at: clock::now(),
            updated_by: Some(actor.id),
        },
    )
    .await
}

/// Goes back to the shipped text of `kind`.
pub async fn reset_template(db: &Db, actor: &CurrentUser, kind: MessageKind) -> AppResult<()> {
    may_manage(actor)?;
    outbox::delete_template(db.write(), kind).await
}
