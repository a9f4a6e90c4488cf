//! Marking against a rubric: the total of one marking, the must-pass
//! criteria it leaves unmet, and when a marker must say why.

use super::{Criterion, FinalRule, Task};
use crate::error::FieldError;

impl Criterion {
    /// Whether the level chosen reaches the criterion's must-pass points.
    fn reached(&self, level: usize) -> bool {
        match (self.must_reach, self.levels.get(level)) {
            (None, _) => true,
            (Some(must), Some(chosen)) => chosen.points + 1e-9 >= must,
            (Some(_), None) => false,
        }
    }
}

/// The total of a rubric marking: one level index per criterion.
pub fn score(task: &Task, levels: &[usize]) -> Result<f64, FieldError> {
    if levels.len() != task.rubric.len() {
        return Err(FieldError::new(
            "levels",
            format!(
                "pilih satu level untuk setiap kriteria ({} kriteria, {} dipilih)",
                task.rubric.len(),
                levels.len()
            ),
        ));
    }
    let mut total = 0.0;
    for (i, (criterion, level)) in task.rubric.iter().zip(levels).enumerate() {
        let chosen = criterion.levels.get(*level).ok_or_else(|| {
            FieldError::new(
                format!("levels[{i}]"),
                format!(
                    "kriteria '{}' hanya punya {} level",
                    criterion.criterion,
                    criterion.levels.len()
                ),
            )
        })?;
        total += chosen.points;
    }
    Ok(total)
}

/// The must-pass criteria a marking (one level index per criterion) does
/// not reach, by name.
pub fn unmet_criteria(task: &Task, levels: &[usize]) -> Vec<String> {
    task.rubric
        .iter()
        .zip(levels)
        .filter(|(criterion, level)| !criterion.reached(**level))
        .map(|(criterion, _)| criterion.criterion.clone())
        .collect()
}

/// The must-pass criteria the final mark leaves unmet, from the markings it
/// came from: a criterion is unmet when the markings that count say so —
/// any of them for the mean or the lower mark, all of them for the higher.
pub fn unmet_in_final(task: &Task, markings: &[Vec<usize>], rule: FinalRule) -> Vec<String> {
    task.rubric
        .iter()
        .enumerate()
        .filter(|(c, criterion)| {
            let misses = markings
                .iter()
                .filter(|levels| levels.get(*c).is_some_and(|l| !criterion.reached(*l)))
                .count();
            match rule {
                FinalRule::Higher => misses > 0 && misses == markings.len(),
                FinalRule::Mean | FinalRule::Lower => misses > 0,
            }
        })
        .map(|(_, criterion)| criterion.criterion.clone())
        .collect()
}

/// A mark below the task's pass points, or short of a must-pass
/// criterion, must say why.
pub fn comment_required(task: &Task, total: f64, levels: &[usize]) -> bool {
    total < task.pass_points || !unmet_criteria(task, levels).is_empty()
}
