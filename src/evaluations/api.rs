//! JSON API: a trainee's evaluation of their batch, and its results.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use super::model::{Submission, table};
use super::service::{self, BatchEvaluation, TraineeForm};
use crate::error::AppResult;
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::state::AppState;
use crate::http::tables::{Table, TableFormat, json_format, table as as_table};

#[derive(ApiResponse)]
enum Answered {
    /// Kept, without who gave it.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum Closed {
    /// Closed: no more answers; the results are final and shown (from 5 answers).
    #[oai(status = 204)]
    Done,
}

pub struct EvaluationsApi;

#[OpenApi(tag = "ApiTags::Batches")]
impl EvaluationsApi {
    /// The participants' evaluation of a batch, as its trainee fills it:
    /// the statements, the narasumber to rate, the scale, and whether it is
    /// open and already answered (trainees of the batch).
    #[oai(path = "/batches/:id/evaluation/form", method = "get")]
    async fn form(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<TraineeForm>> {
        Ok(Json(service::form_for(&state.db, auth.user(), id.0).await?))
    }

    /// Answer the evaluation, once (trainees of the batch, from its last day
    /// for 30 days). The answers are stored without the trainee's identity.
    #[oai(path = "/batches/:id/evaluation", method = "post")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<Submission>,
    ) -> AppResult<Answered> {
        service::submit(&state.db, auth.user(), id.0, &body.0).await?;
        Ok(Answered::Done)
    }

    /// Close the evaluation before its 30 days are over (admin): trainees
    /// can no longer answer, and the results, final now, are shown.
    /// Closing again changes nothing.
    #[oai(path = "/batches/:id/evaluation/close", method = "post")]
    async fn close(&self, state: Data<&AppState>, auth: Auth, id: Path<Uuid>) -> AppResult<Closed> {
        service::close(&state.db, auth.user(), id.0).await?;
        Ok(Closed::Done)
    }

    /// The evaluation's results (admin): per statement the distribution,
    /// mean and index (25–100), per group and narasumber the index and
    /// grade, and the comments; given once final (closed, its 30 days over,
    /// or everyone answered) and from 5 answers; a statement or narasumber
    /// with fewer answers is left out.
    /// `format=csv|xlsx` downloads the same table.
    #[oai(path = "/batches/:id/evaluation", method = "get")]
    async fn results(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<Box<BatchEvaluation>>> {
        let evaluation = service::results(&state.db, auth.user(), id.0).await?;
        let (headers, rows) = table(&evaluation.results);
        let title = format!(
            "evaluasi {} {}",
            evaluation.batch.course_code, evaluation.batch.name
        );
        as_table(format.0, Box::new(evaluation), &title, &headers, &rows)
    }
}
