use serde_json::{Value, json};

use super::*;
use crate::banks::model::{MAX_PROBLEMS_PER_FILE, MAX_QUESTIONS_PER_FILE};

fn one(source: &str) -> Question {
    let parsed = parse(source);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.questions.len(), 1, "{source}");
    parsed.questions.into_iter().next().unwrap().question
}

fn err(source: &str) -> String {
    let parsed = parse(source);
    assert_eq!(parsed.errors.len(), 1, "{source}: {:?}", parsed.questions);
    parsed.errors[0].to_string()
}

/// A question's answers in the fields of the fixtures' expected JSON
/// (`single`, `answers`, `truefalse`, `numerical`, `matching`), shared
/// with the Moodle XML tests.
pub(crate) fn body_as_expected(body: &Body) -> serde_json::Map<String, Value> {
    let mut answers = json!([]);
    let mut truefalse = Value::Null;
    let mut numerical = json!([]);
    let mut matching = json!([]);
    let mut single = Value::Null;
    let choice = |c: &crate::banks::model::Choice| json!({"text": c.text, "fraction": c.fraction, "feedback": c.feedback});
    match body {
        Body::Multichoice { single: s, choices } => {
            single = json!(s);
            answers = json!(choices.iter().map(choice).collect::<Vec<_>>());
        }
        Body::Shortanswer { answers: a } => {
            answers = json!(a.iter().map(choice).collect::<Vec<_>>());
        }
        Body::Truefalse {
            correct,
            feedback_true,
            feedback_false,
        } => {
            truefalse = json!({"correct": correct, "feedback_true": feedback_true, "feedback_false": feedback_false});
        }
        Body::Numerical { answers: a } => {
            numerical = json!(a.iter().map(|n| json!({"value": n.value, "tolerance": n.tolerance, "fraction": n.fraction, "feedback": n.feedback})).collect::<Vec<_>>());
        }
        Body::Matching { pairs } => {
            matching = json!(
                pairs
                    .iter()
                    .map(|p| json!({"left": p.left, "right": p.right}))
                    .collect::<Vec<_>>()
            );
        }
        Body::Essay | Body::Description | Body::Cloze { .. } => {}
    }
    let fields = json!({
        "single": single,
        "answers": answers,
        "truefalse": truefalse,
        "numerical": numerical,
        "matching": matching,
    });
    match fields {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// The schema of `tests/fixtures/gift/moodle_docs.expected.json`.
fn as_expected(located: &Located) -> Value {
    let q = &located.question;
    let mut got = json!({
        "line": located.at.line,
        "title": q.title,
        "id": q.id,
        "tags": q.tags.iter().filter(|t| !t.starts_with("category:")).collect::<Vec<_>>(),
        "category": q.category,
        "qtype": q.kind().as_str(),
        "text": q.text,
        "text_format": q.text_format.as_str(),
        "general_feedback": q.general_feedback,
    });
    if let Value::Object(map) = &mut got {
        map.extend(body_as_expected(&q.body));
    }
    got
}

fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() < 1e-6
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
        }
        (x, y) => x == y,
    }
}

#[test]
fn every_example_of_moodles_gift_documentation() {
    let source = include_str!("../../../tests/fixtures/gift/moodle_docs.gift");
    let expected: Vec<Value> = serde_json::from_str(include_str!(
        "../../../tests/fixtures/gift/moodle_docs.expected.json"
    ))
    .unwrap();
    let parsed = parse(source);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.questions.len(), expected.len());
    for (located, want) in parsed.questions.iter().zip(&expected) {
        let mut want = want.clone();
        let section = want.as_object_mut().unwrap().remove("section").unwrap();
        let got = as_expected(located);
        for (field, value) in want.as_object().unwrap() {
            assert!(
                close(&got[field], value),
                "{section} (line {}), field {field}:\n  got  {}\n  want {}",
                want["line"],
                got[field],
                value
            );
        }
    }
}

