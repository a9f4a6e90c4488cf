//! Assessments (a module quiz now, a competency exam later), their per-batch
//! windows, attempts with the questions they drew, saved answers, and the
//! audit log every later change of a grade goes into.

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
enum Modules {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Batches {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum QuestionBanks {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Assessments {
    Table,
    Id,
    Kind,
    CourseId,
    ModuleId,
    Title,
    BankId,
    Selection,
    TimeLimitSeconds,
    OpensAt,
    ClosesAt,
    MaxAttempts,
    PassPercent,
    ShuffleQuestions,
    ShuffleChoices,
    GradeMethod,
    ReviewPolicy,
    Required,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AssessmentWindows {
    Table,
    AssessmentId,
    BatchId,
    OpensAt,
    ClosesAt,
}

#[derive(DeriveIden)]
enum Attempts {
    Table,
    Id,
    AssessmentId,
    UserId,
    BatchId,
    Number,
    Status,
    Seed,
    Slots,
    StartedAt,
    DeadlineAt,
    SubmittedAt,
    FinishedBy,
    Marks,
    Score,
    MaxScore,
    Percent,
    Passed,
    GradedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AttemptAnswers {
    Table,
    AttemptId,
    QuestionId,
    Response,
    Seq,
    SavedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    Action,
    ObjectType,
    ObjectId,
    OldValue,
    NewValue,
    Reason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Assessments::Table)
                    .col(pk_uuid(Assessments::Id))
                    .col(string_len(Assessments::Kind, 16))
                    .col(uuid(Assessments::CourseId))
                    .col(uuid_null(Assessments::ModuleId).unique_key())
                    .col(string(Assessments::Title))
                    .col(uuid(Assessments::BankId))
                    .col(text(Assessments::Selection))
                    .col(integer_null(Assessments::TimeLimitSeconds))
                    .col(timestamp_with_time_zone_null(Assessments::OpensAt))
                    .col(timestamp_with_time_zone_null(Assessments::ClosesAt))
                    .col(integer(Assessments::MaxAttempts))
                    .col(double(Assessments::PassPercent))
                    .col(boolean(Assessments::ShuffleQuestions))
                    .col(boolean(Assessments::ShuffleChoices))
                    .col(string_len(Assessments::GradeMethod, 16))
                    .col(string_len(Assessments::ReviewPolicy, 16))
                    .col(boolean(Assessments::Required))
                    .col(timestamp_with_time_zone(Assessments::CreatedAt))
                    .col(timestamp_with_time_zone(Assessments::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assessments::Table, Assessments::CourseId)
                            .to(Courses::Table, Courses::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assessments::Table, Assessments::ModuleId)
                            .to(Modules::Table, Modules::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Assessments::Table, Assessments::BankId)
                            .to(QuestionBanks::Table, QuestionBanks::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AssessmentWindows::Table)
                    .col(uuid(AssessmentWindows::AssessmentId))
                    .col(uuid(AssessmentWindows::BatchId))
                    .col(timestamp_with_time_zone_null(AssessmentWindows::OpensAt))
                    .col(timestamp_with_time_zone_null(AssessmentWindows::ClosesAt))
                    .primary_key(
                        Index::create()
                            .col(AssessmentWindows::AssessmentId)
                            .col(AssessmentWindows::BatchId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssessmentWindows::Table, AssessmentWindows::AssessmentId)
                            .to(Assessments::Table, Assessments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AssessmentWindows::Table, AssessmentWindows::BatchId)
                            .to(Batches::Table, Batches::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Attempts::Table)
                    .col(pk_uuid(Attempts::Id))
                    .col(uuid(Attempts::AssessmentId))
                    .col(uuid(Attempts::UserId))
                    .col(uuid_null(Attempts::BatchId))
                    .col(integer(Attempts::Number))
                    .col(string_len(Attempts::Status, 16))
                    .col(big_integer(Attempts::Seed))
                    .col(text(Attempts::Slots))
                    .col(timestamp_with_time_zone(Attempts::StartedAt))
                    .col(timestamp_with_time_zone(Attempts::DeadlineAt))
                    .col(timestamp_with_time_zone_null(Attempts::SubmittedAt))
                    .col(string_len_null(Attempts::FinishedBy, 16))
                    .col(text_null(Attempts::Marks))
                    .col(double_null(Attempts::Score))
                    .col(double(Attempts::MaxScore))
                    .col(double_null(Attempts::Percent))
                    .col(boolean_null(Attempts::Passed))
                    .col(timestamp_with_time_zone_null(Attempts::GradedAt))
                    .col(timestamp_with_time_zone(Attempts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attempts::Table, Attempts::AssessmentId)
                            .to(Assessments::Table, Assessments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attempts::Table, Attempts::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attempts_assessment_user")
                    .table(Attempts::Table)
                    .col(Attempts::AssessmentId)
                    .col(Attempts::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_attempts_status_deadline")
                    .table(Attempts::Table)
                    .col(Attempts::Status)
                    .col(Attempts::DeadlineAt)
                    .to_owned(),
            )
            .await?;
        // At most one open attempt per trainee and assessment, whatever the
        // number of instances racing to start one (a partial index: the same
        // SQL on SQLite and PostgreSQL).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_attempts_one_open ON attempts (assessment_id, user_id) WHERE status = 'open'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AttemptAnswers::Table)
                    .col(uuid(AttemptAnswers::AttemptId))
                    .col(uuid(AttemptAnswers::QuestionId))
                    .col(text(AttemptAnswers::Response))
                    .col(big_integer_null(AttemptAnswers::Seq))
                    .col(timestamp_with_time_zone(AttemptAnswers::SavedAt))
                    .primary_key(
                        Index::create()
                            .col(AttemptAnswers::AttemptId)
                            .col(AttemptAnswers::QuestionId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AttemptAnswers::Table, AttemptAnswers::AttemptId)
                            .to(Attempts::Table, Attempts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(uuid_null(AuditLog::ActorId))
                    .col(string(AuditLog::Action))
                    .col(string(AuditLog::ObjectType))
                    .col(uuid(AuditLog::ObjectId))
                    .col(text_null(AuditLog::OldValue))
                    .col(text_null(AuditLog::NewValue))
                    .col(text_null(AuditLog::Reason))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_object")
                    .table(AuditLog::Table)
                    .col(AuditLog::ObjectType)
                    .col(AuditLog::ObjectId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            AttemptAnswers::Table.into_iden(),
            Attempts::Table.into_iden(),
            AssessmentWindows::Table.into_iden(),
            Assessments::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
