//! Certificates: per-course settings, the signing keys (old ones stay for
//! what they signed), gap-free number counters per pattern and year, and
//! the issued certificates with their signed content.

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
}

#[derive(DeriveIden)]
enum Batches {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CertificateSettings {
    Table,
    CourseId,
    NumberPattern,
    Letters,
    ExpiryMonths,
}

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Kid,
    SecretKey,
    PublicKey,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum CertificateCounters {
    Table,
    Pattern,
    Year,
    LastSeq,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    BatchId,
    UserId,
    CourseId,
    Kind,
    Number,
    VerificationCode,
    Content,
    Signature,
    Kid,
    IssuedAt,
    RevokedAt,
    RevokeReason,
    ReplacesId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CertificateSettings::Table)
                    .col(uuid(CertificateSettings::CourseId).primary_key())
                    .col(string(CertificateSettings::NumberPattern))
                    .col(boolean(CertificateSettings::Letters))
                    .col(integer_null(CertificateSettings::ExpiryMonths))
                    .foreign_key(
                        ForeignKey::create()
                            .from(CertificateSettings::Table, CertificateSettings::CourseId)
                            .to(Courses::Table, Courses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    .col(string_len(SigningKeys::Kid, 32).primary_key())
                    .col(string(SigningKeys::SecretKey))
                    .col(string(SigningKeys::PublicKey))
                    .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(SigningKeys::RetiredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CertificateCounters::Table)
                    .col(string(CertificateCounters::Pattern))
                    .col(integer(CertificateCounters::Year))
                    .col(big_integer(CertificateCounters::LastSeq))
                    .primary_key(
                        Index::create()
                            .col(CertificateCounters::Pattern)
                            .col(CertificateCounters::Year),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .col(pk_uuid(Certificates::Id))
                    .col(uuid(Certificates::BatchId))
                    .col(uuid(Certificates::UserId))
                    .col(uuid(Certificates::CourseId))
                    .col(string_len(Certificates::Kind, 16))
                    .col(string_uniq(Certificates::Number))
                    .col(string_len_uniq(Certificates::VerificationCode, 32))
                    .col(text(Certificates::Content))
                    .col(string(Certificates::Signature))
                    .col(string_len(Certificates::Kid, 32))
                    .col(timestamp_with_time_zone(Certificates::IssuedAt))
                    .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                    .col(text_null(Certificates::RevokeReason))
                    .col(uuid_null(Certificates::ReplacesId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::BatchId)
                            .to(Batches::Table, Batches::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // One standing certificate per trainee and batch, however many
        // issue requests race: issuing twice gives the same certificate.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_certificates_standing ON certificates (batch_id, user_id) WHERE revoked_at IS NULL",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certificates_issued")
                    .table(Certificates::Table)
                    .col(Certificates::IssuedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Certificates::Table.into_iden(),
            CertificateCounters::Table.into_iden(),
            SigningKeys::Table.into_iden(),
            CertificateSettings::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
