//! The laporan penyelenggaraan of a batch, as a BKD files it after a
//! Bimtek: what was gathered in, the blocks of a PDF out. Pure.

use time::OffsetDateTime;

use crate::attempts::model::gain::GainLevel;
use crate::attempts::prepost::BatchGain;
use crate::catalog::views::CourseView;
use crate::certificates::model::CertificateKind;
use crate::certificates::service::CertificateView;
use crate::clock::{format_date_id, format_datetime_wib, weekday_name};
use crate::evaluations::model::{GroupResult, Results};
use crate::exams::results::UnitTally;
use crate::numbers::decimal;
use crate::pdf::document::Block;
use crate::schedule::views::{BatchView, ProgressRow, SessionView};

/// Who signs the report, as on the certificates.
#[derive(Debug, Clone, Default)]
pub struct Signatory {
    pub city: String,
    pub position: String,
    pub name: String,
    pub rank: String,
    pub nip: String,
}

/// Everything the report says, gathered from each capability's service.
#[derive(Debug, Clone)]
pub struct Laporan {
    pub generated_at: OffsetDateTime,
    pub letterhead: Vec<String>,
    pub course: CourseView,
    pub batch: BatchView,
    pub sessions: Vec<SessionView>,
    pub progress: Vec<ProgressRow>,
    pub exams: Vec<UnitTally>,
    pub gain: BatchGain,
    pub evaluation: Results,
    pub certificates: Vec<CertificateView>,
    pub closing: Option<String>,
    pub signatory: Signatory,
}

/// Participants of one OPD (unit kerja) and how they attended.
#[derive(Debug, Clone, PartialEq)]
pub struct OpdLine {
    pub unit: String,
    pub participants: u32,
    pub mean_attendance: f64,
    pub completed: u32,
}

/// The participants grouped by unit kerja, largest first.
pub fn by_opd(rows: &[ProgressRow]) -> Vec<OpdLine> {
    let mut lines: Vec<(OpdLine, f64)> = Vec::new();
    for row in rows.iter().filter(|r| r.status.is_participant()) {
        let unit = row
            .unit_kerja
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| "Unit kerja tidak tercatat".to_owned());
        let at = match lines.iter().position(|(l, _)| l.unit == unit) {
            Some(at) => at,
            None => {
                lines.push((
                    OpdLine {
                        unit,
                        participants: 0,
                        mean_attendance: 0.0,
                        completed: 0,
                    },
                    0.0,
                ));
                lines.len() - 1
            }
        };
        let (line, sum) = &mut lines[at];
        line.participants += 1;
        line.completed += u32::from(row.meets_completion);
        *sum += row.attendance.percent;
    }
    let mut out: Vec<OpdLine> = lines
        .into_iter()
        .map(|(mut line, sum)| {
            line.mean_attendance = sum / f64::from(line.participants.max(1));
            line
        })
        .collect();
    out.sort_by(|a, b| {
        b.participants
            .cmp(&a.participants)
            .then(a.unit.cmp(&b.unit))
    });
    out
}

/// One module quiz across the batch.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizLine {
    pub title: String,
    pub took: u32,
    pub passed: u32,
    pub mean_best: f64,
}

pub fn quizzes(rows: &[ProgressRow]) -> Vec<QuizLine> {
    let mut lines: Vec<(QuizLine, f64)> = Vec::new();
    for score in rows
        .iter()
        .filter(|r| r.status.is_participant())
        .flat_map(|r| r.quiz_best.iter())
    {
        let at = match lines.iter().position(|(l, _)| l.title == score.title) {
            Some(at) => at,
            None => {
                lines.push((
                    QuizLine {
                        title: score.title.clone(),
                        took: 0,
                        passed: 0,
                        mean_best: 0.0,
                    },
                    0.0,
                ));
                lines.len() - 1
            }
        };
        if let Some(best) = score.best_percent {
            let (line, sum) = &mut lines[at];
            line.took += 1;
            line.passed += u32::from(score.passed);
            *sum += best;
        }
    }
    lines
        .into_iter()
        .map(|(mut line, sum)| {
            line.mean_best = sum / f64::from(line.took.max(1));
            line
        })
        .collect()
}

