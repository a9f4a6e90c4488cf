use super::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn fixture(name: &str) -> String {
    let path = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("tests/fixtures/moodle_xml")
        .join(name);
    std::fs::read_to_string(path).unwrap()
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

/// A realistic Moodle 4.x export comes in whole: every question field by
/// field, the Cloze question with its blanks, the embedded image kept.
#[test]
fn fixture_moodle_export() {
    let parsed = parse(&fixture("export.xml"));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let expected: Vec<Value> = serde_json::from_str(&fixture("export.expected.json")).unwrap();
    // The Cloze question comes in too, its blanks out of the text and
    // worth the sum of their weights.
    let (cloze, simple): (Vec<&Located>, Vec<&Located>) = parsed
        .questions
        .iter()
        .partition(|l| l.question.kind() == crate::banks::model::QuestionType::Cloze);
    let Body::Cloze { blanks } = &cloze[0].question.body else {
        unreachable!()
    };
    assert_eq!((cloze.len(), blanks.len()), (1, 2));
    assert_eq!(cloze[0].question.default_points, 2.0);
    assert!(
        cloze[0]
            .question
            .text
            .contains("ditujukan kepada {#1}, sesuai")
    );
    assert_eq!(simple.len(), expected.len());
    for (located, want) in simple.into_iter().zip(&expected) {
        let q = &located.question;
        let mut got = json!({
            "title": q.title, "id": q.id,
            "tags": q.tags.iter().filter(|t| !t.starts_with("category:")).collect::<Vec<_>>(),
            "category": q.category, "qtype": q.kind().as_str(), "text": q.text,
            "text_format": q.text_format.as_str(), "general_feedback": q.general_feedback,
            "default_points": q.default_points,
        });
        if let Value::Object(map) = &mut got {
            map.extend(crate::banks::gift::tests::body_as_expected(&q.body));
        }
        for (field, value) in want.as_object().unwrap() {
            if field == "files" {
                // Kept as question media, by name.
                let names: Vec<&str> = q.media.iter().map(|m| m.name.as_str()).collect();
                let wanted: Vec<&str> = value
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap())
                    .collect();
                assert_eq!(names, wanted, "{:?}", q.title);
                continue;
            }
            assert!(
                close(&got[field], value),
                "{:?} {field}:\n got  {}\n want {}",
                q.title,
                got[field],
                value
            );
        }
    }
    // The PNG comes in as question media: nothing to warn about.
    assert_eq!(parsed.media.len(), 1);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn fixture_malformed_files_name_their_lines() {
    let parsed = parse(&fixture("malformed.xml"));
    let lines: Vec<u32> = parsed.errors.iter().map(|e| e.at.line).collect();
    // The true/false problem is pointed at its first bad <answer> (line 116), inside the question of line 102.
    assert_eq!(lines, [66, 81, 116], "{:#?}", parsed.errors);
    let parsed = parse(&fixture("malformed_syntax.xml"));
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.errors[0].at.line, 29, "{}", parsed.errors[0]);
}

#[test]
fn reads_a_multichoice_with_html_and_entities() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Jaringan</text></category></question>
  <question type="multichoice">
<name><text>Port HTTPS</text></name>
<questiontext format="html"><text><![CDATA[<p>Port <strong>HTTPS</strong>?</p>]]></text></questiontext>
<defaultgrade>2.0000000</defaultgrade>
<idnumber>pk-1</idnumber>
<single>true</single>
<answer fraction="100" format="html"><text>443</text><feedback><text>Benar &amp; tepat</text></feedback></answer>
<answer fraction="0" format="html"><text>80</text></answer>
<tags><tag><text>unit:jaringan</text></tag></tags>
  </question>
</quiz>"#;
    let parsed = parse(xml);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let q = &parsed.questions[0].question;
    assert_eq!(parsed.questions[0].at.line, 4);
    assert_eq!(q.text, "<p>Port <strong>HTTPS</strong>?</p>");
    assert_eq!(q.text_format, TextFormat::Html);
    assert_eq!(q.id.as_deref(), Some("pk-1"));
    assert_eq!(q.default_points, 2.0);
    assert_eq!(q.tags, ["unit:jaringan", "category:$course$/top/Jaringan"]);
    let Body::Multichoice { single, choices } = &q.body else {
        panic!()
    };
    assert!(single);
    assert_eq!(choices[0].feedback, "Benar & tepat");
}

