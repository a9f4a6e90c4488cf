//! Pure rules of the attempt engine: settings, drawing questions, choice
//! ids, deadlines, validating a response, grading as Moodle grades, what a
//! review may show, which grade is kept, and item analysis. No I/O here.

use poem_openapi::Object;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::banks::model::{Body, Question, QuestionType};
use crate::error::FieldError;

mod analysis;
mod answer;
pub mod answer_writes;
mod checks;
mod choice_ids;
pub mod cloze;
mod draw;
pub mod gain;
mod limits;
pub use analysis::{ItemStats, analyse, item_stats};
pub use answer::{Answer, AnswerBlank, AnswerBody};
pub use checks::{check_rules, check_selection};
#[cfg(test)]
use draw::slot_for;
pub use draw::{draw, draw_avoiding};
pub use limits::{AnswerLimit, set_limits, word_count};
pub mod essays;
pub use choice_ids::{ChoiceKey, ChoiceList};

/// Answers arriving this long after the deadline are still taken: the
/// network of a hotel ballroom is slow, not the trainee.
pub const GRACE: Duration = Duration::seconds(5);

/// An attempt without a time limit or closing time still ends some day.
const NO_DEADLINE: Duration = Duration::days(365);

use crate::string_enum::string_enum;

string_enum!(
    /// What an attempt belongs to: a module's quiz, a competency exam, or
    /// the course's pre-test or post-test (one blueprint, drawn twice).
    AssessmentKind {
        Quiz = "quiz",
        Exam = "exam",
        PreTest = "pre_test",
        PostTest = "post_test",
    }
);
string_enum!(
    /// Which attempt's grade counts when there are several.
    GradeMethod { Highest = "highest", Last = "last" }
);
string_enum!(
    /// When a trainee may see correct answers and feedback.
    ReviewPolicy { Never = "never", AfterSubmit = "after_submit", AfterClose = "after_close" }
);
string_enum!(
    AttemptStatus { Open = "open", Submitted = "submitted", Graded = "graded" }
);

impl AssessmentKind {
    /// Taken (and counted) once per batch rather than once per course.
    pub fn per_batch(self) -> bool {
        matches!(self, AssessmentKind::PreTest | AssessmentKind::PostTest)
    }
}

impl AttemptStatus {
    /// As a trainee reads it.
    pub fn label(self) -> &'static str {
        match self {
            AttemptStatus::Open => "Sedang dikerjakan",
            AttemptStatus::Submitted => "Dikumpulkan, menunggu penilaian",
            AttemptStatus::Graded => "Dinilai",
        }
    }
}

/// How many questions of which tag (or exactly which questions) an attempt draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Selection {
    ByTags {
        rules: Vec<TagRule>,
    },
    Fixed {
        question_ids: Vec<String>,
    },
    /// A competency exam: objective questions by tag (never essays, which
    /// are tasks with rubrics), then the exam's tasks in their given order,
    /// all from the bank's exam pool.
    Exam {
        rules: Vec<TagRule>,
        tasks: Vec<TaskQuestions>,
        /// Draws only from the exam pool. Exams built before the pool
        /// existed read `false` and keep drawing as they were built.
        #[serde(default)]
        exam_pool: bool,
    },
}

/// The questions of one exam task: its parallel forms, of which each
/// candidate draws one. Exams stored before forms existed hold a bare id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TaskQuestions {
    One(String),
    Forms(Vec<String>),
}

impl TaskQuestions {
    pub fn ids(&self) -> &[String] {
        match self {
            TaskQuestions::One(id) => std::slice::from_ref(id),
            TaskQuestions::Forms(ids) => ids,
        }
    }
}

pub use crate::banks::model::EXAM_POOL_TAG;

pub(super) fn in_exam_pool(question: &Question) -> bool {
    question.in_exam_pool()
}

/// A question an objective rule of an exam may draw: graded by the machine.
pub(super) fn objective(question: &Question) -> bool {
    objective_type(question.kind())
}

/// Draw `count` questions carrying `tag`, of the given types and level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct TagRule {
    /// e.g. `unit:jaringan`.
    pub tag: String,
    pub count: u32,
    /// The question types the rule may draw, e.g. `["multichoice", "truefalse"]`.
    /// Absent: every machine-graded type, never `essay`. Rules stored before
    /// types existed have none, and an essay they drew silently would leave
    /// the attempt waiting for a marker nobody knew about; so an essay is
    /// drawn only when a rule names it.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<QuestionType>>,
    /// Only questions tagged `level:<this>`, e.g. `ahli-muda` (a leading
    /// `level:` is accepted and ignored).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

