//! The question model every bank format is read into and written from,
//! plus the rules about questions that do not depend on a format: stable
//! ids, content hashes, the linter, and rendering to safe HTML.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::cloze::Blank;
use super::media::{self, MediaFile, MediaRef};
use crate::markup::{plain_to_html, question_markdown_to_html, sanitize_html};
use crate::numbers::grouped;
use crate::string_enum::string_enum;

mod lint;
pub use self::lint::lint;

string_enum!(
    #[derive(PartialOrd, Ord)]
    QuestionType {
        Multichoice = "multichoice",
        Truefalse = "truefalse",
        Shortanswer = "shortanswer",
        Numerical = "numerical",
        Matching = "matching",
        /// Moodle's embedded answers: blanks and menus inside the text.
        Cloze = "cloze",
        Essay = "essay",
        Description = "description",
    }
);

impl QuestionType {
    pub fn label(self) -> &'static str {
        match self {
            QuestionType::Multichoice => "Pilihan ganda",
            QuestionType::Truefalse => "Benar/salah",
            QuestionType::Shortanswer => "Jawaban singkat",
            QuestionType::Numerical => "Numerik",
            QuestionType::Matching => "Menjodohkan",
            QuestionType::Cloze => "Isian rumpang",
            QuestionType::Essay => "Esai",
            QuestionType::Description => "Deskripsi",
        }
    }
}

string_enum!(
    /// How a question's text is written (Moodle's four formats).
    #[derive(Default)]
    TextFormat {
        /// Moodle auto-format: text with line breaks, HTML allowed.
        #[default]
        Moodle = "moodle",
        Html = "html",
        Plain = "plain",
        Markdown = "markdown",
    }
);

impl TextFormat {
    /// Safe HTML for `text` written in this format.
    pub fn to_html(self, text: &str) -> String {
        match self {
            TextFormat::Moodle => sanitize_html(&text.replace('\n', "<br>\n")),
            TextFormat::Html => sanitize_html(text),
            TextFormat::Plain => plain_to_html(text),
            TextFormat::Markdown => question_markdown_to_html(text),
        }
    }
}

/// One answer of a multiple-choice or short-answer question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub text: String,
    /// Share of the question's points, -1.0 to 1.0.
    pub fraction: f64,
    #[serde(default)]
    pub feedback: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericAnswer {
    /// `None` is Moodle's `*`: any number (used for "everything else" feedback).
    pub value: Option<f64>,
    #[serde(default)]
    pub tolerance: f64,
    pub fraction: f64,
    #[serde(default)]
    pub feedback: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchPair {
    /// Empty for an extra distractor on the right-hand side.
    pub left: String,
    pub right: String,
}

/// What a question asks for and how it is graded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    Multichoice {
        /// One answer allowed (radio buttons) or several (check boxes).
        single: bool,
        choices: Vec<Choice>,
    },
    Truefalse {
        correct: bool,
        /// Shown to a candidate who answered "true".
        #[serde(default)]
        feedback_true: String,
        #[serde(default)]
        feedback_false: String,
    },
    Shortanswer {
        answers: Vec<Choice>,
    },
    Numerical {
        answers: Vec<NumericAnswer>,
    },
    Matching {
        pairs: Vec<MatchPair>,
    },
    /// The question text holds `{#1}`, `{#2}`, … where the blanks stand.
    Cloze {
        blanks: Vec<Blank>,
    },
    Essay,
    Description,
}

impl Body {
    pub fn kind(&self) -> QuestionType {
        match self {
            Body::Multichoice { .. } => QuestionType::Multichoice,
            Body::Truefalse { .. } => QuestionType::Truefalse,
            Body::Shortanswer { .. } => QuestionType::Shortanswer,
            Body::Numerical { .. } => QuestionType::Numerical,
            Body::Matching { .. } => QuestionType::Matching,
            Body::Cloze { .. } => QuestionType::Cloze,
            Body::Essay => QuestionType::Essay,
            Body::Description => QuestionType::Description,
        }
    }
}

