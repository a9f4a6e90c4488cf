//! Moodle's embedded answers (Cloze): a question text with blanks written
//! inline, `{2:SHORTANSWER:=Berlin#Benar~*#Salah}`, each blank weighted
//! and marked on its own. This module reads and writes that syntax and
//! marks the blanks, as Moodle's `qtype_multianswer` does. Pure.

use serde::{Deserialize, Serialize};

/// How a blank is shown and answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlankKind {
    /// A typed answer; `case_sensitive` for `SHORTANSWER_C`.
    Short { case_sensitive: bool },
    /// A typed number within a tolerance.
    Numerical,
    /// One choice: a drop-down, or radio buttons vertical or horizontal.
    Choice { layout: Layout, shuffle: bool },
    /// Several choices (check boxes), their fractions added up.
    Multiple { layout: Layout, shuffle: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    Dropdown,
    Vertical,
    Horizontal,
}

/// One accepted (or expected wrong) answer of a blank.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlankAnswer {
    pub text: String,
    /// -1 to 1; 1 for `=`, `%50%` for 0,5.
    pub fraction: f64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub feedback: String,
    /// Numerical blanks: the accepted distance from `text` read as a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blank {
    pub weight: u32,
    pub kind: BlankKind,
    pub answers: Vec<BlankAnswer>,
}

/// A Cloze text split into its parts: `text` holds `{#1}`, `{#2}`, … where
/// the blanks stood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cloze {
    pub text: String,
    pub blanks: Vec<Blank>,
}

/// The marker left in the text for blank `n` (from 1).
pub fn marker(n: usize) -> String {
    format!("{{#{n}}}")
}

fn kind_of(name: &str) -> Option<BlankKind> {
    use BlankKind::*;
    use Layout::*;
    let choice = |layout, shuffle| Choice { layout, shuffle };
    let multiple = |layout, shuffle| Multiple { layout, shuffle };
    Some(match name.to_ascii_uppercase().as_str() {
        "SHORTANSWER" | "SA" | "MW" => Short {
            case_sensitive: false,
        },
        "SHORTANSWER_C" | "SAC" | "MWC" => Short {
            case_sensitive: true,
        },
        "NUMERICAL" | "NM" => Numerical,
        "MULTICHOICE" | "MC" => choice(Dropdown, false),
        "MULTICHOICE_S" | "MCS" => choice(Dropdown, true),
        "MULTICHOICE_V" | "MCV" => choice(Vertical, false),
        "MULTICHOICE_VS" | "MCVS" => choice(Vertical, true),
        "MULTICHOICE_H" | "MCH" => choice(Horizontal, false),
        "MULTICHOICE_HS" | "MCHS" => choice(Horizontal, true),
        "MULTIRESPONSE" | "MR" => multiple(Vertical, false),
        "MULTIRESPONSE_S" | "MRS" => multiple(Vertical, true),
        "MULTIRESPONSE_H" | "MRH" => multiple(Horizontal, false),
        "MULTIRESPONSE_HS" | "MRHS" => multiple(Horizontal, true),
        _ => return None,
    })
}

fn kind_name(kind: BlankKind) -> &'static str {
    use BlankKind::*;
    use Layout::*;
    match kind {
        Short {
            case_sensitive: false,
        } => "SHORTANSWER",
        Short {
            case_sensitive: true,
        } => "SHORTANSWER_C",
        Numerical => "NUMERICAL",
        Choice { layout, shuffle } => match (layout, shuffle) {
            (Dropdown, false) => "MULTICHOICE",
            (Dropdown, true) => "MULTICHOICE_S",
            (Vertical, false) => "MULTICHOICE_V",
            (Vertical, true) => "MULTICHOICE_VS",
            (Horizontal, false) => "MULTICHOICE_H",
            (Horizontal, true) => "MULTICHOICE_HS",
        },
        Multiple { layout, shuffle } => match (layout, shuffle) {
            (Horizontal, false) => "MULTIRESPONSE_H",
            (Horizontal, true) => "MULTIRESPONSE_HS",
            (_, false) => "MULTIRESPONSE",
            (_, true) => "MULTIRESPONSE_S",
        },
    }
}

/// Characters a backslash escapes inside a blank.
const ESCAPABLE: [char; 6] = ['}', '#', '~', '/', '"', '\\'];

