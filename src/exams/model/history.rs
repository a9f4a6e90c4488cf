//! How an exam's audit trail reads to a person: every action and every
//! recorded value in Indonesian words. A raw key or enum value never
//! reaches a page or a download; a value this file does not know is left
//! out rather than shown raw.

use std::collections::HashMap;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{AppealStatus, ItemStatus, UnitDecision};
use crate::clock::format_datetime_wib;

pub fn action_label(action: &str) -> &'static str {
    match action {
        "grade.draft" => "Draf nilai disimpan",
        "grade.final" => "Nilai difinalkan",
        "grade.assign" => "Penilai ditetapkan administrator",
        "grade.reassign" => "Penilai diganti administrator",
        "exam.assessors" => "Daftar asesor diubah",
        "exam.release" => "Hasil dirilis ke peserta",
        "appeal.submit" => "Banding diajukan",
        "appeal.assign" => "Banding diserahkan kepada asesor",
        "appeal.reassign" => "Asesor banding diganti",
        "appeal.decide" => "Banding diputuskan",
        "attempt.regrade" => "Bagian objektif dinilai ulang",
        _ => "Perubahan lain",
    }
}

/// Names the values point at: people by id, units by code.
pub struct Lookup<'a> {
    pub names: &'a HashMap<Uuid, String>,
    pub units: &'a HashMap<String, String>,
}

impl Lookup<'_> {
    fn person(&self, value: &Value) -> String {
        value
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .and_then(|id| self.names.get(&id).cloned())
            .unwrap_or_else(|| "(pengguna tidak dikenal)".into())
    }

    fn unit(&self, code: &str) -> String {
        self.units
            .get(code)
            .cloned()
            .unwrap_or_else(|| "(unit lain)".into())
    }
}

/// `7.5` → "7,5", `100.0` → "100".
pub fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0')
        .trim_end_matches('.')
        .replace('.', ",")
}

fn status(text: &str) -> Option<&'static str> {
    ItemStatus::parse(text)
        .map(ItemStatus::label)
        .or_else(|| AppealStatus::parse(text).map(AppealStatus::label))
}

/// An instant as recorded: RFC 3339, or `OffsetDateTime`'s display form
/// (how early releases were written).
fn instant(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        let display = time::macros::format_description!(
            "[year]-[month]-[day] [hour padding:none]:[minute]:[second].[subsecond] [offset_hour sign:mandatory]:[offset_minute]:[offset_second]"
        );
        OffsetDateTime::parse(text, display).ok()
    })
}

fn levels(value: &Value) -> Option<String> {
    let levels: Vec<String> = value
        .as_array()?
        .iter()
        .filter_map(Value::as_u64)
        .map(|l| (l + 1).to_string())
        .collect();
    (!levels.is_empty()).then(|| format!("Level per kriteria: {}", levels.join(", ")))
}

fn assessors(value: &Value, lookup: &Lookup) -> Option<String> {
    let list: Vec<String> = value
        .as_array()?
        .iter()
        .map(|a| {
            let units: Vec<String> = a["units"]
                .as_array()
                .map(|u| {
                    u.iter()
                        .filter_map(Value::as_str)
                        .map(|c| lookup.unit(c))
                        .collect()
                })
                .unwrap_or_default();
            let scope = if units.is_empty() {
                "semua unit".to_owned()
            } else {
                units.join(", ")
            };
            let lead = if a["lead"].as_bool() == Some(true) {
                ", asesor utama"
            } else {
                ""
            };
            format!("{} ({scope}{lead})", lookup.person(&a["user_id"]))
        })
        .collect();
    Some(if list.is_empty() {
        "Asesor: belum ada".into()
    } else {
        format!("Asesor: {}", list.join("; "))
    })
}

fn decisions(value: &Value, lookup: &Lookup) -> Option<String> {
    let list: Vec<String> = value
        .as_array()?
        .iter()
        .filter_map(|d| {
            let unit = lookup.unit(d["unit"].as_str()?);
            let decision = UnitDecision::parse(d["decision"].as_str()?)?;
            Some(format!("{unit}: {}", decision.label()))
        })
        .collect();
    (!list.is_empty()).then(|| list.join("; "))
}

/// One recorded field in words, if it is one this trail knows.
fn field(key: &str, value: &Value, lookup: &Lookup) -> Option<String> {
    if value.is_null() {
        return None;
    }
    let text = || value.as_str().map(str::trim).filter(|t| !t.is_empty());
    match key {
        "status" => status(value.as_str()?).map(|s| format!("Status: {s}")),
        "assessor_id" => Some(format!("Asesor: {}", lookup.person(value))),
        "levels" => levels(value),
        "total" => Some(format!("Nilai: {}", number(value.as_f64()?))),
        "comment" => text().map(|t| format!("Komentar: {t}")),
        "reason" => text().map(|t| format!("Alasan: {t}")),
        "released_at" => {
            instant(value.as_str()?).map(|at| format!("Dirilis: {}", format_datetime_wib(at)))
        }
        "score" => Some(format!("Skor: {}", number(value.as_f64()?))),
        "percent" => Some(format!("Persentase: {}%", number(value.as_f64()?))),
        "passed" => Some(format!(
            "Lulus: {}",
            if value.as_bool()? { "ya" } else { "tidak" }
        )),
        "assessors" => assessors(value, lookup),
        _ => None,
    }
}

