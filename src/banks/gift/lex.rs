//! GIFT's text as symbols: every character with its escaped flag and its
//! position, so structural searches skip `\{`, `\~`, … and errors point at
//! the exact spot; and a file cut into blank-line-separated blocks.

use crate::banks::model::{MAX_GIFT_QUESTION_CHARS, Position};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Sym {
    pub(super) c: char,
    pub(super) escaped: bool,
    pub(super) at: Position,
}

pub(super) type Text<'a> = &'a [Sym];

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\0' | '\x0B')
}

pub(super) fn trim(text: Text<'_>) -> Text<'_> {
    let start = text
        .iter()
        .position(|s| !is_space(s.c))
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|s| !is_space(s.c))
        .map_or(start, |i| i + 1);
    &text[start..end.max(start)]
}

pub(super) fn find(text: Text<'_>, c: char) -> Option<usize> {
    text.iter().position(|s| s.c == c && !s.escaped)
}

fn matches_at(text: Text<'_>, i: usize, pattern: &str) -> bool {
    let mut chars = pattern.chars();
    let n = pattern.chars().count();
    i + n <= text.len()
        && text[i..i + n]
            .iter()
            .all(|s| !s.escaped && Some(s.c) == chars.next())
}

pub(super) fn find_str(text: Text<'_>, pattern: &str) -> Option<usize> {
    (0..text.len()).find(|&i| matches_at(text, i, pattern))
}

pub(super) fn rfind_str(text: Text<'_>, pattern: &str) -> Option<usize> {
    (0..text.len())
        .rev()
        .find(|&i| matches_at(text, i, pattern))
}

pub(super) fn starts_with(text: Text<'_>, pattern: &str) -> bool {
    matches_at(text, 0, pattern)
}

pub(super) fn string(text: Text<'_>) -> String {
    text.iter().map(|s| s.c).collect()
}

pub(super) fn position(text: Text<'_>, fallback: Position) -> Position {
    text.first().map_or(fallback, |s| s.at)
}

/// Splits at every unescaped `sep`; `keep` leaves the separator at the start of the next piece.
pub(super) fn split<'a>(
    text: Text<'a>,
    is_sep: impl Fn(char) -> bool,
    keep: impl Fn(char) -> bool,
) -> Vec<Text<'a>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, s) in text.iter().enumerate() {
        if !s.escaped && is_sep(s.c) {
            pieces.push(&text[start..i]);
            start = if keep(s.c) { i } else { i + 1 };
        }
    }
    pieces.push(&text[start..]);
    pieces
}

pub(super) struct Block {
    pub(super) symbols: Vec<Sym>,
    pub(super) comments: Vec<String>,
    pub(super) start: Position,
}

/// Turns a block's lines into symbols: comment lines become a space (and
/// are kept for their ids and tags), escapes are resolved.
pub(super) fn lex(lines: &[(u32, &str)]) -> Block {
    let mut symbols = Vec::new();
    let mut comments = Vec::new();
    let mut start = None;
    for (index, (line_no, raw)) in lines.iter().enumerate() {
        if index > 0 {
            symbols.push(Sym {
                c: '\n',
                escaped: false,
                at: Position {
                    line: *line_no,
                    column: 0,
                },
            });
        }
        let lead = raw.chars().take_while(|c| is_space(*c)).count();
        let trimmed = raw.trim_matches(is_space);
        if trimmed.starts_with("//") {
            comments.push(trimmed.to_owned());
            symbols.push(Sym {
                c: ' ',
                escaped: false,
                at: Position {
                    line: *line_no,
                    column: 1,
                },
            });
            continue;
        }
        start.get_or_insert(Position {
            line: *line_no,
            column: lead as u32 + 1,
        });
        let chars: Vec<char> = trimmed.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let at = Position {
                line: *line_no,
                column: (lead + i) as u32 + 1,
            };
            let (c, escaped, width) = match (chars[i], chars.get(i + 1)) {
                ('\\', Some(&next)) if matches!(next, ':' | '#' | '=' | '{' | '}' | '~' | '\\') => {
                    (next, true, 2)
                }
                ('\\', Some('n')) => ('\n', true, 2),
                (c, _) => (c, false, 1),
            };
            symbols.push(Sym { c, escaped, at });
            i += width;
        }
    }
    let first_line = lines.first().map_or(1, |(l, _)| *l);
    Block {
        symbols,
        comments,
        start: start.unwrap_or(Position {
            line: first_line,
            column: 1,
        }),
    }
}

/// One question's lines (numbered from 1), or only the size of a block
/// too long to read.
pub(super) struct Lines<'a> {
    pub(super) lines: Vec<(u32, &'a str)>,
    pub(super) first_line: u32,
    pub(super) chars: usize,
}

/// The blank-line-separated blocks of `source`, one at a time; a block
/// stops collecting lines once it passes the size limit.
pub(super) fn blocks(source: &str) -> impl Iterator<Item = Lines<'_>> {
    let source = source.strip_prefix('\u{FEFF}').unwrap_or(source);
    let lines: Box<dyn Iterator<Item = &str>> = if source.contains('\n') {
        Box::new(
            source
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l)),
        )
    } else {
        Box::new(source.split('\r'))
    };
    let mut lines = lines.zip(1u32..);
    std::iter::from_fn(move || {
        let mut block: Option<Lines<'_>> = None;
        for (line, number) in lines.by_ref() {
            if line.trim_matches(is_space).is_empty() {
                if block.is_some() {
                    break;
                }
                continue;
            }
            let current = block.get_or_insert(Lines {
                lines: Vec::new(),
                first_line: number,
                chars: 0,
            });
            current.chars += line.chars().count();
            if current.chars <= MAX_GIFT_QUESTION_CHARS {
                current.lines.push((number, line));
            }
        }
        block
    })
}
