//! JSON API for batches, enrolment, attendance, check-in and progress.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};

use crate::notices::service::MessageView;
use time::{Date, OffsetDateTime, Time};
use uuid::Uuid;

use super::attendance::{self, Mark};
use super::enrolment::{self, Target};
use super::import::{EnrolmentImportSummary, ImportOptions};
use super::model::BatchFilter;
use super::model::{AttendanceStatus, BatchStatus, SessionInput};
use super::progress;
use super::service::{self, BatchInput};
use super::views::{
    AttendanceCell, BatchDetail, BatchView, EnrolmentView, MyBatch, ProgressRow, SessionView,
};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::fields::Text;
use crate::http::state::AppState;
use crate::http::tables::{Table, TableFormat, json_format, table};
use crate::http::upload::read_upload;

#[derive(Object, Clone)]
struct SessionRequest {
    day: Date,
    /// WIB, `HH:MM` (or `HH.MM`).
    #[oai(validator(pattern = r"^([01]?[0-9]|2[0-3])[:.][0-5][0-9]$"))]
    starts_at: String,
    #[oai(validator(pattern = r"^([01]?[0-9]|2[0-3])[:.][0-5][0-9]$"))]
    ends_at: String,
    #[oai(validator(max_length = 200))]
    topic: Option<String>,
    #[oai(validator(max_length = 200))]
    instructor: Option<String>,
}

/// `HH:MM` (or `HH.MM`, as Indonesians write it).
pub fn parse_time(text: &str, field: &str) -> Result<Time, FieldError> {
    let cleaned = text.trim().replace('.', ":");
    let parsed = cleaned
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<u8>().ok()?, m.parse::<u8>().ok()?)))
        .and_then(|(h, m)| Time::from_hms(h, m, 0).ok());
    parsed.ok_or_else(|| {
        FieldError::new(
            field,
            format!("jam '{text}' tidak sah; tulis seperti 08:00"),
        )
    })
}

fn sessions(input: Vec<SessionRequest>) -> Result<Vec<SessionInput>, AppError> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, s) in input.into_iter().enumerate() {
        let start = parse_time(&s.starts_at, &format!("sessions[{i}].starts_at"));
        let end = parse_time(&s.ends_at, &format!("sessions[{i}].ends_at"));
        match (start, end) {
            (Ok(starts_at), Ok(ends_at)) => out.push(SessionInput {
                day: s.day,
                starts_at,
                ends_at,
                topic: s.topic,
                instructor: s.instructor,
            }),
            (a, b) => errors.extend(a.err().into_iter().chain(b.err())),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AppError::validation(errors))
    }
}

#[derive(Object)]
struct CreateBatchRequest {
    course_id: Uuid,
    /// e.g. "Angkatan I 2026".
    #[oai(validator(max_length = 200, pattern = r"[^\s\x1c-\x1f]"))]
    name: String,
    starts_on: Date,
    ends_on: Date,
    #[oai(validator(max_length = 200))]
    venue: Option<String>,
    /// Online ("daring"): then `meeting_link` is required instead of a venue.
    #[oai(default)]
    online: bool,
    #[oai(validator(max_length = 500, pattern = r"^https?://"))]
    meeting_link: Option<String>,
    #[oai(validator(minimum(value = "1")))]
    capacity: i32,
    enrol_opens_at: Option<OffsetDateTime>,
    enrol_closes_at: Option<OffsetDateTime>,
    /// Default `draft`.
    status: Option<BatchStatus>,
    /// Default "BKD Kota Magelang".
    #[oai(validator(max_length = 200))]
    organiser: Option<String>,
    /// Trainees may register themselves while the batch is open.
    #[oai(default)]
    self_enrol: bool,
    /// A full batch puts further trainees on a waitlist instead of refusing them.
    #[oai(default)]
    waitlist: bool,
    /// What trainees should bring, as the invitation says.
    #[oai(validator(max_length = 500))]
    bring: Option<String>,
    #[oai(default)]
    sessions: Vec<SessionRequest>,
}

