//! Short-lived copies of rows that change rarely but are read on every
//! exam-day request (a quiz's settings and windows, a bank's current
//! version). A copy is used for at most `ttl`; the instance that changes a
//! row forgets its copy at once, and other instances see the change within
//! `ttl`, as they see a revoked session within its own bound.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use uuid::Uuid;

/// Entries kept before the map starts over (a bound, not a policy).
const LIMIT: usize = 10_000;

pub struct Fresh<V> {
    ttl: Duration,
    map: RwLock<HashMap<Uuid, (Instant, Arc<V>)>>,
}

impl<V> Fresh<V> {
    pub fn new(ttl: Duration) -> Fresh<V> {
        Fresh {
            ttl,
            map: RwLock::new(HashMap::new()),
        }
    }

    /// The copy of `id`, unless it is older than the time to live.
    pub fn get(&self, id: &Uuid) -> Option<Arc<V>> {
        let map = self
            .map
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(id)
            .filter(|(taken, _)| taken.elapsed() < self.ttl)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&self, id: Uuid, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let mut map = self
            .map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= LIMIT {
            map.clear();
        }
        map.insert(id, (Instant::now(), value.clone()));
        value
    }

    pub fn forget(&self, id: &Uuid) {
        self.map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_lives_until_its_time_or_until_forgotten() {
        let id = Uuid::now_v7();
        let fresh = Fresh::new(Duration::from_secs(60));
        assert!(fresh.get(&id).is_none());
        fresh.put(id, 1);
        assert_eq!(fresh.get(&id).as_deref(), Some(&1));
        fresh.forget(&id);
        assert!(fresh.get(&id).is_none());

        let stale = Fresh::new(Duration::ZERO);
        stale.put(id, 1);
        assert!(stale.get(&id).is_none(), "older than its time to live");
    }
}
