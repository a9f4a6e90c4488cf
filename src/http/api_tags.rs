//! The areas of the API, as the document groups its operations. Kept
//! apart from the service that lists every area, which each area's API
//! would otherwise import back.

use poem_openapi::Tags;

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