#[test]
fn constructs_table() {
    // (source, type, text) for each construct.
    let cases: &[(&str, &str, &str)] = &[
        ("Soal {=a ~b}", "multichoice", "Soal"),
        ("Soal {~%50%a ~%50%b ~%-100%c}", "multichoice", "Soal"),
        ("Benar? {T}", "truefalse", "Benar?"),
        ("Benar? {TRUE}", "truefalse", "Benar?"),
        ("Salah? {F}", "truefalse", "Salah?"),
        ("Salah? {FALSE#x#y}", "truefalse", "Salah?"),
        (
            "Ibu kota? {=Jakarta =DKI Jakarta}",
            "shortanswer",
            "Ibu kota?",
        ),
        ("Berapa? {#62}", "numerical", "Berapa?"),
        ("Berapa? {#3:0.5}", "numerical", "Berapa?"),
        ("Berapa? {#1..5}", "numerical", "Berapa?"),
        ("Pasangkan {=a -> b =c -> d}", "matching", "Pasangkan"),
        (
            "Ibu kota {=Jakarta} adalah kota besar.",
            "shortanswer",
            "Ibu kota _____ adalah kota besar.",
        ),
        ("Tulis esai. {}", "essay", "Tulis esai."),
        ("Tulis esai. {####Catatan penilai}", "essay", "Tulis esai."),
        (
            "Bagian berikut tentang jaringan.",
            "description",
            "Bagian berikut tentang jaringan.",
        ),
        ("[markdown]**Tebal** {T}", "truefalse", "**Tebal**"),
        (
            "Baris satu\nbaris dua {T}",
            "truefalse",
            "Baris satu\nbaris dua",
        ),
        (
            "Pukul 08\\:00 \\{kurung\\} \\~ \\= \\# {T}",
            "truefalse",
            "Pukul 08:00 {kurung} ~ = #",
        ),
        (
            "Garis miring \\\\ dan \\n baris {T}",
            "truefalse",
            "Garis miring \\ dan \n baris",
        ),
    ];
    for (source, kind, text) in cases {
        let q = one(source);
        assert_eq!(q.kind().as_str(), *kind, "{source}");
        assert_eq!(q.text, *text, "{source}");
    }
}

#[test]
fn weights_feedback_and_general_feedback() {
    let q = one("::W::Pilih dua {\n~%50%A #bagus\n~%50%B\n~%-100%C #jangan\n####Umum}");
    assert_eq!(q.title.as_deref(), Some("W"));
    assert_eq!(q.general_feedback, "Umum");
    let Body::Multichoice { single, choices } = q.body else {
        panic!()
    };
    assert!(!single);
    let got: Vec<(&str, f64, &str)> = choices
        .iter()
        .map(|c| (c.text.as_str(), c.fraction, c.feedback.as_str()))
        .collect();
    assert_eq!(
        got,
        [("A", 0.5, "bagus"), ("B", 0.5, ""), ("C", -1.0, "jangan")]
    );
}

#[test]
fn ids_tags_and_categories() {
    let parsed = parse(
        "$CATEGORY: pranata_komputer/jaringan\n\n// [id:pk-jar-001] [tag:unit:jaringan] [tag:level:terampil]\n::Host /26::Berapa host? {#62}\n\n// komentar biasa\nLain {T}",
    );
    let first = &parsed.questions[0];
    assert_eq!(first.at.line, 4);
    assert_eq!(first.question.id.as_deref(), Some("pk-jar-001"));
    assert_eq!(first.question.stable_id(), "pk-jar-001");
    assert_eq!(
        first.question.tags,
        [
            "unit:jaringan",
            "level:terampil",
            "category:pranata_komputer/jaringan"
        ]
    );
    assert_eq!(
        first.question.category.as_deref(),
        Some("pranata_komputer/jaringan")
    );
    let second = &parsed.questions[1].question;
    assert_eq!(second.id, None);
    assert!(second.stable_id().starts_with("h:"));
}

