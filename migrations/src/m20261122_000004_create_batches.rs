//! Scheduling: batches (angkatan) of a course, their daily sessions,
//! enrolments with a waitlist, and attendance per session.

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
    MinAttendancePercent,
}

#[derive(DeriveIden)]
enum Batches {
    Table,
    Id,
    CourseId,
    Name,
    StartsOn,
    EndsOn,
    Venue,
    Online,
    MeetingLink,
    Capacity,
    EnrolOpensAt,
    EnrolClosesAt,
    Status,
    Organiser,
    SelfEnrol,
    Waitlist,
    CancelReason,
    CancelledAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BatchSessions {
    Table,
    Id,
    BatchId,
    Day,
    StartsAt,
    EndsAt,
    Topic,
    Instructor,
    CheckinCode,
}

#[derive(DeriveIden)]
enum Enrolments {
    Table,
    Id,
    BatchId,
    UserId,
    Status,
    Seq,
    Reason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Attendance {
    Table,
    SessionId,
    UserId,
    Status,
    Via,
    RecordedBy,
    RecordedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Courses::Table)
                    .add_column(integer(Courses::MinAttendancePercent).default(80))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Batches::Table)
                    .col(pk_uuid(Batches::Id))
                    .col(uuid(Batches::CourseId))
                    .col(string(Batches::Name))
                    .col(date(Batches::StartsOn))
                    .col(date(Batches::EndsOn))
                    .col(string_null(Batches::Venue))
                    .col(boolean(Batches::Online).default(false))
                    .col(string_null(Batches::MeetingLink))
                    .col(integer(Batches::Capacity))
                    .col(timestamp_with_time_zone_null(Batches::EnrolOpensAt))
                    .col(timestamp_with_time_zone_null(Batches::EnrolClosesAt))
                    .col(string_len(Batches::Status, 16))
                    .col(string(Batches::Organiser))
                    .col(boolean(Batches::SelfEnrol).default(false))
                    .col(boolean(Batches::Waitlist).default(false))
                    .col(text_null(Batches::CancelReason))
                    .col(timestamp_with_time_zone_null(Batches::CancelledAt))
                    .col(timestamp_with_time_zone(Batches::CreatedAt))
                    .col(timestamp_with_time_zone(Batches::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Batches::Table, Batches::CourseId)
                            .to(Courses::Table, Courses::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_batches_course")
                    .table(Batches::Table)
                    .col(Batches::CourseId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_batches_dates")
                    .table(Batches::Table)
                    .col(Batches::StartsOn)
                    .col(Batches::EndsOn)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BatchSessions::Table)
                    .col(pk_uuid(BatchSessions::Id))
                    .col(uuid(BatchSessions::BatchId))
                    .col(date(BatchSessions::Day))
                    .col(time(BatchSessions::StartsAt))
                    .col(time(BatchSessions::EndsAt))
                    .col(string_null(BatchSessions::Topic))
                    .col(string_null(BatchSessions::Instructor))
                    .col(string_null(BatchSessions::CheckinCode))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BatchSessions::Table, BatchSessions::BatchId)
                            .to(Batches::Table, Batches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_batch_sessions_batch")
                    .table(BatchSessions::Table)
                    .col(BatchSessions::BatchId)
                    .col(BatchSessions::Day)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_batch_sessions_code")
                    .table(BatchSessions::Table)
                    .col(BatchSessions::CheckinCode)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Enrolments::Table)
                    .col(pk_uuid(Enrolments::Id))
                    .col(uuid(Enrolments::BatchId))
                    .col(uuid(Enrolments::UserId))
                    .col(string_len(Enrolments::Status, 16))
                    .col(big_integer(Enrolments::Seq))
                    .col(text_null(Enrolments::Reason))
                    .col(uuid_null(Enrolments::CreatedBy))
                    .col(timestamp_with_time_zone(Enrolments::CreatedAt))
                    .col(timestamp_with_time_zone(Enrolments::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrolments::Table, Enrolments::BatchId)
                            .to(Batches::Table, Batches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Enrolments::Table, Enrolments::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_enrolments_batch_user")
                    .table(Enrolments::Table)
                    .col(Enrolments::BatchId)
                    .col(Enrolments::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_enrolments_user")
                    .table(Enrolments::Table)
                    .col(Enrolments::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attendance::Table)
                    .col(uuid(Attendance::SessionId))
                    .col(uuid(Attendance::UserId))
                    .col(string_len(Attendance::Status, 16))
                    .col(string_len(Attendance::Via, 16))
                    .col(uuid_null(Attendance::RecordedBy))
                    .col(timestamp_with_time_zone(Attendance::RecordedAt))
                    .primary_key(
                        Index::create()
                            .col(Attendance::SessionId)
                            .col(Attendance::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attendance::Table, Attendance::SessionId)
                            .to(BatchSessions::Table, BatchSessions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attendance::Table, Attendance::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Attendance::Table.into_iden(),
            Enrolments::Table.into_iden(),
            BatchSessions::Table.into_iden(),
            Batches::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Courses::Table)
                    .drop_column(Courses::MinAttendancePercent)
                    .to_owned(),
            )
            .await
    }
}
