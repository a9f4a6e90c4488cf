//! When an administrator anonymised a departed user (UU 27/2022): the
//! account's personal fields are gone, and certificate checks say so. And
//! an index for the sign-in records the retention sweep deletes by age.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    AnonymisedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Action,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::AnonymisedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_action_at")
                    .table(AuditLog::Table)
                    .col(AuditLog::Action)
                    .col(AuditLog::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_audit_action_at")
                    .table(AuditLog::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::AnonymisedAt)
                    .to_owned(),
            )
            .await
    }
}
