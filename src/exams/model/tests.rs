use super::*;
use crate::error::FieldError;
use uuid::Uuid;

fn level(points: f64) -> Level {
    Level {
        points,
        descriptor: format!("{points} poin"),
    }
}

fn task(key: &str, unit: &str) -> Task {
    Task {
        key: key.into(),
        unit: unit.into(),
        question: format!("hm-tgs-{key}"),
        word_limit: Some(5),
        char_limit: None,
        upload: None,
        pass_points: 4.0,
        rubric: vec![
            Criterion {
                criterion: "Judul".into(),
                levels: vec![level(0.0), level(1.0), level(2.0), level(3.0)],
                must_reach: None,
            },
            Criterion {
                criterion: "Teras".into(),
                levels: vec![level(0.0), level(1.5), level(3.0)],
                must_reach: None,
            },
        ],
        parallel_forms: Vec::new(),
    }
}

fn unit(code: &str, objective_count: u32) -> Unit {
    Unit {
        code: code.into(),
        title: format!("Unit {code}"),
        objective_count,
        objective_pass_percent: 70.0,
        types: None,
        level: None,
    }
}

fn spec() -> ExamSpec {
    ExamSpec {
        units: vec![unit("siaran-pers", 5), unit("ejaan-eyd", 0)],
        tasks: vec![task("sp", "siaran-pers"), task("eyd", "ejaan-eyd")],
    }
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

#[test]
fn a_sound_spec_has_no_errors() {
    assert!(check_spec(&spec()).is_empty());
    assert_eq!(spec().tasks[0].max_points(), 6.0);
}

#[test]
fn spec_errors_name_their_fields() {
    let mut s = spec();
    s.units.push(unit("siaran-pers", 1));
    s.units.push(unit("kosong", 0));
    s.tasks[1].unit = "tidak-ada".into();
    s.tasks[0].rubric[1].levels[2].points = 1.0;
    s.tasks[0].pass_points = 99.0;
    s.tasks[0].char_limit = Some(100);
    s.tasks[1].upload = Some(Upload {
        extensions: vec!["exe".into()],
        max_kib: 0,
    });
    let errors = check_spec(&s);
    let f = fields(&errors);
    assert!(f.contains(&"units[2].code"), "{f:?}");
    assert!(f.contains(&"units[3]"), "{f:?}");
    assert!(
        f.contains(&"units[1]"),
        "ejaan-eyd lost its only task: {f:?}"
    );
    assert!(f.contains(&"tasks[1].unit"), "{f:?}");
    assert!(f.contains(&"tasks[0].rubric[1].levels[2].points"), "{f:?}");
    assert!(f.contains(&"tasks[0].pass_points"), "{f:?}");
    assert!(f.contains(&"tasks[0].char_limit"), "{f:?}");
    assert!(f.contains(&"tasks[1].upload.extensions[0]"), "{f:?}");
    assert!(f.contains(&"tasks[1].upload.max_kib"), "{f:?}");
}

#[test]
fn parallel_forms_are_checked_like_the_task_under_their_own_field() {
    let mut s = spec();
    let own = s.tasks[0].clone();
    s.tasks[0].parallel_forms = vec![
        TaskForm {
            question: "hm-tgs-009".into(),
            pass_points: own.pass_points,
            rubric: own.rubric.clone(),
        },
        TaskForm {
            question: own.question.clone(),
            pass_points: 99.0,
            rubric: Vec::new(),
        },
    ];
    // The second task borrows the first one's form.
    s.tasks[1].question = "hm-tgs-009".into();
    let errors = check_spec(&s);
    let f = fields(&errors);
    assert_eq!(
        f,
        [
            "tasks[0].parallel_forms[1].question",
            "tasks[0].parallel_forms[1].rubric",
            "tasks[0].parallel_forms[1].pass_points",
            "tasks[1].question",
        ],
        "{errors:?}"
    );
}

#[test]
fn scoring_takes_one_level_per_criterion() {
    let t = task("sp", "siaran-pers");
    assert_eq!(score(&t, &[3, 2]), Ok(6.0));
    assert_eq!(score(&t, &[1, 1]), Ok(2.5));
    assert_eq!(score(&t, &[1]).unwrap_err().field, "levels");
    assert_eq!(score(&t, &[1, 3]).unwrap_err().field, "levels[1]");
    assert!(comment_required(&t, 3.5, &[1, 2]));
    assert!(!comment_required(&t, 4.0, &[1, 2]));
}

#[test]
fn a_must_pass_criterion_fails_a_task_whatever_its_total() {
    let mut t = task("sp", "siaran-pers");
    // "Teras" must reach 3 points: 3 + 1.5 = 4.5 passes the total, not the gate.
    t.rubric[1].must_reach = Some(3.0);
    assert!(check_spec(&spec_with(t.clone())).is_empty());
    assert_eq!(unmet_criteria(&t, &[3, 1]), ["Teras"]);
    assert!(unmet_criteria(&t, &[0, 2]).is_empty());
    assert!(comment_required(&t, 4.5, &[3, 1]));

    // Two markers: the mean and the lower mark fail when either misses;
    // the higher only when both do.
    let split = [vec![3, 1], vec![3, 2]];
    assert_eq!(unmet_in_final(&t, &split, FinalRule::Mean), ["Teras"]);
    assert_eq!(unmet_in_final(&t, &split, FinalRule::Lower), ["Teras"]);
    assert!(unmet_in_final(&t, &split, FinalRule::Higher).is_empty());
    assert_eq!(
        unmet_in_final(&t, &[vec![3, 1], vec![2, 0]], FinalRule::Higher),
        ["Teras"]
    );

    let unit = unit("siaran-pers", 0);
    let standing = |must_pass_met| TaskStanding {
        outcome: TaskOutcome::Final(4.5),
        pass_points: 4.0,
        must_pass_met,
    };
    assert_eq!(
        decide_unit(&unit, None, &[standing(true)]),
        UnitDecision::Kompeten
    );
    assert_eq!(
        decide_unit(&unit, None, &[standing(false)]),
        UnitDecision::BelumKompeten
    );
}

#[test]
fn a_must_pass_level_outside_the_criterion_is_refused() {
    for must in [0.0, -1.0, 3.5] {
        let mut t = task("sp", "siaran-pers");
        t.rubric[1].must_reach = Some(must);
        let errors = check_spec(&spec_with(t));
        assert!(
            errors
                .iter()
                .any(|e| e.field == "tasks[0].rubric[1].must_reach"),
            "{must}: {errors:?}"
        );
    }
}

fn spec_with(task: Task) -> ExamSpec {
    ExamSpec {
        units: vec![unit("siaran-pers", 0)],
        tasks: vec![task],
    }
}

#[test]
fn final_mark_table() {
    use TaskOutcome::*;
    let m = |first, second, moderation, appeal| RoundMarks {
        first,
        second,
        moderation,
        appeal,
    };
    let cases = [
        // (marks, double marking, rule, expected)
        (m(None, None, None, None), true, FinalRule::Mean, Pending),
        (
            m(Some(5.0), None, None, None),
            true,
            FinalRule::Mean,
            Pending,
        ),
        (
            m(Some(5.0), None, None, None),
            false,
            FinalRule::Mean,
            Final(5.0),
        ),
        (
            m(Some(5.0), Some(6.0), None, None),
            true,
            FinalRule::Mean,
            Final(5.5),
        ),
        (
            m(Some(5.0), Some(6.0), None, None),
            true,
            FinalRule::Lower,
            Final(5.0),
        ),
        (
            m(Some(5.0), Some(6.0), None, None),
            true,
            FinalRule::Higher,
            Final(6.0),
        ),
        // exactly at the threshold (2): no moderation
        (
            m(Some(4.0), Some(6.0), None, None),
            true,
            FinalRule::Mean,
            Final(5.0),
        ),
        (
            m(Some(3.0), Some(6.0), None, None),
            true,
            FinalRule::Mean,
            NeedsModeration,
        ),
        (
            m(Some(3.0), Some(6.0), Some(4.0), None),
            true,
            FinalRule::Mean,
            Final(4.0),
        ),
        (
            m(Some(3.0), Some(6.0), Some(4.0), Some(6.0)),
            true,
            FinalRule::Mean,
            Final(6.0),
        ),
        (
            m(Some(2.0), None, None, Some(5.0)),
            false,
            FinalRule::Mean,
            Final(5.0),
        ),
    ];
    for (marks, double, rule, expected) in cases {
        assert_eq!(
            final_mark(marks, double, 2.0, rule),
            expected,
            "{marks:?} double={double} {rule:?}"
        );
    }
}

#[test]
fn unit_decision_table() {
    use TaskOutcome::{Final, NeedsModeration};
    use UnitDecision::{BelumKompeten, Kompeten, Pending};
    let with_objective = unit("siaran-pers", 5);
    let tasks_only = unit("ejaan-eyd", 0);
    type Case<'a> = (&'a Unit, Option<f64>, Vec<(TaskOutcome, f64)>, UnitDecision);
    let cases: Vec<Case> = vec![
        (
            &with_objective,
            Some(70.0),
            vec![(Final(4.0), 4.0)],
            Kompeten,
        ),
        (
            &with_objective,
            Some(69.9),
            vec![(Final(6.0), 4.0)],
            BelumKompeten,
        ),
        (
            &with_objective,
            Some(100.0),
            vec![(Final(3.5), 4.0)],
            BelumKompeten,
        ),
        (
            &with_objective,
            Some(100.0),
            vec![(TaskOutcome::Pending, 4.0)],
            Pending,
        ),
        (
            &with_objective,
            Some(100.0),
            vec![(NeedsModeration, 4.0)],
            Pending,
        ),
        (&with_objective, None, vec![(Final(6.0), 4.0)], Pending),
        (&with_objective, Some(80.0), vec![], Kompeten),
        (
            &tasks_only,
            None,
            vec![(Final(4.0), 4.0), (Final(5.0), 4.0)],
            Kompeten,
        ),
        (
            &tasks_only,
            None,
            vec![(Final(4.0), 4.0), (Final(1.0), 4.0)],
            BelumKompeten,
        ),
    ];
    for (unit, objective, tasks, expected) in cases {
        let tasks: Vec<TaskStanding> = tasks
            .into_iter()
            .map(|(outcome, pass_points)| TaskStanding {
                outcome,
                pass_points,
                must_pass_met: true,
            })
            .collect();
        assert_eq!(
            decide_unit(unit, objective, &tasks),
            expected,
            "{} {objective:?} {tasks:?}",
            unit.code
        );
    }
}

