//! HTML pages for quizzes: settings and results for administrators, and
//! the quiz itself for trainees (with or without JavaScript).

pub mod admin;
pub mod cloze;
mod fields;
pub mod form;
pub mod gain_chart;
pub mod marking;
pub mod prepost;
pub mod quiz_form;
pub mod trainee;
