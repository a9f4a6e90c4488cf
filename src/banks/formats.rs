//! Which format a bank file is in, and reading or writing any of them.

use super::model::{Parsed, Question, QuestionType};
use super::{aiken, gift, moodle_xml};
use crate::string_enum::string_enum;

string_enum!(
    #[derive(Default)]
    Format {
        Gift = "gift",
        Aiken = "aiken",
        MoodleXml = "moodle_xml" | "xml",
        /// Decide from the file name and content.
        #[default]
        Auto = "auto" | "",
    }
);

impl Format {
    /// The concrete format of a file: XML by its opening, Aiken by its
    /// `ANSWER:` lines, GIFT otherwise.
    pub fn resolve(self, file_name: &str, text: &str) -> Format {
        if self != Format::Auto {
            return self;
        }
        let name = file_name.to_lowercase();
        let head = text.trim_start_matches('\u{FEFF}').trim_start();
        if name.ends_with(".xml") || head.starts_with("<?xml") || head.starts_with("<quiz") {
            return Format::MoodleXml;
        }
        if name.ends_with(".gift") {
            return Format::Gift;
        }
        let has_answer_lines = text.lines().any(|l| l.trim_start().starts_with("ANSWER:"));
        let has_gift_blocks = text.contains('{') && text.contains('}');
        if has_answer_lines && !has_gift_blocks {
            Format::Aiken
        } else {
            Format::Gift
        }
    }
}

pub fn parse(format: Format, text: &str) -> Parsed {
    match format {
        Format::MoodleXml => moodle_xml::parse(text),
        Format::Aiken => aiken::parse(text),
        Format::Gift | Format::Auto => gift::parse(text),
    }
}

string_enum!(
    /// The formats a bank is written back in.
    ExportFormat { Gift = "gift", MoodleXml = "moodle_xml" }
);

/// GIFT has no syntax for Cloze questions nor a place for images: a bank
/// holding either is exported as Moodle XML, never as a GIFT file that
/// silently lacks questions or pictures.
pub fn check_gift(questions: &[Question]) -> Result<(), String> {
    let listed = |ids: Vec<String>| {
        let named: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
        let more = if ids.len() > 5 { ", …" } else { "" };
        format!("{} soal ({}{more})", ids.len(), named.join(", "))
    };
    let ids_where = |keep: &dyn Fn(&Question) -> bool| -> Vec<String> {
        questions
            .iter()
            .filter(|q| keep(q))
            .map(Question::stable_id)
            .collect()
    };
    let cloze = ids_where(&|q| q.kind() == QuestionType::Cloze);
    let pictured = ids_where(&|q| !q.media.is_empty());
    let mut reasons = Vec::new();
    if !cloze.is_empty() {
        reasons.push(format!("soal isian rumpang (Cloze): {}", listed(cloze)));
    }
    if !pictured.is_empty() {
        reasons.push(format!("gambar soal: {}", listed(pictured)));
    }
    if reasons.is_empty() {
        return Ok(());
    }
    Err(format!(
        "format GIFT tidak dapat memuat {}; ekspor sebagai Moodle XML",
        reasons.join(" dan ")
    ))
}

/// `questions` written in `format`; Moodle XML carries their images
/// (`files`: bytes by SHA-256).
pub fn export<'a>(
    format: ExportFormat,
    questions: impl IntoIterator<Item = &'a Question>,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) -> String {
    match format {
        ExportFormat::Gift => gift::write(questions),
        ExportFormat::MoodleXml => moodle_xml::write_with_media(questions, files),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        assert_eq!(
            Format::Auto.resolve("a.txt", "<?xml version=\"1.0\"?><quiz/>"),
            Format::MoodleXml
        );
        assert_eq!(
            Format::Auto.resolve("a.txt", "Soal\nA. x\nB. y\nANSWER: A"),
            Format::Aiken
        );
        assert_eq!(Format::Auto.resolve("a.txt", "Soal {T}"), Format::Gift);
        assert_eq!(Format::Gift.resolve("a.xml", "<quiz/>"), Format::Gift);
    }

    /// import(export(bank)) gives the same questions, for every shipped bank and both formats.
    #[test]
    fn every_shipped_bank_round_trips() {
        let root = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
            .join("question_banks");
        let mut files = 0;
        for track in std::fs::read_dir(&root).unwrap() {
            let track = track.unwrap().path();
            // SOURCES.md sits beside the track folders.
            if !track.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(track).unwrap() {
                let path = file.unwrap().path();
                if path.extension().is_none_or(|e| e != "gift") {
                    continue;
                }
                let text = std::fs::read_to_string(path).unwrap();
                let original: Vec<Question> = gift::parse(&text)
                    .questions
                    .into_iter()
                    .map(|l| l.question)
                    .collect();
                for format in [ExportFormat::Gift, ExportFormat::MoodleXml] {
                    let written = export(format, &original, &Default::default());
                    let back = parse(Format::Auto.resolve("x", &written), &written);
                    assert!(back.errors.is_empty(), "{format:?}: {:?}", back.errors);
                    let again: Vec<Question> =
                        back.questions.into_iter().map(|l| l.question).collect();
                    assert_eq!(original, again, "{format:?}");
                }
                files += 1;
            }
        }
        assert!(files >= 10);
    }
}
