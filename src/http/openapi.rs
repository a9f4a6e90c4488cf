//! The OpenAPI service: every API area is listed here once, and the
//! document is served at `/api/openapi.json` with Swagger UI at `/api/docs`.

use poem::endpoint::make_sync;
use poem::web::Html;
use poem::{Endpoint, IntoResponse};
use poem_openapi::{OpenApiService, Tags};

use crate::accounts::api::{AuthApi, MeApi, UsersApi};
use crate::attempts::api::AttemptsApi;
use crate::attempts::prepost_api::PrePostApi;
use crate::banks::api::BanksApi;
use crate::catalog::api::CoursesApi;
use crate::certificates::api::CertificatesApi;
use crate::evaluations::api::EvaluationsApi;
use crate::exams::admin_api::ExamAdminApi;
use crate::exams::api::ExamsApi;
use crate::personal_data::api::PersonalDataApi;
use crate::records::api::RecordsApi;
use crate::reports::api::ReportsApi;
use crate::schedule::api::BatchesApi;

#[derive(Tags)]
pub enum ApiTags {
    /// Signing in and out.
    Auth,
    /// User accounts (administrators only).
    Users,
    /// Courses, modules and reading progress.
    Courses,
    /// Question banks: import, browse, export.
    Banks,
    /// Batches (angkatan): schedule, enrolment, attendance, progress.
    Batches,
    /// Quizzes and attempts: settings, start, autosave, submit, results.
    Quizzes,
    /// Competency exams: building, assessors, blind grading, moderation, release, appeals.
    Exams,
    /// Certificates: eligibility, issue, PDF, revocation and public verification.
    Certificates,
    /// Records for BKD and SIASN: riwayat kursus, JP tally, open data.
    Records,
    /// Personal data (UU 27/2022): one's own data, anonymising departed users.
    PersonalData,
}

pub type Apis = (
    AuthApi,
    MeApi,
    UsersApi,
    CoursesApi,
    BanksApi,
    BatchesApi,
    AttemptsApi,
    PrePostApi,
    ExamsApi,
    ExamAdminApi,
    CertificatesApi,
    RecordsApi,
    PersonalDataApi,
    EvaluationsApi,
    ReportsApi,
);

pub const API_PREFIX: &str = "/api/v1";

pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            AuthApi,
            MeApi,
            UsersApi,
            CoursesApi,
            BanksApi,
            BatchesApi,
            AttemptsApi,
            PrePostApi,
            ExamsApi,
            ExamAdminApi,
            CertificatesApi,
            RecordsApi,
            PersonalDataApi,
            EvaluationsApi,
            ReportsApi,
        ),
        "Bimtek",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Pelatihan dan uji kompetensi ASN: kursus Bimtek, angkatan, kuis, ujian, dan sertifikat.",
    )
    .url_prefix(API_PREFIX)
}

/// `/api/openapi.json`: the finished document (see `spec`).
pub fn spec_endpoint() -> impl Endpoint + use<> {
    make_sync(|_| {
        crate::http::spec::document()
            .json
            .clone()
            .with_content_type("application/json; charset=utf-8")
    })
}

/// The Swagger UI page, showing the finished document.
pub fn docs_html(api: &OpenApiService<Apis, ()>) -> String {
    // poem-openapi's page embeds its own document; swap in the finished one.
    api.swagger_ui_html()
        .replacen(&api.spec(), &crate::http::spec::document().json, 1)
}

/// `/api/docs`: the Swagger UI page `html`.
pub fn docs_endpoint(html: String) -> impl Endpoint + use<> {
    make_sync(move |_| Html(html.clone()))
}
