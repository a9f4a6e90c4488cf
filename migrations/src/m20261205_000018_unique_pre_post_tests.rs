//! A course has at most one pre-test and one post-test: two
//! administrators saving the blueprint at once must not make two of each.
//! Partial, so that a course keeps any number of quizzes and exams.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The same statement on SQLite and PostgreSQL.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_assessments_pre_post ON assessments (course_id, kind) \
                 WHERE kind IN ('pre_test', 'post_test')",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_assessments_pre_post")
            .await
            .map(|_| ())
    }
}
