//! Pure rules of competency exams: the exam spec (units, tasks, rubrics)
//! and its checks, scoring a rubric, the final mark of a task from its
//! markers, moderation and appeal, the Kompeten / Belum Kompeten decision
//! per unit, candidate codes, conflicts of interest and who marks what
//! (in `markers`).
//! No I/O here.

use std::collections::BTreeMap;

use crate::attempts::model::AnswerLimit;
use crate::string_enum::string_enum;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

mod check;
mod forms;
pub mod history;
mod markers;
mod rubric;
pub use check::check_spec;
pub use markers::{Held, Marker, Refusal, conflict, may_mark, pick_markers, pick_moderator};
pub use rubric::{comment_required, score, unmet_criteria, unmet_in_final};

#[cfg(test)]
mod tests;

/// One level of a rubric criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Object)]
pub struct Level {
    pub points: f64,
    pub descriptor: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Object)]
pub struct Criterion {
    pub criterion: String,
    /// From the weakest to the strongest, points strictly increasing.
    pub levels: Vec<Level>,
    /// A must-pass criterion: a marking below these points on it fails the
    /// task whatever its total (a subnet plan without VLSM, a press release
    /// with an invented fact).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub must_reach: Option<f64>,
}

/// The largest file any task may accept (a task's own `max_kib` is at most this).
pub const MAX_TASK_FILE_BYTES: usize = 10 * 1024 * 1024;

/// What a task accepts as an uploaded file besides its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Object)]
pub struct Upload {
    /// `pdf`, `docx`, `png`, `jpg`.
    pub extensions: Vec<String>,
    pub max_kib: u32,
}

/// A practical or essay task: a bank essay question with a rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Object)]
pub struct Task {
    /// Short name unique in the exam, e.g. `siaran-pers`.
    pub key: String,
    /// The unit code it assesses.
    pub unit: String,
    /// The bank essay question (its `[id:…]`) holding the prompt.
    pub question: String,
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_limit: Option<u32>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub char_limit: Option<u32>,
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<Upload>,
    /// A total below this is below the unit's standard.
    pub pass_points: f64,
    pub rubric: Vec<Criterion>,
    /// Other forms of the same task (another scenario, its own rubric): each
    /// candidate gets one form, this task's own question or one of these, so
    /// that one leaked task does not serve every batch.
    #[oai(default)]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parallel_forms: Vec<TaskForm>,
}

/// A parallel form of a task: its question and the rubric it is marked by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Object)]
pub struct TaskForm {
    /// The bank essay question (its `[id:…]`) holding this form's prompt.
    pub question: String,
    pub pass_points: f64,
    pub rubric: Vec<Criterion>,
}

impl Task {
    /// How long its answer may be; it travels on the drawn question's slot.
    pub fn answer_limit(&self) -> Option<AnswerLimit> {
        AnswerLimit::of(self.word_limit, self.char_limit)
    }

    pub fn max_points(&self) -> f64 {
        self.rubric
            .iter()
            .filter_map(|c| c.levels.last().map(|l| l.points))
            .sum()
    }
}

/// A competency unit and its objective part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Object)]
pub struct Unit {
    /// The bank's `unit:` tag without the prefix, e.g. `siaran-pers`.
    pub code: String,
    pub title: String,
    /// Objective questions drawn with tag `unit:{code}` (0: tasks only).
    #[serde(default)]
    #[oai(default)]
    pub objective_count: u32,
    /// The objective part passes at this percentage of its points.
    #[serde(default = "default_objective_pass")]
    #[oai(default = "default_objective_pass")]
    pub objective_pass_percent: f64,
    /// Only objective questions of these types (absent: every machine-graded type).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub types: Option<Vec<crate::banks::model::QuestionType>>,
    /// Only objective questions tagged `level:<this>`, e.g. `ahli-pertama`.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

fn default_objective_pass() -> f64 {
    70.0
}

impl Unit {
    pub fn tag(&self) -> String {
        format!("unit:{}", self.code)
    }

