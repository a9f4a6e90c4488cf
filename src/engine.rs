//! What every request shares: the database, the group-commit writer (every
//! answer and every exam write goes through it) and the caches of banks,
//! questions and attempts. Started once per process.

use std::sync::Arc;

use crate::attempts::cache::Caches;
use crate::attempts::writer::Writer;
use crate::db::Db;

/// The database, the group-commit writer and the caches, shared by every request.
#[derive(Clone)]
pub struct Engine {
    pub db: Db,
    pub writer: Writer,
    pub caches: Arc<Caches>,
}

impl Engine {
    pub fn start(db: Db) -> Engine {
        Engine {
            writer: Writer::start(db.clone()),
            caches: Arc::new(Caches::default()),
            db,
        }
    }
}