impl TagRule {
    /// A rule on `tag` with the default types and no level.
    pub fn new(tag: impl Into<String>, count: u32) -> TagRule {
        TagRule {
            tag: tag.into(),
            count,
            types: None,
            level: None,
        }
    }

    /// Whether the rule may draw a question of type `kind`.
    pub fn allows(&self, kind: QuestionType) -> bool {
        match &self.types {
            Some(types) => kind != QuestionType::Description && types.contains(&kind),
            None => objective_type(kind),
        }
    }

    /// The `level:` tag the rule asks for, if any.
    pub fn level_tag(&self) -> Option<String> {
        self.level
            .as_deref()
            .map(|l| l.trim().trim_start_matches("level:").trim())
            .filter(|l| !l.is_empty())
            .map(|l| format!("level:{l}"))
    }

    /// Whether `question` is one this rule may draw.
    pub fn admits(&self, question: &Question) -> bool {
        self.allows(question.kind())
            && question.tags.contains(&self.tag)
            && self
                .level_tag()
                .is_none_or(|level| question.tags.contains(&level))
    }

    /// Whether the rule may draw questions an assessor must mark.
    pub fn draws_essays(&self) -> bool {
        self.allows(QuestionType::Essay)
    }

    /// How a person reads the rule: `3 × unit:jaringan, Pilihan ganda/Esai, level:ahli-muda`.
    pub fn describe(&self) -> String {
        let mut text = format!("{} × {}", self.count, self.tag);
        if let Some(types) = &self.types {
            let labels: Vec<&str> = types.iter().map(|t| t.label()).collect();
            text.push_str(&format!(", {}", labels.join("/")));
        }
        if let Some(level) = self.level_tag() {
            text.push_str(&format!(", {level}"));
        }
        text
    }
}

/// A type the machine grades: everything but essays and descriptions.
pub fn objective_type(kind: QuestionType) -> bool {
    !matches!(kind, QuestionType::Description | QuestionType::Essay)
}

/// Whether any rule of the selection draws essays (which wait for a marker).
pub fn draws_essays(selection: &Selection) -> bool {
    match selection {
        Selection::ByTags { rules } => rules.iter().any(TagRule::draws_essays),
        Selection::Fixed { .. } | Selection::Exam { .. } => false,
    }
}

/// One drawn question of an attempt, pinned to its version, in the order shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    /// The question version's id.
    pub question_id: Uuid,
    pub points: f64,
    /// Choices in the order shown (indexes into the question's choices).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<u16>,
    /// Matching: right-hand answers in the order shown (indexes into the distinct answers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub right_order: Vec<u16>,
    /// How long a written answer may be (an exam task's limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<AnswerLimit>,
}

/// A question the draw may pick, from the bank's current version.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: Uuid,
    pub stable_id: String,
    pub question: std::sync::Arc<Question>,
}

pub(crate) fn distinct_rights(pairs: &[crate::banks::model::MatchPair]) -> Vec<&str> {
    let mut rights: Vec<&str> = Vec::new();
    for p in pairs {
        if !rights.contains(&p.right.as_str()) {
            rights.push(p.right.as_str());
        }
    }
    rights
}

/// `min(start + limit, close)`, computed by the server alone.
pub fn deadline(
    start: OffsetDateTime,
    limit_seconds: Option<i32>,
    closes_at: Option<OffsetDateTime>,
) -> OffsetDateTime {
    let by_limit = limit_seconds.map(|s| start + Duration::seconds(i64::from(s)));
    match (by_limit, closes_at) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => start + NO_DEADLINE,
    }
}

/// Whether a save at `now` still counts for an attempt ending at `deadline`.
pub fn accepts_answers(deadline: OffsetDateTime, now: OffsetDateTime) -> bool {
    now <= deadline + GRACE
}

const MAX_TEXT: usize = 20_000;

