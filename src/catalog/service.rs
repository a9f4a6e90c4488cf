//! Course and module operations shared by the API and the pages. Who may
//! do and see what is decided here: only administrators write courses,
//! modules and attachments; administrators see every course, everyone
//! else only published ones (a hidden course answers 404, as if absent).

use sea_orm::ActiveValue::Set;
use sea_orm::{EntityTrait, IntoActiveModel};
use uuid::Uuid;

use super::model::{
    CourseStatus, MAX_ATTACHMENT_BYTES, Track, check_jp, clean_file_name, parse_course_code,
    parse_level, required_text, sniff_attachment, swap_target,
};
use super::store;
use super::views::{AttachmentView, CourseDetail, CourseView, ModuleSummary, ModuleView, Progress};
use crate::accounts::model::{CurrentUser, Role};
use crate::clock;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::entities::{course, module, module_attachment};
use crate::error::{AppError, AppResult, FieldError};
use crate::markup::render_markdown;

fn visible(viewer: &CurrentUser, course: &course::Model) -> bool {
    viewer.has(Role::Admin) || course.status == CourseStatus::Published
}

fn course_view(model: course::Model, module_count: u32, total_jp: i32) -> CourseView {
    CourseView {
        id: model.id,
        code: model.code,
        title: model.title,
        track: model.track,
        target_level: model.target_level,
        description: model.description,
        status: model.status,
        min_attendance_percent: model.min_attendance_percent,
        total_jp,
        module_count,
        created_at: model.created_at,
        updated_at: model.updated_at,
    }
}

/// What an administrator types to create or change a course.
#[derive(Debug, Clone, Default)]
pub struct CourseInput {
    pub code: Option<String>,
    pub title: Option<String>,
    pub track: Option<Track>,
    /// `Some(None)` clears the level.
    pub target_level: Option<Option<String>>,
    pub description: Option<String>,
    pub status: Option<CourseStatus>,
    /// Attendance a trainee needs to complete a batch (0–100; default 80).
    pub min_attendance_percent: Option<i32>,
}

struct CheckedCourse {
    code: Option<String>,
    title: Option<String>,
    target_level: Option<Option<String>>,
    description: Option<String>,
}

fn check_course(input: &CourseInput, track: Track) -> Result<CheckedCourse, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = input.code.as_deref().and_then(|c| {
        parse_course_code(c)
            .map_err(|m| errors.push(FieldError::new("code", m)))
            .ok()
    });
    let title = input
        .title
        .as_deref()
        .map(|t| required_text("title", t, 200, &mut errors));
    let target_level = input.target_level.as_ref().map(|level| {
        level
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .and_then(|l| {
                parse_level(l, track)
                    .map_err(|m| errors.push(FieldError::new("target_level", m)))
                    .ok()
            })
    });
    let description = input.description.as_deref().map(|d| d.trim().to_owned());
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 5000)
    {
        errors.push(FieldError::new("description", "maksimal 5000 karakter"));
    }
    if input
        .min_attendance_percent
        .is_some_and(|p| !(0..=100).contains(&p))
    {
        errors.push(FieldError::new(
            "min_attendance_percent",
            "harus bilangan bulat 0–100",
        ));
    }
    if errors.is_empty() {
        Ok(CheckedCourse {
            code,
            title,
            target_level,
            description,
        })
    } else {
        Err(errors)
    }
}

async fn ensure_code_free(db: &Db, code: &str, except: Option<Uuid>) -> AppResult<()> {
    match store::course_by_code(db.read(), code).await? {
        Some(existing) if Some(existing.id) != except => Err(AppError::invalid_field(
            "code",
            format!("kode {code} sudah dipakai kursus lain"),
        )),
        _ => Ok(()),
    }
}

