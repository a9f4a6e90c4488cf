//! Turning failures into responses: JSON for the API, an HTML page for
//! browsers. Either way the status and message come from `AppError`.

use minijinja::context;
use poem::PathPattern;
use poem::web::CsrfToken;
use poem::{Endpoint, IntoResponse, Request, Response, Result};

use crate::error::AppError;
use crate::http::auth::{LoginRequired, SessionUser};
use crate::http::state::AppState;

/// API middleware: every error, including poem's own (bad JSON, unknown
/// path), leaves as `{"error": {...}}`.
pub async fn json_errors<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    match next.call(req).await {
        Ok(resp) => Ok(resp.into_response()),
        Err(err) => {
            let pattern = err.data::<PathPattern>().cloned();
            let mut resp = poem::error::ResponseError::as_response(&AppError::from_poem(err));
            if let Some(pattern) = pattern {
                resp.set_data(pattern);
            }
            Ok(resp)
        }
    }
}

/// Page middleware: errors become a readable HTML page; a visitor who is not
/// signed in is redirected to the login page instead.
pub async fn html_errors<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    let state = req.data::<AppState>().cloned();
    let csrf = req
        .extensions()
        .get::<CsrfToken>()
        .map(|t| t.0.clone())
        .unwrap_or_default();
    let user = req.data::<SessionUser>().and_then(|s| s.0.clone());
    match next.call(req).await {
        Ok(resp) => Ok(resp.into_response()),
        Err(err) if err.is::<LoginRequired>() => Ok(err.into_response()),
        Err(err) => {
            let pattern = err.data::<PathPattern>().cloned();
            let app_err = AppError::from_poem(err);
            let status = app_err.status();
            if status.is_server_error() {
                tracing::error!(error = %app_err, "page failed");
            }
            let mut resp = match state {
                Some(state) => state
                    .templates
                    .page(
                        "error.html",
                        user.as_ref(),
                        &csrf,
                        context! { status => status.as_u16(), message => app_err.public_message() },
                    )
                    .map(|page| page.with_status(status).into_response())
                    .unwrap_or_else(|_| {
                        app_err.public_message().with_status(status).into_response()
                    }),
                None => app_err.public_message().with_status(status).into_response(),
            };
            if let Some(pattern) = pattern {
                resp.set_data(pattern);
            }
            Ok(resp)
        }
    }
}