#[test]
fn numerical_forms() {
    let Body::Numerical { answers } =
        one("N {#\n=%100%1822:0 #Tepat\n=%50%1822:2\n~#Salah jauh}").body
    else {
        panic!()
    };
    let got: Vec<(Option<f64>, f64, f64, &str)> = answers
        .iter()
        .map(|a| (a.value, a.tolerance, a.fraction, a.feedback.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(1822.0), 0.0, 1.0, "Tepat"),
            (Some(1822.0), 2.0, 0.5, ""),
            (None, 0.0, 0.0, "Salah jauh")
        ]
    );
    let Body::Numerical { answers } = one("R {#-5..5}").body else {
        panic!()
    };
    assert_eq!((answers[0].value, answers[0].tolerance), (Some(0.0), 5.0));
    let Body::Numerical { answers } = one("Z {#0}").body else {
        panic!()
    };
    assert_eq!(
        answers[0].value,
        Some(0.0),
        "Moodle refuses {{#0}}; zero is a fine answer"
    );
}

#[test]
fn errors_name_line_column_and_what_was_expected() {
    let cases: &[(&str, &str)] = &[
        (
            "Soal {=a ~b",
            "baris 1, kolom 6: '{' tanpa pasangan: diharapkan '}'",
        ),
        ("Soal =a ~b}", "baris 1, kolom 11: '}' tanpa pasangan"),
        (
            "Soal } dan {=a}",
            "baris 1, kolom 6: '}' muncul sebelum '{'",
        ),
        (
            "A {T}\n\nSoal {~a}",
            "baris 3, kolom 6: pilihan ganda memerlukan minimal 2 jawaban",
        ),
        (
            "Pasangkan {=a -> b =c}",
            "baris 1, kolom 21: pasangan 'c' tidak memiliki '->'",
        ),
        (
            "Pasangkan {=a -> b}",
            "baris 1, kolom 11: soal menjodohkan memerlukan minimal 2 pasangan",
        ),
        (
            "Angka {#dua}",
            "baris 1, kolom 9: jawaban numerik 'dua' tidak sah: diharapkan angka",
        ),
        ("Angka {#}", "baris 1, kolom 7: soal numerik tanpa jawaban"),
        (
            "Bobot {~%250%a =b}",
            "baris 1, kolom 9: bobot 250% di luar rentang",
        ),
        ("Kosong {= ~a}", "baris 1, kolom 8: pilihan ganda"),
    ];
    for (source, expected) in cases {
        let parsed = parse(source);
        let message = parsed
            .errors
            .first()
            .map(|e| e.to_string())
            .unwrap_or_default();
        if *source == "Kosong {= ~a}" {
            // `=` with nothing after it is an empty correct answer, as in Moodle.
            assert!(parsed.errors.is_empty(), "{message}");
            continue;
        }
        assert!(
            message.starts_with(expected),
            "{source:?}\n  got  {message}\n  want {expected}"
        );
    }
}

#[test]
fn an_error_in_one_block_does_not_hide_the_others() {
    let parsed = parse("Satu {T}\n\nDua {=a ~b\n\nTiga {F}\n\nEmpat {#x}");
    assert_eq!(parsed.questions.len(), 2);
    let lines: Vec<u32> = parsed.errors.iter().map(|e| e.at.line).collect();
    assert_eq!(lines, [3, 7]);
    assert_eq!(
        err("// hanya komentar\n\nX {#}").split(',').next(),
        Some("baris 3")
    );
}

#[test]
fn writing_then_reading_gives_the_same_questions() {
    let source = include_str!("../../../tests/fixtures/gift/moodle_docs.gift");
    let first: Vec<Question> = parse(source)
        .questions
        .into_iter()
        .map(|l| l.question)
        .collect();
    let written = write(&first);
    let again = parse(&written);
    assert!(again.errors.is_empty(), "{:?}\n{written}", again.errors);
    let second: Vec<Question> = again.questions.into_iter().map(|l| l.question).collect();
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a, b, "\n{written}");
    }
}

