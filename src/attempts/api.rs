//! JSON API for quiz settings and attempts.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use time::OffsetDateTime;
use uuid::Uuid;

use super::answering::{self, Saved};
use super::marking::{self, EssayItem, EssayMark, MarkedEssay};
use super::model::{AnswerBody, GradeMethod, ReviewPolicy, Selection, TagRule};
use super::results::{self, ItemRow, ResultRow};
use super::service::{self, QuizInfo};
use super::settings::{self, QuizInput, QuizView};
use super::views::{AttemptView, ResultView};
use crate::audit::AuditView;
use crate::error::{AppError, AppResult};
use crate::http::api_tags::ApiTags;
use crate::http::auth::Auth;
use crate::http::fields::Text;
use crate::http::state::AppState;
use crate::http::tables::{Table, TableFormat, json_format, table};

#[derive(Object, Clone)]
struct SelectionRequest {
    /// Draw `count` questions per tag, e.g. `[{"tag": "unit:jaringan", "count": 10}]`.
    rules: Option<Vec<TagRule>>,
    /// Or exactly these questions (stable ids), in this order.
    question_ids: Option<Vec<String>>,
}

impl SelectionRequest {
    fn selection(self) -> AppResult<Selection> {
        match (self.rules, self.question_ids) {
            (Some(rules), None) => Ok(Selection::ByTags { rules }),
            (None, Some(question_ids)) => Ok(Selection::Fixed { question_ids }),
            _ => Err(AppError::invalid_field(
                "selection",
                "isi tepat satu dari rules atau question_ids",
            )),
        }
    }
}

#[derive(Object)]
struct QuizRequest {
    #[oai(validator(max_length = 200, pattern = r"[^\s\x1c-\x1f]"))]
    title: Option<String>,
    bank_id: Option<Uuid>,
    selection: Option<SelectionRequest>,
    /// Seconds; `null` for no limit.
    #[oai(validator(minimum(value = "10")))]
    time_limit_seconds: MaybeUndefined<i32>,
    opens_at: MaybeUndefined<OffsetDateTime>,
    closes_at: MaybeUndefined<OffsetDateTime>,
    /// Default 1.
    #[oai(validator(minimum(value = "1")))]
    max_attempts: Option<i32>,
    /// Default 70.
    #[oai(validator(minimum(value = "0"), maximum(value = "100")))]
    pass_percent: Option<f64>,
    shuffle_questions: Option<bool>,
    shuffle_choices: Option<bool>,
    /// Default `highest`.
    grade_method: Option<GradeMethod>,
    /// Default `after_submit`.
    review_policy: Option<ReviewPolicy>,
    /// Must be passed to complete the course (default true).
    required: Option<bool>,
}

fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

impl QuizRequest {
    fn input(self) -> AppResult<QuizInput> {
        Ok(QuizInput {
            title: self.title,
            bank_id: self.bank_id,
            selection: self
                .selection
                .map(SelectionRequest::selection)
                .transpose()?,
            time_limit_seconds: maybe(self.time_limit_seconds),
            opens_at: maybe(self.opens_at),
            closes_at: maybe(self.closes_at),
            max_attempts: self.max_attempts,
            pass_percent: self.pass_percent,
            shuffle_questions: self.shuffle_questions,
            shuffle_choices: self.shuffle_choices,
            grade_method: self.grade_method,
            review_policy: self.review_policy,
            required: self.required,
        })
    }
}

#[derive(Object)]
struct WindowRequest {
    batch_id: Uuid,
    opens_at: Option<OffsetDateTime>,
    closes_at: Option<OffsetDateTime>,
}

#[derive(Object)]
struct AnswerRequest {
    response: AnswerBody,
    /// Optional client sequence number: a lower one never replaces a higher one.
    seq: Option<i64>,
}

#[derive(Object)]
struct EssayMarkRequest {
    /// Points awarded, 0 up to the question's points (decimals allowed).
    points: f64,
    /// For the record (kept in the audit log with the mark).
    #[oai(validator(max_length = 5000))]
    comment: Option<String>,
    /// Corrects an earlier mark (administrators only): why, at least 5
    /// characters. Without it a marked essay answers 409 `already_marked`.
    #[oai(validator(max_length = 2000))]
    reason: Option<String>,
}

