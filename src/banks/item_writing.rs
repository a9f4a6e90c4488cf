//! Item-writing figures of a bank file, for `bimtek bank check
//! --item-writing`: how often the key of a single-answer multiple-choice
//! item is its longest option, what "always pick the longest" would score,
//! where keys are written, and the habits a test-wise candidate exploits
//! (a negative stem not written in capitals, wrong options without
//! feedback, essays without marking notes, near-duplicate stems not in a
//! shared `group:`). Pure; the CLI prints and counts.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{Body, Located, Question, QuestionType};
use crate::error::FieldError;

/// Above this share of single-answer items whose key is strictly the
/// longest option, a file cues test-wise candidates.
pub const LONGEST_KEY_LIMIT: f64 = 0.35;
/// A key written in one position in more than this share of a file's
/// single-answer items is exposed whenever choices are not shuffled.
pub const POSITION_LIMIT: f64 = 0.5;
/// Stems sharing this share of their words cue each other.
const NEAR_DUPLICATE: f64 = 0.8;

/// The figures of one file (or one unit).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub items: usize,
    pub single_choice: usize,
    /// Single-answer items whose key is strictly the longest option.
    pub longest_key: usize,
    /// Percent of the single-answer points "pick the longest" earns
    /// (a tie shares the chance between the longest options).
    pub pick_longest_percent: f64,
    /// How many keys are written in position 1, 2, … (from 0).
    pub key_positions: Vec<usize>,
}

impl Figures {
    pub fn longest_share(&self) -> f64 {
        if self.single_choice == 0 {
            0.0
        } else {
            self.longest_key as f64 / self.single_choice as f64
        }
    }
}

/// The key's index and whether it is strictly the longest option, and the
/// chance "pick the longest" has of hitting it.
fn single_choice(question: &Question) -> Option<(usize, bool, f64)> {
    let Body::Multichoice {
        single: true,
        choices,
    } = &question.body
    else {
        return None;
    };
    let key = choices.iter().position(|c| c.fraction >= 1.0 - 1e-6)?;
    let length = |i: usize| choices[i].text.trim().chars().count();
    let longest = (0..choices.len()).map(length).max().unwrap_or(0);
    let tied = (0..choices.len()).filter(|&i| length(i) == longest).count();
    let strictly = length(key) == longest && tied == 1;
    let chance = if length(key) == longest {
        1.0 / tied as f64
    } else {
        0.0
    };
    Some((key, strictly, chance))
}

/// Figures of `questions`.
pub fn figures<'q>(questions: impl IntoIterator<Item = &'q Question>) -> Figures {
    let mut f = Figures::default();
    let mut hits = 0.0;
    for question in questions {
        if question.kind() == QuestionType::Description {
            continue;
        }
        f.items += 1;
        let Some((key, strictly, chance)) = single_choice(question) else {
            continue;
        };
        f.single_choice += 1;
        f.longest_key += usize::from(strictly);
        hits += chance;
        if f.key_positions.len() <= key {
            f.key_positions.resize(key + 1, 0);
        }
        f.key_positions[key] += 1;
    }
    if f.single_choice > 0 {
        f.pick_longest_percent = hits / f.single_choice as f64 * 100.0;
    }
    f
}

/// Figures per `unit:` tag.
pub fn figures_by_unit(questions: &[(String, Located)]) -> BTreeMap<String, Figures> {
    let mut units: BTreeMap<String, Vec<&Question>> = BTreeMap::new();
    for (_, located) in questions {
        for unit in located.question.units() {
            units
                .entry(unit.to_owned())
                .or_default()
                .push(&located.question);
        }
    }
    units
        .into_iter()
        .map(|(unit, qs)| (unit, figures(qs)))
        .collect()
}

