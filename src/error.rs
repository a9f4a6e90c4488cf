//! The one error type of the service and its HTTP mapping.
//!
//! Services, stores and handlers all return `AppError`; this file alone
//! decides the status code and the JSON body
//! `{"error": {"code", "message", "details"}}`. Database and unexpected
//! failures are logged here and shown as an opaque 500. Errors raised by
//! poem itself (malformed JSON, unknown route, …) are reshaped by
//! [`AppError::from_poem`] so that clients see one format only.

use poem::http::{StatusCode, header};
use poem::{IntoResponse, Response, error::ResponseError};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiResponse, Object};
use sea_orm::{DbErr, SqlErr};

use crate::conflict::Conflict;

pub type AppResult<T> = Result<T, AppError>;

/// One problem with one field, optionally in one row of an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Object, serde::Serialize)]
pub struct FieldError {
    /// Spreadsheet row number (the header is row 1); absent for JSON bodies.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// Column within the line, for errors in text files such as question banks.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The uploaded file the problem is in, when an import names its files
    /// (question banks); `field` is then `file`.
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            row: None,
            column: None,
            file: None,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn at_row(row: u32, field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            row: Some(row),
            ..FieldError::new(field, message)
        }
    }

    /// A problem at `line` and `column` of the text file `file`.
    pub fn in_file(file: &str, line: u32, column: u32, message: impl Into<String>) -> Self {
        FieldError {
            row: Some(line),
            column: Some(column),
            file: Some(file.to_owned()),
            ..FieldError::new("file", message)
        }
    }

    /// Where the problem is, each part in its place: `bank.gift, baris 3,
    /// kolom 5` in a text file, `Baris 3, kolom nip` in a spreadsheet (the
    /// column by its header), `nip` in a form or JSON body.
    pub fn place(&self) -> String {
        let mut parts = Vec::new();
        if let Some(file) = &self.file {
            parts.push(file.clone());
        }
        if let Some(row) = self.row {
            parts.push(format!("baris {}", crate::numbers::grouped(row.into())));
        }
        match (self.column, self.row) {
            (Some(column), _) => parts.push(format!("kolom {column}")),
            (None, Some(_)) if self.field != "file" => parts.push(format!("kolom {}", self.field)),
            (None, None) if self.field != "file" || parts.is_empty() => {
                parts.push(self.field.clone())
            }
            _ => {}
        }
        let place = parts.join(", ");
        match place.strip_prefix("baris") {
            Some(rest) if self.file.is_none() => format!("Baris{rest}"),
            _ => place,
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place(), self.message)
    }
}

#[derive(Debug, Object, serde::Serialize)]
pub struct ErrorInfo {
    /// Stable, machine-readable snake_case code.
    pub code: String,
    /// Human-readable explanation (Bahasa Indonesia).
    pub message: String,
    #[oai(skip_serializing_if_is_none)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Vec<FieldError>>,
}

