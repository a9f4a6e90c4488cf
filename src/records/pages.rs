//! The JP report page: a bar chart per OPD (server-rendered SVG), who is
//! below 20 JP, and the downloads.

use minijinja::context;
use poem::handler;
use poem::web::{CsrfToken, Data, Html, Query};
use poem::{Route, get};
use serde::Deserialize;

use super::model::bar_chart;
use super::service;
use crate::error::AppResult;
use crate::http::auth::PageUser;
use crate::http::state::AppState;
use crate::http::templates::to_value;

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

#[handler]
pub async fn jp_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    Query(q): Query<YearQuery>,
) -> AppResult<Html<String>> {
    let year = q.year.unwrap_or_else(|| crate::clock::today_wib().year());
    let report = service::jp_report(&state.engine, &user.0, year).await?;
    let chart = bar_chart(&report.opd);
    state.templates.page(
        "records/jp.html",
        Some(&user.0),
        csrf,
        context! { report => to_value(&report), chart => chart },
    )
}

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    route.at("/admin/records/jp", get(jp_page))
}