#[derive(Object)]
struct RegradeRequest {
    reason: Text<1, 2000>,
}

#[derive(ApiResponse)]
enum QuizCreated {
    /// The quiz was created.
    #[oai(status = 201)]
    Created(Json<QuizView>),
}

#[derive(ApiResponse)]
pub enum Started {
    /// A new attempt.
    #[oai(status = 201)]
    Created(Json<Box<AttemptView>>),
    /// The attempt already open (starting again never makes a second one).
    #[oai(status = 200)]
    Existing(Json<Box<AttemptView>>),
}

impl From<(AttemptView, bool)> for Started {
    /// `(view, created)` as the engine's start answers it.
    fn from((view, created): (AttemptView, bool)) -> Started {
        if created {
            Started::Created(Json(Box::new(view)))
        } else {
            Started::Existing(Json(Box::new(view)))
        }
    }
}

#[derive(ApiResponse)]
enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}

#[derive(Object)]
struct ResultsTable {
    quiz_id: Uuid,
    title: String,
    pass_percent: f64,
    rows: Vec<ResultRow>,
}

pub struct AttemptsApi;

#[OpenApi(tag = "ApiTags::Quizzes")]
impl AttemptsApi {
    /// Add a quiz to a module (admin): bank, question selection, time limit,
    /// window, attempts, pass mark, shuffling, kept grade and review policy.
    #[oai(path = "/modules/:id/quiz", method = "post")]
    async fn create_quiz(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<QuizRequest>,
    ) -> AppResult<QuizCreated> {
        Ok(QuizCreated::Created(Json(
            settings::create_for_module(&state.engine, auth.user(), id.0, body.0.input()?).await?,
        )))
    }

    /// Change a module's quiz (admin). Attempts already started keep their questions.
    #[oai(path = "/modules/:id/quiz", method = "patch")]
    async fn update_quiz(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<QuizRequest>,
    ) -> AppResult<Json<QuizView>> {
        Ok(Json(
            settings::update_for_module(&state.engine, auth.user(), id.0, body.0.input()?).await?,
        ))
    }

