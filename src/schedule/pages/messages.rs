//! A batch's messages (administrators): what was sent to whom and when,
//! what waits and why, and the download for sending by hand.

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path};
use poem::{Response, handler};
use uuid::Uuid;

use super::super::service;
use crate::error::AppResult;
use crate::http::auth::PageUser;
use crate::http::state::AppState;
use crate::http::templates::to_value;
use crate::notices::model::MessageCounts;

#[handler]
pub async fn log(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    let messages = service::messages(&state.db, user, id.0).await?;
    let detail = service::detail(&state.db, user, id.0).await?;
    let counts = MessageCounts::of(messages.iter().map(|m| m.status));
    let rows: Vec<_> = messages
        .iter()
        .map(|m| {
            context! {
                kind => m.kind.label(),
                to_name => m.to_name.clone(),
                to_address => m.to_address.clone(),
                subject => m.subject.clone(),
                status => m.status.label(),
                status_key => to_value(m.status),
                attempts => m.attempts,
                created_at => crate::clock::format_datetime_wib(m.created_at),
                due_at => crate::clock::format_datetime_wib(m.next_attempt_at),
                sent_at => m.sent_at.map(crate::clock::format_datetime_wib),
                last_error => m.last_error.clone(),
            }
        })
        .collect();
    state.templates.page(
        "admin/batch_messages.html",
        Some(user),
        csrf,
        context! {
            batch => to_value(&detail.batch),
            messages => rows,
            counts => to_value(&counts),
            sending => state.mailer.is_some(),
        },
    )
}

#[handler]
pub async fn download(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
) -> AppResult<Response> {
    let messages = service::messages(&state.db, &user.0, id.0).await?;
    let (headers, rows) = crate::notices::service::table(&messages);
    Ok(crate::download::attachment(
        crate::download::csv(&headers, &rows)?,
        "text/csv; charset=utf-8",
        &format!("surel-angkatan-{}.csv", id.0),
    ))
}
