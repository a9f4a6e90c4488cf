use std::collections::BTreeMap;
use std::sync::Arc;

use rand::SeedableRng;
use rand::rngs::StdRng;
use time::macros::datetime;

use super::*;
use crate::banks::gift;

fn question(gift: &str) -> Question {
    gift::parse(gift).questions.remove(0).question
}

fn slot(q: &Question) -> Slot {
    let candidate = Candidate {
        id: Uuid::from_u128(7),
        stable_id: "q".into(),
        question: Arc::new(q.clone()),
    };
    slot_for(&candidate, false, &mut StdRng::seed_from_u64(1))
}

thread_local! {
    /// One attempt's secret, shared by the helpers of a test.
    static KEY: ChoiceKey = ChoiceKey::generate();
}

fn key() -> ChoiceKey {
    KEY.with(Clone::clone)
}

fn pick(q: &Question, indexes: &[u16]) -> Answer {
    let s = slot(q);
    Answer::Choices(
        indexes
            .iter()
            .map(|i| key().id(s.question_id, ChoiceList::Choice, *i))
            .collect(),
    )
}

fn grade(q: &Question, r: &Answer) -> Option<f64> {
    fraction(q, &slot(q), Some(r), &key())
}

#[test]
fn multiple_choice_single_and_multiple() {
    let single = question("Port? {=443 ~%50%8443 ~80}");
    assert_eq!(grade(&single, &pick(&single, &[0])), Some(1.0));
    assert_eq!(grade(&single, &pick(&single, &[1])), Some(0.5));
    assert_eq!(grade(&single, &pick(&single, &[2])), Some(0.0));
    let multi = question("Dua? {~%50%a ~%50%b ~%-100%c}");
    assert_eq!(grade(&multi, &pick(&multi, &[0, 1])), Some(1.0));
    assert_eq!(grade(&multi, &pick(&multi, &[0])), Some(0.5));
    assert_eq!(
        grade(&multi, &pick(&multi, &[0, 2])),
        Some(0.0),
        "clamped at zero"
    );
    assert_eq!(grade(&multi, &pick(&multi, &[])), Some(0.0));
}

#[test]
fn true_false_short_numerical_matching_essay() {
    let tf = question("Benar? {F}");
    let answer = |c: &str| Answer::Choices(vec![c.into()]);
    assert_eq!(grade(&tf, &answer("false")), Some(1.0));
    assert_eq!(grade(&tf, &answer("true")), Some(0.0));

    let short = question("Singkatan? {=Domain Name System =%50%DNS* }");
    let text = |t: &str| Answer::Text(t.into());
    assert_eq!(grade(&short, &text("  domain   NAME system ")), Some(1.0));
    assert_eq!(grade(&short, &text("DNS server")), Some(0.5), "wildcard");
    assert_eq!(grade(&short, &text("")), Some(0.0));

    let numeric = question("Host? {#=62 =%50%60..64}");
    let number = |x: f64| Answer::Number(x);
    assert_eq!(grade(&numeric, &number(62.0)), Some(1.0));
    assert_eq!(grade(&numeric, &number(63.5)), Some(0.5));
    assert_eq!(grade(&numeric, &number(70.0)), Some(0.0));

    let matching = question("Pasangkan {=DNS -> 53 =HTTP -> 80 =HTTPS -> 443}");
    let s = slot(&matching);
    let right_of = |text: &str| {
        let rights = ["53", "80", "443"];
        key().id(
            s.question_id,
            ChoiceList::Right,
            rights.iter().position(|r| *r == text).unwrap() as u16,
        )
    };
    let mut matches = BTreeMap::new();
    matches.insert(key().id(s.question_id, ChoiceList::Left, 0), right_of("53"));
    matches.insert(
        key().id(s.question_id, ChoiceList::Left, 1),
        right_of("443"),
    );
    let response = Answer::Matches(matches);
    assert!(
        (grade(&matching, &response).unwrap() - 1.0 / 3.0).abs() < 1e-9,
        "proportional"
    );

    let essay = question("Tulis. {}");
    assert_eq!(
        grade(&essay, &text("panjang")),
        None,
        "left for an assessor"
    );
}

