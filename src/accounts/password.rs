//! Password hashing: Argon2id at OWASP's parameters (19 MiB, t=2, p=1).
//!
//! Hashing is deliberately slow and memory-hungry, so it runs on the
//! blocking pool, one per core at a time: 200 logins in the same second
//! must queue, not allocate 200 × 19 MiB. The 19 MiB working areas are kept
//! and reused; allocating one per sign-in left the allocator holding close
//! to a gigabyte after a burst of logins (freed blocks stay in per-thread
//! arenas).

use std::sync::{LazyLock, Mutex, OnceLock};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

static HASHING_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Semaphore::new(cores)
});

/// Working areas not in use; never more than `HASHING_SLOTS` of them.
static MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

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

/// The Argon2 output for `password` and the raw `salt`, in a reused working area.
fn compute(argon: &Argon2, password: &[u8], salt: &[u8], len: usize) -> Result<Output, String> {
    let blocks = argon.params().block_count();
    let reused = MEMORY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .pop();
    let mut memory = reused
        .filter(|m| m.len() == blocks)
        .unwrap_or_else(|| vec![Block::default(); blocks]);
    let output = Output::init_with(len, |out| {
        argon
            .hash_password_into_with_memory(password, salt, out, &mut memory)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(|err| err.to_string());
    MEMORY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(memory);
    output
}

fn hash_now(password: &[u8]) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    let mut raw = [0u8; 64];
    let raw_salt = salt
        .as_salt()
        .decode_b64(&mut raw)
        .map_err(|e| e.to_string())?;
    let argon = argon2();
    let output = compute(&argon, password, raw_salt, Params::DEFAULT_OUTPUT_LEN)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon.params()).map_err(|e| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Whether `password` gives the hash stored in `phc` (with that hash's own
/// parameters, so older hashes keep working).
fn matches(password: &[u8], phc: &str) -> Result<bool, String> {
    let parsed = PasswordHash::new(phc).map_err(|e| e.to_string())?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| e.to_string())?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| e.to_string())?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(|e| e.to_string())?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Ok(false);
    };
    let mut raw = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut raw).map_err(|e| e.to_string())?;
    let computed = compute(
        &Argon2::new(algorithm, version, params),
        password,
        raw_salt,
        expected.len(),
    )?;
    // `Output` compares in constant time.
    Ok(computed == expected)
}

pub async fn hash(password: String) -> AppResult<String> {
    run_blocking(move || {
        hash_now(password.as_bytes())
            .map_err(|err| AppError::internal(format!("hashing failed: {err}")))
    })
    .await?
}

/// A hash of nothing in particular, verified against when the account does
/// not exist, so a wrong login name takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_now(b"decoy password").expect("hashing a constant cannot fail"))
}

/// True when `password` matches `stored`; false (after the same work) when
/// there is no stored hash.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<bool> {
    run_blocking(move || {
        let (hash, real) = match &stored {
            Some(hash) => (hash.as_str(), true),
            None => (decoy_hash(), false),
        };
        let ok = matches(password.as_bytes(), hash)
            .map_err(|err| AppError::internal(format!("stored hash unreadable: {err}")))?;
        Ok(real && ok)
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

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_still_verify() {
        use argon2::PasswordHasher;
        let salt = SaltString::generate(&mut OsRng);
        let older = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"sandi-lama-1", &salt)
        .unwrap()
        .to_string();
        assert!(
            verify("sandi-lama-1".into(), Some(older.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("sandi-lama-2".into(), Some(older)).await.unwrap());
    }
}
