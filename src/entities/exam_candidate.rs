use sea_orm::entity::prelude::*;

/// The anonymous code under which assessors see a candidate.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_candidates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub exam_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub number: i32,
    pub code: String,
}

impl ActiveModelBehavior for ActiveModel {}