/// Splits at unescaped `sep`, keeping escapes (they are removed last).
fn split_unescaped(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && ESCAPABLE.contains(&next)
        {
            out.push(next);
            chars.next();
        } else {
            out.push(c);
        }
    }
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if ESCAPABLE.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `=answer`, `%50%answer`, or a bare (wrong) answer, with `#feedback`.
fn answer(raw: &str, numerical: bool) -> Result<BlankAnswer, String> {
    let raw = raw.trim();
    let (fraction, rest) = if let Some(rest) = raw.strip_prefix('=') {
        (1.0, rest)
    } else if let Some(rest) = raw.strip_prefix('%') {
        let (percent, rest) = rest
            .split_once('%')
            .ok_or_else(|| format!("bobot '%{rest}' tanpa % penutup"))?;
        let percent: f64 = percent
            .trim()
            .parse()
            .map_err(|_| format!("bobot '%{percent}%' bukan angka"))?;
        if !(-100.0..=100.0).contains(&percent) {
            return Err(format!("bobot {percent}% di luar -100 sampai 100"));
        }
        (percent / 100.0, rest)
    } else {
        (0.0, raw)
    };
    let pieces = split_unescaped(rest, '#');
    let text = pieces[0].trim();
    let feedback = unescape(pieces[1..].join("#").trim());
    let (text, tolerance) = if numerical && text != "*" {
        let (value, tolerance) = text.split_once(':').unwrap_or((text, "0"));
        let value: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("jawaban numerik '{value}' bukan angka"))?;
        let tolerance: f64 = tolerance
            .trim()
            .parse()
            .map_err(|_| format!("toleransi '{tolerance}' bukan angka"))?;
        (value.to_string(), Some(tolerance.abs()))
    } else {
        (unescape(text), None)
    };
    Ok(BlankAnswer {
        text,
        fraction,
        feedback,
        tolerance,
    })
}

/// One blank's inside: `weight:TYPE:answers`; `None` when it is not a
/// blank at all (plain braces in the text stay text, as in Moodle).
fn blank(inside: &str) -> Option<Result<Blank, String>> {
    let (weight, rest) = inside.split_once(':')?;
    let (kind, answers) = rest.split_once(':')?;
    let weight = weight.trim();
    if !weight.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let kind = kind_of(kind.trim())?;
    let weight: u32 = if weight.is_empty() {
        1
    } else {
        match weight.parse() {
            Ok(w) => w,
            Err(_) => return Some(Err(format!("bobot bagian '{weight}' terlalu besar"))),
        }
    };
    let numerical = kind == BlankKind::Numerical;
    let answers: Result<Vec<BlankAnswer>, String> = split_unescaped(answers, '~')
        .into_iter()
        .filter(|a| !a.trim().is_empty())
        .map(|a| answer(a, numerical))
        .collect();
    Some(answers.and_then(|answers| {
        if !answers.iter().any(|a| a.fraction > 0.0) {
            return Err("bagian tanpa jawaban benar (= atau %n%)".into());
        }
        Ok(Blank {
            weight,
            kind,
            answers,
        })
    }))
}

/// Reads a Cloze text; errors name the blank (from 1).
pub fn parse(text: &str) -> Result<Cloze, String> {
    let mut out = String::with_capacity(text.len());
    let mut blanks = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        // The closing brace that is not escaped.
        let mut close = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '}' {
                close = Some(i);
                break;
            }
        }
        let Some(close) = close else {
            break;
        };
        out.push_str(&rest[..open]);
        match blank(&after[..close]) {
            Some(Ok(_)) if blanks.len() == MAX_BLANKS => {
                return Err(format!("lebih dari {MAX_BLANKS} bagian dalam satu soal"));
            }
            Some(Ok(b)) => {
                blanks.push(b);
                out.push_str(&marker(blanks.len()));
            }
            Some(Err(e)) => return Err(format!("bagian ke-{}: {e}", blanks.len() + 1)),
            None => {
                out.push('{');
                out.push_str(&after[..close]);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    if blanks.is_empty() {
        return Err("soal Cloze tanpa bagian {…:TIPE:…}".into());
    }
    Ok(Cloze { text: out, blanks })
}

/// Blanks in one question: Moodle sets no limit, but a question is read
/// by a person; past this a file is not a quiz but an attack on the marker.
pub const MAX_BLANKS: usize = 200;

/// A piece of a Cloze text: text, or the place of blank `n` (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Blank(usize),
}

