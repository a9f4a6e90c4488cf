//! An iCalendar file for a batch: one event per session, in WIB.

use icalendar::{Calendar, Component, Event, EventLike};

use super::views::BatchDetail;

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

pub fn calendar(detail: &BatchDetail, base_url: &str) -> String {
    let batch = &detail.batch;
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
    for session in &detail.sessions {
        let mut event = Event::new();
        event
            .uid(&format!("{}@bimtek", session.id))
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
    calendar.done().to_string()
}