/// A question as read from a bank file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// The author's id (`[id:…]` in GIFT, `<idnumber>` in Moodle XML).
    pub id: Option<String>,
    pub title: Option<String>,
    pub text: String,
    pub text_format: TextFormat,
    #[serde(default)]
    pub general_feedback: String,
    pub body: Body,
    /// e.g. `unit:jaringan`, `level:terampil`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The `$CATEGORY` (GIFT) or `<category>` (Moodle XML) in force.
    pub category: Option<String>,
    /// Marks for a fully correct answer.
    pub default_points: f64,
    /// How many earlier questions of the same import share this one's
    /// title (or content) without an id of their own: Moodle imports
    /// repeated names as separate questions, so the second `Q1` is kept as
    /// `Q1 (2)`, the same on every re-import of the same file.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repeat: u32,
    /// Images the texts show as `@@PLUGINFILE@@/<name>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaRef>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Where in a file a question or a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// A question together with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub at: Position,
    pub question: Question,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub at: Position,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "baris {}, kolom {}: {}",
            self.at.line, self.at.column, self.message
        )
    }
}

/// Questions in one file. The shipped banks hold 16 each; a whole national
/// item bank exported from Moodle is a few thousand. Every question is
/// hashed, compared and perhaps inserted inside one write transaction.
pub const MAX_QUESTIONS_PER_FILE: usize = 5_000;

/// Errors (and, separately, warnings) reported per file; past this the rest
/// of the file is not read. A file with more is not a bank with typos, and
/// listing every one would make the answer as large as the file.
pub const MAX_PROBLEMS_PER_FILE: usize = 100;

/// Characters in one GIFT question (the block between two blank lines).
/// About a hundred pages of text, or a small inline image; each character
/// is held with its position while the question is read.
pub const MAX_GIFT_QUESTION_CHARS: usize = 200_000;

/// Nesting of XML elements. A Moodle export nests six deep; the document
/// tree is walked recursively, and ten thousand levels overflow the stack.
pub const MAX_XML_DEPTH: usize = 100;

/// XML elements in one file: a Moodle export uses 20–40 per question, and
/// each element is held in memory while the file is read.
pub const MAX_XML_ELEMENTS: usize = 50 * MAX_QUESTIONS_PER_FILE;

/// Attributes on one XML element: Moodle writes at most three; the XML
/// reader compares each new attribute with every earlier one.
pub const MAX_XML_ATTRIBUTES: usize = 32;

/// The result of reading one file: every question that could be read, and
/// every problem (an import applies only when there are none).
#[derive(Debug, Default)]
pub struct Parsed {
    pub questions: Vec<Located>,
    pub errors: Vec<ParseError>,
    pub warnings: Vec<ParseError>,
    /// Set once the file broke a limit: the parser reads no further.
    pub stopped: bool,
    /// The images the questions refer to, each once.
    pub media: Vec<MediaFile>,
    media_seen: std::collections::HashSet<String>,
}

impl Parsed {
    /// Records an error; at the limit, says so and stops the reading.
    pub fn add_error(&mut self, error: ParseError) {
        if self.stopped {
            return;
        }
        let at = error.at;
        self.errors.push(error);
        if self.errors.len() >= MAX_PROBLEMS_PER_FILE {
            self.stop(
                at,
                format!(
                    "pemeriksaan berhenti setelah {MAX_PROBLEMS_PER_FILE} kesalahan; perbaiki yang di atas lalu unggah ulang"
                ),
            );
        }
    }

    /// Records a warning; past the limit one note stands for the rest.
    pub fn add_warning(&mut self, warning: ParseError) {
        match self.warnings.len() {
            n if n < MAX_PROBLEMS_PER_FILE => self.warnings.push(warning),
            n if n == MAX_PROBLEMS_PER_FILE => self.warnings.push(ParseError {
                at: warning.at,
                message: format!(
                    "peringatan lain tidak ditampilkan (paling banyak {MAX_PROBLEMS_PER_FILE})"
                ),
            }),
            _ => {}
        }
    }

    /// Keeps an image's bytes (once per content); `false` past the
    /// file's limit of distinct images.
    pub fn add_media(&mut self, file: MediaFile) -> bool {
        if self.media_seen.contains(&file.sha256) {
            return true;
        }
        if self.media.len() >= media::MAX_MEDIA_PER_FILE {
            return false;
        }
        self.media_seen.insert(file.sha256.clone());
        self.media.push(file);
        true
    }

    /// Records a question, or stops the reading at the question limit.
    pub fn add_question(&mut self, question: Located) {
        if self.stopped {
            return;
        }
        if self.questions.len() >= MAX_QUESTIONS_PER_FILE {
            self.stop(
                question.at,
                format!(
                    "berkas berisi lebih dari {max} soal; paling banyak {max} soal per berkas: bagi menjadi beberapa berkas",
                    max = grouped(MAX_QUESTIONS_PER_FILE as u64)
                ),
            );
            return;
        }
        self.questions.push(question);
    }

