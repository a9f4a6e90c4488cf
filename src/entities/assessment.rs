use sea_orm::entity::prelude::*;

use crate::attempts::model::{AssessmentKind, GradeMethod, ReviewPolicy};

/// A module quiz or a competency exam: what an attempt draws and the rules it runs by.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "assessments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: AssessmentKind,
    pub course_id: Uuid,
    #[sea_orm(unique)]
    pub module_id: Option<Uuid>,
    pub title: String,
    pub bank_id: Uuid,
    /// `attempts::model::Selection` as JSON.
    #[sea_orm(column_type = "Text")]
    pub selection: String,
    pub time_limit_seconds: Option<i32>,
    pub opens_at: Option<TimeDateTimeWithTimeZone>,
    pub closes_at: Option<TimeDateTimeWithTimeZone>,
    pub max_attempts: i32,
    pub pass_percent: f64,
    pub shuffle_questions: bool,
    pub shuffle_choices: bool,
    pub grade_method: GradeMethod,
    pub review_policy: ReviewPolicy,
    /// Must be passed to complete the course.
    pub required: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
