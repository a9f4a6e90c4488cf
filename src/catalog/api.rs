//! JSON API for courses and modules.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{CourseStatus, MAX_ATTACHMENT_BYTES, Track};
use super::service::{self, CourseInput, ModuleInput};
use super::views::{AttachmentView, CourseDetail, CourseView, ModuleView};
use crate::error::AppResult;
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::state::AppState;
use crate::http::upload::read_upload;

#[derive(Object)]
struct CreateCourseRequest {
    /// Unique, e.g. `BIMTEK-PK-2026`.
    #[oai(validator(pattern = r"^[A-Za-z0-9._-]{3,40}$"))]
    code: String,
    #[oai(validator(max_length = 200, pattern = r"[^\s\x1c-\x1f]"))]
    title: String,
    track: Track,
    /// Jenjang: `Terampil`, `Mahir`, `Penyelia`, `Ahli Pertama`, `Ahli Muda`,
    /// `Ahli Madya` or `Ahli Utama` (any case; pranata humas has no `Ahli Utama`).
    target_level: Option<String>,
    #[oai(validator(max_length = 5000))]
    description: Option<String>,
    /// Defaults to `draft`.
    status: Option<CourseStatus>,
    /// Attendance needed to complete a batch (default 80).
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    min_attendance_percent: Option<i32>,
}

#[derive(Object)]
struct UpdateCourseRequest {
    #[oai(validator(pattern = r"^[A-Za-z0-9._-]{3,40}$"))]
    code: Option<String>,
    #[oai(validator(max_length = 200, pattern = r"[^\s\x1c-\x1f]"))]
    title: Option<String>,
    track: Option<Track>,
    /// `null` clears it.
    target_level: MaybeUndefined<String>,
    #[oai(validator(max_length = 5000))]
    description: Option<String>,
    /// `published` makes the course visible to trainees.
    status: Option<CourseStatus>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    min_attendance_percent: Option<i32>,
}

#[derive(Object)]
struct CreateModuleRequest {
    #[oai(validator(max_length = 200, pattern = r"[^\s\x1c-\x1f]"))]
    title: String,
    /// Lesson hours (45 minutes each) this module counts for.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    jp: Option<i32>,
    /// Markdown; tables allowed. Rendered to sanitised HTML. At most 1 MB.
    #[oai(default, validator(max_length = 250000))]
    body_markdown: String,
}

#[derive(Object)]
struct UpdateModuleRequest {
    #[oai(validator(max_length = 200, pattern = r"[^\s\x1c-\x1f]"))]
    title: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    jp: MaybeUndefined<i32>,
    #[oai(validator(max_length = 250000))]
    body_markdown: Option<String>,
}

#[derive(Object)]
struct ReorderRequest {
    /// Every module of the course, in the new order.
    module_ids: Vec<Uuid>,
}

#[derive(Object)]
struct Completion {
    module_id: Uuid,
    completed_at: OffsetDateTime,
}

#[derive(Multipart)]
#[oai(deny_unknown_fields)]
struct AttachmentUpload {
    /// PDF, PNG, JPEG, GIF or WebP; at most 10 MiB.
    file: Upload,
}

#[derive(ApiResponse)]
enum CreatedCourse {
    /// The course was created.
    #[oai(status = 201)]
    Created(Json<CourseView>),
}

#[derive(ApiResponse)]
enum CreatedModule {
    /// The module was added at the end of the course.
    #[oai(status = 201)]
    Created(Json<ModuleView>),
}

#[derive(ApiResponse)]
enum CreatedAttachment {
    /// Stored; link it from the module body with its `url`.
    #[oai(status = 201)]
    Created(Json<AttachmentView>),
}

#[derive(ApiResponse)]
enum Reordered {
    /// The course with its modules in the new order.
    #[oai(status = 200)]
    Ok(Json<CourseDetail>),
}

fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

pub struct CoursesApi;