/// Splits `text` at its markers `{#n}` for blanks 1 to `blanks`; anything
/// else in braces stays text. One pass.
pub fn pieces(text: &str, blanks: usize) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while let Some(found) = text[at..].find("{#") {
        let open = at + found;
        let digits = text[open + 2..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let close = open + 2 + digits;
        let number = text[open + 2..close].parse::<usize>().ok();
        match number {
            Some(n) if (1..=blanks).contains(&n) && text[close..].starts_with('}') => {
                if start < open {
                    out.push(Piece::Text(&text[start..open]));
                }
                out.push(Piece::Blank(n));
                start = close + 1;
                at = start;
            }
            _ => at = open + 2,
        }
    }
    if start < text.len() {
        out.push(Piece::Text(&text[start..]));
    }
    out
}

fn write_blank(b: &Blank) -> String {
    let answers: Vec<String> = b
        .answers
        .iter()
        .map(|a| {
            let mark = if (a.fraction - 1.0).abs() < 1e-9 {
                "=".to_owned()
            } else if a.fraction == 0.0 {
                String::new()
            } else {
                format!("%{}%", (a.fraction * 100.0 * 1e5).round() / 1e5)
            };
            let body = match a.tolerance {
                Some(t) => format!("{}:{t}", a.text),
                None => escape(&a.text),
            };
            let feedback = if a.feedback.is_empty() {
                String::new()
            } else {
                format!("#{}", escape(&a.feedback))
            };
            format!("{mark}{body}{feedback}")
        })
        .collect();
    format!(
        "{{{}:{}:{}}}",
        b.weight,
        kind_name(b.kind),
        answers.join("~")
    )
}

/// Writes the Cloze text back as Moodle reads it.
pub fn write(cloze: &Cloze) -> String {
    let mut text = String::with_capacity(cloze.text.len() * 2);
    for piece in pieces(&cloze.text, cloze.blanks.len()) {
        match piece {
            Piece::Text(t) => text.push_str(t),
            Piece::Blank(n) => text.push_str(&write_blank(&cloze.blanks[n - 1])),
        }
    }
    text
}

impl Blank {
    /// Answered by picking from a list (one or several) rather than typing.
    pub fn is_choice(&self) -> bool {
        matches!(
            self.kind,
            BlankKind::Choice { .. } | BlankKind::Multiple { .. }
        )
    }

    /// Whether the author asked for the choices in random order (`_S`).
    pub fn shuffled(&self) -> bool {
        matches!(
            self.kind,
            BlankKind::Choice { shuffle: true, .. } | BlankKind::Multiple { shuffle: true, .. }
        )
    }

    /// Whether a perfect answer earns the whole blank: an answer worth
    /// 100 %, or for several choices positive weights adding up to 100 %.
    pub fn full_marks_possible(&self) -> bool {
        match self.kind {
            BlankKind::Multiple { .. } => {
                let sum: f64 = self
                    .answers
                    .iter()
                    .map(|a| a.fraction.max(0.0))
                    .fold(0.0, |a, b| a + b);
                (sum - 1.0).abs() < 1e-3
            }
            _ => self.answers.iter().any(|a| (a.fraction - 1.0).abs() < 1e-9),
        }
    }

    /// Whether `answer` is one a review shows as correct: worth the whole
    /// blank, or for several choices worth anything.
    pub fn counts_as_correct(&self, answer: &BlankAnswer) -> bool {
        match self.kind {
            BlankKind::Multiple { .. } => answer.fraction > 0.0,
            _ => answer.fraction >= 1.0 - 1e-9,
        }
    }
}

/// Where each blank's answers start when the answers of all blanks are
/// counted in one list (how choice ids number them).
pub fn offsets(blanks: &[Blank]) -> Vec<usize> {
    let mut at = 0;
    blanks
        .iter()
        .map(|b| {
            let start = at;
            at += b.answers.len();
            start
        })
        .collect()
}

/// Puts `fill(n)` where blank `n`'s marker stands in the text of sanitised
/// HTML. A marker inside a tag (an author's `alt="{1:SA:=x}"`) is dropped
/// there, never filled: what is filled in is markup, and markup inside an
/// attribute would be a way out of it.
pub fn place(html: &str, blanks: usize, mut fill: impl FnMut(usize) -> String) -> String {
    let mut out = String::with_capacity(html.len() + blanks * 64);
    let mut rest = html;
    while !rest.is_empty() {
        let text_end = rest.find('<').unwrap_or(rest.len());
        for piece in pieces(&rest[..text_end], blanks) {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Blank(n) => out.push_str(&fill(n)),
            }
        }
        rest = &rest[text_end..];
        if rest.is_empty() {
            break;
        }
        // A tag of serialised HTML: it ends at the first `>` outside quotes.
        let mut quote = None;
        let mut tag_end = rest.len();
        for (i, c) in rest.char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    tag_end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        for piece in pieces(&rest[..tag_end], blanks) {
            if let Piece::Text(t) = piece {
                out.push_str(t);
            }
        }
        rest = &rest[tag_end..];
    }
    out
}

