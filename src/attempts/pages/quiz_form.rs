//! Reading the quiz settings form: its fields, the rules written one per
//! line ("10 × unit:jaringan, jenis pilihan-ganda"), the tag picker beside
//! them, and dates typed in WIB. Pure functions; the handlers only fetch
//! and store.

use serde::{Deserialize, Serialize};
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use crate::attempts::model::{GradeMethod, ReviewPolicy, Selection, TagRule};
use crate::attempts::settings::{QuizInput, QuizView};
use crate::banks::model::{QuestionType, TagTypeCount};
use crate::clock::WIB;
use crate::error::FieldError;

/// The quiz settings form, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct QuizForm {
    pub title: String,
    pub bank_id: String,
    /// `by_tags` or `fixed`.
    pub selection_mode: String,
    /// One rule per line: `10 unit:jaringan`.
    pub rules: String,
    /// Question ids, separated by spaces, commas or lines.
    pub question_ids: String,
    pub time_limit_minutes: String,
    /// `YYYY-MM-DDTHH:MM` in WIB (an HTML `datetime-local`).
    pub opens_at: String,
    pub closes_at: String,
    pub max_attempts: String,
    pub pass_percent: String,
    pub shuffle_questions: String,
    pub shuffle_choices: String,
    pub grade_method: String,
    pub review_policy: String,
    pub required: String,
}

fn checked(value: &str) -> bool {
    matches!(value, "on" | "true" | "1")
}

/// `datetime-local` text in WIB ↔ instant.
pub fn local_input(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    at.to_offset(WIB).format(&format).unwrap_or_default()
}

pub fn parse_local(
    value: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<OffsetDateTime> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let with_seconds =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    match PrimitiveDateTime::parse(value, &format)
        .or_else(|_| PrimitiveDateTime::parse(value, &with_seconds))
    {
        Ok(local) => Some(local.assume_offset(WIB)),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("waktu '{value}' tidak sah (TTTT-BB-HHTjj:mm, WIB)"),
            ));
            None
        }
    }
}

fn whole<T: std::str::FromStr>(
    value: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("'{value}' bukan bilangan bulat"),
            ));
            None
        }
    }
}

/// What a rule line looks like, for error messages.
const RULE_EXAMPLE: &str = "10 × unit:jaringan, jenis pilihan-ganda|benar-salah";

/// The types a rule may ask for, in the order the help lists them.
const RULE_TYPES: [QuestionType; 7] = [
    QuestionType::Multichoice,
    QuestionType::Truefalse,
    QuestionType::Shortanswer,
    QuestionType::Numerical,
    QuestionType::Matching,
    QuestionType::Cloze,
    QuestionType::Essay,
];

/// How a rule line names a question type: an Indonesian word, as the
/// editor writes it. The API's English names are read too.
pub fn rule_word(kind: QuestionType) -> &'static str {
    match kind {
        QuestionType::Multichoice => "pilihan-ganda",
        QuestionType::Truefalse => "benar-salah",
        QuestionType::Shortanswer => "isian-singkat",
        QuestionType::Numerical => "numerik",
        QuestionType::Matching => "menjodohkan",
        QuestionType::Cloze => "isian-rumpang",
        QuestionType::Essay => "esai",
        QuestionType::Description => "deskripsi",
    }
}

fn rule_type(name: &str) -> Option<QuestionType> {
    let name = name.to_lowercase();
    RULE_TYPES
        .into_iter()
        .find(|t| rule_word(*t) == name || t.as_str() == name)
}

