//! An organiser may close a batch's evaluation before its 30 days are
//! over: no more answers, and the results are shown (they are shown only
//! once final, so that no single answer can be read off a change).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Batches {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EvaluationClosures {
    Table,
    BatchId,
    ClosedAt,
    ClosedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EvaluationClosures::Table)
                    .col(uuid(EvaluationClosures::BatchId).primary_key())
                    .col(timestamp_with_time_zone(EvaluationClosures::ClosedAt))
                    .col(uuid_null(EvaluationClosures::ClosedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EvaluationClosures::Table, EvaluationClosures::BatchId)
                            .to(Batches::Table, Batches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EvaluationClosures::Table).to_owned())
            .await
    }
}