    /// The draw of the unit's objective part: its exam-pool questions by
    /// unit tag, narrowed by type and level when given.
    pub fn rule(&self) -> crate::attempts::model::TagRule {
        crate::attempts::model::TagRule {
            types: self.types.clone(),
            level: self.level.clone(),
            ..crate::attempts::model::TagRule::new(self.tag(), self.objective_count)
        }
    }
}

/// Units and tasks of an exam, stored with it as JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExamSpec {
    pub units: Vec<Unit>,
    pub tasks: Vec<Task>,
}

impl ExamSpec {
    pub fn task(&self, key: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.key == key)
    }

    pub fn unit(&self, code: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.code == code)
    }
}

string_enum!(
    /// How two markers' totals become the final mark when they agree.
    FinalRule { Mean = "mean", Lower = "lower", Higher = "higher" }
);
string_enum!(
    /// Where an item stands: not opened, saved as a draft, locked.
    ItemStatus { Pending = "pending", Draft = "draft", Final = "final" }
);
string_enum!(
    UnitDecision { Kompeten = "kompeten", BelumKompeten = "belum_kompeten", Pending = "pending" }
);
string_enum!(
    AppealStatus { Submitted = "submitted", Assigned = "assigned", Decided = "decided" }
);

impl ItemStatus {
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::Pending => "Belum dinilai",
            ItemStatus::Draft => "Draf",
            ItemStatus::Final => "Final",
        }
    }
}

impl AppealStatus {
    pub fn label(self) -> &'static str {
        match self {
            AppealStatus::Submitted => "Diajukan",
            AppealStatus::Assigned => "Sedang ditinjau asesor lain",
            AppealStatus::Decided => "Diputuskan",
        }
    }
}

impl UnitDecision {
    pub fn label(self) -> &'static str {
        match self {
            UnitDecision::Kompeten => "Kompeten",
            UnitDecision::BelumKompeten => "Belum Kompeten",
            UnitDecision::Pending => "Belum diputuskan",
        }
    }
}

/// The rounds an item can be marked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Round {
    First = 1,
    Second = 2,
    Moderation = 3,
    Appeal = 4,
}

impl Round {
    pub fn from_i32(n: i32) -> Option<Round> {
        match n {
            1 => Some(Round::First),
            2 => Some(Round::Second),
            3 => Some(Round::Moderation),
            4 => Some(Round::Appeal),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Round::First | Round::Second => "penilaian",
            Round::Moderation => "moderasi",
            Round::Appeal => "banding",
        }
    }

    /// How administrators read the round.
    pub fn title(self) -> &'static str {
        match self {
            Round::First => "Penilai 1",
            Round::Second => "Penilai 2",
            Round::Moderation => "Moderasi",
            Round::Appeal => "Banding",
        }
    }
}

string_enum!(
    /// A round as the API names it.
    MarkRound { First = "first", Second = "second", Moderation = "moderation", Appeal = "appeal" }
);

impl From<Round> for MarkRound {
    fn from(round: Round) -> MarkRound {
        match round {
            Round::First => MarkRound::First,
            Round::Second => MarkRound::Second,
            Round::Moderation => MarkRound::Moderation,
            Round::Appeal => MarkRound::Appeal,
        }
    }
}

impl From<MarkRound> for Round {
    fn from(round: MarkRound) -> Round {
        match round {
            MarkRound::First => Round::First,
            MarkRound::Second => Round::Second,
            MarkRound::Moderation => Round::Moderation,
            MarkRound::Appeal => Round::Appeal,
        }
    }
}

/// The final marks of one task of one candidate, per round (`None`: not final yet).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RoundMarks {
    pub first: Option<f64>,
    pub second: Option<f64>,
    pub moderation: Option<f64>,
    pub appeal: Option<f64>,
}

/// Where the final mark of a task stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TaskOutcome {
    /// Markers have not all finished.
    Pending,
    /// The two markers differ by more than the threshold: the lead decides.
    NeedsModeration,
    Final(f64),
}

