//! Fuzz targets, one per parser of uploaded files (GIFT, Aiken, Moodle XML
//! and the Cloze text inside it, CSV, XLSX): proptest feeds each structure-aware input (soups of the
//! format's own tokens, and mutated zip archives) and checks that nothing
//! panics, that every error names a line, and that the output is bounded.
//!
//! `cargo test --test fuzz` runs a few cases per target; CI runs more with
//! `BIMTEK_FUZZ_CASES=N` (see `.ci/run`). A failure prints the smallest
//! input proptest could shrink it to.

#[path = "api/hostile.rs"]
#[allow(dead_code)]
mod hostile;

use bimtek::banks::model::{MAX_PROBLEMS_PER_FILE, MAX_QUESTIONS_PER_FILE, MAX_XML_DEPTH, Parsed};
use bimtek::banks::{aiken, cloze, gift, moodle_xml};
use bimtek::error::AppError;
use bimtek::tabular::{self, MAX_COLUMNS, MAX_DATA_ROWS};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn config() -> Config {
    let cases = std::env::var("BIMTEK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// The pieces of Moodle's embedded-answer syntax, and what breaks it.
const CLOZE: &[&str] = &[
    "{",
    "}",
    "{1:",
    "{:",
    "{99999999999:",
    "SHORTANSWER:",
    "SA:",
    "SAC:",
    "NM:",
    "MC:",
    "MCVS:",
    "MRH:",
    "MULTIRESPONSE_S:",
    "X:",
    "=",
    "~",
    "#",
    "%50%",
    "%-100%",
    "%x%",
    "%",
    "\\",
    "\\}",
    "*",
    ":",
    "0.5",
    "-3",
    "1e400",
    "NaN",
    "kota",
    " ",
    "\n",
    "{#1}",
    "{#",
    "<b>",
    "é",
];

/// Up to `max` tokens from `tokens`, glued together.
fn soup(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(tokens), 0..max).prop_map(|t| t.concat())
}

/// Every error names a line of the file, and the answer stays small.
fn check_bank(parsed: &Parsed, source: &str) {
    let lines = source.split(['\n', '\r']).count() as u32 + 1;
    assert!(parsed.errors.len() <= MAX_PROBLEMS_PER_FILE + 1);
    assert!(parsed.warnings.len() <= MAX_PROBLEMS_PER_FILE + 1);
    assert!(parsed.questions.len() <= MAX_QUESTIONS_PER_FILE);
    for problem in parsed.errors.iter().chain(&parsed.warnings) {
        assert!(
            (1..=lines).contains(&problem.at.line),
            "line {} of {lines}: {problem}",
            problem.at.line
        );
        assert!(problem.message.len() < 2_000, "{problem}");
    }
}

/// A refused spreadsheet is a 422 whose details name the file or a row.
fn check_table(result: Result<tabular::Table, AppError>) {
    match result {
        Ok(table) => {
            assert!(table.headers.len() <= MAX_COLUMNS);
            assert!(table.rows.len() <= MAX_DATA_ROWS);
            assert!(table.rows.iter().all(|r| r.cells.len() <= MAX_COLUMNS));
            assert!(table.rows.windows(2).all(|w| w[0].number < w[1].number));
        }
        Err(AppError::Validation { details, .. }) => {
            assert!(!details.is_empty());
            for d in &details {
                assert!(d.row.is_none_or(|r| r >= 1), "{d}");
                assert!(d.message.len() < 2_000, "{d}");
            }
        }
        Err(other) => panic!("not a 422: {other:?}"),
    }
}

const GIFT: &[&str] = &[
    "::",
    "::Judul::",
    "{",
    "}",
    "=",
    "~",
    "#",
    "####",
    "->",
    " -> ",
    "%50%",
    "%-33.3%",
    "%250%",
    "\\",
    "\\{",
    "\\}",
    "\\:",
    "\\n",
    "\n",
    "\n\n",
    "\r\n",
    "// ",
    "//",
    "[id:",
    "[tag:",
    "]",
    "\\]",
    "[points:",
    "2",
    "1.5",
    "..",
    ":",
    "*",
    "$CATEGORY: ",
    "[html]",
    "[markdown]",
    "[",
    "T",
    "TRUE",
    "F",
    "FALSE",
    " ",
    "\t",
    "é",
    "Soal",
    "jawab",
    "\u{FEFF}",
    "\0",
];

const AIKEN: &[&str] = &[
    "Soal?",
    "A.",
    "B)",
    "C. ",
    "Z.",
    "a.",
    " ",
    "x",
    "ANSWER:",
    "ANSWER: A",
    "ANSWER: Z",
    "ANSWER B",
    "\n",
    "\n",
    "\r\n",
    "\r",
    "é",
    "\u{FEFF}",
    "{",
    "}",
];

const XML: &[&str] = &[
    "<?xml version=\"1.0\"?>",
    "<quiz>",
    "</quiz>",
    "<question type=\"multichoice\">",
    "<question type=\"truefalse\">",
    "<question type=\"numerical\">",
    "<question type=\"matching\">",
    "<question type=\"category\">",
    "<question type=\"essay\">",
    "<question type=\"cloze\">",
    "{1:SA:=a}",
    "{:MC:~x~=y}",
    "<question type=\"x\">",
    "<question>",
    "</question>",
    "<answer fraction=\"100\">",
    "<answer fraction=\"x\">",
    "<answer>",
    "</answer>",
    "<text>",
    "</text>",
    "<name>",
    "</name>",
    "<questiontext format=\"html\">",
    "</questiontext>",
    "<subquestion>",
    "</subquestion>",
    "<tolerance>",
    "</tolerance>",
    "<single>",
    "</single>",
    "<category>",
    "</category>",
    "<tags><tag><text>t</text></tag></tags>",
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&foo;",
    "&#x41;",
    "&#0;",
    "<a>",
    "</a>",
    "<b/>",
    "<file name=\"f.png\"/>",
    "<!DOCTYPE quiz>",
    "<!-- c -->",
    "\n",
    "\r\n",
    " ",
    "x",
    "true",
    "false",
    "1",
    "*",
    "<",
    ">",
    "\"",
    "=",
    "a=\"1\"",
    "é",
];

const CSV: &[&str] = &[
    "nip",
    "nama",
    "NIP",
    "Nama Lengkap",
    ",",
    ",",
    ";",
    "\"",
    "\"\"",
    "\n",
    "\n",
    "\r\n",
    "\r",
    "198503122010011001",
    "123",
    "é",
    " ",
    "\u{FEFF}",
    "x",
    "\t",
];

/// A cell reference, usual or hostile.
fn cell_ref() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..60, 1u32..30).prop_map(|(c, r)| format!("{}{r}", letters(c))),
        Just("XFD1048576".to_owned()),
        Just("A1048576".to_owned()),
        Just("AAAAAAAAAAAAAAAA1".to_owned()),
        Just("A99999999999".to_owned()),
        Just("A0".to_owned()),
        Just("1A".to_owned()),
        Just(String::new()),
    ]
}

