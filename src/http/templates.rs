//! The minijinja environment (templates are compiled into the binary) and
//! the context every page shares: the signed-in user and the CSRF token.

use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use poem::web::Html;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::accounts::model::{CurrentUser, Role};
use crate::banks::model::{QuestionType, TextFormat};
use crate::catalog::model::{CourseStatus, Track};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::schedule::model::{BatchStatus, EnrolmentStatus};

/// Any serialisable value as template data.
pub fn to_value(value: impl serde::Serialize) -> Value {
    Value::from(Serde(value))
}

pub struct Templates {
    env: Environment<'static>,
}

/// `{{ user.created_at | wib }}`: an RFC 3339 instant shown in WIB.
fn wib(value: String) -> String {
    OffsetDateTime::parse(&value, &Rfc3339)
        .map(clock::format_datetime_wib)
        .unwrap_or(value)
}

fn role_label(value: String) -> String {
    Role::from_sheet(&value)
        .map(|r| r.label().to_owned())
        .unwrap_or(value)
}

fn track_label(value: String) -> String {
    Track::parse(&value)
        .map(|t| t.label().to_owned())
        .unwrap_or(value)
}

fn batch_status(value: String) -> String {
    BatchStatus::parse(&value)
        .map(|s| s.label().to_owned())
        .unwrap_or(value)
}

fn enrolment_status(value: String) -> String {
    serde_json::from_value::<EnrolmentStatus>(serde_json::Value::String(value.clone()))
        .map(|s| s.label().to_owned())
        .unwrap_or(value)
}

/// `{{ r.gain_level | gain_level }}`: "tinggi", "sedang", "rendah".
fn gain_level(value: String) -> String {
    use crate::attempts::model::gain::GainLevel;
    serde_json::from_value::<GainLevel>(serde_json::Value::String(value))
        .map(|l| l.label().to_owned())
        .unwrap_or_default()
}

fn parse_date(value: &str) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(value, &format).ok()
}

/// `{{ batch.starts_on | date_id }}`: "3 Maret 2026".
fn date_id(value: String) -> String {
    parse_date(&value)
        .map(clock::format_date_id)
        .unwrap_or(value)
}

/// `{{ session.day | date_short }}`: "Sel, 3 Mar".
fn date_short(value: String) -> String {
    const DAYS: [&str; 7] = ["Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"];
    parse_date(&value)
        .map(|d| {
            let month = clock::month_name(d.month());
            format!(
                "{}, {} {}",
                DAYS[usize::from(d.weekday().number_days_from_monday())],
                d.day(),
                &month[..3]
            )
        })
        .unwrap_or(value)
}

fn qtype_label(value: String) -> String {
    QuestionType::parse(&value)
        .map(|t| t.label().to_owned())
        .unwrap_or(value)
}

/// `{{ answer | rich(question.text_format) }}`: author text as safe HTML.
fn rich(value: String, format: String) -> Value {
    let format = TextFormat::parse(&format).unwrap_or_default();
    Value::from_safe_string(format.to_html(&value))
}

/// `{{ 87.5 | number }}` → "87,5", `{{ 100.0 | number }}` → "100": at most
/// two decimals, written with a decimal comma.
fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}

/// A bank's name as a person reads it: `pranata_komputer` → "Pranata
/// Komputer". Names typed with spaces or capitals are left as they are.
fn bank_title(name: String) -> String {
    if name.contains(' ') || name.chars().any(char::is_uppercase) {
        return name;
    }
    name.split(['_', '-'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The file format a bank came from, by its usual name.
fn format_label(value: String) -> String {
    match value.as_str() {
        "gift" => "GIFT".into(),
        "aiken" => "Aiken".into(),
        "moodle_xml" => "Moodle XML".into(),
        _ => value,
    }
}

fn status_label(value: String) -> String {
    CourseStatus::parse(&value)
        .map(|s| s.label().to_owned())
        .unwrap_or(value)
}

impl Templates {
    pub fn new() -> Templates {
        let mut env = Environment::new();
        minijinja_embed::load_templates!(&mut env);
        env.add_filter("wib", wib);
        env.add_filter("role_label", role_label);
        env.add_filter("track_label", track_label);
        env.add_filter("status_label", status_label);
        env.add_filter("bank_title", bank_title);
        env.add_filter("format_label", format_label);
        env.add_filter("qtype_label", qtype_label);
        env.add_filter("batch_status", batch_status);
        env.add_filter("enrolment_status", enrolment_status);
        env.add_filter("gain_level", gain_level);
        env.add_filter("date_id", date_id);
        env.add_filter("date_short", date_short);
        env.add_filter("rich", rich);
        env.add_filter("number", number);
        env.add_filter("field_label", |field: String| {
            crate::http::field_labels::field_label(&field)
        });
        env.add_filter("wordcount", |text: String| {
            crate::attempts::model::word_count(&text)
        });
        Templates { env }
    }

    pub fn render(&self, name: &str, ctx: Value) -> AppResult<Html<String>> {
        let template = self
            .env
            .get_template(name)
            .map_err(|err| AppError::internal(format!("template {name}: {err}")))?;
        template
            .render(ctx)
            .map(Html)
            .map_err(|err| AppError::internal(format!("rendering {name}: {err:#}")))
    }

    /// Renders a page with the shared context merged under `ctx`.
    pub fn page(
        &self,
        name: &str,
        user: Option<&CurrentUser>,
        csrf_token: &str,
        ctx: Value,
    ) -> AppResult<Html<String>> {
        let user = user.map(|u| {
            context! {
                name => u.name.clone(),
                username => u.username.clone(),
                roles => u.roles.iter().map(|r| r.label()).collect::<Vec<_>>(),
                is_admin => u.has(Role::Admin),
                is_assessor => u.has(Role::Assessor),
                is_trainee => u.has(Role::Trainee),
            }
        });
        self.render(
            name,
            context! {
                app_name => "Bimtek",
                current_user => user,
                csrf_token => csrf_token,
                ..ctx
            },
        )
    }
}

impl Default for Templates {
    fn default() -> Self {
        Templates::new()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bank_names_and_formats_read_as_words() {
        assert_eq!(
            super::bank_title("pranata_komputer".into()),
            "Pranata Komputer"
        );
        assert_eq!(super::bank_title("humas".into()), "Humas");
        assert_eq!(super::bank_title("Bank BKD 2026".into()), "Bank BKD 2026");
        assert_eq!(super::format_label("moodle_xml".into()), "Moodle XML");
    }

    /// A title block left open swallows the page into `<title>` (the exam
    /// builder's form once lived there): every title is one line of text.
    #[test]
    fn every_title_block_is_closed_on_its_line_and_holds_no_markup() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut stack = vec![root];
        let mut checked = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines().filter(|l| l.contains("{% block title %}")) {
                    let inner = line.split("{% block title %}").nth(1).and_then(|rest| {
                        rest.split("{% endblock %}")
                            .next()
                            .filter(|_| rest.contains("{% endblock %}"))
                    });
                    let inner = inner
                        .unwrap_or_else(|| panic!("{}: title block not closed", path.display()));
                    assert!(
                        !inner.contains('<'),
                        "{}: markup in the title",
                        path.display()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 20, "only {checked} titles found");
    }
}
