use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bank_version_questions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub bank_version_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_id: Uuid,
    pub position: i32,
}

impl ActiveModelBehavior for ActiveModel {}