#[test]
fn objective_percent_per_unit_counts_only_its_tags() {
    let units = vec![unit("a", 2), unit("b", 1), unit("c", 0)];
    let marks = vec![
        (vec!["unit:a".to_string()], 1.0, Some(1.0)),
        (vec!["unit:a".to_string()], 1.0, Some(0.5)),
        (vec!["unit:b".to_string()], 2.0, None),
    ];
    let by_unit = objective_by_unit(&units, &marks);
    assert_eq!(by_unit.get("a"), Some(&75.0));
    assert_eq!(by_unit.get("b"), Some(&0.0));
    assert_eq!(by_unit.get("c"), None);
}

#[test]
fn candidate_codes_are_zero_padded() {
    assert_eq!(candidate_code("PK", 2026, 17), "PK-2026-017");
    assert_eq!(candidate_code("HM", 2026, 1234), "HM-2026-1234");
}

#[test]
fn conflict_of_interest_ignores_case_and_spaces() {
    assert!(conflict(Some("Diskominfo  Kota"), Some("diskominfo kota")));
    assert!(!conflict(Some("Diskominfo"), Some("BKD")));
    assert!(!conflict(None, Some("BKD")));
    assert!(!conflict(Some(" "), Some(" ")));
}

fn marker(n: u128, units: &[&str], unit_kerja: &str, load: usize, lead: bool) -> Marker {
    Marker {
        id: Uuid::from_u128(n),
        units: units.iter().map(|u| u.to_string()).collect(),
        lead,
        unit_kerja: Some(unit_kerja.into()),
        load,
    }
}

