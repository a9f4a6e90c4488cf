use sea_orm::entity::prelude::*;

/// The last number given out per pattern and year (numbers are gap-free).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate_counters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pattern: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    pub last_seq: i64,
}

impl ActiveModelBehavior for ActiveModel {}
