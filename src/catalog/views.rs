//! What the API and the pages show of courses and modules.

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{CourseStatus, Track};

#[derive(Debug, Clone, Object, Serialize)]
pub struct CourseView {
    pub id: Uuid,
    pub code: String,
    pub title: String,
    pub track: Track,
    pub target_level: Option<String>,
    pub description: String,
    pub status: CourseStatus,
    /// Attendance needed to complete a batch, in percent.
    pub min_attendance_percent: i32,
    /// Sum of the JP of its modules.
    pub total_jp: i32,
    pub module_count: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct ModuleSummary {
    pub id: Uuid,
    pub position: i32,
    pub title: String,
    pub jp: Option<i32>,
    /// Whether the caller has marked it read.
    pub completed: bool,
}

#[derive(Debug, Clone, Copy, Object, Serialize)]
pub struct Progress {
    pub read: u32,
    pub total: u32,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct CourseDetail {
    #[oai(flatten)]
    #[serde(flatten)]
    pub course: CourseView,
    pub modules: Vec<ModuleSummary>,
    /// The caller's own reading progress.
    pub progress: Progress,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct AttachmentView {
    pub id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub url: String,
}

#[derive(Debug, Clone, Object, Serialize)]
pub struct ModuleView {
    pub id: Uuid,
    pub course_id: Uuid,
    pub course_title: String,
    pub position: i32,
    pub title: String,
    pub jp: Option<i32>,
    pub body_markdown: String,
    /// Rendered from the Markdown and sanitised: safe to insert into a page.
    pub body_html: String,
    pub attachments: Vec<AttachmentView>,
    pub previous_id: Option<Uuid>,
    pub next_id: Option<Uuid>,
    pub completed: bool,
}
