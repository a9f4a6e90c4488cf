//! After the run: is every acknowledged answer in the database, exactly as
//! acknowledged?

use std::collections::HashMap;

use bimtek::attempts::model::Answer;
use bimtek::entities::attempt_answer;
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::trainee::Trainee;

pub struct Check {
    pub acknowledged: usize,
    /// Acknowledged but missing, stored with an older sequence number, or
    /// (saved by the page form) stored as something else.
    pub lost: usize,
    /// Stored with the acknowledged sequence number but another response.
    pub altered: usize,
    pub examples: Vec<String>,
}

pub async fn acknowledged_answers(database_url: &str, trainees: &[Trainee]) -> Check {
    let db = sea_orm::Database::connect(database_url)
        .await
        .expect("connect to the database");
    let stored: HashMap<(Uuid, Uuid), attempt_answer::Model> = attempt_answer::Entity::find()
        .all(&db)
        .await
        .expect("read the answers")
        .into_iter()
        .map(|row| ((row.attempt_id, row.question_id), row))
        .collect();
    db.close().await.ok();

    let mut check = Check {
        acknowledged: 0,
        lost: 0,
        altered: 0,
        examples: Vec::new(),
    };
    for trainee in trainees {
        let Some(attempt) = trainee.attempt else {
            continue;
        };
        for (question, (seq, response)) in &trainee.acked {
            check.acknowledged += 1;
            let row = stored.get(&(attempt, *question));
            let problem = match (row, seq) {
                (None, _) => Some("missing".to_owned()),
                (Some(row), Some(seq)) if row.seq.unwrap_or(0) < *seq => {
                    Some(format!("seq {:?} stored, {seq} acknowledged", row.seq))
                }
                (Some(row), Some(seq))
                    if row.seq == Some(*seq) && !same(&row.response, response) =>
                {
                    check.altered += 1;
                    None
                }
                // Saved by the page form, which numbers nothing: the newest
                // acknowledged answer must be the stored one.
                (Some(row), None) if !same(&row.response, response) => {
                    Some(format!("{} stored, {response} acknowledged", row.response))
                }
                (Some(_), _) => None,
            };
            if let Some(problem) = problem {
                check.lost += 1;
                if check.examples.len() < 5 {
                    check
                        .examples
                        .push(format!("attempt {attempt} question {question}: {problem}"));
                }
            }
        }
    }
    check
}

fn same(stored: &str, acknowledged: &serde_json::Value) -> bool {
    let stored: Option<Answer> = serde_json::from_str(stored).ok();
    let acknowledged: Option<Answer> = serde_json::from_value(acknowledged.clone()).ok();
    stored.is_some() && stored == acknowledged
}
