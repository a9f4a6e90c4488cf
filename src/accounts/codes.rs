//! One-time credentials: the activation code printed on a slip and the
//! token in a password-reset link. Pure rules: how they look, how long
//! they last, how a typed code is read. Only their SHA-256 is stored (as
//! for sessions): a code carries ~59 random bits and every try passes the
//! sign-in throttle, so a slow hash would add nothing.

use time::{Duration, OffsetDateTime};

use crate::string_enum::string_enum;

string_enum!(
    /// What a stored one-time credential is for.
    Purpose {
        Activation = "activation",
        PasswordReset = "password_reset",
    }
);

/// Printed slips are handed out at the start of a batch; two weeks covers it.
pub const ACTIVATION_TTL: Duration = Duration::days(14);
/// A reset link is used at once or not at all.
pub const RESET_TTL: Duration = Duration::minutes(30);

/// No 0/O, 1/I/L: read off paper and typed on a phone.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LEN: usize = 12;

/// A fresh activation code, grouped for reading: `K7QM-2XPA-9DHT`.
pub fn new_activation_code() -> String {
    let raw: String = (0..CODE_LEN)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    group(&raw)
}

fn group(raw: &str) -> String {
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed ("k7qm 2xpa-9dht", with O for 0 or I for 1) in the
/// form it was issued in.
pub fn normalise_code(typed: &str) -> String {
    let raw: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    group(&raw)
}

/// A fresh token for a link: 32 random bytes, URL-safe.
pub fn new_link_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// What is stored in place of a code or token.
pub fn digest(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A credential works until the instant it expires, not at it.
pub fn is_current(expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now < expires_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn codes_are_grouped_and_unambiguous() {
        let code = new_activation_code();
        assert_eq!(code.len(), 14, "{code}");
        assert_eq!(code.matches('-').count(), 2);
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']), "{code}");
        assert_ne!(code, new_activation_code());
    }

    #[test]
    fn typed_codes_are_read_leniently() {
        assert_eq!(normalise_code(" k7qm 2xpa-9dht "), "K7QM-2XPA-9DHT");
        assert_eq!(normalise_code("K7QM2XPA9DHT"), "K7QM-2XPA-9DHT");
        // Look-alikes never appear in a code, so reading them is harmless.
        assert_eq!(normalise_code("abco"), "ABC0");
        assert_eq!(
            digest("K7QM-2XPA-9DHT"),
            digest(&normalise_code("k7qm2xpa9dht"))
        );
    }

    #[test]
    fn expiry_is_exclusive() {
        let at = datetime!(2026-12-10 08:00 UTC);
        assert!(is_current(at, at - Duration::seconds(1)));
        assert!(!is_current(at, at));
        assert!(!is_current(at, at + RESET_TTL));
    }

    #[test]
    fn link_tokens_are_long_and_url_safe() {
        let token = new_link_token();
        assert_eq!(token.len(), 43);
        assert!(
            token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
