//! Which question is which across imports: an author's id, else the
//! title, else a hash of the content; repeats numbered as Moodle keeps them.

use std::collections::{HashMap, HashSet};

use super::model::Located;
use crate::error::FieldError;

/// Gives every question its own identity, as Moodle imports them: an
/// author's id used twice is an error (which of the two is meant?), while a
/// repeated title, or repeated content without a title, only warns and the
/// later question is numbered (`Q1 (2)`), so re-importing the same file
/// finds the same questions.
pub fn assign(questions: &mut [(String, Located)]) -> (Vec<FieldError>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut explicit: HashMap<String, (String, u32)> = HashMap::new();
    for (file, located) in questions.iter() {
        let Some(id) = located.question.explicit_id() else {
            continue;
        };
        if let Some((first_file, first_line)) =
            explicit.insert(id.to_owned(), (file.clone(), located.at.line))
        {
            errors.push(FieldError::in_file(
                file,
                located.at.line,
                located.at.column,
                format!("id soal '{id}' sudah dipakai di {first_file} baris {first_line}"),
            ));
        }
    }
    // Numbered in (file name, line) order, so that the order files are
    // uploaded in does not swap identities; a number already taken by an
    // id or a title is skipped.
    let mut order: Vec<usize> = (0..questions.len()).collect();
    order.sort_by(|a, b| {
        let (fa, la) = (&questions[*a].0, questions[*a].1.at.line);
        let (fb, lb) = (&questions[*b].0, questions[*b].1.at.line);
        (fa, la).cmp(&(fb, lb))
    });
    let mut taken: HashSet<String> = explicit.keys().cloned().collect();
    let mut first_of: HashMap<String, (String, u32)> = HashMap::new();
    for &i in &order {
        let (file, located) = &questions[i];
        if located.question.explicit_id().is_none() {
            let base = located.question.implicit_id();
            if !taken.contains(&base) {
                taken.insert(base.clone());
                first_of.insert(base, (file.clone(), located.at.line));
            }
        }
    }
    let mut used: HashSet<String> = explicit.keys().cloned().collect();
    for &i in &order {
        let (file, located) = &mut questions[i];
        if located.question.explicit_id().is_some() {
            continue;
        }
        let base = located.question.implicit_id();
        if used.insert(base.clone()) {
            continue;
        }
        let mut repeat = 1;
        while taken.contains(&format!("{base} ({})", repeat + 1)) {
            repeat += 1;
        }
        located.question.repeat = repeat;
        let key = located.question.stable_id();
        taken.insert(key.clone());
        used.insert(key.clone());
        let (first_file, first_line) = explicit
            .get(&base)
            .or_else(|| first_of.get(&base))
            .cloned()
            .unwrap_or_default();
        warnings.push(FieldError::in_file(
            file.as_str(),
            located.at.line,
            located.at.column,
            if located.question.title.is_some() {
                format!(
                    "judul soal '{}' sudah dipakai di {first_file} baris {first_line}; soal ini disimpan sebagai '{key}'",
                    crate::banks::model::snippet(&base, 80)
                )
            } else {
                format!(
                    "soal yang sama persis sudah ada di {first_file} baris {first_line}; soal ini disimpan sebagai '{key}'"
                )
            },
        ));
    }
    (errors, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::banks::formats::Format;
    use crate::banks::service::{ParsedFiles, SourceFile, parse_files};

    fn parsed(sources: &[(&str, &str)]) -> Result<ParsedFiles, Vec<FieldError>> {
        let files: Vec<SourceFile> = sources
            .iter()
            .map(|(name, text)| SourceFile {
                name: (*name).into(),
                bytes: text.as_bytes().to_vec(),
            })
            .collect();
        parse_files(Format::Gift, &files)
    }

    fn ids(p: &ParsedFiles) -> Vec<String> {
        p.questions
            .iter()
            .map(|(_, l)| l.question.stable_id())
            .collect()
    }

    #[test]
    fn repeated_titles_and_contents_are_kept_numbered_and_warned() {
        let source = "::Kota::Ibu kota Jawa Tengah? {=Semarang ~Solo}\n\n\
                      ::Kota::Kota sejuta bunga? {=Magelang ~Salatiga}\n\n\
                      Dua tambah dua? {#4}\n\n\
                      Dua tambah dua? {#4}\n\n\
                      // [id:Kota]\n::Lain::Kota tertua di Jawa Tengah? {=Magelang ~Pati}\n";
        let p = parsed(&[("a.gift", source)]).unwrap();
        let got = ids(&p);
        assert_eq!(got[0], "Kota (2)", "an author's id keeps its name: {got:?}");
        assert_eq!(got[1], "Kota (3)");
        assert!(got[2].starts_with("h:") && got[3] == format!("{} (2)", got[2]));
        assert_eq!(got[4], "Kota");
        let warned: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
        assert_eq!(warned.len(), 3, "{warned:?}");
        assert!(
            warned[0].contains("'Kota (2)'") && warned[0].contains("a.gift baris 10"),
            "{warned:?}"
        );
        assert!(warned[2].contains("sama persis"), "{warned:?}");
        // The same file read again gives the same identities.
        assert_eq!(ids(&parsed(&[("a.gift", source)]).unwrap()), got);
    }

    #[test]
    fn a_number_already_taken_by_a_title_or_id_is_skipped() {
        let source = "::Q1::a {T}\n\n::Q1::b {T}\n\n::Q1 (2)::c {T}\n\n// [id:Q1 (3)]\nd {T}\n\n::Q1::e {T}\n";
        let got = ids(&parsed(&[("a.gift", source)]).unwrap());
        assert_eq!(got, ["Q1", "Q1 (4)", "Q1 (2)", "Q1 (3)", "Q1 (5)"]);
        // Two files with one title: numbered by file name, whatever the upload order.
        let a = ("a.gift", "::Sama::satu {T}\n");
        let b = ("b.gift", "::Sama::dua {F}\n");
        let forward = parsed(&[a, b]).unwrap();
        let backward = parsed(&[b, a]).unwrap();
        let key_of = |p: &ParsedFiles, file: &str| {
            p.questions
                .iter()
                .find(|(f, _)| f == file)
                .map(|(_, l)| l.question.stable_id())
        };
        assert_eq!(key_of(&forward, "b.gift").as_deref(), Some("Sama (2)"));
        assert_eq!(key_of(&backward, "b.gift").as_deref(), Some("Sama (2)"));
    }

    #[test]
    fn an_authors_id_used_twice_is_refused_naming_both_places() {
        let errors = parsed(&[
            ("a.gift", "// [id:q1]\nSatu {T}\n"),
            ("b.gift", "\n// [id:q1]\nDua {F}\n"),
        ])
        .map(|_| ())
        .unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("a.gift baris 2"), "{errors:?}");
        assert_eq!(errors[0].file.as_deref(), Some("b.gift"));
    }
}
