//! Gathering one person's data. Each part comes from its capability's own
//! service with the person as the viewer, so the download can never show
//! more than their pages do (no answer key an attempt's review withholds,
//! nobody else's data).

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::model::{CurrentUser, UserView};
use crate::accounts::retention::{self, SignIn};
use crate::attempts::views::AttemptView;
use crate::certificates::service::CertificateView;
use crate::clock;
use crate::config::Config;
use crate::engine::Engine;
use crate::error::AppResult;
use crate::exams::results::MyResult;
use crate::schedule::model::AttendanceStatus;
use crate::schedule::views::MyBatch;

/// One attendance record: a session of one of the person's batches.
#[derive(Debug, Clone, Serialize, Object)]
pub struct AttendanceRecord {
    pub session_id: Uuid,
    pub status: AttendanceStatus,
}

/// Everything Bimtek holds about the person.
#[derive(Debug, Clone, Serialize, Object)]
pub struct PersonalData {
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    pub profile: UserView,
    /// Enrolments, with each batch's sessions and the attendance summary.
    pub batches: Vec<MyBatch>,
    /// Attendance per session.
    pub attendance: Vec<AttendanceRecord>,
    /// Quiz and exam attempts with the answers given.
    pub attempts: Vec<AttemptView>,
    pub exam_results: Vec<MyResult>,
    pub certificates: Vec<CertificateView>,
    /// Sign-ins still kept (see `BIMTEK_RETENTION_YEARS`).
    pub sign_ins: Vec<SignIn>,
    /// E-mails Bimtek wrote to the person (invitations, reminders, …).
    pub messages: Vec<crate::notices::service::MessageView>,
}

pub async fn collect(
    engine: &Engine,
    config: &Config,
    user: &CurrentUser,
) -> AppResult<PersonalData> {
    let db = &engine.db;
    let profile = crate::accounts::service::me(db, user).await?;
    let batches = crate::schedule::progress::my_batches(db, user).await?;
    let session_ids: Vec<Uuid> = batches
        .iter()
        .flat_map(|b| b.sessions.iter().map(|s| s.id))
        .collect();
    let attendance = crate::schedule::attendance::attendance_of_user(db, user.id, &session_ids)
        .await?
        .into_iter()
        .map(|(session_id, status)| AttendanceRecord { session_id, status })
        .collect();
    Ok(PersonalData {
        generated_at: clock::now(),
        profile,
        batches,
        attendance,
        attempts: crate::attempts::service::all_of_user(engine, user).await?,
        exam_results: crate::exams::results::my_released(engine, user).await?,
        certificates: crate::certificates::service::mine(engine, config, user).await?,
        sign_ins: retention::sign_ins_of(db, user.id).await?,
        messages: crate::notices::service::messages_to(db, user.id).await?,
    })
}

/// The download's file name, without extension: `data-pribadi-<username>`
/// (usernames are `a-z 0-9 . _ -` only, safe in a file name as they are).
pub fn file_stem(profile: &UserView) -> String {
    format!("data-pribadi-{}", profile.username)
}
