//! JSON API: a course's pre-test and post-test blueprint, and a batch's
//! scores and learning gain. Trainees take both tests through the quiz
//! endpoints (`/quizzes/{id}`, `/quizzes/{id}/attempts`).

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::model::{ReviewPolicy, TagRule};
use super::prepost::{self, BatchGain, PrePostInput, PrePostView};
use crate::error::{AppError, AppResult};
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::state::AppState;
use crate::http::tables::{Table, TableFormat, json_format, table};

#[derive(Object)]
struct PrePostRequest {
    bank_id: Uuid,
    /// Tag rules both tests draw by, e.g. `[{"tag": "unit:jaringan",
    /// "count": 5}]`; machine-graded types only. With at least twice each
    /// count in the bank, every post-test is a parallel form.
    #[oai(validator(min_items = 1, max_items = 50))]
    rules: Vec<TagRule>,
    /// Seconds (up to 10 hours); `null` or absent for no limit.
    #[oai(validator(minimum(value = "10"), maximum(value = "36000")))]
    time_limit_seconds: MaybeUndefined<i32>,
    /// Default true.
    shuffle_questions: Option<bool>,
    /// Default true.
    shuffle_choices: Option<bool>,
    /// When trainees see the post-test's answers (default `after_submit`);
    /// the pre-test's are never shown.
    post_review_policy: Option<ReviewPolicy>,
}

pub struct PrePostApi;

#[OpenApi(tag = "ApiTags::Quizzes")]
impl PrePostApi {
    /// A course's pre-test and post-test (admin); 404 when not set up.
    #[oai(path = "/courses/:id/pre-post-test", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<PrePostView>> {
        Ok(Json(
            prepost::of_course(&state.engine, auth.user(), id.0)
                .await?
                .ok_or(AppError::NotFound)?,
        ))
    }

    /// Set up or change a course's pre-test and post-test from one
    /// blueprint (admin): one attempt each, no pass mark, the pre-test
    /// without review. Attempts already started keep their questions.
    /// Per-batch windows go through `POST /quizzes/{id}/windows`.
    #[oai(path = "/courses/:id/pre-post-test", method = "put")]
    async fn save(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<PrePostRequest>,
    ) -> AppResult<Json<PrePostView>> {
        let body = body.0;
        let input = PrePostInput {
            bank_id: body.bank_id,
            rules: body.rules,
            time_limit_seconds: body.time_limit_seconds.take(),
            shuffle_questions: body.shuffle_questions.unwrap_or(true),
            shuffle_choices: body.shuffle_choices.unwrap_or(true),
            post_review_policy: body.post_review_policy.unwrap_or(ReviewPolicy::AfterSubmit),
        };
        Ok(Json(
            prepost::save(&state.engine, auth.user(), id.0, input).await?,
        ))
    }

    /// A batch's pre-test and post-test (admin): per participant the two
    /// percents and g = (post − pre) / (100 − pre) with its category
    /// (≥ 0.7 high, ≥ 0.3 medium, else low); for the batch the means over
    /// those who took both, the mean gain and how many improved.
    /// `format=csv|xlsx` downloads the same table.
    #[oai(path = "/batches/:id/pre-post-test", method = "get")]
    async fn batch(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<Box<BatchGain>>> {
        let gain = prepost::of_batch(&state.engine, auth.user(), id.0).await?;
        let (headers, rows) = prepost::table(&gain);
        let title = format!("pre-post {} {}", gain.course_code, gain.batch_name);
        table(format.0, Box::new(gain), &title, &headers, &rows)
    }
}
