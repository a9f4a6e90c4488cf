//! The participants' evaluation of a batch (evaluasi penyelenggaraan):
//! the questions, what a trainee's answers must be, when the form is open,
//! and the results — mean per item, an index on a 25–100 scale with its
//! quality grade, the distribution — shown only once enough trainees
//! answered that no one's answer can be singled out. No I/O.

use poem_openapi::Object;
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::error::FieldError;

/// The Likert scale of common Indonesian training-evaluation forms.
pub const SCALE: [(u8, &str); 4] = [(1, "Kurang"), (2, "Cukup"), (3, "Baik"), (4, "Sangat baik")];

/// Results appear once this many trainees answered.
pub const MIN_SHOWN: usize = 5;

/// The form stays open this long after the batch's last day.
pub const OPEN_DAYS_AFTER: i64 = 30;

pub const MAX_ITEMS: usize = 15;
pub const MAX_ITEM_CHARS: usize = 200;
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// The questions of a course's evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct Form {
    /// About the organisation: materials, venue or platform, schedule, committee.
    pub organisation: Vec<String>,
    /// Asked about each narasumber of the sessions.
    pub speaker: Vec<String>,
}

impl Default for Form {
    fn default() -> Form {
        let list = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Form {
            organisation: list(&[
                "Kesesuaian materi dengan kebutuhan tugas",
                "Kelengkapan dan kejelasan bahan ajar",
                "Kenyamanan tempat atau kelancaran platform daring",
                "Kesesuaian jadwal dan pengaturan waktu",
                "Pelayanan panitia penyelenggara",
            ]),
            speaker: list(&[
                "Penguasaan materi",
                "Cara penyampaian materi",
                "Ketepatan waktu",
                "Interaksi dengan peserta",
            ]),
        }
    }
}

fn item_lines(text: &str, field: &str, errors: &mut Vec<FieldError>) -> Vec<String> {
    let items: Vec<String> = text
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    if items.is_empty() {
        errors.push(FieldError::new(
            field,
            "tuliskan sekurang-kurangnya satu pernyataan",
        ));
    } else if items.len() > MAX_ITEMS {
        errors.push(FieldError::new(
            field,
            format!("paling banyak {MAX_ITEMS} pernyataan"),
        ));
    }
    let mut seen: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = item
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if seen.contains(&key) {
            errors.push(FieldError::at_row(
                i as u32 + 1,
                field,
                "pernyataan ini sudah ada di baris sebelumnya",
            ));
        }
        seen.push(key);
        if item.chars().count() > MAX_ITEM_CHARS {
            errors.push(FieldError::at_row(
                i as u32 + 1,
                field,
                format!("pernyataan paling panjang {MAX_ITEM_CHARS} karakter"),
            ));
        }
    }
    items
}

/// A form from the two text areas of the page (one statement per line).
pub fn parse_form(organisation: &str, speaker: &str) -> Result<Form, Vec<FieldError>> {
    let mut errors = Vec::new();
    let form = Form {
        organisation: item_lines(organisation, "organisation", &mut errors),
        speaker: item_lines(speaker, "speaker", &mut errors),
    };
    if errors.is_empty() {
        Ok(form)
    } else {
        Err(errors)
    }
}

/// Why a trainee cannot fill the form now, or `None` when they can.
pub fn closed_because(
    cancelled: bool,
    closed_early: bool,
    ends_on: Date,
    today: Date,
) -> Option<String> {
    if cancelled {
        return Some("Angkatan ini dibatalkan.".into());
    }
    if closed_early {
        return Some("Evaluasi sudah ditutup oleh penyelenggara.".into());
    }
    if today < ends_on {
        return Some("Evaluasi dibuka pada hari terakhir Bimtek.".into());
    }
    if today > ends_on + Duration::days(OPEN_DAYS_AFTER) {
        return Some(format!(
            "Evaluasi ditutup {OPEN_DAYS_AFTER} hari setelah Bimtek berakhir."
        ));
    }
    None
}

/// One statement with its score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct Scored {
    pub item: String,
    /// 1 (Kurang) to 4 (Sangat baik).
    pub score: u8,
}

/// One narasumber's scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct SpeakerScores {
    pub speaker: String,
    pub scores: Vec<Scored>,
}

/// One trainee's answers as stored: with the statements' texts, so a later
/// edit of the questions never shifts old answers, and without who gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub organisation: Vec<Scored>,
    pub speakers: Vec<SpeakerScores>,
    pub comment: Option<String>,
}

/// What a trainee sent: a score per statement in the form's order, per
/// narasumber in the batch's order.
#[derive(Debug, Clone, Default, Deserialize, Object)]
pub struct Submission {
    pub organisation: Vec<u8>,
    #[oai(default)]
    #[serde(default)]
    pub speakers: Vec<Vec<u8>>,
    #[oai(default)]
    #[serde(default)]
    pub comment: Option<String>,
}

