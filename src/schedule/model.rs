//! Pure scheduling rules: batch and session validity, seats and the
//! waitlist, enrolment windows, overlap, attendance percentages, the
//! completion rule, and self check-in. No I/O here.

use poem_openapi::Enum;

use serde::Serialize;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};
use uuid::Uuid;

use crate::clock::WIB;
use crate::error::FieldError;
use crate::string_enum::string_enum;

mod seat;
pub use seat::{Admission, SeatOption, choose_seat};

string_enum!(
    BatchStatus {
        Draft = "draft",
        Open = "open",
        Running = "running",
        Finished = "finished",
        Cancelled = "cancelled",
    }
);

impl BatchStatus {
    pub const ALL: [BatchStatus; 5] = [
        BatchStatus::Draft,
        BatchStatus::Open,
        BatchStatus::Running,
        BatchStatus::Finished,
        BatchStatus::Cancelled,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BatchStatus::Draft => "Draf",
            BatchStatus::Open => "Pendaftaran dibuka",
            BatchStatus::Running => "Berlangsung",
            BatchStatus::Finished => "Selesai",
            BatchStatus::Cancelled => "Dibatalkan",
        }
    }
}

string_enum!(
    EnrolmentStatus {
        Enrolled = "enrolled",
        Waitlisted = "waitlisted",
        Withdrawn = "withdrawn",
        Completed = "completed",
        NotCompleted = "not_completed",
    }
);

impl EnrolmentStatus {
    pub fn label(self) -> &'static str {
        match self {
            EnrolmentStatus::Enrolled => "Terdaftar",
            EnrolmentStatus::Waitlisted => "Daftar tunggu",
            EnrolmentStatus::Withdrawn => "Mengundurkan diri",
            EnrolmentStatus::Completed => "Lulus",
            EnrolmentStatus::NotCompleted => "Tidak lulus",
        }
    }

    /// Holds (or waits for) a seat in the batch.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            EnrolmentStatus::Enrolled | EnrolmentStatus::Waitlisted
        )
    }

    /// Takes part in the batch: sits, learns, is marked present.
    pub fn is_participant(self) -> bool {
        matches!(
            self,
            EnrolmentStatus::Enrolled | EnrolmentStatus::Completed | EnrolmentStatus::NotCompleted
        )
    }
}

string_enum!(
    AttendanceStatus {
        Present = "present",
        Absent = "absent",
        /// Excused: permission (izin).
        Izin = "izin",
        /// Excused: illness (sakit).
        Sakit = "sakit",
    }
);

impl AttendanceStatus {
    pub const ALL: [AttendanceStatus; 4] = [
        AttendanceStatus::Present,
        AttendanceStatus::Absent,
        AttendanceStatus::Izin,
        AttendanceStatus::Sakit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "Hadir",
            AttendanceStatus::Absent => "Tidak hadir",
            AttendanceStatus::Izin => "Izin",
            AttendanceStatus::Sakit => "Sakit",
        }
    }
}

/// One day's session as typed by an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInput {
    pub day: Date,
    pub starts_at: Time,
    pub ends_at: Time,
    pub topic: Option<String>,
    pub instructor: Option<String>,
}

/// The parts of a batch the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchShape {
    pub starts_on: Date,
    pub ends_on: Date,
    pub capacity: i32,
    pub online: bool,
    pub venue: Option<String>,
    pub meeting_link: Option<String>,
    pub enrol_opens_at: Option<OffsetDateTime>,
    pub enrol_closes_at: Option<OffsetDateTime>,
}

/// Everything wrong with a batch and its sessions, each with its field.
pub fn check_batch(batch: &BatchShape, sessions: &[SessionInput]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if batch.ends_on < batch.starts_on {
        errors.push(FieldError::new(
            "ends_on",
            "tanggal selesai tidak boleh sebelum tanggal mulai",
        ));
    }
    if batch.capacity < 1 {
        errors.push(FieldError::new("capacity", "kapasitas minimal 1 peserta"));
    }
    if batch.online {
        match batch.meeting_link.as_deref() {
            Some(link) if link.starts_with("https://") || link.starts_with("http://") => {}
            Some(_) => errors.push(FieldError::new(
                "meeting_link",
                "tautan rapat harus diawali https://",
            )),
            None => errors.push(FieldError::new(
                "meeting_link",
                "wajib diisi untuk angkatan daring",
            )),
        }
    } else if batch.venue.as_deref().is_none_or(|v| v.trim().is_empty()) {
        errors.push(FieldError::new(
            "venue",
            "tempat wajib diisi (atau tandai sebagai daring)",
        ));
    }
    if let (Some(opens), Some(closes)) = (batch.enrol_opens_at, batch.enrol_closes_at)
        && closes < opens
    {
        errors.push(FieldError::new(
            "enrol_closes_at",
            "pendaftaran tidak boleh ditutup sebelum dibuka",
        ));
    }
    for (i, session) in sessions.iter().enumerate() {
        if session.day < batch.starts_on || session.day > batch.ends_on {
            errors.push(FieldError::new(
                format!("sessions[{i}].day"),
                format!(
                    "sesi {} di luar tanggal angkatan ({} – {})",
                    crate::clock::format_date_id(session.day),
                    crate::clock::format_date_id(batch.starts_on),
                    crate::clock::format_date_id(batch.ends_on)
                ),
            ));
        }
        if session.ends_at <= session.starts_at {
            errors.push(FieldError::new(
                format!("sessions[{i}].ends_at"),
                "jam selesai harus setelah jam mulai",
            ));
        }
    }
    errors
}

