//! Turning failures into responses: JSON for the API, an HTML page for
//! browsers. Either way the status and message come from `AppError`.

use minijinja::context;
use poem::PathPattern;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::web::CsrfToken;
use poem::{Endpoint, IntoResponse, Request, Response, Result};

use crate::error::AppError;
use crate::http::auth::{LoginRequired, SessionUser};
use crate::http::explain::{self, RequestFacts};
use crate::http::spec;
use crate::http::state::AppState;

/// API middleware: every error, including poem's own (bad JSON, unknown
/// path), leaves as `{"error": {...}}`; a request that does not parse is
/// explained in Indonesian, naming the field (see `explain`), and a 405
/// lists the path's methods in `Allow`.
pub async fn json_errors<E: Endpoint>(next: E, mut req: Request) -> Result<Response> {
    let facts = RequestFacts::take(&mut req).await?;
    let signed_in = req.data::<SessionUser>().is_some_and(|s| s.0.is_some());
    if let Some(refused) = facts.refuse_body(req.original_uri().path(), signed_in) {
        return Ok(poem::error::ResponseError::as_response(&refused));
    }
    match next.call(req).await {
        Ok(resp) => Ok(resp.into_response()),
        Err(err) => {
            let pattern = err.data::<PathPattern>().cloned();
            let app_err = explain::api_error(err, &facts, pattern.as_ref().map(|p| &*p.0));
            let mut resp = poem::error::ResponseError::as_response(&app_err);
            if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
                let methods = pattern
                    .as_ref()
                    .and_then(|p| spec::allowed_methods(&spec::document().value, &p.0))
                    .unwrap_or_default();
                let allow = methods
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Ok(value) = HeaderValue::from_str(&allow) {
                    resp.headers_mut().insert(header::ALLOW, value);
                }
            }
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
