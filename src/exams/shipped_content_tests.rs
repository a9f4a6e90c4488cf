//! The shipped banks and templates hold what a competency decision needs:
//! both tracks' curricula (at least 12 units of 25 practice items, 400
//! objective items a track), exam pools twice what each examined unit
//! draws, keys a test-wise candidate cannot find by length, and templates
//! whose every task has parallel forms with must-pass criteria.

use std::collections::BTreeMap;

use crate::banks::formats::Format;
use crate::banks::item_writing::{figures, figures_by_unit};
use crate::banks::model::{Located, QuestionType};
use crate::banks::service::parse_files;
use crate::banks::shipped::built_in;
use crate::exams::setup::template;

fn bank(track: &str) -> Vec<(String, Located)> {
    let banks = built_in();
    let files = &banks[track];
    let parsed = match parse_files(Format::Auto, files) {
        Ok(parsed) => parsed,
        Err(errors) => panic!("{track}: {errors:?}"),
    };
    parsed.questions
}

fn objective(located: &Located) -> bool {
    !matches!(
        located.question.kind(),
        QuestionType::Essay | QuestionType::Description
    )
}

#[test]
fn each_track_covers_its_curriculum_with_exam_pools_apart() {
    for (track, template_name) in [
        ("pranata_komputer", "pranata_komputer"),
        ("humas", "humas_penulisan"),
    ] {
        let questions = bank(track);
        let mut practice: BTreeMap<&str, usize> = BTreeMap::new();
        let mut pool: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, located) in questions.iter().filter(|(_, l)| objective(l)) {
            let q = &located.question;
            for unit in q.units() {
                let counts = if q.in_exam_pool() {
                    &mut pool
                } else {
                    &mut practice
                };
                *counts.entry(unit).or_default() += 1;
            }
        }
        assert!(practice.len() >= 12, "{track}: {practice:?}");
        for (unit, n) in &practice {
            assert!(*n >= 25, "{track} unit {unit}: {n} practice items");
        }
        let total = questions.iter().filter(|(_, l)| objective(l)).count();
        assert!(total >= 400, "{track}: {total} objective items");

        let t = template(template_name).expect("the template parses");
        assert!(
            t.title.contains("Asesmen Kompetensi Internal"),
            "{}",
            t.title
        );
        assert!(
            t.units.len() >= 5,
            "{track}: {} units examined",
            t.units.len()
        );
        for unit in &t.units {
            assert!(unit.objective_count >= 20, "{track} {}", unit.code);
            let in_pool = pool.get(unit.code.as_str()).copied().unwrap_or(0);
            assert!(
                in_pool >= 2 * unit.objective_count as usize,
                "{track} {}: exam pool {in_pool} for {} drawn",
                unit.code,
                unit.objective_count
            );
        }
        for task in &t.tasks {
            assert!(task.form_count() >= 2, "{track} {}: one form", task.key);
            let forms = std::iter::once((&task.question, &task.rubric))
                .chain(task.parallel_forms.iter().map(|f| (&f.question, &f.rubric)));
            for (question, rubric) in forms {
                assert!(
                    rubric.iter().any(|c| c.must_reach.is_some()),
                    "{track} {question}: no must-pass criterion"
                );
                let found = questions
                    .iter()
                    .find(|(_, l)| l.question.id.as_deref() == Some(question.as_str()))
                    .map(|(_, l)| &l.question);
                let q = found.unwrap_or_else(|| panic!("{track}: no question {question}"));
                assert!(
                    q.in_exam_pool(),
                    "{track} {question} is not in the exam pool"
                );
                assert!(
                    !q.general_feedback.trim().is_empty(),
                    "{question}: no marking notes"
                );
            }
        }
    }
    let humas = template("humas_penulisan").expect("the template parses");
    for unit in ["keterbukaan-informasi", "ejaan-eyd"] {
        assert!(
            humas.tasks.iter().any(|t| t.unit == unit),
            "the humas exam has a task of {unit}"
        );
    }
}

#[test]
fn no_bank_lets_the_longest_option_give_the_key_away() {
    for track in ["pranata_komputer", "humas"] {
        let questions = bank(track);
        let whole = figures(questions.iter().map(|(_, l)| &l.question));
        assert!(
            whole.longest_share() <= 0.25,
            "{track}: key is the longest option in {} of {}",
            whole.longest_key,
            whole.single_choice
        );
        for (unit, f) in figures_by_unit(&questions) {
            assert!(
                f.pick_longest_percent < 40.0,
                "{track} {unit}: pick the longest scores {}",
                f.pick_longest_percent
            );
        }
    }
}