/// `10 × unit:jaringan` (or `10 unit:jaringan`, `unit:jaringan 10`, `x`
/// for `×`), then optional parts after commas: `type essay|multichoice`
/// and `level:ahli-muda`.
fn parse_rule(line: &str) -> Result<TagRule, String> {
    let mut parts = line.split(',').map(str::trim);
    let head: Vec<&str> = parts
        .next()
        .unwrap_or_default()
        .split(|c: char| c.is_whitespace() || c == '×')
        .filter(|w| !w.is_empty() && !w.eq_ignore_ascii_case("x"))
        .collect();
    let (count, tag) = match head.as_slice() {
        [a, b] => match (a.parse::<u32>(), b.parse::<u32>()) {
            (Ok(count), Err(_)) => (count, *b),
            (Err(_), Ok(count)) => (count, *a),
            _ => return Err(format!("tulis jumlah lalu tag, mis. {RULE_EXAMPLE}")),
        },
        _ => return Err(format!("tulis jumlah lalu tag, mis. {RULE_EXAMPLE}")),
    };
    if count == 0 {
        return Err("jumlah minimal 1".into());
    }
    let mut rule = TagRule::new(tag, count);
    for part in parts.filter(|p| !p.is_empty()) {
        let (word, rest) = part
            .split_once(|c: char| c.is_whitespace() || c == ':')
            .unwrap_or((part, ""));
        let rest = rest.trim();
        match word.to_lowercase().as_str() {
            "jenis" | "tipe" | "type" if rule.types.is_none() => {
                let mut types = Vec::new();
                for name in rest.split('|').map(str::trim).filter(|n| !n.is_empty()) {
                    match rule_type(name) {
                        Some(t) if !types.contains(&t) => types.push(t),
                        Some(_) => {}
                        None => {
                            let known: Vec<&str> = RULE_TYPES.map(rule_word).to_vec();
                            return Err(format!(
                                "jenis '{name}' tidak dikenal; pakai {}",
                                known.join(", ")
                            ));
                        }
                    }
                }
                if types.is_empty() {
                    return Err("tulis jenis soal, mis. jenis pilihan-ganda|benar-salah".into());
                }
                rule.types = Some(types);
            }
            "level" if rule.level.is_none() && !rest.is_empty() => {
                rule.level = Some(rest.to_owned());
            }
            _ => {
                return Err(format!(
                    "'{part}' tidak dikenal; tulis mis. jenis esai atau level:ahli-muda"
                ));
            }
        }
    }
    Ok(rule)
}

/// One rule per line (see `parse_rule`); errors name the line.
pub fn parse_rules(text: &str) -> Result<Vec<TagRule>, Vec<FieldError>> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_rule(line) {
            Ok(rule) => rules.push(rule),
            Err(message) => errors.push(FieldError::at_row(
                n as u32 + 1,
                "rules",
                format!("'{}': {message}", line.trim()),
            )),
        }
    }
    if rules.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "rules",
            format!("tulis minimal satu aturan, mis. {RULE_EXAMPLE}"),
        ));
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// A rule as the editor writes it back: what `parse_rule` reads.
pub fn rule_line(rule: &TagRule) -> String {
    let mut line = format!("{} × {}", rule.count, rule.tag);
    if let Some(types) = &rule.types {
        let names: Vec<&str> = types.iter().map(|t| rule_word(*t)).collect();
        line.push_str(&format!(", jenis {}", names.join("|")));
    }
    if let Some(level) = rule.level_tag() {
        line.push_str(&format!(", {level}"));
    }
    line
}

/// One cell of the editor's tag table: how many questions of a type carry
/// the tag, and the rule line that draws one of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PickerCell {
    pub count: u32,
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PickerRow {
    pub tag: String,
    /// One per column; `None` where the tag has no question of that type.
    pub cells: Vec<Option<PickerCell>>,
}

/// The tags of a bank with their counts per type, as the editor shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Picker {
    /// Column headings: the type labels present in the bank.
    pub columns: Vec<&'static str>,
    pub rows: Vec<PickerRow>,
}