/// Whether two date ranges (inclusive) share a day.
pub fn overlaps(a: (Date, Date), b: (Date, Date)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seat {
    Enrolled,
    Waitlisted,
    Full,
}

/// Where the next trainee goes, given the seats already taken.
pub fn seat_for(enrolled: u64, capacity: i32, waitlist: bool) -> Seat {
    if enrolled < capacity.max(0) as u64 {
        Seat::Enrolled
    } else if waitlist {
        Seat::Waitlisted
    } else {
        Seat::Full
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    NotYetOpen,
    Open,
    Closed,
}

pub fn window_at(
    opens: Option<OffsetDateTime>,
    closes: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Window {
    match (opens, closes) {
        (Some(o), _) if now < o => Window::NotYetOpen,
        (_, Some(c)) if now > c => Window::Closed,
        _ => Window::Open,
    }
}

/// Attendance of one trainee, derived from the session records.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, poem_openapi::Object)]
pub struct AttendanceSummary {
    pub sessions: u32,
    pub present: u32,
    /// Izin or sakit.
    pub excused: u32,
    pub absent: u32,
    /// Sessions without a record yet.
    pub unrecorded: u32,
    /// Present ÷ all sessions of the batch, in percent (one decimal).
    pub percent: f64,
}

pub fn summarise(records: &[Option<AttendanceStatus>]) -> AttendanceSummary {
    let count = |wanted: &[AttendanceStatus]| {
        records
            .iter()
            .filter(|r| r.is_some_and(|s| wanted.contains(&s)))
            .count() as u32
    };
    let sessions = records.len() as u32;
    let present = count(&[AttendanceStatus::Present]);
    AttendanceSummary {
        sessions,
        present,
        excused: count(&[AttendanceStatus::Izin, AttendanceStatus::Sakit]),
        absent: count(&[AttendanceStatus::Absent]),
        unrecorded: records.iter().filter(|r| r.is_none()).count() as u32,
        percent: if sessions == 0 {
            0.0
        } else {
            (f64::from(present) * 1000.0 / f64::from(sessions)).round() / 10.0
        },
    }
}

/// What the completion rule looks at, for one trainee.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionFacts {
    pub modules_read: u32,
    pub modules_total: u32,
    pub attendance: AttendanceSummary,
    pub min_attendance_percent: i32,
    /// Titles of required quizzes not (yet) passed.
    pub quizzes_not_passed: Vec<String>,
}

/// Why a trainee does not (yet) complete; empty when they do.
pub fn unmet(facts: &CompletionFacts) -> Vec<String> {
    let mut reasons = Vec::new();
    if facts.modules_read < facts.modules_total {
        reasons.push(format!(
            "baru membaca {} dari {} modul",
            facts.modules_read, facts.modules_total
        ));
    }
    if facts.attendance.sessions > 0
        && facts.attendance.percent < f64::from(facts.min_attendance_percent)
    {
        reasons.push(format!(
            "kehadiran {}% di bawah syarat {}%",
            facts.attendance.percent, facts.min_attendance_percent
        ));
    }
    for quiz in &facts.quizzes_not_passed {
        reasons.push(format!("kuis '{quiz}' belum lulus"));
    }
    reasons
}

/// Where a batch stands for a trainee looking at "Bimtek saya".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Phase {
    Upcoming,
    Running,
    Finished,
    Cancelled,
}

pub fn phase(status: BatchStatus, starts_on: Date, ends_on: Date, today: Date) -> Phase {
    match status {
        BatchStatus::Cancelled => Phase::Cancelled,
        BatchStatus::Finished => Phase::Finished,
        _ if today > ends_on => Phase::Finished,
        _ if today >= starts_on => Phase::Running,
        _ => Phase::Upcoming,
    }
}

/// Self check-in is accepted from 30 minutes before a session starts until it ends (WIB).
pub fn checkin_open(day: Date, starts_at: Time, ends_at: Time, now: OffsetDateTime) -> bool {
    let start = PrimitiveDateTime::new(day, starts_at).assume_offset(WIB) - Duration::minutes(30);
    let end = PrimitiveDateTime::new(day, ends_at).assume_offset(WIB);
    now >= start && now <= end
}

/// A six-character code without look-alike characters, for a projector screen.
pub fn new_checkin_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..6)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The weeks (Monday first) a month view shows for the month of `day`.
pub fn month_weeks(day: Date) -> Vec<[Date; 7]> {
    let first = first_of_month(day);
    let start = first - Duration::days(i64::from(first.weekday().number_days_from_monday()));
    let mut weeks = Vec::new();
    let mut monday = start;
    while monday <= last_of_month(first) {
        let mut week = [monday; 7];
        for (i, d) in week.iter_mut().enumerate() {
            *d = monday + Duration::days(i as i64);
        }
        weeks.push(week);
        monday += Duration::days(7);
    }
    weeks
}

