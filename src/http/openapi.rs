//! The OpenAPI service: every API area is listed here once. The finished
//! document and its pages are served by `http::spec`.

use poem_openapi::OpenApiService;

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