/// `about` names whom the statements are about ("" for the organisation).
fn scored(
    items: &[String],
    scores: &[u8],
    (field, about): (&str, &str),
    errors: &mut Vec<FieldError>,
) -> Vec<Scored> {
    if scores.len() != items.len() {
        errors.push(FieldError::new(
            field,
            format!("isi {} pernyataan (terisi {})", items.len(), scores.len()),
        ));
        return Vec::new();
    }
    items
        .iter()
        .zip(scores)
        .enumerate()
        .filter_map(|(i, (item, &score))| {
            if (1..=4).contains(&score) {
                Some(Scored {
                    item: item.clone(),
                    score,
                })
            } else {
                let item_field = if about.is_empty() {
                    format!("{field}[{i}]")
                } else {
                    format!("{field}.scores[{i}]")
                };
                errors.push(FieldError::new(
                    item_field,
                    format!("pilih nilai 1 sampai 4 untuk \"{item}\"{about}"),
                ));
                None
            }
        })
        .collect()
}

/// The answers to keep, or every problem named.
pub fn check(
    form: &Form,
    speakers: &[String],
    sent: &Submission,
) -> Result<Answers, Vec<FieldError>> {
    let mut errors = Vec::new();
    let organisation = scored(
        &form.organisation,
        &sent.organisation,
        ("organisation", ""),
        &mut errors,
    );
    if sent.speakers.len() != speakers.len() {
        errors.push(FieldError::new(
            "speakers",
            format!(
                "nilai {} narasumber (terisi {})",
                speakers.len(),
                sent.speakers.len()
            ),
        ));
    }
    let speakers = speakers
        .iter()
        .zip(&sent.speakers)
        .enumerate()
        .map(|(s, (name, scores))| SpeakerScores {
            speaker: name.clone(),
            scores: scored(
                &form.speaker,
                scores,
                (&format!("speakers[{s}]"), &format!(" ({name})")),
                &mut errors,
            ),
        })
        .collect();
    let comment = sent
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
    {
        errors.push(FieldError::new(
            "comment",
            format!(
                "komentar paling panjang {} karakter",
                crate::numbers::grouped(MAX_COMMENT_CHARS as u64)
            ),
        ));
    }
    if errors.is_empty() {
        Ok(Answers {
            organisation,
            speakers,
            comment,
        })
    } else {
        Err(errors)
    }
}

/// The index on a 25–100 scale of a mean on the 1–4 scale.
pub fn index(mean: f64) -> f64 {
    mean * 25.0
}

/// The quality grade of an index, by the intervals of the public-service
/// satisfaction index (PermenPAN-RB 14/2017).
pub fn grade(index: f64) -> &'static str {
    if index >= 88.31 {
        "A (Sangat baik)"
    } else if index >= 76.61 {
        "B (Baik)"
    } else if index >= 65.0 {
        "C (Kurang baik)"
    } else {
        "D (Tidak baik)"
    }
}

/// One statement's results.
#[derive(Debug, Clone, PartialEq, Serialize, Object)]
pub struct ItemResult {
    pub item: String,
    /// Answers per score 1, 2, 3, 4.
    pub distribution: [u32; 4],
    pub answered: u32,
    pub mean: f64,
    pub index: f64,
}

/// A group of statements (the organisation, or one narasumber).
#[derive(Debug, Clone, PartialEq, Serialize, Object)]
pub struct GroupResult {
    /// The narasumber, or empty for the organisation.
    pub name: String,
    pub items: Vec<ItemResult>,
    pub mean: f64,
    pub index: f64,
    pub grade: String,
}

/// A batch's results; empty until `MIN_SHOWN` trainees answered.
#[derive(Debug, Clone, PartialEq, Serialize, Object)]
pub struct Results {
    pub respondents: u32,
    /// False while fewer than `MIN_SHOWN` answered: then nothing else is given.
    pub shown: bool,
    pub organisation: Option<GroupResult>,
    pub speakers: Vec<GroupResult>,
    /// Over every score given.
    pub index: Option<f64>,
    pub grade: Option<String>,
    /// In alphabetical order, so their order tells nothing.
    pub comments: Vec<String>,
}

