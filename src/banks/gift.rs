//! GIFT, Moodle's text format for questions: reading here, writing in
//! `gift/write.rs`.
//!
//! Reading follows what Moodle's own importer (`question/format/gift/format.php`)
//! does, step by step, so a file exported from Moodle means the same here.
//! Where Moodle silently accepts nonsense (a numerical answer that is not a
//! number, a weight of 250%) we report an error with its line and column.
//!
//! One extension: a `[points:N]` token in a question's comment line carries
//! its default mark, which GIFT cannot otherwise express, so that a bank
//! exported from Moodle XML keeps its marks through GIFT. Moodle ignores it.
//!
//! A file is split into blocks at blank lines; each block is one question
//! (or a `$CATEGORY:` line). Every character keeps its escaped flag and its
//! position, so structural searches skip `\{`, `\~`, … and errors can point
//! at the exact spot.

use winnow::Parser;
use winnow::ascii::float;
use winnow::combinator::{alt, delimited, separated_pair};
use winnow::token::{literal, take_while};

use super::model::{
    Body, Choice, Located, MAX_GIFT_QUESTION_CHARS, MatchPair, NumericAnswer, ParseError, Parsed,
    Position, Question, TextFormat, snippet,
};
use crate::numbers::grouped;

mod lex;

use lex::{
    Block, Sym, Text, blocks, find, find_str, lex, position, rfind_str, split, starts_with, string,
    trim,
};

/// `[format]text` → (trimmed text, format); unknown tags stay in the text.
fn formatted(text: Text<'_>, default: TextFormat) -> (String, TextFormat) {
    // `# [html]wrong` as Moodle's own example writes it: the marker follows a space.
    let text = trim(text);
    let tagged = text.first().is_some_and(|s| s.c == '[' && !s.escaped);
    let close = if tagged { find(text, ']') } else { None };
    if let Some(close) = close
        && let tag = string(&text[1..close])
        && let Some(format) = TextFormat::parse(&tag).filter(|f| f.as_str() == tag)
    {
        return (string(trim(&text[close + 1..])), format);
    }
    (string(trim(text)), default)
}

/// `answer # feedback` at the first unescaped `#`.
fn with_feedback(text: Text<'_>, format: TextFormat) -> (String, String) {
    let text = trim(text);
    match find(text, '#') {
        Some(i) => (
            formatted(&text[..i], format).0,
            formatted(&text[i + 1..], format).0,
        ),
        None => (formatted(text, format).0, String::new()),
    }
}

/// Rounds a fraction to Moodle's seven decimals so that write → read is exact.
fn round_fraction(f: f64) -> f64 {
    (f * 1e7).round() / 1e7
}

/// `%50%`, `%-33.33333%`: the weight as a fraction.
fn weight(input: &mut &str) -> winnow::Result<f64> {
    delimited('%', float, '%').parse_next(input)
}

/// A weight prefix of `text`, if any: `(fraction, symbols consumed)`.
fn leading_weight(text: Text<'_>) -> Option<(f64, usize)> {
    let prefix: String = text
        .iter()
        .take(24)
        .map(|s| if s.escaped { '\u{1}' } else { s.c })
        .collect();
    let mut input = prefix.as_str();
    let value = weight(&mut input).ok()?;
    let consumed = prefix.chars().count() - input.chars().count();
    Some((value, consumed))
}

#[derive(Clone, Copy)]
enum NumberForm {
    Any,
    Range(f64, f64),
    Tolerance(f64, f64),
    Exact(f64),
}

/// A number with optional spaces around it.
/// A finite number between optional spaces (winnow's `float` also reads
/// `inf` and `nan`, which no answer can be).
fn spaced_number(input: &mut &str) -> winnow::Result<f64> {
    delimited(take_while(0.., ' '), float, take_while(0.., ' '))
        .verify(|n: &f64| n.is_finite())
        .parse_next(input)
}

/// `*`, `min..max`, `value:tolerance` or `value`.
fn number_form(input: &mut &str) -> winnow::Result<NumberForm> {
    // A float may end in a dot ("1."), so a range is cut at ".." first.
    if let Some((min, max)) = input.split_once("..") {
        let range = (spaced_number.parse(min), spaced_number.parse(max));
        return match range {
            (Ok(min), Ok(max)) => {
                *input = "";
                Ok(NumberForm::Range(min, max))
            }
            _ => Err(winnow::error::ContextError::new()),
        };
    }
    alt((
        literal("*").value(NumberForm::Any),
        separated_pair(spaced_number, ':', spaced_number).map(|(v, t)| NumberForm::Tolerance(v, t)),
        spaced_number.map(NumberForm::Exact),
    ))
    .parse_next(input)
}

