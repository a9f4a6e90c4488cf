//! The participants' evaluation of a batch: each course's questions, the
//! answers without who gave them, and, apart, who has answered (so each
//! trainee answers once). Response ids are random, not time-ordered, and
//! carry only the day, so neither links an answer to a receipt.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Batches {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EvaluationForms {
    Table,
    CourseId,
    Questions,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum EvaluationResponses {
    Table,
    Id,
    BatchId,
    SubmittedOn,
    Answers,
}

#[derive(DeriveIden)]
enum EvaluationReceipts {
    Table,
    BatchId,
    UserId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EvaluationForms::Table)
                    .col(uuid(EvaluationForms::CourseId).primary_key())
                    .col(text(EvaluationForms::Questions))
                    .col(timestamp_with_time_zone(EvaluationForms::UpdatedAt))
                    .col(uuid_null(EvaluationForms::UpdatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EvaluationForms::Table, EvaluationForms::CourseId)
                            .to(Courses::Table, Courses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EvaluationResponses::Table)
                    .col(pk_uuid(EvaluationResponses::Id))
                    .col(uuid(EvaluationResponses::BatchId))
                    .col(date(EvaluationResponses::SubmittedOn))
                    .col(text(EvaluationResponses::Answers))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EvaluationResponses::Table, EvaluationResponses::BatchId)
                            .to(Batches::Table, Batches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_evaluation_responses_batch")
                    .table(EvaluationResponses::Table)
                    .col(EvaluationResponses::BatchId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EvaluationReceipts::Table)
                    .col(uuid(EvaluationReceipts::BatchId))
                    .col(uuid(EvaluationReceipts::UserId))
                    .primary_key(
                        Index::create()
                            .col(EvaluationReceipts::BatchId)
                            .col(EvaluationReceipts::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EvaluationReceipts::Table, EvaluationReceipts::BatchId)
                            .to(Batches::Table, Batches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EvaluationReceipts::Table, EvaluationReceipts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            EvaluationReceipts::Table.into_iden(),
            EvaluationResponses::Table.into_iden(),
            EvaluationForms::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
