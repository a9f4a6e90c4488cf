//! What a batch tells its trainees, queued in the same transaction as the
//! change it announces: the invitation (with the reminder for the morning
//! before), a change of schedule, venue or link, and the cancellation.
//! Each carries the batch's calendar at its current revision.

use sea_orm::ConnectionTrait;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::ics;
use super::model::BatchStatus;
use super::showing::{session_view, views_on};
use super::store;
use super::views::{BatchView, SessionView};
use crate::clock::{self, WIB};
use crate::entities::{batch, batch_session, user};
use crate::error::AppResult;
use crate::notices::model::{MessageKind, reminder_at};
use crate::notices::service::{self as notices, Notice, Recipient};
use crate::notices::templates::BatchFacts;

/// The batch as its letters describe it, read inside the transaction.
struct Letterhead {
    batch: BatchView,
    sessions: Vec<SessionView>,
    calendar: String,
    first_session: Option<PrimitiveDateTime>,
    last_day_end: OffsetDateTime,
}

async fn letterhead(
    conn: &impl ConnectionTrait,
    b: &batch::Model,
    withdrawn: &[batch_session::Model],
) -> AppResult<Letterhead> {
    let rows = store::sessions(conn, b.id).await?;
    let first_session = rows
        .iter()
        .map(|s| PrimitiveDateTime::new(s.day, s.starts_at))
        .min();
    let sessions: Vec<SessionView> = rows.iter().map(session_view).collect();
    let batch = views_on(conn, vec![b.clone()]).await?.remove(0);
    let withdrawn: Vec<SessionView> = withdrawn.iter().map(session_view).collect();
    let calendar = ics::calendar_with(&batch, &sessions, &withdrawn, &crate::links::absolute(""));
    let last_day_end = b
        .ends_on
        .next_day()
        .unwrap_or(b.ends_on)
        .midnight()
        .assume_offset(WIB);
    Ok(Letterhead {
        batch,
        sessions,
        calendar,
        first_session,
        last_day_end,
    })
}

fn dates(batch: &BatchView) -> String {
    if batch.starts_on == batch.ends_on {
        format!(
            "{}, {}",
            clock::weekday_name(batch.starts_on),
            clock::format_date_id(batch.starts_on)
        )
    } else {
        format!(
            "{} – {}",
            clock::format_date_id(batch.starts_on),
            clock::format_date_id(batch.ends_on)
        )
    }
}

fn place(batch: &BatchView) -> String {
    match (&batch.venue, batch.online, &batch.meeting_link) {
        (_, true, Some(link)) => format!("daring, {link}"),
        (_, true, None) => "daring".to_owned(),
        (Some(venue), false, _) => venue.clone(),
        (None, false, _) => "akan diumumkan".to_owned(),
    }
}

