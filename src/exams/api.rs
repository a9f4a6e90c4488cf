//! JSON API for competency exams, grading and appeals.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};
use time::OffsetDateTime;
use uuid::Uuid;

use super::appeals::{self, AppealRow, AppealView};
use super::assessors::{self, AssessorInput, AssessorView};
use super::files::{self, FileInfo};
use super::grading::{self, MarkInput, Queue, QueueItem};
use super::history;
use super::model::{FinalRule, Task, Unit};
use super::results::{self, MyResult, ResultsMatrix};
use super::setup::{self, ExamInput, ExamView, TemplateInfo};
use super::sitting::{self, ExamInfo};
use crate::attempts::api::Started;
use crate::audit::AuditView;
use crate::error::AppResult;
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::fields::Text;
use crate::http::responses::Alternatives;
use crate::http::state::AppState;
use crate::http::tables::{Table, TableFormat, json_format, table};

#[derive(Object, Clone)]
struct ExamRequest {
    batch_id: Option<Uuid>,
    /// A shipped template (`humas_penulisan`, `pranata_komputer`); other
    /// fields given here override it.
    template: Option<String>,
    title: Option<String>,
    /// The question bank's name, e.g. `humas`.
    bank: Option<String>,
    /// Prefix of candidate codes, e.g. `HM` → `HM-2026-001`.
    code_prefix: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "1440")))]
    time_limit_minutes: Option<i32>,
    opens_at: Option<OffsetDateTime>,
    closes_at: Option<OffsetDateTime>,
    /// Two assessors per task (default: the template's, else true).
    double_marking: Option<bool>,
    /// Totals further apart than this go to the lead assessor.
    moderation_threshold: Option<f64>,
    /// `mean` (default), `lower` or `higher` of two agreeing marks.
    final_rule: Option<FinalRule>,
    appeal_days: Option<i32>,
    units: Option<Vec<Unit>>,
    tasks: Option<Vec<Task>>,
}

impl From<ExamRequest> for ExamInput {
    fn from(r: ExamRequest) -> ExamInput {
        ExamInput {
            batch_id: r.batch_id,
            template: r.template,
            title: r.title,
            bank: r.bank,
            code_prefix: r.code_prefix,
            time_limit_minutes: r.time_limit_minutes,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            double_marking: r.double_marking,
            moderation_threshold: r.moderation_threshold,
            final_rule: r.final_rule,
            appeal_days: r.appeal_days,
            units: r.units,
            tasks: r.tasks,
        }
    }
}

#[derive(Object)]
struct AssessorsRequest {
    assessors: Vec<AssessorInput>,
}

#[derive(Object)]
struct GradeRequest {
    /// The chosen level (0 = the first, weakest) of each criterion, in rubric order.
    levels: Vec<u32>,
    /// Required when the total is below the task's pass points.
    comment: Option<String>,
    /// Required for a moderation or an appeal.
    reason: Option<String>,
}

#[derive(Object)]
struct AppealRequest {
    /// Why the result should be looked at again.
    reason: Text<10, 4000>,
}

#[derive(Object)]
struct AssignAppealRequest {
    assessor_id: Uuid,
}

#[derive(Multipart)]
#[oai(deny_unknown_fields)]
struct TaskFileUpload {
    /// A type the task allows (pdf, docx, png, jpg) within its size limit.
    file: Upload,
}

