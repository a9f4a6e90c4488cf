//! Database schema migrations for Bimtek, one file per step.
//!
//! Every step must run on both SQLite and PostgreSQL, so each ALTER TABLE
//! carries exactly one operation (SQLite cannot do more) and enums are
//! stored as plain strings.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_accounts;
mod m20261122_000002_create_courses;
mod m20261122_000003_create_question_banks;
mod m20261122_000004_create_batches;
mod m20261122_000005_create_attempts;
mod m20261122_000006_create_exams;
mod m20261122_000007_create_task_files;
mod m20261122_000008_create_certificates;
mod m20261201_000001_add_attempt_choice_keys;
mod m20261201_000002_add_certificate_standing;
mod m20261202_000010_add_letter_jp;
mod m20261202_000011_create_account_tokens;
mod m20261202_000012_create_question_media;
mod m20261203_000013_add_user_anonymised_at;
mod m20261204_000014_create_outbox;
mod m20261204_000015_create_evaluations;
mod m20261204_000016_create_batch_reports;
mod m20261204_000017_create_evaluation_closures;
mod m20261205_000018_unique_pre_post_tests;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_accounts::Migration),
            Box::new(m20261122_000002_create_courses::Migration),
            Box::new(m20261122_000003_create_question_banks::Migration),
            Box::new(m20261122_000004_create_batches::Migration),
            Box::new(m20261122_000005_create_attempts::Migration),
            Box::new(m20261122_000006_create_exams::Migration),
            Box::new(m20261122_000007_create_task_files::Migration),
            Box::new(m20261122_000008_create_certificates::Migration),
            Box::new(m20261201_000001_add_attempt_choice_keys::Migration),
            Box::new(m20261201_000002_add_certificate_standing::Migration),
            Box::new(m20261202_000010_add_letter_jp::Migration),
            Box::new(m20261202_000011_create_account_tokens::Migration),
            Box::new(m20261202_000012_create_question_media::Migration),
            Box::new(m20261203_000013_add_user_anonymised_at::Migration),
            Box::new(m20261204_000014_create_outbox::Migration),
            Box::new(m20261204_000015_create_evaluations::Migration),
            Box::new(m20261204_000016_create_batch_reports::Migration),
            Box::new(m20261204_000017_create_evaluation_closures::Migration),
            Box::new(m20261205_000018_unique_pre_post_tests::Migration),
        ]
    }
}
