//! Courses and their modules, attachments, and who has read which module.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Courses {
    Table,
    Id,
    Code,
    Title,
    Track,
    TargetLevel,
    Description,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Modules {
    Table,
    Id,
    CourseId,
    Position,
    Title,
    Jp,
    BodyMarkdown,
    BodyHtml,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ModuleAttachments {
    Table,
    Id,
    ModuleId,
    FileName,
    ContentType,
    Size,
    Data,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ModuleCompletions {
    Table,
    UserId,
    ModuleId,
    CompletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Courses::Table)
                    .col(pk_uuid(Courses::Id))
                    .col(string_uniq(Courses::Code))
                    .col(string(Courses::Title))
                    .col(string_len(Courses::Track, 32))
                    .col(string_null(Courses::TargetLevel))
                    .col(text(Courses::Description))
                    .col(string_len(Courses::Status, 16))
                    .col(timestamp_with_time_zone(Courses::CreatedAt))
                    .col(timestamp_with_time_zone(Courses::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Modules::Table)
                    .col(pk_uuid(Modules::Id))
                    .col(uuid(Modules::CourseId))
                    .col(integer(Modules::Position))
                    .col(string(Modules::Title))
                    .col(integer_null(Modules::Jp))
                    .col(text(Modules::BodyMarkdown))
                    .col(text(Modules::BodyHtml))
                    .col(timestamp_with_time_zone(Modules::CreatedAt))
                    .col(timestamp_with_time_zone(Modules::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Modules::Table, Modules::CourseId)
                            .to(Courses::Table, Courses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_modules_course_position")
                    .table(Modules::Table)
                    .col(Modules::CourseId)
                    .col(Modules::Position)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ModuleAttachments::Table)
                    .col(pk_uuid(ModuleAttachments::Id))
                    .col(uuid(ModuleAttachments::ModuleId))
                    .col(string(ModuleAttachments::FileName))
                    .col(string(ModuleAttachments::ContentType))
                    .col(big_integer(ModuleAttachments::Size))
                    .col(blob(ModuleAttachments::Data))
                    .col(timestamp_with_time_zone(ModuleAttachments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ModuleAttachments::Table, ModuleAttachments::ModuleId)
                            .to(Modules::Table, Modules::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_module_attachments_module")
                    .table(ModuleAttachments::Table)
                    .col(ModuleAttachments::ModuleId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ModuleCompletions::Table)
                    .col(uuid(ModuleCompletions::UserId))
                    .col(uuid(ModuleCompletions::ModuleId))
                    .col(timestamp_with_time_zone(ModuleCompletions::CompletedAt))
                    .primary_key(
                        Index::create()
                            .col(ModuleCompletions::UserId)
                            .col(ModuleCompletions::ModuleId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ModuleCompletions::Table, ModuleCompletions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ModuleCompletions::Table, ModuleCompletions::ModuleId)
                            .to(Modules::Table, Modules::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ModuleCompletions::Table.into_iden(),
            ModuleAttachments::Table.into_iden(),
            Modules::Table.into_iden(),
            Courses::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
