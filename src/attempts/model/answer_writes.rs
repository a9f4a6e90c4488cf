//! Answers arriving together, played in arrival order: which write wins
//! for each question, which are replaced by a later one, which are older
//! than the answer already kept. Pure; `attempts::saving` runs it against
//! the database.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;
use uuid::Uuid;

/// One answer to store, as the trainee sent it.
#[derive(Debug, Clone)]
pub struct AnswerWrite {
    pub attempt_id: Uuid,
    pub question_id: Uuid,
    /// `model::Answer` as JSON.
    pub response: String,
    pub seq: Option<i64>,
    /// The attempt's deadline (fixed at its start, so the caller's copy is exact).
    pub deadline_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveOutcome {
    /// Stored (durably, once the batch commits) at this time.
    Saved(OffsetDateTime),
    /// A newer answer (higher `seq`) is kept; it was saved at this time.
    Stale(OffsetDateTime),
    /// The attempt is finished or past its deadline and grace.
    Closed,
}

/// Whether an answer with `incoming` sequence may replace one with `stored`:
/// unnumbered saves always do; numbered ones unless they are older.
pub fn replaces(stored: Option<i64>, incoming: Option<i64>) -> bool {
    match (stored, incoming) {
        (Some(stored), Some(incoming)) => stored <= incoming,
        _ => true,
    }
}

/// What a stored answer says about itself: its sequence number and when it was saved.
pub type Stamp = (Option<i64>, OffsetDateTime);

/// How a batch of saves to open attempts plays out.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    /// The write that reaches the database, one per question.
    pub winners: Vec<usize>,
    /// Writes replaced by a later write in the same batch → that winner.
    /// They share its fate: saved if it is written, stale if not.
    pub replaced_by: HashMap<usize, usize>,
    /// Writes older than the answer before them (stored, or earlier in the batch).
    pub stale: Vec<usize>,
}

/// Per question while a batch plays out: the sequence number in force
/// (`None`: no answer yet), and the writes that took effect, newest last.
type KeyState = (Option<Option<i64>>, Vec<usize>);

/// Keys that several writes of the batch share: only for those does the
/// order need the stored answer's sequence number before writing.
pub fn repeated_keys(writes: &[AnswerWrite]) -> Vec<(Uuid, Uuid)> {
    let mut seen = HashSet::new();
    let mut repeated = HashSet::new();
    for w in writes {
        let key = (w.attempt_id, w.question_id);
        if !seen.insert(key) {
            repeated.insert(key);
        }
    }
    repeated.into_iter().collect()
}

/// Plays `writes` one after another. `stored` holds the stored answer of
/// every repeated key that has one; single writes are left to the
/// database's conditional upsert.
pub fn plan(writes: &[AnswerWrite], stored: &HashMap<(Uuid, Uuid), Stamp>) -> Plan {
    let mut plan = Plan::default();
    let mut state: HashMap<(Uuid, Uuid), KeyState> = HashMap::new();
    for (index, write) in writes.iter().enumerate() {
        let key = (write.attempt_id, write.question_id);
        let (in_force, took_effect) = state
            .entry(key)
            .or_insert_with(|| (stored.get(&key).map(|s| s.0), Vec::new()));
        match in_force {
            Some(seq) if !replaces(*seq, write.seq) => plan.stale.push(index),
            _ => {
                *in_force = Some(write.seq);
                took_effect.push(index);
            }
        }
    }
    for (_, (_, took_effect)) in state {
        if let Some((winner, replaced)) = took_effect.split_last() {
            plan.winners.push(*winner);
            for r in replaced {
                plan.replaced_by.insert(*r, *winner);
            }
        }
    }
    plan.winners.sort_unstable();
    plan.stale.sort_unstable();
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(question: u128, seq: Option<i64>) -> AnswerWrite {
        AnswerWrite {
            attempt_id: Uuid::from_u128(1),
            question_id: Uuid::from_u128(question),
            response: format!("{seq:?}"),
            seq,
            deadline_at: crate::clock::now(),
        }
    }

    #[test]
    fn newer_or_unnumbered_answers_replace_stored_ones() {
        assert!(replaces(Some(3), Some(4)));
        assert!(replaces(Some(3), Some(3)), "a retry of the same save");
        assert!(!replaces(Some(4), Some(3)));
        assert!(replaces(None, Some(1)));
        assert!(replaces(Some(9), None));
    }

    #[test]
    fn writes_play_out_in_arrival_order() {
        let writes = [
            write(1, Some(1)),
            write(2, Some(5)),
            write(1, Some(2)),
            write(2, Some(4)),
            write(3, None),
        ];
        let plan = plan(&writes, &HashMap::new());
        assert_eq!(plan.winners, vec![1, 2, 4]);
        assert_eq!(
            plan.replaced_by,
            HashMap::from([(0, 2)]),
            "seq 1 then seq 2"
        );
        assert_eq!(plan.stale, vec![3], "seq 4 after seq 5");
    }

    #[test]
    fn the_stored_answer_takes_part_for_repeated_questions() {
        let now = crate::clock::now();
        let writes = [write(1, Some(5)), write(1, None), write(1, Some(6))];
        let key = (Uuid::from_u128(1), Uuid::from_u128(1));
        assert_eq!(repeated_keys(&writes), vec![key]);
        let stored = HashMap::from([(key, (Some(10), now))]);
        let plan = plan(&writes, &stored);
        assert_eq!(plan.stale, vec![0], "seq 5 is older than the stored 10");
        assert_eq!(plan.winners, vec![2], "unnumbered, then 6");
        assert_eq!(plan.replaced_by, HashMap::from([(1, 2)]));
    }

    #[test]
    fn unnumbered_writes_follow_arrival_order() {
        let plan = plan(&[write(1, None), write(1, None)], &HashMap::new());
        assert_eq!(plan.winners, vec![1]);
        assert_eq!(plan.replaced_by, HashMap::from([(0, 1)]));
        assert!(plan.stale.is_empty());
    }
}
