//! The bank linter (`bimtek bank check`): what an author should fix in a
//! bank before committing it. Advice, not refusal: imports do not run it.

use std::collections::BTreeMap;

use super::{Body, Choice, Located, Position, Question, QuestionType};
use crate::error::FieldError;

const EPSILON: f64 = 1e-6;

/// What an author should fix before committing a bank (`bimtek bank check`):
/// duplicate ids, no fully correct answer, multiple-answer weights not
/// reaching 100%, a wrong choice without feedback where its siblings have
/// some, and questions without a `unit:` tag.
pub fn lint(questions: &[(String, Located)]) -> Vec<FieldError> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<String, (String, Position)> = BTreeMap::new();
    for (file, Located { at, question }) in questions {
        let mut problem =
            |message: String| problems.push(FieldError::in_file(file, at.line, at.column, message));
        let key = question.stable_id();
        if let Some((first_file, first)) = seen.insert(key.clone(), (file.clone(), *at)) {
            problem(format!(
                "id '{key}' sudah dipakai soal di {first_file} baris {}",
                first.line
            ));
        }
        match &question.body {
            Body::Multichoice {
                single: true,
                choices,
            } if !choices.iter().any(|c| (c.fraction - 1.0).abs() < EPSILON) => {
                problem("pilihan ganda tanpa jawaban yang bernilai 100%".into());
            }
            Body::Multichoice {
                single: false,
                choices,
            } => {
                // Summed from +0.0: an empty f64 sum is -0.0, which prints as "-0.0%".
                let total = choices
                    .iter()
                    .map(|c| c.fraction.max(0.0))
                    .fold(0.0, |a, b| a + b);
                if (total - 1.0).abs() > 0.001 {
                    problem(format!(
                        "bobot jawaban benar berjumlah {}%, seharusnya 100%",
                        crate::numbers::decimal(total * 100.0 + 0.0)
                    ));
                }
            }
            Body::Shortanswer { answers }
                if !answers.iter().any(|a| (a.fraction - 1.0).abs() < EPSILON) =>
            {
                problem("jawaban singkat tanpa jawaban yang bernilai 100%".into());
            }
            Body::Numerical { answers }
                if !answers
                    .iter()
                    .any(|a| a.value.is_some() && (a.fraction - 1.0).abs() < EPSILON) =>
            {
                problem("soal numerik tanpa jawaban yang bernilai 100%".into());
            }
            Body::Cloze { blanks } => {
                if let Some(n) = blanks.iter().position(|b| !b.full_marks_possible()) {
                    problem(format!(
                        "bagian ke-{} soal isian rumpang tanpa jawaban yang bernilai 100%",
                        n + 1
                    ));
                }
            }
            _ => {}
        }
        if let Some(missing) = wrong_choice_without_feedback(question) {
            problem(format!(
                "pilihan salah '{missing}' tanpa umpan balik, padahal pilihan salah lain memilikinya"
            ));
        }
        if question.kind() != QuestionType::Description && question.units().next().is_none() {
            problem("soal tanpa tag unit kompetensi (mis. // [tag:unit:jaringan])".into());
        }
    }
    problems
}

/// A wrong choice left without feedback while its siblings have some.
fn wrong_choice_without_feedback(question: &Question) -> Option<&str> {
    let Body::Multichoice { choices, .. } = &question.body else {
        return None;
    };
    let wrong: Vec<&Choice> = choices.iter().filter(|c| c.fraction <= 0.0).collect();
    let with = wrong
        .iter()
        .filter(|c| !c.feedback.trim().is_empty())
        .count();
    if with == 0 || with == wrong.len() {
        return None;
    }
    wrong
        .iter()
        .find(|c| c.feedback.trim().is_empty())
        .map(|c| c.text.as_str())
}
