//! JSON API: a batch's laporan penyelenggaraan as a PDF, and its closing words.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::service;
use crate::error::AppResult;
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::state::AppState;

#[derive(ApiResponse)]
enum ReportPdf {
    /// The laporan penyelenggaraan, with page numbers, the kop and the
    /// signatory block.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[derive(Object)]
struct Closing {
    /// The organiser's closing words (up to 5,000 characters; empty clears them).
    #[oai(validator(max_length = 5000))]
    closing: String,
}

#[derive(ApiResponse)]
enum Saved {
    /// Kept for the next printing.
    #[oai(status = 204)]
    Done,
}

pub struct ReportsApi;

#[OpenApi(tag = "ApiTags::Batches")]
impl ReportsApi {
    /// A batch's laporan penyelenggaraan (admin): basis and aim, schedule
    /// and narasumber, participants by unit kerja with attendance, quiz and
    /// exam results per unit, the participants' evaluation, certificates
    /// issued, and the organiser's closing words.
    #[oai(path = "/batches/:id/report/pdf", method = "get")]
    async fn pdf(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<ReportPdf> {
        let (laporan, bytes) =
            service::pdf(&state.engine, &state.config, auth.user(), id.0).await?;
        let name = crate::download::file_stem(&format!(
            "laporan {} {}",
            laporan.batch.course_code, laporan.batch.name
        ));
        Ok(ReportPdf::Pdf(
            Binary(bytes),
            format!("attachment; filename=\"{name}.pdf\""),
        ))
    }

    /// Set the closing words of a batch's laporan (admin).
    #[oai(path = "/batches/:id/report/closing", method = "put")]
    async fn closing(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<Closing>,
    ) -> AppResult<Saved> {
        service::save_closing(&state.engine, auth.user(), id.0, &body.closing).await?;
        Ok(Saved::Done)
    }
}
