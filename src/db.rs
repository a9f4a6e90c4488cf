//! Database connections: the embedded SQLite file or a PostgreSQL server.
//!
//! SQLite allows one writer at a time, and a transaction that starts as a
//! reader and then writes gets `SQLITE_BUSY` at once instead of waiting. So
//! on SQLite every write goes through a dedicated one-connection pool (writers
//! queue fairly in the pool instead of spinning on the file lock) and write
//! transactions start `IMMEDIATE`; reads use a separate pool and never block
//! on writers thanks to WAL. On PostgreSQL both handles are the same pool.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

/// How long a SQLite connection waits for the file lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(30);
const SQLITE_READ_POOL: u32 = 8;
/// Page cache bounds (filled only as pages are used): the writer's is large
/// because every page it misses is a file read in the middle of a commit.
const WRITER_CACHE_KIB: u32 = 32 * 1024;
const READER_CACHE_KIB: u32 = 4 * 1024;
const POSTGRES_POOL: u32 = 16;
/// Arbitrary constant naming the advisory lock that serialises migrations
/// when several instances start together on PostgreSQL.
const MIGRATION_LOCK_ID: i64 = 0x6269_6d74_656b;

#[derive(Clone, Debug)]
pub struct Db {
    read: DatabaseConnection,
    write: DatabaseConnection,
    url: String,
}

impl Db {
    /// Opens the pools for `url` (creating the SQLite file when the URL says `mode=rwc`).
    pub async fn connect(url: &str) -> Result<Db, DbErr> {
        if !url.starts_with("sqlite:") {
            let mut options = ConnectOptions::new(url);
            options
                .max_connections(POSTGRES_POOL)
                .acquire_timeout(Duration::from_secs(30))
                .sqlx_logging(false);
            let pool = Database::connect(options).await?;
            return Ok(Db {
                read: pool.clone(),
                write: pool,
                url: url.to_owned(),
            });
        }
        // The writer commits exam answers: FULL makes a commit survive a power cut.
        // It gets a larger page cache (a bound, filled only as pages are
        // used): an exam day's answers outgrow the default 2 MiB, and every
        // page it misses is a read from the file in the middle of a commit.
        let write = Database::connect(sqlite_options(
            url,
            1,
            SqliteSynchronous::Full,
            WRITER_CACHE_KIB,
        ))
        .await?;
        // An in-memory database exists once per connection: it cannot be split.
        let read = if url.contains(":memory:") {
            write.clone()
        } else {
            Database::connect(sqlite_options(
                url,
                SQLITE_READ_POOL,
                SqliteSynchronous::Normal,
                READER_CACHE_KIB,
            ))
            .await?
        };
        Ok(Db {
            read,
            write,
            url: url.to_owned(),
        })
    }

    /// For queries that only read.
    pub fn read(&self) -> &DatabaseConnection {
        &self.read
    }

    /// For single-statement writes outside a transaction.
    pub fn write(&self) -> &DatabaseConnection {
        &self.write
    }

    /// Starts a write transaction that holds the write lock from its first
    /// statement, so it can never fail half-way on a lock upgrade.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let mut options = TransactionOptions::default();
        if self.backend() == DbBackend::Sqlite {
            options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
        }
        self.write.begin_with_options(options).await
    }

    pub fn backend(&self) -> DbBackend {
        self.write.get_database_backend()
    }

    /// Applies every pending migration; safe when several instances start at once.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        if self.backend() != DbBackend::Postgres {
            return Migrator::up(&self.write, None).await;
        }
        // The advisory lock belongs to one session, so take it, migrate and
        // release on a connection of its own.
        let mut options = ConnectOptions::new(&self.url);
        options.max_connections(1).sqlx_logging(false);
        let conn = Database::connect(options).await?;
        let lock = |sql: &str| {
            Statement::from_sql_and_values(DbBackend::Postgres, sql, [MIGRATION_LOCK_ID.into()])
        };
        conn.execute_raw(lock("SELECT pg_advisory_lock($1)"))
            .await?;
        let result = Migrator::up(&conn, None).await;
        conn.execute_raw(lock("SELECT pg_advisory_unlock($1)"))
            .await?;
        conn.close().await?;
        result
    }

    /// Round-trips a trivial query; used by `/readyz`.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.read.ping().await?;
        self.write.ping().await
    }

    /// `(pool name, open connections, idle connections)` for `/metrics`.
    pub fn pool_stats(&self) -> Vec<(&'static str, u32, usize)> {
        match self.backend() {
            DbBackend::Postgres => {
                let pool = self.write.get_postgres_connection_pool();
                vec![("postgres", pool.size(), pool.num_idle())]
            }
            _ => {
                let write = self.write.get_sqlite_connection_pool();
                let read = self.read.get_sqlite_connection_pool();
                vec![
                    ("sqlite_write", write.size(), write.num_idle()),
                    ("sqlite_read", read.size(), read.num_idle()),
                ]
            }
        }
    }

    pub async fn close(self) {
        let _ = self.read.close().await;
        let _ = self.write.close().await;
    }
}

fn sqlite_options(
    url: &str,
    max_connections: u32,
    synchronous: SqliteSynchronous,
    cache_kib: u32,
) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(SQLITE_BUSY_TIMEOUT)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                .pragma("cache_size", format!("-{cache_kib}"))
                // Statement journals of multi-row upserts stay off the disk.
                .pragma("temp_store", "memory")
        });
    options
}
