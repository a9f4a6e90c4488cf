//! The attempt engine shared by module quizzes and competency exams: timed
//! attempts with questions pinned to their versions, durable per-answer
//! autosave through a group-committing writer, resume, submit, automatic
//! finalisation at the deadline, grading, review and results.

pub mod answering;
pub mod api;
pub mod cache;
pub(crate) mod current;
pub mod export;
pub mod finishing;
pub mod lookup;
pub mod marking;
pub mod model;
pub mod pages;
pub(crate) mod parts;
pub mod prepost;
pub mod prepost_api;
pub mod regrade;
pub mod results;
pub mod saving;
pub mod service;
pub mod settings;
pub mod simulate;
mod store;
pub mod views;
pub mod writer;