#[derive(Object)]
struct UpdateBatchRequest {
    #[oai(validator(max_length = 200, pattern = r"[^\s\x1c-\x1f]"))]
    name: Option<String>,
    starts_on: Option<Date>,
    ends_on: Option<Date>,
    #[oai(validator(max_length = 200))]
    venue: MaybeUndefined<String>,
    online: Option<bool>,
    #[oai(validator(max_length = 500, pattern = r"^https?://"))]
    meeting_link: MaybeUndefined<String>,
    /// Lowering it below the number enrolled is refused; raising it seats waiting trainees.
    #[oai(validator(minimum(value = "1")))]
    capacity: Option<i32>,
    enrol_opens_at: MaybeUndefined<OffsetDateTime>,
    enrol_closes_at: MaybeUndefined<OffsetDateTime>,
    status: Option<BatchStatus>,
    #[oai(validator(max_length = 200))]
    organiser: Option<String>,
    self_enrol: Option<bool>,
    waitlist: Option<bool>,
    #[oai(validator(max_length = 500))]
    bring: MaybeUndefined<String>,
    /// Replaces the whole schedule (refused once attendance is recorded).
    sessions: Option<Vec<SessionRequest>>,
}

fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[derive(Object)]
struct ReasonRequest {
    reason: Text<1, 2000>,
}

#[derive(Object)]
struct EnrolRequest {
    /// The trainee's account; omit (with `nip`) to enrol yourself.
    user_id: Option<Uuid>,
    /// Alternatively, the trainee's NIP (administrators).
    nip: Option<String>,
}

#[derive(Multipart)]
#[oai(deny_unknown_fields)]
struct EnrolmentUpload {
    /// CSV or XLSX with a `nip` column (with `create_missing`, also `nama`, `email`, `unit_kerja`, `jabatan`).
    file: Upload,
}

#[derive(Object)]
struct MarkRequest {
    session_id: Uuid,
    user_id: Uuid,
    status: AttendanceStatus,
}

#[derive(Object)]
struct AttendanceRequest {
    entries: Vec<MarkRequest>,
}

#[derive(Object)]
struct Recorded {
    recorded: u32,
}

#[derive(Object)]
struct CheckinCode {
    session_id: Uuid,
    code: String,
}

#[derive(Object)]
struct CheckinRequest {
    /// The six characters shown on screen.
    #[oai(validator(pattern = r"^[A-Za-z0-9]{6}$"))]
    code: String,
}

#[derive(Object)]
struct CheckedIn {
    batch: BatchView,
    session: SessionView,
}

#[derive(Object)]
struct ProgressTable {
    batch: BatchView,
    rows: Vec<ProgressRow>,
}

#[derive(ApiResponse)]
enum Created<T: poem_openapi::types::ToJSON + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Ok(Json<T>),
}

#[derive(ApiResponse)]
enum Deleted {
    /// Removed.
    #[oai(status = 204)]
    Done,
}

pub struct BatchesApi;

