//! Per-request bookkeeping: a request id, one log line, metrics, and the
//! headers every response carries.

use std::time::Instant;

use poem::PathPattern;
use poem::http::{HeaderValue, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response, Result};

use crate::http::state::AppState;

const REQUEST_ID: &str = "x-request-id";

/// Wraps every request: logs method, route, status and latency under a
/// request id (taken from the client when it sent a sane one), counts it in
/// the metrics, and adds `X-Request-Id` and `nosniff` to the response.
pub async fn observe<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    let started = Instant::now();
    let method = req.method().to_string();
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let state = req.data::<AppState>().cloned();

    let (mut response, pattern) = match next.call(req).await {
        Ok(resp) => {
            let resp = resp.into_response();
            let pattern = resp.data::<PathPattern>().map(|p| p.0.to_string());
            (resp, pattern)
        }
        Err(err) => {
            let pattern = err.data::<PathPattern>().map(|p| p.0.to_string());
            (err.into_response(), pattern)
        }
    };

    // Unmatched paths share one label so that scanners cannot blow up the metrics.
    let route = pattern.unwrap_or_else(|| "unmatched".into());
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(state) = state {
        state
            .metrics
            .observe(&method, &route, status, elapsed.as_secs_f64());
    }
    tracing::info!(
        request_id = %request_id,
        method = %method,
        route = %route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

const PAGE_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
    script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
    object-src 'none'";

/// Headers for HTML pages: no framing, no third-party scripts or styles.
pub async fn page_headers<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    let response = next.call(req).await?.into_response();
    Ok(with_page_headers(
        response,
        HeaderValue::from_static(PAGE_CSP),
    ))
}

fn with_page_headers(mut response: Response, csp: HeaderValue) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// The API documentation page's policy: the pages' rules, except that its
/// inline scripts (Swagger UI ships as one HTML page) run when their hash is
/// listed, and its styles may be inline.
pub fn docs_csp(html: &str) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let mut hashes = String::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let (Some(body_start), Some(close)) = (after.find('>'), after.find("</script>")) else {
            break;
        };
        if body_start < close {
            let digest = Sha256::digest(&after.as_bytes()[body_start + 1..close]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push_str(&format!(" 'sha256-{encoded}'"));
        }
        rest = &after[close + "</script>".len()..];
    }
    format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
         script-src 'self'{hashes}; connect-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}

/// Wraps the API documentation page with the pages' headers and `csp`.
pub fn docs_headers<E: Endpoint + 'static>(docs: E, csp: String) -> impl Endpoint + use<E> {
    let csp = HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static(PAGE_CSP));
    docs.around(move |next, req| {
        let csp = csp.clone();
        async move {
            let response = next.call(req).await?.into_response();
            Ok(with_page_headers(response, csp))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_policy_lists_each_inline_script() {
        let csp = docs_csp("<script charset=\"UTF-8\">a()</script><p></p><script>b()</script>");
        assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("'unsafe-inline'; script-src 'self' 'unsafe-inline'"));
    }
}
