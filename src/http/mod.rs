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
use poem::{Endpoint, EndpointExt, IntoResponse, Route, get};

use state::AppState;

/// Largest request body accepted anywhere (spreadsheet imports are the big ones).
const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;
/// Largest body of a caller who is not signed in: a sign-in form, a
/// certificate code; never an upload.
const ANONYMOUS_MAX_BODY_BYTES: usize = 16 * 1024;

/// A file compiled into the binary, cached by browsers for `max_age` seconds.
fn static_file(body: &'static str, content_type: &'static str, max_age: u32) -> impl Endpoint {
    poem::endpoint::make_sync(move |_| {
        body.with_content_type(content_type)
            .with_header(header::CACHE_CONTROL, format!("public, max-age={max_age}"))
    })
}

const SCRIPT: &str = "text/javascript; charset=utf-8";

/// The tab icon browsers ask every page for: a green "B".
const FAVICON: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#0b6e4f\"/><text x=\"16\" y=\"23\" font-family=\"sans-serif\" font-size=\"20\" font-weight=\"700\" fill=\"#fff\" text-anchor=\"middle\">B</text></svg>";

fn pages(state: &AppState) -> impl Endpoint + use<> {
    // Each capability adds its own pages.
    let adders: [fn(Route) -> Route; 13] = [
        crate::home::pages::routes,
        crate::accounts::routes::routes,
        crate::personal_data::pages::routes,
        crate::catalog::pages::routes,
        crate::banks::pages::routes,
        crate::schedule::pages::routes,
        crate::attempts::pages::routes,
        crate::exams::pages::routes,
        crate::certificates::pages::routes,
        crate::records::pages::routes,
        crate::notices::pages::routes,
        crate::evaluations::pages::routes,
        crate::reports::pages::routes,
    ];
    adders
        .into_iter()
        .fold(Route::new(), |route, add| add(route))
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
        .at(
            "/static/app.css",
            get(static_file(
                include_str!("../../templates/static/app.css"),
                "text/css; charset=utf-8",
                3600,
            )),
        )
        .at(
            "/favicon.ico",
            get(static_file(FAVICON, "image/svg+xml", 86400)),
        )
        // The scripts enhance their pages (autosave and countdown, the grading
        // total, the certificate number preview, the quiz editor's rule
        // helper); every page works without them.
        .at(
            "/static/quiz.js",
            get(static_file(
                include_str!("../../templates/static/quiz.js"),
                SCRIPT,
                3600,
            )),
        )
        .at(
            "/static/grading.js",
            get(static_file(
                include_str!("../../templates/static/grading.js"),
                SCRIPT,
                3600,
            )),
        )
        .at(
            "/static/certificate_settings.js",
            get(static_file(
                include_str!("../../templates/static/certificate_settings.js"),
                SCRIPT,
                3600,
            )),
        )
        .at(
            "/static/quiz_edit.js",
            get(static_file(
                include_str!("../../templates/static/quiz_edit.js"),
                SCRIPT,
                3600,
            )),
        )
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