fn schedule(sessions: &[SessionView]) -> String {
    if sessions.is_empty() {
        return "- jadwal sesi akan diumumkan".to_owned();
    }
    sessions
        .iter()
        .map(|s| {
            let mut line = format!(
                "- {}, {}, {}–{} WIB",
                clock::weekday_name(s.day),
                clock::format_date_id(s.day),
                s.starts_at.replace(':', "."),
                s.ends_at.replace(':', ".")
            );
            if let Some(topic) = &s.topic {
                line.push_str(&format!(": {topic}"));
            }
            if let Some(who) = &s.instructor {
                line.push_str(&format!(" (narasumber: {who})"));
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn facts(head: &Letterhead, to: &user::Model) -> serde_json::Value {
    let batch = &head.batch;
    let facts = BatchFacts {
        nama: to.name.clone(),
        kursus: batch.course_title.clone(),
        kode_kursus: batch.course_code.clone(),
        jp: batch.jp,
        angkatan: batch.name.clone(),
        tanggal: dates(batch),
        tempat: place(batch),
        jadwal: schedule(&head.sessions),
        bawaan: batch.bring.clone().unwrap_or_default(),
        penyelenggara: batch.organiser.clone(),
        tautan: crate::links::absolute("/my/batches"),
        alasan: batch.cancel_reason.clone().unwrap_or_default(),
    };
    serde_json::to_value(facts).unwrap_or(serde_json::Value::Null)
}

fn recipient(to: &user::Model) -> Recipient {
    Recipient {
        user_id: to.id,
        name: to.name.clone(),
        email: to.email.clone(),
    }
}

fn letter(head: &Letterhead, kind: MessageKind, to: &user::Model) -> Notice {
    Notice {
        kind,
        batch_id: Some(head.batch.id),
        to: recipient(to),
        facts: facts(head, to),
        calendar: (kind != MessageKind::Reminder).then(|| head.calendar.clone()),
        send_at: None,
        expires_at: Some(head.last_day_end),
    }
}

/// The reminder for the morning before the first session, if that is
/// still ahead; it lapses when the first session begins.
fn reminder(head: &Letterhead, to: &user::Model, now: OffsetDateTime) -> Option<Notice> {
    let first = head.first_session?;
    let at = reminder_at(first, now)?;
    Some(Notice {
        send_at: Some(at),
        expires_at: Some(first.assume_offset(WIB)),
        ..letter(head, MessageKind::Reminder, to)
    })
}

/// Queues for each of `trainees` (just given a seat) the invitation and
/// the reminder, replacing any still waiting.
pub(super) async fn invite(
    conn: &impl ConnectionTrait,
    b: &batch::Model,
    trainees: &[user::Model],
) -> AppResult<()> {
    // A draft is still being prepared: its trainees are invited when it opens.
    if trainees.is_empty() || !announces(b) {
        return Ok(());
    }
    let head = letterhead(conn, b, &[]).await?;
    let now = clock::now();
    let mut letters = Vec::with_capacity(trainees.len() * 2);
    for to in trainees {
        notices::drop_waiting(conn, b.id, Some(to.id)).await?;
        letters.push(letter(&head, MessageKind::Invitation, to));
        letters.extend(reminder(&head, to, now));
    }
    notices::enqueue(conn, letters).await
}

/// Whether the batch's trainees hear about it: not while it is a draft,
/// nor once it is over or cancelled (the cancellation said so).
fn announces(b: &batch::Model) -> bool {
    matches!(b.status, BatchStatus::Open | BatchStatus::Running)
}

/// Tells everyone seated that the schedule, venue or link changed (with
/// `withdrawn` sessions cancelled in their calendars), or that the batch
/// opened: a change for those already invited, the invitation itself for
/// those whose invitation had not gone out yet.
pub(super) async fn announce_change(
    conn: &impl ConnectionTrait,
    b: &batch::Model,
    withdrawn: &[batch_session::Model],
) -> AppResult<()> {
    if !announces(b) {
        return Ok(());
    }
    let trainees = super::lookup::enrolled_users(conn, b.id).await?;
    if trainees.is_empty() {
        return Ok(());
    }
    let head = letterhead(conn, b, withdrawn).await?;
    let now = clock::now();
    let mut letters = Vec::with_capacity(trainees.len() * 2);
    for to in &trainees {
        notices::drop_waiting(conn, b.id, Some(to.id)).await?;
        let kind = if notices::was_invited(conn, b.id, to.id).await? {
            MessageKind::ScheduleChange
        } else {
            MessageKind::Invitation
        };
        letters.push(letter(&head, kind, to));
        letters.extend(reminder(&head, to, now));
    }
    notices::enqueue(conn, letters).await
}

/// Tells everyone seated that the batch is cancelled, and why.
pub(super) async fn announce_cancellation(
    conn: &impl ConnectionTrait,
    b: &batch::Model,
) -> AppResult<()> {
    notices::drop_waiting(conn, b.id, None).await?;
    let trainees = super::lookup::enrolled_users(conn, b.id).await?;
    if trainees.is_empty() {
        return Ok(());
    }
    let head = letterhead(conn, b, &[]).await?;
    // Still worth sending (by hand, too) until the batch would have ended.
    let letters = trainees
        .iter()
        .map(|to| letter(&head, MessageKind::Cancellation, to))
        .collect();
    notices::enqueue(conn, letters).await
}

/// A trainee left the batch: what was still waiting for them is dropped,
/// and if they had been told of the schedule, they are told they left,
/// with every event of the batch cancelled in their calendar.
pub(super) async fn left(
    conn: &impl ConnectionTrait,
    b: &batch::Model,
    who: &user::Model,
    reason: &str,
) -> AppResult<()> {
    notices::drop_waiting(conn, b.id, Some(who.id)).await?;
    if !notices::was_invited(conn, b.id, who.id).await? {
        return Ok(());
    }
    let mut head = letterhead(conn, b, &[]).await?;
    // Only the withdrawn events, one revision past the copy they hold.
    head.batch.calendar_sequence += 1;
    head.calendar = ics::calendar_with(
        &head.batch,
        &[],
        &head.sessions,
        &crate::links::absolute(""),
    );
    head.batch.cancel_reason = Some(reason.to_owned());
    notices::enqueue(
        conn,
        vec![Notice {
            expires_at: None,
            ..letter(&head, MessageKind::Withdrawal, who)
        }],
    )
    .await
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn session(day: time::Date, topic: Option<&str>, who: Option<&str>) -> SessionView {
        SessionView {
            id: Uuid::nil(),
            day,
            starts_at: "08:00".into(),
            ends_at: "12:00".into(),
            topic: topic.map(Into::into),
            instructor: who.map(Into::into),
        }
    }

    #[test]
    fn the_schedule_reads_as_indonesian_lines() {
        let text = schedule(&[
            session(
                time::macros::date!(2026 - 03 - 02),
                Some("Tata kelola TIK"),
                Some("Dr. Bambang"),
            ),
            session(time::macros::date!(2026 - 03 - 03), None, None),
        ]);
        assert_eq!(
            text,
            "- Senin, 2 Maret 2026, 08.00–12.00 WIB: Tata kelola TIK (narasumber: Dr. Bambang)\n\
             - Selasa, 3 Maret 2026, 08.00–12.00 WIB"
        );
        assert_eq!(schedule(&[]), "- jadwal sesi akan diumumkan");
    }
}