fn row(label: impl Into<String>, value: impl Into<String>) -> Block {
    Block::Row(label.into(), value.into())
}

fn dates(batch: &BatchView) -> String {
    if batch.starts_on == batch.ends_on {
        format_date_id(batch.starts_on)
    } else {
        format!(
            "{} s.d. {}",
            format_date_id(batch.starts_on),
            format_date_id(batch.ends_on)
        )
    }
}

pub fn blocks(l: &Laporan) -> Vec<Block> {
    let mut out = Vec::new();
    if !l.letterhead.is_empty() {
        out.push(Block::Letterhead(l.letterhead.clone()));
    }
    out.push(Block::Paragraph(format!(
        "Laporan penyelenggaraan {} ({}), {}.",
        l.course.title, l.course.code, l.batch.name
    )));
    introduction(l, &mut out);
    implementation(l, &mut out);
    participants(l, &mut out);
    learning(l, &mut out);
    evaluation(l, &mut out);
    certificates(l, &mut out);
    closing(l, &mut out);
    out
}

fn introduction(l: &Laporan, out: &mut Vec<Block>) {
    out.push(Block::Heading("I. Pendahuluan".into()));
    out.push(row(
        "Kursus",
        format!("{} ({})", l.course.title, l.course.code),
    ));
    if let Some(level) = &l.course.target_level {
        out.push(row("Sasaran jenjang", level.clone()));
    }
    out.push(row("Beban belajar", format!("{} JP", l.course.total_jp)));
    out.push(row(
        "Syarat kelulusan",
        format!(
            "kehadiran sekurang-kurangnya {} %",
            l.course.min_attendance_percent
        ),
    ));
    out.push(Block::Heading("Dasar, maksud dan tujuan".into()));
    let description = l.course.description.trim();
    out.push(Block::Paragraph(if description.is_empty() {
        "Uraian kursus belum diisi pada halaman kursus.".into()
    } else {
        crate::markup::html_to_plain(&crate::markup::markdown_to_html(description))
    }));
}

fn implementation(l: &Laporan, out: &mut Vec<Block>) {
    out.push(Block::Heading("II. Pelaksanaan".into()));
    let b = &l.batch;
    out.push(row("Angkatan", b.name.clone()));
    out.push(row("Waktu", dates(b)));
    out.push(row(
        "Tempat",
        match (b.online, &b.venue, &b.meeting_link) {
            // The link may carry a passcode; the report travels further.
            (true, _, _) => "daring".into(),
            (false, Some(venue), _) => venue.clone(),
            (false, None, _) => "–".into(),
        },
    ));
    out.push(row("Penyelenggara", b.organiser.clone()));
    out.push(Block::Heading("Jadwal dan narasumber".into()));
    if l.sessions.is_empty() {
        out.push(Block::Paragraph("Tidak ada sesi terjadwal.".into()));
    }
    for s in &l.sessions {
        let mut what = s.topic.clone().unwrap_or_else(|| "Sesi".into());
        if let Some(who) = &s.instructor {
            what.push_str(&format!(" — narasumber: {who}"));
        }
        out.push(row(
            format!(
                "{}, {} {}–{} WIB",
                weekday_name(s.day),
                format_date_id(s.day),
                s.starts_at.replace(':', "."),
                s.ends_at.replace(':', ".")
            ),
            what,
        ));
    }
}

fn participants(l: &Laporan, out: &mut Vec<Block>) {
    out.push(Block::Heading("III. Peserta".into()));
    let opd = by_opd(&l.progress);
    let total: u32 = opd.iter().map(|o| o.participants).sum();
    let completed: u32 = opd.iter().map(|o| o.completed).sum();
    out.push(Block::Paragraph(format!(
        "{total} peserta dari {} unit kerja; {completed} memenuhi syarat penyelesaian.",
        opd.len()
    )));
    for line in &opd {
        out.push(row(
            line.unit.clone(),
            format!(
                "{} peserta, rata-rata kehadiran {} %, {} memenuhi syarat",
                line.participants,
                decimal(line.mean_attendance),
                line.completed
            ),
        ));
    }
}