#[test]
fn markers_are_the_least_loaded_without_conflict() {
    let markers = vec![
        marker(1, &[], "Diskominfo", 3, true),
        marker(2, &["sp"], "BKD", 0, false),
        marker(3, &[], "Bappeda", 1, false),
        marker(4, &["eyd"], "Dinkes", 0, false),
    ];
    let id = Uuid::from_u128;
    assert_eq!(
        pick_markers(&markers, "sp", Some("Dinkes"), &[], 2),
        vec![id(2), id(3)]
    );
    // The BKD assessor may not mark a BKD candidate.
    assert_eq!(
        pick_markers(&markers, "sp", Some("BKD"), &[], 2),
        vec![id(3), id(1)]
    );
    assert_eq!(
        pick_markers(&markers, "sp", Some("BKD"), &[id(3)], 2),
        vec![id(1)]
    );
    // The lead moderates; a conflicted lead cannot.
    assert_eq!(
        pick_moderator(&markers, "sp", Some("BKD"), &[id(2), id(3)]),
        Some(id(1))
    );
    assert_eq!(
        pick_moderator(&markers, "sp", Some("Diskominfo"), &[]),
        None
    );
    // Never a lead who is one of the markers: then nobody is picked.
    assert_eq!(
        pick_moderator(&markers, "sp", Some("BKD"), &[id(1), id(3)]),
        None
    );
}

