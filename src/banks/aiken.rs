//! Aiken: the simplest multiple-choice format. A question is its text,
//! options `A.` or `A)` each on a line, and `ANSWER: X`.

use winnow::Parser;
use winnow::ascii::space0;
use winnow::combinator::{alt, opt, preceded, terminated};
use winnow::token::{one_of, rest};

use super::model::{
    Body, Choice, Located, ParseError, Parsed, Position, Question, TextFormat, snippet,
};

/// `A. text`, `B) text` (or, as Moodle allows, `B)text`) → (letter, text).
fn option_line(input: &mut &str) -> winnow::Result<(char, String)> {
    (
        terminated(one_of('A'..='Z'), one_of(['.', ')'])),
        preceded(space0, rest),
    )
        .map(|(letter, text): (char, &str)| (letter, text.trim().to_owned()))
        .parse_next(input)
}

/// `ANSWER: C` (the colon is optional, as in Moodle).
fn answer_line(input: &mut &str) -> winnow::Result<char> {
    preceded(
        ("ANSWER", opt(':'), space0),
        terminated(one_of('A'..='Z'), alt((space0, rest))),
    )
    .parse_next(input)
}

struct Draft {
    at: Position,
    text: Vec<String>,
    options: Vec<(char, String)>,
}

impl Draft {
    /// A question whose text begins on `line`.
    fn starting(line_no: u32, line: &str) -> Self {
        Draft {
            at: Position {
                line: line_no,
                column: 1,
            },
            text: vec![line.to_owned()],
            options: Vec::new(),
        }
    }
}

fn error(line: u32, message: impl Into<String>) -> ParseError {
    ParseError {
        at: Position { line, column: 1 },
        message: message.into(),
    }
}

fn finish(draft: Draft, letter: char, line: u32) -> Result<Located, ParseError> {
    if draft.options.len() < 2 {
        return Err(error(
            line,
            "soal Aiken memerlukan minimal 2 pilihan (A. …, B. …)",
        ));
    }
    if !draft.options.iter().any(|(l, _)| *l == letter) {
        let first = draft.options.first().map_or('A', |o| o.0);
        let last = draft.options.last().map_or('A', |o| o.0);
        return Err(error(
            line,
            format!("ANSWER: {letter}, padahal pilihan yang ada hanya {first}–{last}"),
        ));
    }
    let choices = draft
        .options
        .into_iter()
        .map(|(l, text)| Choice {
            text,
            fraction: if l == letter { 1.0 } else { 0.0 },
            feedback: String::new(),
        })
        .collect();
    Ok(Located {
        at: draft.at,
        question: Question {
            id: None,
            title: None,
            text: draft.text.join("\n"),
            text_format: TextFormat::Plain,
            general_feedback: String::new(),
            body: Body::Multichoice {
                single: true,
                choices,
            },
            tags: Vec::new(),
            category: None,
            default_points: 1.0,
            repeat: 0,
            media: Vec::new(),
        },
    })
}

pub fn parse(source: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut draft: Option<Draft> = None;
    let source = source.strip_prefix('\u{FEFF}').unwrap_or(source);
    for (index, raw) in source.lines().enumerate() {
        if parsed.stopped {
            return parsed;
        }
        let line_no = index as u32 + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Ok(letter) = answer_line.parse(line) {
            match draft.take() {
                Some(d) => match finish(d, letter, line_no) {
                    Ok(q) => parsed.add_question(q),
                    Err(e) => parsed.add_error(e),
                },
                None => parsed.add_error(error(line_no, "baris ANSWER tanpa soal di atasnya")),
            }
            continue;
        }
        if let Ok(option) = option_line.parse(line) {
            match draft.as_mut() {
                Some(d) if d.options.len() >= 26 => {
                    parsed.add_error(error(line_no, "soal Aiken paling banyak 26 pilihan (A–Z)"))
                }
                Some(d) => d.options.push(option),
                None => parsed.add_error(error(
                    line_no,
                    format!("pilihan '{}' muncul sebelum teks soal", snippet(line, 80)),
                )),
            }
            continue;
        }
        match draft.as_mut() {
            Some(d) if d.options.is_empty() => {
                // Moodle keeps only the last line; refusing is kinder than guessing.
                parsed.add_error(error(
                    line_no,
                    format!(
                        "teks soal Aiken harus satu baris; gabungkan dengan baris {}",
                        d.at.line
                    ),
                ));
                d.text.push(line.to_owned());
            }
            Some(d) => {
                let started = d.at.line;
                parsed.add_error(error(
                    line_no,
                    format!(
                        "diharapkan 'ANSWER: <huruf>' untuk soal di baris {started}, bukan '{}'",
                        snippet(line, 80)
                    ),
                ));
                draft = Some(Draft::starting(line_no, line));
            }
            None => draft = Some(Draft::starting(line_no, line)),
        }
    }
    if let Some(d) = draft {
        parsed.add_error(error(
            d.at.line,
            "soal tanpa baris 'ANSWER: <huruf>' di akhir berkas",
        ));
    }
    parsed
}

