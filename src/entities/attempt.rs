use sea_orm::entity::prelude::*;

use crate::attempts::model::AttemptStatus;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub user_id: Uuid,
    pub batch_id: Option<Uuid>,
    /// 1 for the first attempt, 2 for the second, …
    pub number: i32,
    /// `open`, `submitted` (waiting for an assessor) or `graded`.
    pub status: AttemptStatus,
    /// The seed the questions were drawn with, kept for the record.
    pub seed: i64,
    /// The secret (hex) the attempt's choice ids are derived from; never
    /// sent to anyone. Empty for attempts started before keyed ids.
    pub choice_key: Option<String>,
    /// The drawn questions, pinned to their versions, with their shown
    /// order (`attempts::model::Slot` list as JSON).
    #[sea_orm(column_type = "Text")]
    pub slots: String,
    pub started_at: TimeDateTimeWithTimeZone,
    pub deadline_at: TimeDateTimeWithTimeZone,
    pub submitted_at: Option<TimeDateTimeWithTimeZone>,
    /// `trainee` (submitted) or `deadline` (closed by the server).
    pub finished_by: Option<String>,
    /// Per-question marks (`attempts::model::Mark` list as JSON).
    #[sea_orm(column_type = "Text", nullable)]
    pub marks: Option<String>,
    pub score: Option<f64>,
    pub max_score: f64,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    pub graded_at: Option<TimeDateTimeWithTimeZone>,
    pub updated_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