#[test]
fn responses_are_checked_against_the_question() {
    let q = question("Port? {=443 ~80}");
    let s = slot(&q);
    assert!(validate(&pick(&q, &[1]), &q, &s, &key()).is_ok());
    let unknown = Answer::Choices(vec!["c0".into()]);
    assert!(
        validate(&unknown, &q, &s, &key())
            .unwrap_err()
            .message
            .contains("tidak ada")
    );
    assert!(
        validate(&pick(&q, &[0, 1]), &q, &s, &key()).is_err(),
        "one choice only"
    );
    let wrong = Answer::Text("443".into());
    assert!(
        validate(&wrong, &q, &s, &key())
            .unwrap_err()
            .message
            .contains("choices")
    );
}

#[test]
fn more_ids_than_choices_are_refused_before_any_is_derived() {
    let q = question("Protokol aman? {~%50%HTTPS ~%50%SSH ~Telnet}");
    let s = slot(&q);
    assert!(validate(&pick(&q, &[0, 1]), &q, &s, &key()).is_ok());
    let flood = Answer::Choices(vec!["c0".into(); 10_000]);
    assert!(
        validate(&flood, &q, &s, &key())
            .unwrap_err()
            .message
            .contains("hanya memiliki 3 pilihan")
    );
}

fn candidates() -> Vec<Candidate> {
    candidates_of(
        "// [tag:unit:a]\n::A1::a {T}\n\n// [tag:unit:a]\n::A2::a {F}\n\n// [tag:unit:a]\n::A3::a {=x ~y ~z}\n\n// [tag:unit:b]\n::B1::b {T}\n\n// [tag:unit:b]\n::D::Deskripsi saja.",
    )
}

/// The questions of a GIFT source, numbered from 1 in order.
fn candidates_of(source: &str) -> Vec<Candidate> {
    gift::parse(source)
        .questions
        .into_iter()
        .enumerate()
        .map(|(i, l)| Candidate {
            id: Uuid::from_u128(i as u128 + 1),
            stable_id: l.question.stable_id(),
            question: Arc::new(l.question),
        })
        .collect()
}

#[test]
fn an_enemy_group_gives_at_most_one_item_per_attempt() {
    // A1 and A2 cue each other (group:dns), and A2 also shares group:port with B1.
    let source = "// [tag:unit:a] [tag:group:dns]\n::A1::a {T}\n\n// [tag:unit:a] [tag:group:dns] [tag:group:port]\n::A2::a {F}\n\n// [tag:unit:a]\n::A3::a {T}\n\n// [tag:unit:b] [tag:group:port]\n::B1::b {T}";
    let practice = candidates_of(source);
    let exam_pool = candidates_of(&source.replace("[tag:unit:", "[tag:pool:ujian] [tag:unit:"));
    let rules = vec![TagRule::new("unit:a", 3), TagRule::new("unit:b", 1)];
    for seed in 0..50 {
        for (selection, pool) in [
            (
                Selection::ByTags {
                    rules: rules.clone(),
                },
                &practice,
            ),
            (
                Selection::Exam {
                    rules: rules.clone(),
                    tasks: Vec::new(),
                    exam_pool: true,
                },
                &exam_pool,
            ),
        ] {
            let drawn: Vec<u128> = draw(
                &selection,
                pool,
                true,
                true,
                &mut StdRng::seed_from_u64(seed),
            )
            .iter()
            .map(|s| s.question_id.as_u128())
            .collect();
            assert!(
                !(drawn.contains(&1) && drawn.contains(&2)),
                "seed {seed}: both of group:dns in {drawn:?}"
            );
            assert!(
                !(drawn.contains(&2) && drawn.contains(&4)),
                "seed {seed}: both of group:port in {drawn:?}"
            );
            // Never fewer than the groups allow: A3, one of A1/A2, and B1 unless A2 took its group.
            assert!(
                drawn.len() >= 2 && drawn.contains(&3),
                "seed {seed}: {drawn:?}"
            );
        }
    }
}

