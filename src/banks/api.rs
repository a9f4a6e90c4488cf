//! JSON API for question banks. Listing and browsing show answer keys, so
//! only administrators and assessors may; only administrators import.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json, PlainText};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};
use uuid::Uuid;

use super::formats::{ExportFormat, Format};
use super::model::QuestionType;
use super::service::{
    self, BankView, ImportReport, ImportRequest, QuestionFilter, QuestionView, SourceFile,
};
use crate::error::AppResult;
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::responses::Alternatives;
use crate::http::state::AppState;
use crate::http::upload::read_upload;

#[derive(Multipart)]
#[oai(deny_unknown_fields)]
struct ImportForm {
    /// A GIFT, Aiken or Moodle XML file (UTF-8).
    file: Upload,
    /// `gift`, `aiken`, `moodle_xml` or `auto` (default: from the name and content).
    format: Option<Format>,
    /// Bank name; defaults to the file name without extension. An existing bank gets a new version.
    name: Option<String>,
    /// Check and preview only; write nothing.
    #[oai(default)]
    dry_run: bool,
}

#[derive(Object)]
struct QuestionList {
    bank: BankView,
    questions: Vec<QuestionView>,
}

#[derive(ApiResponse)]
enum ExportResponse {
    /// The bank version as a file: GIFT (`format=gift`) or Moodle XML.
    #[oai(content_type = "text/plain; charset=utf-8")]
    #[oai(status = 200)]
    Gift(
        PlainText<String>,
        #[oai(header = "Content-Disposition")] String,
    ),
    /// The bank in Moodle XML.
    #[oai(status = 200, content_type = "application/xml")]
    Xml(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

pub struct BanksApi;

#[OpenApi(prefix_path = "/question-banks", tag = "ApiTags::Banks")]
impl BanksApi {
    /// Import a question bank (admin). All or nothing: any error answers 422
    /// with every error's file, line and column, and nothing is written.
    /// Re-importing an unchanged file creates nothing; changed questions get
    /// new versions and old versions are kept.
    #[oai(path = "/import", method = "post")]
    async fn import(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        form: ImportForm,
    ) -> AppResult<Json<ImportReport>> {
        let admin = auth.user();
        service::may_import(admin)?;
        let (name, bytes) = read_upload(form.file, super::model::MAX_BANK_BYTES).await?;
        let request = ImportRequest {
            bank_name: form.name,
            format: form.format.unwrap_or_default(),
            files: vec![SourceFile {
                name: name.unwrap_or_else(|| "bank.gift".into()),
                bytes,
            }],
            dry_run: form.dry_run,
        };
        Ok(Json(service::import(&state.db, admin, request).await?))
    }

    /// Question banks with their newest version and counts (admins and assessors).
    #[oai(path = "/", method = "get")]
    async fn list(&self, state: Data<&AppState>, auth: Auth) -> AppResult<Json<Vec<BankView>>> {
        Ok(Json(service::list_banks(&state.db, auth.user()).await?))
    }

    /// The questions of a bank version, with answer keys (admins and assessors only).
    #[oai(path = "/:id/questions", method = "get")]
    async fn questions(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        /// Only questions with this tag, e.g. `unit:jaringan`.
        tag: Query<Option<String>>,
        #[oai(name = "type")] kind: Query<Option<QuestionType>>,
        /// A past version; default the newest.
        version: Query<Option<i32>>,
    ) -> AppResult<Json<QuestionList>> {
        let filter = QuestionFilter {
            tag: tag.0,
            kind: kind.0,
            version: version.0,
        };
        let (bank, questions) = service::questions(&state.db, auth.user(), id.0, &filter).await?;
        Ok(Json(QuestionList { bank, questions }))
    }

    /// Download a bank version as GIFT or Moodle XML (admins and assessors).
    #[oai(path = "/:id/export", method = "get")]
    async fn export(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        format: Query<ExportFormat>,
        version: Query<Option<i32>>,
    ) -> AppResult<Alternatives<ExportResponse>> {
        let (file_name, body) =
            service::export(&state.db, auth.user(), id.0, format.0, version.0).await?;
        let disposition = format!("attachment; filename=\"{file_name}\"");
        Ok(Alternatives(match format.0 {
            ExportFormat::Gift => ExportResponse::Gift(PlainText(body), disposition),
            ExportFormat::MoodleXml => ExportResponse::Xml(Binary(body.into_bytes()), disposition),
        }))
    }
}