fn letters(mut n: u32) -> String {
    let mut out = Vec::new();
    n += 1;
    while n > 0 {
        out.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// One `<c>` element: a value of some type, or something broken.
fn cell_xml() -> impl Strategy<Value = String> {
    let kind = prop::sample::select(
        &[
            "",
            " t=\"s\"",
            " t=\"n\"",
            " t=\"b\"",
            " t=\"e\"",
            " t=\"str\"",
            " t=\"inlineStr\"",
            " t=\"d\"",
        ][..],
    );
    let value = prop::sample::select(
        &[
            "<v>1</v>",
            "<v>198503122010011001</v>",
            "<v>0</v>",
            "<v>99999</v>",
            "<v>x</v>",
            "<v>1e308</v>",
            "<v>-1e308</v>",
            "<v>NaN</v>",
            "<v></v>",
            "<is><t>Ani</t></is>",
            "<is><t>&amp;</t></is>",
            "<f>A1+1</f><v>2</v>",
            "",
            "<v>#N/A</v>",
            "<x/>",
        ][..],
    );
    let style = prop::sample::select(&["", " s=\"0\"", " s=\"1\"", " s=\"99999\""][..]);
    (cell_ref(), kind, style, value).prop_map(|(r, t, s, v)| format!("<c r=\"{r}\"{t}{s}>{v}</c>"))
}

fn sheet_xml() -> impl Strategy<Value = String> {
    let row = (cell_ref(), prop::collection::vec(cell_xml(), 0..6)).prop_map(|(r, cells)| {
        let number = r.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        format!("<row r=\"{number}\">{}</row>", cells.concat())
    });
    let dimension = prop::sample::select(&["A1", "A1:XFD1048576", "A1:B2", "", "XFD1048576"][..]);
    (dimension, prop::collection::vec(row, 0..12)).prop_map(|(d, rows)| {
        format!(
            "<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"{d}\"/><sheetData>{}</sheetData></worksheet>",
            rows.concat()
        )
    })
}

/// A byte-level mutation of a zip: overwrite, truncate or splice.
fn mutate(mut bytes: Vec<u8>, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    for &(at, value, how) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        match how % 4 {
            0 | 1 => bytes[at] = value,
            2 => bytes.truncate(at.max(4)),
            _ => bytes.insert(at, value),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn fuzz_gift(source in soup(GIFT, 300)) {
        check_bank(&gift::parse(&source), &source);
    }

    #[test]
    fn fuzz_cloze(source in soup(CLOZE, 300), typed in soup(CLOZE, 8), picked in prop::collection::vec(0usize..8, 0..4)) {
        // Read, it writes back to the same blanks; any answer marks in 0..1.
        if let Ok(read) = cloze::parse(&source) {
            assert!(read.blanks.len() <= cloze::MAX_BLANKS);
            let again = cloze::parse(&cloze::write(&read.text, &read.blanks)).expect("what was written reads back");
            assert_eq!(again, read, "{source}");
            let fractions: Vec<f64> = read
                .blanks
                .iter()
                .map(|b| cloze::mark(b, Some(&typed), &picked))
                .collect();
            assert!(fractions.iter().all(|f| (0.0..=1.0).contains(f)), "{fractions:?}");
            let total = cloze::total(&read.blanks, &fractions);
            assert!((0.0..=1.0 + 1e-9).contains(&total), "{total}");
        }
    }

    #[test]
    fn fuzz_aiken(source in soup(AIKEN, 300)) {
        check_bank(&aiken::parse(&source), &source);
    }

    #[test]
    fn fuzz_moodle_xml(source in soup(XML, 300), depth in 0..(3 * MAX_XML_DEPTH)) {
        check_bank(&moodle_xml::parse(&source), &source);
        let nested = format!("<quiz>{}{source}{}</quiz>", "<a>".repeat(depth), "</a>".repeat(depth));
        check_bank(&moodle_xml::parse(&nested), &nested);
    }

    #[test]
    fn fuzz_csv(source in soup(CSV, 400), noise in prop::collection::vec(any::<u8>(), 0..16)) {
        check_table(tabular::read(Some("a.csv"), source.as_bytes()));
        let mut bytes = source.into_bytes();
        bytes.extend(noise);
        check_table(tabular::read(None, &bytes));
    }

    #[test]
    fn fuzz_xlsx(
        sheet in sheet_xml(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 0..4),
    ) {
        let book = hostile::xlsx_with_sheet(&sheet);
        check_table(tabular::read(Some("a.xlsx"), &book));
        check_table(tabular::read(Some("a.xlsx"), &mutate(book, &edits)));
    }
}
