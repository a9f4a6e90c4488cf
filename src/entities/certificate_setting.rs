use sea_orm::entity::prelude::*;

/// How a course's certificates are numbered, whether attendance letters are
/// given, and when certificates expire.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub course_id: Uuid,
    pub number_pattern: String,
    pub letters: bool,
    pub expiry_months: Option<i32>,
    /// `none` or `attended`: see `certificates::model::LetterJp`.
    pub letter_jp: String,
}

impl ActiveModelBehavior for ActiveModel {}
