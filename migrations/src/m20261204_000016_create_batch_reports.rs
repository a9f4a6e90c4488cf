//! The closing words an organiser writes for a batch's laporan
//! penyelenggaraan; the rest of the report is computed when it is printed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Batches {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum BatchReports {
    Table,
    BatchId,
    Closing,
    UpdatedAt,
    UpdatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BatchReports::Table)
                    .col(uuid(BatchReports::BatchId).primary_key())
                    .col(text(BatchReports::Closing))
                    .col(timestamp_with_time_zone(BatchReports::UpdatedAt))
                    .col(uuid_null(BatchReports::UpdatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BatchReports::Table, BatchReports::BatchId)
                            .to(Batches::Table, Batches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BatchReports::Table).to_owned())
            .await
    }
}
