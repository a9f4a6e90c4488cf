//! Question banks with immutable versions. A question row is one version
//! of one question; a bank version lists the question versions it holds,
//! so attempts can keep pointing at exactly what they showed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum QuestionBanks {
    Table,
    Id,
    Name,
    SourceFormat,
    CurrentVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BankVersions {
    Table,
    Id,
    BankId,
    Version,
    SourceName,
    QuestionCount,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Questions {
    Table,
    Id,
    BankId,
    StableId,
    Version,
    ContentHash,
    Qtype,
    Title,
    Category,
    Content,
    CreatedAt,
}

#[derive(DeriveIden)]
enum BankVersionQuestions {
    Table,
    BankVersionId,
    QuestionId,
    Position,
}

#[derive(DeriveIden)]
enum QuestionTags {
    Table,
    QuestionId,
    Tag,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QuestionBanks::Table)
                    .col(pk_uuid(QuestionBanks::Id))
                    .col(string_uniq(QuestionBanks::Name))
                    .col(string_len(QuestionBanks::SourceFormat, 16))
                    .col(integer(QuestionBanks::CurrentVersion))
                    .col(timestamp_with_time_zone(QuestionBanks::CreatedAt))
                    .col(timestamp_with_time_zone(QuestionBanks::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BankVersions::Table)
                    .col(pk_uuid(BankVersions::Id))
                    .col(uuid(BankVersions::BankId))
                    .col(integer(BankVersions::Version))
                    .col(string(BankVersions::SourceName))
                    .col(integer(BankVersions::QuestionCount))
                    .col(uuid_null(BankVersions::CreatedBy))
                    .col(timestamp_with_time_zone(BankVersions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BankVersions::Table, BankVersions::BankId)
                            .to(QuestionBanks::Table, QuestionBanks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_bank_versions_bank_version")
                    .table(BankVersions::Table)
                    .col(BankVersions::BankId)
                    .col(BankVersions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Questions::Table)
                    .col(pk_uuid(Questions::Id))
                    .col(uuid(Questions::BankId))
                    .col(string(Questions::StableId))
                    .col(integer(Questions::Version))
                    .col(string_len(Questions::ContentHash, 64))
                    .col(string_len(Questions::Qtype, 16))
                    .col(string_null(Questions::Title))
                    .col(string_null(Questions::Category))
                    .col(text(Questions::Content))
                    .col(timestamp_with_time_zone(Questions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Questions::Table, Questions::BankId)
                            .to(QuestionBanks::Table, QuestionBanks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_questions_bank_stable_version")
                    .table(Questions::Table)
                    .col(Questions::BankId)
                    .col(Questions::StableId)
                    .col(Questions::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BankVersionQuestions::Table)
                    .col(uuid(BankVersionQuestions::BankVersionId))
                    .col(uuid(BankVersionQuestions::QuestionId))
                    .col(integer(BankVersionQuestions::Position))
                    .primary_key(
                        Index::create()
                            .col(BankVersionQuestions::BankVersionId)
                            .col(BankVersionQuestions::QuestionId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                BankVersionQuestions::Table,
                                BankVersionQuestions::BankVersionId,
                            )
                            .to(BankVersions::Table, BankVersions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                BankVersionQuestions::Table,
                                BankVersionQuestions::QuestionId,
                            )
                            .to(Questions::Table, Questions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(QuestionTags::Table)
                    .col(uuid(QuestionTags::QuestionId))
                    .col(string(QuestionTags::Tag))
                    .primary_key(
                        Index::create()
                            .col(QuestionTags::QuestionId)
                            .col(QuestionTags::Tag),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(QuestionTags::Table, QuestionTags::QuestionId)
                            .to(Questions::Table, Questions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_question_tags_tag")
                    .table(QuestionTags::Table)
                    .col(QuestionTags::Tag)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            QuestionTags::Table.into_iden(),
            BankVersionQuestions::Table.into_iden(),
            Questions::Table.into_iden(),
            BankVersions::Table.into_iden(),
            QuestionBanks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
