//! In-process caches of things that never change once written: question
//! versions and their rendered HTML, the draw pool of a bank version, an
//! attempt's drawn questions, owner and deadline. Losing them costs a
//! query, never correctness, so each instance keeps its own.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{Candidate, ChoiceKey, Slot};
use super::views::{Rendered, render};
use crate::banks::model::Question;
use crate::banks::{lookup as bank_lookup, service as banks};
use crate::db::Db;
use crate::entities::attempt;
use crate::error::{AppError, AppResult};

/// Entries kept per cache before it starts over (a bound, not a policy:
/// the working set of an exam day is far smaller).
const LIMIT: usize = 100_000;

struct Map<V>(RwLock<HashMap<Uuid, V>>);

impl<V: Clone> Map<V> {
    fn new() -> Self {
        Map(RwLock::new(HashMap::new()))
    }

    fn get(&self, id: &Uuid) -> Option<V> {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    fn put(&self, id: Uuid, value: V) {
        let mut map = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= LIMIT {
            map.clear();
        }
        map.insert(id, value);
    }
}

/// What an attempt is made of that can never change after it starts.
#[derive(Debug)]
pub struct AttemptShape {
    pub id: Uuid,
    pub assessment_id: Uuid,
    pub user_id: Uuid,
    pub number: i32,
    pub started_at: OffsetDateTime,
    pub deadline_at: OffsetDateTime,
    pub slots: Vec<Slot>,
    /// Makes the choice ids of this attempt; stays on the server.
    pub key: ChoiceKey,
}

impl AttemptShape {
    pub fn from_row(row: &attempt::Model) -> AppResult<AttemptShape> {
        Ok(AttemptShape {
            id: row.id,
            assessment_id: row.assessment_id,
            user_id: row.user_id,
            number: row.number,
            started_at: row.started_at,
            deadline_at: row.deadline_at,
            slots: serde_json::from_str(&row.slots).map_err(|e| {
                AppError::internal(format!("attempt {} slots unreadable: {e}", row.id))
            })?,
            key: ChoiceKey::from_stored(row.id, row.choice_key.as_deref()).ok_or_else(|| {
                AppError::internal(format!("attempt {} choice key unreadable", row.id))
            })?,
        })
    }

    pub fn slot(&self, question_id: Uuid) -> Option<&Slot> {
        self.slots.iter().find(|s| s.question_id == question_id)
    }
}

pub struct Caches {
    questions: Map<Arc<Question>>,
    pools: Map<Arc<Vec<Candidate>>>,
    attempts: Map<Arc<AttemptShape>>,
    rendered: Map<Arc<Rendered>>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            questions: Map::new(),
            pools: Map::new(),
            attempts: Map::new(),
            rendered: Map::new(),
        }
    }
}

impl Caches {
    /// Question versions by id, loading the missing ones in one query.
    pub async fn questions(
        &self,
        db: &Db,
        ids: &[Uuid],
    ) -> AppResult<HashMap<Uuid, Arc<Question>>> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for id in ids {
            match self.questions.get(id) {
                Some(q) => {
                    found.insert(*id, q);
                }
                None => missing.push(*id),
            }
        }
        if !missing.is_empty() {
            for row in bank_lookup::questions_by_ids(db.read(), &missing).await? {
                let question = Arc::new(banks::decode(&row)?);
                self.questions.put(row.id, question.clone());
                found.insert(row.id, question);
            }
        }
        Ok(found)
    }

    /// What a draw may pick from a bank version (its question versions).
    pub async fn pool(&self, db: &Db, bank_version_id: Uuid) -> AppResult<Arc<Vec<Candidate>>> {
        if let Some(pool) = self.pools.get(&bank_version_id) {
            return Ok(pool);
        }
        let rows = bank_lookup::version_questions(db.read(), bank_version_id).await?;
        let mut candidates = Vec::with_capacity(rows.len());
        for row in rows {
            let question = Arc::new(banks::decode(&row)?);
            self.questions.put(row.id, question.clone());
            candidates.push(Candidate {
                id: row.id,
                stable_id: row.stable_id,
                question,
            });
        }
        let pool = Arc::new(candidates);
        self.pools.put(bank_version_id, pool.clone());
        Ok(pool)
    }

    /// The HTML of question version `id`, rendered on first use.
    pub fn rendered(&self, id: Uuid, question: &Question) -> Arc<Rendered> {
        if let Some(rendered) = self.rendered.get(&id) {
            return rendered;
        }
        let rendered = Arc::new(render(question));
        self.rendered.put(id, rendered.clone());
        rendered
    }

    pub fn attempt(&self, id: &Uuid) -> Option<Arc<AttemptShape>> {
        self.attempts.get(id)
    }

    pub fn remember(&self, shape: AttemptShape) -> Arc<AttemptShape> {
        let shape = Arc::new(shape);
        self.attempts.put(shape.id, shape.clone());
        shape
    }
}
