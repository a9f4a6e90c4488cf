//! HTML pages: the administrators' course editor and the trainees'
//! reading pages.

use minijinja::context;
use poem::http::header;
use poem::web::{CsrfToken, CsrfVerifier, Data, Html, Multipart, Path, Query, Redirect};
use poem::{IntoResponse, Response, handler};
use poem::{Route, get, post};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{CourseStatus, LEVELS, MAX_ATTACHMENT_BYTES, Track};
use super::service::{self, CourseInput, ModuleInput};
use crate::accounts::model::{CurrentUser, Role};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, redirect_with, saved_or_redisplay, unconfirmed, unprocessable};
use crate::http::state::AppState;
use crate::http::templates::to_value;
use crate::http::upload;
use crate::markup::render_markdown;

fn options() -> minijinja::Value {
    context! {
        tracks => Track::ALL.iter().map(|t| context! { value => t.as_str(), label => t.label() }).collect::<Vec<_>>(),
        levels => LEVELS.to_vec(),
    }
}

#[derive(Deserialize, Serialize, Default)]
pub struct CourseForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    track: String,
    #[serde(default)]
    target_level: String,
    #[serde(default)]
    description: String,
    /// Empty keeps the stored value (80 for a new course).
    #[serde(default)]
    min_attendance_percent: String,
}

impl CourseForm {
    fn input(&self) -> AppResult<CourseInput> {
        let min_attendance_percent = match self.min_attendance_percent.trim() {
            "" => None,
            text => Some(text.parse::<i32>().map_err(|_| {
                AppError::invalid_field(
                    "min_attendance_percent",
                    "harus bilangan bulat 0–100, tanpa tanda %",
                )
            })?),
        };
        Ok(CourseInput {
            code: Some(self.code.clone()),
            title: Some(self.title.clone()),
            track: Track::parse(&self.track),
            target_level: Some(Some(self.target_level.clone())),
            description: Some(self.description.clone()),
            status: None,
            min_attendance_percent,
        })
    }
}

async fn courses_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    form: &CourseForm,
    errors: Vec<FieldError>,
) -> AppResult<Html<String>> {
    let courses = service::all_courses(&state.db, user).await?;
    state.templates.page(
        "admin/courses.html",
        Some(user),
        csrf,
        context! { courses => to_value(&courses), form => to_value(form), errors => to_value(&errors), ..options() },
    )
}

#[handler]
pub async fn admin_courses(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
) -> AppResult<Html<String>> {
    let form = CourseForm {
        track: Track::PranataKomputer.as_str().into(),
        ..CourseForm::default()
    };
    courses_page(&state, &user.0, csrf, &form, Vec::new()).await
}

#[handler]
pub async fn create_course(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    CheckedForm(form): CheckedForm<CourseForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let result = match form.input() {
        Ok(input) => service::create_course(&state.db, user, input).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(course) => {
            Ok(Redirect::see_other(format!("/admin/courses/{}", course.id)).into_response())
        }
        Err(AppError::Validation { details, .. }) => Ok(unprocessable(
            courses_page(&state, user, csrf, &form, details).await?,
        )),
        Err(err) => Err(err),
    }
}

#[derive(Deserialize, Serialize, Default)]
pub struct ModuleForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    jp: String,
    #[serde(default)]
    body_markdown: String,
    /// `preview` re-renders the form with the Markdown preview; anything else saves.
    #[serde(default)]
    action: String,
}

impl ModuleForm {
    fn input(&self) -> Result<ModuleInput, AppError> {
        let jp = match self.jp.trim() {
            "" => None,
            text => Some(
                text.parse::<i32>()
                    .map_err(|_| AppError::invalid_field("jp", "JP harus bilangan bulat"))?,
            ),
        };
        Ok(ModuleInput {
            title: Some(self.title.clone()),
            jp: Some(jp),
            body_markdown: Some(self.body_markdown.clone()),
        })
    }

    fn previewing(&self) -> bool {
        self.action == "preview"
    }

    /// The rendered body when previewing; a body past the size limit is
    /// not rendered (saving it names the limit).
    async fn preview(&self) -> AppResult<Option<String>> {
        preview_of(self.previewing(), &self.body_markdown).await
    }
}

/// The Markdown preview, rendered on the parsing pool.
async fn preview_of(previewing: bool, markdown: &str) -> AppResult<Option<String>> {
    if !previewing || markdown.len() > super::model::MAX_BODY_MARKDOWN_BYTES {
        return Ok(None);
    }
    Ok(Some(render_markdown(markdown.to_owned()).await?))
}

/// What the course editor reports above its forms: the errors of a form
/// sent back, or the message of the redirect that led here.
#[derive(Default)]
struct Messages {
    errors: Vec<FieldError>,
    flash: Flash,
}

impl Messages {
    fn errors(errors: Vec<FieldError>) -> Messages {
        Messages {
            errors,
            flash: Flash::default(),
        }
    }
}