#[derive(Debug, Object, serde::Serialize)]
pub struct ErrorBody {
    pub error: ErrorInfo,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("Anda belum masuk atau sesi Anda telah berakhir.")]
    Unauthenticated,
    #[error("Login atau kata sandi salah.")]
    InvalidCredentials,
    #[error("Login atau kode aktivasi salah, atau kodenya sudah tidak berlaku.")]
    InvalidActivationCode,
    #[error(
        "Tautan atur ulang kata sandi tidak sah, sudah dipakai, atau sudah kedaluwarsa. Minta tautan baru."
    )]
    InvalidResetLink,
    #[error("Anda tidak berwenang melakukan tindakan ini.")]
    Forbidden,
    #[error("Data tidak ditemukan.")]
    NotFound,
    #[error("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.")]
    CsrfFailed,
    #[error("{message}")]
    Conflict {
        code: Conflict,
        message: String,
        /// What stands in the way, one entry each (may be empty).
        details: Vec<FieldError>,
    },
    #[error("{message}")]
    Validation {
        message: String,
        details: Vec<FieldError>,
    },
    #[error("Terlalu banyak percobaan. Coba lagi dalam {retry_after} detik.")]
    TooManyRequests { retry_after: u64 },
    #[error("{message}")]
    Http { status: StatusCode, message: String },
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn conflict(code: Conflict, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// A 409 whose `details` name each thing in the way.
    pub fn conflict_with(
        code: Conflict,
        message: impl Into<String>,
        details: Vec<FieldError>,
    ) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
            details,
        }
    }

    /// A 422 naming the fields (or rows) that are wrong.
    pub fn validation(details: Vec<FieldError>) -> Self {
        let message = match details.as_slice() {
            [one] => one.to_string(),
            _ => format!(
                "{} isian tidak valid.",
                crate::numbers::grouped(details.len() as u64)
            ),
        };
        AppError::Validation { message, details }
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        AppError::validation(vec![FieldError::new(field, message)])
    }

    /// `text` without surrounding spaces, or a 422 on `field` saying
    /// `message` when nothing is left (a reason the audit log must keep).
    pub fn required<'a>(text: &'a str, field: &str, message: &str) -> Result<&'a str, Self> {
        let text = text.trim();
        if text.is_empty() {
            Err(AppError::invalid_field(field, message))
        } else {
            Ok(text)
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        AppError::Internal(message.into())
    }

    /// Turns a unique-constraint violation into a 422 on `field`; any other
    /// database error stays a 500.
    pub fn unique_violation_on(err: DbErr, field: &str, message: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::invalid_field(field, message),
            _ => AppError::Db(err),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated
            | AppError::InvalidCredentials
            | AppError::InvalidActivationCode
            | AppError::InvalidResetLink => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::CsrfFailed => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Http { status, .. } => *status,
            AppError::Db(err) => match err.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> String {
        match self {
            AppError::BadRequest(_) => "bad_request".into(),
            AppError::Unauthenticated => "unauthenticated".into(),
            AppError::InvalidCredentials => "invalid_credentials".into(),
            AppError::InvalidActivationCode => "invalid_activation_code".into(),
            AppError::InvalidResetLink => "invalid_reset_link".into(),
            AppError::Forbidden => "forbidden".into(),
            AppError::NotFound => "not_found".into(),
            AppError::CsrfFailed => "csrf_failed".into(),
            AppError::Conflict { code, .. } => code.as_str().into(),
            AppError::Validation { .. } => "validation_failed".into(),
            AppError::TooManyRequests { .. } => "too_many_requests".into(),
            AppError::Http { status, .. } => status
                .canonical_reason()
                .unwrap_or("error")
                .to_lowercase()
                .replace([' ', '-'], "_"),
            AppError::Db(_) if self.status() == StatusCode::CONFLICT => "conflict".into(),
            AppError::Db(_) | AppError::Internal(_) => "internal_error".into(),
        }
    }

    /// The message a client may see: never internals for a 500.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Db(_) if self.status() == StatusCode::CONFLICT => {
                "Data yang sama sudah ada.".into()
            }
            AppError::Db(_) | AppError::Internal(_) => {
                "Terjadi kesalahan pada server. Silakan coba lagi.".into()
            }
            other => other.to_string(),
        }
    }

    pub fn details(&self) -> Option<Vec<FieldError>> {
        match self {
            AppError::Validation { details, .. } => Some(details.clone()),
            AppError::Conflict { details, .. } if !details.is_empty() => Some(details.clone()),
            _ => None,
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorInfo {
                code: self.code(),
                message: self.public_message(),
                details: self.details(),
            },
        }
    }

    /// Reshapes any error poem or poem-openapi produced into an `AppError`.
    pub fn from_poem(err: poem::Error) -> AppError {
        if err.is::<AppError>() {
            return err
                .downcast::<AppError>()
                .unwrap_or_else(|_| AppError::internal("downcast"));
        }
        // A page address whose id does not parse names nothing that exists.
        if err.is::<poem::error::ParsePathError>() {
            return AppError::NotFound;
        }
        let status = err.status();
        match status {
            StatusCode::UNAUTHORIZED => AppError::Unauthenticated,
            StatusCode::FORBIDDEN => AppError::Forbidden,
            StatusCode::NOT_FOUND => AppError::NotFound,
            StatusCode::BAD_REQUEST => AppError::BadRequest(bad_request_message(&err.to_string())),
            s if s.is_server_error() => AppError::internal(err.to_string()),
            _ => AppError::Http {
                status,
                message: status_message(status),
            },
        }
    }
}

