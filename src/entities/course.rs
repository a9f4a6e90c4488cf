use sea_orm::entity::prelude::*;

use crate::catalog::model::{CourseStatus, Track};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "courses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub title: String,
    pub track: Track,
    pub target_level: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub status: CourseStatus,
    /// Attendance needed to complete a batch of this course.
    pub min_attendance_percent: i32,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