/// The final mark: an appeal decision wins, then a moderation, then the
/// markers' totals combined by `rule` when they are within `threshold`.
pub fn final_mark(
    marks: RoundMarks,
    double_marking: bool,
    threshold: f64,
    rule: FinalRule,
) -> TaskOutcome {
    if let Some(appeal) = marks.appeal {
        return TaskOutcome::Final(appeal);
    }
    if let Some(moderated) = marks.moderation {
        return TaskOutcome::Final(moderated);
    }
    let Some(first) = marks.first else {
        return TaskOutcome::Pending;
    };
    if !double_marking {
        return TaskOutcome::Final(first);
    }
    let Some(second) = marks.second else {
        return TaskOutcome::Pending;
    };
    if (first - second).abs() > threshold {
        return TaskOutcome::NeedsModeration;
    }
    TaskOutcome::Final(match rule {
        FinalRule::Mean => (first + second) / 2.0,
        FinalRule::Lower => first.min(second),
        FinalRule::Higher => first.max(second),
    })
}

/// One task's part in a unit's decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskStanding {
    pub outcome: TaskOutcome,
    pub pass_points: f64,
    /// Every must-pass criterion reached in the final mark.
    pub must_pass_met: bool,
}

/// A unit's standing from its objective percentage (if it has questions)
/// and the final marks of its tasks: each must reach its pass points and
/// every must-pass criterion.
pub fn decide_unit(
    unit: &Unit,
    objective_percent: Option<f64>,
    tasks: &[TaskStanding],
) -> UnitDecision {
    if tasks
        .iter()
        .any(|t| !matches!(t.outcome, TaskOutcome::Final(_)))
    {
        return UnitDecision::Pending;
    }
    if unit.objective_count > 0 && objective_percent.is_none() {
        return UnitDecision::Pending;
    }
    let objective_ok = unit.objective_count == 0
        || objective_percent.is_some_and(|p| p + 1e-9 >= unit.objective_pass_percent);
    let tasks_ok = tasks.iter().all(|t| match t.outcome {
        TaskOutcome::Final(total) => total + 1e-9 >= t.pass_points && t.must_pass_met,
        _ => false,
    });
    if objective_ok && tasks_ok {
        UnitDecision::Kompeten
    } else {
        UnitDecision::BelumKompeten
    }
}

/// Percent of the objective points per unit, from `(unit tags, points,
/// fraction)` of each graded objective question.
pub fn objective_by_unit(
    units: &[Unit],
    marks: &[(Vec<String>, f64, Option<f64>)],
) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for unit in units.iter().filter(|u| u.objective_count > 0) {
        let tag = unit.tag();
        let (got, max) = marks
            .iter()
            .filter(|(tags, _, _)| tags.contains(&tag))
            .fold((0.0, 0.0), |(got, max), (_, points, fraction)| {
                (got + points * fraction.unwrap_or(0.0), max + points)
            });
        if max > 0.0 {
            // Unrounded: 69.96 % must not pass a 70 % mark.
            out.insert(unit.code.clone(), got / max * 100.0);
        }
    }
    out
}

/// `HM-2026-017`: says nothing about who the candidate is.
pub fn candidate_code(prefix: &str, year: i32, number: i32) -> String {
    format!("{prefix}-{year}-{number:03}")
}

/// The file type of an upload, from its first bytes and its name (a .docx
/// is a ZIP; only its name tells it from other ZIPs).
pub fn sniff_upload(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    if bytes.starts_with(b"%PDF-") {
        Some("pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"PK\x03\x04") && ext == "docx" {
        Some("docx")
    } else {
        None
    }
}

pub fn content_type(kind: &str) -> &'static str {
    match kind {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" => "image/jpeg",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
}

/// Whether a trainee may still appeal, `days` after release.
pub fn appeal_open(
    released_at: time::OffsetDateTime,
    days: i32,
    now: time::OffsetDateTime,
) -> bool {
    now <= released_at + time::Duration::days(i64::from(days))
}