fn learning(l: &Laporan, out: &mut Vec<Block>) {
    out.push(Block::Heading("IV. Hasil pembelajaran".into()));
    pre_post(&l.gain, out);
    let quizzes = quizzes(&l.progress);
    if quizzes.is_empty() {
        out.push(row("Kuis modul", "tidak ada kuis"));
    }
    for q in &quizzes {
        out.push(row(
            format!("Kuis: {}", q.title),
            if q.took == 0 {
                "belum ada peserta yang mengerjakan".to_owned()
            } else {
                format!(
                    "{} peserta mengerjakan, {} lulus, rata-rata nilai terbaik {}",
                    q.took,
                    q.passed,
                    decimal(q.mean_best)
                )
            },
        ));
    }
    if l.exams.is_empty() {
        out.push(row("Uji kompetensi", "tidak ada uji kompetensi"));
    }
    let participants = l
        .progress
        .iter()
        .filter(|r| r.status.is_participant())
        .count() as u32;
    let mut exam = None;
    for unit in &l.exams {
        if exam != Some(unit.exam_id) {
            exam = Some(unit.exam_id);
            out.push(Block::Paragraph(format!(
                "Uji kompetensi: {}{}",
                unit.exam,
                if unit.released {
                    ""
                } else {
                    " (hasil belum diumumkan)"
                }
            )));
        }
        let mut text = format!(
            "Kompeten {}, Belum Kompeten {}",
            unit.kompeten, unit.belum_kompeten
        );
        if unit.undecided > 0 {
            text.push_str(&format!(", belum diputuskan {}", unit.undecided));
        }
        let sat = unit.kompeten + unit.belum_kompeten + unit.undecided;
        if participants > sat {
            text.push_str(&format!(", tidak mengikuti {}", participants - sat));
        }
        out.push(row(unit.unit.clone(), text));
    }
}

/// The pre-test and post-test in a few lines: means, gain, its spread.
fn pre_post(g: &BatchGain, out: &mut Vec<Block>) {
    let s = &g.summary;
    if !g.set_up {
        out.push(row(
            "Pre-test dan post-test",
            "tidak diadakan (kursus ini tidak memiliki pre-test dan post-test)",
        ));
        return;
    }
    let (Some(pre), Some(post)) = (s.mean_pre, s.mean_post) else {
        out.push(row(
            "Pre-test dan post-test",
            format!(
                "belum ada peserta yang mengerjakan keduanya ({} pre-test, {} post-test)",
                s.took_pre, s.took_post
            ),
        ));
        return;
    };
    out.push(row(
        "Pre-test dan post-test",
        format!(
            "{} dari {} peserta mengerjakan keduanya; {} nilainya meningkat",
            s.took_both, s.participants, s.improved
        ),
    ));
    out.push(row("Rata-rata pre-test", decimal(pre)));
    out.push(row("Rata-rata post-test", decimal(post)));
    if let (Some(gain), Some(level)) = (s.mean_gain, s.gain_level) {
        let count = |l: GainLevel| g.rows.iter().filter(|r| r.gain_level == Some(l)).count();
        out.push(row(
            "Rata-rata N-gain",
            format!(
                "{} ({}); peserta dengan N-gain tinggi {}, sedang {}, rendah {}",
                decimal(gain),
                level.label(),
                count(GainLevel::High),
                count(GainLevel::Medium),
                count(GainLevel::Low)
            ),
        ));
    }
}

fn group(out: &mut Vec<Block>, title: &str, g: &GroupResult) {
    out.push(row(
        title,
        format!(
            "indeks {} ({}), rata-rata {} dari 4",
            decimal(g.index),
            g.grade,
            decimal(g.mean)
        ),
    ));
    for item in &g.items {
        out.push(row(
            format!("  {}", item.item),
            format!("{} (indeks {})", decimal(item.mean), decimal(item.index)),
        ));
    }
}

