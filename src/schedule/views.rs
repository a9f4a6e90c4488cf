//! What the API and the pages show of batches, enrolments and progress.

use poem_openapi::Object;
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::{AttendanceStatus, AttendanceSummary, BatchStatus, EnrolmentStatus, Phase};

#[derive(Debug, Clone, Object, Serialize)]
pub struct BatchView {
    pub id: Uuid,
    pub course_id: Uuid,
    pub course_code: String,
    pub course_title: String,
    /// JP of the course, credited to each trainee who completes the batch.
    pub jp: i32,
    pub name: String,
    #[serde(with = "crate::clock::iso_date")]
    pub starts_on: Date,
    #[serde(with = "crate::clock::iso_date")]
    pub ends_on: Date,
    pub venue: Option<String>,
    pub online: bool,
    pub meeting_link: Option<String>,
    pub capacity: i32,
    pub enrolled: u32,
    pub waitlisted: u32,
    #[serde(with = "time::serde::rfc3339::option")]
    pub enrol_opens_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub enrol_closes_at: Option<OffsetDateTime>,
    pub status: BatchStatus,
    pub organiser: String,
    pub self_enrol: bool,
    pub waitlist: bool,
    pub cancel_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub cancelled_at: Option<OffsetDateTime>,
    /// What trainees should bring, as the invitation says.
    pub bring: Option<String>,
    /// Revision of the batch's calendar (the `.ics` SEQUENCE): raised when
    /// dates, sessions, venue or link change and on cancellation.
    pub calendar_sequence: i32,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct SessionView {
    pub id: Uuid,
    #[serde(with = "crate::clock::iso_date")]
    pub day: Date,
    /// WIB, `HH:MM`.
    pub starts_at: String,
    pub ends_at: String,
    pub topic: Option<String>,
    pub instructor: Option<String>,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct EnrolmentView {
    pub user_id: Uuid,
    pub name: String,
    pub nip: Option<String>,
    pub unit_kerja: Option<String>,
    pub status: EnrolmentStatus,
    pub reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub enrolled_at: OffsetDateTime,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct BatchDetail {
    #[oai(flatten)]
    #[serde(flatten)]
    pub batch: BatchView,
    pub sessions: Vec<SessionView>,
    /// Every enrolment: administrators only.
    #[oai(skip_serializing_if_is_none)]
    pub enrolments: Option<Vec<EnrolmentView>>,
    /// The caller's own enrolment, if any.
    pub my_enrolment: Option<EnrolmentView>,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct QuizScore {
    pub quiz_id: Uuid,
    pub title: String,
    pub best_percent: Option<f64>,
    pub passed: bool,
}

/// One trainee's row of the progress table.
#[derive(Debug, Clone, Object, Serialize)]
pub struct ProgressRow {
    pub user_id: Uuid,
    pub name: String,
    pub nip: Option<String>,
    pub unit_kerja: Option<String>,
    pub status: EnrolmentStatus,
    pub modules_read: u32,
    pub modules_total: u32,
    pub quiz_best: Vec<QuizScore>,
    pub attendance: AttendanceSummary,
    /// Meets the course's completion rule right now.
    pub meets_completion: bool,
    /// Why not, when not.
    pub unmet: Vec<String>,
}

/// A batch as its trainee sees it on "Bimtek saya".
#[derive(Debug, Clone, Object, Serialize)]
pub struct MyBatch {
    #[oai(flatten)]
    #[serde(flatten)]
    pub batch: BatchView,
    pub phase: Phase,
    pub sessions: Vec<SessionView>,
    pub enrolment: EnrolmentView,
    pub modules_read: u32,
    pub modules_total: u32,
    pub attendance: AttendanceSummary,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct AttendanceCell {
    pub session_id: Uuid,
    pub user_id: Uuid,
    pub status: Option<AttendanceStatus>,
}
