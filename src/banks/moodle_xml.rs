//! Moodle XML: the format Moodle exports whole question banks in. Reading
//! covers multiple choice (single and multiple answer), true/false, short
//! answer, numerical, matching, essay and description questions, categories,
//! tags and id numbers; other types and embedded files are reported as
//! warnings. Writing produces a file Moodle imports.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

use super::cloze;
use super::media::{self, MediaRef};
use super::model::{
    Body, Choice, Located, MAX_XML_ATTRIBUTES, MAX_XML_DEPTH, MAX_XML_ELEMENTS, MatchPair,
    NumericAnswer, ParseError, Parsed, Position, Question, TextFormat, snippet,
};
use crate::numbers::grouped;

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
    raw.trim()
        .parse::<f64>()
        .ok()
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
                    Some(text.parse::<f64>().map_err(|_| ParseError {
                        at: a.at,
                        message: format!("jawaban numerik '{}' bukan angka", snippet(&text, 40)),
                    })?)
                };
                let tolerance = a
                    .value_of("tolerance")
                    .filter(|t| !t.is_empty())
                    .unwrap_or_else(|| "0".into());
                let tolerance = tolerance.parse::<f64>().map_err(|_| ParseError {
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
        let (media, legacy_image) = read_media(element, &mut parsed);
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
        if let Some(name) = legacy_image {
            // Where Moodle puts an old-style image: after the text.
            text.push_str(&format!(" <img src=\"{}{name}\" />", media::PLUGINFILE));
        }
        match read {
            Err(err) => parsed.add_error(err),
            Ok(None) => skipped
                .entry(snippet(kind, 40))
                .or_default()
                .push(element.at),
            Ok(Some(body)) => {
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
                            .and_then(|g| g.parse::<f64>().ok())
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
                        text_format: text_format(question_text.and_then(|q| q.attr("format"))),
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

// ---------------------------------------------------------------- writing

fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

fn text_element(tag: &str, format: Option<TextFormat>, text: &str) -> String {
    text_element_with_files(tag, format, text, "")
}

fn text_element_with_files(
    tag: &str,
    format: Option<TextFormat>,
    text: &str,
    files: &str,
) -> String {
    let format = format
        .map(|f| format!(" format=\"{}\"", format_name(f)))
        .unwrap_or_default();
    format!(
        "<{tag}{format}>\n      <text>{}</text>{files}\n    </{tag}>",
        cdata(text)
    )
}

fn percent(fraction: f64) -> String {
    let p = (fraction * 100.0 * 1e5).round() / 1e5;
    format!("{p}")
}

fn answer(fraction: f64, format: TextFormat, text: &str, feedback: &str, extra: &str) -> String {
    format!(
        "    <answer fraction=\"{}\" format=\"{}\">\n      <text>{}</text>{extra}\n      <feedback format=\"{}\"><text>{}</text></feedback>\n    </answer>\n",
        percent(fraction),
        format_name(format),
        cdata(text),
        format_name(format),
        cdata(feedback)
    )
}

fn type_name(body: &Body) -> &'static str {
    match body {
        Body::Multichoice { .. } => "multichoice",
        Body::Truefalse { .. } => "truefalse",
        Body::Shortanswer { .. } => "shortanswer",
        Body::Numerical { .. } => "numerical",
        Body::Matching { .. } => "matching",
        Body::Cloze { .. } => "cloze",
        Body::Essay => "essay",
        Body::Description => "description",
    }
}

/// Writes questions as a Moodle XML `<quiz>` document.
pub fn write<'a>(questions: impl IntoIterator<Item = &'a Question>) -> String {
    write_with_media(questions, &BTreeMap::new())
}

/// A question's images as Moodle writes them, right after the `<text>`
/// they belong to (`files`: the bytes by SHA-256; an image whose bytes are
/// missing is left out).
fn file_elements<'a>(
    refs: impl Iterator<Item = &'a MediaRef>,
    files: &BTreeMap<String, Vec<u8>>,
) -> String {
    refs.filter_map(|r| {
        files.get(&r.sha256).map(|bytes| {
            format!(
                "\n<file name=\"{}\" path=\"/\" encoding=\"base64\">{}</file>",
                crate::markup::escape_html(&r.name),
                media::encode(bytes)
            )
        })
    })
    .collect()
}

/// [`write`], with the images the questions show.
pub fn write_with_media<'a>(
    questions: impl IntoIterator<Item = &'a Question>,
    files: &BTreeMap<String, Vec<u8>>,
) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let mut category: Option<&str> = None;
    for q in questions {
        if q.category.as_deref() != category {
            if let Some(path) = &q.category {
                out.push_str(&format!(
                    "  <question type=\"category\">\n    <category>\n      <text>{}</text>\n    </category>\n  </question>\n",
                    cdata(path)
                ));
            }
            category = q.category.as_deref();
        }
        let format = q.text_format;
        out.push_str(&format!("  <question type=\"{}\">\n", type_name(&q.body)));
        out.push_str(&format!(
            "    {}\n",
            text_element("name", None, q.title.as_deref().unwrap_or(""))
        ));
        let text = match &q.body {
            Body::Cloze { blanks } => cloze::write(&cloze::Cloze {
                text: q.text.clone(),
                blanks: blanks.clone(),
            }),
            _ => q.text.clone(),
        };
        // Each image beside each text that shows it (Moodle keeps a file
        // area per text); the question text also takes those only answers
        // or their feedback show.
        let in_text = media::references(&text);
        let in_feedback = media::references(&q.general_feedback);
        let for_text = |r: &&MediaRef| in_text.contains(&r.name) || !in_feedback.contains(&r.name);
        let for_feedback = |r: &&MediaRef| in_feedback.contains(&r.name);
        out.push_str(&format!(
            "    {}\n",
            text_element_with_files(
                "questiontext",
                Some(format),
                &text,
                &file_elements(q.media.iter().filter(for_text), files)
            )
        ));
        out.push_str(&format!(
            "    {}\n",
            text_element_with_files(
                "generalfeedback",
                Some(format),
                &q.general_feedback,
                &file_elements(q.media.iter().filter(for_feedback), files)
            )
        ));
        // A Cloze question's mark is its blanks' weights: Moodle writes none.
        if !matches!(q.body, Body::Cloze { .. }) {
            out.push_str(&format!(
                "    <defaultgrade>{}</defaultgrade>\n",
                q.default_points
            ));
        }
        if let Some(id) = &q.id {
            out.push_str(&format!("    <idnumber>{}</idnumber>\n", cdata(id)));
        }
        match &q.body {
            Body::Multichoice { single, choices } => {
                out.push_str(&format!("    <single>{single}</single>\n    <shuffleanswers>true</shuffleanswers>\n"));
                for c in choices {
                    out.push_str(&answer(c.fraction, format, &c.text, &c.feedback, ""));
                }
            }
            Body::Truefalse {
                correct,
                feedback_true,
                feedback_false,
            } => {
                let (t, f) = if *correct { (1.0, 0.0) } else { (0.0, 1.0) };
                out.push_str(&answer(t, TextFormat::Moodle, "true", feedback_true, ""));
                out.push_str(&answer(f, TextFormat::Moodle, "false", feedback_false, ""));
            }
            Body::Shortanswer { answers } => {
                out.push_str("    <usecase>0</usecase>\n");
                for a in answers {
                    out.push_str(&answer(a.fraction, TextFormat::Moodle, &a.text, &a.feedback, ""));
                }
            }
            Body::Numerical { answers } => {
                for a in answers {
                    let value = a.value.map_or("*".to_owned(), |v| format!("{v}"));
                    let tolerance = format!("\n      <tolerance>{}</tolerance>", a.tolerance);
                    out.push_str(&answer(a.fraction, TextFormat::Moodle, &value, &a.feedback, &tolerance));
                }
            }
            Body::Matching { pairs } => {
                out.push_str("    <shuffleanswers>true</shuffleanswers>\n");
                for p in pairs {
                    out.push_str(&format!(
                        "    <subquestion format=\"{}\">\n      <text>{}</text>\n      <answer><text>{}</text></answer>\n    </subquestion>\n",
                        format_name(format),
                        cdata(&p.left),
                        cdata(&p.right)
                    ));
                }
            }
            // Moodle reads the blanks back from the question text.
            Body::Cloze { .. } => {}
            Body::Essay => out.push_str(
                "    <responseformat>editor</responseformat>\n    <responserequired>1</responserequired>\n    <responsefieldlines>15</responsefieldlines>\n",
            ),
            Body::Description => {}
        }
        let category_tag = q.category.as_ref().map(|c| format!("category:{c}"));
        let tags: Vec<&String> = q
            .tags
            .iter()
            .filter(|t| Some(*t) != category_tag.as_ref())
            .collect();
        if !tags.is_empty() {
            out.push_str("    <tags>\n");
            for t in tags {
                out.push_str(&format!("      <tag><text>{}</text></tag>\n", cdata(t)));
            }
            out.push_str("    </tags>\n");
        }
        out.push_str("  </question>\n");
    }
    out.push_str("</quiz>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

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
            let (mut answers, mut truefalse, mut numerical, mut matching, mut single) =
                (json!([]), Value::Null, json!([]), json!([]), Value::Null);
            match &q.body {
                Body::Multichoice { single: s, choices } => {
                    single = json!(s);
                    answers = json!(choices.iter().map(|c| json!({"text": c.text, "fraction": c.fraction, "feedback": c.feedback})).collect::<Vec<_>>());
                }
                Body::Shortanswer { answers: a } => {
                    answers = json!(a.iter().map(|c| json!({"text": c.text, "fraction": c.fraction, "feedback": c.feedback})).collect::<Vec<_>>());
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
            let got = json!({
                "title": q.title, "id": q.id,
                "tags": q.tags.iter().filter(|t| !t.starts_with("category:")).collect::<Vec<_>>(),
                "category": q.category, "qtype": q.kind().as_str(), "single": single, "text": q.text,
                "text_format": q.text_format.as_str(), "general_feedback": q.general_feedback,
                "default_points": q.default_points, "answers": answers, "truefalse": truefalse,
                "numerical": numerical, "matching": matching,
            });
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
        assert!(
            written.contains("<file name=\"peta jaringan.png\" path=\"/\" encoding=\"base64\">")
        );
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
}
