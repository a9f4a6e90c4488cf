//! Uploads, read once for every capability: a file of the JSON API (an
//! OpenAPI `Upload`), or a page's multipart form with its CSRF field. Each
//! is bounded by the limit its capability names, and a page's file is read
//! in pieces, so no more than the limit is ever held.

use std::collections::HashMap;

use poem::web::{CsrfVerifier, Multipart};
use poem_openapi::types::multipart::Upload;
use tokio::io::AsyncReadExt;

use crate::error::{AppError, AppResult};
use crate::http::csrf;

/// A text field of a page's form is a word or a name, never a document.
const MAX_TEXT_FIELD_BYTES: u64 = 4 * 1024;

fn too_big(limit: usize) -> AppError {
    AppError::invalid_field(
        "file",
        format!(
            "berkas terlalu besar (maksimal {} MiB)",
            limit.div_ceil(1024 * 1024)
        ),
    )
}

fn unreadable(err: impl std::fmt::Display) -> AppError {
    AppError::BadRequest(format!("Berkas tidak terbaca: {err}"))
}

/// The file name and bytes of an API upload no larger than `limit`.
pub async fn read_upload(upload: Upload, limit: usize) -> AppResult<(Option<String>, Vec<u8>)> {
    if upload.size() > limit {
        return Err(too_big(limit));
    }
    let name = upload.file_name().map(str::to_owned);
    let bytes = upload.into_vec().await.map_err(unreadable)?;
    Ok((name, bytes))
}

/// The file of a page's form.
pub struct PageFile {
    pub name: Option<String>,
    pub bytes: Vec<u8>,
}

/// A page's multipart form: its text fields and its `file`, if one was chosen.
pub struct PageUpload {
    fields: HashMap<String, String>,
    pub file: Option<PageFile>,
}

impl PageUpload {
    /// A text field's value (a ticked checkbox: "on").
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// Whether a checkbox was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.fields.contains_key(name)
    }
}

async fn read_bounded(
    reader: impl tokio::io::AsyncRead + Unpin,
    limit: u64,
) -> Result<Option<Vec<u8>>, std::io::Error> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes).await?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// Reads a page's multipart form: checks its CSRF field, keeps text fields
/// (each up to 4 KiB) and the field `file` (up to `limit` bytes; an empty
/// one counts as not chosen).
pub async fn page_form(
    mut multipart: Multipart,
    verifier: &CsrfVerifier,
    limit: usize,
) -> AppResult<PageUpload> {
    let mut fields = HashMap::new();
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|err| AppError::BadRequest(format!("Unggahan rusak: {err}")))?
    {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        if name == "file" {
            let file_name = field.file_name().map(str::to_owned);
            let bytes = read_bounded(field.into_async_read(), limit as u64)
                .await
                .map_err(unreadable)?
                .ok_or_else(|| too_big(limit))?;
            if !bytes.is_empty() {
                file = Some(PageFile {
                    name: file_name,
                    bytes,
                });
            }
        } else {
            let value = read_bounded(field.into_async_read(), MAX_TEXT_FIELD_BYTES)
                .await
                .map_err(unreadable)?
                .ok_or_else(|| AppError::invalid_field(&name, "isian terlalu panjang"))?;
            fields.insert(name, String::from_utf8_lossy(&value).into_owned());
        }
    }
    csrf::verify(
        verifier,
        fields.get(csrf::FIELD).map(String::as_str).unwrap_or(""),
    )?;
    Ok(PageUpload { fields, file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_is_read_up_to_its_limit_and_no_further() {
        let exact = read_bounded(&b"12345"[..], 5).await.unwrap();
        assert_eq!(exact.as_deref(), Some(&b"12345"[..]));
        assert_eq!(read_bounded(&b"123456"[..], 5).await.unwrap(), None);
        assert_eq!(read_bounded(&b""[..], 5).await.unwrap(), Some(Vec::new()));
    }

    #[test]
    fn the_limit_is_said_in_whole_mib() {
        let AppError::Validation { details, .. } = too_big(10 * 1024 * 1024) else {
            panic!("a field error");
        };
        assert_eq!(details[0].field, "file");
        assert!(details[0].message.contains("maksimal 10 MiB"));
    }
}
