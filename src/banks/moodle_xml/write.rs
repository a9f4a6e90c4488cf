//! Writing Moodle XML: a `<quiz>` document Moodle's importer reads, with
//! each question's images beside the texts that show them.

use std::collections::BTreeMap;

use super::format_name;
use crate::banks::cloze;
use crate::banks::media::{self, MediaRef};
use crate::banks::model::{Body, Question, TextFormat};

fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

fn text_element(tag: &str, format: Option<TextFormat>, text: &str) -> String {
    text_element_with_files(tag, format, text, "")
}

fn text_element_with_files(
    tag: &str,
    format: Option<TextFormat>,
    text: &str,
    files: &str,
) -> String {
    let format = format
        .map(|f| format!(" format=\"{}\"", format_name(f)))
        .unwrap_or_default();
    format!(
        "<{tag}{format}>\n      <text>{}</text>{files}\n    </{tag}>",
        cdata(text)
    )
}

fn percent(fraction: f64) -> String {
    let p = (fraction * 100.0 * 1e5).round() / 1e5;
    format!("{p}")
}

fn answer(fraction: f64, format: TextFormat, text: &str, feedback: &str, extra: &str) -> String {
    format!(
        "    <answer fraction=\"{}\" format=\"{}\">\n      <text>{}</text>{extra}\n      <feedback format=\"{}\"><text>{}</text></feedback>\n    </answer>\n",
        percent(fraction),
        format_name(format),
        cdata(text),
        format_name(format),
        cdata(feedback)
    )
}

fn type_name(body: &Body) -> &'static str {
    match body {
        Body::Multichoice { .. } => "multichoice",
        Body::Truefalse { .. } => "truefalse",
        Body::Shortanswer { .. } => "shortanswer",
        Body::Numerical { .. } => "numerical",
        Body::Matching { .. } => "matching",
        Body::Cloze { .. } => "cloze",
        Body::Essay => "essay",
        Body::Description => "description",
    }
}

/// Writes questions as a Moodle XML `<quiz>` document.
pub fn write<'a>(questions: impl IntoIterator<Item = &'a Question>) -> String {
    write_with_media(questions, &BTreeMap::new())
}

/// A question's images as Moodle writes them, right after the `<text>`
/// they belong to (`files`: the bytes by SHA-256; an image whose bytes are
/// missing is left out).
fn file_elements<'a>(
    refs: impl Iterator<Item = &'a MediaRef>,
    files: &BTreeMap<String, Vec<u8>>,
) -> String {
    refs.filter_map(|r| {
        files.get(&r.sha256).map(|bytes| {
            format!(
                "\n<file name=\"{}\" path=\"/\" encoding=\"base64\">{}</file>",
                crate::markup::escape_html(&r.name),
                media::encode(bytes)
            )
        })
    })
    .collect()
}

/// [`write`], with the images the questions show.
pub fn write_with_media<'a>(
    questions: impl IntoIterator<Item = &'a Question>,
    files: &BTreeMap<String, Vec<u8>>,
) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<quiz>\n");
    let mut category: Option<&str> = None;
    for q in questions {
        if q.category.as_deref() != category {
            if let Some(path) = &q.category {
                out.push_str(&format!(
                    "  <question type=\"category\">\n    <category>\n      <text>{}</text>\n    </category>\n  </question>\n",
                    cdata(path)
                ));
            }
            category = q.category.as_deref();
        }
        let format = q.text_format;
        out.push_str(&format!("  <question type=\"{}\">\n", type_name(&q.body)));
        out.push_str(&format!(
            "    {}\n",
            text_element("name", None, q.title.as_deref().unwrap_or(""))
        ));
        let text = match &q.body {
            Body::Cloze { blanks } => cloze::write(&q.text, blanks),
            _ => q.text.clone(),
        };
        // Each image beside each text that shows it (Moodle keeps a file
        // area per text); the question text also takes those only answers
        // or their feedback show.
        let in_text = media::references(&text);
        let in_feedback = media::references(&q.general_feedback);
        let for_text = |r: &&MediaRef| in_text.contains(&r.name) || !in_feedback.contains(&r.name);
        let for_feedback = |r: &&MediaRef| in_feedback.contains(&r.name);
        out.push_str(&format!(
            "    {}\n",
            text_element_with_files(
                "questiontext",
                Some(format),
                &text,
                &file_elements(q.media.iter().filter(for_text), files)
            )
        ));
        out.push_str(&format!(
            "    {}\n",
            text_element_with_files(
                "generalfeedback",
                Some(format),
                &q.general_feedback,
                &file_elements(q.media.iter().filter(for_feedback), files)
            )
        ));
        // A Cloze question's mark is its blanks' weights: Moodle writes none.
        if !matches!(q.body, Body::Cloze { .. }) {
            out.push_str(&format!(
                "    <defaultgrade>{}</defaultgrade>\n",
                q.default_points
            ));
        }
        if let Some(id) = &q.id {
            out.push_str(&format!("    <idnumber>{}</idnumber>\n", cdata(id)));
        }
        match &q.body {
            Body::Multichoice { single, choices } => {
                out.push_str(&format!("    <single>{single}</single>\n    <shuffleanswers>true</shuffleanswers>\n"));
                for c in choices {
                    out.push_str(&answer(c.fraction, format, &c.text, &c.feedback, ""));
                }
            }
            Body::Truefalse {
                correct,
                feedback_true,
                feedback_false,
            } => {
                let (t, f) = if *correct { (1.0, 0.0) } else { (0.0, 1.0) };
                out.push_str(&answer(t, TextFormat::Moodle, "true", feedback_true, ""));
                out.push_str(&answer(f, TextFormat::Moodle, "false", feedback_false, ""));
            }
            Body::Shortanswer { answers } => {
                out.push_str("    <usecase>0</usecase>\n");
                for a in answers {
                    out.push_str(&answer(a.fraction, TextFormat::Moodle, &a.text, &a.feedback, ""));
                }
            }
            Body::Numerical { answers } => {
                for a in answers {
                    let value = a.value.map_or("*".to_owned(), |v| format!("{v}"));
                    let tolerance = format!("\n      <tolerance>{}</tolerance>", a.tolerance);
                    out.push_str(&answer(a.fraction, TextFormat::Moodle, &value, &a.feedback, &tolerance));
                }
            }
            Body::Matching { pairs } => {
                out.push_str("    <shuffleanswers>true</shuffleanswers>\n");
                for p in pairs {
                    out.push_str(&format!(
                        "    <subquestion format=\"{}\">\n      <text>{}</text>\n      <answer><text>{}</text></answer>\n    </subquestion>\n",
                        format_name(format),
                        cdata(&p.left),
                        cdata(&p.right)
                    ));
                }
            }
            // Moodle reads the blanks back from the question text.
            Body::Cloze { .. } => {}
            Body::Essay => out.push_str(
                "    <responseformat>editor</responseformat>\n    <responserequired>1</responserequired>\n    <responsefieldlines>15</responsefieldlines>\n",
            ),
            Body::Description => {}
        }
        let category_tag = q.category.as_ref().map(|c| format!("category:{c}"));
        let tags: Vec<&String> = q
            .tags
            .iter()
            .filter(|t| Some(*t) != category_tag.as_ref())
            .collect();
        if !tags.is_empty() {
            out.push_str("    <tags>\n");
            for t in tags {
                out.push_str(&format!("      <tag><text>{}</text></tag>\n", cdata(t)));
            }
            out.push_str("    </tags>\n");
        }
        out.push_str("  </question>\n");
    }
    out.push_str("</quiz>\n");
    out
}