fn group(name: &str, answers: &[&[Scored]]) -> GroupResult {
    let mut items: Vec<ItemResult> = Vec::new();
    for scored in answers.iter().flat_map(|a| a.iter()) {
        let at = match items.iter().position(|i| i.item == scored.item) {
            Some(at) => at,
            None => {
                items.push(ItemResult {
                    item: scored.item.clone(),
                    distribution: [0; 4],
                    answered: 0,
                    mean: 0.0,
                    index: 0.0,
                });
                items.len() - 1
            }
        };
        let slot = usize::from(scored.score.clamp(1, 4)) - 1;
        items[at].distribution[slot] += 1;
        items[at].answered += 1;
    }
    // A statement answered by fewer than MIN_SHOWN (asked only of later
    // trainees after the questions or a narasumber's name changed) would
    // single those trainees out: it is left out.
    items.retain(|i| i.answered as usize >= MIN_SHOWN);
    let (mut total, mut count) = (0u32, 0u32);
    for item in &mut items {
        let sum: u32 = item
            .distribution
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u32 + 1) * n)
            .sum();
        total += sum;
        count += item.answered;
        item.mean = f64::from(sum) / f64::from(item.answered.max(1));
        item.index = index(item.mean);
    }
    let mean = f64::from(total) / f64::from(count.max(1));
    GroupResult {
        name: name.to_owned(),
        items,
        mean,
        index: index(mean),
        grade: grade(index(mean)).to_owned(),
    }
}

/// Whether a batch's results may be shown: once, when they are final (the
/// organiser closed the evaluation, its 30 days are over, or everyone
/// answered) — a live tally would give away each new answer by difference
/// — and only from `MIN_SHOWN` answers.
pub fn publishable(closed: bool, respondents: usize, participants: usize) -> bool {
    (closed || respondents >= participants) && respondents >= MIN_SHOWN
}

/// The results of `all` answers; only counted unless `published`.
pub fn results(all: &[Answers], published: bool) -> Results {
    let respondents = all.len() as u32;
    if !published || all.len() < MIN_SHOWN {
        return Results {
            respondents,
            shown: false,
            organisation: None,
            speakers: Vec::new(),
            index: None,
            grade: None,
            comments: Vec::new(),
        };
    }
    let organisation: Vec<&[Scored]> = all.iter().map(|a| a.organisation.as_slice()).collect();
    let mut names: Vec<&str> = Vec::new();
    for a in all {
        for s in &a.speakers {
            if !names.contains(&s.speaker.as_str()) {
                names.push(&s.speaker);
            }
        }
    }
    let speakers = names
        .iter()
        .filter_map(|name| {
            let scores: Vec<&[Scored]> = all
                .iter()
                .flat_map(|a| a.speakers.iter().filter(|s| s.speaker == *name))
                .map(|s| s.scores.as_slice())
                .collect();
            // A narasumber rated by fewer than MIN_SHOWN is left out too.
            (scores.len() >= MIN_SHOWN).then(|| group(name, &scores))
        })
        .collect();
    let every: Vec<&[Scored]> = all
        .iter()
        .flat_map(|a| {
            std::iter::once(a.organisation.as_slice())
                .chain(a.speakers.iter().map(|s| s.scores.as_slice()))
        })
        .collect();
    let overall = group("", &every);
    let mut comments: Vec<String> = all.iter().filter_map(|a| a.comment.clone()).collect();
    comments.sort();
    Results {
        respondents,
        shown: true,
        organisation: Some(group("", &organisation)),
        speakers,
        index: Some(overall.index),
        grade: Some(overall.grade),
        comments,
    }
}

const HEADERS: [&str; 10] = [
    "Bagian",
    "Pernyataan",
    "Kurang (1)",
    "Cukup (2)",
    "Baik (3)",
    "Sangat baik (4)",
    "Jumlah jawaban",
    "Rata-rata",
    "Indeks",
    "Mutu",
];

/// The results as a table for CSV/XLSX: one row per statement, a row per
/// group with its index, then the comments.
pub fn table(results: &Results) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rows = Vec::new();
    let groups = results
        .organisation
        .iter()
        .map(|g| ("Penyelenggaraan".to_owned(), g))
        .chain(
            results
                .speakers
                .iter()
                .map(|g| (format!("Narasumber: {}", g.name), g)),
        );
    for (part, g) in groups {
        for item in &g.items {
            let mut row = vec![part.clone(), item.item.clone()];
            row.extend(item.distribution.iter().map(|n| n.to_string()));
            row.push(item.answered.to_string());
            row.push(crate::numbers::decimal(item.mean));
            row.push(crate::numbers::decimal(item.index));
            row.push(grade(item.index).to_owned());
            rows.push(row);
        }
        let mut total = vec![part.clone(), "Keseluruhan".to_owned()];
        total.extend(std::iter::repeat_n(String::new(), 5));
        total.push(crate::numbers::decimal(g.mean));
        total.push(crate::numbers::decimal(g.index));
        total.push(g.grade.clone());
        rows.push(total);
    }
    for comment in &results.comments {
        let mut row = vec!["Komentar".to_owned(), comment.clone()];
        row.extend(std::iter::repeat_n(String::new(), 8));
        rows.push(row);
    }
    (HEADERS.iter().map(|h| h.to_string()).collect(), rows)
}

#[cfg(test)]
mod tests;
