//! CPU-heavy work on uploaded content (parsing a spreadsheet or a question
//! bank, rendering a large Markdown body) runs here: on tokio's blocking
//! pool, so the async workers keep answering `/healthz` and every other
//! request, and behind a small semaphore, so that a burst of uploads queues
//! instead of taking every core and the memory of every parse at once.
//!
//! Password hashing has its own pool (`accounts::password`): a queue of
//! imports must not delay a sign-in, nor the reverse.

use std::sync::LazyLock;

use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// Half the cores, at least one: on the usual 2-core machine one parse runs
/// at a time and the other core stays free for serving.
static PARSING_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Semaphore::new((cores / 2).max(1))
});

/// Runs `work` on the blocking pool once a parsing slot is free. A panic in
/// `work` becomes a 500 (the server stays up); parsers should never panic.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let _slot = PARSING_SLOTS
        .acquire()
        .await
        .map_err(|_| AppError::internal("parsing semaphore closed"))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| AppError::internal(format!("parsing task failed: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_off_the_async_workers_and_returns_the_result() {
        let name = run(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert_ne!(name, std::thread::current().name().map(str::to_owned));
    }

    #[tokio::test]
    async fn a_panic_is_a_500_not_a_crash() {
        let err = run(|| -> u32 { panic!("boom") }).await.unwrap_err();
        assert_eq!(err.status(), poem::http::StatusCode::INTERNAL_SERVER_ERROR);
    }
}