/// The fields a person reads, in reading order.
const ORDER: [&str; 11] = [
    "status",
    "assessor_id",
    "assessors",
    "levels",
    "total",
    "score",
    "percent",
    "passed",
    "comment",
    "reason",
    "released_at",
];

/// What a recorded value says, in words; `None` when it says nothing a
/// person needs (empty, or only fields this trail does not know).
pub fn describe(value: &Value, lookup: &Lookup) -> Option<String> {
    let parts: Vec<String> = match value {
        // An appeal decision records the units' decisions as a list.
        Value::Array(_) => decisions(value, lookup).into_iter().collect(),
        Value::Object(map) => ORDER
            .iter()
            .filter_map(|k| field(k, map.get(*k)?, lookup))
            .collect(),
        _ => Vec::new(),
    };
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_lookup(check: impl FnOnce(&Lookup)) {
        let names = HashMap::from([(Uuid::from_u128(1), "Nama asesor1".to_owned())]);
        let units = HashMap::from([("siaran-pers".to_owned(), "Menyusun siaran pers".to_owned())]);
        check(&Lookup {
            names: &names,
            units: &units,
        });
    }

    /// No raw key, enum value or id is left in the words.
    fn assert_words(text: &str) {
        for raw in [
            "assessor_id",
            "levels",
            "total",
            "status",
            "draft",
            "final\"",
            "pending",
            "kompeten\"",
            "belum_kompeten",
            "submitted",
            "released_at",
            "user_id",
            "{",
            "[",
            "00000000-0000",
        ] {
            assert!(!text.contains(raw), "{raw} in {text}");
        }
    }

    #[test]
    fn a_mark_reads_as_words() {
        with_lookup(|lookup| {
            let text = describe(
                &json!({ "status": "draft", "levels": [0, 2], "total": 7.5,
                         "comment": "Teras lemah.", "reason": null }),
                lookup,
            )
            .unwrap();
            assert_eq!(
                text,
                "Status: Draf; Level per kriteria: 1, 3; Nilai: 7,5; Komentar: Teras lemah."
            );
            assert_words(&text);
        });
    }

    #[test]
    fn people_units_and_decisions_are_named() {
        with_lookup(|lookup| {
            let text = describe(
                &json!({ "assessor_id": Uuid::from_u128(1), "status": "pending" }),
                lookup,
            )
            .unwrap();
            assert_eq!(text, "Status: Belum dinilai; Asesor: Nama asesor1");
            let decided = describe(
                &json!([{ "unit": "siaran-pers", "decision": "belum_kompeten" }]),
                lookup,
            )
            .unwrap();
            assert_eq!(decided, "Menyusun siaran pers: Belum Kompeten");
            let list = describe(
                &json!({ "assessors": [{ "user_id": Uuid::from_u128(1), "units": ["siaran-pers"], "lead": true },
                                       { "user_id": Uuid::from_u128(2), "units": [], "lead": false }] }),
                lookup,
            )
            .unwrap();
            assert_eq!(
                list,
                "Asesor: Nama asesor1 (Menyusun siaran pers, asesor utama); (pengguna tidak dikenal) (semua unit)"
            );
            for text in [text, decided, list] {
                assert_words(&text);
            }
        });
    }

    #[test]
    fn release_times_read_in_wib_in_either_recorded_form() {
        with_lookup(|lookup| {
            let at = time::macros::datetime!(2026-12-01 09:05:00.123456 UTC);
            let on_the_second = time::macros::datetime!(2026-12-01 09:05:00 UTC);
            for recorded in [
                "2026-12-01T09:05:00Z".to_owned(),
                at.to_string(),
                on_the_second.to_string(),
            ] {
                assert_eq!(
                    describe(&json!({ "released_at": &recorded }), lookup).as_deref(),
                    Some("Dirilis: 1 Desember 2026 16.05 WIB"),
                    "{recorded}"
                );
            }
        });
    }

    #[test]
    fn unknown_fields_and_empty_values_say_nothing() {
        with_lookup(|lookup| {
            assert_eq!(describe(&json!({ "secret_key": "x" }), lookup), None);
            assert_eq!(
                describe(&json!({ "levels": [], "comment": "  " }), lookup),
                None
            );
            assert_eq!(describe(&json!("teks"), lookup), None);
            let regrade = describe(
                &json!({ "score": 12.0, "percent": 80.0, "passed": true }),
                lookup,
            )
            .unwrap();
            assert_eq!(regrade, "Skor: 12; Persentase: 80%; Lulus: ya");
            assert_eq!(action_label("grade.final"), "Nilai difinalkan");
            assert_eq!(action_label("rahasia.x"), "Perubahan lain");
        });
    }
}