    /// Ends the reading with an error at `at` that names the limit.
    pub fn stop(&mut self, at: Position, message: String) {
        if !self.stopped {
            self.errors.push(ParseError { at, message });
            self.stopped = true;
        }
    }
}

/// At most `max` characters of `text` for quoting it in a message.
pub fn snippet(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

impl Question {
    /// The key that identifies this question across re-imports: the
    /// author's id, else the title, else a hash of the content.
    pub fn stable_id(&self) -> String {
        if let Some(id) = self.explicit_id() {
            return id.to_owned();
        }
        let base = self.implicit_id();
        match self.repeat {
            0 => base,
            n => format!("{base} ({})", n + 1),
        }
    }

    /// The author's own id, if any: two of these alike in one import are an error.
    pub fn explicit_id(&self) -> Option<&str> {
        self.id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
    }

    /// The id of a question without one: its title, else a hash of its
    /// content (the `repeat` count left out, so repeats share it).
    pub fn implicit_id(&self) -> String {
        match &self.title {
            Some(title) if !title.trim().is_empty() => title.trim().to_owned(),
            _ if self.repeat == 0 => format!("h:{}", &self.content_hash()[..16]),
            _ => {
                let first = Question {
                    repeat: 0,
                    ..self.clone()
                };
                format!("h:{}", &first.content_hash()[..16])
            }
        }
    }

    /// SHA-256 of everything that makes this question what it is; a new
    /// hash under the same stable id means a new version.
    pub fn content_hash(&self) -> String {
        let canonical = serde_json::to_string(self).expect("a question serialises");
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }

    pub fn kind(&self) -> QuestionType {
        self.body.kind()
    }

    pub fn text_html(&self) -> String {
        self.html(&self.text)
    }

    /// The question with every text's images pointing at where they are
    /// served: for pages that render its answers and feedback themselves.
    pub fn with_media_links(&self) -> Question {
        let mut q = self.clone();
        if q.media.is_empty() {
            return q;
        }
        let link = |text: &mut String| *text = media::link(text, &self.media);
        link(&mut q.general_feedback);
        match &mut q.body {
            Body::Multichoice { choices, .. } => {
                for c in choices {
                    link(&mut c.text);
                    link(&mut c.feedback);
                }
            }
            Body::Truefalse {
                feedback_true,
                feedback_false,
                ..
            } => {
                link(feedback_true);
                link(feedback_false);
            }
            Body::Shortanswer { answers } => answers.iter_mut().for_each(|a| link(&mut a.feedback)),
            Body::Numerical { answers } => answers.iter_mut().for_each(|a| link(&mut a.feedback)),
            Body::Matching { pairs } => pairs.iter_mut().for_each(|p| link(&mut p.left)),
            Body::Cloze { blanks } => blanks
                .iter_mut()
                .flat_map(|b| b.answers.iter_mut())
                .for_each(|a| link(&mut a.feedback)),
            Body::Essay | Body::Description => {}
        }
        q
    }

    /// One of this question's texts (an answer, a feedback) as safe HTML,
    /// its images pointing at where they are served.
    pub fn html(&self, text: &str) -> String {
        self.text_format.to_html(&media::link(text, &self.media))
    }

    /// Tags of the form `unit:…`.
    pub fn units(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().filter_map(|t| t.strip_prefix("unit:"))
    }

    /// Whether the question belongs to the exam pool (`EXAM_POOL_TAG`).
    pub fn in_exam_pool(&self) -> bool {
        self.tags.iter().any(|t| t == EXAM_POOL_TAG)
    }
}

/// Questions tagged so are the exam pool: exams draw only them and quizzes
/// never do, since a quiz shows its keys after submit and an exam item seen
/// in practice is a leaked item.
pub const EXAM_POOL_TAG: &str = "pool:ujian";

/// Counts per question type, for import summaries.
pub fn count_by_type<'a>(
    questions: impl IntoIterator<Item = &'a Question>,
) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for q in questions {
        *counts.entry(q.kind().as_str().to_owned()).or_insert(0) += 1;
    }
    counts
}

/// How many questions of each type carry one tag (descriptions left out:
/// they are never drawn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagTypeCount {
    pub tag: String,
    pub counts: BTreeMap<QuestionType, u32>,
}

