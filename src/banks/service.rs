//! Importing, browsing and exporting question banks.
//!
//! An import is all-or-nothing: every file is parsed first and any error
//! (with its file, line and column) refuses the whole import. Then, in one
//! write transaction, each question is compared by stable id and content
//! hash with the bank's newest version of it: unchanged questions are
//! reused, changed ones get a new version row, and a new bank version is
//! recorded only if anything differs. Old question versions are never
//! touched, so attempts that used them keep them.

use std::collections::BTreeMap;
use std::path::Path;

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::formats::{self, ExportFormat, Format};
use super::media::MediaFile;
use super::model::{
    Body, Located, ParseError, Question, QuestionType, TagTypeCount, count_by_type,
    tag_type_counts as count_tags,
};
use super::store::{self, NewVersion};
use crate::accounts::model::{CurrentUser, Role};
use crate::clock;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::entities::{question, question_bank};
use crate::error::{AppError, AppResult, FieldError};

pub struct SourceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub struct ImportRequest {
    /// Defaults to the (single) file's name without extension.
    pub bank_name: Option<String>,
    pub format: Format,
    pub files: Vec<SourceFile>,
    pub dry_run: bool,
}

/// Who may read banks, answer keys included: administrators and assessors.
pub fn may_read(user: &CurrentUser) -> AppResult<()> {
    if user.has(Role::Admin) || user.has(Role::Assessor) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Who may import banks: administrators.
pub fn may_import(user: &CurrentUser) -> AppResult<()> {
    user.require(Role::Admin)
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct QuestionPreview {
    pub file: String,
    pub line: u32,
    pub stable_id: String,
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: QuestionType,
    pub title: Option<String>,
    pub tags: Vec<String>,
    /// `new`, `changed` or `unchanged` compared with the bank's newest version.
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct ImportReport {
    pub bank_id: Option<Uuid>,
    pub bank_name: String,
    /// The bank version holding the imported questions (unchanged if nothing changed).
    pub version: i32,
    /// New questions plus changed ones (new versions).
    pub imported: u32,
    pub new: u32,
    pub changed: u32,
    pub unchanged: u32,
    /// Questions of the previous version that the file no longer holds.
    pub removed: u32,
    pub by_type: BTreeMap<String, u32>,
    pub warnings: Vec<FieldError>,
    pub dry_run: bool,
    pub questions: Vec<QuestionPreview>,
}

fn located_error(file: &str, e: &ParseError) -> FieldError {
    FieldError::in_file(file, e.at.line, e.at.column, e.message.clone())
}

/// What the files of one import hold.
pub struct ParsedFiles {
    /// Each question with the name of the file it came from.
    pub questions: Vec<(String, Located)>,
    pub warnings: Vec<FieldError>,
    /// The format of the last file (the bank's source format).
    pub format: Format,
    /// The images the questions show.
    pub media: Vec<MediaFile>,
}

/// Every question of every file, or every error of every file.
pub fn parse_files(format: Format, files: &[SourceFile]) -> Result<ParsedFiles, Vec<FieldError>> {
    let mut questions = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut used = Format::Gift;
    let mut media: Vec<MediaFile> = Vec::new();
    let mut seen_media = std::collections::HashSet::new();
    for file in files {
        let text = match std::str::from_utf8(
            file.bytes
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(&file.bytes),
        ) {
            Ok(text) => text,
            Err(err) => {
                errors.push(FieldError {
                    file: Some(file.name.clone()),
                    ..FieldError::new(
                        "file",
                        format!(
                            "berkas harus UTF-8 (byte tidak sah di posisi {})",
                            crate::numbers::grouped(err.valid_up_to() as u64)
                        ),
                    )
                });
                continue;
            }
        };
        used = format.resolve(&file.name, text);
        let mut parsed = formats::parse(used, text);
        for image in std::mem::take(&mut parsed.media) {
            if seen_media.insert(image.sha256.clone()) {
                media.push(image);
            }
        }
        errors.extend(parsed.errors.iter().map(|e| located_error(&file.name, e)));
        warnings.extend(parsed.warnings.iter().map(|e| located_error(&file.name, e)));
        questions.extend(parsed.questions.into_iter().map(|q| (file.name.clone(), q)));
    }
    let (id_errors, id_warnings) = super::identity::assign(&mut questions);
    errors.extend(id_errors);
    warnings.extend(id_warnings);
    if questions.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("file", "tidak ada soal di berkas ini"));
    }
    if errors.is_empty() {
        Ok(ParsedFiles {
            questions,
            warnings,
            format: used,
            media,
        })
    } else {
        Err(errors)
    }
}

fn bank_name_for(request: &ImportRequest) -> AppResult<String> {
    let name = match (&request.bank_name, request.files.as_slice()) {
        (Some(name), _) if !name.trim().is_empty() => name.trim().to_owned(),
        (_, [one]) => Path::new(&one.name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        _ => String::new(),
    };
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::invalid_field(
            "name",
            "nama bank wajib diisi (maksimal 120 karakter)",
        ));
    }
    Ok(name)
}