/// Day 1 of the month of `day` (by arithmetic: nothing to unwrap).
pub fn first_of_month(day: Date) -> Date {
    day - Duration::days(i64::from(day.day()) - 1)
}

pub fn last_of_month(day: Date) -> Date {
    let length = day.month().length(day.year());
    first_of_month(day) + Duration::days(i64::from(length) - 1)
}

/// Which batches a list shows; empty fields do not narrow it.
#[derive(Debug, Default, Clone)]
pub struct BatchFilter {
    pub course_id: Option<Uuid>,
    pub status: Option<BatchStatus>,
    /// Batches that end on or after this day.
    pub from: Option<Date>,
    /// Batches that start on or before this day.
    pub to: Option<Date>,
    pub ids: Option<Vec<Uuid>>,
}

/// What a new batch cannot be made without, every part present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBatch {
    pub course_id: Uuid,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub capacity: i32,
}

impl NewBatch {
    /// The required parts of a new batch, or each missing one named
    /// (`name` counts as missing when blank).
    pub fn parse(
        course_id: Option<Uuid>,
        name: Option<&str>,
        starts_on: Option<Date>,
        ends_on: Option<Date>,
        capacity: Option<i32>,
    ) -> Result<NewBatch, Vec<FieldError>> {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        match (course_id, name, starts_on, ends_on, capacity) {
            (Some(course_id), Some(name), Some(starts_on), Some(ends_on), Some(capacity)) => {
                Ok(NewBatch {
                    course_id,
                    name: name.to_owned(),
                    starts_on,
                    ends_on,
                    capacity,
                })
            }
            _ => Err([
                ("course_id", course_id.is_none()),
                ("name", name.is_none()),
                ("starts_on", starts_on.is_none()),
                ("ends_on", ends_on.is_none()),
                ("capacity", capacity.is_none()),
            ]
            .into_iter()
            .filter(|(_, missing)| *missing)
            .map(|(field, _)| FieldError::new(field, "wajib diisi"))
            .collect()),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_new_batch_names_every_missing_part() {
        let day = Date::from_calendar_date(2026, time::Month::March, 2).unwrap();
        let id = Uuid::from_u128(1);
        let made = NewBatch::parse(
            Some(id),
            Some("  Angkatan I "),
            Some(day),
            Some(day),
            Some(30),
        );
        assert_eq!(made.unwrap().name, "Angkatan I");
        let missing = NewBatch::parse(None, Some("  "), Some(day), None, Some(30)).unwrap_err();
        let fields: Vec<&str> = missing.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["course_id", "name", "ends_on"]);
    }

    use super::*;
    use time::macros::{date, datetime, time};

    fn shape() -> BatchShape {
        BatchShape {
            starts_on: date!(2026 - 03 - 03),
            ends_on: date!(2026 - 03 - 05),
            capacity: 44,
            online: false,
            venue: Some("Hotel Puri Asri".into()),
            meeting_link: None,
            enrol_opens_at: None,
            enrol_closes_at: None,
        }
    }

    fn session(day: Date) -> SessionInput {
        SessionInput {
            day,
            starts_at: time!(08:00),
            ends_at: time!(16:00),
            topic: None,
            instructor: None,
        }
    }

    #[test]
    fn a_good_batch_passes() {
        assert!(
            check_batch(
                &shape(),
                &[
                    session(date!(2026 - 03 - 03)),
                    session(date!(2026 - 03 - 05))
                ]
            )
            .is_empty()
        );
    }

    #[test]
    fn every_rule_names_its_field() {
        let mut bad = shape();
        bad.ends_on = date!(2026 - 03 - 01);
        bad.capacity = 0;
        bad.venue = None;
        let mut late = session(date!(2026 - 03 - 09));
        late.ends_at = time!(07:00);
        let fields: Vec<String> = check_batch(&bad, &[late])
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "ends_on",
                "capacity",
                "venue",
                "sessions[0].day",
                "sessions[0].ends_at"
            ]
        );
        let mut online = shape();
        online.online = true;
        assert_eq!(check_batch(&online, &[])[0].field, "meeting_link");
    }

    #[test]
    fn overlap_is_inclusive() {
        let march = (date!(2026 - 03 - 03), date!(2026 - 03 - 05));
        assert!(overlaps(
            march,
            (date!(2026 - 03 - 05), date!(2026 - 03 - 07))
        ));
        assert!(!overlaps(
            march,
            (date!(2026 - 03 - 06), date!(2026 - 03 - 07))
        ));
    }

    #[test]
    fn seats_then_waitlist_then_full() {
        assert_eq!(seat_for(43, 44, false), Seat::Enrolled);
        assert_eq!(seat_for(44, 44, true), Seat::Waitlisted);
        assert_eq!(seat_for(44, 44, false), Seat::Full);
    }

    #[test]
    fn enrolment_windows() {
        let (o, c) = (
            datetime!(2026-02-01 0:00 UTC),
            datetime!(2026-02-20 0:00 UTC),
        );
        assert_eq!(
            window_at(Some(o), Some(c), datetime!(2026-01-31 0:00 UTC)),
            Window::NotYetOpen
        );
        assert_eq!(
            window_at(Some(o), Some(c), datetime!(2026-02-10 0:00 UTC)),
            Window::Open
        );
        assert_eq!(
            window_at(Some(o), Some(c), datetime!(2026-02-21 0:00 UTC)),
            Window::Closed
        );
        assert_eq!(
            window_at(None, None, datetime!(2026-02-21 0:00 UTC)),
            Window::Open
        );
    }

    #[test]
    fn attendance_percent_counts_presence_over_all_sessions() {
        let s = summarise(&[
            Some(AttendanceStatus::Present),
            Some(AttendanceStatus::Sakit),
            None,
        ]);
        assert_eq!(
            (s.present, s.excused, s.unrecorded, s.percent),
            (1, 1, 1, 33.3)
        );
        assert_eq!(summarise(&[]).percent, 0.0);
    }

    #[test]
    fn completion_reasons() {
        let facts = CompletionFacts {
            modules_read: 2,
            modules_total: 3,
            attendance: summarise(&[
                Some(AttendanceStatus::Present),
                Some(AttendanceStatus::Absent),
            ]),
            min_attendance_percent: 80,
            quizzes_not_passed: vec!["Kuis 1".into()],
        };
        let reasons = unmet(&facts);
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[1].contains("50%"));
        let done = CompletionFacts {
            modules_read: 3,
            attendance: summarise(&[Some(AttendanceStatus::Present)]),
            quizzes_not_passed: vec![],
            ..facts
        };
        assert!(unmet(&done).is_empty());
    }

    #[test]
    fn phases_follow_dates_unless_decided() {
        let (s, e) = (date!(2026 - 03 - 03), date!(2026 - 03 - 05));
        assert_eq!(
            phase(BatchStatus::Open, s, e, date!(2026 - 03 - 01)),
            Phase::Upcoming
        );
        assert_eq!(
            phase(BatchStatus::Open, s, e, date!(2026 - 03 - 04)),
            Phase::Running
        );
        assert_eq!(
            phase(BatchStatus::Running, s, e, date!(2026 - 03 - 06)),
            Phase::Finished
        );
        assert_eq!(
            phase(BatchStatus::Cancelled, s, e, date!(2026 - 03 - 04)),
            Phase::Cancelled
        );
    }

    #[test]
    fn month_view_starts_on_monday() {
        let weeks = month_weeks(date!(2026 - 03 - 17));
        assert_eq!(weeks.len(), 6, "March 2026 starts on a Sunday");
        assert_eq!(weeks[0][0], date!(2026 - 02 - 23));
        assert_eq!(weeks[0][6], date!(2026 - 03 - 01));
        assert_eq!(weeks[5][1], date!(2026 - 03 - 31));
        assert_eq!(last_of_month(date!(2028 - 02 - 10)), date!(2028 - 02 - 29));
    }

    #[test]
    fn checkin_window_is_wib() {
        let day = date!(2026 - 03 - 03);
        // 07:40 WIB is 00:40 UTC: 20 minutes before an 08:00 start.
        assert!(checkin_open(
            day,
            time!(08:00),
            time!(12:00),
            datetime!(2026-03-03 0:40 UTC)
        ));
        assert!(!checkin_open(
            day,
            time!(08:00),
            time!(12:00),
            datetime!(2026-03-03 0:20 UTC)
        ));
        assert!(!checkin_open(
            day,
            time!(08:00),
            time!(12:00),
            datetime!(2026-03-03 5:01 UTC)
        ));
        assert_eq!(new_checkin_code().len(), 6);
    }
}
