//! Moodle XML: the format Moodle exports whole question banks in. Reading
//! covers multiple choice (single and multiple answer), true/false, short
//! answer, numerical, matching, essay and description questions, categories,
//! tags and id numbers, Cloze questions and embedded images; other types are
//! reported as warnings. Writing (`write.rs`) produces a file Moodle imports.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

use super::cloze;
use super::media::{self, MediaRef};
use super::model::{
    Body, Choice, Located, MAX_XML_ATTRIBUTES, MAX_XML_DEPTH, MAX_XML_ELEMENTS, MatchPair,
    NumericAnswer, ParseError, Parsed, Position, Question, TextFormat, snippet,
};
use crate::http::pages::urlencode;
use crate::numbers::{self, grouped};

#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
    at: Position,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The trimmed text of `<name><text>…</text></name>`.
    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name)
            .and_then(|e| e.child("text"))
            .map(|t| t.text.trim().to_owned())
    }

    /// The trimmed text of the direct child `name`.
    fn value_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|e| e.text.trim().to_owned())
    }

    /// Every `<file>` under this element, at any depth: (name, content).
    fn files(&self) -> Vec<(String, &str)> {
        let mut found: Vec<(String, &str)> = self
            .all("file")
            .map(|f| (f.attr("name").unwrap_or("?").to_owned(), f.text.as_str()))
            .collect();
        for child in &self.children {
            found.extend(child.files());
        }
        found
    }
}

/// Line and column of byte offsets in `source`, for offsets that only grow:
/// each call counts from the previous one, so a whole file costs one pass
/// (counting from the start every time made a large file quadratic).
struct Lines<'a> {
    source: &'a str,
    byte: usize,
    at: Position,
}

impl<'a> Lines<'a> {
    fn new(source: &'a str) -> Self {
        Lines {
            source,
            byte: 0,
            at: Position { line: 1, column: 1 },
        }
    }

    fn at(&mut self, byte: usize) -> Position {
        let byte = byte.min(self.source.len());
        if byte < self.byte {
            // Only an error can point back; count that once from the start.
            *self = Lines::new(self.source);
        }
        let Some(stretch) = self.source.get(self.byte..byte) else {
            return self.at;
        };
        for c in stretch.chars() {
            if c == '\n' {
                self.at.line += 1;
                self.at.column = 1;
            } else {
                self.at.column += 1;
            }
        }
        self.byte = byte;
        self.at
    }
}

fn limit_error(at: Position, message: String) -> ParseError {
    ParseError { at, message }
}

/// Reads the document into a small tree, or says where the XML is broken
/// or which limit it passes.
fn tree(source: &str) -> Result<Element, ParseError> {
    let mut reader = Reader::from_str(source);
    reader.config_mut().trim_text(false);
    let mut lines = Lines::new(source);
    let mut stack = vec![Element::default()];
    let mut elements = 0usize;
    loop {
        let start = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => {
                return Err(ParseError {
                    at: lines.at(reader.error_position() as usize),
                    message: format!("XML tidak sah: {err}"),
                });
            }
        };
        let at = lines.at(start);
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > MAX_XML_ELEMENTS {
                return Err(limit_error(
                    at,
                    format!(
                        "berkas berisi lebih dari {} elemen XML; paling banyak {}",
                        grouped(MAX_XML_ELEMENTS as u64),
                        grouped(MAX_XML_ELEMENTS as u64)
                    ),
                ));
            }
        }
        // The root placeholder is not an element of the document.
        let Some(parent) = stack.last_mut() else {
            return Err(limit_error(at, "XML tidak seimbang".into()));
        };
        match event {
            Event::Start(e) => {
                if stack.len() > MAX_XML_DEPTH {
                    return Err(limit_error(
                        at,
                        format!(
                            "elemen XML bersarang lebih dari {MAX_XML_DEPTH} tingkat; paling banyak {MAX_XML_DEPTH} tingkat"
                        ),
                    ));
                }
                let element = open_element(&e, at)?;
                stack.push(element);
            }
            Event::Empty(e) => {
                let element = open_element(&e, at)?;
                parent.children.push(element);
            }
            Event::End(_) => {
                // The reader checks that end tags match their start tags.
                let done = stack.pop();
                match (done, stack.last_mut()) {
                    (Some(done), Some(parent)) => parent.children.push(done),
                    _ => return Err(limit_error(at, "XML tidak seimbang".into())),
                }
            }
            Event::Text(t) => parent.text.push_str(&t.xml10_content()),
            Event::CData(t) => parent.text.push_str(&t.into_inner()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => parent.text.push(c),
                _ => {
                    let name = r.xml10_content();
                    let resolved = resolve_predefined_entity(&name).ok_or_else(|| ParseError {
                        at,
                        message: format!("entitas '&{};' tidak dikenal", snippet(&name, 40)),
                    })?;
                    parent.text.push_str(resolved);
                }
            },
            Event::Eof => break,
            _ => {}
        }
    }
    match (stack.pop(), stack.is_empty()) {
        (Some(root), true) => Ok(root),
        _ => Err(ParseError {
            at: lines.at(source.len()),
            message: "XML berakhir sebelum semua elemen ditutup".into(),
        }),
    }
}

