//! Images inside questions, stored once per content (SHA-256) whatever
//! number of questions and versions show them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum QuestionMedia {
    Table,
    Sha256,
    ContentType,
    Size,
    Data,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QuestionMedia::Table)
                    .col(string_len(QuestionMedia::Sha256, 64).primary_key())
                    .col(string_len(QuestionMedia::ContentType, 64))
                    .col(big_integer(QuestionMedia::Size))
                    .col(blob(QuestionMedia::Data))
                    .col(timestamp_with_time_zone(QuestionMedia::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(QuestionMedia::Table).to_owned())
            .await
    }
}
