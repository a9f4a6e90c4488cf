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

use poem::{Route, get, post};

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    prepost::routes(route)
        .at(
            "/admin/modules/:id/quiz",
            get(admin::quiz_settings).post(admin::save_quiz_settings),
        )
        .at("/admin/quizzes/:id/windows", post(admin::set_window))
        .at("/admin/quizzes/:id/results", get(admin::quiz_results))
        .at("/admin/quizzes/:id/results.csv", get(admin::results_csv))
        .at("/admin/quizzes/:id/results.xlsx", get(admin::results_xlsx))
        .at("/quizzes/:id", get(trainee::quiz_page))
        .at("/quizzes/:id/start", post(trainee::start_attempt))
        .at(
            "/attempts/:id",
            get(trainee::attempt_page).post(trainee::save_page),
        )
        .at("/attempts/:id/summary", get(trainee::summary_page))
        .at("/attempts/:id/submit", post(trainee::submit_attempt))
        .at("/attempts/:id/result", get(trainee::result_page))
        .at("/quiz-marking", get(marking::queue_page))
        .at("/quiz-marking/:attempt_id", get(marking::attempt_page))
        .at(
            "/quiz-marking/:attempt_id/:question_id",
            get(marking::item_page).post(marking::save_mark),
        )
}
