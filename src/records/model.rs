//! Pure rules of the records BKD sends on: the JP tally per civil servant
//! against the 20 JP a year of PP 17/2020 Pasal 203, totals per unit kerja
//! (OPD), and the bar chart of those totals as SVG.

use std::collections::BTreeMap;

use poem_openapi::Object;
use serde::Serialize;

use crate::markup::shorten;

/// The yearly minimum of competency development, in JP.
pub const MIN_JP: i32 = 20;

/// A civil servant and the JP of their standing certificates in the year.
#[derive(Debug, Clone, PartialEq, Serialize, Object)]
pub struct JpRow {
    pub nip: Option<String>,
    pub name: String,
    pub unit_kerja: String,
    pub jp: i32,
    pub meets_minimum: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Object)]
pub struct OpdTotal {
    pub unit_kerja: String,
    pub people: u32,
    pub total_jp: i32,
    pub average_jp: f64,
    pub below_minimum: u32,
}

/// One row per person (`(nip, name, unit kerja)`), with the JP summed from
/// `(person index, jp)` pairs; people with none count as 0 JP.
pub fn tally(
    people: &[(Option<String>, String, Option<String>)],
    earned: &[(usize, i32)],
) -> Vec<JpRow> {
    let mut jp = vec![0; people.len()];
    for (who, amount) in earned {
        if let Some(slot) = jp.get_mut(*who) {
            *slot += amount;
        }
    }
    let mut rows: Vec<JpRow> = people
        .iter()
        .zip(jp)
        .map(|((nip, name, unit), jp)| JpRow {
            nip: nip.clone(),
            name: name.clone(),
            unit_kerja: unit.clone().unwrap_or_else(|| "(tanpa unit kerja)".into()),
            jp,
            meets_minimum: jp >= MIN_JP,
        })
        .collect();
    rows.sort_by(|a, b| a.unit_kerja.cmp(&b.unit_kerja).then(a.name.cmp(&b.name)));
    rows
}

pub fn per_opd(rows: &[JpRow]) -> Vec<OpdTotal> {
    let mut groups: BTreeMap<&str, Vec<&JpRow>> = BTreeMap::new();
    for r in rows {
        groups.entry(r.unit_kerja.as_str()).or_default().push(r);
    }
    groups
        .into_iter()
        .map(|(unit, members)| {
            let total: i32 = members.iter().map(|m| m.jp).sum();
            OpdTotal {
                unit_kerja: unit.to_owned(),
                people: members.len() as u32,
                total_jp: total,
                average_jp: (f64::from(total) / members.len() as f64 * 10.0).round() / 10.0,
                below_minimum: members.iter().filter(|m| !m.meets_minimum).count() as u32,
            }
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Characters of an OPD's name that fit left of the bars (12 px text in
/// 212 px); a longer name is cut with "…" and shown whole on hover.
const LABEL_CHARS: usize = 30;

/// Horizontal bars of the average JP per OPD, with the 20 JP line.
pub fn bar_chart(totals: &[OpdTotal]) -> String {
    let row_height = 28.0;
    let label_width = 220.0;
    let bar_width = 420.0;
    let max = totals
        .iter()
        .map(|t| t.average_jp)
        .fold(f64::from(MIN_JP) * 1.5, f64::max);
    let scale = bar_width / max;
    let height = row_height * totals.len() as f64 + 40.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"Rata-rata JP per OPD\" class=\"chart\">",
        w = label_width + bar_width + 60.0
    );
    for (i, t) in totals.iter().enumerate() {
        let y = 10.0 + row_height * i as f64;
        let width = t.average_jp * scale;
        let class = if t.average_jp >= f64::from(MIN_JP) {
            "ok"
        } else {
            "low"
        };
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\"><title>{}</title>{}</text>",
            label_width - 8.0,
            y + 15.0,
            escape(&t.unit_kerja),
            escape(&shorten(&t.unit_kerja, LABEL_CHARS))
        ));
        svg.push_str(&format!(
            "<rect class=\"{class}\" x=\"{label_width}\" y=\"{y}\" width=\"{width:.1}\" height=\"{}\"><title>{}: rata-rata {} JP, {} di bawah 20 JP</title></rect>",
            row_height - 8.0,
            escape(&t.unit_kerja),
            crate::numbers::decimal(t.average_jp),
            t.below_minimum
        ));
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{} JP</text>",
            label_width + width + 6.0,
            y + 15.0,
            crate::numbers::decimal(t.average_jp)
        ));
    }
    let line = label_width + f64::from(MIN_JP) * scale;
    svg.push_str(&format!(
        "<line x1=\"{line:.1}\" y1=\"4\" x2=\"{line:.1}\" y2=\"{:.1}\" stroke=\"#a33\" stroke-dasharray=\"4 3\"/><text x=\"{line:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#a33\" text-anchor=\"middle\">20 JP</text></svg>",
        height - 20.0,
        height - 6.0
    ));
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_opd_names_are_cut_to_fit_the_label_column() {
        let long = "Dinas Komunikasi, Informatika, Statistik dan Persandian";
        let cut = shorten(long, LABEL_CHARS);
        assert_eq!(cut.chars().count(), LABEL_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(shorten("BKD", LABEL_CHARS), "BKD");
    }

    fn people() -> Vec<(Option<String>, String, Option<String>)> {
        vec![
            (Some("1".into()), "Ani".into(), Some("BKD".into())),
            (Some("2".into()), "Budi".into(), Some("BKD".into())),
            (Some("3".into()), "Citra".into(), Some("Dinkes".into())),
            (None, "Dedi".into(), None),
        ]
    }

    #[test]
    fn the_tally_by_hand() {
        // Ani: 12 + 12 = 24; Budi: 8; Citra: 20 exactly; Dedi: nothing.
        let rows = tally(&people(), &[(0, 12), (0, 12), (1, 8), (2, 20)]);
        let find = |n: &str| rows.iter().find(|r| r.name == n).unwrap().clone();
        assert_eq!((find("Ani").jp, find("Ani").meets_minimum), (24, true));
        assert_eq!((find("Budi").jp, find("Budi").meets_minimum), (8, false));
        assert_eq!((find("Citra").jp, find("Citra").meets_minimum), (20, true));
        assert_eq!(
            (find("Dedi").jp, find("Dedi").unit_kerja.as_str()),
            (0, "(tanpa unit kerja)")
        );
        let opd = per_opd(&rows);
        let bkd = opd.iter().find(|o| o.unit_kerja == "BKD").unwrap();
        assert_eq!(
            (bkd.people, bkd.total_jp, bkd.average_jp, bkd.below_minimum),
            (2, 32, 16.0, 1)
        );
        let dinkes = opd.iter().find(|o| o.unit_kerja == "Dinkes").unwrap();
        assert_eq!((dinkes.total_jp, dinkes.below_minimum), (20, 0));
    }

    #[test]
    fn the_chart_has_a_bar_per_opd_and_escapes_names() {
        let rows = tally(&people(), &[(0, 24), (2, 10)]);
        let mut opd = per_opd(&rows);
        opd[0].unit_kerja = "Dinas <Kesehatan>".into();
        let svg = bar_chart(&opd);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), opd.len());
        assert!(svg.contains("Dinas &lt;Kesehatan&gt;"));
        assert!(svg.contains("20 JP"));
    }
}
