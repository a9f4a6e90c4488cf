use sea_orm::entity::prelude::*;

use crate::exams::model::ItemStatus;

/// One assessor's mark of one task of one attempt, in one round
/// (1 and 2: markers, 3: moderation, 4: appeal).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "grading_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub exam_id: Uuid,
    pub attempt_id: Uuid,
    pub task_key: String,
    pub candidate_id: Uuid,
    pub assessor_id: Uuid,
    pub round: i32,
    /// `pending`, `draft` or `final`.
    pub status: ItemStatus,
    /// The chosen level per criterion, as a JSON array of indexes.
    #[sea_orm(column_type = "Text", nullable)]
    pub levels: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub comment: Option<String>,
    pub total: Option<f64>,
    /// Why a moderator or appeal assessor set this mark.
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub finalized_at: Option<TimeDateTimeWithTimeZone>,
}

impl ActiveModelBehavior for ActiveModel {}
