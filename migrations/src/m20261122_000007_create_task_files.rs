//! Files a candidate uploads for an exam task (a press release as .docx or
//! .pdf, a screenshot), kept in the database so every instance serves them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Attempts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TaskFiles {
    Table,
    AttemptId,
    TaskKey,
    FileName,
    ContentType,
    SizeBytes,
    Data,
    SavedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TaskFiles::Table)
                    .col(uuid(TaskFiles::AttemptId))
                    .col(string_len(TaskFiles::TaskKey, 64))
                    .col(string(TaskFiles::FileName))
                    .col(string_len(TaskFiles::ContentType, 128))
                    .col(big_integer(TaskFiles::SizeBytes))
                    .col(blob(TaskFiles::Data))
                    .col(timestamp_with_time_zone(TaskFiles::SavedAt))
                    .primary_key(
                        Index::create()
                            .col(TaskFiles::AttemptId)
                            .col(TaskFiles::TaskKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TaskFiles::Table, TaskFiles::AttemptId)
                            .to(Attempts::Table, Attempts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TaskFiles::Table).to_owned())
            .await
    }
}
