//! How long a written answer may be. An exam's task sets the limit; it is
//! written on the attempt's question slot when the attempt is drawn, so
//! saving an answer (every keystroke of an essay) checks it from the slot
//! without asking the exam.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Candidate, Slot};

/// At most one of the two is set (an exam's check refuses both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerLimit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub words: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chars: Option<u32>,
}

impl AnswerLimit {
    /// A limit when either bound is set.
    pub fn of(words: Option<u32>, chars: Option<u32>) -> Option<AnswerLimit> {
        (words.is_some() || chars.is_some()).then_some(AnswerLimit { words, chars })
    }

    /// Why `text` is too long, if it is.
    pub fn problem(&self, text: &str) -> Option<String> {
        if let Some(limit) = self.words {
            let words = word_count(text);
            if words > limit as usize {
                return Some(format!("jawaban {words} kata, melebihi batas {limit} kata"));
            }
        }
        if let Some(limit) = self.chars {
            let chars = text.chars().count();
            if chars > limit as usize {
                return Some(format!(
                    "jawaban {chars} karakter, melebihi batas {limit} karakter"
                ));
            }
        }
        None
    }
}

/// Words as a reader counts them.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Writes each drawn question's limit (by its stable id) on its slot.
pub fn set_limits(slots: &mut [Slot], pool: &[Candidate], limits: &BTreeMap<String, AnswerLimit>) {
    if limits.is_empty() {
        return;
    }
    for slot in slots {
        slot.limit = pool
            .iter()
            .find(|c| c.id == slot.question_id)
            .and_then(|c| limits.get(&c.stable_id))
            .copied();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words_and_characters() {
        let words = AnswerLimit::of(Some(5), None).unwrap();
        assert_eq!(words.problem("satu dua  tiga\nempat lima"), None);
        assert_eq!(
            words.problem("satu dua tiga empat lima enam").as_deref(),
            Some("jawaban 6 kata, melebihi batas 5 kata")
        );
        let chars = AnswerLimit::of(None, Some(4)).unwrap();
        assert_eq!(chars.problem("abcd"), None);
        assert!(chars.problem("abcde").unwrap().contains("5 karakter"));
        assert_eq!(AnswerLimit::of(None, None), None);
    }
}
