//! Competency exams: the exam (units, tasks and rubrics as a spec), its
//! assessors, anonymous candidate codes, grading items (one per marker,
//! moderation or appeal round) and appeals.

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
    Id,
}

#[derive(DeriveIden)]
enum Assessments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Attempts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Exams {
    Table,
    Id,
    AssessmentId,
    BatchId,
    Title,
    CodePrefix,
    Spec,
    DoubleMarking,
    ModerationThreshold,
    FinalRule,
    AppealDays,
    ReleasedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ExamAssessors {
    Table,
    ExamId,
    UserId,
    Units,
    Lead,
}

#[derive(DeriveIden)]
enum ExamCandidates {
    Table,
    ExamId,
    UserId,
    Number,
    Code,
}

#[derive(DeriveIden)]
enum GradingItems {
    Table,
    Id,
    ExamId,
    AttemptId,
    TaskKey,
    CandidateId,
    AssessorId,
    Round,
    Status,
    Levels,
    Comment,
    Total,
    Reason,
    CreatedAt,
    UpdatedAt,
    FinalizedAt,
}

#[derive(DeriveIden)]
enum Appeals {
    Table,
    Id,
    ExamId,
    UserId,
    Reason,
    Status,
    AssessorId,
    CreatedAt,
    DecidedAt,
}

fn cascade(
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Exams::Table)
                    .col(pk_uuid(Exams::Id))
                    .col(uuid_uniq(Exams::AssessmentId))
                    .col(uuid(Exams::BatchId))
                    .col(string(Exams::Title))
                    .col(string_len(Exams::CodePrefix, 8))
                    .col(text(Exams::Spec))
                    .col(boolean(Exams::DoubleMarking))
                    .col(double(Exams::ModerationThreshold))
                    .col(string_len(Exams::FinalRule, 16))
                    .col(integer(Exams::AppealDays))
                    .col(timestamp_with_time_zone_null(Exams::ReleasedAt))
                    .col(timestamp_with_time_zone(Exams::CreatedAt))
                    .col(timestamp_with_time_zone(Exams::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (Exams::Table, Exams::AssessmentId),
                        (Assessments::Table, Assessments::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Exams::Table, Exams::BatchId),
                        (Batches::Table, Batches::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ExamAssessors::Table)
                    .col(uuid(ExamAssessors::ExamId))
                    .col(uuid(ExamAssessors::UserId))
                    .col(text(ExamAssessors::Units))
                    .col(boolean(ExamAssessors::Lead))
                    .primary_key(
                        Index::create()
                            .col(ExamAssessors::ExamId)
                            .col(ExamAssessors::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (ExamAssessors::Table, ExamAssessors::ExamId),
                        (Exams::Table, Exams::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (ExamAssessors::Table, ExamAssessors::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ExamCandidates::Table)
                    .col(uuid(ExamCandidates::ExamId))
                    .col(uuid(ExamCandidates::UserId))
                    .col(integer(ExamCandidates::Number))
                    .col(string_len(ExamCandidates::Code, 32))
                    .primary_key(
                        Index::create()
                            .col(ExamCandidates::ExamId)
                            .col(ExamCandidates::UserId),
                    )
                    .foreign_key(&mut cascade(
                        (ExamCandidates::Table, ExamCandidates::ExamId),
                        (Exams::Table, Exams::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (ExamCandidates::Table, ExamCandidates::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_exam_candidates_number")
                    .table(ExamCandidates::Table)
                    .col(ExamCandidates::ExamId)
                    .col(ExamCandidates::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(GradingItems::Table)
                    .col(pk_uuid(GradingItems::Id))
                    .col(uuid(GradingItems::ExamId))
                    .col(uuid(GradingItems::AttemptId))
                    .col(string_len(GradingItems::TaskKey, 64))
                    .col(uuid(GradingItems::CandidateId))
                    .col(uuid(GradingItems::AssessorId))
                    .col(integer(GradingItems::Round))
                    .col(string_len(GradingItems::Status, 16))
                    .col(text_null(GradingItems::Levels))
                    .col(text_null(GradingItems::Comment))
                    .col(double_null(GradingItems::Total))
                    .col(text_null(GradingItems::Reason))
                    .col(timestamp_with_time_zone(GradingItems::CreatedAt))
                    .col(timestamp_with_time_zone(GradingItems::UpdatedAt))
                    .col(timestamp_with_time_zone_null(GradingItems::FinalizedAt))
                    .foreign_key(&mut cascade(
                        (GradingItems::Table, GradingItems::ExamId),
                        (Exams::Table, Exams::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (GradingItems::Table, GradingItems::AttemptId),
                        (Attempts::Table, Attempts::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (GradingItems::Table, GradingItems::AssessorId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // One item per attempt, task and round, however many instances
        // hand out work at the same moment.
        manager
            .create_index(
                Index::create()
                    .name("uq_grading_items_round")
                    .table(GradingItems::Table)
                    .col(GradingItems::AttemptId)
                    .col(GradingItems::TaskKey)
                    .col(GradingItems::Round)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_grading_items_assessor")
                    .table(GradingItems::Table)
                    .col(GradingItems::AssessorId)
                    .col(GradingItems::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Appeals::Table)
                    .col(pk_uuid(Appeals::Id))
                    .col(uuid(Appeals::ExamId))
                    .col(uuid(Appeals::UserId))
                    .col(text(Appeals::Reason))
                    .col(string_len(Appeals::Status, 16))
                    .col(uuid_null(Appeals::AssessorId))
                    .col(timestamp_with_time_zone(Appeals::CreatedAt))
                    .col(timestamp_with_time_zone_null(Appeals::DecidedAt))
                    .foreign_key(&mut cascade(
                        (Appeals::Table, Appeals::ExamId),
                        (Exams::Table, Exams::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (Appeals::Table, Appeals::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_appeals_exam_user")
                    .table(Appeals::Table)
                    .col(Appeals::ExamId)
                    .col(Appeals::UserId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Appeals::Table.into_iden(),
            GradingItems::Table.into_iden(),
            ExamCandidates::Table.into_iden(),
            ExamAssessors::Table.into_iden(),
            Exams::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