    /// A module's quiz settings (admin).
    #[oai(path = "/modules/:id/quiz", method = "get")]
    async fn get_quiz(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<QuizView>> {
        Ok(Json(
            settings::of_module(&state.engine, auth.user(), id.0)
                .await?
                .ok_or(AppError::NotFound)?,
        ))
    }

    /// Open and close a quiz at other times for one batch (admin).
    #[oai(path = "/quizzes/:id/windows", method = "post")]
    async fn set_window(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<WindowRequest>,
    ) -> AppResult<NoContent> {
        settings::set_window(
            &state.engine,
            auth.user(),
            id.0,
            body.batch_id,
            body.opens_at,
            body.closes_at,
        )
        .await?;
        Ok(NoContent::Done)
    }

    /// What the caller needs to know before starting: window, attempts left, kept grade.
    #[oai(path = "/quizzes/:id", method = "get")]
    async fn quiz_info(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<QuizInfo>> {
        Ok(Json(
            service::quiz_info(&state.engine, auth.user(), id.0).await?,
        ))
    }

    /// Start an attempt (an enrolled trainee, inside the window, with attempts
    /// left). Starting again while one is open returns that one.
    #[oai(path = "/quizzes/:id/attempts", method = "post")]
    async fn start(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Started> {
        Ok(service::start(&state.engine, auth.user(), id.0)
            .await?
            .into())
    }

    /// Resume an attempt: the same questions in the same order with every saved answer.
    #[oai(path = "/attempts/:id", method = "get")]
    async fn attempt(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Box<AttemptView>>> {
        Ok(Json(Box::new(
            service::view(&state.engine, auth.user(), id.0).await?,
        )))
    }

    /// Save one answer. The reply comes only once the answer is on disk.
    /// After the deadline (plus 5 s) the answer is refused with 409 `attempt_closed`.
    #[oai(path = "/attempts/:id/answers/:question_id", method = "put")]
    async fn save(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        question_id: Path<Uuid>,
        body: Json<AnswerRequest>,
    ) -> AppResult<Json<Saved>> {
        let body = body.0;
        Ok(Json(
            answering::save(
                &state.engine,
                auth.user(),
                id.0,
                question_id.0,
                body.response
                    .parse()
                    .map_err(|e| AppError::validation(vec![e]))?,
                body.seq,
            )
            .await?,
        ))
    }

    /// Hand the attempt in and grade it; a second submit returns the same result.
    #[oai(path = "/attempts/:id/submit", method = "post")]
    async fn submit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Box<AttemptView>>> {
        Ok(Json(Box::new(
            service::submit(&state.engine, auth.user(), id.0).await?,
        )))
    }

    /// Re-grade a finished attempt with the current rules (admin); audited.
    #[oai(path = "/attempts/:id/regrade", method = "post")]
    async fn regrade(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<RegradeRequest>,
    ) -> AppResult<Json<ResultView>> {
        Ok(Json(
            super::regrade::regrade(&state.engine, auth.user(), id.0, &body.reason).await?,
        ))
    }

    /// Every recorded change of an attempt's grade (admin).
    #[oai(path = "/attempts/:id/audit", method = "get")]
    async fn audit(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<AuditView>>> {
        Ok(Json(
            super::regrade::history(&state.engine, auth.user(), id.0).await?,
        ))
    }

    /// Results of a quiz per trainee (admin), optionally for one batch; `format=csv|xlsx` downloads them.
    #[oai(path = "/quizzes/:id/results", method = "get")]
    async fn results(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        batch: Query<Option<Uuid>>,
        #[oai(default = "json_format")] format: Query<TableFormat>,
    ) -> AppResult<Table<Box<ResultsTable>>> {
        let (quiz, rows) = results::results(&state.engine, auth.user(), id.0, batch.0).await?;
        let title = format!("hasil {}", quiz.title);
        let (headers, cells) = super::export::table(&rows);
        let value = Box::new(ResultsTable {
            quiz_id: quiz.id,
            title: quiz.title,
            pass_percent: quiz.pass_percent,
            rows,
        });
        table(format.0, value, &title, &headers, &cells)
    }

    /// Item analysis (admin): facility and discrimination of each question.
    #[oai(path = "/quizzes/:id/analysis", method = "get")]
    async fn analysis(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<ItemRow>>> {
        Ok(Json(
            results::item_analysis(&state.engine, auth.user(), id.0).await?,
        ))
    }

    /// Quiz essay answers waiting for a hand mark (admin, assessor), oldest
    /// first; the trainee is shown by a code only.
    #[oai(path = "/quiz-marking", method = "get")]
    async fn marking_queue(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> AppResult<Json<Vec<EssayItem>>> {
        Ok(Json(marking::queue(&state.engine, auth.user()).await?))
    }

    /// One quiz essay answer waiting for a mark (admin, assessor). Once
    /// marked: 409 `already_marked` for an assessor; an administrator gets
    /// it with `marked_points`, to correct. 404 for an exam's attempt or a
    /// question that is not an essay of the attempt.
    #[oai(path = "/quiz-marking/:attempt_id/:question_id", method = "get")]
    async fn marking_item(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        attempt_id: Path<Uuid>,
        question_id: Path<Uuid>,
    ) -> AppResult<Json<EssayItem>> {
        Ok(Json(
            marking::item(&state.engine, auth.user(), attempt_id.0, question_id.0).await?,
        ))
    }

    /// Mark a quiz essay (admin, assessor): points 0 up to the question's.
    /// The last essay of an attempt grades it (score, passed). Audited.
    /// 409 `already_marked` for a second mark unless an administrator
    /// corrects it with a `reason` (audited, the attempt graded again),
    /// `attempt_open` while the trainee is still at it; 404 for an exam's
    /// attempt or a question that is not an essay of the attempt.
    #[oai(path = "/quiz-marking/:attempt_id/:question_id", method = "post")]
    async fn mark_essay(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        attempt_id: Path<Uuid>,
        question_id: Path<Uuid>,
        body: Json<EssayMarkRequest>,
    ) -> AppResult<Json<MarkedEssay>> {
        let body = body.0;
        Ok(Json(
            marking::mark(
                &state.engine,
                auth.user(),
                attempt_id.0,
                question_id.0,
                EssayMark {
                    points: body.points,
                    comment: body.comment,
                    reason: body.reason,
                },
            )
            .await?,
        ))
    }
}
