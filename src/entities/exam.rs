use sea_orm::entity::prelude::*;

/// A competency exam for one batch; its objective part is an assessment of
/// kind `exam` run by the attempt engine.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "exams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub batch_id: Uuid,
    pub title: String,
    /// Prefix of candidate codes, e.g. `HM` in `HM-2026-017`.
    pub code_prefix: String,
    /// Units, tasks and rubrics (`exams::model::ExamSpec` as JSON).
    #[sea_orm(column_type = "Text")]
    pub spec: String,
    pub double_marking: bool,
    pub moderation_threshold: f64,
    /// How two markers' totals make the final mark: `mean`, `lower`, `higher`.
    pub final_rule: String,
    pub appeal_days: i32,
    pub released_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

impl ActiveModelBehavior for ActiveModel {}
