//! An iCalendar file for a batch: one event per session, in WIB, with the
//! `VTIMEZONE` that RFC 5545 (§3.2.19) requires for every `TZID` it names.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

use super::model::BatchStatus;
use super::views::{BatchView, SessionView};

/// Asia/Jakarta: UTC+7 all year, no daylight saving since 1964.
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Asia/Jakarta\r\n\
BEGIN:STANDARD\r\n\
DTSTART:19700101T000000\r\n\
TZOFFSETFROM:+0700\r\n\
TZOFFSETTO:+0700\r\n\
TZNAME:WIB\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// `20260303T080000` from a date and an `HH:MM` time.
fn local(day: time::Date, hhmm: &str) -> String {
    format!(
        "{:04}{:02}{:02}T{}00",
        day.year(),
        u8::from(day.month()),
        day.day(),
        hhmm.replace(':', "")
    )
}

/// The batch's sessions as events. `METHOD:PUBLISH` with the batch's
/// calendar revision as every event's SEQUENCE, so a calendar program
/// that imported an earlier copy replaces its events; a cancelled batch's
/// events say `STATUS:CANCELLED`.
pub fn calendar(batch: &BatchView, sessions: &[SessionView], base_url: &str) -> String {
    calendar_with(batch, sessions, &[], base_url)
}

/// The same, with `withdrawn` sessions (removed or replaced since the
/// copy a trainee holds) as cancelled events, so they leave the trainee's
/// calendar too: an event is known by its UID, the session's id.
pub fn calendar_with(
    batch: &BatchView,
    sessions: &[SessionView],
    withdrawn: &[SessionView],
    base_url: &str,
) -> String {
    let place = if batch.online {
        batch
            .meeting_link
            .clone()
            .unwrap_or_else(|| "Daring".into())
    } else {
        batch.venue.clone().unwrap_or_default()
    };
    let mut calendar = Calendar::new();
    calendar.name(&format!("{} – {}", batch.course_title, batch.name));
    calendar.append_property(icalendar::Property::new("METHOD", "PUBLISH"));
    let sequence = u32::try_from(batch.calendar_sequence).unwrap_or(0);
    let cancelled = batch.status == BatchStatus::Cancelled;
    let all = sessions
        .iter()
        .map(|s| (s, cancelled))
        .chain(withdrawn.iter().map(|s| (s, true)));
    for (session, cancelled) in all {
        let mut event = Event::new();
        if cancelled {
            event.status(EventStatus::Cancelled);
        }
        event
            .uid(&format!("{}@bimtek", session.id))
            .sequence(sequence)
            .summary(&match &session.topic {
                Some(topic) => format!("{}: {topic}", batch.name),
                None => format!("{} – {}", batch.course_title, batch.name),
            })
            .location(&place)
            .description(&format!(
                "{} ({})\nPenyelenggara: {}{}\n{}/my/batches",
                batch.course_title,
                batch.course_code,
                batch.organiser,
                session
                    .instructor
                    .as_ref()
                    .map(|i| format!("\nNarasumber: {i}"))
                    .unwrap_or_default(),
                base_url.trim_end_matches('/')
            ));
        event.append_property(
            icalendar::Property::new("DTSTART", local(session.day, &session.starts_at))
                .add_parameter("TZID", "Asia/Jakarta")
                .done(),
        );
        event.append_property(
            icalendar::Property::new("DTEND", local(session.day, &session.ends_at))
                .add_parameter("TZID", "Asia/Jakarta")
                .done(),
        );
        calendar.push(event.done());
    }
    with_timezone(calendar.done().to_string())
}

