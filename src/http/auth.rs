//! Who is calling: the session middleware resolves the bearer token or the
//! session cookie once per request; the API reads the result through the
//! `Auth` security scheme, the pages through the `PageUser` extractor.

use poem::http::StatusCode;
use poem::web::cookie::{Cookie, SameSite};
use std::net::IpAddr;

use poem::web::Redirect;
use poem::{Endpoint, FromRequest, IntoResponse, Request, RequestBody, Response, Result};
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{ApiKey, Bearer};
use time::OffsetDateTime;

use crate::accounts::model::{CurrentUser, Role};
use crate::accounts::sessions::{self, NewSession};
use crate::config::Config;
use crate::error::AppError;
use crate::http::csrf::{CookieSession, api_token};
use crate::http::state::AppState;

pub const SESSION_COOKIE: &str = "bimtek_session";

/// The session resolved for this request, if any.
#[derive(Clone, Default)]
pub struct SessionUser(pub Option<CurrentUser>);

fn bearer_token(req: &Request) -> Option<String> {
    let value = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Middleware: looks up the caller's session (bearer header first, then
/// cookie) and stores the result for the handlers.
pub async fn resolve_session<E: Endpoint>(next: E, mut req: Request) -> Result<Response> {
    let bearer = bearer_token(&req);
    let from_cookie = bearer.is_none();
    let token = bearer.or_else(|| {
        req.cookie()
            .get(SESSION_COOKIE)
            .map(|c| c.value_str().to_owned())
    });
    let user = match (&token, req.data::<AppState>()) {
        (Some(token), Some(state)) if !token.is_empty() => {
            sessions::resolve(&state.db, token).await?
        }
        _ => None,
    };
    if let (true, Some(token), Some(_)) = (from_cookie, token, &user) {
        req.set_data(CookieSession(token));
    }
    req.set_data(SessionUser(user));
    Ok(next.call(req).await?.into_response())
}

fn session_user(req: &Request) -> Result<CurrentUser> {
    req.data::<SessionUser>()
        .and_then(|s| s.0.clone())
        .ok_or_else(|| AppError::Unauthenticated.into())
}

async fn bearer_checker(req: &Request, _: Bearer) -> Result<CurrentUser> {
    session_user(req)
}

async fn cookie_checker(req: &Request, _: ApiKey) -> Result<CurrentUser> {
    session_user(req)
}

/// `Authorization: Bearer <token>` from `POST /api/v1/auth/login`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "bearer_checker")]
pub struct BearerAuth(CurrentUser);

/// The session cookie set by `POST /api/v1/auth/login` or the login page.
#[derive(SecurityScheme)]
#[oai(
    ty = "api_key",
    key_name = "bimtek_session",
    key_in = "cookie",
    checker = "cookie_checker"
)]
pub struct CookieAuth(CurrentUser);

/// A signed-in caller of the JSON API.
#[derive(SecurityScheme)]
pub enum Auth {
    Bearer(BearerAuth),
    Cookie(CookieAuth),
}

impl Auth {
    pub fn user(&self) -> &CurrentUser {
        match self {
            Auth::Bearer(b) => &b.0,
            Auth::Cookie(c) => &c.0,
        }
    }

    /// The caller, if they hold `role`; 403 otherwise.
    pub fn require(&self, role: Role) -> Result<&CurrentUser, AppError> {
        let user = self.user();
        user.require(role)?;
        Ok(user)
    }
}

/// The token our page hands its script for calling the API with the
/// session cookie (see `csrf::guard_api`); empty for a bearer session.
pub struct ApiToken(pub String);

impl<'a> FromRequest<'a> for ApiToken {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> Result<Self> {
        let token = match (req.data::<CookieSession>(), req.data::<AppState>()) {
            (Some(CookieSession(session)), Some(state)) => api_token(&state.csrf_key, session),
            _ => String::new(),
        };
        Ok(ApiToken(token))
    }
}

/// Sent instead of a page when nobody is signed in.
#[derive(Debug, thiserror::Error)]
#[error("login required")]
pub struct LoginRequired;

impl poem::error::ResponseError for LoginRequired {
    fn status(&self) -> StatusCode {
        StatusCode::SEE_OTHER
    }

    fn as_response(&self) -> Response {
        Redirect::see_other("/login").into_response()
    }
}

/// The signed-in user of a page; anonymous visitors are sent to `/login`.
pub struct PageUser(pub CurrentUser);

impl<'a> FromRequest<'a> for PageUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> Result<Self> {
        match req.data::<SessionUser>().and_then(|s| s.0.clone()) {
            Some(user) => Ok(PageUser(user)),
            None => Err(LoginRequired.into()),
        }
    }
}

impl PageUser {
    pub fn require(&self, role: Role) -> Result<&CurrentUser, AppError> {
        self.0.require(role)?;
        Ok(&self.0)
    }
}

/// Hands a new session to the browser as its cookie.
pub fn start_session(
    cookies: &poem::web::cookie::CookieJar,
    config: &Config,
    session: &NewSession,
) {
    cookies.add(session_cookie(config, &session.token, session.expires_at));
}

fn session_cookie(config: &Config, token: &str, expires_at: OffsetDateTime) -> Cookie {
    let mut cookie = Cookie::new_with_str(SESSION_COOKIE, token);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(config.secure_cookies());
    cookie.set_path("/");
    let remaining = (expires_at - crate::clock::now()).whole_seconds().max(0) as u64;
    cookie.set_max_age(std::time::Duration::from_secs(remaining));
    cookie
}

pub fn expired_session_cookie(config: &Config) -> Cookie {
    let mut cookie = session_cookie(config, "", crate::clock::now());
    cookie.set_max_age(std::time::Duration::ZERO);
    cookie
}

/// The client's IP address, for throttling: the peer, or the address a
/// trusted proxy forwarded (see `trusted_proxies`).
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    pub fn key(&self) -> Option<String> {
        self.0.map(|ip| ip.to_string())
    }
}

/// Middleware: works out the client's address once per request.
pub async fn resolve_client<E: Endpoint>(next: E, mut req: Request) -> Result<Response> {
    let peer = req.remote_addr().as_socket_addr().map(|addr| addr.ip());
    let client = match (peer, req.data::<AppState>()) {
        (Some(peer), Some(state)) => {
            let forwarded: Vec<&str> = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            Some(state.config.trusted_proxies.client(peer, &forwarded))
        }
        (peer, _) => peer,
    };
    req.set_data(ClientIp(client));
    Ok(next.call(req).await?.into_response())
}
