//! A certificate's standing (issued, or revoked when and why) gets its own
//! signature, so that clearing a revocation in the database is detected.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Certificates {
    Table,
    StandingSignature,
    StandingKid,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .add_column(text_null(Certificates::StandingSignature))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Certificates::Table)
                    .add_column(string_len_null(Certificates::StandingKid, 32))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Certificates::StandingKid, Certificates::StandingSignature] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Certificates::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