#[test]
fn broken_xml_names_its_line() {
    let parsed = parse("<quiz>\n  <question type=\"essay\">\n  </quiz>\n");
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.errors[0].at.line, 3, "{}", parsed.errors[0]);
}

#[test]
fn bad_fraction_is_reported_at_its_answer() {
    let parsed = parse(
        "<quiz>\n<question type=\"multichoice\">\n<answer fraction=\"banyak\"><text>a</text></answer>\n<answer fraction=\"0\"><text>b</text></answer>\n</question>\n</quiz>",
    );
    assert_eq!(parsed.errors[0].at.line, 3);
    assert!(parsed.errors[0].message.contains("banyak"));
}

#[test]
fn deep_nesting_is_refused_naming_the_limit() {
    let depth = 50_000;
    let xml = format!(
        "<quiz>\n{}{}</quiz>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let parsed = parse(&xml);
    assert_eq!(parsed.errors.len(), 1);
    assert_eq!(parsed.errors[0].at.line, 2);
    assert!(
        parsed.errors[0]
            .message
            .contains("paling banyak 100 tingkat"),
        "{}",
        parsed.errors[0]
    );
    let fine = format!("<quiz>{}{}</quiz>", "<a>".repeat(90), "</a>".repeat(90));
    assert!(parse(&fine).errors.is_empty());
}

/// Positions are counted as the reader goes: millions of events on one
/// line or on many lines stay linear, and columns stay right.
#[test]
fn hostile_shapes_are_linear_and_bounded() {
    let started = std::time::Instant::now();
    let one_line = format!("<quiz>{}</quiz>", "<b/>".repeat(2 * 1024 * 1024));
    let parsed = parse(&one_line);
    assert_eq!(parsed.errors.len(), 1);
    assert!(
        parsed.errors[0].message.contains("paling banyak 250.000"),
        "{}",
        parsed.errors[0]
    );
    assert_eq!(parsed.errors[0].at.line, 1);
    assert_eq!(parsed.errors[0].at.column, 3 + 4 * MAX_XML_ELEMENTS as u32);
    let text = format!("<quiz>{}</quiz>", "x\n".repeat(4 * 1024 * 1024));
    assert!(parse(&text).errors.is_empty());
    let refs = format!("<quiz>{}</quiz>", "&amp;\n".repeat(1024 * 1024));
    assert!(parse(&refs).errors.is_empty());
    let attrs: String = (0..40).map(|i| format!(" a{i}=\"\"")).collect();
    let parsed = parse(&format!("<quiz>\n<question{attrs}/></quiz>"));
    assert!(
        parsed.errors[0].message.contains("paling banyak 32"),
        "{}",
        parsed.errors[0]
    );
    assert_eq!(parsed.errors[0].at.line, 2);
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

/// Questions Bimtek cannot take are counted per type, the file still
/// imports; two questions with one name are both kept.
#[test]
fn images_come_in_with_their_questions_and_go_back_out() {
    let parsed = parse(&fixture("images.xml"));
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.questions.len(), 3);
    // Two images kept once each; the text file is no image: a warning.
    assert_eq!(parsed.media.len(), 2);
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    assert!(parsed.warnings[0].message.contains("notulen.txt"));
    let map = &parsed.questions[0].question;
    assert_eq!(map.media[0].name, "peta jaringan.png");
    assert_eq!(map.media[0].content_type, "image/png");
    assert!(
        map.text_html()
            .contains(&format!("src=\"/question-media/{}\"", map.media[0].sha256)),
        "{}",
        map.text_html()
    );
    // An old-style image is shown after the text, as Moodle shows it.
    let icon = &parsed.questions[1].question;
    assert!(
        icon.text
            .ends_with(" <img src=\"@@PLUGINFILE@@/gambar_ikon.gif\" />")
    );
    assert_eq!(icon.media[0].content_type, "image/gif");
    assert!(parsed.questions[2].question.media.is_empty());

    let files: BTreeMap<String, Vec<u8>> = parsed
        .media
        .iter()
        .map(|m| (m.sha256.clone(), m.bytes.clone()))
        .collect();
    let questions: Vec<Question> = parsed
        .questions
        .iter()
        .map(|l| l.question.clone())
        .collect();
    let written = write_with_media(&questions, &files);
    assert!(written.contains("<file name=\"peta jaringan.png\" path=\"/\" encoding=\"base64\">"));
    let again = parse(&written);
    assert_eq!(
        again
            .questions
            .iter()
            .map(|l| &l.question)
            .collect::<Vec<_>>(),
        questions.iter().collect::<Vec<_>>()
    );
    assert_eq!(again.media, parsed.media);
}

#[test]
fn one_name_for_two_images_is_a_warning_and_order_does_not_matter() {
    let png = media::encode(b"\x89PNG\r\n\x1a\nsatu");
    let other = media::encode(b"\x89PNG\r\n\x1a\ndua");
    let question = |files: &str| {
        format!(
            "<question type=\"essay\"><name><text>Q</text></name><questiontext format=\"html\"><text>a</text>{files}</questiontext><generalfeedback><text>b</text></generalfeedback></question>"
        )
    };
    let file = |name: &str, data: &str| {
        format!("<file name=\"{name}\" path=\"/\" encoding=\"base64\">{data}</file>")
    };
    let clash = parse(&format!(
        "<quiz>{}</quiz>",
        question(&(file("a.png", &png) + &file("a.png", &other)))
    ));
    assert_eq!(clash.questions[0].question.media.len(), 1);
    assert!(
        clash.warnings[0]
            .message
            .contains("dua gambar berbeda bernama 'a.png'")
    );
    let one = parse(&format!(
        "<quiz>{}</quiz>",
        question(&(file("b.png", &png) + &file("a.png", &other)))
    ));
    let two = parse(&format!(
        "<quiz>{}</quiz>",
        question(&(file("a.png", &other) + &file("b.png", &png)))
    ));
    assert_eq!(one.questions[0].question, two.questions[0].question);
}

#[test]
fn unsupported_types_are_counted_per_type_and_repeated_names_kept() {
    let q = |kind: &str, name: &str| {
        format!(
            "<question type=\"{kind}\"><name><text>{name}</text></name><questiontext format=\"html\"><text>Teks {name}</text></questiontext><answer fraction=\"100\"><text>ya</text></answer><answer fraction=\"0\"><text>tidak</text></answer></question>\n"
        )
    };
    let source = format!(
        "<?xml version=\"1.0\"?>\n<quiz>\n{}{}{}{}{}</quiz>\n",
        q("calculated", "Hitung"),
        q("multichoice", "Sama"),
        q("ddwtos", "Seret"),
        q("multichoice", "Sama"),
        q("calculated", "Hitung lagi"),
    );
    let parsed = parse(&source);
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    assert_eq!(parsed.questions.len(), 2);
    let warnings: Vec<String> = parsed.warnings.iter().map(|w| w.message.clone()).collect();
    assert_eq!(
        warnings,
        [
            "2 soal jenis 'calculated' belum didukung dan dilewati (baris 3, 7)",
            "1 soal jenis 'ddwtos' belum didukung dan dilewati (baris 5)",
        ]
    );
}

/// A number that is no number (`NaN`, `inf`, `1e999`) is refused naming the
/// answer, as the Cloze reader and GIFT refuse it.
#[test]
fn numbers_must_be_finite() {
    for bad in ["NaN", "inf", "1e999"] {
        let xml = format!(
            r#"<quiz><question type="numerical"><name><text>N</text></name>
<questiontext format="html"><text>Berapa?</text></questiontext>
<answer fraction="100"><text>{bad}</text><tolerance>0</tolerance></answer>
</question></quiz>"#
        );
        let parsed = parse(&xml);
        assert!(
            parsed.questions.is_empty() && parsed.errors[0].message.contains("bukan angka"),
            "{bad}: {:?}",
            parsed.errors
        );
    }
}
