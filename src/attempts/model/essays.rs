//! Marking a quiz essay by hand: which marks wait for a marker, how a
//! mark in points becomes the question's fraction, and the code a marker
//! knows the attempt by. Pure; the service does the I/O.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use super::Mark;
use crate::error::FieldError;

/// Why a hand mark cannot be recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum MarkRefusal {
    /// The question is not one of the attempt's, or not one a marker marks.
    NotWaiting,
    /// A marker already marked it; a change goes through a regrade.
    AlreadyMarked,
    /// Points outside 0..=max.
    Invalid(FieldError),
}

/// The marks still waiting for a marker.
pub fn waiting(marks: &[Mark]) -> impl Iterator<Item = &Mark> {
    marks.iter().filter(|m| m.fraction.is_none())
}

/// `marks` with `points` (0..=the question's points) recorded on the essay
/// `question_id`. `essay` says whether the question is one a marker marks:
/// a machine-graded question never waits, so its `None` cannot occur, but
/// a stored essay mark may already hold a fraction (marked before); only
/// a `correction` (an administrator's, with a reason) replaces it.
pub fn record(
    marks: &[Mark],
    question_id: Uuid,
    essay: bool,
    points: f64,
    correction: bool,
) -> Result<Vec<Mark>, MarkRefusal> {
    let Some(at) = marks.iter().position(|m| m.question_id == question_id) else {
        return Err(MarkRefusal::NotWaiting);
    };
    if !essay {
        return Err(MarkRefusal::NotWaiting);
    }
    let max = marks[at].points;
    if marks[at].fraction.is_some() && !correction {
        return Err(MarkRefusal::AlreadyMarked);
    }
    if !points.is_finite() || points < 0.0 || points > max + 1e-9 {
        return Err(MarkRefusal::Invalid(FieldError::new(
            "points",
            format!("nilai harus 0 sampai {}", crate::numbers::decimal(max)),
        )));
    }
    let mut next = marks.to_vec();
    next[at].fraction = Some(if max > 0.0 {
        (points / max).clamp(0.0, 1.0)
    } else {
        1.0
    });
    Ok(next)
}

/// The code a marker sees instead of the trainee (`KZ-3F9A2C`): keyed
/// with a server secret, so it says nothing about who sat the attempt,
/// and per attempt, so two attempts of one trainee cannot be linked.
pub fn candidate_code(secret: &[u8; 32], attempt_id: Uuid) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(b"quiz-essay-candidate");
    mac.update(attempt_id.as_bytes());
    let digest = mac.finalize().into_bytes();
    format!("KZ-{}", hex::encode_upper(&digest[..3]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(id: u128, points: f64, fraction: Option<f64>) -> Mark {
        Mark {
            question_id: Uuid::from_u128(id),
            points,
            fraction,
        }
    }

    #[test]
    fn a_mark_in_points_becomes_the_fraction() {
        let marks = vec![mark(1, 1.0, Some(1.0)), mark(2, 4.0, None)];
        assert_eq!(waiting(&marks).count(), 1);
        let next = record(&marks, Uuid::from_u128(2), true, 3.0, false).unwrap();
        assert_eq!(next[1].fraction, Some(0.75));
        assert_eq!(waiting(&next).count(), 0);
        assert_eq!(
            crate::attempts::model::totals(&next),
            (4.0, 5.0, 80.0, true)
        );
    }

    #[test]
    fn twice_other_questions_and_bad_points_are_refused() {
        let marks = vec![mark(1, 1.0, Some(1.0)), mark(2, 4.0, None)];
        assert_eq!(
            record(&marks, Uuid::from_u128(1), true, 1.0, false),
            Err(MarkRefusal::AlreadyMarked)
        );
        assert_eq!(
            record(&marks, Uuid::from_u128(1), false, 1.0, false),
            Err(MarkRefusal::NotWaiting)
        );
        assert_eq!(
            record(&marks, Uuid::from_u128(9), true, 1.0, false),
            Err(MarkRefusal::NotWaiting)
        );
        for bad in [-1.0, 4.5, f64::NAN] {
            match record(&marks, Uuid::from_u128(2), true, bad, false) {
                Err(MarkRefusal::Invalid(e)) => {
                    assert_eq!(e.field, "points");
                    assert!(e.message.contains("0 sampai 4"), "{}", e.message);
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(record(&marks, Uuid::from_u128(2), true, 0.0, false).is_ok());
        // An administrator's correction replaces a mark; points still bounded.
        let corrected = record(&marks, Uuid::from_u128(1), true, 0.5, true).unwrap();
        assert_eq!(corrected[0].fraction, Some(0.5));
        assert!(record(&marks, Uuid::from_u128(1), true, 99.0, true).is_err());
        assert!(record(&marks, Uuid::from_u128(2), true, 4.0, false).is_ok());
    }

    #[test]
    fn codes_are_keyed_and_per_attempt() {
        let secret = [7u8; 32];
        let a = candidate_code(&secret, Uuid::from_u128(1));
        assert!(a.starts_with("KZ-") && a.len() == 9, "{a}");
        assert_eq!(a, candidate_code(&secret, Uuid::from_u128(1)));
        assert_ne!(a, candidate_code(&secret, Uuid::from_u128(2)));
        assert_ne!(a, candidate_code(&[8u8; 32], Uuid::from_u128(1)));
    }
}