fn matches_pattern(pattern: &str, response: &str, case_sensitive: bool) -> bool {
    // `*` matches any run of characters, as in Moodle's short answers.
    let (pattern, response) = if case_sensitive {
        (pattern.to_owned(), response.to_owned())
    } else {
        (pattern.to_lowercase(), response.to_lowercase())
    };
    let pieces: Vec<&str> = pattern.split('*').collect();
    if pieces.len() == 1 {
        return pattern == response;
    }
    let mut at = 0;
    for (i, piece) in pieces.iter().enumerate() {
        if i == 0 {
            if !response.starts_with(piece) {
                return false;
            }
            at = piece.len();
        } else if i == pieces.len() - 1 {
            return response.len() >= at + piece.len() && response.ends_with(piece);
        } else if let Some(found) = response[at..].find(piece) {
            at += found + piece.len();
        } else {
            return false;
        }
    }
    true
}

/// The answers a response matches (indexes into `answers`): the first
/// accepted pattern or number, as Moodle takes it, or the picked choices.
pub fn matched(blank: &Blank, typed: Option<&str>, picked: &[usize]) -> Vec<usize> {
    match blank.kind {
        BlankKind::Short { case_sensitive } => {
            let Some(typed) = typed.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            else {
                return Vec::new();
            };
            if typed.is_empty() {
                return Vec::new();
            }
            blank
                .answers
                .iter()
                .position(|a| matches_pattern(&a.text, &typed, case_sensitive))
                .into_iter()
                .collect()
        }
        BlankKind::Numerical => {
            let Some(value) = typed.and_then(read_number) else {
                return Vec::new();
            };
            blank
                .answers
                .iter()
                .position(|a| {
                    a.text == "*"
                        || a.text
                            .parse::<f64>()
                            .is_ok_and(|v| (value - v).abs() <= a.tolerance.unwrap_or(0.0) + 1e-9)
                })
                .into_iter()
                .collect()
        }
        BlankKind::Choice { .. } => picked
            .first()
            .filter(|i| **i < blank.answers.len())
            .copied()
            .into_iter()
            .collect(),
        BlankKind::Multiple { .. } => {
            let mut out: Vec<usize> = picked
                .iter()
                .copied()
                .filter(|i| *i < blank.answers.len())
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        }
    }
}

/// A typed number as people here write it: "3,5", "3.5", "1.234,5".
pub fn read_number(text: &str) -> Option<f64> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let normal = if compact.contains(',') {
        compact.replace('.', "").replace(',', ".")
    } else {
        compact
    };
    normal.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The fraction one blank earns. `typed` is the typed text; `picked` the
/// indexes (into `answers`) picked for a choice blank.
pub fn mark(blank: &Blank, typed: Option<&str>, picked: &[usize]) -> f64 {
    let hits = matched(blank, typed, picked);
    match blank.kind {
        BlankKind::Multiple { .. } => hits
            .iter()
            .map(|i| blank.answers[*i].fraction)
            .sum::<f64>()
            .clamp(0.0, 1.0),
        _ => hits
            .first()
            .map_or(0.0, |i| blank.answers[*i].fraction.max(0.0)),
    }
}