/// Aiken can only hold single-answer multiple choice with plain text.
pub fn can_hold(question: &Question) -> bool {
    matches!(&question.body, Body::Multichoice { single: true, choices }
        if choices.len() <= 26 && choices.iter().filter(|c| c.fraction >= 1.0).count() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("tests/fixtures/aiken")
            .join(name);
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn fixture_good_file() {
        let parsed = parse(&fixture("good.txt"));
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let expected: Vec<serde_json::Value> =
            serde_json::from_str(&fixture("good.expected.json")).unwrap();
        assert_eq!(parsed.questions.len(), expected.len());
        for (got, want) in parsed.questions.iter().zip(&expected) {
            assert_eq!(got.question.text, want["text"].as_str().unwrap());
            let Body::Multichoice { choices, .. } = &got.question.body else {
                panic!()
            };
            let got: Vec<(String, f64)> = choices
                .iter()
                .map(|c| (c.text.clone(), c.fraction))
                .collect();
            let want: Vec<(String, f64)> = want["answers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    (
                        a["text"].as_str().unwrap().to_owned(),
                        a["fraction"].as_f64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn fixture_bad_file_lines() {
        let parsed = parse(&fixture("bad.txt"));
        let got: Vec<u32> = parsed.errors.iter().map(|e| e.at.line).collect();
        let want: Vec<u32> = fixture("bad.expected.txt")
            .lines()
            .filter_map(|l| l.split(':').next()?.trim().parse().ok())
            .collect();
        assert_eq!(got, want, "{:#?}", parsed.errors);
    }

    #[test]
    fn reads_both_option_styles() {
        let parsed = parse(
            "Apa kepanjangan DNS?\nA. Domain Name System\nB) Data Network Service\nC. Digital Name Server\nANSWER: A\n\nPort HTTPS?\nA) 80\nB) 443\nANSWER: B\n",
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.questions.len(), 2);
        let Body::Multichoice { choices, .. } = &parsed.questions[1].question.body else {
            panic!()
        };
        assert_eq!(choices[1].text, "443");
        assert_eq!(choices[1].fraction, 1.0);
        assert_eq!(parsed.questions[1].at.line, 7);
    }

    #[test]
    fn errors_name_their_lines() {
        let cases: &[(&str, &str)] = &[
            (
                "Soal\nA. x\nB. y\nANSWER: E\n",
                "baris 4, kolom 1: ANSWER: E, padahal pilihan yang ada hanya A–B",
            ),
            (
                "A. x\n",
                "baris 1, kolom 1: pilihan 'A. x' muncul sebelum teks soal",
            ),
            (
                "Soal\nA. x\nANSWER: A\n",
                "baris 3, kolom 1: soal Aiken memerlukan minimal 2 pilihan",
            ),
            (
                "Soal\nA. x\nB. y\n",
                "baris 1, kolom 1: soal tanpa baris 'ANSWER: <huruf>'",
            ),
            (
                "Soal\nA. x\nB. y\nSoal berikut\n",
                "baris 4, kolom 1: diharapkan 'ANSWER: <huruf>' untuk soal di baris 1",
            ),
            ("ANSWER: A\n", "baris 1, kolom 1: baris ANSWER tanpa soal"),
        ];
        for (source, expected) in cases {
            let parsed = parse(source);
            let first = parsed
                .errors
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(
                first.starts_with(expected),
                "{source:?}\n  got  {first}\n  want {expected}"
            );
        }
    }

    #[test]
    fn hostile_files_are_linear_and_bounded() {
        use crate::banks::model::MAX_PROBLEMS_PER_FILE;
        let started = std::time::Instant::now();
        let options = format!("Soal\n{}", "A. x\n".repeat(2 * 1024 * 1024));
        let parsed = parse(&options);
        assert_eq!(parsed.errors.len(), MAX_PROBLEMS_PER_FILE + 1);
        assert!(
            parsed.errors[0]
                .message
                .contains("paling banyak 26 pilihan")
        );
        let orphans = format!("{}\n", "A. ".repeat(3 * 1024 * 1024));
        let parsed = parse(&orphans);
        assert_eq!(parsed.errors.len(), 1);
        assert!(parsed.errors[0].message.chars().count() < 200);
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }
}
