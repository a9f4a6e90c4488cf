use sea_orm::entity::prelude::*;

/// A course's own evaluation questions; the shipped ones apply without.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_forms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub course_id: Uuid,
    /// `evaluations::model::Form` as JSON.
    #[sea_orm(column_type = "Text")]
    pub questions: String,
    pub updated_at: TimeDateTimeWithTimeZone,
    pub updated_by: Option<Uuid>,
}

impl ActiveModelBehavior for ActiveModel {}