async fn course_editor(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    id: Uuid,
    course_form: Option<&CourseForm>,
    module_form: &ModuleForm,
    messages: Messages,
) -> AppResult<Html<String>> {
    let Messages { errors, flash } = messages;
    let detail = service::course_to_edit(&state.db, user, id).await?;
    let course_form = match course_form {
        Some(form) => to_value(form),
        None => to_value(CourseForm {
            code: detail.course.code.clone(),
            title: detail.course.title.clone(),
            track: detail.course.track.as_str().into(),
            target_level: detail.course.target_level.clone().unwrap_or_default(),
            description: detail.course.description.clone(),
            min_attendance_percent: detail.course.min_attendance_percent.to_string(),
        }),
    };
    let preview = module_form.preview().await?;
    state.templates.page(
        "admin/course_edit.html",
        Some(user),
        csrf,
        context! {
            course => to_value(&detail),
            form => course_form,
            module_form => to_value(module_form),
            preview => preview,
            errors => to_value(&errors),
            flash => to_value(&flash),
            ..options()
        },
    )
}

#[handler]
pub async fn admin_course(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(flash): Query<Flash>,
) -> AppResult<Html<String>> {
    course_editor(
        &state,
        &user.0,
        csrf,
        id.0,
        None,
        &ModuleForm::default(),
        Messages {
            errors: Vec::new(),
            flash,
        },
    )
    .await
}