#[test]
fn quizzes_never_draw_the_exam_pool_and_exams_draw_only_it() {
    let source = "// [tag:unit:a]\n::L1::latihan {T}\n\n// [tag:unit:a]\n::L2::latihan {F}\n\n\
        // [tag:unit:a] [tag:pool:ujian]\n::U1::ujian {T}\n\n// [tag:unit:a] [tag:pool:ujian]\n::U2::ujian {F}\n\n\
        // [tag:unit:a] [tag:pool:ujian]\n::T1::tugas bentuk 1 {}\n\n// [tag:unit:a] [tag:pool:ujian]\n::T2::tugas bentuk 2 {}\n\n\
        // [tag:unit:a]\n::E::esai latihan {}";
    let pool = candidates_of(source);
    let quiz = Selection::ByTags {
        rules: vec![TagRule::new("unit:a", 2)],
    };
    let exam = Selection::Exam {
        rules: vec![TagRule::new("unit:a", 2)],
        tasks: vec![TaskQuestions::Forms(vec!["T1".into(), "T2".into()])],
        exam_pool: true,
    };
    let mut forms_seen = std::collections::BTreeSet::new();
    for seed in 0..40 {
        let rng = &mut StdRng::seed_from_u64(seed);
        let ids = |slots: Vec<Slot>| -> Vec<u128> {
            slots.iter().map(|s| s.question_id.as_u128()).collect()
        };
        let mut practice = ids(draw(&quiz, &pool, true, true, rng));
        practice.sort_unstable();
        assert_eq!(practice, [1, 2], "seed {seed}");
        let drawn = ids(draw(&exam, &pool, true, true, rng));
        assert_eq!(drawn.len(), 3, "seed {seed}: {drawn:?}");
        let mut objective = drawn[..2].to_vec();
        objective.sort_unstable();
        assert_eq!(objective, [3, 4], "seed {seed}");
        assert!(matches!(drawn[2], 5 | 6), "one form of the task: {drawn:?}");
        forms_seen.insert(drawn[2]);
    }
    assert_eq!(forms_seen.len(), 2, "both forms are handed out");
    // The checks agree: a quiz asking for three finds two practice items,
    // a fixed list naming an exam item is refused, a task outside the pool too.
    let three = Selection::ByTags {
        rules: vec![TagRule::new("unit:a", 3)],
    };
    assert!(
        check_selection(&three, &pool)[0]
            .message
            .contains("hanya memiliki 2")
    );
    let fixed = Selection::Fixed {
        question_ids: vec!["L1".into(), "U1".into()],
    };
    let errors = check_selection(&fixed, &pool);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "selection.question_ids[1]");
    let leaky = Selection::Exam {
        rules: vec![TagRule::new("unit:a", 3)],
        tasks: vec![TaskQuestions::Forms(vec!["T1".into(), "E".into()])],
        exam_pool: true,
    };
    let fields: Vec<String> = check_selection(&leaky, &pool)
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["units[0].objective_count", "tasks[0].question"]);
    // An exam stored before the pool existed keeps drawing as it was built.
    let old: Selection = serde_json::from_str(
        r#"{"mode":"exam","rules":[{"tag":"unit:a","count":2}],"tasks":["E"]}"#,
    )
    .unwrap();
    let rng = &mut StdRng::seed_from_u64(1);
    let drawn: Vec<u128> = draw(&old, &pool, false, false, rng)
        .iter()
        .map(|s| s.question_id.as_u128())
        .collect();
    assert_eq!(drawn.len(), 3, "{drawn:?}");
    assert_eq!(drawn[2], 7, "the stored task: {drawn:?}");
}