#[OpenApi(tag = "ApiTags::Batches")]
impl BatchesApi {
    /// Schedule a batch (admin), with its daily sessions.
    #[oai(path = "/batches", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<CreateBatchRequest>,
    ) -> AppResult<Created<BatchDetail>> {
        let b = body.0;
        let input = BatchInput {
            course_id: Some(b.course_id),
            name: Some(b.name),
            starts_on: Some(b.starts_on),
            ends_on: Some(b.ends_on),
            venue: Some(b.venue),
            online: Some(b.online),
            meeting_link: Some(b.meeting_link),
            capacity: Some(b.capacity),
            enrol_opens_at: Some(b.enrol_opens_at),
            enrol_closes_at: Some(b.enrol_closes_at),
            status: b.status,
            organiser: b.organiser,
            self_enrol: Some(b.self_enrol),
            waitlist: Some(b.waitlist),
            bring: Some(b.bring),
            sessions: Some(sessions(b.sessions)?),
        };
        Ok(Created::Ok(Json(
            service::create_batch(&state.db, auth.user(), input).await?,
        )))
    }

    /// Batches: administrators filter all; trainees see their own and open ones they may join.
    #[oai(path = "/batches", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        course: Query<Option<Uuid>>,
        status: Query<Option<BatchStatus>>,
        /// Batches ending on or after this day.
        from: Query<Option<Date>>,
        /// Batches starting on or before this day.
        to: Query<Option<Date>>,
    ) -> AppResult<Json<Vec<BatchView>>> {
        let filter = BatchFilter {
            course_id: course.0,
            status: status.0,
            from: from.0,
            to: to.0,
            ids: None,
        };
        Ok(Json(service::list(&state.db, auth.user(), filter).await?))
    }

    /// A batch with its schedule (and, for administrators, its enrolments).
    #[oai(path = "/batches/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<BatchDetail>> {
        Ok(Json(service::detail(&state.db, auth.user(), id.0).await?))
    }

    /// Change a batch (admin).
    #[oai(path = "/batches/:id", method = "patch")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<UpdateBatchRequest>,
    ) -> AppResult<Json<BatchDetail>> {
        let b = body.0;
        let input = BatchInput {
            course_id: None,
            name: b.name,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            venue: maybe(b.venue),
            online: b.online,
            meeting_link: maybe(b.meeting_link),
            capacity: b.capacity,
            enrol_opens_at: maybe(b.enrol_opens_at),
            enrol_closes_at: maybe(b.enrol_closes_at),
            status: b.status,
            organiser: b.organiser,
            self_enrol: b.self_enrol,
            waitlist: b.waitlist,
            bring: maybe(b.bring),
            sessions: b.sessions.map(sessions).transpose()?,
        };
        Ok(Json(
            service::update_batch(&state.db, auth.user(), id.0, input).await?,
        ))
    }

    /// Cancel a batch (admin); enrolled trainees see the reason.
    #[oai(path = "/batches/:id/cancel", method = "post")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ReasonRequest>,
    ) -> AppResult<Json<BatchDetail>> {
        Ok(Json(
            service::cancel_batch(&state.db, auth.user(), id.0, &body.reason).await?,
        ))
    }

    /// Add one session to a batch (admin).
    #[oai(path = "/batches/:id/sessions", method = "post")]
    async fn add_session(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<SessionRequest>,
    ) -> AppResult<Created<BatchDetail>> {
        let session = sessions(vec![body.0])?.remove(0);
        service::add_session(&state.db, auth.user(), id.0, session).await?;
        Ok(Created::Ok(Json(
            service::detail(&state.db, auth.user(), id.0).await?,
        )))
    }

    /// Remove a session that has no attendance yet (admin).
    #[oai(path = "/batches/:id/sessions/:session_id", method = "delete")]
    async fn remove_session(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        session_id: Path<Uuid>,
    ) -> AppResult<Deleted> {
        service::remove_session(&state.db, auth.user(), id.0, session_id.0).await?;
        Ok(Deleted::Done)
    }

    /// A new self check-in code for a session, to show on screen (admin).
    #[oai(
        path = "/batches/:id/sessions/:session_id/checkin-code",
        method = "post"
    )]
    async fn checkin_code(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        session_id: Path<Uuid>,
    ) -> AppResult<Json<CheckinCode>> {
        let (session, code) =
            attendance::new_code(&state.db, auth.user(), id.0, session_id.0).await?;
        Ok(Json(CheckinCode {
            session_id: session.id,
            code,
        }))
    }

    /// Enrol a trainee. Administrators enrol anyone by `user_id` or `nip`;
    /// trainees enrol themselves into open self-registration batches. A full
    /// batch answers 409 `batch_full` (or waitlists, when enabled).
    #[oai(path = "/batches/:id/enrolments", method = "post")]
    async fn enrol(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<EnrolRequest>,
    ) -> AppResult<Created<EnrolmentView>> {
        let target = match (body.0.user_id, body.0.nip) {
            (Some(user_id), _) => Target::User(user_id),
            (None, Some(nip)) => Target::Nip(nip),
            (None, None) => Target::Myself,
        };
        Ok(Created::Ok(Json(
            enrolment::enrol(&state.db, auth.user(), id.0, target).await?,
        )))
    }

    /// Withdraw a trainee (admin, or the trainee themselves) with a reason;
    /// the first waiting trainee takes the seat.
    #[oai(path = "/batches/:id/enrolments/:user_id", method = "delete")]
    async fn withdraw(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        user_id: Path<Uuid>,
        reason: Query<Text<1, 2000>>,
    ) -> AppResult<Json<EnrolmentView>> {
        Ok(Json(
            enrolment::withdraw(&state.db, auth.user(), id.0, user_id.0, &reason.0).await?,
        ))
    }

    /// Enrol a list from CSV/XLSX (admin). All rows or none; `create_missing`
    /// creates unknown NIPs from the other columns.
    #[oai(path = "/batches/:id/enrolments/import", method = "post")]
    async fn import(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        #[oai(default)] create_missing: Query<bool>,
        #[oai(default)] dry_run: Query<bool>,
        upload: EnrolmentUpload,
    ) -> AppResult<Json<EnrolmentImportSummary>> {
        let (name, bytes) = read_upload(upload.file, crate::tabular::MAX_UPLOAD_BYTES).await?;
        let options = ImportOptions {
            create_missing: create_missing.0,
            dry_run: dry_run.0,
        };
        Ok(Json(
            super::import::import_file(&state.db, auth.user(), id.0, name, bytes, options).await?,
        ))
    }

    /// Record attendance marks (admin): all or none, each bad entry named.
    #[oai(path = "/batches/:id/attendance", method = "post")]
    async fn attendance(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AttendanceRequest>,
    ) -> AppResult<Json<Recorded>> {
        let marks: Vec<Mark> = body
            .0
            .entries
            .into_iter()
            .map(|e| Mark {
                session_id: e.session_id,
                user_id: e.user_id,
                status: e.status,
            })
            .collect();
        let recorded = attendance::record_attendance(&state.db, auth.user(), id.0, &marks).await?;
        Ok(Json(Recorded { recorded }))
    }

    /// Every recorded mark of a batch (admin).
    #[oai(path = "/batches/:id/attendance", method = "get")]
    async fn attendance_grid(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<AttendanceCell>>> {
        let grid = attendance::attendance_grid(&state.db, auth.user(), id.0).await?;
        Ok(Json(
            grid.into_iter()
                .map(|((session_id, user_id), status)| AttendanceCell {
                    session_id,
                    user_id,
                    status: Some(status),
                })
                .collect(),
        ))
    }

    /// Per trainee: modules read, quiz scores, attendance and the completion
    /// rule (admin); `format=csv|xlsx` downloads the same table.
    #[oai(path = "/batches/:id/progress", method = "get")]
    async fn progress(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<Box<ProgressTable>>> {
        let (batch, rows) = progress::of_batch(&state.db, auth.user(), id.0).await?;
        let title = format!("kemajuan {} {}", batch.course_code, batch.name);
        let (headers, cells) = super::export::table(&rows);
        table(
            format.0,
            Box::new(ProgressTable { batch, rows }),
            &title,
            &headers,
            &cells,
        )
    }

    /// The batch's messages to its trainees: invitations, changes,
    /// reminders, results, certificates, with what happened to each (admin);
    /// `format=csv|xlsx` downloads them with their texts, to send by hand.
    #[oai(path = "/batches/:id/messages", method = "get")]
    async fn messages(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<Vec<MessageView>>> {
        let messages = service::messages(&state.db, auth.user(), id.0).await?;
        let (headers, cells) = crate::notices::service::table(&messages);
        table(
            format.0,
            messages,
            &format!("surel angkatan {}", id.0),
            &headers,
            &cells,
        )
    }

    /// Self check-in with the code shown on screen (trainee, during the session).
    #[oai(path = "/checkin", method = "post")]
    async fn checkin(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<CheckinRequest>,
    ) -> AppResult<Json<CheckedIn>> {
        let (batch, session) = attendance::checkin(&state.db, auth.user(), &body.code).await?;
        Ok(Json(CheckedIn { batch, session }))
    }

    /// "Bimtek saya": the caller's batches with schedule and progress.
    #[oai(path = "/me/batches", method = "get")]
    async fn mine(&self, state: Data<&AppState>, auth: Auth) -> AppResult<Json<Vec<MyBatch>>> {
        Ok(Json(progress::my_batches(&state.db, auth.user()).await?))
    }
}
