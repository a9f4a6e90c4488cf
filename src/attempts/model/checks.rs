//! Whether a selection can be drawn from a bank: each quiz rule from the
//! practice items (an enemy group counting once), each exam unit from the
//! exam pool, each task form an essay of the pool, each fixed id present.

use super::{Candidate, Selection, TagRule, TaskQuestions, in_exam_pool, objective};
use crate::banks::model::{Question, QuestionType};
use crate::error::FieldError;

use crate::banks::model::EXAM_POOL_TAG;

/// How many of the questions `admits` lets through one attempt can draw:
/// at most one per enemy group (`group:` tag).
fn drawable(candidates: &[Candidate], admits: impl Fn(&Question) -> bool) -> usize {
    let mut groups: Vec<&str> = Vec::new();
    let mut count = 0;
    for c in candidates.iter().filter(|c| admits(&c.question)) {
        let mine: Vec<&str> = c
            .question
            .tags
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with("group:"))
            .collect();
        if mine.iter().any(|g| groups.contains(g)) {
            continue;
        }
        groups.extend(mine);
        count += 1;
    }
    count
}

/// Why each tag rule of a quiz cannot be filled from the bank. Each rule
/// is counted on its own, as before types existed: rules that overlap (the
/// same question fits two) are the author's to keep apart. Exam-pool
/// questions do not count, and an enemy group counts once.
pub fn check_rules(rules: &[TagRule], candidates: &[Candidate]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let field = format!("selection.rules[{i}].count");
        let row = i + 1;
        if rule.types.as_ref().is_some_and(|t| t.is_empty()) {
            errors.push(FieldError::new(
                format!("selection.rules[{i}].types"),
                format!("aturan ke-{row}: sebutkan minimal satu tipe soal"),
            ));
            continue;
        }
        if rule
            .types
            .as_ref()
            .is_some_and(|t| t.contains(&QuestionType::Description))
        {
            errors.push(FieldError::new(
                format!("selection.rules[{i}].types"),
                format!("aturan ke-{row}: deskripsi bukan soal dan tidak dapat diambil"),
            ));
            continue;
        }
        let available = drawable(candidates, |q| !in_exam_pool(q) && rule.admits(q));
        if rule.count == 0 {
            errors.push(FieldError::new(
                field,
                format!("aturan ke-{row}: jumlah minimal 1"),
            ));
        } else if (rule.count as usize) > available {
            errors.push(FieldError::new(
                field,
                format!(
                    "aturan ke-{row} ({}): bank hanya memiliki {} soal latihan berbeda yang cocok (soal satu grup dihitung satu), diminta {}",
                    rule.describe(),
                    available,
                    rule.count
                ),
            ));
        }
    }
    errors
}

/// Why the tasks of an exam cannot be drawn: each form must be an essay of
/// the exam pool.
fn check_tasks(
    tasks: &[TaskQuestions],
    candidates: &[Candidate],
    exam_pool: bool,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        for id in task.ids() {
            let problem = match candidates.iter().find(|c| &c.stable_id == id) {
                None => format!("soal '{id}' tidak ada di bank"),
                Some(c) if c.question.kind() != QuestionType::Essay => {
                    format!("soal '{id}' bukan soal uraian/tugas")
                }
                Some(c) if exam_pool && !in_exam_pool(&c.question) => format!(
                    "soal '{id}' belum masuk kumpulan soal ujian: beri tag {EXAM_POOL_TAG} agar kuis latihan tidak dapat mengambilnya"
                ),
                Some(_) => continue,
            };
            errors.push(FieldError::new(format!("tasks[{i}].question"), problem));
        }
    }
    errors
}

/// Why a selection cannot be drawn from the bank, per rule.
pub fn check_selection(selection: &Selection, candidates: &[Candidate]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match selection {
        Selection::ByTags { rules } => {
            if rules.is_empty() {
                errors.push(FieldError::new(
                    "selection.rules",
                    "minimal satu aturan tag",
                ));
            }
            errors.extend(check_rules(rules, candidates));
        }
        Selection::Exam {
            rules,
            tasks,
            exam_pool,
        } => {
            for (i, rule) in rules.iter().enumerate() {
                let available = drawable(candidates, |q| {
                    (!exam_pool || in_exam_pool(q)) && objective(q) && rule.admits(q)
                });
                if (rule.count as usize) > available {
                    errors.push(FieldError::new(
                        format!("units[{i}].objective_count"),
                        format!(
                            "bank hanya memiliki {available} soal ujian objektif berbeda (bertag {EXAM_POOL_TAG}) bertag {}, diminta {}",
                            rule.tag, rule.count
                        ),
                    ));
                }
            }
            errors.extend(check_tasks(tasks, candidates, *exam_pool));
        }
        Selection::Fixed { question_ids } => {
            if question_ids.is_empty() {
                errors.push(FieldError::new(
                    "selection.question_ids",
                    "minimal satu soal",
                ));
            }
            for (i, id) in question_ids.iter().enumerate() {
                let problem = match candidates.iter().find(|c| &c.stable_id == id) {
                    None => format!("soal '{id}' tidak ada di bank"),
                    Some(c) if in_exam_pool(&c.question) => {
                        format!("soal '{id}' adalah soal ujian dan tidak dapat dipakai di kuis")
                    }
                    Some(_) => continue,
                };
                errors.push(FieldError::new(
                    format!("selection.question_ids[{i}]"),
                    problem,
                ));
            }
        }
    }
    errors
}
