//! JSON API for overseeing an exam's grading (administrators): the audit
//! trail of every event, the marks each candidate still lacks, and naming
//! or replacing a marker or moderator.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::history::{self, ExamAudit};
use super::markers::{self, MarkerBoard, MarkerItem, NameMarker};
use super::model::MarkRound;
use crate::error::AppResult;
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::state::AppState;
use crate::http::tables::{Table, TableFormat, json_format, table};

#[derive(Object)]
struct NameMarkerRequest {
    /// The candidate's code in this exam, e.g. `HM-2026-003`.
    #[oai(validator(min_length = 1, max_length = 64))]
    candidate_code: String,
    /// The task's key, e.g. `siaran-pers`.
    #[oai(validator(min_length = 1, max_length = 64))]
    task_key: String,
    /// `first`, `second` or `moderation` to add a missing marker or
    /// replace one; `appeal` only to replace an appeal assessor.
    round: MarkRound,
    /// An active user with the assessor role.
    assessor_id: Uuid,
    /// Why this assessor (kept in the audit trail).
    #[oai(validator(min_length = 1, max_length = 2000, pattern = r"\S"))]
    reason: String,
}

pub struct ExamAdminApi;

#[OpenApi(tag = "ApiTags::Exams")]
impl ExamAdminApi {
    /// Every event of an exam (admin), oldest first: assessors set, drafts
    /// and final marks, markers named or replaced, moderations, release,
    /// appeals and regrades, each with who, when (also in WIB), the old and
    /// new values (as recorded and in words), the reason and the round.
    /// `format=csv|xlsx` downloads it in words.
    #[oai(path = "/exams/:id/audit", method = "get")]
    async fn audit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<Box<ExamAudit>>> {
        let audit = history::exam_audit(&state.engine, auth.user(), id.0).await?;
        let title = format!("audit {}", audit.title);
        let (headers, rows) = history::table(&audit);
        table(format.0, Box::new(audit), &title, &headers, &rows)
    }

    /// Every grading item of an exam with who holds it, and every mark the
    /// results still lack with why (admin): no assessor may mark it, no lead
    /// may moderate it, its assessor is no longer active, its moderator is
    /// one of the markers, or it is waiting for its assessor.
    #[oai(path = "/exams/:id/markers", method = "get")]
    async fn markers(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<MarkerBoard>> {
        Ok(Json(
            markers::board(&state.engine, auth.user(), id.0).await?,
        ))
    }

    /// Name the assessor of one round of a candidate's task (admin): adds
    /// a marker or moderator nobody could be given, or hands an item that
    /// is not final to another assessor (its draft is dropped; the audit
    /// keeps it). Refused (409) for a final item, a round the task does not
    /// need, the candidate's own unit kerja (`conflict_of_interest`), the
    /// task's other marker (`same_assessor`), or a moderator or appeal
    /// assessor who marked the candidate (`own_mark`); a candidate code not
    /// in this exam is 404. Answers the item as it now stands.
    #[oai(path = "/exams/:id/markers", method = "post")]
    async fn name_marker(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<NameMarkerRequest>,
    ) -> AppResult<Json<MarkerItem>> {
        let body = body.0;
        Ok(Json(
            markers::name_marker(
                &state.engine,
                auth.user(),
                id.0,
                NameMarker {
                    candidate_code: body.candidate_code,
                    task_key: body.task_key,
                    round: body.round,
                    assessor_id: body.assessor_id,
                    reason: body.reason,
                },
            )
            .await?,
        ))
    }
}
