//! Writing GIFT: questions out as text that `gift::parse` reads back to
//! the same questions.

use crate::banks::model::{Body, Question, QuestionType, TextFormat};

/// Escapes GIFT's special characters; newlines become `\n` so that a blank
/// line inside a text cannot end the question.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '~' | '=' | '#' | '{' | '}' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            other => out.push(other),
        }
    }
    out
}

fn percent(fraction: f64) -> String {
    let p = (fraction * 100.0 * 1e5).round() / 1e5;
    let text = format!("{p}");
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

fn number(value: f64) -> String {
    format!("{value}")
}

fn feedback(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("#{}", escape(text))
    }
}

fn format_tag(question: &Question) -> &'static str {
    match question.text_format {
        TextFormat::Moodle if !question.text.starts_with('[') => "",
        TextFormat::Moodle => "[moodle]",
        TextFormat::Html => "[html]",
        TextFormat::Plain => "[plain]",
        TextFormat::Markdown => "[markdown]",
    }
}

fn write_answers(question: &Question) -> Option<String> {
    let mut out = String::new();
    match &question.body {
        // GIFT has no syntax for Cloze; exports refuse such banks first.
        Body::Description | Body::Cloze { .. } => return None,
        Body::Essay => {}
        Body::Multichoice { single, choices } => {
            for c in choices {
                let marker = match (*single, c.fraction) {
                    (true, f) if (f - 1.0).abs() < 1e-9 => "=".to_owned(),
                    (_, 0.0) => "~".to_owned(),
                    (_, f) => format!("~%{}%", percent(f)),
                };
                out.push_str(&format!(
                    "\n\t{marker}{}{}",
                    escape(&c.text),
                    feedback(&c.feedback)
                ));
            }
            out.push('\n');
        }
        Body::Truefalse {
            correct,
            feedback_true,
            feedback_false,
        } => {
            let (token, wrong, right) = if *correct {
                ("TRUE", feedback_false, feedback_true)
            } else {
                ("FALSE", feedback_true, feedback_false)
            };
            out.push_str(token);
            if !wrong.is_empty() || !right.is_empty() {
                out.push_str(&format!("#{}#{}", escape(wrong), escape(right)));
            }
        }
        Body::Shortanswer { answers } => {
            for a in answers {
                out.push_str(&format!(
                    "\n\t=%{}%{}{}",
                    percent(a.fraction),
                    escape(&a.text),
                    feedback(&a.feedback)
                ));
            }
            out.push('\n');
        }
        Body::Numerical { answers } => {
            out.push('#');
            for a in answers
                .iter()
                .filter(|a| a.value.is_some() || a.fraction != 0.0)
            {
                let value = match a.value {
                    Some(v) if a.tolerance != 0.0 => {
                        format!("{}:{}", number(v), number(a.tolerance))
                    }
                    Some(v) => number(v),
                    None => "*".to_owned(),
                };
                out.push_str(&format!(
                    "\n\t=%{}%{value}{}",
                    percent(a.fraction),
                    feedback(&a.feedback)
                ));
            }
            if let Some(other) = answers
                .iter()
                .find(|a| a.value.is_none() && a.fraction == 0.0)
            {
                out.push_str(&format!("\n\t~#{}", escape(&other.feedback)));
            }
            out.push('\n');
        }
        Body::Matching { pairs } => {
            for p in pairs {
                out.push_str(&format!("\n\t={} -> {}", escape(&p.left), escape(&p.right)));
            }
            out.push('\n');
        }
    }
    if !question.general_feedback.is_empty() {
        out.push_str(&format!("####{}", escape(&question.general_feedback)));
    }
    Some(out)
}

/// Writes questions as GIFT that `parse` reads back to the same questions.
pub fn write<'a>(questions: impl IntoIterator<Item = &'a Question>) -> String {
    let mut out = String::new();
    let mut category: Option<&str> = None;
    for question in questions {
        if question.category.as_deref() != category {
            if let Some(path) = &question.category {
                out.push_str(&format!("$CATEGORY: {path}\n\n"));
            }
            category = question.category.as_deref();
        }
        let category_tag = question.category.as_ref().map(|c| format!("category:{c}"));
        let mut meta = Vec::new();
        if let Some(id) = &question.id {
            meta.push(format!("[id:{}]", id.replace(']', "\\]")));
        }
        for tag in &question.tags {
            if Some(tag) != category_tag.as_ref() {
                meta.push(format!("[tag:{}]", tag.replace(']', "\\]")));
            }
        }
        let usual_points = if question.kind() == QuestionType::Description {
            0.0
        } else {
            1.0
        };
        if question.default_points != usual_points {
            meta.push(format!("[points:{}]", question.default_points));
        }
        if !meta.is_empty() {
            out.push_str(&format!("// {}\n", meta.join(" ")));
        }
        if let Some(title) = &question.title {
            out.push_str(&format!("::{}::", escape(title)));
        }
        out.push_str(format_tag(question));
        out.push_str(&escape(&question.text));
        if let Some(answers) = write_answers(question) {
            out.push_str(&format!("{{{answers}}}"));
        }
        out.push_str("\n\n");
    }
    out
}
