//! Marking a Cloze blank as Moodle's `qtype_multianswer` marks it: short
//! answers with `*` wildcards, numbers within a tolerance (read with the
//! decimal comma too), one choice, several choices summed and clamped;
//! then the blanks weighted into the question's fraction. Pure.

use super::{Blank, BlankKind};

/// Whether a typed answer matches a short-answer pattern as Moodle
/// matches it (short-answer questions and Cloze blanks alike).
pub fn matches_pattern(pattern: &str, response: &str, case_sensitive: bool) -> bool {
    // `*` matches any run of characters, as in Moodle's short answers.
    // Spaces count as in the response: runs of them are one.
    let pattern = pattern.split_whitespace().collect::<Vec<_>>().join(" ");
    let (pattern, response) = if case_sensitive {
        (pattern, response.to_owned())
    } else {
        (pattern.to_lowercase(), response.to_lowercase())
    };
    let pieces: Vec<&str> = pattern.split('*').collect();
    if pieces.len() == 1 {
        return pattern == response;
    }
    let mut at = 0;
    for (i, piece) in pieces.iter().enumerate() {
        if i == 0 {
            if !response.starts_with(piece) {
                return false;
            }
            at = piece.len();
        } else if i == pieces.len() - 1 {
            return response.len() >= at + piece.len() && response.ends_with(piece);
        } else if let Some(found) = response[at..].find(piece) {
            at += found + piece.len();
        } else {
            return false;
        }
    }
    true
}

/// The answers a response matches (indexes into `answers`): the first
/// accepted pattern or number, as Moodle takes it, or the picked choices.
pub fn matched(blank: &Blank, typed: Option<&str>, picked: &[usize]) -> Vec<usize> {
    match blank.kind {
        BlankKind::Short { case_sensitive } => {
            let Some(typed) = typed.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            else {
                return Vec::new();
            };
            if typed.is_empty() {
                return Vec::new();
            }
            blank
                .answers
                .iter()
                .position(|a| matches_pattern(&a.text, &typed, case_sensitive))
                .into_iter()
                .collect()
        }
        BlankKind::Numerical => {
            let Some(value) = typed.and_then(crate::numbers::read) else {
                return Vec::new();
            };
            blank
                .answers
                .iter()
                .position(|a| {
                    a.text == "*"
                        || a.text
                            .parse::<f64>()
                            .is_ok_and(|v| (value - v).abs() <= a.tolerance.unwrap_or(0.0) + 1e-9)
                })
                .into_iter()
                .collect()
        }
        BlankKind::Choice { .. } => picked
            .first()
            .filter(|i| **i < blank.answers.len())
            .copied()
            .into_iter()
            .collect(),
        BlankKind::Multiple { .. } => {
            let mut out: Vec<usize> = picked
                .iter()
                .copied()
                .filter(|i| *i < blank.answers.len())
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        }
    }
}

/// The fraction one blank earns. `typed` is the typed text; `picked` the
/// indexes (into `answers`) picked for a choice blank.
pub fn mark(blank: &Blank, typed: Option<&str>, picked: &[usize]) -> f64 {
    let hits = matched(blank, typed, picked);
    match blank.kind {
        BlankKind::Multiple { .. } => hits
            .iter()
            .map(|i| blank.answers[*i].fraction)
            .sum::<f64>()
            .clamp(0.0, 1.0),
        _ => hits
            .first()
            .map_or(0.0, |i| blank.answers[*i].fraction.max(0.0)),
    }
}

/// The question's fraction: each blank's fraction weighted by its weight.
pub fn total(blanks: &[Blank], fractions: &[f64]) -> f64 {
    let weights: f64 = blanks.iter().map(|b| f64::from(b.weight)).sum();
    if weights == 0.0 {
        return 0.0;
    }
    blanks
        .iter()
        .zip(fractions)
        .map(|(b, f)| f64::from(b.weight) * f)
        .sum::<f64>()
        / weights
}
