//! HTML pages for exams: the administrator's builder and results, the
//! assessor's queue and grading page, the candidate's exam and results.

pub mod admin;
pub mod assessor;
pub mod oversight;
pub mod trainee;

use poem::{Route, get, post};

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    route
        .at(
            "/admin/exams",
            get(admin::exam_list).post(admin::create_exam),
        )
        .at("/admin/exams/json", post(admin::create_from_json))
        .at("/admin/exams/:id", get(admin::exam_page))
        .at("/admin/exams/:id/assessors", post(admin::assign_assessor))
        .at("/admin/exams/:id/release", post(admin::release))
        .at("/admin/exams/:id/audit", get(oversight::audit_page))
        .at(
            "/admin/exams/:id/markers",
            get(oversight::markers_page).post(oversight::name_marker),
        )
        .at("/admin/appeals/:id/assign", post(admin::assign_appeal))
        .at("/grading", get(assessor::queue_page))
        .at(
            "/grading/:id",
            get(assessor::item_page).post(assessor::save_item),
        )
        .at("/my/exams", get(trainee::my_exams))
        .at("/exams/:id", get(trainee::exam_page))
        .at("/exams/handed-in/:assessment_id", get(trainee::handed_in))
        .at("/exams/:id/start", post(trainee::start))
        .at("/exams/:id/appeal", post(trainee::appeal))
        .at("/exams/:id/tasks/:key/file", post(trainee::upload_file))
        .at("/grading/:id/file", get(assessor::item_file))
}
