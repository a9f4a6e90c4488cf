use sea_orm::entity::prelude::*;

/// One trainee's evaluation answers, without who gave them.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_responses")]
pub struct Model {
    /// Random (v4), so its order says nothing about when it came.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub submitted_on: TimeDate,
    /// `evaluations::model::Answers` as JSON.
    #[sea_orm(column_type = "Text")]
    pub answers: String,
}

impl ActiveModelBehavior for ActiveModel {}
