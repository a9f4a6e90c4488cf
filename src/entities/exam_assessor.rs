use sea_orm::entity::prelude::*;

/// An assessor of an exam, for some units (empty list: all) and perhaps as lead.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_assessors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub exam_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// Unit codes as a JSON array; `[]` means every unit.
    #[sea_orm(column_type = "Text")]
    pub units: String,
    pub lead: bool,
}

impl ActiveModelBehavior for ActiveModel {}