/// `[points:N]` (`[id:…]` and `[tag:…]` are read by `bracket_value`).
fn points_token(input: &mut &str) -> winnow::Result<f64> {
    delimited("[points:", spaced_number, ']').parse_next(input)
}

/// The value of an `[id:…]` or `[tag:…]` token after its prefix, up to the
/// closing `]` (`\]` stands for `]`), and the text after it. Without a
/// closing bracket before a control character or the end of the line, the
/// offset where the search stopped: no token can start before that point
/// either (it would find no `]` in the same stretch), which keeps a line of
/// `[id:[id:[id:…` linear.
fn bracket_value(input: &str) -> Result<(String, &str), usize> {
    let mut out = String::new();
    let mut chars = input.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if input[i + 1..].starts_with(']') => {
                out.push(']');
                chars.next();
            }
            ']' => return Ok((out, &input[i + 1..])),
            c if c.is_control() => return Err(i),
            c => out.push(c),
        }
    }
    Err(input.len())
}

/// `[id:…]`, `[tag:…]` and `[points:…]` in comment lines, in one pass.
fn id_and_tags(comments: &[String]) -> (Option<String>, Vec<String>, Option<f64>) {
    let mut id = None;
    let mut tags = Vec::new();
    let mut points = None;
    for line in comments {
        let mut rest = line.as_str();
        while let Some(open) = rest.find('[') {
            rest = &rest[open..];
            let prefix = ["[id:", "[tag:"].into_iter().find(|p| rest.starts_with(p));
            if let Some(prefix) = prefix {
                match bracket_value(&rest[prefix.len()..]) {
                    Ok((value, after)) => {
                        let value = value.trim().to_owned();
                        if prefix == "[tag:" {
                            tags.push(value);
                        } else if id.is_none() && !value.is_empty() {
                            id = Some(value);
                        }
                        rest = after;
                    }
                    Err(stop) => rest = &rest[prefix.len() + stop..],
                }
                continue;
            }
            let mut attempt = rest;
            match points_token(&mut attempt) {
                Ok(value) => {
                    points = Some(value);
                    rest = attempt;
                }
                Err(_) => rest = &rest[1..],
            }
        }
    }
    (id, tags, points)
}

enum Item {
    Category(String),
    // Boxed: a question is ten times the size of the other items.
    Question(Box<Located>),
    Nothing,
}

/// Reads a whole GIFT file.
pub fn parse(source: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut category: Option<String> = None;
    for block in blocks(source) {
        if parsed.stopped {
            break;
        }
        if block.chars > MAX_GIFT_QUESTION_CHARS {
            parsed.add_error(error(
                Position {
                    line: block.first_line,
                    column: 1,
                },
                format!(
                    "soal ini berisi {} karakter; paling banyak {} karakter per soal",
                    grouped(block.chars as u64),
                    grouped(MAX_GIFT_QUESTION_CHARS as u64)
                ),
            ));
            continue;
        }
        match read_block(&lex(&block.lines), category.as_deref()) {
            Ok(Item::Category(path)) => category = Some(path),
            Ok(Item::Question(mut located)) => {
                if let Some(path) = &category {
                    let tag = format!("category:{path}");
                    if !located.question.tags.contains(&tag) {
                        located.question.tags.push(tag);
                    }
                }
                parsed.add_question(*located)
            }
            Ok(Item::Nothing) => {}
            Err(err) => parsed.add_error(err),
        }
    }
    parsed
}

fn error(at: Position, message: impl Into<String>) -> ParseError {
    ParseError {
        at,
        message: message.into(),
    }
}

