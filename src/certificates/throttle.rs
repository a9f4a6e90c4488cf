//! A per-address limit for the public verification endpoints, so nobody
//! can walk the code space. Kept in memory: losing it on restart costs
//! nothing (a 60-bit code cannot be guessed in a minute's allowance), so
//! it need not be shared between instances.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::AppError;

pub struct Throttle {
    per_minute: u32,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

const WINDOW: Duration = Duration::from_secs(60);

impl Throttle {
    pub fn new(per_minute: u32) -> Throttle {
        Throttle {
            per_minute,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `address`; 429 past the allowance.
    pub fn check(&self, address: &str, now: Instant) -> Result<(), AppError> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 50_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = seen.entry(address.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.per_minute {
            let left = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(AppError::TooManyRequests {
                retry_after: left.as_secs().max(1),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowance_per_address_per_minute() {
        let t = Throttle::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(t.check("10.0.0.1", start).is_ok());
        }
        assert!(matches!(
            t.check("10.0.0.1", start),
            Err(AppError::TooManyRequests { .. })
        ));
        assert!(
            t.check("10.0.0.2", start).is_ok(),
            "others are not affected"
        );
        assert!(t.check("10.0.0.1", start + WINDOW).is_ok(), "a new minute");
    }
}