pub fn picker(counts: &[TagTypeCount]) -> Picker {
    let mut types: Vec<QuestionType> = counts
        .iter()
        .flat_map(|c| c.counts.keys().copied())
        .collect();
    types.sort();
    types.dedup();
    // A `level:` tag narrows a rule and a `group:` tag keeps cueing items
    // apart; neither is a rule's tag of its own.
    let rows = counts
        .iter()
        .filter(|c| !c.tag.starts_with("level:") && !c.tag.starts_with("group:"))
        .map(|c| PickerRow {
            tag: c.tag.clone(),
            cells: types
                .iter()
                .map(|t| {
                    c.counts.get(t).map(|n| PickerCell {
                        count: *n,
                        rule: rule_line(&TagRule {
                            types: Some(vec![*t]),
                            ..TagRule::new(c.tag.clone(), 1)
                        }),
                    })
                })
                .collect(),
        })
        .collect();
    Picker {
        columns: types.iter().map(|t| t.label()).collect(),
        rows,
    }
}

/// The line numbers (1-based) of the rule lines, in rule order.
fn rule_line_numbers(text: &str) -> Vec<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, _)| n as u32 + 1)
        .collect()
}

/// Errors as the settings page shows them: a rule's problem on its line of
/// the rules box, field names a person reads.
pub fn for_page(errors: Vec<FieldError>, rules_text: &str) -> Vec<FieldError> {
    let lines = rule_line_numbers(rules_text);
    errors
        .into_iter()
        .map(|e| {
            let index = e
                .field
                .strip_prefix("selection.rules[")
                .and_then(|rest| rest.split(']').next())
                .and_then(|i| i.parse::<usize>().ok());
            match index {
                Some(i) => FieldError {
                    row: lines.get(i).copied(),
                    ..FieldError::new(RULES_LABEL, e.message)
                },
                None if e.field == "rules" => FieldError {
                    field: RULES_LABEL.into(),
                    ..e
                },
                None => e,
            }
        })
        .collect()
}

const RULES_LABEL: &str = "Aturan acak";

impl QuizForm {
    pub fn from_view(quiz: &QuizView) -> QuizForm {
        QuizForm {
            title: quiz.title.clone(),
            bank_id: quiz.bank_id.to_string(),
            selection_mode: quiz.selection_mode.clone(),
            rules: quiz
                .rules
                .iter()
                .map(rule_line)
                .collect::<Vec<_>>()
                .join("\n"),
            question_ids: quiz.question_ids.join("\n"),
            time_limit_minutes: quiz
                .time_limit_seconds
                .map(|s| format!("{}", s / 60))
                .unwrap_or_default(),
            opens_at: quiz.opens_at.map(local_input).unwrap_or_default(),
            closes_at: quiz.closes_at.map(local_input).unwrap_or_default(),
            max_attempts: quiz.max_attempts.to_string(),
            pass_percent: quiz.pass_percent.to_string(),
            shuffle_questions: if quiz.shuffle_questions {
                "on".into()
            } else {
                String::new()
            },
            shuffle_choices: if quiz.shuffle_choices {
                "on".into()
            } else {
                String::new()
            },
            grade_method: quiz.grade_method.as_str().into(),
            review_policy: quiz.review_policy.as_str().into(),
            required: if quiz.required {
                "on".into()
            } else {
                String::new()
            },
        }
    }

    /// A new quiz's form: sensible defaults a BKD would pick.
    pub fn blank(title: &str) -> QuizForm {
        QuizForm {
            title: format!("Kuis {title}"),
            selection_mode: "by_tags".into(),
            time_limit_minutes: "30".into(),
            max_attempts: "1".into(),
            pass_percent: "70".into(),
            shuffle_questions: "on".into(),
            shuffle_choices: "on".into(),
            grade_method: GradeMethod::Highest.as_str().into(),
            review_policy: ReviewPolicy::AfterSubmit.as_str().into(),
            required: "on".into(),
            ..QuizForm::default()
        }
    }