#[handler]
pub async fn update_course(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<CourseForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let result = match form.input() {
        Ok(input) => service::update_course(&state.db, user, id.0, input).await,
        Err(err) => Err(err),
    };
    let no_module = ModuleForm::default();
    saved_or_redisplay(
        result,
        &format!("/admin/courses/{}", id.0),
        "Data kursus disimpan.",
        |details| {
            course_editor(
                &state,
                user,
                csrf,
                id.0,
                Some(&form),
                &no_module,
                Messages::errors(details),
            )
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    /// The confirmation box archiving needs.
    confirm: Option<String>,
}

#[handler]
pub async fn set_course_status(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<StatusForm>,
) -> AppResult<Redirect> {
    let status = CourseStatus::parse(&form.status)
        .ok_or_else(|| AppError::invalid_field("status", "status tidak dikenal"))?;
    let back = format!("/admin/courses/{}", id.0);
    if status == CourseStatus::Archived
        && let Some(refused) = unconfirmed(
            &form.confirm,
            &back,
            "Centang konfirmasi untuk mengarsipkan: kursus hilang dari daftar peserta.",
        )
    {
        return refused;
    }
    let input = CourseInput {
        status: Some(status),
        ..CourseInput::default()
    };
    service::update_course(&state.db, &user.0, id.0, input).await?;
    let notice = match status {
        CourseStatus::Published => "Kursus diterbitkan; peserta kini dapat melihatnya.",
        CourseStatus::Draft => "Kursus dijadikan draf; peserta tidak melihatnya lagi.",
        CourseStatus::Archived => "Kursus diarsipkan.",
    };
    Ok(redirect_with(&back, Ok(notice)))
}

#[handler]
pub async fn add_module(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<ModuleForm>,
) -> AppResult<Response> {
    let user = &user.0;
    if form.previewing() {
        return Ok(
            course_editor(&state, user, csrf, id.0, None, &form, Messages::default())
                .await?
                .into_response(),
        );
    }
    let result = match form.input() {
        Ok(input) => service::add_module(&state.db, user, id.0, input)
            .await
            .map(|_| ()),
        Err(err) => Err(err),
    };
    saved_or_redisplay(
        result,
        &format!("/admin/courses/{}", id.0),
        "Modul ditambahkan.",
        |details| {
            course_editor(
                &state,
                user,
                csrf,
                id.0,
                None,
                &form,
                Messages::errors(details),
            )
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct MoveForm {
    direction: String,
}

#[handler]
pub async fn move_module(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<MoveForm>,
) -> AppResult<Redirect> {
    let course_id = service::move_module(&state.db, &user.0, id.0, form.direction == "up").await?;
    Ok(Redirect::see_other(format!("/admin/courses/{course_id}")))
}

async fn module_editor(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    id: Uuid,
    form: Option<&ModuleForm>,
    errors: Vec<FieldError>,
) -> AppResult<Html<String>> {
    let module = service::module_to_edit(&state.db, user, id).await?;
    let form = match form {
        Some(form) => to_value(form),
        None => to_value(ModuleForm {
            title: module.title.clone(),
            jp: module.jp.map(|j| j.to_string()).unwrap_or_default(),
            body_markdown: module.body_markdown.clone(),
            action: String::new(),
        }),
    };
    let previewing = form
        .get_attr("action")
        .ok()
        .is_some_and(|a| a.as_str() == Some("preview"));
    let body = form.get_attr("body_markdown").ok();
    let preview = preview_of(
        previewing,
        body.as_ref().and_then(|b| b.as_str()).unwrap_or(""),
    )
    .await?;
    state.templates.page(
        "admin/module_edit.html",
        Some(user),
        csrf,
        context! { module => to_value(&module), form => form, preview => preview, errors => to_value(&errors) },
    )
}

#[handler]
pub async fn admin_module(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
) -> AppResult<Html<String>> {
    module_editor(&state, &user.0, csrf, id.0, None, Vec::new()).await
}

#[handler]
pub async fn update_module(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<ModuleForm>,
) -> AppResult<Response> {
    let user = &user.0;
    if form.previewing() {
        return Ok(
            module_editor(&state, user, csrf, id.0, Some(&form), Vec::new())
                .await?
                .into_response(),
        );
    }
    let result = match form.input() {
        Ok(input) => service::update_module(&state.db, user, id.0, input).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(module) => Ok(redirect_with(
            &format!("/admin/courses/{}", module.course_id),
            Ok("Modul disimpan."),
        )
        .into_response()),
        Err(AppError::Validation { details, .. }) => Ok(unprocessable(
            module_editor(&state, user, csrf, id.0, Some(&form), details).await?,
        )),
        Err(err) => Err(err),
    }
}

#[handler]
pub async fn upload_attachment(
    state: Data<&AppState>,
    user: PageUser,
    verifier: &CsrfVerifier,
    id: Path<Uuid>,
    multipart: Multipart,
) -> AppResult<Redirect> {
    let form = upload::page_form(multipart, verifier, MAX_ATTACHMENT_BYTES).await?;
    let file = form
        .file
        .ok_or_else(|| AppError::invalid_field("file", "pilih berkas"))?;
    let name = file.name.unwrap_or_else(|| "lampiran".into());
    service::add_attachment(&state.db, &user.0, id.0, &name, file.bytes).await?;
    Ok(Redirect::see_other(format!("/admin/modules/{}", id.0)))
}

/// Trainees (and everyone signed in): the published courses with their progress.
#[handler]
pub async fn course_list(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
) -> AppResult<Html<String>> {
    let list =
        service::list_courses(&state.db, &user.0, Some(CourseStatus::Published), None).await?;
    let ids: Vec<Uuid> = list.iter().map(|c| c.id).collect();
    let progress = service::progress_of(&state.db, &user.0, &ids).await?;
    let rows: Vec<_> = list
        .iter()
        .map(|c| context! { course => to_value(c), progress => to_value(progress.get(&c.id)) })
        .collect();
    state.templates.page(
        "courses/list.html",
        Some(&user.0),
        csrf,
        context! { rows => rows },
    )
}

#[handler]
pub async fn course_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
) -> AppResult<Html<String>> {
    let detail = service::get_course(&state.db, &user.0, id.0).await?;
    let tests = crate::attempts::prepost::test_ids(&state.engine, id.0).await?;
    state.templates.page(
        "courses/detail.html",
        Some(&user.0),
        csrf,
        context! {
            course => to_value(&detail),
            pre_test_id => tests.map(|t| t.0.to_string()),
            post_test_id => tests.map(|t| t.1.to_string()),
        },
    )
}

#[handler]
pub async fn module_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
) -> AppResult<Html<String>> {
    let module = service::get_module(&state.db, &user.0, id.0).await?;
    let quiz = crate::attempts::settings::quiz_of_module(&state.engine, id.0).await?;
    state.templates.page(
        "courses/module.html",
        Some(&user.0),
        csrf,
        context! {
            module => to_value(&module),
            can_complete => service::records_reading(&state.db, &user.0, module.course_id).await?,
            is_trainee => user.0.has(Role::Trainee),
            quiz_id => quiz.map(|q| q.id.to_string()),
        },
    )
}

#[derive(Deserialize)]
pub struct Empty {}

#[handler]
pub async fn complete_module(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    _form: CheckedForm<Empty>,
) -> AppResult<Redirect> {
    service::complete_module(&state.db, &user.0, id.0).await?;
    Ok(Redirect::see_other(format!("/modules/{}", id.0)))
}

/// A module attachment, for anyone who may read the module.
#[handler]
pub async fn attachment(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
) -> AppResult<Response> {
    let file = service::get_attachment(&state.db, &user.0, id.0).await?;
    let ascii_name: String = file
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!("inline; filename=\"{ascii_name}\"");
    Ok(file
        .data
        .with_content_type(file.content_type)
        .with_header(header::CONTENT_DISPOSITION, disposition)
        .with_header(header::CACHE_CONTROL, "private, max-age=3600")
        .into_response())
}

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/courses", get(admin_courses).post(create_course))
        .at("/admin/courses/:id", get(admin_course).post(update_course))
        .at("/admin/courses/:id/status", post(set_course_status))
        .at("/admin/courses/:id/modules", post(add_module))
        .at("/admin/modules/:id", get(admin_module).post(update_module))
        .at("/admin/modules/:id/move", post(move_module))
        .at("/admin/modules/:id/attachments", post(upload_attachment))
        .at("/courses", get(course_list))
        .at("/courses/:id", get(course_page))
        .at("/modules/:id", get(module_page))
        .at("/modules/:id/complete", post(complete_module))
        .at("/attachments/:id", get(attachment))
}