fn evaluation(l: &Laporan, out: &mut Vec<Block>) {
    out.push(Block::Heading("V. Evaluasi penyelenggaraan".into()));
    let r = &l.evaluation;
    if !r.shown {
        out.push(Block::Paragraph(format!(
            "{} peserta mengisi evaluasi; rekap disajikan setelah sekurang-kurangnya {} peserta mengisi.",
            r.respondents,
            crate::evaluations::model::MIN_SHOWN
        )));
        return;
    }
    out.push(Block::Paragraph(format!(
        "{} peserta mengisi (tanpa nama). Indeks keseluruhan {}, mutu {} (skala 25–100).",
        r.respondents,
        r.index.map(decimal).unwrap_or_default(),
        r.grade.clone().unwrap_or_default()
    )));
    if let Some(org) = &r.organisation {
        group(out, "Penyelenggaraan", org);
    }
    for s in &r.speakers {
        group(out, &format!("Narasumber: {}", s.name), s);
    }
    if !r.comments.is_empty() {
        out.push(Block::Heading("Saran dan komentar peserta".into()));
        for c in &r.comments {
            out.push(Block::Paragraph(format!("– {c}")));
        }
    }
}

fn certificates(l: &Laporan, out: &mut Vec<Block>) {
    out.push(Block::Heading("VI. Sertifikat".into()));
    let standing: Vec<&CertificateView> = l
        .certificates
        .iter()
        .filter(|c| c.revoked_at.is_none())
        .collect();
    let count = |kind: CertificateKind| standing.iter().filter(|c| c.content.kind == kind).count();
    let revoked = l.certificates.len() - standing.len();
    out.push(Block::Paragraph(format!(
        "{} sertifikat kelulusan dan {} surat keterangan mengikuti berlaku{}.",
        count(CertificateKind::Kelulusan),
        count(CertificateKind::Keterangan),
        if revoked > 0 {
            format!("; {revoked} dicabut")
        } else {
            String::new()
        }
    )));
    for c in &standing {
        out.push(row(
            c.content.holder_name.clone(),
            format!("{} ({})", c.content.number, c.content.kind.title()),
        ));
    }
}

