//! Password hashing: Argon2id at OWASP's parameters (19 MiB, t=2, p=1).
//!
//! Hashing is deliberately slow and memory-hungry, so it runs on the
//! blocking pool, and a semaphore caps how many run at once: 200 logins in
//! the same second must queue, not allocate 200 × 19 MiB.

use std::sync::{LazyLock, OnceLock};

use argon2::password_hash::{PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

static HASHING_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Semaphore::new(cores * 2)
});

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let _slot = HASHING_SLOTS
        .acquire()
        .await
        .map_err(|_| AppError::internal("hashing semaphore closed"))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| AppError::internal(format!("hashing task failed: {err}")))
}

pub async fn hash(password: String) -> AppResult<String> {
    run_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|err| AppError::internal(format!("hashing failed: {err}")))
    })
    .await?
}

/// A hash of nothing in particular, verified against when the account does
/// not exist, so a wrong login name takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"decoy password", &salt)
            .expect("hashing a constant cannot fail")
            .to_string()
    })
}

/// True when `password` matches `stored`; false (after the same work) when
/// there is no stored hash.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<bool> {
    run_blocking(move || {
        let (hash, real) = match &stored {
            Some(hash) => (hash.as_str(), true),
            None => (decoy_hash(), false),
        };
        let parsed = PasswordHash::new(hash)
            .map_err(|err| AppError::internal(format!("stored hash unreadable: {err}")))?;
        let matches = argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(real && matches)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() {
        let hash = hash("rahasia-123".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            verify("rahasia-123".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("salah".into(), Some(hash)).await.unwrap());
        assert!(!verify("decoy password".into(), None).await.unwrap());
    }
}
