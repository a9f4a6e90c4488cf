//! Small pieces the HTML page handlers share.

use poem::http::StatusCode;
use poem::web::{Html, Redirect};
use poem::{IntoResponse, Response};

/// A form shown again with its errors.
pub fn unprocessable(page: Html<String>) -> Response {
    page.with_status(StatusCode::UNPROCESSABLE_ENTITY)
        .into_response()
}

/// Percent-encodes `text` for a query string.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Back to `path` with a one-line message for the page to show: a notice
/// when `message` is `Ok`, an error when it is `Err`.
pub fn redirect_with(path: &str, message: Result<&str, &str>) -> Redirect {
    let (key, text) = match message {
        Ok(text) => ("notice", text),
        Err(text) => ("error", text),
    };
    let separator = if path.contains('?') { '&' } else { '?' };
    Redirect::see_other(format!("{path}{separator}{key}={}", urlencode(text)))
}
