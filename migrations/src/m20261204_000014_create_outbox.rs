//! Messages to trainees leave through an outbox: a row is written in the
//! same transaction as the change it announces (an enrolment, a new
//! schedule, a cancellation, released results, an issued certificate) and
//! a worker hands it to SMTP, retrying with backoff. The texts come from
//! templates an administrator may edit. A batch counts its calendar
//! revisions, so an updated `.ics` replaces the old events (RFC 5545 SEQUENCE).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Batches {
    Table,
    Bring,
    CalendarSequence,
}

#[derive(DeriveIden)]
enum OutboxMessages {
    Table,
    Id,
    Kind,
    BatchId,
    UserId,
    ToName,
    ToAddress,
    Subject,
    Body,
    Calendar,
    Status,
    Attempts,
    NextAttemptAt,
    ExpiresAt,
    ClaimedUntil,
    SentAt,
    LastError,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MessageTemplates {
    Table,
    Kind,
    Subject,
    Body,
    UpdatedAt,
    UpdatedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Batches::Table)
                    .add_column(integer(Batches::CalendarSequence).default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Batches::Table)
                    .add_column(text_null(Batches::Bring))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutboxMessages::Table)
                    .col(pk_uuid(OutboxMessages::Id))
                    .col(string_len(OutboxMessages::Kind, 24))
                    .col(uuid_null(OutboxMessages::BatchId))
                    .col(uuid(OutboxMessages::UserId))
                    .col(string(OutboxMessages::ToName))
                    .col(string_null(OutboxMessages::ToAddress))
                    .col(string(OutboxMessages::Subject))
                    .col(text(OutboxMessages::Body))
                    .col(text_null(OutboxMessages::Calendar))
                    .col(string_len(OutboxMessages::Status, 16))
                    .col(integer(OutboxMessages::Attempts).default(0))
                    .col(timestamp_with_time_zone(OutboxMessages::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(OutboxMessages::ExpiresAt))
                    .col(timestamp_with_time_zone_null(OutboxMessages::ClaimedUntil))
                    .col(timestamp_with_time_zone_null(OutboxMessages::SentAt))
                    .col(text_null(OutboxMessages::LastError))
                    .col(timestamp_with_time_zone(OutboxMessages::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutboxMessages::Table, OutboxMessages::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_due")
                    .table(OutboxMessages::Table)
                    .col(OutboxMessages::Status)
                    .col(OutboxMessages::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_batch_user")
                    .table(OutboxMessages::Table)
                    .col(OutboxMessages::BatchId)
                    .col(OutboxMessages::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MessageTemplates::Table)
                    .col(string_len(MessageTemplates::Kind, 24).primary_key())
                    .col(string(MessageTemplates::Subject))
                    .col(text(MessageTemplates::Body))
                    .col(timestamp_with_time_zone(MessageTemplates::UpdatedAt))
                    .col(uuid_null(MessageTemplates::UpdatedBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MessageTemplates::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OutboxMessages::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Batches::Table)
                    .drop_column(Batches::CalendarSequence)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Batches::Table)
                    .drop_column(Batches::Bring)
                    .to_owned(),
            )
            .await
    }
}