fn closing(l: &Laporan, out: &mut Vec<Block>) {
    out.push(Block::Heading("VII. Penutup".into()));
    out.push(Block::Paragraph(
        l.closing
            .clone()
            .filter(|c| !c.trim().is_empty())
            .unwrap_or_else(|| "(Penutup belum ditulis oleh penyelenggara.)".into()),
    ));
    out.push(Block::Gap);
    let s = &l.signatory;
    let mut lines = vec![
        format!(
            "{}, {}",
            s.city,
            format_date_id(l.generated_at.to_offset(crate::clock::WIB).date())
        ),
        if s.position.is_empty() {
            "Penanggung jawab".into()
        } else {
            s.position.clone()
        },
        String::new(),
        String::new(),
        String::new(),
        if s.name.is_empty() {
            "(.................................)".into()
        } else {
            s.name.clone()
        },
    ];
    if !s.rank.is_empty() {
        lines.push(s.rank.clone());
    }
    if !s.nip.is_empty() {
        lines.push(format!("NIP. {}", s.nip));
    }
    out.push(Block::Signature(lines));
    out.push(Block::Gap);
    out.push(Block::Paragraph(format!(
        "Disusun oleh Bimtek pada {}.",
        format_datetime_wib(l.generated_at)
    )));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::model::{AttendanceSummary, EnrolmentStatus};
    use crate::schedule::views::QuizScore;

    fn person(unit: Option<&str>, percent: f64, done: bool, quiz: Option<f64>) -> ProgressRow {
        ProgressRow {
            user_id: uuid::Uuid::nil(),
            name: "x".into(),
            nip: None,
            unit_kerja: unit.map(Into::into),
            status: EnrolmentStatus::Enrolled,
            modules_read: 0,
            modules_total: 0,
            quiz_best: vec![QuizScore {
                quiz_id: uuid::Uuid::nil(),
                title: "Kuis Modul 1".into(),
                best_percent: quiz,
                passed: quiz.is_some_and(|q| q >= 70.0),
            }],
            attendance: AttendanceSummary {
                sessions: 5,
                present: 5,
                excused: 0,
                absent: 0,
                unrecorded: 0,
                percent,
            },
            meets_completion: done,
            unmet: Vec::new(),
        }
    }

    #[test]
    fn participants_group_by_unit_largest_first() {
        let rows = vec![
            person(Some("Dinas Kominfo"), 100.0, true, Some(80.0)),
            person(Some("Bappeda"), 80.0, false, None),
            person(Some("Dinas Kominfo"), 60.0, false, Some(50.0)),
            person(None, 100.0, true, Some(90.0)),
        ];
        let opd = by_opd(&rows);
        assert_eq!(opd[0].unit, "Dinas Kominfo");
        assert_eq!((opd[0].participants, opd[0].completed), (2, 1));
        assert!((opd[0].mean_attendance - 80.0).abs() < 1e-9);
        assert!(opd.iter().any(|o| o.unit == "Unit kerja tidak tercatat"));
        let q = quizzes(&rows);
        assert_eq!(q.len(), 1);
        assert_eq!((q[0].took, q[0].passed), (3, 2));
        assert!((q[0].mean_best - 220.0 / 3.0).abs() < 1e-9);
    }

    fn gain(rows: &[(Option<f64>, Option<f64>)]) -> BatchGain {
        use crate::attempts::model::gain::{normalised_gain, summarise};
        use crate::attempts::prepost::GainRow;
        BatchGain {
            batch_id: uuid::Uuid::nil(),
            batch_name: "A".into(),
            course_id: uuid::Uuid::nil(),
            course_code: "K".into(),
            course_title: "Kursus".into(),
            set_up: true,
            pre_test_id: None,
            post_test_id: None,
            rows: rows
                .iter()
                .map(|(pre, post)| {
                    let g = pre.zip(*post).and_then(|(a, b)| normalised_gain(a, b));
                    GainRow {
                        user_id: uuid::Uuid::nil(),
                        name: "x".into(),
                        nip: None,
                        unit_kerja: None,
                        pre: *pre,
                        post: *post,
                        gain: g,
                        gain_level: g.map(GainLevel::of),
                        improved: None,
                    }
                })
                .collect(),
            summary: summarise(rows),
        }
    }

    fn texts(blocks: &[Block]) -> String {
        format!("{blocks:?}")
    }

    #[test]
    fn pre_and_post_test_say_means_gain_and_its_spread() {
        let mut out = Vec::new();
        pre_post(
            &gain(&[
                (Some(40.0), Some(85.0)),
                (Some(50.0), Some(70.0)),
                (Some(60.0), Some(50.0)),
                (None, Some(90.0)),
            ]),
            &mut out,
        );
        let text = texts(&out);
        assert!(text.contains("3 dari 4 peserta mengerjakan keduanya; 2 nilainya meningkat"));
        assert!(text.contains("Rata-rata pre-test") && text.contains("\"50\""));
        assert!(text.contains("68,33"), "{text}");
        // g: 0,75, 0,4, −0,25 → mean 0,3 (sedang).
        assert!(text.contains("0,3 (sedang); peserta dengan N-gain tinggi 1, sedang 1, rendah 1"));
        let mut none = Vec::new();
        pre_post(&gain(&[(Some(40.0), None)]), &mut none);
        assert!(
            texts(&none)
                .contains("belum ada peserta yang mengerjakan keduanya (1 pre-test, 0 post-test)")
        );
        let mut absent = Vec::new();
        let mut g = gain(&[]);
        g.set_up = false;
        pre_post(&g, &mut absent);
        assert!(texts(&absent).contains("tidak diadakan"));
    }
}
