//! JSON API: a person's own data, and anonymising a departed user.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::{document, export};
use crate::accounts::anonymise;
use crate::accounts::model::UserView;
use crate::blocking;
use crate::error::{AppError, AppResult};
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::fields::Text;
use crate::http::state::AppState;

#[derive(ApiResponse)]
enum DataJson {
    /// Everything Bimtek holds about the caller, as a JSON file.
    #[oai(status = 200)]
    Json(
        Json<Box<export::PersonalData>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[derive(ApiResponse)]
enum DataPdf {
    /// The same, as a PDF to read or print.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[derive(Object)]
struct AnonymiseRequest {
    /// Why, for the audit log (e.g. "pensiun, permintaan tertulis 12/2026").
    reason: Text<5, 2000>,
}

pub struct PersonalDataApi;

#[OpenApi(tag = "ApiTags::PersonalData")]
impl PersonalDataApi {
    /// The caller's own data (profile, enrolments, attendance, attempts
    /// and answers, exam results, certificates, sign-ins) as JSON.
    #[oai(path = "/me/personal-data", method = "get")]
    async fn json(&self, state: Data<&AppState>, auth: Auth) -> AppResult<DataJson> {
        let data = export::collect(&state.engine, &state.config, auth.user()).await?;
        let name = export::file_stem(&data.profile);
        Ok(DataJson::Json(
            Json(Box::new(data)),
            format!("attachment; filename=\"{name}.json\""),
        ))
    }

    /// The caller's own data as a PDF.
    #[oai(path = "/me/personal-data/pdf", method = "get")]
    async fn pdf(&self, state: Data<&AppState>, auth: Auth) -> AppResult<DataPdf> {
        let data = export::collect(&state.engine, &state.config, auth.user()).await?;
        let name = export::file_stem(&data.profile);
        let bytes = blocking::run(move || {
            crate::pdf::document::render(
                &format!("Data pribadi: {}", data.profile.name),
                &document::blocks(&data),
            )
            .map_err(AppError::internal)
        })
        .await??;
        Ok(DataPdf::Pdf(
            Binary(bytes),
            format!("attachment; filename=\"{name}.pdf\""),
        ))
    }

    /// Anonymise a departed user (admin): personal fields replaced,
    /// sessions and codes removed, attempts and audit kept without
    /// identity; issued certificates keep verifying. 409 for the last
    /// active administrator, one's own account, or an account already
    /// anonymised.
    #[oai(path = "/users/:id/anonymise", method = "post")]
    async fn anonymise(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AnonymiseRequest>,
    ) -> AppResult<Json<UserView>> {
        Ok(Json(
            anonymise::anonymise(&state.db, auth.user(), id.0, &body.reason).await?,
        ))
    }
}