#[test]
fn a_task_limits_words_or_characters() {
    let mut t = task("sp", "siaran-pers");
    assert_eq!(t.answer_limit(), AnswerLimit::of(Some(5), None));
    t.word_limit = None;
    t.char_limit = Some(4);
    assert_eq!(t.answer_limit(), AnswerLimit::of(None, Some(4)));
    t.char_limit = None;
    assert_eq!(t.answer_limit(), None);
}

#[test]
fn uploads_are_recognised_by_their_bytes() {
    assert_eq!(sniff_upload("a.pdf", b"%PDF-1.7 ..."), Some("pdf"));
    assert_eq!(sniff_upload("rilis.DOCX", b"PK\x03\x04...."), Some("docx"));
    assert_eq!(sniff_upload("rilis.zip", b"PK\x03\x04...."), None);
    assert_eq!(
        sniff_upload("layar.png", b"\x89PNG\r\n\x1a\n..."),
        Some("png")
    );
    assert_eq!(sniff_upload("x.pdf", b"MZ\x90\x00"), None);
}

#[test]
fn appeals_close_after_their_window() {
    let released = time::macros::datetime!(2026-11-01 10:00 UTC);
    assert!(appeal_open(released, 7, released + time::Duration::days(7)));
    assert!(!appeal_open(
        released,
        7,
        released + time::Duration::days(7) + time::Duration::seconds(1)
    ));
}

#[test]
fn a_unit_draws_its_tag_narrowed_by_type_and_level() {
    let mut u = unit("jaringan", 20);
    assert_eq!(u.rule().describe(), "20 × unit:jaringan");
    u.types = Some(vec![crate::banks::model::QuestionType::Multichoice]);
    u.level = Some("ahli-pertama".into());
    let rule = u.rule();
    assert_eq!(rule.level_tag().as_deref(), Some("level:ahli-pertama"));
    assert!(!rule.allows(crate::banks::model::QuestionType::Truefalse));
}
