//! A course's certificate settings on a page (admin): number pattern with
//! a preview of the next number, letters, expiry, and what a letter credits.

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Json, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::LetterJp;
use super::settings::{self, Settings};
use crate::accounts::model::CurrentUser;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, saved_or_redisplay};
use crate::http::state::AppState;
use crate::http::templates::to_value;

/// The form as typed; kept as text so a mistake is shown back as it was.
#[derive(Deserialize, Serialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    number_pattern: String,
    /// A ticked box sends "on"; an unticked one sends nothing.
    #[serde(default)]
    letters: Option<String>,
    #[serde(default)]
    expiry_months: String,
    #[serde(default)]
    letter_jp: String,
    /// `preview` shows the next number without saving.
    #[serde(default)]
    action: String,
}

impl SettingsForm {
    fn from_settings(s: &Settings) -> SettingsForm {
        SettingsForm {
            number_pattern: s.number_pattern.clone(),
            letters: s.letters.then(|| "on".to_owned()),
            expiry_months: s.expiry_months.map(|m| m.to_string()).unwrap_or_default(),
            letter_jp: s.letter_jp.as_str().to_owned(),
            action: String::new(),
        }
    }

    fn settings(&self) -> Result<Settings, Vec<FieldError>> {
        let expiry_months = match self.expiry_months.trim() {
            "" => None,
            text => Some(text.parse::<i32>().map_err(|_| {
                vec![FieldError::new(
                    "expiry_months",
                    "isi jumlah bulan 1–240, atau kosongkan bila tidak kedaluwarsa",
                )]
            })?),
        };
        let settings = Settings {
            number_pattern: self.number_pattern.trim().to_owned(),
            letters: self.letters.is_some(),
            expiry_months,
            letter_jp: LetterJp::parse(&self.letter_jp).unwrap_or_default(),
        };
        let errors = settings::check(&settings);
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(errors)
        }
    }
}

async fn settings_page(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    course_id: Uuid,
    form: &SettingsForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Html<String>> {
    let next =
        settings::next_number(&state.engine, user, course_id, form.number_pattern.trim()).await?;
    let course = crate::catalog::service::get_course(&state.db, user, course_id).await?;
    state.templates.page(
        "admin/certificate_settings.html",
        Some(user),
        csrf,
        context! {
            course => to_value(&course),
            form => to_value(form),
            next_number => next.as_ref().ok(),
            pattern_problem => next.err(),
            errors => to_value(&errors),
            notice,
            signatory => signatory(state),
        },
    )
}

/// What the server's settings print on every certificate, to show beside
/// the course's own settings.
fn signatory(state: &AppState) -> minijinja::Value {
    let config = &state.config;
    let filled = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
    context! {
        letterhead => config.letterhead_lines(),
        name => filled(&config.signatory_name),
        position => filled(&config.signatory_position),
        rank => filled(&config.signatory_rank),
        nip => filled(&config.signatory_nip),
        electronic => state.certificate_layout.signs(),
    }
}

#[handler]
pub async fn show(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(query): Query<Flash>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    let current = settings::to_edit(&state.engine, user, id.0).await?;
    let form = SettingsForm::from_settings(&current);
    settings_page(&state, user, csrf, id.0, &form, Vec::new(), query.notice).await
}

#[handler]
pub async fn save(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<SettingsForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let checked = form.settings();
    let result = match checked {
        Ok(_) if form.action == "preview" => {
            let page = settings_page(&state, user, csrf, id.0, &form, Vec::new(), None).await?;
            return Ok(page.into_response());
        }
        Ok(s) => settings::save_settings(&state.engine, user, id.0, s).await,
        Err(errors) => Err(AppError::validation(errors)),
    };
    saved_or_redisplay(
        result,
        &format!("/admin/courses/{}/certificates", id.0),
        "Pengaturan sertifikat disimpan.",
        |details| settings_page(&state, user, csrf, id.0, &form, details, None),
    )
    .await
}

#[derive(Deserialize)]
pub struct PatternQuery {
    #[serde(default)]
    pattern: String,
}

#[derive(Serialize)]
struct NextNumber {
    number: Option<String>,
    problem: Option<String>,
}

/// The live preview the page asks for while the pattern is typed.
#[handler]
pub async fn next_number(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    Query(query): Query<PatternQuery>,
) -> AppResult<Response> {
    let next = settings::next_number(&state.engine, &user.0, id.0, query.pattern.trim()).await?;
    let body = match next {
        Ok(number) => NextNumber {
            number: Some(number),
            problem: None,
        },
        Err(problem) => NextNumber {
            number: None,
            problem: Some(problem),
        },
    };
    Ok(Json(body)
        .with_header(poem::http::header::CACHE_CONTROL, "no-store")
        .into_response())
}