/// Imports a bank on an administrator's behalf; the new version records them.
pub async fn import(
    db: &Db,
    admin: &CurrentUser,
    request: ImportRequest,
) -> AppResult<ImportReport> {
    may_import(admin)?;
    import_as(db, Some(admin.id), request).await
}

/// Imports a bank with the machine's authority: the operator's
/// `import-bank` command and the banks shipped with the binary.
pub async fn import_unattended(db: &Db, request: ImportRequest) -> AppResult<ImportReport> {
    import_as(db, None, request).await
}

async fn import_as(
    db: &Db,
    actor: Option<Uuid>,
    request: ImportRequest,
) -> AppResult<ImportReport> {
    let bank_name = bank_name_for(&request)?;
    let source_name = request
        .files
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let ImportRequest {
        format,
        files,
        dry_run,
        ..
    } = request;
    let ParsedFiles {
        questions,
        warnings,
        format,
        media,
    } = crate::blocking::run(move || parse_files(format, &files))
        .await?
        .map_err(AppError::validation)?;
    let now = clock::now();

    let txn = db.begin_write().await?;
    let bank = match store::bank_by_name(&txn, &bank_name).await? {
        Some(bank) => bank,
        None => store::insert_bank(&txn, &bank_name, format, now).await?,
    };
    // Only what a question kept (not the images of skipped questions).
    let kept: std::collections::HashSet<&str> = questions
        .iter()
        .flat_map(|(_, l)| l.question.media.iter().map(|m| m.sha256.as_str()))
        .collect();
    for image in media.iter().filter(|m| kept.contains(m.sha256.as_str())) {
        store::insert_media(&txn, image, now).await?;
    }
    let latest = store::latest_questions(&txn, bank.id).await?;
    let previous_members = match store::version(&txn, bank.id, bank.current_version).await? {
        Some(v) => store::members(&txn, v.id).await?,
        None => Vec::new(),
    };

    let mut report = ImportReport {
        bank_id: Some(bank.id),
        bank_name: bank.name.clone(),
        version: bank.current_version,
        imported: 0,
        new: 0,
        changed: 0,
        unchanged: 0,
        removed: 0,
        by_type: count_by_type(questions.iter().map(|(_, l)| &l.question)),
        warnings,
        dry_run,
        questions: Vec::new(),
    };
    let mut members = Vec::with_capacity(questions.len());
    for (file, located) in &questions {
        let q = &located.question;
        let stable_id = q.stable_id();
        let status = match latest.get(&stable_id) {
            Some(row) if row.content_hash == q.content_hash() => {
                report.unchanged += 1;
                members.push(row.id);
                "unchanged"
            }
            existing => {
                let version = existing.map_or(1, |row| row.version + 1);
                members.push(store::insert_question(&txn, bank.id, version, q, now).await?);
                if existing.is_some() {
                    report.changed += 1;
                    "changed"
                } else {
                    report.new += 1;
                    "new"
                }
            }
        };
        report.questions.push(QuestionPreview {
            file: file.clone(),
            line: located.at.line,
            stable_id,
            kind: q.kind(),
            title: q.title.clone(),
            tags: q.tags.clone(),
            status: status.to_owned(),
        });
    }
    report.imported = report.new + report.changed;
    let kept: std::collections::HashSet<&Uuid> = members.iter().collect();
    report.removed = previous_members
        .iter()
        .filter(|id| !kept.contains(id))
        .count() as u32;

    if members != previous_members {
        report.version = bank.current_version + 1;
        store::insert_version(
            &txn,
            NewVersion {
                bank_id: bank.id,
                version: report.version,
                source_name: &source_name,
                created_by: actor,
                members: &members,
            },
            now,
        )
        .await?;
    }
    if dry_run {
        txn.rollback().await?;
        if bank.current_version == 0 && report.version == 1 {
            report.bank_id = None;
        }
    } else {
        txn.commit().await.map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::conflict(
                Conflict::ImportInProgress,
                "Impor lain ke bank ini sedang berjalan; coba lagi.",
            ),
            _ => AppError::Db(e),
        })?;
        // After the commit: a read before it would copy the old version again.
        super::lookup::forget_current_version(bank.id);
    }
    Ok(report)
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct BankView {
    pub id: Uuid,
    pub name: String,
    pub source_format: Format,
    pub current_version: i32,
    pub question_count: u32,
    pub by_type: BTreeMap<String, u32>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A question with its answer key: only for administrators and assessors.
#[derive(Debug, Clone, Serialize, Object)]
#[oai(rename = "BankQuestion")]
pub struct QuestionView {
    /// The id of this version of the question.
    pub id: Uuid,
    pub stable_id: String,
    pub version: i32,
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub kind: QuestionType,
    pub title: Option<String>,
    pub text: String,
    pub text_format: super::model::TextFormat,
    /// Sanitised HTML of the text.
    pub text_html: String,
    pub general_feedback: String,
    pub tags: Vec<String>,
    pub category: Option<String>,
    pub default_points: f64,
    /// Answers, fractions and feedback, by question type.
    pub body: serde_json::Value,
}

pub fn decode(row: &question::Model) -> AppResult<Question> {
    serde_json::from_str(&row.content)
        .map_err(|e| AppError::internal(format!("question {} unreadable: {e}", row.id)))
}

fn question_view(row: &question::Model) -> AppResult<QuestionView> {
    // Answers and feedback are rendered by the page from `body`: with
    // their images' addresses already in place.
    let q = decode(row)?.with_media_links();
    Ok(QuestionView {
        id: row.id,
        stable_id: row.stable_id.clone(),
        version: row.version,
        kind: q.kind(),
        text_html: match &q.body {
            // "(1)", "(2)" where the blanks stand; the body lists their answers.
            Body::Cloze { blanks } => {
                super::cloze::place(&q.text_html(), blanks.len(), super::cloze::mark_html)
            }
            _ => q.text_html(),
        },
        title: q.title,
        text: q.text,
        text_format: q.text_format,
        general_feedback: q.general_feedback,
        tags: q.tags,
        category: q.category,
        default_points: q.default_points,
        body: serde_json::to_value(&q.body).unwrap_or_default(),
    })
}

async fn current_rows(
    db: &Db,
    bank_id: Uuid,
    version: Option<i32>,
) -> AppResult<(question_bank::Model, Vec<question::Model>)> {
    let bank = store::bank(db.read(), bank_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let wanted = version.unwrap_or(bank.current_version);
    let rows = match store::version(db.read(), bank.id, wanted).await? {
        Some(v) => {
            store::questions_by_ids(db.read(), &store::members(db.read(), v.id).await?).await?
        }
        None if version.is_some() => return Err(AppError::NotFound),
        None => Vec::new(),
    };
    Ok((bank, rows))
}

/// Per tag of the bank's current version, how many questions of each type.
pub async fn tag_type_counts(db: &Db, bank_id: Uuid) -> AppResult<Vec<TagTypeCount>> {
    let (_, rows) = current_rows(db, bank_id, None).await?;
    let questions = rows.iter().map(decode).collect::<AppResult<Vec<_>>>()?;
    Ok(count_tags(&questions))
}

pub async fn list_banks(db: &Db, user: &CurrentUser) -> AppResult<Vec<BankView>> {
    may_read(user)?;
    let mut views = Vec::new();
    for bank in store::banks(db.read()).await? {
        let (bank, rows) = current_rows(db, bank.id, None).await?;
        views.push(bank_view(bank, &rows));
    }
    Ok(views)
}

/// A bank with the count of `rows` (all its questions, or those a filter kept).
fn bank_view(bank: question_bank::Model, rows: &[question::Model]) -> BankView {
    let mut by_type = BTreeMap::new();
    for row in rows {
        *by_type.entry(row.qtype.as_str().to_owned()).or_insert(0) += 1;
    }
    BankView {
        id: bank.id,
        name: bank.name,
        source_format: bank.source_format,
        current_version: bank.current_version,
        question_count: rows.len() as u32,
        by_type,
        updated_at: bank.updated_at,
    }
}

#[derive(Debug, Clone, Default)]
pub struct QuestionFilter {
    pub tag: Option<String>,
    pub kind: Option<QuestionType>,
    pub version: Option<i32>,
}

pub async fn questions(
    db: &Db,
    user: &CurrentUser,
    bank_id: Uuid,
    filter: &QuestionFilter,
) -> AppResult<(BankView, Vec<QuestionView>)> {
    may_read(user)?;
    let (bank, mut rows) = current_rows(db, bank_id, filter.version).await?;
    if let Some(tag) = filter.tag.as_deref().filter(|t| !t.is_empty()) {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let keep: std::collections::HashSet<Uuid> = store::with_tag(db.read(), &ids, tag)
            .await?
            .into_iter()
            .collect();
        rows.retain(|r| keep.contains(&r.id));
    }
    if let Some(kind) = filter.kind {
        rows.retain(|r| r.qtype == kind);
    }
    let view = bank_view(bank, &rows);
    let questions = rows
        .iter()
        .map(question_view)
        .collect::<AppResult<Vec<_>>>()?;
    Ok((view, questions))
}

/// The bank (at `version`, default the newest) written in `format`, with a file name.
pub async fn export(
    db: &Db,
    user: &CurrentUser,
    bank_id: Uuid,
    format: ExportFormat,
    version: Option<i32>,
) -> AppResult<(String, String)> {
    may_read(user)?;
    let (bank, rows) = current_rows(db, bank_id, version).await?;
    let questions = rows.iter().map(decode).collect::<AppResult<Vec<_>>>()?;
    if format == ExportFormat::Gift {
        formats::check_gift(&questions).map_err(|m| AppError::invalid_field("format", m))?;
    }
    let extension = match format {
        ExportFormat::Gift => "gift",
        ExportFormat::MoodleXml => "xml",
    };
    let safe_name: String = bank
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let shas: Vec<String> = questions
        .iter()
        .flat_map(|q| q.media.iter().map(|m| m.sha256.clone()))
        .collect();
    let files = store::media_bytes(db.read(), &shas).await?;
    Ok((
        format!("{safe_name}.{extension}"),
        formats::export(format, &questions, &files),
    ))
}

/// A stored image, for someone who may see it: staff (`shown` is `None`)
/// see every image; a trainee only those of the question versions drawn
/// into their own attempts (`shown`). Anything else is "not found", so an
/// address proves nothing about an image one may not see.
pub async fn media_for(
    db: &Db,
    sha256: &str,
    shown: Option<&std::collections::HashSet<Uuid>>,
) -> AppResult<crate::entities::question_media::Model> {
    let missing = || AppError::NotFound;
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(missing());
    }
    if let Some(shown) = shown {
        let ids: Vec<Uuid> = shown.iter().copied().collect();
        let rows = store::questions_by_ids(db.read(), &ids).await?;
        let holds = rows.iter().any(|row| {
            row.content.contains(sha256)
                && decode(row).is_ok_and(|q| q.media.iter().any(|m| m.sha256 == sha256))
        });
        if !holds {
            return Err(missing());
        }
    }
    store::media(db.read(), sha256).await?.ok_or_else(missing)
}
