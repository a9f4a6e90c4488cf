//! Files uploaded for exam tasks: checked against the task's allowed types
//! (by their bytes, not just their name) and size, accepted only while the
//! attempt is open, and shown to assessors under a neutral name so that a
//! file name cannot reveal who wrote it.

use poem_openapi::Object;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::codes::code_for;
use super::model::{content_type, sniff_upload};
use super::setup::load;
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::attempts::model::accepts_answers;
use crate::clock;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::task_file;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, Serialize, Object)]
pub struct FileInfo {
    pub task_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
}

fn info(row: &task_file::Model) -> FileInfo {
    FileInfo {
        task_key: row.task_key.clone(),
        file_name: row.file_name.clone(),
        content_type: row.content_type.clone(),
        size_bytes: row.size_bytes,
        saved_at: row.saved_at,
    }
}

/// The extension of a checked upload, from its recognised type: never from
/// the name the candidate gave it, which may carry their own name.
pub fn extension(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        _ => "bin",
    }
}

/// The name an assessor sees: candidate code, task and type only.
pub fn neutral_name(code: &str, task_key: &str, content_type: &str) -> String {
    format!("{code}-{task_key}.{}", extension(content_type))
}

fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Stores (or replaces) the candidate's file for a task of their open attempt.
pub async fn upload(
    engine: &Engine,
    user: &CurrentUser,
    exam_id: Uuid,
    task_key: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<FileInfo> {
    let loaded = load(engine, exam_id).await?;
    let task = loaded.spec.task(task_key).ok_or(AppError::NotFound)?;
    let Some(rule) = &task.upload else {
        return Err(AppError::invalid_field(
            "file",
            "tugas ini tidak menerima unggahan berkas",
        ));
    };
    let attempt =
        crate::attempts::lookup::open_attempt(engine.db.read(), loaded.assessment.id, user.id)
            .await?
            .filter(|a| accepts_answers(a.deadline_at, clock::now()))
            .ok_or_else(|| {
                AppError::conflict(
                    Conflict::AttemptClosed,
                    "Tidak ada ujian yang sedang Anda kerjakan; berkas tidak disimpan.",
                )
            })?;
    let allowed = rule.extensions.join(", ");
    let kind = sniff_upload(file_name, &bytes)
        .filter(|k| rule.extensions.iter().any(|e| e == k))
        .ok_or_else(|| {
            AppError::invalid_field(
                "file",
                format!("jenis berkas tidak diterima; yang diterima: {allowed}"),
            )
        })?;
    if bytes.len() > rule.max_kib as usize * 1024 {
        return Err(AppError::invalid_field(
            "file",
            format!(
                "berkas {} melebihi batas {}",
                size_text(bytes.len()),
                size_text(rule.max_kib as usize * 1024)
            ),
        ));
    }
    let row = task_file::Model {
        attempt_id: attempt.id,
        task_key: task.key.clone(),
        file_name: file_name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(file_name)
            .chars()
            .take(200)
            .collect(),
        content_type: content_type(kind).into(),
        size_bytes: bytes.len() as i64,
        data: bytes,
        saved_at: clock::now(),
    };
    let stored = info(&row);
    engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                // Checked again where it is written: a submit may have come first.
                let still_open = crate::attempts::lookup::is_open(txn, row.attempt_id).await?;
                if !still_open {
                    return Err(AppError::conflict(
                        Conflict::AttemptClosed,
                        "Ujian sudah dikumpulkan; berkas tidak disimpan.",
                    ));
                }
                task_file::Entity::insert(row.into_active_model())
                    .on_conflict(
                        OnConflict::columns([
                            task_file::Column::AttemptId,
                            task_file::Column::TaskKey,
                        ])
                        .update_columns([
                            task_file::Column::FileName,
                            task_file::Column::ContentType,
                            task_file::Column::SizeBytes,
                            task_file::Column::Data,
                            task_file::Column::SavedAt,
                        ])
                        .to_owned(),
                    )
                    .exec(txn)
                    .await?;
                Ok(())
            })
        })
        .await?;
    Ok(stored)
}

/// The files of the caller's latest attempt of the exam.
pub async fn mine(engine: &Engine, user: &CurrentUser, exam_id: Uuid) -> AppResult<Vec<FileInfo>> {
    let loaded = load(engine, exam_id).await?;
    let Some(attempt) =
        crate::attempts::lookup::latest_attempt(engine.db.read(), loaded.assessment.id, user.id)
            .await?
    else {
        return Ok(Vec::new());
    };
    of_attempt(engine, attempt.id).await
}

pub async fn of_attempt(engine: &Engine, attempt_id: Uuid) -> AppResult<Vec<FileInfo>> {
    Ok(task_file::Entity::find()
        .filter(task_file::Column::AttemptId.eq(attempt_id))
        .all(engine.db.read())
        .await?
        .iter()
        .map(info)
        .collect())
}

/// The file behind one of the caller's grading items, named by candidate
/// code and task only.
pub async fn for_item(
    engine: &Engine,
    assessor: &CurrentUser,
    item_id: Uuid,
) -> AppResult<(String, String, Vec<u8>)> {
    assessor.require(Role::Assessor)?;
    let item = store::item(engine.db.read(), item_id)
        .await?
        .filter(|i| i.assessor_id == assessor.id)
        .ok_or(AppError::NotFound)?;
    let row = task_file::Entity::find_by_id((item.attempt_id, item.task_key.clone()))
        .one(engine.db.read())
        .await?
        .ok_or(AppError::NotFound)?;
    let loaded = load(engine, item.exam_id).await?;
    let code = code_for(engine, &loaded, item.candidate_id).await?;
    Ok((
        neutral_name(&code, &item.task_key, &row.content_type),
        row.content_type,
        row.data,
    ))
}
