//! Small pieces the HTML page handlers share.

use poem::http::StatusCode;
use poem::web::{Html, Redirect};
use poem::{IntoResponse, Response};

/// A form shown again with its errors.
pub fn unprocessable(page: Html<String>) -> Response {
    page.with_status(StatusCode::UNPROCESSABLE_ENTITY)
        .into_response()
}

/// The answer to a page's save: back to `path` with `notice`, or, when
/// the input was refused, the same page again (422) with each error beside
/// its field, as `redisplay` builds it.
pub async fn saved_or_redisplay<T, Page>(
    result: crate::error::AppResult<T>,
    path: &str,
    notice: &str,
    redisplay: impl FnOnce(Vec<crate::error::FieldError>) -> Page,
) -> crate::error::AppResult<Response>
where
    Page: std::future::Future<Output = crate::error::AppResult<Html<String>>>,
{
    match result {
        Ok(_) => Ok(redirect_with(path, Ok(notice)).into_response()),
        Err(crate::error::AppError::Validation { details, .. }) => {
            Ok(unprocessable(redisplay(details).await?))
        }
        Err(err) => Err(err),
    }
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

/// Back to `path` after an action: with `notice(value)` when it worked, or
/// with the refusal's message when it was a conflict or bad input (every
/// field's message, joined). Any other error is the caller's to raise.
pub fn redirect_after<T>(
    path: &str,
    result: crate::error::AppResult<T>,
    notice: impl FnOnce(T) -> String,
) -> crate::error::AppResult<Redirect> {
    use crate::error::AppError;
    match result {
        Ok(value) => Ok(redirect_with(path, Ok(&notice(value)))),
        Err(AppError::Conflict { message, .. }) => Ok(redirect_with(path, Err(&message))),
        Err(AppError::Validation { details, .. }) => {
            let text: Vec<String> = details.iter().map(|d| d.message.clone()).collect();
            Ok(redirect_with(path, Err(&text.join("; "))))
        }
        Err(other) => Err(other),
    }
}

/// The page's answer when an irreversible action's confirmation box was
/// left unticked: back, with `message`, nothing done.
pub fn unconfirmed(
    confirm: &Option<String>,
    back: &str,
    message: &str,
) -> Option<crate::error::AppResult<Redirect>> {
    confirm.is_none().then(|| {
        redirect_after::<()>(
            back,
            Err(crate::error::AppError::invalid_field("confirm", message)),
            |_| String::new(),
        )
    })
}

/// The message a page shows after a redirect (`?notice=` or `?error=`).
#[derive(serde::Deserialize, serde::Serialize, Default, Debug, Clone)]
pub struct Flash {
    pub notice: Option<String>,
    pub error: Option<String>,
}
