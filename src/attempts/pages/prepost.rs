//! Pre-test and post-test on pages: a course's blueprint with each batch's
//! windows, and a batch's scores, gain and chart with their download.
//! Trainees take both tests on the quiz pages.

use minijinja::context;
use poem::web::{CsrfToken, Data, Html, Path, Query};
use poem::{Response, Route, get, handler};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::admin::{bank_pickers, batch_windows};
use super::gain_chart::{Dot, svg};
use super::quiz_form::{for_page, parse_rules, rule_line};
use crate::accounts::model::CurrentUser;
use crate::attempts::model::ReviewPolicy;
use crate::attempts::prepost::{self, PrePostInput, PrePostView};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{Flash, saved_or_redisplay};
use crate::http::state::AppState;
use crate::http::templates::to_value;

/// This feature's pages.
pub fn routes(route: Route) -> Route {
    route
        .at(
            "/admin/courses/:id/pre-post-test",
            get(setup_page).post(setup_save),
        )
        .at("/admin/batches/:id/pre-post-test", get(results_page))
        .at(
            "/admin/batches/:id/pre-post-test/unduh",
            get(results_download),
        )
}

/// The blueprint form, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PrePostForm {
    pub bank_id: String,
    /// One rule per line, as on a quiz's page.
    pub rules: String,
    pub time_limit_minutes: String,
    pub shuffle_questions: String,
    pub shuffle_choices: String,
    pub post_review_policy: String,
}

fn on(flag: bool) -> String {
    if flag { "on".into() } else { String::new() }
}

impl PrePostForm {
    fn blank() -> PrePostForm {
        PrePostForm {
            time_limit_minutes: "20".into(),
            shuffle_questions: "on".into(),
            shuffle_choices: "on".into(),
            post_review_policy: ReviewPolicy::AfterSubmit.as_str().into(),
            ..PrePostForm::default()
        }
    }

    fn from_view(view: &PrePostView) -> PrePostForm {
        let post = &view.post_test;
        PrePostForm {
            bank_id: post.bank_id.to_string(),
            rules: post
                .rules
                .iter()
                .map(rule_line)
                .collect::<Vec<_>>()
                .join("\n"),
            time_limit_minutes: post
                .time_limit_seconds
                // Whole minutes, rounded up: a limit set through the API in
                // seconds is never shortened by saving the page.
                .map(|s| ((s + 59) / 60).to_string())
                .unwrap_or_default(),
            shuffle_questions: on(post.shuffle_questions),
            shuffle_choices: on(post.shuffle_choices),
            post_review_policy: post.review_policy.as_str().into(),
        }
    }

    /// Every field checked; every problem named.
    pub fn input(&self) -> Result<PrePostInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let bank_id = self.bank_id.trim().parse::<Uuid>().ok();
        if bank_id.is_none() {
            errors.push(FieldError::new("bank_id", "pilih bank soal"));
        }
        let rules = parse_rules(&self.rules).unwrap_or_else(|e| {
            errors.extend(e);
            Vec::new()
        });
        let minutes = self.time_limit_minutes.trim();
        let time_limit_seconds = match minutes.parse::<i32>() {
            _ if minutes.is_empty() => None,
            Ok(m) if (1..=600).contains(&m) => Some(m * 60),
            _ => {
                errors.push(FieldError::new(
                    "time_limit_minutes",
                    "tulis 1–600 menit, atau kosongkan",
                ));
                None
            }
        };
        let policy = ReviewPolicy::parse(&self.post_review_policy);
        if policy.is_none() {
            errors.push(FieldError::new(
                "post_review_policy",
                "pilih kapan pembahasan post-test terlihat",
            ));
        }
        match (bank_id, policy) {
            (Some(bank_id), Some(post_review_policy)) if errors.is_empty() => Ok(PrePostInput {
                bank_id,
                rules,
                time_limit_seconds,
                shuffle_questions: self.shuffle_questions == "on",
                shuffle_choices: self.shuffle_choices == "on",
                post_review_policy,
            }),
            _ => Err(errors),
        }
    }
}

