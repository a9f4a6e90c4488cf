//! sea-orm entities, one per table, kept apart from hand-written behaviour.

pub mod app_secret;
pub mod assessment;
pub mod assessment_window;
pub mod attempt;
pub mod attempt_answer;
pub mod attendance;
pub mod audit_log;
pub mod bank_version;
pub mod bank_version_question;
pub mod batch;
pub mod batch_session;
pub mod course;
pub mod enrolment;
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
