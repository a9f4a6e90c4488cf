//! Learning gain from a course's pre-test and post-test: Hake's normalised
//! gain g = (post − pre) / (100 − pre) per trainee, its category (the
//! thresholds Indonesian training reports take from Hake, 1998), and a
//! batch's summary. Pure.

use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

/// g of one trainee; `None` when the pre-test was already 100 % (nothing
/// left to gain, so no gain to measure).
pub fn normalised_gain(pre: f64, post: f64) -> Option<f64> {
    (pre < 100.0).then(|| round((post - pre) / (100.0 - pre)))
}

/// Hake's categories of g.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum GainLevel {
    /// g ≥ 0,7.
    High,
    /// 0,3 ≤ g < 0,7.
    Medium,
    /// g < 0,3 (a fall included).
    Low,
}

impl GainLevel {
    pub fn of(gain: f64) -> GainLevel {
        if gain >= 0.7 {
            GainLevel::High
        } else if gain >= 0.3 {
            GainLevel::Medium
        } else {
            GainLevel::Low
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GainLevel::High => "tinggi",
            GainLevel::Medium => "sedang",
            GainLevel::Low => "rendah",
        }
    }
}

/// A batch's pre-test and post-test at a glance. Means are over the
/// trainees who took both, so that the two are comparable.
#[derive(Debug, Clone, PartialEq, Serialize, Object)]
pub struct GainSummary {
    pub participants: u32,
    pub took_pre: u32,
    pub took_post: u32,
    pub took_both: u32,
    pub mean_pre: Option<f64>,
    pub mean_post: Option<f64>,
    /// The mean of the trainees' g (those with a pre-test under 100).
    pub mean_gain: Option<f64>,
    pub gain_level: Option<GainLevel>,
    /// How many scored higher on the post-test than on the pre-test.
    pub improved: u32,
}

fn round(value: f64) -> f64 {
    (value * 1e4).round() / 1e4
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| round(values.iter().sum::<f64>() / values.len() as f64))
}

/// The summary of each trainee's (pre, post) percents, `None` where not taken.
pub fn summarise(scores: &[(Option<f64>, Option<f64>)]) -> GainSummary {
    let both: Vec<(f64, f64)> = scores
        .iter()
        .filter_map(|(pre, post)| Some(((*pre)?, (*post)?)))
        .collect();
    let pres: Vec<f64> = both.iter().map(|b| b.0).collect();
    let posts: Vec<f64> = both.iter().map(|b| b.1).collect();
    let gains: Vec<f64> = both
        .iter()
        .filter_map(|(pre, post)| normalised_gain(*pre, *post))
        .collect();
    let mean_gain = mean(&gains);
    GainSummary {
        participants: scores.len() as u32,
        took_pre: scores.iter().filter(|s| s.0.is_some()).count() as u32,
        took_post: scores.iter().filter(|s| s.1.is_some()).count() as u32,
        took_both: both.len() as u32,
        mean_pre: mean(&pres),
        mean_post: mean(&posts),
        mean_gain,
        gain_level: mean_gain.map(GainLevel::of),
        improved: both.iter().filter(|(pre, post)| post > pre).count() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gain_is_the_share_of_what_was_left_to_learn() {
        assert_eq!(normalised_gain(40.0, 70.0), Some(0.5));
        assert_eq!(normalised_gain(0.0, 100.0), Some(1.0));
        assert_eq!(normalised_gain(80.0, 60.0), Some(-1.0));
        assert_eq!(normalised_gain(60.0, 60.0), Some(0.0));
        assert_eq!(normalised_gain(100.0, 90.0), None);
        assert_eq!(normalised_gain(100.0, 100.0), None);
    }

    #[test]
    fn hake_categories() {
        assert_eq!(GainLevel::of(0.7), GainLevel::High);
        assert_eq!(GainLevel::of(0.69), GainLevel::Medium);
        assert_eq!(GainLevel::of(0.3), GainLevel::Medium);
        assert_eq!(GainLevel::of(0.29), GainLevel::Low);
        assert_eq!(GainLevel::of(-0.5), GainLevel::Low);
        assert_eq!(GainLevel::High.label(), "tinggi");
    }

    #[test]
    fn a_batch_is_summed_up_over_those_who_took_both() {
        let summary = summarise(&[
            (Some(40.0), Some(70.0)),  // g 0,5, improved
            (Some(50.0), Some(100.0)), // g 1
            (Some(100.0), Some(90.0)), // no g, fell
            (Some(20.0), None),        // only the pre-test
            (None, Some(90.0)),        // only the post-test
            (None, None),
        ]);
        assert_eq!(summary.participants, 6);
        assert_eq!(summary.took_pre, 4);
        assert_eq!(summary.took_post, 4);
        assert_eq!(summary.took_both, 3);
        assert_eq!(summary.mean_pre, Some(63.3333));
        assert_eq!(summary.mean_post, Some(86.6667));
        assert_eq!(summary.mean_gain, Some(0.75));
        assert_eq!(summary.gain_level, Some(GainLevel::High));
        assert_eq!(summary.improved, 2);
    }

    #[test]
    fn nothing_taken_gives_no_means() {
        let summary = summarise(&[(None, None), (Some(30.0), None)]);
        assert_eq!(summary.took_both, 0);
        assert_eq!(summary.mean_pre, None);
        assert_eq!(summary.mean_gain, None);
        assert_eq!(summary.gain_level, None);
        assert_eq!(summary.improved, 0);
        assert_eq!(summarise(&[]).participants, 0);
    }
}
