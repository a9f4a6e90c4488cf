//! CSRF protection. For every HTML form, poem's `Csrf` middleware (keyed by
//! a secret stored in the database, see `secrets`) sets the cookie half of
//! the token pair; `CheckedForm` checks the form half before the handler
//! ever sees the data, so no form handler can forget it.
//!
//! The JSON API is called with a bearer token by programs, and with the
//! session cookie by our own pages' scripts (the quiz autosave). A cookie
//! is sent by the browser whoever asks, so an unsafe API call that rides on
//! the cookie must come from our origin and carry the page's `X-CSRF-Token`
//! (a MAC of the session under the instance's CSRF key).

use hmac::{Hmac, Mac};
use poem::http::{HeaderMap, Method};
use poem::web::{CsrfVerifier, Form};
use poem::{Endpoint, FromRequest, IntoResponse, Request, RequestBody, Response, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use crate::error::AppError;
use crate::http::state::AppState;

/// The header our pages' scripts send the API token in.
pub const API_HEADER: &str = "x-csrf-token";

/// The session token, when this request's session came from the cookie
/// (set by the session middleware; absent for bearer calls).
#[derive(Clone)]
pub struct CookieSession(pub String);

fn api_mac(key: &[u8; 32], session_token: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(b"bimtek api csrf\0");
    mac.update(session_token.as_bytes());
    mac
}

/// The token a page hands its script for API calls in this session.
pub fn api_token(key: &[u8; 32], session_token: &str) -> String {
    hex::encode(&api_mac(key, session_token).finalize().into_bytes()[..16])
}

fn api_token_valid(key: &[u8; 32], session_token: &str, given: &str) -> bool {
    let Ok(bytes) = hex::decode(given.trim()) else {
        return false;
    };
    bytes.len() == 16
        && api_mac(key, session_token)
            .verify_truncated_left(&bytes)
            .is_ok()
}

/// `scheme://host[:port]` of a URL, lowercased.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}").to_lowercase())
}

/// Whether the browser says this request comes from another site: its
/// `Sec-Fetch-Site` is not same-origin, or its `Origin` is neither the host
/// it was sent to nor the configured public URL. Programs send neither
/// header; they are then judged by the token alone.
pub fn cross_site(headers: &HeaderMap, base_url: &str) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site").is_some_and(|site| site != "same-origin") {
        return true;
    }
    let Some(origin) = text("origin") else {
        return false;
    };
    let origin = origin.to_lowercase();
    let own_host = text("host").map(str::to_lowercase);
    let same_host = own_host.is_some_and(|host| {
        origin_of(&origin).is_some_and(|o| o.split_once("://").is_some_and(|(_, h)| h == host))
    });
    !(same_host || origin_of(base_url).as_deref() == Some(origin.as_str()))
}

/// Middleware for the JSON API: refuses an unsafe call authenticated by the
/// session cookie when it is cross-site or lacks the page's token.
pub async fn guard_api<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method
        && let (Some(CookieSession(session)), Some(state)) =
            (req.data::<CookieSession>(), req.data::<AppState>())
    {
        let given = req
            .headers()
            .get(API_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if cross_site(req.headers(), &state.config.base_url)
            || !api_token_valid(&state.csrf_key, session, given)
        {
            return Err(AppError::CsrfFailed.into());
        }
    }
    Ok(next.call(req).await?.into_response())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    const BASE: &str = "https://bimtek.magelangkota.go.id";

    #[test]
    fn same_origin_passes_other_sites_do_not() {
        let ok = [
            headers(&[]),
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
            ]),
            headers(&[("origin", "https://bimtek.magelangkota.go.id")]),
            headers(&[
                ("sec-fetch-site", "same-origin"),
                ("host", "a"),
                ("origin", "http://a"),
            ]),
        ];
        for h in &ok {
            assert!(!cross_site(h, BASE), "{h:?}");
        }
        let refused = [
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://evil.example"),
            ]),
            headers(&[("origin", "null")]),
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[("sec-fetch-site", "same-site"), ("origin", BASE)]),
            headers(&[("host", "a.example"), ("origin", "http://a.example.evil")]),
        ];
        for h in &refused {
            assert!(cross_site(h, BASE), "{h:?}");
        }
    }

    #[test]
    fn the_token_belongs_to_one_session() {
        let key = [7u8; 32];
        let token = api_token(&key, "sesi-a");
        assert!(api_token_valid(&key, "sesi-a", &token));
        assert!(!api_token_valid(&key, "sesi-b", &token));
        assert!(!api_token_valid(&[8u8; 32], "sesi-a", &token));
        assert!(!api_token_valid(&key, "sesi-a", ""));
        assert!(!api_token_valid(&key, "sesi-a", &token[..30]));
    }
}