    /// Every field checked; every problem named.
    pub fn input(&self) -> Result<QuizInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let bank_id = match self.bank_id.trim().parse::<Uuid>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new("bank_id", "pilih bank soal"));
                None
            }
        };
        let selection = match self.selection_mode.as_str() {
            "fixed" => {
                let ids: Vec<String> = self
                    .question_ids
                    .split(|c: char| c.is_whitespace() || c == ',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                if ids.is_empty() {
                    errors.push(FieldError::new(
                        "question_ids",
                        "tulis minimal satu id soal",
                    ));
                }
                Some(Selection::Fixed { question_ids: ids })
            }
            _ => match parse_rules(&self.rules) {
                Ok(rules) => Some(Selection::ByTags { rules }),
                Err(e) => {
                    errors.extend(e);
                    None
                }
            },
        };
        let minutes: Option<i32> =
            whole(&self.time_limit_minutes, "time_limit_minutes", &mut errors);
        if minutes.is_some_and(|m| m < 1) {
            errors.push(FieldError::new(
                "time_limit_minutes",
                "minimal 1 menit, atau kosongkan",
            ));
        }
        let opens_at = parse_local(&self.opens_at, "opens_at", &mut errors);
        let closes_at = parse_local(&self.closes_at, "closes_at", &mut errors);
        let max_attempts = whole(&self.max_attempts, "max_attempts", &mut errors);
        let pass_percent = match crate::numbers::read(&self.pass_percent) {
            Some(p) => Some(p),
            None if self.pass_percent.trim().is_empty() => None,
            None => {
                errors.push(FieldError::new("pass_percent", "tulis angka 0–100"));
                None
            }
        };
        let grade_method = GradeMethod::parse(&self.grade_method);
        if grade_method.is_none() {
            errors.push(FieldError::new("grade_method", "pilih nilai yang dipakai"));
        }
        let review_policy = ReviewPolicy::parse(&self.review_policy);
        if review_policy.is_none() {
            errors.push(FieldError::new(
                "review_policy",
                "pilih kapan pembahasan terlihat",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(QuizInput {
            title: Some(self.title.clone()),
            bank_id,
            selection,
            time_limit_seconds: Some(minutes.map(|m| m * 60)),
            opens_at: Some(opens_at),
            closes_at: Some(closes_at),
            max_attempts,
            pass_percent,
            shuffle_questions: Some(checked(&self.shuffle_questions)),
            shuffle_choices: Some(checked(&self.shuffle_choices)),
            grade_method,
            review_policy,
            required: Some(checked(&self.required)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiz_rules_are_read_per_line_with_line_numbers() {
        assert_eq!(
            parse_rules("10 unit:jaringan\n\nunit:keamanan 5").unwrap(),
            vec![
                TagRule::new("unit:jaringan", 10),
                TagRule::new("unit:keamanan", 5)
            ]
        );
        let errors = parse_rules("10 unit:jaringan\nsepuluh soal jaringan").unwrap_err();
        assert_eq!(errors[0].row, Some(2));
        assert_eq!(errors[0].field, "rules");
    }

    #[test]
    fn quiz_rules_take_types_and_a_level() {
        let rules = parse_rules(
            "10 × unit:jaringan, type multichoice|truefalse\n\
             2 x unit:jaringan, type essay, level:ahli-muda\n\
             3 X unit:xml, tipe Esai|matching",
        )
        .unwrap();
        assert_eq!(
            rules[0],
            TagRule {
                types: Some(vec![QuestionType::Multichoice, QuestionType::Truefalse]),
                ..TagRule::new("unit:jaringan", 10)
            }
        );
        assert_eq!(rules[1].types, Some(vec![QuestionType::Essay]));
        assert_eq!(rules[1].level_tag().as_deref(), Some("level:ahli-muda"));
        assert_eq!(rules[2].tag, "unit:xml", "an x inside a tag stays");
        assert_eq!(
            rules[2].types,
            Some(vec![QuestionType::Essay, QuestionType::Matching])
        );
        for rule in &rules {
            assert_eq!(parse_rules(&rule_line(rule)).unwrap(), vec![rule.clone()]);
        }
        assert_eq!(
            rule_line(&rules[1]),
            "2 × unit:jaringan, jenis esai, level:ahli-muda"
        );
        let indonesian =
            parse_rules("4 × unit:a, jenis pilihan-ganda|isian-singkat|numerik").unwrap();
        assert_eq!(
            indonesian[0].types,
            Some(vec![
                QuestionType::Multichoice,
                QuestionType::Shortanswer,
                QuestionType::Numerical
            ])
        );
    }

    #[test]
    fn the_picker_lists_tags_with_counts_per_type() {
        use std::collections::BTreeMap;
        let counts = vec![
            TagTypeCount {
                tag: "level:mahir".into(),
                counts: BTreeMap::from([(QuestionType::Essay, 1)]),
            },
            TagTypeCount {
                tag: "unit:a".into(),
                counts: BTreeMap::from([(QuestionType::Truefalse, 2), (QuestionType::Essay, 1)]),
            },
        ];
        let p = picker(&counts);
        assert_eq!(p.columns, vec!["Benar/salah", "Esai"]);
        assert_eq!(p.rows.len(), 1, "level tags are not rows");
        assert_eq!(
            p.rows[0].cells[1],
            Some(PickerCell {
                count: 1,
                rule: "1 × unit:a, jenis esai".into()
            })
        );
    }

    #[test]
    fn rule_errors_land_on_their_line() {
        let errors = vec![
            FieldError::new("selection.rules[1].count", "aturan ke-2: kurang"),
            FieldError::new("title", "wajib diisi"),
        ];
        let shown = for_page(errors, "5 unit:a\n\n2 unit:b");
        assert_eq!(shown[0].row, Some(3));
        assert_eq!(shown[0].field, "Aturan acak");
        assert_eq!(shown[1].field, "title");
    }

    #[test]
    fn bad_rule_parts_are_named_by_line() {
        let errors = parse_rules(
            "5 × unit:a, type essai\n\
             5 × unit:a, type description\n\
             5 × unit:a, type\n\
             5 × unit:a, warna merah\n\
             0 × unit:a\n\
             5 × unit:a, level:terampil",
        )
        .unwrap_err();
        let rows: Vec<Option<u32>> = errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![Some(1), Some(2), Some(3), Some(4), Some(5)]);
        assert!(errors[0].message.contains("jenis 'essai' tidak dikenal"));
        assert!(errors[3].message.contains("'warna merah' tidak dikenal"));
        assert!(errors[4].message.contains("minimal 1"));
        assert!(parse_rules("  \n").unwrap_err()[0].row.is_none());
    }

    #[test]
    fn the_settings_form_names_every_bad_field() {
        let form = QuizForm {
            time_limit_minutes: "setengah jam".into(),
            opens_at: "besok".into(),
            pass_percent: "tujuh puluh".into(),
            ..QuizForm::blank("Jaringan")
        };
        let fields: Vec<String> = form
            .input()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        for field in [
            "bank_id",
            "rules",
            "time_limit_minutes",
            "opens_at",
            "pass_percent",
        ] {
            assert!(fields.contains(&field.to_string()), "{field} in {fields:?}");
        }
        let good = QuizForm {
            bank_id: Uuid::from_u128(1).to_string(),
            rules: "5 unit:jaringan".into(),
            opens_at: "2026-12-01T08:00".into(),
            ..QuizForm::blank("Jaringan")
        };
        let input = good.input().unwrap();
        assert_eq!(input.time_limit_seconds, Some(Some(1800)));
        assert_eq!(
            input.opens_at.flatten().map(local_input).as_deref(),
            Some("2026-12-01T08:00")
        );
        let utc = input
            .opens_at
            .flatten()
            .unwrap()
            .to_offset(time::UtcOffset::UTC);
        assert_eq!(utc.hour(), 1, "08:00 WIB is 01:00 UTC");
    }
}
