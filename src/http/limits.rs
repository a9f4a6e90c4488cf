//! Request body size limits. A declared `Content-Length` over the limit is
//! refused before reading; a chunked body is read up to the limit and
//! refused the moment it passes it. The limit depends on who asks: the
//! session is resolved before any body is read, and someone not signed in
//! has nothing bigger to send than a sign-in form, so an anonymous caller
//! cannot make the server hold megabytes.

use poem::http::{StatusCode, header};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};
use tokio::io::AsyncReadExt;

use crate::error::AppError;

use crate::http::auth::SessionUser;

pub struct BodyLimit {
    max_bytes: usize,
    anonymous_max_bytes: usize,
}

impl BodyLimit {
    /// `max_bytes` for a signed-in caller, `anonymous_max_bytes` for anyone else.
    pub fn new(max_bytes: usize, anonymous_max_bytes: usize) -> Self {
        BodyLimit {
            max_bytes,
            anonymous_max_bytes,
        }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint {
            inner,
            max_bytes: self.max_bytes,
            anonymous_max_bytes: self.anonymous_max_bytes,
        }
    }
}

pub struct BodyLimitEndpoint<E> {
    inner: E,
    max_bytes: usize,
    anonymous_max_bytes: usize,
}

fn too_large(max_bytes: usize) -> poem::Error {
    AppError::Http {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: format!("Isi permintaan melebihi batas {} KiB.", max_bytes / 1024),
    }
    .into()
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let signed_in = req.data::<SessionUser>().is_some_and(|s| s.0.is_some());
        let max_bytes = if signed_in {
            self.max_bytes
        } else {
            self.anonymous_max_bytes
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        match declared {
            Some(len) if len > max_bytes => return Err(too_large(max_bytes)),
            Some(_) => {}
            None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
                let mut buffer = Vec::new();
                req.take_body()
                    .into_async_read()
                    .take(max_bytes as u64 + 1)
                    .read_to_end(&mut buffer)
                    .await
                    .map_err(|err| {
                        AppError::BadRequest(format!("Isi permintaan terputus: {err}"))
                    })?;
                if buffer.len() > max_bytes {
                    return Err(too_large(max_bytes));
                }
                req.set_body(Body::from(buffer));
            }
            None => {}
        }
        Ok(self.inner.call(req).await?.into_response())
    }
}