/// Checks a response against the question it answers, as shown in this attempt.
pub fn validate(
    response: &Answer,
    question: &Question,
    slot: &Slot,
    key: &ChoiceKey,
) -> Result<(), FieldError> {
    match (&question.body, response) {
        (Body::Multichoice { single, choices }, Answer::Choices(picked)) => {
            if *single && picked.len() > 1 {
                return Err(FieldError::new(
                    "response.choices",
                    "soal ini hanya menerima satu pilihan",
                ));
            }
            // Bounded before any id is derived: a body of a thousand ids
            // must not cost a thousand rounds of hashing.
            if picked.len() > choices.len() {
                return Err(FieldError::new(
                    "response.choices",
                    format!("soal ini hanya memiliki {} pilihan", choices.len()),
                ));
            }
            key.positions(
                slot.question_id,
                ChoiceList::Choice,
                0..choices.len(),
                picked,
            )
            .map_err(|id| {
                FieldError::new(
                    "response.choices",
                    format!("pilihan '{id}' tidak ada pada soal ini"),
                )
            })?;
        }
        (Body::Truefalse { .. }, Answer::Choices(picked)) => {
            if picked.len() > 1 || picked.iter().any(|c| c != "true" && c != "false") {
                return Err(FieldError::new(
                    "response.choices",
                    "pilih 'true' atau 'false'",
                ));
            }
        }
        (Body::Shortanswer { .. } | Body::Essay, Answer::Text(text)) => {
            if text.chars().count() > MAX_TEXT {
                return Err(FieldError::new(
                    "response.text",
                    format!("maksimal {MAX_TEXT} karakter"),
                ));
            }
        }
        (Body::Numerical { .. }, Answer::Number(number)) => {
            if !number.is_finite() {
                return Err(FieldError::new("response.number", "bukan angka"));
            }
        }
        (Body::Matching { pairs }, Answer::Matches(matches)) => {
            let rights = distinct_rights(pairs).len();
            if matches.len() > pairs.len() {
                return Err(FieldError::new(
                    "response.matches",
                    format!("soal ini hanya memiliki {} butir", pairs.len()),
                ));
            }
            for (left, right) in matches {
                if key
                    .position(slot.question_id, ChoiceList::Left, pairs.len(), left)
                    .is_none()
                {
                    return Err(FieldError::new(
                        "response.matches",
                        format!("butir kiri '{left}' tidak ada pada soal ini"),
                    ));
                }
                if key
                    .position(slot.question_id, ChoiceList::Right, rights, right)
                    .is_none()
                {
                    return Err(FieldError::new(
                        "response.matches",
                        format!("pasangan '{right}' tidak ada pada soal ini"),
                    ));
                }
            }
        }
        (Body::Cloze { blanks }, Answer::Blanks(given)) => {
            cloze::validate(given, blanks, slot.question_id, key)?;
        }
        (Body::Description, _) => {
            return Err(FieldError::new("response", "deskripsi tidak dijawab"));
        }
        (body, _) => {
            return Err(FieldError::new(
                "response",
                format!("soal ini dijawab dengan {}", answered_with(body)),
            ));
        }
    }
    Ok(())
}

/// The answer field a question type takes.
fn answered_with(body: &Body) -> &'static str {
    match body {
        Body::Multichoice { .. } | Body::Truefalse { .. } => "choices",
        Body::Shortanswer { .. } | Body::Essay => "text",
        Body::Numerical { .. } => "number",
        Body::Matching { .. } => "matches",
        Body::Cloze { .. } => "blanks",
        Body::Description => "response",
    }
}