/// A stem that asks for the exception without saying so in capitals.
/// "tidak"/"bukan" are everyday words in a scenario; only in the question
/// sentence itself (the last one) do they pick one option out.
fn quiet_negative(text: &str) -> Option<&'static str> {
    let words_of = |sentence: &str| -> Vec<String> {
        sentence
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let question = text
        .trim_end()
        .rsplit(['.', '!', '\n'])
        .find(|s| !s.trim().is_empty() && !s.trim().chars().all(|c| c == '…' || c == ' '))
        .unwrap_or(text);
    for (word, capital, scope) in [
        ("kecuali", "KECUALI", text),
        ("bukan", "BUKAN", question),
        ("tidak", "TIDAK", question),
    ] {
        if words_of(scope)
            .iter()
            .any(|w| w.to_lowercase() == word && w != capital)
            && (word == "kecuali" || text.trim_end().ends_with(['?', '…']))
        {
            return Some(capital);
        }
    }
    None
}

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 2)
        .map(str::to_lowercase)
        .collect()
}

fn groups(question: &Question) -> BTreeSet<&str> {
    question
        .tags
        .iter()
        .filter(|t| t.starts_with("group:"))
        .map(String::as_str)
        .collect()
}

/// What a file's items give away, each warning naming its line.
pub fn warnings(file: &str, questions: &[(String, Located)]) -> Vec<FieldError> {
    let mut out = Vec::new();
    let mine: Vec<&Located> = questions
        .iter()
        .filter(|(f, _)| f == file)
        .map(|(_, l)| l)
        .collect();
    let f = figures(mine.iter().map(|l| &l.question));
    let at =
        |l: &Located, message: String| FieldError::in_file(file, l.at.line, l.at.column, message);
    if f.single_choice >= 5 && f.longest_share() > LONGEST_KEY_LIMIT {
        out.push(FieldError::in_file(
            file,
            1,
            1,
            format!(
                "kunci adalah pilihan terpanjang pada {} dari {} soal pilihan ganda ({} %, batas {} %); \"pilih yang terpanjang\" mendapat {} %",
                f.longest_key,
                f.single_choice,
                crate::numbers::decimal((f.longest_share() * 1000.0).round() / 10.0),
                crate::numbers::decimal(LONGEST_KEY_LIMIT * 100.0),
                crate::numbers::decimal((f.pick_longest_percent * 10.0).round() / 10.0),
            ),
        ));
    }
    if f.single_choice >= 5
        && let Some((position, count)) = f.key_positions.iter().enumerate().max_by_key(|(_, c)| **c)
        && *count as f64 / f.single_choice as f64 > POSITION_LIMIT
    {
        out.push(FieldError::in_file(
            file,
            1,
            1,
            format!(
                "kunci ditulis pada posisi {} di {} dari {} soal pilihan ganda; sebarkan posisinya",
                position + 1,
                count,
                f.single_choice
            ),
        ));
    }
    for (i, located) in mine.iter().enumerate() {
        let q = &located.question;
        if let Some(capital) = quiet_negative(&q.text) {
            out.push(at(
                located,
                format!("soal bertanya pengecualian: tulis kata {capital} dengan huruf kapital"),
            ));
        }
        if q.kind() == QuestionType::Essay && q.general_feedback.trim().is_empty() {
            out.push(at(
                located,
                "esai tanpa catatan penilaian (umpan balik umum ####)".into(),
            ));
        }
        if let Body::Multichoice { choices, .. } = &q.body
            && choices
                .iter()
                .filter(|c| c.fraction <= 0.0)
                .all(|c| c.feedback.trim().is_empty())
            && choices.iter().any(|c| c.fraction <= 0.0)
        {
            out.push(at(located, "pilihan salah tanpa umpan balik".into()));
        }
        let stem = words(&q.text);
        for earlier in &mine[..i] {
            let other = words(&earlier.question.text);
            let shared = stem.intersection(&other).count();
            let union = stem.union(&other).count();
            let same_group = !groups(q).is_disjoint(&groups(&earlier.question));
            if union > 0 && shared as f64 / union as f64 >= NEAR_DUPLICATE && !same_group {
                out.push(at(
                    located,
                    format!(
                        "soal hampir sama dengan soal di baris {}; beri keduanya tag group: yang sama",
                        earlier.at.line
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::banks::gift;

    fn parsed(source: &str) -> Vec<(String, Located)> {
        gift::parse(source)
            .questions
            .into_iter()
            .map(|l| ("b.gift".to_owned(), l))
            .collect()
    }

    #[test]
    fn the_longest_key_and_what_picking_the_longest_scores() {
        let qs = parsed(
            "// [tag:unit:a]\n::1::q? {=kunci yang panjang sekali ~b ~c}\n\n\
             // [tag:unit:a]\n::2::q? {~pilihan panjang sekali =k ~c}\n\n\
             // [tag:unit:b]\n::3::q? {~aa =bb ~c}\n",
        );
        let f = figures(qs.iter().map(|(_, l)| &l.question));
        assert_eq!((f.single_choice, f.longest_key), (3, 1));
        // 1 (strictly longest) + 0 + 1/2 (a tie of two) of 3.
        assert!((f.pick_longest_percent - 50.0).abs() < 1e-9);
        assert_eq!(f.key_positions, [1, 2]);
        let units = figures_by_unit(&qs);
        assert_eq!(units["a"].single_choice, 2);
        assert_eq!(units["b"].longest_key, 0);
    }

    #[test]
    fn a_file_that_cues_the_key_is_warned_with_its_figures() {
        let mut source = String::new();
        for i in 0..6 {
            source.push_str(&format!(
                "// [tag:unit:a]\n::{i}::Soal nomor {i} tentang hal ke-{i}? {{=jawaban benar yang panjang {i} #x ~salah #y ~keliru #z}}\n\n"
            ));
        }
        let qs = parsed(&source);
        let found = warnings("b.gift", &qs);
        let text: Vec<String> = found.iter().map(|e| e.message.clone()).collect();
        assert!(
            text.iter().any(|t| t.contains("terpanjang pada 6 dari 6")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.contains("posisi 1 di 6 dari 6")),
            "{text:?}"
        );
    }

    #[test]
    fn quiet_negatives_missing_notes_and_cueing_twins_are_named() {
        let qs = parsed(
            "// [tag:unit:a]\n::n::Manakah yang bukan aspek keamanan informasi? {=format #x ~keutuhan #a ~ketersediaan #b}\n\n\
             // [tag:unit:a]\n::k::Semua berikut aspek keamanan, kecuali … {=format #x ~keutuhan #a}\n\n\
             // [tag:unit:a]\n::ok::Manakah yang BUKAN aspek keamanan informasi? {=format #x ~keutuhan #a}\n\n\
             // [tag:unit:a]\n::biasa::Pegawai tidak boleh membagikan kata sandi. {T}\n\n\
             // [tag:unit:a]\n::e::Jelaskan CIA. {}\n\n\
             // [tag:unit:a]\n::nf::Manakah port HTTPS? {=443 ~80 ~21}\n\n\
             // [tag:unit:a]\n::sk::Petugas tidak pernah mencatat antrean di aplikasi. Teknik penggalian yang paling tepat adalah … {=observasi #x ~survei warga #y}\n",
        );
        let found = warnings("b.gift", &qs);
        let lines = |needle: &str| -> Vec<u32> {
            found
                .iter()
                .filter(|e| e.message.contains(needle))
                .map(|e| e.row.unwrap_or_default())
                .collect()
        };
        assert_eq!(lines("BUKAN dengan huruf kapital"), [2]);
        assert_eq!(lines("KECUALI dengan huruf kapital"), [5]);
        assert_eq!(lines("catatan penilaian"), [14]);
        assert_eq!(lines("tanpa umpan balik"), [17]);
        // The quiet negative and its capitalised twin cue each other.
        assert!(lines("hampir sama").contains(&8), "{found:?}");
    }
}