async fn setup_view(
    state: &AppState,
    user: &CurrentUser,
    csrf: &str,
    course_id: Uuid,
    form: Option<PrePostForm>,
    errors: Vec<FieldError>,
    flash: Flash,
) -> AppResult<Html<String>> {
    let setup = prepost::of_course(&state.engine, user, course_id).await?;
    let course = crate::catalog::service::get_course(&state.db, user, course_id).await?;
    let form = form.unwrap_or_else(|| match &setup {
        Some(s) => PrePostForm::from_view(s),
        None => PrePostForm::blank(),
    });
    let mut windows = Vec::new();
    if let Some(s) = &setup {
        let pre = batch_windows(state, course_id, s.pre_test.id).await?;
        let post = batch_windows(state, course_id, s.post_test.id).await?;
        for (pre, post) in pre.into_iter().zip(post) {
            windows.push(context! { pre => to_value(&pre), post => to_value(&post) });
        }
    }
    let banks = crate::banks::service::list_banks(&state.db, user).await?;
    let errors = for_page(errors, &form.rules);
    state.templates.page(
        "admin/pre_post_edit.html",
        Some(user),
        csrf,
        context! {
            course => to_value(&course.course),
            setup => to_value(&setup),
            form => to_value(&form),
            banks => to_value(&banks),
            pickers => bank_pickers(state, user).await?,
            windows => windows,
            errors => to_value(&errors),
            notice => flash.notice,
            error => flash.error,
        },
    )
}

#[handler]
pub async fn setup_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    Query(flash): Query<Flash>,
) -> AppResult<Html<String>> {
    setup_view(&state, &user.0, csrf, id.0, None, Vec::new(), flash).await
}

#[handler]
pub async fn setup_save(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<PrePostForm>,
) -> AppResult<Response> {
    let user = &user.0;
    let saved = match form.input() {
        Ok(input) => prepost::save(&state.engine, user, id.0, input).await,
        Err(errors) => Err(AppError::validation(errors)),
    };
    saved_or_redisplay(
        saved,
        &format!("/admin/courses/{}/pre-post-test", id.0),
        "Pre-test dan post-test disimpan.",
        |details| {
            setup_view(
                &state,
                user,
                csrf,
                id.0,
                Some(form),
                details,
                Flash::default(),
            )
        },
    )
    .await
}

#[handler]
pub async fn results_page(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
    id: Path<Uuid>,
) -> AppResult<Html<String>> {
    let user = &user.0;
    let gain = prepost::of_batch(&state.engine, user, id.0).await?;
    let dots: Vec<Dot<'_>> = gain
        .rows
        .iter()
        .filter_map(|r| {
            Some(Dot {
                name: &r.name,
                pre: r.pre?,
                post: r.post?,
            })
        })
        .collect();
    let mean = gain.summary.mean_pre.zip(gain.summary.mean_post);
    let chart = svg(&dots, mean);
    state.templates.page(
        "admin/pre_post_results.html",
        Some(user),
        csrf,
        context! {
            gain => to_value(&gain),
            chart => chart,
        },
    )
}

#[handler]
pub async fn results_download(
    state: Data<&AppState>,
    user: PageUser,
    id: Path<Uuid>,
    Query(q): Query<crate::download::DownloadQuery>,
) -> AppResult<Response> {
    let user = &user.0;
    let gain = prepost::of_batch(&state.engine, user, id.0).await?;
    let (headers, rows) = prepost::table(&gain);
    let title = format!("pre-post {} {}", gain.course_code, gain.batch_name);
    crate::download::table_file(q.format.as_deref(), &title, &headers, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blueprint_form_names_every_bad_field() {
        let form = PrePostForm {
            bank_id: "bukan".into(),
            rules: "5 × unit:jaringan\nlima unit:keamanan".into(),
            time_limit_minutes: "0".into(),
            post_review_policy: "kapan-saja".into(),
            ..PrePostForm::default()
        };
        let errors = form.input().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"bank_id"), "{fields:?}");
        assert!(fields.iter().any(|f| f.starts_with("rules")), "{fields:?}");
        assert!(fields.contains(&"time_limit_minutes"), "{fields:?}");
        assert!(fields.contains(&"post_review_policy"), "{fields:?}");
    }

    #[test]
    fn a_good_blueprint_reads_whole() {
        let form = PrePostForm {
            bank_id: Uuid::nil().to_string(),
            rules: "5 × unit:jaringan\n3 × unit:keamanan, jenis pilihan-ganda".into(),
            time_limit_minutes: "20".into(),
            shuffle_questions: "on".into(),
            post_review_policy: "after_close".into(),
            ..PrePostForm::default()
        };
        let input = form.input().unwrap();
        assert_eq!(input.rules.len(), 2);
        assert_eq!(input.rules[1].count, 3);
        assert_eq!(input.time_limit_seconds, Some(1200));
        assert!(input.shuffle_questions && !input.shuffle_choices);
        assert_eq!(input.post_review_policy, ReviewPolicy::AfterClose);
        let back = PrePostForm {
            time_limit_minutes: String::new(),
            ..form
        };
        assert_eq!(back.input().unwrap().time_limit_seconds, None);
    }
}
