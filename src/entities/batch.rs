use sea_orm::entity::prelude::*;

use crate::schedule::model::BatchStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "batches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub course_id: Uuid,
    pub name: String,
    /// First and last day, as calendar dates in WIB.
    pub starts_on: TimeDate,
    pub ends_on: TimeDate,
    pub venue: Option<String>,
    pub online: bool,
    pub meeting_link: Option<String>,
    pub capacity: i32,
    pub enrol_opens_at: Option<TimeDateTimeWithTimeZone>,
    pub enrol_closes_at: Option<TimeDateTimeWithTimeZone>,
    pub status: BatchStatus,
    pub organiser: String,
    /// Trainees may register themselves while enrolment is open.
    pub self_enrol: bool,
    /// A full batch takes further trainees onto a waitlist.
    pub waitlist: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    pub cancelled_at: Option<TimeDateTimeWithTimeZone>,
    /// What trainees should bring, for the invitation.
    #[sea_orm(column_type = "Text", nullable)]
    pub bring: Option<String>,
    /// Revision of the batch's calendar: the `.ics` SEQUENCE, raised when
    /// dates, sessions, venue or link change or the batch is cancelled.
    pub calendar_sequence: i32,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