#[test]
fn shipped_files_parse_cleanly() {
    for (track, minimum) in [("pranata_komputer", 150), ("humas", 100)] {
        let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("question_banks")
            .join(track);
        let mut total = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let parsed = parse(&std::fs::read_to_string(&path).unwrap());
            assert!(
                parsed.errors.is_empty(),
                "{}: {:?}",
                path.display(),
                parsed.errors
            );
            let named: Vec<(String, Located)> = parsed
                .questions
                .iter()
                .map(|q| ("f".to_owned(), q.clone()))
                .collect();
            let lint = crate::banks::model::lint(&named);
            assert!(lint.is_empty(), "{}: {:#?}", path.display(), lint);
            total += parsed.questions.len();
        }
        assert!(total >= minimum, "{track}: {total}");
    }
}

/// Hostile shapes are parsed or refused in linear time, and the answer is
/// bounded: a few seconds even unoptimised for 10 MiB.
#[test]
fn hostile_files_are_linear_and_bounded() {
    let started = std::time::Instant::now();
    let comment = "[id:[tag:".repeat(20_000);
    let tokens: String = (0..50)
        .map(|i| format!("// {comment}\nSoal {i} {{T}}\n\n"))
        .collect();
    let parsed = parse(&tokens);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors.first());
    assert_eq!(parsed.questions.len(), 50);
    assert!(parsed.questions[0].question.id.is_none());

    let many = "Soal\n\n".repeat(10 * 1024 * 1024 / 6);
    let parsed = parse(&many);
    assert_eq!(parsed.questions.len(), MAX_QUESTIONS_PER_FILE);
    let last = parsed.errors.last().unwrap();
    assert!(last.message.contains("paling banyak 5.000 soal"), "{last}");
    assert_eq!(last.at.line, 2 * MAX_QUESTIONS_PER_FILE as u32 + 1);

    let broken = "}\n\n".repeat(10 * 1024 * 1024 / 3);
    let parsed = parse(&broken);
    assert_eq!(parsed.errors.len(), MAX_PROBLEMS_PER_FILE + 1);
    assert!(parsed.errors.last().unwrap().message.contains("berhenti"));

    let long = format!("Awal\n{}\n", "x".repeat(10 * 1024 * 1024));
    let parsed = parse(&long);
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.errors[0].at.line, 1);
    assert!(
        parsed.errors[0]
            .message
            .contains("paling banyak 200.000 karakter"),
        "{}",
        parsed.errors[0]
    );
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

#[test]
fn comment_tokens_keep_their_meaning() {
    let q = one("// [id:a\\]b] [tag:x] [id:ignored] [tag: y ] [points:2.5] [tag:open\nSoal {T}");
    assert_eq!(q.id.as_deref(), Some("a]b"));
    assert_eq!(q.tags, ["x", "y"]);
    assert_eq!(q.default_points, 2.5);
    let q = one("// [id:[id:pk-1] [points:x] [tag:[tag:t]\nSoal {T}");
    assert_eq!(q.id.as_deref(), Some("[id:pk-1"));
    assert_eq!(q.tags, ["[tag:t"]);
}

#[test]
fn a_format_marker_after_a_space_is_stripped_from_answers_and_feedback() {
    let q = one(
        "::Q::[html]Antara <b>oranye</b> dan hijau? { =kuning # [html]benar; <i>bagus!</i> ~merah # [html]salah, yang benar kuning ####  [html]Spektrum: <b>mejikuhibiniu</b>}",
    );
    assert_eq!(q.text_format, TextFormat::Html);
    let Body::Multichoice { choices, .. } = &q.body else {
        panic!("{q:?}");
    };
    assert_eq!(choices[0].feedback, "benar; <i>bagus!</i>");
    assert_eq!(choices[1].feedback, "salah, yang benar kuning");
    assert_eq!(q.general_feedback, "Spektrum: <b>mejikuhibiniu</b>");
}

#[test]
fn a_numerical_answer_must_be_a_finite_number() {
    for bad in ["Berapa? {#inf}", "Berapa? {#NaN}", "Berapa? {#1:inf}"] {
        let parsed = parse(bad);
        assert!(
            parsed.questions.is_empty() && !parsed.errors.is_empty(),
            "{bad}: {:?}",
            parsed.questions
        );
    }
}
