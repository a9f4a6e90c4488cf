//! Responses that answer one status in several media types.
//!
//! poem-openapi documents each variant of an `ApiResponse` enum as its own
//! response, keyed by status; variants that share a status (JSON, CSV or
//! XLSX of one table; GIFT or XML of one bank) overwrite each other and the
//! document shows only the last. [`Alternatives`] documents them as one
//! response listing every media type, with a header required only when
//! every variant sends it.

use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{MetaResponse, MetaResponses, Registry};

/// `R`, documented with its same-status variants merged.
pub struct Alternatives<R>(pub R);

impl<R: ApiResponse> ApiResponse for Alternatives<R> {
    fn meta() -> MetaResponses {
        merge(R::meta())
    }

    fn register(registry: &mut Registry) {
        R::register(registry);
    }
}

impl<R: IntoResponse> IntoResponse for Alternatives<R> {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

/// One response per status: contents concatenated, the first variant's
/// description (so it should speak for all), headers kept once and required
/// only if required in every variant.
pub fn merge(meta: MetaResponses) -> MetaResponses {
    let mut merged: Vec<MetaResponse> = Vec::new();
    for response in meta.responses {
        let same = merged
            .iter_mut()
            .find(|m| m.status == response.status && m.status_range == response.status_range);
        let Some(into) = same else {
            merged.push(response);
            continue;
        };
        for header in &mut into.headers {
            if !response.headers.iter().any(|h| h.name == header.name) {
                header.required = false;
            }
        }
        for mut header in response.headers {
            match into.headers.iter_mut().find(|h| h.name == header.name) {
                Some(existing) => existing.required &= header.required,
                None => {
                    header.required = false;
                    into.headers.push(header);
                }
            }
        }
        for content in response.content {
            if !into
                .content
                .iter()
                .any(|c| c.content_type == content.content_type)
            {
                into.content.push(content);
            }
        }
        if into.description.is_empty() {
            into.description = response.description;
        }
    }
    MetaResponses { responses: merged }
}