/// Per tag, the questions of each type, tags in order; what a quiz author
/// needs to write rules the bank can fill (the exam pool is not a quiz's).
pub fn tag_type_counts<'a>(questions: impl IntoIterator<Item = &'a Question>) -> Vec<TagTypeCount> {
    let mut by_tag: BTreeMap<&str, BTreeMap<QuestionType, u32>> = BTreeMap::new();
    for q in questions {
        if q.kind() == QuestionType::Description || q.in_exam_pool() {
            continue;
        }
        for tag in &q.tags {
            *by_tag.entry(tag).or_default().entry(q.kind()).or_insert(0) += 1;
        }
    }
    by_tag
        .into_iter()
        .map(|(tag, counts)| TagTypeCount {
            tag: tag.to_owned(),
            counts,
        })
        .collect()
}

/// A question bank file (GIFT, Aiken or Moodle XML) as uploaded.
pub const MAX_BANK_BYTES: usize = 10 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_counted_per_type_without_descriptions() {
        let parsed = crate::banks::gift::parse(
            "// [tag:unit:a]\n::M::a {=x ~y}\n\n// [tag:unit:a] [tag:level:mahir]\n::E::b {}\n\n\
             // [tag:unit:a]\n::E2::c {}\n\n// [tag:unit:a]\n::D::Deskripsi.",
        );
        let questions: Vec<Question> = parsed.questions.into_iter().map(|l| l.question).collect();
        let counts = tag_type_counts(&questions);
        assert_eq!(counts.len(), 2);
        assert_eq!(counts[0].tag, "level:mahir");
        assert_eq!(counts[0].counts, BTreeMap::from([(QuestionType::Essay, 1)]));
        assert_eq!(
            counts[1].counts,
            BTreeMap::from([(QuestionType::Multichoice, 1), (QuestionType::Essay, 2)])
        );
    }

    fn question(body: Body) -> (String, Located) {
        (
            "a.gift".into(),
            Located {
                at: Position { line: 3, column: 1 },
                question: Question {
                    id: None,
                    title: Some("Q".into()),
                    text: "Teks".into(),
                    text_format: TextFormat::Moodle,
                    general_feedback: String::new(),
                    body,
                    tags: vec!["unit:jaringan".into()],
                    category: None,
                    default_points: 1.0,
                    repeat: 0,
                    media: Vec::new(),
                },
            },
        )
    }

    fn choice(text: &str, fraction: f64) -> Choice {
        Choice {
            text: text.into(),
            fraction,
            feedback: String::new(),
        }
    }

    #[test]
    fn stable_id_prefers_author_id_then_title_then_hash() {
        let mut q = question(Body::Essay).1.question;
        assert_eq!(q.stable_id(), "Q");
        q.id = Some("pk-1".into());
        assert_eq!(q.stable_id(), "pk-1");
        q.id = None;
        q.title = None;
        assert!(q.stable_id().starts_with("h:"));
        assert_eq!(q.stable_id().len(), 18);
    }

    #[test]
    fn hash_changes_with_content() {
        let a = question(Body::Essay).1.question;
        let mut b = a.clone();
        assert_eq!(a.content_hash(), b.content_hash());
        b.text.push('!');
        assert_ne!(a.content_hash(), b.content_hash());
    }

    #[test]
    fn lint_finds_what_authors_get_wrong() {
        let mut untagged = question(Body::Essay);
        untagged.1.question.tags.clear();
        untagged.1.question.title = Some("Lain".into());
        let mut with_feedback = choice("c", 0.0);
        with_feedback.feedback = "bukan".into();
        let questions = vec![
            question(Body::Multichoice {
                single: true,
                choices: vec![choice("a", 0.0), choice("b", 0.0), with_feedback],
            }),
            question(Body::Multichoice {
                single: false,
                choices: vec![choice("a", 0.5), choice("b", 0.3), choice("c", -1.0)],
            }),
            untagged,
        ];
        let found: Vec<String> = lint(&questions).into_iter().map(|p| p.message).collect();
        assert!(
            found
                .iter()
                .any(|m| m.contains("100%") && m.contains("pilihan ganda")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|m| m.contains("berjumlah 80%,")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|m| m.contains("sudah dipakai")),
            "{found:?}"
        );
        assert!(found.iter().any(|m| m.contains("tag unit")), "{found:?}");
        assert!(
            found
                .iter()
                .any(|m| m.contains("pilihan salah 'a' tanpa umpan balik")),
            "{found:?}"
        );
    }

    #[test]
    fn moodle_text_keeps_line_breaks_and_drops_scripts() {
        let html = TextFormat::Moodle.to_html("a<script>x</script>\nb");
        assert_eq!(html, "a<br>\nb");
    }
}
