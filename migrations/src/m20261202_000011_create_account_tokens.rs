//! One-time credentials of an account: activation codes printed on slips
//! and password-reset links sent by e-mail. Only their SHA-256 is stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AccountTokens {
    Table,
    Id,
    UserId,
    Purpose,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    CreatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccountTokens::Table)
                    .col(pk_uuid(AccountTokens::Id))
                    .col(uuid(AccountTokens::UserId))
                    .col(string_len(AccountTokens::Purpose, 16))
                    .col(string_uniq(AccountTokens::TokenHash))
                    .col(timestamp_with_time_zone(AccountTokens::CreatedAt))
                    .col(timestamp_with_time_zone(AccountTokens::ExpiresAt))
                    .col(uuid_null(AccountTokens::CreatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountTokens::Table, AccountTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_account_tokens_user_purpose")
                    .table(AccountTokens::Table)
                    .col(AccountTokens::UserId)
                    .col(AccountTokens::Purpose)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountTokens::Table).to_owned())
            .await
    }
}