/// The question's fraction: each blank's fraction weighted by its weight.
pub fn total(blanks: &[Blank], fractions: &[f64]) -> f64 {
    let weights: u32 = blanks.iter().map(|b| b.weight).sum();
    if weights == 0 {
        return 0.0;
    }
    blanks
        .iter()
        .zip(fractions)
        .map(|(b, f)| f64::from(b.weight) * f)
        .sum::<f64>()
        / f64::from(weights)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanks_are_placed_in_text_and_dropped_inside_tags() {
        let html = "<p>Ibu kota {#1} dan <img alt=\"{#2}\" src=\"a.png\"> {#2} {#3} {#x}</p>";
        let placed = place(html, 2, |n| format!("[{n}]"));
        assert_eq!(
            placed,
            "<p>Ibu kota [1] dan <img alt=\"\" src=\"a.png\"> [2] {#3} {#x}</p>"
        );
        // A quoted '>' does not end the tag.
        let placed = place("<a title=\"a>{#1}\">{#1}</a>", 1, |_| "X".into());
        assert_eq!(placed, "<a title=\"a>\">X</a>");
    }

    #[test]
    fn every_documented_kind_reads_and_writes_back() {
        let text = "Ibu kota Jawa Tengah adalah {1:SHORTANSWER:=Semarang#Benar~*Solo*#Bukan~*#Salah}. \
            Jumlah host /26 adalah {2:NUMERICAL:=62:0#Tepat~%50%64#Alamat jaringan dan broadcast tidak dihitung}. \
            Protokol web aman {:MC:~HTTP#Tidak terenkripsi~=HTTPS#Benar~FTP}, \
            {:MCV:=a~b}, {:MCH:=a~b}, {:MULTIRESPONSE:%50%SSH~%50%HTTPS~%-100%Telnet#Tidak aman}, \
            {:MRH:=a~b}, {:SAC:=Bimtek}, {:MCS:=a~b} dan kurung biasa {bukan bagian}.";
        let cloze = parse(text).unwrap();
        assert_eq!(cloze.blanks.len(), 9);
        assert!(cloze.text.starts_with("Ibu kota Jawa Tengah adalah {#1}. "));
        assert!(cloze.text.ends_with("dan kurung biasa {bukan bagian}."));
        let first = &cloze.blanks[0];
        assert_eq!(first.weight, 1);
        assert_eq!(
            first.kind,
            BlankKind::Short {
                case_sensitive: false
            }
        );
        assert_eq!(first.answers[1].text, "*Solo*");
        assert_eq!(first.answers[1].feedback, "Bukan");
        let number = &cloze.blanks[1];
        assert_eq!((number.weight, number.answers[1].fraction), (2, 0.5));
        assert_eq!(number.answers[0].tolerance, Some(0.0));
        assert_eq!(cloze.blanks[5].answers[2].fraction, -1.0);
        assert_eq!(
            cloze.blanks[6].kind,
            BlankKind::Multiple {
                layout: Layout::Horizontal,
                shuffle: false
            }
        );
        // Written back and read again, nothing changes.
        assert_eq!(parse(&write(&cloze)).unwrap(), cloze);
    }

    #[test]
    fn escapes_survive_and_bad_blanks_are_named() {
        let cloze = parse(r"Tulis {1:SA:=a\}b\#c\~d#umpan \#1}.").unwrap();
        assert_eq!(cloze.blanks[0].answers[0].text, "a}b#c~d");
        assert_eq!(cloze.blanks[0].answers[0].feedback, "umpan #1");
        assert_eq!(parse(&write(&cloze)).unwrap(), cloze);
        assert_eq!(
            parse("{1:SA:=a} dan {1:NM:=dua}").unwrap_err(),
            "bagian ke-2: jawaban numerik 'dua' bukan angka"
        );
        assert!(
            parse("{1:MC:~a~b}")
                .unwrap_err()
                .contains("tanpa jawaban benar")
        );
        assert!(parse("Tanpa bagian {sama sekali}").is_err());
    }

    #[test]
    fn blanks_are_marked_as_moodle_marks_them_and_weighted() {
        let cloze = parse(
            "{2:SA:=Magelang~%50%Kota Magelang~*lang#hampir} {1:NM:=3,5:0.1} {:MC:a~=b~c} {:MR:%50%a~%50%b~%-100%c}"
                .replace("3,5", "3.5")
                .as_str(),
        )
        .unwrap();
        let b = &cloze.blanks;
        assert_eq!(mark(&b[0], Some("  magelang "), &[]), 1.0);
        assert_eq!(mark(&b[0], Some("Kota  Magelang"), &[]), 0.5);
        assert_eq!(mark(&b[0], Some("Salatiga"), &[]), 0.0);
        assert_eq!(mark(&b[1], Some("3,55"), &[]), 1.0);
        assert_eq!(mark(&b[1], Some("3,7"), &[]), 0.0);
        assert_eq!(mark(&b[2], None, &[1]), 1.0);
        assert_eq!(mark(&b[3], None, &[0, 1]), 1.0);
        assert_eq!(mark(&b[3], None, &[0, 2]), 0.0);
        // (2 × 1 + 1 × 0 + 1 × 1 + 1 × 0,5) / 5
        assert!((total(b, &[1.0, 0.0, 1.0, 0.5]) - 0.7).abs() < 1e-9);
    }
}