#[test]
fn draws_by_tag_and_fixed_lists() {
    let pool = candidates();
    let by_tags = Selection::ByTags {
        rules: vec![TagRule::new("unit:a", 2), TagRule::new("unit:b", 1)],
    };
    assert!(check_selection(&by_tags, &pool).is_empty());
    let slots = draw(&by_tags, &pool, true, true, &mut StdRng::seed_from_u64(9));
    assert_eq!(slots.len(), 3);
    assert_eq!(
        slots
            .iter()
            .filter(|s| s.question_id == Uuid::from_u128(4))
            .count(),
        1,
        "B1 is the only unit:b question"
    );
    let too_many = Selection::ByTags {
        rules: vec![TagRule::new("unit:b", 2)],
    };
    assert!(
        check_selection(&too_many, &pool)[0]
            .message
            .contains("hanya memiliki 1 soal"),
        "descriptions do not count"
    );

    let fixed = Selection::Fixed {
        question_ids: vec!["B1".into(), "A3".into()],
    };
    let slots = draw(&fixed, &pool, false, false, &mut StdRng::seed_from_u64(9));
    assert_eq!(
        slots
            .iter()
            .map(|s| s.question_id.as_u128())
            .collect::<Vec<_>>(),
        [4, 3]
    );
    assert_eq!(slots[1].order, [0, 1, 2]);
    let missing = Selection::Fixed {
        question_ids: vec!["Z".into()],
    };
    assert_eq!(
        check_selection(&missing, &pool)[0].field,
        "selection.question_ids[0]"
    );
}

#[test]
fn deadlines_and_grace() {
    let start = datetime!(2026-03-03 01:00 UTC);
    let close = datetime!(2026-03-03 01:20 UTC);
    assert_eq!(deadline(start, Some(3600), Some(close)), close);
    assert_eq!(
        deadline(start, Some(600), Some(close)),
        datetime!(2026-03-03 01:10 UTC)
    );
    assert_eq!(deadline(start, None, None), start + Duration::days(365));
    assert!(accepts_answers(close, close + Duration::seconds(5)));
    assert!(!accepts_answers(close, close + Duration::seconds(6)));
}

#[test]
fn totals_reviews_and_kept_grades() {
    let marks = vec![
        Mark {
            question_id: Uuid::nil(),
            points: 1.0,
            fraction: Some(1.0),
        },
        Mark {
            question_id: Uuid::nil(),
            points: 2.0,
            fraction: Some(0.5),
        },
        Mark {
            question_id: Uuid::nil(),
            points: 1.0,
            fraction: None,
        },
    ];
    assert_eq!(totals(&marks), (2.0, 4.0, 50.0, false));
    let now = datetime!(2026-03-03 02:00 UTC);
    assert!(review_open(ReviewPolicy::AfterSubmit, true, None, now));
    assert!(!review_open(ReviewPolicy::AfterSubmit, false, None, now));
    assert!(!review_open(
        ReviewPolicy::AfterClose,
        true,
        Some(now + Duration::hours(1)),
        now
    ));
    assert!(review_open(
        ReviewPolicy::AfterClose,
        true,
        Some(now - Duration::hours(1)),
        now
    ));
    assert!(!review_open(ReviewPolicy::Never, true, None, now));
    assert_eq!(
        kept(&[(1, 80.0), (2, 60.0)], GradeMethod::Highest),
        Some((1, 80.0))
    );
    assert_eq!(
        kept(&[(1, 80.0), (2, 60.0)], GradeMethod::Last),
        Some((2, 60.0))
    );
    assert_eq!(kept(&[], GradeMethod::Last), None);
}

#[test]
fn item_statistics_spot_broken_questions() {
    // A good item: the strong candidates get it, the weak do not.
    let good = item_stats(&[(1.0, 0.9), (1.0, 0.8), (0.0, 0.3), (0.0, 0.2)]);
    assert_eq!(good.facility, 50.0);
    assert!(good.discrimination.unwrap() > 90.0);
    // A wrong key: only the weak candidates "get it right".
    let broken = item_stats(&[(0.0, 0.9), (0.0, 0.8), (1.0, 0.3), (1.0, 0.2)]);
    assert!(broken.discrimination.unwrap() < -90.0);
    assert_eq!(
        item_stats(&[(1.0, 0.5), (1.0, 0.7)]).discrimination,
        None,
        "everyone right: no spread"
    );
}

