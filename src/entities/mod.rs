//! sea-orm entities, one per table, kept apart from hand-written behaviour.

pub mod app_secret;
pub mod bank_version;
pub mod bank_version_question;
pub mod course;
pub mod login_throttle;
pub mod module;
pub mod module_attachment;
pub mod module_completion;
pub mod question;
pub mod question_bank;
pub mod question_tag;
pub mod session;
pub mod user;
pub mod user_role;
