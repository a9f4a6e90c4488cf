//! Turning author-supplied text (Markdown, HTML, plain) into HTML that is
//! safe to put in a page: nothing an author writes can run a script.

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};
use regex::Regex;

/// Renders Markdown (with tables and strikethrough) and sanitises the result.
pub fn markdown_to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut rendered = String::new();
    html::push_html(&mut rendered, Parser::new_ext(markdown, options));
    sanitize_html(&rendered)
}

/// Markdown written where blank lines cannot be (a GIFT question ends at
/// one): a plain line right after a list item starts a new paragraph
/// instead of running on inside the item, as the author meant.
pub fn question_markdown_to_html(markdown: &str) -> String {
    markdown_to_html(&end_lists_at_plain_lines(markdown))
}

fn is_list_item(line: &str) -> bool {
    let trimmed = line.trim_start();
    let bullet = ["- ", "* ", "+ "].iter().any(|b| trimmed.starts_with(b));
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let numbered = digits > 0
        && matches!(trimmed[digits..].chars().next(), Some('.' | ')'))
        && trimmed[digits + 1..].starts_with(' ');
    bullet || numbered
}

/// Inserts the blank line that ends a list before an unindented plain line.
fn end_lists_at_plain_lines(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut in_list = false;
    for line in markdown.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        let indented = line.starts_with([' ', '\t']);
        if is_list_item(line) {
            in_list = true;
        } else if blank {
            in_list = false;
        } else if in_list && !indented {
            out.push('\n');
            in_list = false;
        }
        out.push_str(line);
    }
    out
}

/// [`markdown_to_html`] on the parsing pool (`crate::blocking`): a module
/// body of a megabyte takes long enough to stall an async worker.
pub async fn render_markdown(markdown: String) -> crate::error::AppResult<String> {
    crate::blocking::run(move || markdown_to_html(&markdown)).await
}

/// Keeps formatting, tables, links and images; drops scripts, styles,
/// event handlers and `javascript:` URLs.
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// The text of an HTML fragment without any markup, escaped: for a place
/// only text may go, such as an `<option>` of a drop-down.
pub fn html_to_text_html(html: &str) -> String {
    ammonia::Builder::empty().clean(html).to_string()
}

/// Tags that part words: a line or paragraph break, a list item, a cell.
static BREAKING_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</?(?:br|p|li|div|td|tr|h[1-6])\b").expect("a valid pattern")
});

/// The text of an HTML fragment as plain text (for a PDF or a terminal):
/// tags dropped, entities read back, white space collapsed.
pub fn html_to_plain(html: &str) -> String {
    let spaced = BREAKING_TAG.replace_all(html, " $0");
    let text = html_to_text_html(&spaced);
    let read = quick_xml::escape::unescape_with(&text, |entity| {
        quick_xml::escape::resolve_predefined_entity(entity).or((entity == "nbsp").then_some(" "))
    })
    .map(|t| t.into_owned())
    .unwrap_or(text);
    read.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` in at most `max` characters, its end replaced by "…" when cut
/// (a name on a slip, a label on a chart, a question in a PDF).
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// Escapes plain text and keeps its line breaks.
pub fn plain_to_html(text: &str) -> String {
    escape_html(text).replace('\n', "<br>")
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_reads_back_as_plain_text() {
        let html = "<p>Jika <b>A &amp; B</b> &lt; 5,</p>\n<p>maka   &quot;ya&quot; &#39;kan&#39; &amp;x</p>";
        assert_eq!(
            super::html_to_plain(html),
            "Jika A & B < 5, maka \"ya\" 'kan' &x"
        );
        assert_eq!(super::html_to_plain("AT&T & co"), "AT&T & co");
        assert_eq!(super::html_to_plain("a<br>b<p>c</p><p>d</p>"), "a b c d");
        assert_eq!(super::html_to_plain("a<BR>b<P>c</P>"), "a b c");
    }

    #[test]
    fn a_plain_line_after_a_list_is_its_own_paragraph() {
        let text = "Kebutuhan:\n- Sekretariat, 50 host\n- Bidang Informasi, 10 host\nRancanglah subnetnya.\n1. alamat\n2) prefiks\n   masih butir dua\nJelaskan.";
        let html = super::question_markdown_to_html(text);
        assert!(
            html.contains("<li>Bidang Informasi, 10 host</li>"),
            "{html}"
        );
        assert!(html.contains("<p>Rancanglah subnetnya.</p>"), "{html}");
        assert!(html.contains("masih butir dua"), "{html}");
        assert!(html.ends_with("<p>Jelaskan.</p>\n"), "{html}");
    }

    use super::*;

    #[test]
    fn markdown_tables_survive_and_scripts_do_not() {
        let html = markdown_to_html(
            "# Judul\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(
            html.contains("<table>") && html.contains("<td>1</td>"),
            "{html}"
        );
        assert!(
            !html.contains("<script") && !html.contains("alert(1)</"),
            "{html}"
        );
        assert!(
            !html.contains("javascript:") && !html.contains("onerror"),
            "{html}"
        );
    }

    #[test]
    fn plain_text_is_escaped_with_line_breaks() {
        assert_eq!(plain_to_html("a < b\nc"), "a &lt; b<br>c");
    }
}