/// The calendar text with the Asia/Jakarta `VTIMEZONE` before its first
/// event (the icalendar crate cannot build one).
fn with_timezone(text: String) -> String {
    let at = text
        .find("BEGIN:VEVENT")
        .or_else(|| text.find("END:VCALENDAR"))
        .unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + VTIMEZONE.len());
    out.push_str(&text[..at]);
    out.push_str(VTIMEZONE);
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::views::{BatchDetail, BatchView, SessionView};

    /// A content line: name, parameters, value.
    type Line = (String, Vec<(String, String)>, String);

    /// Content lines unfolded (RFC 5545 §3.1), each split into name,
    /// parameters and value; fails on a line that is not one.
    fn content_lines(text: &str) -> Vec<Line> {
        assert!(text.ends_with("\r\n"), "lines end in CRLF");
        let mut unfolded: Vec<String> = Vec::new();
        for line in text.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "line longer than 75 octets: {line}");
            match line.strip_prefix([' ', '\t']) {
                Some(rest) => unfolded
                    .last_mut()
                    .expect("a folded first line")
                    .push_str(rest),
                None => unfolded.push(line.to_owned()),
            }
        }
        unfolded
            .iter()
            .map(|line| {
                let (head, value) = line.split_once(':').expect("name:value");
                let mut parts = head.split(';');
                let name = parts.next().unwrap_or_default().to_owned();
                assert!(
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                    "bad name in {line}"
                );
                let params = parts
                    .map(|p| {
                        let (k, v) = p.split_once('=').expect("param=value");
                        (k.to_owned(), v.to_owned())
                    })
                    .collect();
                (name, params, value.to_owned())
            })
            .collect()
    }

    fn detail() -> BatchDetail {
        let day = time::macros::date!(2026 - 03 - 03);
        BatchDetail {
            batch: BatchView {
                id: uuid::Uuid::nil(),
                course_id: uuid::Uuid::nil(),
                course_code: "HUM".into(),
                course_title: "Penulisan Humas untuk Pranata Humas Kota Magelang".into(),
                jp: 24,
                name: "Angkatan I 2026".into(),
                starts_on: day,
                ends_on: day,
                venue: Some("Hotel Puri Asri".into()),
                online: false,
                meeting_link: None,
                capacity: 44,
                enrolled: 0,
                waitlisted: 0,
                enrol_opens_at: None,
                enrol_closes_at: None,
                status: crate::schedule::model::BatchStatus::Open,
                organiser: "BKD Kota Magelang".into(),
                self_enrol: false,
                waitlist: false,
                cancel_reason: None,
                cancelled_at: None,
                bring: None,
                calendar_sequence: 3,
            },
            sessions: vec![SessionView {
                id: uuid::Uuid::nil(),
                day,
                starts_at: "08:00".into(),
                ends_at: "16:00".into(),
                topic: Some("Pembukaan".into()),
                instructor: None,
            }],
            enrolments: None,
            my_enrolment: None,
        }
    }

    #[test]
    fn every_tzid_has_its_vtimezone_and_the_calendar_parses() {
        let detail = detail();
        let text = calendar(&detail.batch, &detail.sessions, "https://bimtek.example");
        let lines = content_lines(&text);
        // Components nest properly and the calendar is one VCALENDAR.
        let mut stack: Vec<&str> = Vec::new();
        let mut timezones: Vec<String> = Vec::new();
        let mut named: Vec<String> = Vec::new();
        let mut events = 0;
        for (i, (name, params, value)) in lines.iter().enumerate() {
            match name.as_str() {
                "BEGIN" => {
                    if value == "VEVENT" {
                        events += 1;
                    }
                    stack.push(value);
                }
                "END" => assert_eq!(stack.pop(), Some(value.as_str()), "line {i}"),
                "TZID" if stack.last() == Some(&"VTIMEZONE") => timezones.push(value.clone()),
                _ => assert!(!stack.is_empty(), "property outside a component: {name}"),
            }
            named.extend(
                params
                    .iter()
                    .filter(|(k, _)| k == "TZID")
                    .map(|(_, v)| v.clone()),
            );
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
        assert_eq!(lines[0], ("BEGIN".into(), vec![], "VCALENDAR".into()));
        assert_eq!(events, 1);
        assert!(!named.is_empty());
        for tzid in &named {
            assert!(timezones.contains(tzid), "TZID={tzid} without a VTIMEZONE");
        }
        // Jakarta: +07:00 all year, and the session at 08:00 WIB.
        let value = |wanted: &str| {
            lines
                .iter()
                .find(|(n, _, _)| n == wanted)
                .map(|(_, _, v)| v.clone())
        };
        assert_eq!(value("TZOFFSETFROM").as_deref(), Some("+0700"));
        assert_eq!(value("TZOFFSETTO").as_deref(), Some("+0700"));
        assert!(
            lines.iter().any(|(n, p, v)| n == "DTSTART"
                && p == &vec![("TZID".to_owned(), "Asia/Jakarta".to_owned())]
                && v == "20260303T080000"),
            "{text}"
        );
        assert_eq!(value("METHOD").as_deref(), Some("PUBLISH"));
        assert_eq!(value("SEQUENCE").as_deref(), Some("3"));
        assert_eq!(value("STATUS"), None);
        // The zone comes before the event that names it.
        assert!(text.find("BEGIN:VTIMEZONE") < text.find("BEGIN:VEVENT"));
    }

    #[test]
    fn a_cancelled_batch_cancels_its_events() {
        let mut cancelled = detail();
        cancelled.batch.status = BatchStatus::Cancelled;
        let text = calendar(
            &cancelled.batch,
            &cancelled.sessions,
            "https://bimtek.example",
        );
        assert!(
            content_lines(&text)
                .iter()
                .any(|(n, _, v)| n == "STATUS" && v == "CANCELLED"),
            "{text}"
        );
    }

    #[test]
    fn a_withdrawn_session_is_sent_cancelled() {
        let detail = detail();
        let mut gone = detail.sessions[0].clone();
        gone.id = uuid::Uuid::from_u128(7);
        let text = calendar_with(
            &detail.batch,
            &detail.sessions,
            &[gone],
            "https://bimtek.example",
        );
        let lines = content_lines(&text);
        assert_eq!(
            lines
                .iter()
                .filter(|(n, _, v)| n == "BEGIN" && v == "VEVENT")
                .count(),
            2
        );
        assert_eq!(lines.iter().filter(|(n, _, _)| n == "STATUS").count(), 1);
        assert!(text.contains("00000000-0000-0000-0000-000000000007@bimtek"));
    }

    #[test]
    fn a_batch_without_sessions_is_still_a_calendar() {
        let mut empty = detail();
        empty.sessions.clear();
        let text = calendar(&empty.batch, &empty.sessions, "https://bimtek.example");
        assert!(text.trim_end().ends_with("END:VCALENDAR"), "{text}");
        content_lines(&text);
    }
}
