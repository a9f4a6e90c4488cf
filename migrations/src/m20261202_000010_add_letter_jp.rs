//! Whether a course's "surat keterangan mengikuti" credits JP: none (the
//! default, as PP 17/2020 counts completed training) or the share of the
//! course's JP matching the sessions attended.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CertificateSettings {
    Table,
    LetterJp,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CertificateSettings::Table)
                    .add_column(string_len(CertificateSettings::LetterJp, 16).default("none"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(CertificateSettings::Table)
                    .drop_column(CertificateSettings::LetterJp)
                    .to_owned(),
            )
            .await
    }
}
