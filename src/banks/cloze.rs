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
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| format!("jawaban numerik '{value}' bukan angka"))?;
        let tolerance: f64 = tolerance
            .trim()
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite())
            .ok_or_else(|| format!("toleransi '{tolerance}' bukan angka"))?;
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
            Ok(w) if w <= MAX_WEIGHT => w,
            _ => {
                return Some(Err(format!(
                    "bobot bagian '{weight}' terlalu besar (paling besar {MAX_WEIGHT})"
                )));
            }
        }
    };
    let numerical = kind == BlankKind::Numerical;
    let answers: Result<Vec<BlankAnswer>, String> = split_unescaped(answers, '~')
        .into_iter()
        .filter(|a| !a.trim().is_empty())
        .map(|a| answer(a, numerical))
        // `~#~`: a wrong answer with neither text nor feedback says
        // nothing, and would not survive being written back.
        .filter(|a| !matches!(a, Ok(a) if a.text.is_empty() && a.fraction == 0.0 && a.feedback.is_empty()))
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
    // `{#1}` is how the stored text marks a blank: an author's own would
    // become a second copy of blank 1.
    if let Some(Piece::Blank(n)) = pieces(text, usize::MAX)
        .into_iter()
        .find(|p| matches!(p, Piece::Blank(_)))
    {
        return Err(format!(
            "teks memuat '{{#{n}}}', penanda yang dipakai Bimtek untuk bagian; ubah teks itu"
        ));
    }
    let mut out = String::with_capacity(text.len());
    let mut blanks: Vec<Blank> = Vec::new();
    let mut answers = 0;
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        // A brace that does not open `{n:TYPE:` is text; the scan goes on
        // right after it, so a blank after a stray brace is still found.
        if !opens_blank(after) {
            out.push_str(&rest[..=open]);
            rest = after;
            continue;
        }
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
                answers += b.answers.len();
                if answers > MAX_ANSWERS {
                    return Err(format!("lebih dari {MAX_ANSWERS} jawaban dalam satu soal"));
                }
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

/// Answers of all blanks together: choice ids number them in 16 bits.
pub const MAX_ANSWERS: usize = 2_000;

/// A blank's weight: weights are small whole numbers in practice, and
/// their sum is the question's mark.
pub const MAX_WEIGHT: u32 = 1_000;

/// Whether `after` (the text after a `{`) begins a blank: digits, `:`, a
/// type Moodle knows, `:`. Looks at a few characters only.
fn opens_blank(after: &str) -> bool {
    let digits = after
        .bytes()
        .take(10)
        .take_while(u8::is_ascii_digit)
        .count();
    let Some(rest) = after[digits..].strip_prefix(':') else {
        return false;
    };
    let name_len = rest
        .bytes()
        .take(20)
        .take_while(|b| b.is_ascii_alphabetic() || *b == b'_')
        .count();
    rest[name_len..].starts_with(':') && kind_of(&rest[..name_len]).is_some()
}

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

/// Writes the Cloze text (with its `{#n}` markers) and blanks back as
/// Moodle reads them.
pub fn write(text: &str, blanks: &[Blank]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for piece in pieces(text, blanks.len()) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Blank(n) => out.push_str(&write_blank(&blanks[n - 1])),
        }
    }
    out
}

/// "(1)", "(2)" where the blanks stand, on the pages that show a Cloze
/// text without its fields (the bank, the result).
pub fn mark_html(number: usize) -> String {
    format!("<strong class=\"blank-mark\">({number})</strong>")
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

mod marking;
pub use marking::{mark, matched, matches_pattern, total};

#[cfg(test)]
mod tests;
