//! CSRF protection for every HTML form. poem's `Csrf` middleware (keyed by
//! a secret stored in the database, see `secrets`) sets the cookie half of
//! the token pair; `CheckedForm` checks the form half before the handler
//! ever sees the data, so no form handler can forget it.

use poem::web::{CsrfVerifier, Form};
use poem::{FromRequest, Request, RequestBody, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::error::AppError;

pub const FIELD: &str = "csrf_token";

/// 403 unless `token` matches this browser's CSRF cookie.
pub fn verify(verifier: &CsrfVerifier, token: &str) -> Result<(), AppError> {
    if verifier.is_valid(token) {
        Ok(())
    } else {
        Err(AppError::CsrfFailed)
    }
}

#[derive(Deserialize)]
struct WithToken<T> {
    csrf_token: Option<String>,
    #[serde(flatten)]
    fields: T,
}

/// A URL-encoded form whose CSRF token has been verified.
pub struct CheckedForm<T>(pub T);

impl<'a, T: DeserializeOwned + Send> FromRequest<'a> for CheckedForm<T> {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> Result<Self> {
        let verifier = <&CsrfVerifier>::from_request(req, body).await?;
        let Form(form) = Form::<WithToken<T>>::from_request(req, body).await?;
        verify(verifier, form.csrf_token.as_deref().unwrap_or_default())?;
        Ok(CheckedForm(form.fields))
    }
}

/// A URL-encoded form read as its raw name–value pairs (names may repeat,
/// as check boxes do), with the CSRF token verified and removed.
pub struct CheckedPairs(pub Vec<(String, String)>);

impl<'a> FromRequest<'a> for CheckedPairs {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> Result<Self> {
        let verifier = <&CsrfVerifier>::from_request(req, body).await?;
        let Form(mut pairs) = Form::<Vec<(String, String)>>::from_request(req, body).await?;
        let token = pairs
            .iter()
            .position(|(name, _)| name == FIELD)
            .map(|i| pairs.remove(i).1)
            .unwrap_or_default();
        verify(verifier, &token)?;
        Ok(CheckedPairs(pairs))
    }
}
