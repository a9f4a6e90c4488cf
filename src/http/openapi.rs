//! The OpenAPI service: every API area is listed here once, and the
//! document is served at `/api/openapi.json` with Swagger UI at `/api/docs`.

use poem_openapi::{OpenApiService, Tags};

use crate::accounts::api::{AuthApi, MeApi, UsersApi};
use crate::attempts::api::AttemptsApi;
use crate::banks::api::BanksApi;
use crate::catalog::api::CoursesApi;
use crate::certificates::api::CertificatesApi;
use crate::exams::admin_api::ExamAdminApi;
use crate::exams::api::ExamsApi;
use crate::records::api::RecordsApi;
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
}

pub type Apis = (
    AuthApi,
    MeApi,
    UsersApi,
    CoursesApi,
    BanksApi,
    BatchesApi,
    AttemptsApi,
    ExamsApi,
    ExamAdminApi,
    CertificatesApi,
    RecordsApi,
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
            ExamsApi,
            ExamAdminApi,
            CertificatesApi,
            RecordsApi,
        ),
        "Bimtek",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Pelatihan dan uji kompetensi ASN: kursus Bimtek, angkatan, kuis, ujian, dan sertifikat.",
    )
    .url_prefix(API_PREFIX)
}