/// An Indonesian message for a malformed request, naming the field when
/// the parser did (serde's "missing field `x`", poem's "parameter `x`").
fn bad_request_message(parser: &str) -> String {
    let field = parser
        .split('`')
        .nth(1)
        .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_alphanumeric() || "_.[]".contains(c)));
    match field {
        Some(field) if parser.contains("missing") => {
            format!("Permintaan tidak valid: isian `{field}` wajib diisi.")
        }
        Some(field) => format!("Permintaan tidak valid: isian `{field}` tidak sah."),
        None => "Permintaan tidak valid: isinya tidak dapat dibaca.".into(),
    }
}

/// An Indonesian message for the other statuses poem itself answers.
fn status_message(status: StatusCode) -> String {
    match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            "Metode HTTP ini tidak tersedia untuk alamat ini; lihat header Allow.".into()
        }
        StatusCode::PAYLOAD_TOO_LARGE => "Isi permintaan terlalu besar.".into(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "Jenis isi (Content-Type) permintaan tidak didukung.".into()
        }
        other => format!(
            "Permintaan tidak dapat dilayani ({}).",
            other.canonical_reason().unwrap_or("HTTP")
        ),
    }
}

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        AppError::status(self)
    }

    fn as_response(&self) -> Response {
        let status = AppError::status(self);
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = poem::web::Json(self.body())
            .with_status(status)
            .into_response();
        if let AppError::TooManyRequests { retry_after } = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, (*retry_after).into());
        }
        response
    }
}

impl ApiResponse for AppError {
    fn meta() -> MetaResponses {
        let documented = [
            (400, "Malformed request"),
            (401, "Not signed in, or wrong credentials"),
            (403, "Signed in but not allowed"),
            (404, "Not found, or not visible to the caller"),
            (409, "Conflicts with the current state"),
            (422, "Validation failed; `details` names each field or row"),
            (429, "Too many attempts; see Retry-After"),
            (500, "Unexpected server error"),
        ];
        MetaResponses {
            responses: documented
                .into_iter()
                .map(|(status, description)| MetaResponse {
                    description,
                    status: Some(status),
                    status_range: None,
                    content: vec![MetaMediaType {
                        content_type: "application/json; charset=utf-8",
                        schema: ErrorBody::schema_ref(),
                    }],
                    headers: vec![],
                })
                .collect(),
        }
    }

    fn register(registry: &mut Registry) {
        ErrorBody::register(registry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_row_error_names_row_and_field() {
        let err = AppError::validation(vec![FieldError::at_row(3, "nip", "harus 18 digit")]);
        assert_eq!(err.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err.to_string(), "Baris 3, kolom nip: harus 18 digit");
    }

    /// The file name, the line and the column each in its own place, never
    /// "Baris 1, kolom x.gift".
    #[test]
    fn places_name_file_line_and_column() {
        let in_file = FieldError::in_file("x.gift", 1, 7, "'{' tanpa pasangan");
        assert_eq!(
            in_file.to_string(),
            "x.gift, baris 1, kolom 7: '{' tanpa pasangan"
        );
        let whole_file = FieldError::at_row(10_002, "file", "terlalu banyak baris");
        assert_eq!(whole_file.to_string(), "Baris 10.002: terlalu banyak baris");
        assert_eq!(
            FieldError::new("file", "kosong").to_string(),
            "file: kosong"
        );
        assert_eq!(
            FieldError::new("email", "tidak sah").to_string(),
            "email: tidak sah"
        );
    }

    #[test]
    fn internal_errors_do_not_leak() {
        let err = AppError::internal("secret path /etc/x");
        assert_eq!(err.code(), "internal_error");
        assert!(!err.public_message().contains("/etc"));
    }

    #[test]
    fn poem_errors_are_reshaped() {
        let err = poem::Error::from_status(StatusCode::METHOD_NOT_ALLOWED);
        let app = AppError::from_poem(err);
        assert_eq!(app.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(app.code(), "method_not_allowed");
    }
}