/// Creates a course (administrators).
pub async fn create_course(
    db: &Db,
    admin: &CurrentUser,
    input: CourseInput,
) -> AppResult<CourseView> {
    admin.require(Role::Admin)?;
    let track = input
        .track
        .ok_or_else(|| AppError::invalid_field("track", "wajib diisi"))?;
    let mut checked = check_course(&input, track).map_err(AppError::validation)?;
    let mut missing = Vec::new();
    if checked.code.is_none() && input.code.is_none() {
        missing.push(FieldError::new("code", "wajib diisi"));
    }
    if checked.title.is_none() {
        missing.push(FieldError::new("title", "wajib diisi"));
    }
    if !missing.is_empty() {
        return Err(AppError::validation(missing));
    }
    let code = checked.code.take().unwrap_or_default();
    ensure_code_free(db, &code, None).await?;
    let now = clock::now();
    let model = course::Entity::insert(course::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        title: Set(checked.title.unwrap_or_default()),
        track: Set(track),
        target_level: Set(checked.target_level.flatten()),
        description: Set(checked.description.unwrap_or_default()),
        status: Set(input.status.unwrap_or(CourseStatus::Draft)),
        min_attendance_percent: Set(input.min_attendance_percent.unwrap_or(80)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(db.write())
    .await
    .map_err(|e| AppError::unique_violation_on(e, "code", "kode sudah dipakai kursus lain"))?;
    Ok(course_view(model, 0, 0))
}

/// Changes a course, publishing and archiving included (administrators).
pub async fn update_course(
    db: &Db,
    admin: &CurrentUser,
    id: Uuid,
    input: CourseInput,
) -> AppResult<CourseView> {
    admin.require(Role::Admin)?;
    let existing = store::get_course(db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let track = input.track.unwrap_or(existing.track);
    let checked = check_course(&input, track).map_err(AppError::validation)?;
    if let Some(code) = &checked.code {
        ensure_code_free(db, code, Some(id)).await?;
    }
    // A level valid for the old track may not be for the new one.
    let level_to_check = match (&checked.target_level, input.track) {
        (None, Some(_)) => existing.target_level.clone(),
        _ => None,
    };
    if let Some(level) = level_to_check {
        parse_level(&level, track).map_err(|m| AppError::invalid_field("target_level", m))?;
    }
    let mut active = existing.into_active_model();
    if let Some(code) = checked.code {
        active.code = Set(code);
    }
    if let Some(title) = checked.title {
        active.title = Set(title);
    }
    active.track = Set(track);
    if let Some(level) = checked.target_level {
        active.target_level = Set(level);
    }
    if let Some(description) = checked.description {
        active.description = Set(description);
    }
    if let Some(status) = input.status {
        active.status = Set(status);
    }
    if let Some(percent) = input.min_attendance_percent {
        active.min_attendance_percent = Set(percent);
    }
    active.updated_at = Set(clock::now());
    let model = course::Entity::update(active)
        .exec(db.write())
        .await
        .map_err(|e| AppError::unique_violation_on(e, "code", "kode sudah dipakai kursus lain"))?;
    let totals = store::totals(db.read(), &[id]).await?;
    let (count, jp) = totals.get(&id).copied().unwrap_or_default();
    Ok(course_view(model, count, jp))
}

pub async fn list_courses(
    db: &Db,
    viewer: &CurrentUser,
    status: Option<CourseStatus>,
    track: Option<Track>,
) -> AppResult<Vec<CourseView>> {
    let status = if viewer.has(Role::Admin) {
        status
    } else {
        Some(CourseStatus::Published)
    };
    let courses = store::list_courses(db.read(), status, track).await?;
    let ids: Vec<Uuid> = courses.iter().map(|c| c.id).collect();
    let totals = store::totals(db.read(), &ids).await?;
    Ok(courses
        .into_iter()
        .map(|c| {
            let (count, jp) = totals.get(&c.id).copied().unwrap_or_default();
            course_view(c, count, jp)
        })
        .collect())
}

/// Every course, drafts and archived ones too, for the administrators'
/// course list.
pub async fn all_courses(db: &Db, admin: &CurrentUser) -> AppResult<Vec<CourseView>> {
    admin.require(Role::Admin)?;
    list_courses(db, admin, None, None).await
}

/// The course, when the viewer may see it (NotFound otherwise).
pub async fn visible_course(db: &Db, viewer: &CurrentUser, id: Uuid) -> AppResult<course::Model> {
    match store::get_course(db.read(), id).await? {
        Some(course) if visible(viewer, &course) => Ok(course),
        _ => Err(AppError::NotFound),
    }
}

pub async fn get_course(db: &Db, viewer: &CurrentUser, id: Uuid) -> AppResult<CourseDetail> {
    let course = visible_course(db, viewer, id).await?;
    let modules = store::modules_of(db.read(), id).await?;
    let ids: Vec<Uuid> = modules.iter().map(|m| m.id).collect();
    let done = store::completed_by(db.read(), viewer.id, &ids).await?;
    let total_jp = modules.iter().filter_map(|m| m.jp).sum();
    let summaries: Vec<ModuleSummary> = modules
        .into_iter()
        .map(|m| ModuleSummary {
            completed: done.contains(&m.id),
            id: m.id,
            position: m.position,
            title: m.title,
            jp: m.jp,
        })
        .collect();
    let progress = Progress {
        read: summaries.iter().filter(|m| m.completed).count() as u32,
        total: summaries.len() as u32,
    };
    Ok(CourseDetail {
        course: course_view(course, progress.total, total_jp),
        modules: summaries,
        progress,
    })
}

/// A course as its editor shows it (administrators).
pub async fn course_to_edit(db: &Db, admin: &CurrentUser, id: Uuid) -> AppResult<CourseDetail> {
    admin.require(Role::Admin)?;
    get_course(db, admin, id).await
}

#[derive(Debug, Clone, Default)]
pub struct ModuleInput {
    pub title: Option<String>,
    /// `Some(None)` clears the JP.
    pub jp: Option<Option<i32>>,
    pub body_markdown: Option<String>,
}

fn check_module(input: &ModuleInput) -> Result<Option<String>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = input
        .title
        .as_deref()
        .map(|t| required_text("title", t, 200, &mut errors));
    check_jp(input.jp.flatten(), &mut errors);
    if input
        .body_markdown
        .as_ref()
        .is_some_and(|b| b.len() > super::model::MAX_BODY_MARKDOWN_BYTES)
    {
        errors.push(FieldError::new("body_markdown", "maksimal 1 MB teks"));
    }
    if errors.is_empty() {
        Ok(title)
    } else {
        Err(errors)
    }
}

/// Adds a module at the end of a course (administrators).
pub async fn add_module(
    db: &Db,
    admin: &CurrentUser,
    course_id: Uuid,
    input: ModuleInput,
) -> AppResult<module::Model> {
    admin.require(Role::Admin)?;
    let title = check_module(&input).map_err(AppError::validation)?;
    let title = title.ok_or_else(|| AppError::invalid_field("title", "wajib diisi"))?;
    store::get_course(db.read(), course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let markdown = input.body_markdown.unwrap_or_default();
    let body_html = render_markdown(markdown.clone()).await?;
    let now = clock::now();
    let txn = db.begin_write().await?;
    let position = store::next_position(&txn, course_id).await?;
    let model = module::Entity::insert(module::ActiveModel {
        id: Set(Uuid::now_v7()),
        course_id: Set(course_id),
        position: Set(position),
        title: Set(title),
        jp: Set(input.jp.flatten()),
        body_html: Set(body_html),
        body_markdown: Set(markdown),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Changes a module (administrators).
pub async fn update_module(
    db: &Db,
    admin: &CurrentUser,
    id: Uuid,
    input: ModuleInput,
) -> AppResult<module::Model> {
    admin.require(Role::Admin)?;
    let title = check_module(&input).map_err(AppError::validation)?;
    let existing = store::get_module(db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut active = existing.into_active_model();
    if let Some(title) = title {
        active.title = Set(title);
    }
    if let Some(jp) = input.jp {
        active.jp = Set(jp);
    }
    if let Some(markdown) = input.body_markdown {
        active.body_html = Set(render_markdown(markdown.clone()).await?);
        active.body_markdown = Set(markdown);
    }
    active.updated_at = Set(clock::now());
    Ok(module::Entity::update(active).exec(db.write()).await?)
}

/// Puts the course's modules in the order of `module_ids`, which must list
/// every module of the course exactly once (administrators).
pub async fn reorder_modules(
    db: &Db,
    admin: &CurrentUser,
    course_id: Uuid,
    module_ids: &[Uuid],
) -> AppResult<()> {
    admin.require(Role::Admin)?;
    store::get_course(db.read(), course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let txn = db.begin_write().await?;
    let current = store::modules_of(&txn, course_id).await?;
    let mut expected: Vec<Uuid> = current.iter().map(|m| m.id).collect();
    let mut given = module_ids.to_vec();
    expected.sort();
    given.sort();
    if expected != given {
        return Err(AppError::invalid_field(
            "module_ids",
            format!(
                "harus memuat tepat semua {} modul kursus ini, masing-masing sekali",
                expected.len()
            ),
        ));
    }
    for (index, id) in module_ids.iter().enumerate() {
        store::set_position(&txn, *id, index as i32 + 1).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Moves a module one place up or down (the page's arrow buttons;
/// administrators).
pub async fn move_module(
    db: &Db,
    admin: &CurrentUser,
    module_id: Uuid,
    up: bool,
) -> AppResult<Uuid> {
    admin.require(Role::Admin)?;
    let module = store::get_module(db.read(), module_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut ids: Vec<Uuid> = store::modules_of(db.read(), module.course_id)
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    let index = ids
        .iter()
        .position(|id| *id == module_id)
        .ok_or(AppError::NotFound)?;
    if let Some(target) = swap_target(index, ids.len(), up) {
        ids.swap(index, target);
        reorder_modules(db, admin, module.course_id, &ids).await?;
    }
    Ok(module.course_id)
}

pub async fn get_module(db: &Db, viewer: &CurrentUser, id: Uuid) -> AppResult<ModuleView> {
    let module = store::get_module(db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let course = visible_course(db, viewer, module.course_id).await?;
    let siblings = store::modules_of(db.read(), course.id).await?;
    let index = siblings.iter().position(|m| m.id == id).unwrap_or(0);
    let completed = !store::completed_by(db.read(), viewer.id, &[id])
        .await?
        .is_empty();
    let attachments = store::attachments_of(db.read(), id)
        .await?
        .into_iter()
        .map(|(id, file_name, content_type, size)| AttachmentView {
            url: format!("/attachments/{id}"),
            id,
            file_name,
            content_type,
            size,
        })
        .collect();
    Ok(ModuleView {
        id: module.id,
        course_id: course.id,
        course_title: course.title,
        position: module.position,
        title: module.title,
        jp: module.jp,
        body_markdown: module.body_markdown,
        body_html: module.body_html,
        attachments,
        previous_id: index
            .checked_sub(1)
            .and_then(|i| siblings.get(i))
            .map(|m| m.id),
        next_id: siblings.get(index + 1).map(|m| m.id),
        completed,
    })
}

/// A module as its editor shows it (administrators).
pub async fn module_to_edit(db: &Db, admin: &CurrentUser, id: Uuid) -> AppResult<ModuleView> {
    admin.require(Role::Admin)?;
    get_module(db, admin, id).await
}

/// The caller's reading progress in each of `course_ids`.
pub async fn progress_of(
    db: &Db,
    viewer: &CurrentUser,
    course_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, Progress>> {
    let mut progress = std::collections::HashMap::new();
    for course_id in course_ids {
        let ids: Vec<Uuid> = store::modules_of(db.read(), *course_id)
            .await?
            .iter()
            .map(|m| m.id)
            .collect();
        let read = store::completed_by(db.read(), viewer.id, &ids).await?.len() as u32;
        progress.insert(
            *course_id,
            Progress {
                read,
                total: ids.len() as u32,
            },
        );
    }
    Ok(progress)
}

/// Whether the viewer's reading of a course is recorded: only a trainee
/// holding a seat in one of its batches.
pub async fn records_reading(db: &Db, viewer: &CurrentUser, course_id: Uuid) -> AppResult<bool> {
    Ok(viewer.has(Role::Trainee)
        && crate::schedule::enrolment::has_seat_in_course(db, viewer.id, course_id).await?)
}

/// A trainee marks a module read; doing it again changes nothing.
pub async fn complete_module(
    db: &Db,
    viewer: &CurrentUser,
    id: Uuid,
) -> AppResult<time::OffsetDateTime> {
    viewer.require(Role::Trainee)?;
    let module = store::get_module(db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible_course(db, viewer, module.course_id).await?;
    if !records_reading(db, viewer, module.course_id).await? {
        return Err(AppError::conflict(
            Conflict::NotEnrolled,
            "Anda belum terdaftar di angkatan kursus ini; modul dapat dibaca tetapi belum dicatat.",
        ));
    }
    store::mark_completed(db.write(), viewer.id, id, clock::now()).await
}

/// Attaches a PDF or image to a module (administrators).
pub async fn add_attachment(
    db: &Db,
    admin: &CurrentUser,
    module_id: Uuid,
    file_name: &str,
    bytes: Vec<u8>,
) -> AppResult<AttachmentView> {
    admin.require(Role::Admin)?;
    store::get_module(db.read(), module_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::invalid_field("file", "lampiran maksimal 10 MiB"));
    }
    let content_type = sniff_attachment(&bytes).ok_or_else(|| {
        AppError::invalid_field("file", "hanya PDF, PNG, JPEG, GIF atau WebP yang diterima")
    })?;
    let id = Uuid::now_v7();
    let file_name = clean_file_name(file_name);
    let size = bytes.len() as i64;
    module_attachment::Entity::insert(module_attachment::ActiveModel {
        id: Set(id),
        module_id: Set(module_id),
        file_name: Set(file_name.clone()),
        content_type: Set(content_type.to_owned()),
        size: Set(size),
        data: Set(bytes),
        created_at: Set(clock::now()),
    })
    .exec(db.write())
    .await?;
    Ok(AttachmentView {
        id,
        file_name,
        content_type: content_type.to_owned(),
        size,
        url: format!("/attachments/{id}"),
    })
}

pub async fn get_attachment(
    db: &Db,
    viewer: &CurrentUser,
    id: Uuid,
) -> AppResult<module_attachment::Model> {
    let attachment = store::get_attachment(db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let module = store::get_module(db.read(), attachment.module_id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible_course(db, viewer, module.course_id).await?;
    Ok(attachment)
}