/// Short answers compare case-insensitively after trimming and collapsing spaces.
pub fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The share of the question's points a response earns, as Moodle computes
/// it; `None` when an assessor must decide (essay).
pub fn fraction(
    question: &Question,
    slot: &Slot,
    response: Option<&Answer>,
    key: &ChoiceKey,
) -> Option<f64> {
    let clamp = |f: f64| f.clamp(0.0, 1.0);
    Some(match (&question.body, response) {
        (Body::Essay, _) => return None,
        (Body::Description, _) | (_, None) => 0.0,
        (Body::Multichoice { choices, .. }, Some(Answer::Choices(picked))) => {
            let total: f64 = (0..choices.len() as u16)
                .filter(|i| picked.contains(&key.id(slot.question_id, ChoiceList::Choice, *i)))
                .map(|i| choices[i as usize].fraction)
                .sum();
            clamp(total)
        }
        (Body::Truefalse { correct, .. }, Some(Answer::Choices(picked))) => {
            let wanted = if *correct { "true" } else { "false" };
            if picked.len() == 1 && picked[0] == wanted {
                1.0
            } else {
                0.0
            }
        }
        (Body::Shortanswer { answers }, Some(Answer::Text(text))) => {
            let given = normalise(text);
            if given.is_empty() {
                0.0
            } else {
                answers
                    .iter()
                    .filter(|a| crate::banks::cloze::matches_pattern(&a.text, &given, false))
                    .map(|a| a.fraction)
                    .fold(0.0, f64::max)
            }
        }
        (Body::Numerical { answers }, Some(Answer::Number(x))) => answers
            .iter()
            .filter(|a| a.value.is_none_or(|v| (x - v).abs() <= a.tolerance + 1e-9))
            .map(|a| a.fraction)
            .fold(0.0, f64::max),
        (Body::Cloze { blanks }, Some(Answer::Blanks(given))) => {
            cloze::fraction(blanks, given, slot, key)
        }
        (Body::Matching { pairs }, Some(Answer::Matches(matches))) => {
            let rights = distinct_rights(pairs);
            let real: Vec<usize> = (0..pairs.len())
                .filter(|i| !pairs[*i].left.is_empty())
                .collect();
            if real.is_empty() {
                0.0
            } else {
                let correct = real
                    .iter()
                    .filter(|i| {
                        let left = key.id(slot.question_id, ChoiceList::Left, **i as u16);
                        let right = rights
                            .iter()
                            .position(|r| *r == pairs[**i].right)
                            .unwrap_or(usize::MAX) as u16;
                        matches.get(&left)
                            == Some(&key.id(slot.question_id, ChoiceList::Right, right))
                    })
                    .count();
                correct as f64 / real.len() as f64
            }
        }
        // Validation refuses an answer of the wrong kind; one stored before
        // a question changed type earns nothing.
        (_, Some(_)) => 0.0,
    })
}

/// One question's result in an attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub question_id: Uuid,
    pub points: f64,
    /// `None` until an assessor grades it.
    pub fraction: Option<f64>,
}

/// `(score, max, percent, complete)`: `complete` is false while a mark waits for an assessor.
pub fn totals(marks: &[Mark]) -> (f64, f64, f64, bool) {
    let max: f64 = marks.iter().map(|m| m.points).sum();
    let score: f64 = marks
        .iter()
        .map(|m| m.points * m.fraction.unwrap_or(0.0))
        .sum();
    let complete = marks.iter().all(|m| m.fraction.is_some());
    let percent = if max > 0.0 {
        (score / max * 10000.0).round() / 100.0
    } else {
        0.0
    };
    ((score * 1e6).round() / 1e6, max, percent, complete)
}

/// The marks of an attempt's drawn questions: what the machine grades from
/// each response, and for what it cannot grade (an essay) the mark an
/// earlier grading gave (`earlier`: empty when handing in, the stored marks
/// when regrading, so a marked essay is kept).
pub fn grade(
    slots: &[Slot],
    questions: &std::collections::HashMap<Uuid, std::sync::Arc<Question>>,
    responses: &std::collections::HashMap<Uuid, Answer>,
    key: &ChoiceKey,
    earlier: &[Mark],
) -> Vec<Mark> {
    slots
        .iter()
        .map(|slot| {
            let auto = questions
                .get(&slot.question_id)
                .and_then(|q| fraction(q, slot, responses.get(&slot.question_id), key));
            let manual = earlier
                .iter()
                .find(|m| m.question_id == slot.question_id)
                .and_then(|m| m.fraction);
            Mark {
                question_id: slot.question_id,
                points: slot.points,
                fraction: auto.or(manual),
            }
        })
        .collect()
}

/// Whether a trainee may see the correct answers and feedback now.
pub fn review_open(
    policy: ReviewPolicy,
    attempt_closed: bool,
    closes_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> bool {
    attempt_closed
        && match policy {
            ReviewPolicy::Never => false,
            ReviewPolicy::AfterSubmit => true,
            ReviewPolicy::AfterClose => closes_at.is_some_and(|c| now > c),
        }
}

/// The attempt whose grade counts: `(number, percent)` of graded attempts.
pub fn kept(graded: &[(i32, f64)], method: GradeMethod) -> Option<(i32, f64)> {
    match method {
        GradeMethod::Highest => graded
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0))),
        GradeMethod::Last => graded.iter().copied().max_by_key(|a| a.0),
    }
}

#[cfg(test)]
mod tests;
