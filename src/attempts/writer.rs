//! The single writer of the exam hot path. Saves, starts and submits are
//! queued to one task that runs many of them in one transaction and answers
//! every caller only after that transaction committed (group commit): on
//! SQLite, with `synchronous=FULL`, one fsync then covers a whole batch.
//!
//! A job must make its checks before it writes, so that an answered "no"
//! leaves nothing behind in the shared transaction.

use std::future::Future;
use std::pin::Pin;

use sea_orm::{DatabaseTransaction, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use crate::db::Db;
use crate::error::{AppError, AppResult};

/// Most jobs one transaction takes; more wait for the next one.
const MAX_BATCH: usize = 512;
/// Jobs waiting beyond this make callers wait too (back-pressure).
const QUEUE: usize = 16_384;

pub type JobFuture<'t> = Pin<Box<dyn Future<Output = Done> + Send + 't>>;
/// Delivers a job's result once the commit is known.
type Done = Box<dyn FnOnce(Result<(), String>) + Send>;
type Work = Box<dyn for<'t> FnOnce(&'t DatabaseTransaction) -> JobFuture<'t> + Send>;

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Work>,
}

impl Writer {
    /// Starts the writer task on the current runtime; it stops when the last
    /// `Writer` handle is dropped.
    pub fn start(db: Db) -> Writer {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(db, queue));
        Writer { jobs }
    }

    /// Runs `job` in the next group transaction and returns its result once
    /// the transaction has committed.
    pub async fn run<T, F>(&self, job: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(
                &'t DatabaseTransaction,
            ) -> Pin<Box<dyn Future<Output = AppResult<T>> + Send + 't>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel::<AppResult<T>>();
        let work: Work = Box::new(move |txn| {
            Box::pin(async move {
                let result = job(txn).await;
                Box::new(move |commit: Result<(), String>| {
                    let outcome = match commit {
                        Ok(()) => result,
                        Err(err) => Err(AppError::internal(format!("group commit failed: {err}"))),
                    };
                    let _ = reply.send(outcome);
                }) as Done
            })
        });
        self.jobs
            .send(work)
            .await
            .map_err(|_| AppError::internal("the answer writer has stopped"))?;
        answer
            .await
            .map_err(|_| AppError::internal("the answer writer dropped a job"))?
    }
}

async fn run(db: Db, mut queue: mpsc::Receiver<Work>) {
    let mut batch: Vec<Work> = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let jobs = std::mem::take(&mut batch);
        let txn = match db.begin_write().await {
            Ok(txn) => txn,
            Err(err) => {
                tracing::error!(error = %err, "answer writer cannot begin a transaction");
                // Each job still gets an answer: run none, fail all.
                fail_all(jobs, &err.to_string()).await;
                continue;
            }
        };
        let mut done = Vec::with_capacity(jobs.len());
        for job in jobs {
            done.push(job(&txn).await);
        }
        let commit = txn.commit().await.map_err(|e| e.to_string());
        if let Err(err) = &commit {
            tracing::error!(error = %err, "answer writer commit failed");
        }
        for finish in done {
            finish(commit.clone());
        }
    }
}

async fn fail_all(jobs: Vec<Work>, error: &str) {
    // The jobs need a transaction to produce their completion; without one
    // their reply channels are simply dropped, which callers see as an error.
    drop(jobs);
    tracing::warn!(error, "dropped a batch of exam writes");
}

/// Savepoint helper for jobs that may hit a constraint on PostgreSQL, where
/// one failed statement would otherwise poison the whole group transaction.
pub async fn in_savepoint<T, F>(txn: &DatabaseTransaction, f: F) -> AppResult<T>
where
    F: for<'s> FnOnce(
        &'s DatabaseTransaction,
    ) -> Pin<Box<dyn Future<Output = AppResult<T>> + Send + 's>>,
{
    let savepoint = txn.begin().await?;
    match f(&savepoint).await {
        Ok(value) => {
            savepoint.commit().await?;
            Ok(value)
        }
        Err(err) => {
            savepoint.rollback().await?;
            Err(err)
        }
    }
}
