//! The ids a trainee uses to name a choice, a matching item or a matching
//! answer. They must say nothing about the choice: not its place in the
//! bank (where the right answer is often written first), not which left
//! item goes with which right answer. So they are a MAC under a secret that
//! belongs to one attempt and never leaves the server; whoever knows every
//! public id and field still cannot tell which bank position an id stands for.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Which list of a question an id names; part of what is MACed, so a choice
/// id can never be replayed as a matching id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceList {
    /// Multiple-choice options.
    Choice,
    /// Matching: the items on the left.
    Left,
    /// Matching: the answers on the right.
    Right,
}

impl ChoiceList {
    fn letter(self) -> char {
        match self {
            ChoiceList::Choice => 'c',
            ChoiceList::Left => 'l',
            ChoiceList::Right => 'r',
        }
    }
}

/// What an attempt's ids are derived from.
#[derive(Clone, PartialEq, Eq)]
pub struct ChoiceKey(Keying);

#[derive(Clone, PartialEq, Eq)]
enum Keying {
    /// A random 32-byte secret stored with the attempt, never sent.
    Secret([u8; 32]),
    /// Attempts started before keyed ids existed: their ids (a hash of
    /// public inputs) were already handed out and their saved answers use
    /// them, so they keep them. Every new attempt has a secret.
    Legacy(Uuid),
}

impl std::fmt::Debug for ChoiceKey {
    // The secret must not reach a log line by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Keying::Secret(_) => f.write_str("ChoiceKey(secret)"),
            Keying::Legacy(_) => f.write_str("ChoiceKey(legacy)"),
        }
    }
}

impl ChoiceKey {
    /// A fresh secret for a new attempt.
    pub fn generate() -> ChoiceKey {
        ChoiceKey(Keying::Secret(rand::random()))
    }

    /// The key of a stored attempt: its secret column (hex), or the legacy
    /// derivation when the attempt predates keyed ids. `None` for a stored
    /// value that is not 32 bytes of hex.
    pub fn from_stored(attempt: Uuid, stored: Option<&str>) -> Option<ChoiceKey> {
        match stored {
            None => Some(ChoiceKey(Keying::Legacy(attempt))),
            Some(text) => {
                let bytes: [u8; 32] = hex::decode(text).ok()?.try_into().ok()?;
                Some(ChoiceKey(Keying::Secret(bytes)))
            }
        }
    }

    /// The value to store with the attempt (`None` for a legacy key).
    pub fn to_stored(&self) -> Option<String> {
        match &self.0 {
            Keying::Secret(bytes) => Some(hex::encode(bytes)),
            Keying::Legacy(_) => None,
        }
    }

    /// The id of entry `index` (its position in the bank) of `list` of
    /// question version `question`.
    pub fn id(&self, question: Uuid, list: ChoiceList, index: u16) -> String {
        let letter = list.letter();
        match &self.0 {
            Keying::Secret(secret) => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
                    .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
                mac.update(question.as_bytes());
                mac.update(&[letter as u8]);
                mac.update(&index.to_le_bytes());
                let digest = mac.finalize().into_bytes();
                format!("{letter}{}", hex::encode(&digest[..10]))
            }
            Keying::Legacy(attempt) => {
                let mut hash = Sha256::new();
                hash.update(attempt.as_bytes());
                hash.update(question.as_bytes());
                hash.update([letter as u8]);
                hash.update(index.to_le_bytes());
                format!("{letter}{}", hex::encode(&hash.finalize()[..5]))
            }
        }
    }

    /// The bank position of the entry of `list` called `id`, among `len` entries.
    pub fn position(&self, question: Uuid, list: ChoiceList, len: usize, id: &str) -> Option<u16> {
        (0..len.min(usize::from(u16::MAX)) as u16).find(|i| self.id(question, list, *i) == id)
    }

    /// The bank positions (within `range`) of the entries `ids` name, each
    /// id derived once whatever the number of `ids`; `Err` with the first id
    /// that names none of them. The caller bounds `ids` first.
    pub fn positions<'a>(
        &self,
        question: Uuid,
        list: ChoiceList,
        range: std::ops::Range<usize>,
        ids: &'a [String],
    ) -> Result<Vec<u16>, &'a str> {
        let end = range.end.min(usize::from(u16::MAX));
        let known: std::collections::HashMap<String, u16> = (range.start.min(end)..end)
            .map(|i| (self.id(question, list, i as u16), i as u16))
            .collect();
        ids.iter()
            .map(|id| known.get(id).copied().ok_or(id.as_str()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTEMPT: Uuid = Uuid::from_u128(42);
    const QUESTION: Uuid = Uuid::from_u128(7);

    /// The derivation the review broke: a hash of public inputs.
    fn public_hash(attempt: Uuid, question: Uuid, letter: char, index: u16) -> String {
        let mut hash = Sha256::new();
        hash.update(attempt.as_bytes());
        hash.update(question.as_bytes());
        hash.update([letter as u8]);
        hash.update(index.to_le_bytes());
        format!("{letter}{}", hex::encode(&hash.finalize()[..5]))
    }

    #[test]
    fn keyed_ids_are_not_the_public_hash() {
        let key = ChoiceKey::generate();
        for i in 0..8 {
            let id = key.id(QUESTION, ChoiceList::Choice, i);
            for j in 0..8 {
                assert!(!id.starts_with(&public_hash(ATTEMPT, QUESTION, 'c', j)));
            }
        }
    }

    #[test]
    fn two_attempts_never_share_ids() {
        let (a, b) = (ChoiceKey::generate(), ChoiceKey::generate());
        for i in 0..8 {
            assert_ne!(
                a.id(QUESTION, ChoiceList::Choice, i),
                b.id(QUESTION, ChoiceList::Choice, i)
            );
        }
    }

    #[test]
    fn lists_are_kept_apart_and_positions_found() {
        let key = ChoiceKey::generate();
        let left = key.id(QUESTION, ChoiceList::Left, 2);
        assert_ne!(left[1..], key.id(QUESTION, ChoiceList::Right, 2)[1..]);
        assert_eq!(key.position(QUESTION, ChoiceList::Left, 4, &left), Some(2));
        assert_eq!(key.position(QUESTION, ChoiceList::Right, 4, &left), None);
    }

    #[test]
    fn the_secret_round_trips_and_legacy_keeps_old_ids() {
        let key = ChoiceKey::generate();
        let stored = key.to_stored();
        assert_eq!(
            ChoiceKey::from_stored(ATTEMPT, stored.as_deref()),
            Some(key)
        );
        assert_eq!(ChoiceKey::from_stored(ATTEMPT, Some("zz")), None);
        let legacy = ChoiceKey::from_stored(ATTEMPT, None).unwrap();
        assert_eq!(legacy.to_stored(), None);
        let old = legacy.id(QUESTION, ChoiceList::Choice, 3);
        assert_eq!(old, public_hash(ATTEMPT, QUESTION, 'c', 3));
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let key = ChoiceKey::generate();
        let secret = key.to_stored().unwrap();
        assert!(!format!("{key:?}").contains(&secret));
    }
}