fn open_element(
    e: &quick_xml::events::BytesStart<'_>,
    at: Position,
) -> Result<Element, ParseError> {
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        if attrs.len() == MAX_XML_ATTRIBUTES {
            return Err(ParseError {
                at,
                message: format!(
                    "elemen XML dengan lebih dari {MAX_XML_ATTRIBUTES} atribut; paling banyak {MAX_XML_ATTRIBUTES}"
                ),
            });
        }
        let attr = attr.map_err(|err| ParseError {
            at,
            message: format!("atribut XML tidak sah: {err}"),
        })?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| ParseError {
                at,
                message: format!("nilai atribut tidak sah: {err}"),
            })?;
        attrs.push((attr.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(Element {
        name: e.name().as_ref().to_owned(),
        attrs,
        children: Vec::new(),
        text: String::new(),
        at,
    })
}

fn text_format(name: Option<&str>) -> TextFormat {
    match name {
        Some("html") => TextFormat::Html,
        Some("plain_text") => TextFormat::Plain,
        Some("markdown") => TextFormat::Markdown,
        _ => TextFormat::Moodle,
    }
}

fn format_name(format: TextFormat) -> &'static str {
    match format {
        TextFormat::Moodle => "moodle_auto_format",
        TextFormat::Html => "html",
        TextFormat::Plain => "plain_text",
        TextFormat::Markdown => "markdown",
    }
}

fn fraction(answer: &Element) -> Result<f64, ParseError> {
    let raw = answer.attr("fraction").unwrap_or("0");
    numbers::read(raw)
        .filter(|f| (-100.0..=100.0).contains(f))
        .map(|f| (f / 100.0 * 1e7).round() / 1e7)
        .ok_or_else(|| ParseError {
            at: answer.at,
            message: format!(
                "fraction=\"{}\" tidak sah: diharapkan angka antara -100 dan 100",
                snippet(raw, 40)
            ),
        })
}

fn feedback(answer: &Element) -> String {
    answer.text_of("feedback").unwrap_or_default()
}

fn is_true(value: Option<String>) -> bool {
    matches!(
        value.as_deref().map(str::to_lowercase).as_deref(),
        Some("true" | "1")
    )
}

fn answers(question: &Element) -> Result<Vec<Choice>, ParseError> {
    question
        .all("answer")
        .map(|a| {
            Ok(Choice {
                text: a.value_of("text").unwrap_or_default(),
                fraction: fraction(a)?,
                feedback: feedback(a),
            })
        })
        .collect()
}

