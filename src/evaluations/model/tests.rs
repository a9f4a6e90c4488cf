//! The evaluation's rules, with worked figures.

use super::*;
use time::macros::date;

fn answers(org: &[u8], speaker: &[(&str, &[u8])], comment: Option<&str>) -> Answers {
    let form = Form::default();
    let names: Vec<String> = speaker.iter().map(|(n, _)| n.to_string()).collect();
    check(
        &form,
        &names,
        &Submission {
            organisation: org.to_vec(),
            speakers: speaker.iter().map(|(_, s)| s.to_vec()).collect(),
            comment: comment.map(Into::into),
        },
    )
    .unwrap()
}

#[test]
fn nothing_is_shown_below_five_answers() {
    let four: Vec<Answers> = (0..4)
        .map(|_| answers(&[4; 5], &[], Some("Bagus")))
        .collect();
    let r = results(&four, true);
    assert_eq!(r.respondents, 4);
    assert!(!r.shown && r.organisation.is_none() && r.comments.is_empty() && r.index.is_none());
}

#[test]
fn means_indexes_and_distributions() {
    let all = vec![
        answers(
            &[4, 4, 3, 3, 4],
            &[("Dr. Bambang", &[4, 4, 4, 4]), ("Ir. Sri", &[2, 2, 3, 3])],
            Some("Ruang dingin"),
        ),
        answers(
            &[3, 3, 3, 3, 3],
            &[("Dr. Bambang", &[4, 3, 4, 4]), ("Ir. Sri", &[2, 3, 3, 3])],
            None,
        ),
        answers(
            &[4, 4, 4, 4, 4],
            &[("Dr. Bambang", &[4, 4, 4, 4]), ("Ir. Sri", &[1, 2, 2, 2])],
            Some("Jadwal padat"),
        ),
        answers(
            &[2, 3, 3, 3, 3],
            &[("Dr. Bambang", &[3, 4, 4, 3]), ("Ir. Sri", &[2, 2, 2, 2])],
            Some(""),
        ),
        answers(
            &[4, 3, 4, 4, 4],
            &[("Dr. Bambang", &[4, 4, 4, 4]), ("Ir. Sri", &[3, 3, 3, 3])],
            Some("Akan datang lagi"),
        ),
    ];
    assert!(!results(&all, false).shown, "not before it is final");
    let r = results(&all, true);
    assert!(r.shown);
    let org = r.organisation.unwrap();
    assert_eq!(org.items[0].distribution, [0, 1, 1, 3]);
    assert!((org.items[0].mean - 3.4).abs() < 1e-9);
    assert!((org.items[0].index - 85.0).abs() < 1e-9);
    assert_eq!(r.speakers.len(), 2);
    let bambang = &r.speakers[0];
    assert_eq!(bambang.name, "Dr. Bambang");
    assert!((bambang.mean - 3.85).abs() < 1e-9);
    assert_eq!(bambang.grade, "A (Sangat baik)");
    let sri = &r.speakers[1];
    assert!((sri.index - 60.0).abs() < 1e-9, "{}", sri.index);
    assert_eq!(sri.grade, "D (Tidak baik)");
    // Sorted, empty ones dropped.
    assert_eq!(
        r.comments,
        ["Akan datang lagi", "Jadwal padat", "Ruang dingin"]
    );
    let index = r.index.unwrap();
    assert!((25.0..=100.0).contains(&index));
    let (headers, rows) = table(&results(&all, true));
    assert_eq!(headers.len(), 10);
    assert!(rows.iter().all(|r| r.len() == 10));
    assert!(
        rows.iter()
            .any(|r| r[0] == "Narasumber: Ir. Sri" && r[1] == "Keseluruhan" && r[8] == "60")
    );
}

#[test]
fn results_are_final_before_they_are_shown() {
    assert!(!publishable(false, 5, 6), "one trainee still to answer");
    assert!(publishable(true, 5, 6));
    assert!(publishable(false, 6, 6));
    assert!(!publishable(true, 4, 4), "never below five");
}

#[test]
fn a_statement_or_narasumber_few_answered_is_left_out() {
    let mut all: Vec<Answers> = (0..5)
        .map(|_| answers(&[4; 5], &[("Dr. A", &[4, 4, 4, 4])], None))
        .collect();
    // Later answers after a rename: two rate "Dr. A." and a new statement.
    for _ in 0..2 {
        let mut a = answers(&[3; 5], &[("Dr. A.", &[2, 2, 2, 2])], None);
        a.organisation[0].item = "Pernyataan baru".into();
        all.push(a);
    }
    let r = results(&all, true);
    assert_eq!(r.speakers.len(), 1, "Dr. A. (two answers) is not shown");
    let org = r.organisation.unwrap();
    assert!(org.items.iter().all(|i| i.item != "Pernyataan baru"));
    assert!(org.items.iter().all(|i| i.answered >= 5));
}

#[test]
fn the_index_runs_from_25_to_100_with_its_grades() {
    assert_eq!(index(1.0), 25.0);
    assert_eq!(index(4.0), 100.0);
    assert_eq!(grade(100.0), "A (Sangat baik)");
    assert_eq!(grade(88.31), "A (Sangat baik)");
    assert_eq!(grade(88.3), "B (Baik)");
    assert_eq!(grade(76.61), "B (Baik)");
    assert_eq!(grade(76.6), "C (Kurang baik)");
    assert_eq!(grade(65.0), "C (Kurang baik)");
    assert_eq!(grade(64.99), "D (Tidak baik)");
}

#[test]
fn every_missing_or_bad_score_is_named() {
    let form = Form::default();
    let names = vec!["Dr. Bambang".to_owned()];
    let errors = check(
        &form,
        &names,
        &Submission {
            organisation: vec![4, 0, 3, 5, 4],
            speakers: vec![vec![4, 4]],
            comment: Some("x".repeat(MAX_COMMENT_CHARS + 1)),
        },
    )
    .unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "organisation[1]",
            "organisation[3]",
            "speakers[0]",
            "comment"
        ]
    );
    let missing = check(
        &form,
        &names,
        &Submission {
            organisation: vec![4; 5],
            ..Submission::default()
        },
    )
    .unwrap_err();
    assert_eq!(missing[0].field, "speakers");
}

#[test]
fn the_form_opens_on_the_last_day_for_thirty_days() {
    let last = date!(2026 - 03 - 05);
    assert!(closed_because(false, false, last, date!(2026 - 03 - 04)).is_some());
    assert!(closed_because(false, false, last, last).is_none());
    assert!(closed_because(false, false, last, date!(2026 - 04 - 04)).is_none());
    assert!(closed_because(false, false, last, date!(2026 - 04 - 05)).is_some());
    assert!(closed_because(true, false, last, last).is_some());
    assert!(
        closed_because(false, true, last, last)
            .unwrap()
            .contains("ditutup")
    );
}

#[test]
fn questions_are_one_per_line_and_bounded() {
    let form = parse_form("Materi\n\n  Tempat  \n", "Penguasaan").unwrap();
    assert_eq!(form.organisation, ["Materi", "Tempat"]);
    let errors = parse_form(
        "",
        &(0..=MAX_ITEMS)
            .map(|i| format!("x{i}\n"))
            .collect::<String>(),
    )
    .unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["organisation", "speaker"]);
    let long = parse_form(&"a".repeat(MAX_ITEM_CHARS + 1), "b").unwrap_err();
    assert_eq!(long[0].row, Some(1));
    let twice = parse_form("Materi\nmateri ", "b").unwrap_err();
    assert_eq!(
        (twice[0].row, twice[0].field.as_str()),
        (Some(2), "organisation")
    );
}