/// A task file in its checked type (see `files::extension`).
#[derive(ApiResponse)]
enum FileDownload {
    /// The file, named by candidate code and task.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
    #[oai(status = 200, content_type = "image/png")]
    Png(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
    #[oai(status = 200, content_type = "image/jpeg")]
    Jpeg(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
    #[oai(
        status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )]
    Docx(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
    #[oai(status = 200, content_type = "application/octet-stream")]
    Other(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[derive(ApiResponse)]
enum ExamCreated {
    /// The exam was created.
    #[oai(status = 201)]
    Created(Json<Box<ExamView>>),
}

#[derive(ApiResponse)]
enum AppealCreated {
    /// The appeal was lodged.
    #[oai(status = 201)]
    Created(Json<AppealView>),
}

pub struct ExamsApi;

#[OpenApi(tag = "ApiTags::Exams")]
impl ExamsApi {
    /// The shipped exam templates (admin).
    #[oai(path = "/exam-templates", method = "get")]
    async fn templates(&self, auth: Auth) -> AppResult<Json<Vec<TemplateInfo>>> {
        Ok(Json(setup::shipped_templates(auth.user())?))
    }

    /// Build an exam for a batch (admin), from a template or in full: units,
    /// objective questions per unit, tasks with rubrics, window, time limit,
    /// double marking and the decision rule per unit.
    #[oai(path = "/exams", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<ExamRequest>,
    ) -> AppResult<ExamCreated> {
        Ok(ExamCreated::Created(Json(Box::new(
            setup::create(&state.engine, auth.user(), body.0.into()).await?,
        ))))
    }

    /// Every exam (admin).
    #[oai(path = "/exams", method = "get")]
    async fn list(&self, state: Data<&AppState>, auth: Auth) -> AppResult<Json<Vec<ExamView>>> {
        Ok(Json(setup::list(&state.engine, auth.user()).await?))
    }

    /// An exam in full, rubrics included (admin).
    #[oai(path = "/exams/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Box<ExamView>>> {
        Ok(Json(Box::new(
            setup::get(&state.engine, auth.user(), id.0).await?,
        )))
    }

    /// What a candidate sees before starting: window, time limit, units,
    /// their attempt and whether results are out.
    #[oai(path = "/exams/:id/info", method = "get")]
    async fn info(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<ExamInfo>> {
        Ok(Json(sitting::info(&state.engine, auth.user(), id.0).await?))
    }

    /// The exams of the caller's batches.
    #[oai(path = "/me/exams", method = "get")]
    async fn mine(&self, state: Data<&AppState>, auth: Auth) -> AppResult<Json<Vec<ExamInfo>>> {
        Ok(Json(sitting::mine(&state.engine, auth.user()).await?))
    }

    /// Add or change assessors (admin): per unit or all, and who leads
    /// moderation. Each comes back with the candidates they may not grade
    /// (same unit kerja).
    #[oai(path = "/exams/:id/assessors", method = "post")]
    async fn assign(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AssessorsRequest>,
    ) -> AppResult<Json<Vec<AssessorView>>> {
        Ok(Json(
            assessors::assign(&state.engine, auth.user(), id.0, body.0.assessors).await?,
        ))
    }

    /// The exam's assessors and their conflicts of interest (admin).
    #[oai(path = "/exams/:id/assessors", method = "get")]
    async fn assessors(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<AssessorView>>> {
        Ok(Json(
            assessors::of_exam(&state.engine, auth.user(), id.0).await?,
        ))
    }

    /// Sit the exam (a trainee of its batch, inside its window). Save and
    /// submit with the attempt endpoints; objective items are graded at submit.
    #[oai(path = "/exams/:id/attempts", method = "post")]
    async fn start(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Started> {
        Ok(sitting::start(&state.engine, auth.user(), id.0)
            .await?
            .into())
    }

    /// Upload the file for a task of the caller's open exam attempt
    /// (replaces an earlier one). Checked by content, type and size.
    #[oai(path = "/exams/:id/tasks/:key/file", method = "put")]
    async fn upload_file(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        key: Path<String>,
        upload: TaskFileUpload,
    ) -> AppResult<Json<FileInfo>> {
        let (name, bytes) =
            crate::http::upload::read_upload(upload.file, super::model::MAX_TASK_FILE_BYTES)
                .await?;
        Ok(Json(
            files::upload(
                &state.engine,
                auth.user(),
                id.0,
                &key.0,
                name.as_deref().unwrap_or("berkas"),
                bytes,
            )
            .await?,
        ))
    }

    /// The files the caller uploaded for the exam.
    #[oai(path = "/exams/:id/files", method = "get")]
    async fn my_files(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<FileInfo>>> {
        Ok(Json(files::mine(&state.engine, auth.user(), id.0).await?))
    }

    /// The candidate's file behind one of the caller's grading items.
    #[oai(path = "/grading/:item_id/file", method = "get")]
    async fn item_file(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        item_id: Path<Uuid>,
    ) -> AppResult<Alternatives<FileDownload>> {
        let (name, content_type, bytes) =
            files::for_item(&state.engine, auth.user(), item_id.0).await?;
        let (body, disposition) = (Binary(bytes), format!("attachment; filename=\"{name}\""));
        Ok(Alternatives(match files::extension(&content_type) {
            "pdf" => FileDownload::Pdf(body, disposition),
            "png" => FileDownload::Png(body, disposition),
            "jpg" => FileDownload::Jpeg(body, disposition),
            "docx" => FileDownload::Docx(body, disposition),
            _ => FileDownload::Other(body, disposition),
        }))
    }

    /// The caller's grading items (assessors): candidate codes only, the
    /// task, rubric, response and their own draft, with counts.
    #[oai(path = "/grading/queue", method = "get")]
    async fn queue(&self, state: Data<&AppState>, auth: Auth) -> AppResult<Json<Queue>> {
        Ok(Json(grading::queue(&state.engine, auth.user()).await?))
    }

    /// One of the caller's grading items.
    #[oai(path = "/grading/:item_id", method = "get")]
    async fn item(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        item_id: Path<Uuid>,
    ) -> AppResult<Json<Box<QueueItem>>> {
        Ok(Json(Box::new(
            grading::item(&state.engine, auth.user(), item_id.0).await?,
        )))
    }

    /// Save a draft mark: a level per criterion and a comment (required below pass).
    #[oai(path = "/grading/:item_id", method = "post")]
    async fn mark(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        item_id: Path<Uuid>,
        body: Json<GradeRequest>,
    ) -> AppResult<Json<Box<QueueItem>>> {
        let body = body.0;
        Ok(Json(Box::new(
            grading::save_draft(
                &state.engine,
                auth.user(),
                item_id.0,
                MarkInput {
                    levels: body.levels,
                    comment: body.comment,
                    reason: body.reason,
                },
            )
            .await?,
        )))
    }

    /// Lock the draft as final (finalising again changes nothing).
    #[oai(path = "/grading/:item_id/finalize", method = "post")]
    async fn finalize(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        item_id: Path<Uuid>,
    ) -> AppResult<Json<Box<QueueItem>>> {
        Ok(Json(Box::new(
            grading::finalize(&state.engine, auth.user(), item_id.0).await?,
        )))
    }

    /// Every draft, final mark and moderation of an item (admin).
    #[oai(path = "/grading/:item_id/audit", method = "get")]
    async fn item_audit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        item_id: Path<Uuid>,
    ) -> AppResult<Json<Vec<AuditView>>> {
        Ok(Json(
            history::item_audit(&state.engine, auth.user(), item_id.0).await?,
        ))
    }

    /// Candidates × units (admin); `format=csv|xlsx` downloads it.
    #[oai(path = "/exams/:id/results", method = "get")]
    async fn results(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<Box<ResultsMatrix>>> {
        let matrix = results::matrix(&state.engine, auth.user(), id.0).await?;
        let title = format!("hasil {}", matrix.title);
        let (headers, rows) = super::export::table(&matrix);
        table(format.0, Box::new(matrix), &title, &headers, &rows)
    }

    /// Release the results to candidates (admin); refused (409
    /// `grading_incomplete`) while any candidate's unit is undecided, with
    /// one `details` entry per missing mark: `field` `{code}.{task}`, and
    /// which round lacks it and why.
    #[oai(path = "/exams/:id/release", method = "post")]
    async fn release(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Box<ResultsMatrix>>> {
        Ok(Json(Box::new(
            results::release(&state.engine, auth.user(), id.0).await?,
        )))
    }

    /// The caller's own result, once released: Kompeten / Belum Kompeten per
    /// unit, scores and the assessors' comments (not their names).
    #[oai(path = "/exams/:id/my-result", method = "get")]
    async fn my_result(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Box<MyResult>>> {
        Ok(Json(Box::new(
            results::my_result(&state.engine, auth.user(), id.0).await?,
        )))
    }

    /// Appeal a released result (the candidate, within the exam's appeal window).
    #[oai(path = "/exams/:id/appeals", method = "post")]
    async fn appeal(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AppealRequest>,
    ) -> AppResult<AppealCreated> {
        Ok(AppealCreated::Created(Json(
            appeals::submit(&state.engine, auth.user(), id.0, &body.reason).await?,
        )))
    }

    /// The exam's appeals (admin).
    #[oai(path = "/exams/:id/appeals", method = "get")]
    async fn appeals(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<AppealRow>>> {
        Ok(Json(appeals::list(&state.engine, auth.user(), id.0).await?))
    }

    /// Hand an appeal to an assessor who has not marked the candidate (admin).
    #[oai(path = "/appeals/:id/assign", method = "post")]
    async fn assign_appeal(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<AssignAppealRequest>,
    ) -> AppResult<Json<AppealRow>> {
        Ok(Json(
            appeals::assign(&state.engine, auth.user(), id.0, body.assessor_id).await?,
        ))
    }
}
