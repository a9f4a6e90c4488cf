//! The single writer of the exam hot path. Saves, starts and submits are
//! queued to one task that runs many of them in one transaction and answers
//! every caller only after that transaction committed (group commit): on
//! SQLite, with `synchronous=FULL`, one fsync then covers a whole batch.
//!
//! A job must make its checks before it writes, so that an answered "no"
//! leaves nothing behind in the shared transaction. Answers, the bulk of
//! the traffic, are not jobs but data: consecutive answers are saved
//! together by `saving::save_all` in a couple of statements, between the
//! jobs that came before and after them.

use std::future::Future;
use std::pin::Pin;

use sea_orm::{ConnectionTrait, DatabaseTransaction, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use super::model::answer_writes::{AnswerWrite, SaveOutcome};
use super::saving;
use crate::clock;
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// Most jobs one transaction takes; more wait for the next one.
const MAX_BATCH: usize = 512;
/// Jobs waiting beyond this make callers wait too (back-pressure).
const QUEUE: usize = 16_384;

/// A job's outcome: whether it succeeded (else its writes are rolled back)
/// and how to reply once the commit is known.
pub type JobFuture<'t> = Pin<Box<dyn Future<Output = (bool, Done)> + Send + 't>>;
/// Delivers a job's result once the commit is known.
type Done = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn for<'t> FnOnce(&'t DatabaseTransaction) -> JobFuture<'t> + Send>;
type AnswerReply = oneshot::Sender<AppResult<SaveOutcome>>;

enum Work {
    Job(Job),
    Answer(AnswerWrite, AnswerReply),
}

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
        let work: Job = Box::new(move |txn| {
            Box::pin(async move {
                let result = job(txn).await;
                let ok = result.is_ok();
                let done = Box::new(move |commit: Result<(), String>| {
                    let outcome = match commit {
                        Ok(()) => result,
                        Err(err) => Err(AppError::internal(format!("group commit failed: {err}"))),
                    };
                    let _ = reply.send(outcome);
                }) as Done;
                (ok, done)
            })
        });
        self.send(Work::Job(work)).await?;
        answer
            .await
            .map_err(|_| AppError::internal("the answer writer dropped a job"))?
    }

    /// Saves one answer in the next group transaction; the outcome arrives
    /// once the transaction has committed.
    pub async fn save(&self, write: AnswerWrite) -> AppResult<SaveOutcome> {
        let (reply, answer) = oneshot::channel();
        self.send(Work::Answer(write, reply)).await?;
        answer
            .await
            .map_err(|_| AppError::internal("the answer writer dropped an answer"))?
    }

    /// Saves answers together: all are queued before any reply is awaited,
    /// so they share one group transaction. One outcome per write, in order.
    pub async fn save_many(&self, writes: Vec<AnswerWrite>) -> AppResult<Vec<SaveOutcome>> {
        let mut replies = Vec::with_capacity(writes.len());
        for write in writes {
            let (reply, answer) = oneshot::channel();
            self.send(Work::Answer(write, reply)).await?;
            replies.push(answer);
        }
        let mut outcomes = Vec::with_capacity(replies.len());
        for answer in replies {
            outcomes.push(
                answer
                    .await
                    .map_err(|_| AppError::internal("the answer writer dropped an answer"))??,
            );
        }
        Ok(outcomes)
    }

    async fn send(&self, work: Work) -> AppResult<()> {
        self.jobs
            .send(work)
            .await
            .map_err(|_| AppError::internal("the answer writer has stopped"))
    }
}

async fn run(db: Db, mut queue: mpsc::Receiver<Work>) {
    let mut batch: Vec<Work> = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let work = std::mem::take(&mut batch);
        let txn = match db.begin_write().await {
            Ok(txn) => txn,
            Err(err) => {
                tracing::error!(error = %err, "answer writer cannot begin a transaction");
                // Dropping the work drops every reply channel: each caller
                // gets an error rather than waiting forever.
                drop(work);
                continue;
            }
        };
        let started = std::time::Instant::now();
        let size = work.len();
        // Each job's reply, with its own failure if its savepoint could not be settled.
        let mut done: Vec<(Done, Option<String>)> = Vec::with_capacity(work.len());
        let mut answers: Vec<(AnswerWrite, AnswerReply)> = Vec::new();
        let mut answered: Vec<(AnswerReply, AppResult<SaveOutcome>)> = Vec::new();
        for item in work {
            match item {
                Work::Answer(write, reply) => answers.push((write, reply)),
                Work::Job(job) => {
                    save_answers(&txn, std::mem::take(&mut answers), &mut answered).await;
                    done.push(run_job(&txn, job).await);
                }
            }
        }
        save_answers(&txn, answers, &mut answered).await;
        let written = started.elapsed();
        let commit = txn.commit().await.map_err(|e| e.to_string());
        tracing::debug!(
            size,
            write_ms = written.as_secs_f64() * 1e3,
            commit_ms = (started.elapsed() - written).as_secs_f64() * 1e3,
            "group commit"
        );
        if let Err(err) = &commit {
            tracing::error!(error = %err, "answer writer commit failed");
        }
        for (finish, failure) in done {
            finish(match failure {
                Some(err) => Err(err),
                None => commit.clone(),
            });
        }
        for (reply, outcome) in answered {
            let outcome = match &commit {
                Ok(()) => outcome,
                Err(err) => Err(AppError::internal(format!("group commit failed: {err}"))),
            };
            let _ = reply.send(outcome);
        }
    }
}

/// Runs one job in its own savepoint: a job that fails (an error it
/// returns, or a statement PostgreSQL refused) leaves nothing behind and
/// cannot spoil the other jobs and answers sharing the transaction.
async fn run_job(txn: &DatabaseTransaction, job: Job) -> (Done, Option<String>) {
    let savepoint = match txn.begin().await {
        Ok(sp) => sp,
        Err(err) => {
            let (_, finish) = job(txn).await;
            return (finish, Some(format!("savepoint: {err}")));
        }
    };
    let (ok, finish) = job(&savepoint).await;
    let settled = if ok {
        savepoint.commit().await
    } else {
        savepoint.rollback().await
    };
    (finish, settled.err().map(|e| format!("savepoint: {e}")))
}

/// Saves the answers gathered since the last job; their replies wait for the commit.
async fn save_answers(
    txn: &DatabaseTransaction,
    answers: Vec<(AnswerWrite, AnswerReply)>,
    answered: &mut Vec<(AnswerReply, AppResult<SaveOutcome>)>,
) {
    if answers.is_empty() {
        return;
    }
    let (writes, replies): (Vec<AnswerWrite>, Vec<AnswerReply>) = answers.into_iter().unzip();
    // On PostgreSQL a failed statement aborts the whole transaction, so the
    // batch gets a savepoint there; SQLite fails only the statement.
    let saved = if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        in_savepoint(txn, move |sp| {
            Box::pin(async move { saving::save_all(sp, &writes, clock::now()).await })
        })
        .await
    } else {
        saving::save_all(txn, &writes, clock::now()).await
    };
    match saved {
        Ok(outcomes) => answered.extend(replies.into_iter().zip(outcomes.into_iter().map(Ok))),
        Err(err) => {
            let message = err.to_string();
            tracing::error!(error = %message, "saving a batch of answers failed");
            answered.extend(replies.into_iter().map(|r| {
                (
                    r,
                    Err(AppError::internal(format!("saving failed: {message}"))),
                )
            }));
        }
    }
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
