//! Parallel forms of a task: which questions stand for it, and the form a
//! candidate drew, resolved to a task with that form's question, pass
//! points and rubric so that marking and results read one rubric.

use super::Task;

impl Task {
    /// The bank ids of every form, the task's own question first.
    pub fn questions(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.question.as_str())
            .chain(self.parallel_forms.iter().map(|f| f.question.as_str()))
    }

    /// How many forms the task has (1 without parallel forms).
    pub fn form_count(&self) -> usize {
        1 + self.parallel_forms.len()
    }

    /// The form whose question the candidate drew (`drawn` holds the bank
    /// ids of the attempt's questions), as a task of its own, with its
    /// number counted from 1. An attempt holding none of them (drawn
    /// before the form existed) is marked by the task's own rubric.
    pub fn form_drawn<'a>(&self, drawn: impl IntoIterator<Item = &'a str>) -> (usize, Task) {
        let drawn: Vec<&str> = drawn.into_iter().collect();
        let position = self.questions().position(|q| drawn.contains(&q));
        match position {
            Some(n) if n > 0 => {
                let form = &self.parallel_forms[n - 1];
                let resolved = Task {
                    question: form.question.clone(),
                    pass_points: form.pass_points,
                    rubric: form.rubric.clone(),
                    parallel_forms: Vec::new(),
                    ..self.clone()
                };
                (n + 1, resolved)
            }
            _ => (
                1,
                Task {
                    parallel_forms: Vec::new(),
                    ..self.clone()
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Criterion, Level, TaskForm};
    use super::*;

    fn rubric(top: f64) -> Vec<Criterion> {
        vec![Criterion {
            criterion: "Isi".into(),
            levels: vec![
                Level {
                    points: 0.0,
                    descriptor: "kosong".into(),
                },
                Level {
                    points: top,
                    descriptor: "lengkap".into(),
                },
            ],
            must_reach: None,
        }]
    }

    fn task() -> Task {
        Task {
            key: "subnet".into(),
            unit: "jaringan".into(),
            question: "a".into(),
            word_limit: None,
            char_limit: Some(2000),
            upload: None,
            pass_points: 2.0,
            rubric: rubric(3.0),
            parallel_forms: vec![TaskForm {
                question: "b".into(),
                pass_points: 4.0,
                rubric: rubric(5.0),
            }],
        }
    }

    #[test]
    fn the_drawn_form_brings_its_own_rubric_and_keeps_the_task_limits() {
        let t = task();
        assert_eq!(t.questions().collect::<Vec<_>>(), ["a", "b"]);
        let (n, form) = t.form_drawn(["x", "b"]);
        assert_eq!(n, 2);
        assert_eq!(form.question, "b");
        assert_eq!(form.pass_points, 4.0);
        assert_eq!(form.max_points(), 5.0);
        assert_eq!(form.char_limit, Some(2000));
        assert!(form.parallel_forms.is_empty());
        let (n, own) = t.form_drawn(["a"]);
        assert_eq!((n, own.max_points()), (1, 3.0));
        // An attempt drawn before the forms existed keeps the first rubric.
        assert_eq!(t.form_drawn(["x"]).0, 1);
    }
}
