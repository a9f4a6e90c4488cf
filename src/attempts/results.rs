//! What administrators read of finished attempts: results per trainee
//! (kept grade, every attempt), item analysis per question, and a
//! trainee's standing on a course's required quizzes.

use std::collections::BTreeMap;

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{AttemptStatus, ItemStats, Mark, analyse, kept};
use super::parts::find_assessment;
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::db::Db;
use crate::engine::Engine;
use crate::entities::{assessment, attempt};
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, Object)]
pub struct AttemptRow {
    pub id: Uuid,
    pub number: i32,
    pub status: AttemptStatus,
    pub score: Option<f64>,
    pub max_score: f64,
    pub percent: Option<f64>,
    pub passed: Option<bool>,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    pub finished_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct ResultRow {
    pub user_id: Uuid,
    pub name: String,
    pub nip: Option<String>,
    pub unit_kerja: Option<String>,
    pub attempts: Vec<AttemptRow>,
    /// The grade that counts (highest or last, per the quiz).
    pub kept_percent: Option<f64>,
    pub passed: Option<bool>,
}

/// Every trainee's attempts at a quiz, optionally of one batch
/// (administrators).
pub async fn results(
    engine: &Engine,
    admin: &CurrentUser,
    quiz_id: Uuid,
    batch_id: Option<Uuid>,
) -> AppResult<(assessment::Model, Vec<ResultRow>)> {
    admin.require(Role::Admin)?;
    let quiz = find_assessment(&engine.db, quiz_id).await?;
    let method = quiz.grade_method;
    let attempts = store::attempts_for(engine.db.read(), quiz.id, batch_id).await?;
    let user_ids: Vec<Uuid> = attempts.iter().map(|a| a.user_id).collect();
    let users = crate::accounts::lookup::users_by_id(engine.db.read(), &user_ids).await?;
    let mut by_user: BTreeMap<Uuid, Vec<&attempt::Model>> = BTreeMap::new();
    for a in &attempts {
        by_user.entry(a.user_id).or_default().push(a);
    }
    let mut rows: Vec<ResultRow> = by_user
        .into_iter()
        .map(|(user_id, list)| {
            let graded: Vec<(i32, f64)> = list
                .iter()
                .filter(|a| a.status == AttemptStatus::Graded)
                .filter_map(|a| a.percent.map(|p| (a.number, p)))
                .collect();
            let kept_percent = kept(&graded, method).map(|(_, p)| p);
            let user = users.get(&user_id);
            ResultRow {
                user_id,
                name: user.map(|u| u.name.clone()).unwrap_or_default(),
                nip: user.and_then(|u| u.nip.clone()),
                unit_kerja: user.and_then(|u| u.unit_kerja.clone()),
                attempts: list
                    .iter()
                    .map(|a| AttemptRow {
                        id: a.id,
                        number: a.number,
                        status: a.status,
                        score: a.score,
                        max_score: a.max_score,
                        percent: a.percent,
                        passed: a.passed,
                        started_at: a.started_at,
                        submitted_at: a.submitted_at,
                        finished_by: a.finished_by.clone(),
                    })
                    .collect(),
                kept_percent,
                passed: kept_percent.map(|p| p >= quiz.pass_percent),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((quiz, rows))
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct ItemRow {
    pub question_id: Uuid,
    pub stable_id: String,
    pub version: i32,
    pub title: Option<String>,
    pub text_html: String,
    pub stats: ItemStats,
}

/// Facility and discrimination of each question over the finished attempts
/// (administrators).
pub async fn item_analysis(
    engine: &Engine,
    admin: &CurrentUser,
    quiz_id: Uuid,
) -> AppResult<Vec<ItemRow>> {
    admin.require(Role::Admin)?;
    let quiz = find_assessment(&engine.db, quiz_id).await?;
    let attempts = store::attempts_for(engine.db.read(), quiz.id, None).await?;
    let mut per_attempt: Vec<Vec<Mark>> = Vec::new();
    for a in attempts.iter().filter(|a| a.status != AttemptStatus::Open) {
        if let Some(marks) = a
            .marks
            .as_deref()
            .and_then(|m| serde_json::from_str::<Vec<Mark>>(m).ok())
        {
            per_attempt.push(marks);
        }
    }
    let stats = analyse(&per_attempt);
    let question_ids: Vec<Uuid> = stats.keys().copied().collect();
    let rows = crate::banks::lookup::questions_by_ids(engine.db.read(), &question_ids).await?;
    let mut items = Vec::new();
    for row in rows {
        let Some(stats) = stats.get(&row.id) else {
            continue;
        };
        let question = crate::banks::service::decode(&row)?;
        items.push(ItemRow {
            question_id: row.id,
            stable_id: row.stable_id.clone(),
            version: row.version,
            title: row.title.clone(),
            text_html: question.text_html(),
            stats: stats.clone(),
        });
    }
    items.sort_by(|a, b| a.stats.facility.total_cmp(&b.stats.facility));
    Ok(items)
}

/// Each required quiz of a course with the trainee's kept grade.
pub async fn quiz_standing(
    db: &Db,
    course_id: Uuid,
    user_id: Uuid,
) -> AppResult<Vec<(Uuid, String, bool, Option<f64>, bool)>> {
    let mut out = Vec::new();
    for quiz in store::quizzes_of_course(db.read(), course_id).await? {
        let method = quiz.grade_method;
        let graded: Vec<(i32, f64)> = store::attempts_of(db.read(), quiz.id, user_id)
            .await?
            .iter()
            .filter(|a| a.status == AttemptStatus::Graded)
            .filter_map(|a| a.percent.map(|p| (a.number, p)))
            .collect();
        let best = kept(&graded, method).map(|(_, p)| p);
        out.push((
            quiz.id,
            quiz.title.clone(),
            quiz.required,
            best,
            best.is_some_and(|p| p >= quiz.pass_percent),
        ));
    }
    Ok(out)
}
