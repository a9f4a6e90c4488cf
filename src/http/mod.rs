//! HTTP assembly: routes for pages and the JSON API, the middleware stack,
//! and the pieces both share (sessions, CSRF, templates, errors, metrics).

pub mod api_tags;
pub mod auth;
pub mod csrf;
pub mod errors;
pub mod explain;
pub mod field_labels;
pub mod fields;
pub mod limits;
pub mod metrics;
pub mod observe;
pub mod openapi;
pub mod ops;
pub mod pages;
pub mod responses;
pub mod spec;
pub mod state;
pub mod tables;
pub mod templates;
pub mod upload;

use poem::http::header;
use poem::middleware::{CookieJarManager, Csrf};
use poem::web::cookie::SameSite;
use poem::{Endpoint, EndpointExt, IntoResponse, Route, get, handler, post};

use crate::accounts::credential_pages;
use crate::accounts::pages as accounts;
use crate::accounts::reset_pages;
use crate::accounts::user_pages;
use crate::attempts::pages::admin as quiz_admin;
use crate::attempts::pages::marking as quiz_marking;
use crate::attempts::pages::trainee as quiz;
use crate::banks::pages as banks;
use crate::catalog::pages as catalog;
use crate::certificates::pages as certificates;
use crate::certificates::settings_pages as certificate_settings;
use crate::exams::pages::admin as exam_admin;
use crate::exams::pages::assessor as grading;
use crate::exams::pages::oversight as exam_oversight;
use crate::exams::pages::trainee as exam;
use crate::home::pages as home;
use crate::schedule::pages::admin as batches;
use crate::schedule::pages::trainee as my;
use state::AppState;

/// Largest request body accepted anywhere (spreadsheet imports are the big ones).
const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;
/// Largest body of a caller who is not signed in: a sign-in form, a
/// certificate code; never an upload.
const ANONYMOUS_MAX_BODY_BYTES: usize = 16 * 1024;