fn body(question: &Element, kind: &str) -> Result<Option<Body>, ParseError> {
    let missing = |what: &str| ParseError {
        at: question.at,
        message: format!("soal {kind} tanpa {what}"),
    };
    Ok(Some(match kind {
        "multichoice" => {
            let choices = answers(question)?;
            if choices.len() < 2 {
                return Err(missing("minimal 2 elemen <answer>"));
            }
            Body::Multichoice {
                single: question.value_of("single").is_none_or(|v| is_true(Some(v))),
                choices,
            }
        }
        "truefalse" => {
            let mut truth = None;
            let (mut feedback_true, mut feedback_false) = (String::new(), String::new());
            for a in question.all("answer") {
                let text = a.value_of("text").unwrap_or_default().to_lowercase();
                let right = fraction(a)? > 0.0;
                match text.as_str() {
                    "true" => {
                        feedback_true = feedback(a);
                        if right {
                            truth = Some(true);
                        }
                    }
                    "false" => {
                        feedback_false = feedback(a);
                        if right {
                            truth = Some(false);
                        }
                    }
                    other => {
                        return Err(ParseError {
                            at: a.at,
                            message: format!(
                                "jawaban benar/salah '{}' tidak sah: diharapkan 'true' atau 'false'",
                                snippet(other, 40)
                            ),
                        });
                    }
                }
            }
            Body::Truefalse {
                correct: truth
                    .ok_or_else(|| missing("jawaban 'true' atau 'false' yang bernilai 100"))?,
                feedback_true,
                feedback_false,
            }
        }
        "shortanswer" => {
            let answers = answers(question)?;
            if answers.is_empty() {
                return Err(missing("elemen <answer>"));
            }
            Body::Shortanswer { answers }
        }
        "numerical" => {
            let mut out = Vec::new();
            for a in question.all("answer") {
                let text = a.value_of("text").unwrap_or_default();
                let value = if text == "*" {
                    None
                } else {
                    Some(numbers::read(&text).ok_or_else(|| ParseError {
                        at: a.at,
                        message: format!("jawaban numerik '{}' bukan angka", snippet(&text, 40)),
                    })?)
                };
                let tolerance = a
                    .value_of("tolerance")
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| "0".into());
                let tolerance = numbers::read(&tolerance).ok_or_else(|| ParseError {
                    at: a.at,
                    message: format!("toleransi '{}' bukan angka", snippet(&tolerance, 40)),
                })?;
                out.push(NumericAnswer {
                    value,
                    tolerance,
                    fraction: fraction(a)?,
                    feedback: feedback(a),
                });
            }
            if out.is_empty() {
                return Err(missing("elemen <answer>"));
            }
            Body::Numerical { answers: out }
        }
        "matching" => {
            let pairs: Vec<MatchPair> = question
                .all("subquestion")
                .map(|s| MatchPair {
                    left: s.value_of("text").unwrap_or_default(),
                    right: s.text_of("answer").unwrap_or_default(),
                })
                .collect();
            if pairs.len() < 2 {
                return Err(missing("minimal 2 elemen <subquestion>"));
            }
            Body::Matching { pairs }
        }
        "essay" => Body::Essay,
        "description" => Body::Description,
        _ => return Ok(None),
    }))
}

/// The images of one question: its `<file>` elements, and an old-style
/// `<image>` with `<image_base64>` (whose name is returned, for the text
/// to show it). A file that is no image, or too large, is left out with a
/// warning; the question comes in without it.
fn read_media(question: &Element, parsed: &mut Parsed) -> (Vec<MediaRef>, Option<String>) {
    let mut files = question.files();
    let legacy = match (question.value_of("image"), question.child("image_base64")) {
        (Some(path), Some(data)) if !data.text.trim().is_empty() => {
            // Moodle's own renaming: the path's slashes become underscores.
            let name = path.trim().replace(['/', '\\'], "_");
            files.push((name.clone(), data.text.as_str()));
            Some(name)
        }
        _ => None,
    };
    let mut refs: Vec<MediaRef> = Vec::new();
    let mut legacy_kept = None;
    let warn = |parsed: &mut Parsed, message: String| {
        parsed.add_warning(ParseError {
            at: question.at,
            message: format!("{message}; soal ini diimpor tanpa berkas itu"),
        })
    };
    for (name, encoded) in files {
        if let Some(first) = refs.iter().find(|r| r.name == name) {
            // Moodle keeps a file area per text; one name is one image here.
            if media::decode(&name, encoded).is_ok_and(|f| f.sha256 != first.sha256) {
                warn(
                    parsed,
                    format!(
                        "dua gambar berbeda bernama '{}'; hanya yang pertama dipakai",
                        snippet(&name, 80)
                    ),
                );
            }
            continue;
        }
        if refs.len() == media::MAX_MEDIA_PER_QUESTION {
            warn(
                parsed,
                format!(
                    "lebih dari {} gambar dalam satu soal ('{}')",
                    media::MAX_MEDIA_PER_QUESTION,
                    snippet(&name, 80)
                ),
            );
            break;
        }
        match media::decode(&snippet(&name, 80), encoded) {
            Ok(file) => {
                let reference = file.reference(&name);
                if !parsed.add_media(file) {
                    warn(
                        parsed,
                        format!(
                            "lebih dari {} gambar dalam satu berkas ('{}')",
                            media::MAX_MEDIA_PER_FILE,
                            snippet(&name, 80)
                        ),
                    );
                    break;
                }
                refs.push(reference);
                if legacy.as_deref() == Some(name.as_str()) {
                    legacy_kept = Some(name);
                }
            }
            Err(message) => warn(parsed, message),
        }
    }
    // In name order: the same images in another order are the same question.
    refs.sort_by(|a, b| a.name.cmp(&b.name));
    (refs, legacy_kept)
}

