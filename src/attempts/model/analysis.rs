//! Item analysis: how each question behaved over the finished attempts
//! (facility, and discrimination against the rest of the attempt), and
//! which questions an author should look at again.

use std::collections::BTreeMap;

use poem_openapi::Object;
use serde::Serialize;
use uuid::Uuid;

use super::Mark;

/// Item statistics of one question over many attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Object)]
pub struct ItemStats {
    pub responses: u32,
    /// Mean score on the question, 0–100: low means hard (or a wrong key).
    pub facility: f64,
    /// Correlation (×100) between the question and the rest of the attempt:
    /// near zero or negative means the question does not separate strong
    /// from weak candidates, often a sign it is broken.
    pub discrimination: Option<f64>,
    /// Why an author should look at the question again, if they should.
    pub review: Option<String>,
}

/// Below this discrimination (×100) a question barely separates strong
/// from weak candidates: a wrong key, two defensible answers, or a cue.
pub const LOW_DISCRIMINATION: f64 = 20.0;
/// Fewer responses than this say too little to flag anything.
const FEW_RESPONSES: u32 = 20;

fn review(responses: u32, facility: f64, discrimination: Option<f64>) -> Option<String> {
    if responses < FEW_RESPONSES {
        return None;
    }
    let note = match discrimination {
        Some(d) if d < 0.0 => {
            "daya beda negatif: peserta yang lebih lemah lebih sering benar; periksa kuncinya"
        }
        Some(d) if d < LOW_DISCRIMINATION => {
            "daya beda rendah: periksa apakah ada dua jawaban yang dapat dibenarkan atau petunjuk jawaban"
        }
        _ if facility < 20.0 => "terlalu sulit: periksa kunci dan materi modulnya",
        _ if facility > 95.0 => "terlalu mudah: hampir semua peserta benar",
        _ => return None,
    };
    Some(note.to_owned())
}

/// `scores[a] = (fraction on this question, total fraction of the other questions)` per attempt.
pub fn item_stats(scores: &[(f64, f64)]) -> ItemStats {
    let n = scores.len() as f64;
    if scores.is_empty() {
        return ItemStats {
            responses: 0,
            facility: 0.0,
            discrimination: None,
            review: None,
        };
    }
    let mean_x = scores.iter().map(|s| s.0).sum::<f64>() / n;
    let mean_y = scores.iter().map(|s| s.1).sum::<f64>() / n;
    let cov: f64 = scores.iter().map(|s| (s.0 - mean_x) * (s.1 - mean_y)).sum();
    let var_x: f64 = scores.iter().map(|s| (s.0 - mean_x).powi(2)).sum();
    let var_y: f64 = scores.iter().map(|s| (s.1 - mean_y).powi(2)).sum();
    let discrimination = (var_x > 0.0 && var_y > 0.0)
        .then(|| (cov / (var_x * var_y).sqrt() * 1000.0).round() / 10.0);
    let facility = (mean_x * 1000.0).round() / 10.0;
    let responses = scores.len() as u32;
    ItemStats {
        responses,
        facility,
        discrimination,
        review: review(responses, facility, discrimination),
    }
}

/// The statistics of every question over the marks of finished attempts:
/// each question against the rest of its attempt (so a question does not
/// correlate with itself). Questions waiting for an assessor are left out.
pub fn analyse(attempts: &[Vec<Mark>]) -> BTreeMap<Uuid, ItemStats> {
    let mut scores: BTreeMap<Uuid, Vec<(f64, f64)>> = BTreeMap::new();
    for marks in attempts {
        let max: f64 = marks.iter().map(|m| m.points).sum();
        let got: f64 = marks
            .iter()
            .map(|m| m.points * m.fraction.unwrap_or(0.0))
            .sum();
        for mark in marks {
            let Some(this) = mark.fraction else {
                continue;
            };
            let rest_max = max - mark.points;
            let rest = if rest_max > 0.0 {
                (got - mark.points * this) / rest_max
            } else {
                0.0
            };
            scores
                .entry(mark.question_id)
                .or_default()
                .push((this, rest));
        }
    }
    scores
        .into_iter()
        .map(|(id, s)| (id, item_stats(&s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    use super::*;

    fn logistic(x: f64) -> f64 {
        1.0 / (1.0 + (-1.7 * x).exp())
    }

    /// 300 candidates of known ability answer 30 questions; three are
    /// planted bad: one keyed wrong (the strong pick the real answer and
    /// are marked wrong), two ambiguous (two defensible answers, one keyed:
    /// right by a coin toss whatever the ability). Item analysis flags
    /// exactly those three.
    #[test]
    fn a_simulated_cohort_flags_exactly_the_planted_bad_items() {
        let mut rng = StdRng::seed_from_u64(2026);
        let questions = 30u128;
        let keyed_wrong = [7u128];
        let ambiguous = [13u128, 22];
        let mut attempts = Vec::new();
        for _ in 0..300 {
            let ability: f64 = rng.random_range(-2.5..2.5);
            let mut marks = Vec::new();
            for q in 0..questions {
                // Difficulties spread from -1,4 to 1,4, discriminations 1–1,5.
                let difficulty = -1.4 + 2.8 * (q as f64) / (questions as f64 - 1.0);
                let a = 1.0 + 0.5 * ((q % 3) as f64) / 2.0;
                let knows = logistic(a * (ability - difficulty));
                let right = if keyed_wrong.contains(&q) {
                    // Only those who do not know the answer pick the keyed distractor.
                    rng.random_bool((1.0 - knows) * 0.6)
                } else if ambiguous.contains(&q) {
                    rng.random_bool(0.5)
                } else {
                    rng.random_bool(knows)
                };
                marks.push(Mark {
                    question_id: Uuid::from_u128(q),
                    points: 1.0,
                    fraction: Some(if right { 1.0 } else { 0.0 }),
                });
            }
            attempts.push(marks);
        }
        let stats = analyse(&attempts);
        let flagged: Vec<u128> = stats
            .iter()
            .filter(|(_, s)| s.review.is_some())
            .map(|(id, _)| id.as_u128())
            .collect();
        assert_eq!(flagged, [7, 13, 22], "{stats:#?}");
        let wrong = &stats[&Uuid::from_u128(7)];
        assert!(wrong.discrimination.unwrap() < 0.0, "{wrong:?}");
        assert!(wrong.review.as_deref().unwrap().contains("negatif"));
        for q in ambiguous {
            let s = &stats[&Uuid::from_u128(q)];
            assert!(
                s.discrimination.unwrap().abs() < LOW_DISCRIMINATION,
                "{s:?}"
            );
        }
    }

    #[test]
    fn too_few_responses_flag_nothing() {
        let broken = item_stats(&[(0.0, 0.9), (0.0, 0.8), (1.0, 0.3), (1.0, 0.2)]);
        assert!(broken.discrimination.unwrap() < -90.0);
        assert_eq!(broken.review, None);
    }
}
