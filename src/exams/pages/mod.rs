//! HTML pages for exams: the administrator's builder and results, the
//! assessor's queue and grading page, the candidate's exam and results.

pub mod admin;
pub mod assessor;
pub mod oversight;
pub mod trainee;
