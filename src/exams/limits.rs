//! The length limits of an exam's task answers, checked on every save of
//! one (every keystroke, so the exam's spec is cached). Kept apart so that
//! the attempt engine can ask without importing how exams are sat.

use uuid::Uuid;

use super::model::over_limit as too_long;
use super::store;
use crate::banks::model::Question;
use crate::engine::Engine;
use crate::error::{AppError, AppResult};

/// Why a task answer is too long, if the question is a task of an exam.
pub async fn over_limit(
    engine: &Engine,
    assessment_id: Uuid,
    question: &Question,
    text: &str,
) -> AppResult<Option<String>> {
    let stable_id = question.stable_id();
    let stable_id = stable_id.as_str();
    // Cached: every keystroke of a task answer is saved through here.
    let spec = match engine.caches.exam_spec(&assessment_id) {
        Some(spec) => spec,
        None => {
            let spec = match store::exam_of_assessment(engine.db.read(), assessment_id).await? {
                Some(row) => Some(std::sync::Arc::new(
                    serde_json::from_str::<super::model::ExamSpec>(&row.spec).map_err(|e| {
                        AppError::internal(format!("exam {} spec unreadable: {e}", row.id))
                    })?,
                )),
                None => None,
            };
            engine
                .caches
                .remember_exam_spec(assessment_id, spec.clone());
            spec
        }
    };
    let Some(spec) = spec else {
        return Ok(None);
    };
    Ok(spec
        .tasks
        .iter()
        .find(|t| t.questions().any(|q| q == stable_id))
        .and_then(|t| too_long(t, text)))
}