pub fn parse(source: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let root = match tree(source) {
        Ok(root) => root,
        Err(err) => {
            parsed.add_error(err);
            return parsed;
        }
    };
    let Some(quiz) = root.child("quiz") else {
        parsed.add_error(ParseError {
            at: Position { line: 1, column: 1 },
            message: "bukan berkas Moodle XML: elemen <quiz> tidak ditemukan".into(),
        });
        return parsed;
    };
    let mut category: Option<String> = None;
    // Types Bimtek cannot take are counted per type, never a refused file.
    let mut skipped: std::collections::BTreeMap<String, Vec<Position>> = Default::default();
    for element in quiz.all("question") {
        if parsed.stopped {
            break;
        }
        let kind = element.attr("type").unwrap_or("");
        if kind == "category" {
            category = element.text_of("category").filter(|c| !c.is_empty());
            continue;
        }
        let question_text = element.child("questiontext");
        let mut text = question_text
            .and_then(|q| q.value_of("text"))
            .unwrap_or_default();
        let read = if kind == "cloze" || kind == "multianswer" {
            // Moodle keeps a Cloze question's blanks inside its text.
            cloze::parse(&text)
                .map(|c| {
                    text = c.text;
                    Some(Body::Cloze { blanks: c.blanks })
                })
                .map_err(|message| ParseError {
                    at: element.at,
                    message: format!("soal Cloze: {message}"),
                })
        } else {
            body(element, kind)
        };
        match read {
            Err(err) => parsed.add_error(err),
            Ok(None) => skipped
                .entry(snippet(kind, 40))
                .or_default()
                .push(element.at),
            Ok(Some(body)) => {
                // Images only for a question that is taken: a skipped one
                // neither spends the file's image allowance nor warns.
                let (media, legacy_image) = read_media(element, &mut parsed);
                let format = text_format(question_text.and_then(|q| q.attr("format")));
                if let Some(name) = legacy_image {
                    // Where Moodle puts an old-style image: after the text.
                    let address = format!("{}{}", media::PLUGINFILE, urlencode(&name));
                    match format {
                        TextFormat::Html | TextFormat::Moodle => {
                            text.push_str(&format!(" <img src=\"{address}\" />"));
                        }
                        TextFormat::Markdown => text.push_str(&format!("\n\n![]({address})")),
                        // Plain text cannot show a picture.
                        TextFormat::Plain => {}
                    }
                }
                let mut tags: Vec<String> = element
                    .child("tags")
                    .map(|t| {
                        t.all("tag")
                            .filter_map(|tag| tag.value_of("text"))
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(path) = &category {
                    tags.push(format!("category:{path}"));
                }
                // A Cloze question is worth the sum of its blanks' weights,
                // whatever its <defaultgrade> says, as in Moodle.
                let weights = match &body {
                    Body::Cloze { blanks } => {
                        Some(blanks.iter().map(|b| f64::from(b.weight)).sum())
                    }
                    _ => None,
                };
                let default_points = weights
                    .or_else(|| {
                        element
                            .value_of("defaultgrade")
                            .and_then(|g| numbers::read(&g))
                    })
                    .unwrap_or(if matches!(body, Body::Description) {
                        0.0
                    } else {
                        1.0
                    });
                parsed.add_question(Located {
                    at: element.at,
                    question: Question {
                        id: element.value_of("idnumber").filter(|i| !i.is_empty()),
                        title: element.text_of("name").filter(|n| !n.is_empty()),
                        text,
                        text_format: format,
                        general_feedback: element.text_of("generalfeedback").unwrap_or_default(),
                        body,
                        tags,
                        category: category.clone(),
                        default_points,
                        repeat: 0,
                        media,
                    },
                });
            }
        }
    }
    for (kind, at) in skipped {
        let lines: Vec<String> = at.iter().take(10).map(|p| p.line.to_string()).collect();
        let more = if at.len() > 10 { ", …" } else { "" };
        parsed.add_warning(ParseError {
            at: at[0],
            message: format!(
                "{} soal jenis '{kind}' belum didukung dan dilewati (baris {}{more})",
                at.len(),
                lines.join(", ")
            ),
        });
    }
    parsed
}

mod write;
pub use write::{write, write_with_media};

#[cfg(test)]
mod tests;