#[OpenApi(tag = "ApiTags::Courses")]
impl CoursesApi {
    /// Create a course (admin). It starts as a draft unless `status` says otherwise.
    #[oai(path = "/courses", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<CreateCourseRequest>,
    ) -> AppResult<CreatedCourse> {
        let body = body.0;
        let input = CourseInput {
            code: Some(body.code),
            title: Some(body.title),
            track: Some(body.track),
            target_level: Some(body.target_level),
            description: body.description,
            status: body.status,
            min_attendance_percent: body.min_attendance_percent,
        };
        Ok(CreatedCourse::Created(Json(
            service::create_course(&state.db, auth.user(), input).await?,
        )))
    }

    /// Courses: administrators see all (filter by status and track); others only published ones.
    #[oai(path = "/courses", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        status: Query<Option<CourseStatus>>,
        track: Query<Option<Track>>,
    ) -> AppResult<Json<Vec<CourseView>>> {
        Ok(Json(
            service::list_courses(&state.db, auth.user(), status.0, track.0).await?,
        ))
    }

    /// A course with its modules and the caller's reading progress.
    #[oai(path = "/courses/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<CourseDetail>> {
        Ok(Json(
            service::get_course(&state.db, auth.user(), id.0).await?,
        ))
    }

    /// Change a course (admin), including publishing and archiving it.
    #[oai(path = "/courses/:id", method = "patch")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<UpdateCourseRequest>,
    ) -> AppResult<Json<CourseView>> {
        let body = body.0;
        let input = CourseInput {
            code: body.code,
            title: body.title,
            track: body.track,
            target_level: maybe(body.target_level),
            description: body.description,
            status: body.status,
            min_attendance_percent: body.min_attendance_percent,
        };
        Ok(Json(
            service::update_course(&state.db, auth.user(), id.0, input).await?,
        ))
    }

    /// Add a module at the end of a course (admin).
    #[oai(path = "/courses/:id/modules", method = "post")]
    async fn add_module(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<CreateModuleRequest>,
    ) -> AppResult<CreatedModule> {
        let body = body.0;
        let input = ModuleInput {
            title: Some(body.title),
            jp: Some(body.jp),
            body_markdown: Some(body.body_markdown),
        };
        let module = service::add_module(&state.db, auth.user(), id.0, input).await?;
        Ok(CreatedModule::Created(Json(
            service::get_module(&state.db, auth.user(), module.id).await?,
        )))
    }

    /// Put a course's modules in a new order (admin).
    #[oai(path = "/courses/:id/modules/reorder", method = "post")]
    async fn reorder(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<ReorderRequest>,
    ) -> AppResult<Reordered> {
        service::reorder_modules(&state.db, auth.user(), id.0, &body.module_ids).await?;
        Ok(Reordered::Ok(Json(
            service::get_course(&state.db, auth.user(), id.0).await?,
        )))
    }

    /// A module's content, with links to the previous and next module.
    #[oai(path = "/modules/:id", method = "get")]
    async fn module(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<ModuleView>> {
        Ok(Json(
            service::get_module(&state.db, auth.user(), id.0).await?,
        ))
    }

    /// Change a module (admin).
    #[oai(path = "/modules/:id", method = "patch")]
    async fn update_module(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<UpdateModuleRequest>,
    ) -> AppResult<Json<ModuleView>> {
        let body = body.0;
        let input = ModuleInput {
            title: body.title,
            jp: maybe(body.jp),
            body_markdown: body.body_markdown,
        };
        service::update_module(&state.db, auth.user(), id.0, input).await?;
        Ok(Json(
            service::get_module(&state.db, auth.user(), id.0).await?,
        ))
    }

    /// Mark a module read (trainee). Repeating it keeps the first time.
    #[oai(path = "/modules/:id/complete", method = "post")]
    async fn complete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Completion>> {
        let completed_at = service::complete_module(&state.db, auth.user(), id.0).await?;
        Ok(Json(Completion {
            module_id: id.0,
            completed_at,
        }))
    }

    /// Attach a PDF or image to a module (admin). The file is served at the returned `url`.
    #[oai(path = "/modules/:id/attachments", method = "post")]
    async fn attach(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        upload: AttachmentUpload,
    ) -> AppResult<CreatedAttachment> {
        let (name, bytes) = read_upload(upload.file, MAX_ATTACHMENT_BYTES).await?;
        let stored = service::add_attachment(
            &state.db,
            auth.user(),
            id.0,
            name.as_deref().unwrap_or("lampiran"),
            bytes,
        )
        .await?;
        Ok(CreatedAttachment::Created(Json(stored)))
    }
}