/// A bank with each kind once per unit, and levels on the essays.
fn mixed() -> Vec<Candidate> {
    let source = "// [tag:unit:n]\n::M1::a {=x ~y}\n\n// [tag:unit:n]\n::M2::b {=x ~y}\n\n\
// [tag:unit:n]\n::T1::c {T}\n\n// [tag:unit:n]\n::S1::d {=dns}\n\n\
// [tag:unit:n] [tag:level:ahli-muda]\n::E1::Tulis. {}\n\n\
// [tag:unit:n] [tag:level:terampil]\n::E2::Tulis lagi. {}\n\n\
// [tag:unit:n]\n::D::Deskripsi saja.";
    candidates_of(source)
}

fn kinds(slots: &[Slot], pool: &[Candidate]) -> Vec<QuestionType> {
    slots
        .iter()
        .map(|s| {
            pool.iter()
                .find(|c| c.id == s.question_id)
                .unwrap()
                .question
                .kind()
        })
        .collect()
}

#[test]
fn a_rule_without_types_never_draws_essays() {
    let pool = mixed();
    // A rule stored before types existed: it must not draw the two essays.
    let stored: TagRule = serde_json::from_str(r#"{"tag":"unit:n","count":4}"#).unwrap();
    assert_eq!(stored, TagRule::new("unit:n", 4));
    let old = Selection::ByTags {
        rules: vec![stored],
    };
    assert!(check_selection(&old, &pool).is_empty());
    assert!(!draws_essays(&old));
    for seed in 0..20 {
        let slots = draw(&old, &pool, true, true, &mut StdRng::seed_from_u64(seed));
        assert_eq!(slots.len(), 4);
        assert!(!kinds(&slots, &pool).contains(&QuestionType::Essay));
    }
    let five = Selection::ByTags {
        rules: vec![TagRule::new("unit:n", 5)],
    };
    assert!(
        check_selection(&five, &pool)[0]
            .message
            .contains("hanya memiliki 4 soal"),
        "essays and descriptions are not counted for a rule without types"
    );
}

#[test]
fn types_and_levels_choose_what_a_rule_draws() {
    let pool = mixed();
    let essay = TagRule {
        types: Some(vec![QuestionType::Essay]),
        level: Some("level:ahli-muda".into()),
        ..TagRule::new("unit:n", 1)
    };
    let tf_mc = TagRule {
        types: Some(vec![QuestionType::Multichoice, QuestionType::Truefalse]),
        ..TagRule::new("unit:n", 3)
    };
    let selection = Selection::ByTags {
        rules: vec![tf_mc.clone(), essay.clone()],
    };
    assert!(check_selection(&selection, &pool).is_empty());
    assert!(draws_essays(&selection));
    let slots = draw(
        &selection,
        &pool,
        false,
        false,
        &mut StdRng::seed_from_u64(3),
    );
    let got = kinds(&slots, &pool);
    assert_eq!(got.len(), 4);
    assert_eq!(got.iter().filter(|k| **k == QuestionType::Essay).count(), 1);
    assert!(!got.contains(&QuestionType::Shortanswer));
    assert!(
        slots.iter().any(|s| s.question_id == Uuid::from_u128(5)),
        "E1 is the only ahli-muda essay"
    );
    assert_eq!(essay.level_tag().as_deref(), Some("level:ahli-muda"));
    assert_eq!(essay.describe(), "1 × unit:n, Esai, level:ahli-muda");
}

#[test]
fn a_rule_the_bank_cannot_fill_is_named_with_what_is_there() {
    let pool = mixed();
    let rules = vec![
        TagRule::new("unit:n", 1),
        TagRule {
            types: Some(vec![QuestionType::Essay]),
            ..TagRule::new("unit:n", 3)
        },
        TagRule {
            types: Some(vec![]),
            ..TagRule::new("unit:n", 1)
        },
        TagRule {
            types: Some(vec![QuestionType::Truefalse]),
            level: Some("mahir".into()),
            ..TagRule::new("unit:n", 1)
        },
    ];
    let errors = check_rules(&rules, &pool);
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(errors[0].field, "selection.rules[1].count");
    assert!(
        errors[0].message.contains("aturan ke-2"),
        "{}",
        errors[0].message
    );
    assert!(errors[0].message.contains("hanya memiliki 2 soal"));
    assert!(errors[0].message.contains("diminta 3"));
    assert_eq!(errors[1].field, "selection.rules[2].types");
    assert!(errors[2].message.contains("hanya memiliki 0 soal"));
}

#[test]
fn a_post_test_draws_around_the_pre_test_where_the_bank_allows() {
    // unit:a has 6 items, unit:b only 2.
    let source = (1..=6)
        .map(|i| format!("// [tag:unit:a]\n::A{i}::a{i} {{T}}\n\n"))
        .chain((1..=2).map(|i| format!("// [tag:unit:b]\n::B{i}::b{i} {{T}}\n\n")))
        .collect::<String>();
    let pool = candidates_of(&source);
    let blueprint = Selection::ByTags {
        rules: vec![TagRule::new("unit:a", 3), TagRule::new("unit:b", 2)],
    };
    let stable = |slots: &[Slot]| -> Vec<String> {
        slots
            .iter()
            .map(|s| {
                let c = pool.iter().find(|c| c.id == s.question_id).unwrap();
                c.stable_id.clone()
            })
            .collect()
    };
    for seed in 0..40 {
        let rng = &mut StdRng::seed_from_u64(seed);
        let pre = stable(&draw(&blueprint, &pool, true, true, rng));
        let seen: std::collections::HashSet<String> = pre.iter().cloned().collect();
        let post = stable(&draw_avoiding(&blueprint, &pool, &seen, true, true, rng));
        assert_eq!(post.len(), 5);
        let a_again = post
            .iter()
            .filter(|id| id.starts_with('A') && seen.contains(*id))
            .count();
        assert_eq!(a_again, 0, "unit:a has a parallel form: {pre:?} → {post:?}");
        // unit:b has no other items, so both come again.
        assert_eq!(post.iter().filter(|id| id.starts_with('B')).count(), 2);
    }
    // Nothing seen: the same draw as before.
    let a = draw(&blueprint, &pool, true, true, &mut StdRng::seed_from_u64(3));
    let b = draw_avoiding(
        &blueprint,
        &pool,
        &Default::default(),
        true,
        true,
        &mut StdRng::seed_from_u64(3),
    );
    assert_eq!(a, b);
}

#[test]
fn grading_marks_what_the_machine_can_and_keeps_an_essays_mark() {
    let truefalse = question("Benar? {T}");
    let essay = question("Jelaskan. {}");
    assert_eq!(essay.kind(), QuestionType::Essay);
    let slot_of = |id: u128, points: f64| Slot {
        question_id: Uuid::from_u128(id),
        points,
        order: Vec::new(),
        right_order: Vec::new(),
        limit: None,
    };
    let slots = [slot_of(1, 1.0), slot_of(2, 2.0)];
    let questions = std::collections::HashMap::from([
        (Uuid::from_u128(1), Arc::new(truefalse)),
        (Uuid::from_u128(2), Arc::new(essay)),
    ]);
    let responses = std::collections::HashMap::from([(
        Uuid::from_u128(1),
        Answer::Choices(vec!["true".into()]),
    )]);
    let handed_in = super::grade(&slots, &questions, &responses, &key(), &[]);
    assert_eq!(handed_in[0].fraction, Some(1.0));
    assert_eq!(handed_in[1].fraction, None, "the essay waits for a marker");
    assert_eq!(
        (handed_in[1].points, handed_in[1].question_id),
        (2.0, Uuid::from_u128(2))
    );
    let earlier = [
        Mark {
            question_id: Uuid::from_u128(2),
            points: 2.0,
            fraction: Some(0.5),
        },
        Mark {
            question_id: Uuid::from_u128(1),
            points: 1.0,
            fraction: Some(0.0),
        },
    ];
    let regraded = super::grade(&slots, &questions, &responses, &key(), &earlier);
    assert_eq!(
        regraded[0].fraction,
        Some(1.0),
        "the machine's mark is recomputed"
    );
    assert_eq!(regraded[1].fraction, Some(0.5), "the marker's mark is kept");
}