fn read_block(block: &Block, category: Option<&str>) -> Result<Item, ParseError> {
    let text = trim(&block.symbols);
    if text.is_empty() {
        return Ok(Item::Nothing);
    }
    if starts_with(text, "$CATEGORY:") {
        return Ok(Item::Category(string(trim(&text[10..]))));
    }
    let at = block.start;

    let (title, text) = if starts_with(text, "::") {
        let rest = &text[2..];
        match find_str(rest, "::") {
            Some(end) => (Some(string(trim(&rest[..end]))), trim(&rest[end + 2..])),
            None => (None, rest),
        }
    } else {
        (None, text)
    };
    let title = title.filter(|t| !t.is_empty());

    let open = find(text, '{');
    let close = find(text, '}');
    let (question_syms, answer) = match (open, close) {
        (None, None) => (text.to_vec(), None),
        (Some(s), None) => {
            return Err(error(
                text[s].at,
                "'{' tanpa pasangan: diharapkan '}' untuk menutup blok jawaban",
            ));
        }
        (None, Some(f)) => {
            return Err(error(
                text[f].at,
                "'}' tanpa pasangan: diharapkan '{' yang membuka blok jawaban (atau tulis \\})",
            ));
        }
        (Some(s), Some(f)) if f < s => {
            return Err(error(
                text[f].at,
                "'}' muncul sebelum '{': blok jawaban harus dibuka dengan '{'",
            ));
        }
        (Some(s), Some(f)) => {
            let ends_with_block = text.last().is_some_and(|l| l.c == '}' && !l.escaped);
            let mut question = text[..s].to_vec();
            if !ends_with_block {
                question.extend("_____".chars().map(|c| Sym {
                    c,
                    escaped: false,
                    at: text[s].at,
                }));
            }
            question.extend_from_slice(&text[f + 1..]);
            (question, Some((text[s].at, trim(&text[s + 1..f]))))
        }
    };

    let (question_text, format) = formatted(&question_syms, TextFormat::Moodle);
    let (id, tags, points) = id_and_tags(&block.comments);
    let mut question = Question {
        id,
        title,
        text: question_text,
        text_format: format,
        general_feedback: String::new(),
        body: Body::Description,
        tags,
        category: category.map(str::to_owned),
        default_points: 1.0,
        repeat: 0,
        media: Vec::new(),
    };

    let Some((block_at, mut answer)) = answer else {
        question.default_points = points.unwrap_or(0.0);
        return Ok(Item::Question(Box::new(Located { at, question })));
    };
    if let Some(points) = points {
        question.default_points = points;
    }
    if let Some(i) = rfind_str(answer, "####") {
        question.general_feedback = formatted(&answer[i + 4..], format).0;
        answer = trim(&answer[..i]);
    }
    question.body = read_answers(answer, block_at, format)?;
    Ok(Item::Question(Box::new(Located { at, question })))
}

fn read_answers(
    answer: Text<'_>,
    block_at: Position,
    format: TextFormat,
) -> Result<Body, ParseError> {
    if answer.is_empty() {
        return Ok(Body::Essay);
    }
    if answer[0].c == '#' && !answer[0].escaped {
        return numerical(&answer[1..], block_at, format);
    }
    if find(answer, '~').is_some() {
        return multichoice(answer, block_at, format);
    }
    if find(answer, '=').is_some() && find_str(answer, "->").is_some() {
        return matching(answer, block_at, format);
    }
    let token = match find(answer, '#') {
        Some(i) if i > 0 => string(trim(&answer[..i])),
        _ => string(answer),
    };
    if matches!(token.as_str(), "T" | "TRUE" | "F" | "FALSE") {
        return Ok(truefalse(answer, format));
    }
    shortanswer(answer, block_at, format)
}

/// Drops a leading empty piece (text before the first `=`/`~`).
fn answer_pieces(pieces: Vec<Text<'_>>) -> Vec<Text<'_>> {
    let mut pieces: Vec<Text<'_>> = pieces.into_iter().map(trim).collect();
    if pieces.first().is_some_and(|p| p.is_empty()) {
        pieces.remove(0);
    }
    pieces
}

fn checked_weight(piece: Text<'_>, block_at: Position) -> Result<Option<(f64, usize)>, ParseError> {
    match leading_weight(piece) {
        Some((w, _)) if !(-100.0..=100.0).contains(&w) => Err(error(
            position(piece, block_at),
            format!("bobot {w}% di luar rentang: diharapkan antara -100% dan 100%"),
        )),
        Some((w, n)) => Ok(Some((round_fraction(w / 100.0), n))),
        None => Ok(None),
    }
}

fn multichoice(
    answer: Text<'_>,
    block_at: Position,
    format: TextFormat,
) -> Result<Body, ParseError> {
    let single = find(answer, '=').is_some();
    let pieces = answer_pieces(split(answer, |c| c == '~' || c == '=', |c| c == '='));
    if pieces.len() < 2 {
        return Err(error(
            block_at,
            "pilihan ganda memerlukan minimal 2 jawaban (diawali '=' atau '~')",
        ));
    }
    let mut choices = Vec::new();
    for piece in pieces {
        let (fraction, rest) = if starts_with(piece, "=") {
            (1.0, &piece[1..])
        } else {
            match checked_weight(piece, block_at)? {
                Some((fraction, n)) => (fraction, &piece[n..]),
                None => (0.0, piece),
            }
        };
        let (text, feedback) = with_feedback(rest, format);
        choices.push(Choice {
            text,
            fraction,
            feedback,
        });
    }
    Ok(Body::Multichoice { single, choices })
}

fn matching(answer: Text<'_>, block_at: Position, format: TextFormat) -> Result<Body, ParseError> {
    let pieces = answer_pieces(split(answer, |c| c == '=', |_| false));
    if pieces.len() < 2 {
        return Err(error(
            block_at,
            "soal menjodohkan memerlukan minimal 2 pasangan '=kiri -> kanan'",
        ));
    }
    let mut pairs = Vec::new();
    for piece in pieces {
        let arrow = find_str(piece, "->").ok_or_else(|| {
            error(
                position(piece, block_at),
                format!(
                    "pasangan '{}' tidak memiliki '->': diharapkan '=kiri -> kanan'",
                    snippet(&string(piece), 80)
                ),
            )
        })?;
        pairs.push(MatchPair {
            left: formatted(&piece[..arrow], format).0,
            right: string(trim(&piece[arrow + 2..])),
        });
    }
    Ok(Body::Matching { pairs })
}

fn truefalse(answer: Text<'_>, format: TextFormat) -> Body {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, s) in answer.iter().enumerate() {
        if s.c == '#' && !s.escaped && parts.len() < 2 {
            parts.push(&answer[start..i]);
            start = i + 1;
        }
    }
    parts.push(&answer[start..]);
    let token = string(trim(parts[0]));
    let wrong = parts
        .get(1)
        .map(|p| formatted(p, format).0)
        .unwrap_or_default();
    let right = parts
        .get(2)
        .map(|p| formatted(p, format).0)
        .unwrap_or_default();
    let correct = matches!(token.as_str(), "T" | "TRUE");
    let (feedback_true, feedback_false) = if correct {
        (right, wrong)
    } else {
        (wrong, right)
    };
    Body::Truefalse {
        correct,
        feedback_true,
        feedback_false,
    }
}