#[handler]
fn stylesheet() -> impl IntoResponse {
    include_str!("../../templates/static/app.css")
        .with_content_type("text/css; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}

/// The quiz page's enhancement (autosave, countdown); the page works without it.
#[handler]
fn quiz_script() -> impl IntoResponse {
    include_str!("../../templates/static/quiz.js")
        .with_content_type("text/javascript; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}

/// The quiz editor's rule helper and essay warning; the page works without it.
#[handler]
fn quiz_edit_script() -> impl IntoResponse {
    include_str!("../../templates/static/quiz_edit.js")
        .with_content_type("text/javascript; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}

/// The certificate settings' live number preview; the page works without it.
#[handler]
fn certificate_settings_script() -> impl IntoResponse {
    include_str!("../../templates/static/certificate_settings.js")
        .with_content_type("text/javascript; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}

/// The tab icon browsers ask every page for: a green "B".
#[handler]
fn favicon() -> impl IntoResponse {
    const ICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#0b6e4f\"/><text x=\"16\" y=\"23\" font-family=\"sans-serif\" font-size=\"20\" font-weight=\"700\" fill=\"#fff\" text-anchor=\"middle\">B</text></svg>";
    ICON.with_content_type("image/svg+xml")
        .with_header(header::CACHE_CONTROL, "public, max-age=86400")
}

/// The grading page's running total; the page works without it.
#[handler]
fn grading_script() -> impl IntoResponse {
    include_str!("../../templates/static/grading.js")
        .with_content_type("text/javascript; charset=utf-8")
        .with_header(header::CACHE_CONTROL, "public, max-age=3600")
}

fn pages(state: &AppState) -> impl Endpoint + use<> {
    crate::reports::pages::routes(crate::evaluations::pages::routes(
        crate::notices::pages::routes(crate::attempts::pages::prepost::routes(Route::new())),
    ))
    .at("/", get(home::home))
    .at(
        "/login",
        get(accounts::login_form).post(accounts::login_submit),
    )
    .at("/logout", post(accounts::logout))
    .at(
        "/activate",
        get(credential_pages::activate_form).post(credential_pages::activate_submit),
    )
    .at(
        "/password-reset",
        get(reset_pages::request_form).post(reset_pages::request_submit),
    )
    .at(
        "/password-reset/confirm",
        get(reset_pages::confirm_form).post(reset_pages::confirm_submit),
    )
    .at(
        "/password",
        get(credential_pages::password_form).post(credential_pages::password_submit),
    )
    .at(
        "/admin/users",
        get(accounts::users).post(accounts::create_user),
    )
    .at("/admin/users/new", get(accounts::new_user_form))
    .at("/admin/users/activation", post(user_pages::sheet))
    .at(
        "/admin/users/:id",
        get(user_pages::show).post(user_pages::save),
    )
    .at("/admin/users/:id/status", post(user_pages::set_active))
    .at("/admin/users/:id/reset", post(user_pages::reset))
    .at(
        "/admin/users/:id/anonymise",
        post(crate::personal_data::pages::anonymise),
    )
    .at("/my/data", get(crate::personal_data::pages::my_data))
    .at(
        "/admin/users/import",
        get(accounts::import_form).post(accounts::import_submit),
    )
    .at(
        "/admin/courses",
        get(catalog::admin_courses).post(catalog::create_course),
    )
    .at(
        "/admin/courses/:id",
        get(catalog::admin_course).post(catalog::update_course),
    )
    .at(
        "/admin/courses/:id/status",
        post(catalog::set_course_status),
    )
    .at("/admin/courses/:id/modules", post(catalog::add_module))
    .at(
        "/admin/courses/:id/certificates",
        get(certificate_settings::show).post(certificate_settings::save),
    )
    .at(
        "/admin/courses/:id/certificates/next-number",
        get(certificate_settings::next_number),
    )
    .at(
        "/admin/modules/:id",
        get(catalog::admin_module).post(catalog::update_module),
    )
    .at("/admin/modules/:id/move", post(catalog::move_module))
    .at(
        "/admin/modules/:id/attachments",
        post(catalog::upload_attachment),
    )
    .at("/courses", get(catalog::course_list))
    .at("/courses/:id", get(catalog::course_page))
    .at("/modules/:id", get(catalog::module_page))
    .at("/modules/:id/complete", post(catalog::complete_module))
    .at("/attachments/:id", get(catalog::attachment))
    .at("/admin/banks", get(banks::bank_list))
    .at("/admin/banks/import", post(banks::import))
    .at("/admin/banks/:id", get(banks::bank_page))
    .at("/admin/banks/:id/export", get(banks::export))
    .at("/question-media/:sha256", get(banks::question_media))
    .at(
        "/admin/batches",
        get(batches::calendar).post(batches::create),
    )
    .at(
        "/admin/batches/:id",
        get(batches::show_batch).post(batches::update),
    )
    .at("/admin/batches/:id/cancel", post(batches::cancel))
    .at("/admin/batches/:id/sessions", post(batches::add_session))
    .at(
        "/admin/batches/:id/sessions/:session_id/delete",
        post(batches::remove_session),
    )
    .at(
        "/admin/batches/:id/sessions/:session_id/checkin",
        post(batches::checkin_code),
    )
    .at("/admin/batches/:id/enrolments", post(batches::enrol))
    .at(
        "/admin/batches/:id/enrolments/:user_id/withdraw",
        post(batches::withdraw),
    )
    .at(
        "/admin/batches/:id/enrolments/import",
        post(batches::import),
    )
    .at("/admin/batches/:id/attendance", post(batches::attendance))
    .at(
        "/admin/batches/:id/progress",
        get(batches::progress_download),
    )
    .at(
        "/admin/batches/:id/surel",
        get(crate::schedule::pages::messages::log),
    )
    .at(
        "/admin/batches/:id/surel.csv",
        get(crate::schedule::pages::messages::download),
    )
    .at("/my/batches", get(my::my_batches))
    .at("/batches/:id/enrol", post(my::enrol))
    .at("/batches/:id/withdraw", post(my::withdraw))
    .at("/batches/:id/calendar.ics", get(my::calendar_file))
    .at("/checkin", get(my::checkin_form).post(my::checkin))
    .at(
        "/admin/modules/:id/quiz",
        get(quiz_admin::quiz_settings).post(quiz_admin::save_quiz_settings),
    )
    .at("/admin/quizzes/:id/windows", post(quiz_admin::set_window))
    .at("/admin/quizzes/:id/results", get(quiz_admin::quiz_results))
    .at(
        "/admin/quizzes/:id/results.csv",
        get(quiz_admin::results_csv),
    )
    .at(
        "/admin/quizzes/:id/results.xlsx",
        get(quiz_admin::results_xlsx),
    )
    .at("/quizzes/:id", get(quiz::quiz_page))
    .at("/quizzes/:id/start", post(quiz::start_attempt))
    .at(
        "/attempts/:id",
        get(quiz::attempt_page).post(quiz::save_page),
    )
    .at("/attempts/:id/summary", get(quiz::summary_page))
    .at("/attempts/:id/submit", post(quiz::submit_attempt))
    .at("/attempts/:id/result", get(quiz::result_page))
    .at(
        "/admin/exams",
        get(exam_admin::exam_list).post(exam_admin::create_exam),
    )
    .at("/admin/exams/json", post(exam_admin::create_from_json))
    .at("/admin/exams/:id", get(exam_admin::exam_page))
    .at(
        "/admin/exams/:id/assessors",
        post(exam_admin::assign_assessor),
    )
    .at("/admin/exams/:id/release", post(exam_admin::release))
    .at("/admin/exams/:id/audit", get(exam_oversight::audit_page))
    .at(
        "/admin/exams/:id/markers",
        get(exam_oversight::markers_page).post(exam_oversight::name_marker),
    )
    .at("/admin/appeals/:id/assign", post(exam_admin::assign_appeal))
    .at("/quiz-marking", get(quiz_marking::queue_page))
    .at("/quiz-marking/:attempt_id", get(quiz_marking::attempt_page))
    .at(
        "/quiz-marking/:attempt_id/:question_id",
        get(quiz_marking::item_page).post(quiz_marking::save_mark),
    )
    .at("/grading", get(grading::queue_page))
    .at(
        "/grading/:id",
        get(grading::item_page).post(grading::save_item),
    )
    .at("/my/exams", get(exam::my_exams))
    .at("/exams/:id", get(exam::exam_page))
    .at("/exams/handed-in/:assessment_id", get(exam::handed_in))
    .at("/exams/:id/start", post(exam::start))
    .at("/exams/:id/appeal", post(exam::appeal))
    .at("/exams/:id/tasks/:key/file", post(exam::upload_file))
    .at("/grading/:id/file", get(grading::item_file))
    .at("/admin/records/jp", get(crate::records::pages::jp_page))
    .at("/verify", get(certificates::verify_form))
    .at("/verify/:code", get(certificates::verify_code))
    .at("/my/certificates", get(certificates::my_certificates))
    .at(
        "/admin/batches/:id/certificates",
        get(certificates::batch_certificates),
    )
    .at(
        "/admin/batches/:id/certificates/issue",
        post(certificates::issue),
    )
    .at("/admin/certificates/:id/revoke", post(certificates::revoke))
    .at(
        "/admin/certificates/:id/reissue",
        post(certificates::reissue),
    )
    .at(
        "/admin/certificates/:id/replace",
        post(certificates::replace),
    )
    .around(errors::html_errors)
    .around(observe::page_headers)
    .with(
        Csrf::new()
            .key(state.csrf_key)
            .cookie_name("bimtek_csrf")
            .secure(state.config.secure_cookies())
            .same_site(SameSite::Strict),
    )
}

/// The whole service as one endpoint.
pub fn app(state: AppState) -> impl Endpoint + use<> {
    let api = openapi::service();
    let spec = spec::spec_endpoint();
    let docs_html = spec::docs_html(&api);
    let docs = observe::docs_headers(
        spec::docs_endpoint(docs_html.clone()),
        observe::docs_csp(&docs_html),
    );
    Route::new()
        .nest(
            openapi::API_PREFIX,
            // The CSRF guard first: a cross-site call learns nothing, not
            // even whether its body would have been valid.
            api.around(errors::json_errors).around(csrf::guard_api),
        )
        .at("/api/openapi.json", spec)
        .nest("/api/docs", docs)
        .at("/healthz", get(ops::healthz))
        .at("/readyz", get(ops::readyz))
        .at("/metrics", get(ops::metrics))
        .at("/static/app.css", get(stylesheet))
        .at("/favicon.ico", get(favicon))
        .at("/static/quiz.js", get(quiz_script))
        .at("/static/grading.js", get(grading_script))
        .at(
            "/static/certificate_settings.js",
            get(certificate_settings_script),
        )
        .at("/static/quiz_edit.js", get(quiz_edit_script))
        .nest("/", pages(&state))
        .with(limits::BodyLimit::new(
            MAX_BODY_BYTES,
            ANONYMOUS_MAX_BODY_BYTES,
        ))
        .around(auth::resolve_session)
        .around(auth::resolve_client)
        .with(CookieJarManager::new())
        .around(observe::observe)
        .data(state)
}