fn shortanswer(
    answer: Text<'_>,
    block_at: Position,
    format: TextFormat,
) -> Result<Body, ParseError> {
    let pieces = answer_pieces(split(answer, |c| c == '=', |_| false));
    if pieces.is_empty() {
        return Err(error(
            block_at,
            "jawaban singkat memerlukan minimal 1 jawaban '=…'",
        ));
    }
    let mut answers = Vec::new();
    for piece in pieces {
        let (fraction, rest) = match checked_weight(piece, block_at)? {
            Some((fraction, n)) => (fraction, &piece[n..]),
            None => (1.0, piece),
        };
        let (text, feedback) = with_feedback(rest, format);
        if text.is_empty() {
            return Err(error(
                position(piece, block_at),
                "jawaban kosong: diharapkan teks setelah '='",
            ));
        }
        answers.push(Choice {
            text,
            fraction,
            feedback,
        });
    }
    Ok(Body::Shortanswer { answers })
}

fn numerical(answer: Text<'_>, block_at: Position, format: TextFormat) -> Result<Body, ParseError> {
    let (main, wrong) = match find(answer, '~') {
        Some(i) => (&answer[..i], Some(&answer[i + 1..])),
        None => (answer, None),
    };
    let pieces = answer_pieces(split(main, |c| c == '=', |_| false));
    if pieces.is_empty() {
        return Err(error(
            block_at,
            "soal numerik tanpa jawaban: diharapkan angka setelah '#'",
        ));
    }
    let mut answers = Vec::new();
    for piece in pieces {
        let (fraction, rest) = match checked_weight(piece, block_at)? {
            Some((fraction, n)) => (fraction, &piece[n..]),
            None => (1.0, piece),
        };
        let (text, feedback) = with_feedback(rest, format);
        let form = number_form
            .parse(text.as_str())
            .map_err(|_| {
                error(
                    position(rest, block_at),
                    format!(
                        "jawaban numerik '{}' tidak sah: diharapkan angka, angka:toleransi, atau min..max",
                        snippet(&text, 80)
                    ),
                )
            })?;
        let (value, tolerance) = match form {
            NumberForm::Any => (None, 0.0),
            NumberForm::Exact(v) => (Some(v), 0.0),
            NumberForm::Tolerance(v, t) => (Some(v), t.abs()),
            NumberForm::Range(min, max) => {
                let (lo, hi) = if min <= max { (min, max) } else { (max, min) };
                (Some((lo + hi) / 2.0), (hi - lo) / 2.0)
            }
        };
        answers.push(NumericAnswer {
            value,
            tolerance,
            fraction,
            feedback,
        });
    }
    if let Some(wrong) = wrong {
        let (_, feedback) = with_feedback(wrong, format);
        answers.push(NumericAnswer {
            value: None,
            tolerance: 0.0,
            fraction: 0.0,
            feedback,
        });
    }
    Ok(Body::Numerical { answers })
}

mod write;

pub use write::write;

#[cfg(test)]
pub(crate) mod tests;
