//! The person's data as a document to read: every part of the JSON, in
//! Bahasa Indonesia, dates in WIB and numbers with a decimal comma. Pure:
//! the gathered data in, the blocks of `document_pdf` out.

use std::collections::HashMap;

use uuid::Uuid;

use super::export::PersonalData;
use crate::attempts::model::Answer;
use crate::attempts::views::{ChoiceView, QuestionView, SavedAnswer};
use crate::clock::{format_date_id, format_datetime_wib};
use crate::markup::{html_to_plain, shorten};
use crate::numbers;
use crate::pdf::document::Block;

/// Longest question text printed; the whole text is in the JSON.
const QUESTION_CHARS: usize = 300;

pub fn blocks(data: &PersonalData) -> Vec<Block> {
    let mut out = vec![Block::Paragraph(format!(
        "Salinan data pribadi Anda yang tersimpan di Bimtek, dibuat {}. Berkas JSON dari halaman yang sama memuat data yang sama untuk diolah mesin.",
        format_datetime_wib(data.generated_at)
    ))];
    profile(data, &mut out);
    batches(data, &mut out);
    attempts(data, &mut out);
    exam_results(data, &mut out);
    certificates(data, &mut out);
    sign_ins(data, &mut out);
    messages(data, &mut out);
    out
}

fn row(label: &str, value: impl Into<String>) -> Block {
    Block::Row(label.to_owned(), value.into())
}

fn or_dash(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "–".into())
}

fn profile(data: &PersonalData, out: &mut Vec<Block>) {
    let p = &data.profile;
    out.push(Block::Heading("Profil".into()));
    out.push(row("Nama", p.name.clone()));
    out.push(row("NIP", or_dash(&p.nip)));
    out.push(row("Nama pengguna", p.username.clone()));
    out.push(row("E-mail", or_dash(&p.email)));
    out.push(row("Unit kerja", or_dash(&p.unit_kerja)));
    out.push(row("Jabatan", or_dash(&p.jabatan)));
    let roles: Vec<&str> = p.roles.iter().map(|r| r.label()).collect();
    out.push(row("Peran", roles.join(", ")));
    out.push(row("Akun dibuat", format_datetime_wib(p.created_at)));
}

fn batches(data: &PersonalData, out: &mut Vec<Block>) {
    out.push(Block::Heading("Bimtek yang diikuti".into()));
    if data.batches.is_empty() {
        out.push(Block::Paragraph(
            "Belum pernah terdaftar di angkatan mana pun.".into(),
        ));
    }
    let attendance: HashMap<Uuid, &str> = data
        .attendance
        .iter()
        .map(|a| (a.session_id, a.status.label()))
        .collect();
    for b in &data.batches {
        out.push(Block::Gap);
        out.push(row(
            "Kursus",
            format!("{} — {}", b.batch.course_code, b.batch.course_title),
        ));
        out.push(row("Angkatan", b.batch.name.clone()));
        out.push(row(
            "Tanggal",
            format!(
                "{} s.d. {}",
                format_date_id(b.batch.starts_on),
                format_date_id(b.batch.ends_on)
            ),
        ));
        out.push(row("Status pendaftaran", b.enrolment.status.label()));
        out.push(row(
            "Terdaftar sejak",
            format_datetime_wib(b.enrolment.enrolled_at),
        ));
        out.push(row(
            "Modul dibaca",
            format!("{} dari {}", b.modules_read, b.modules_total),
        ));
        out.push(row(
            "Kehadiran",
            format!(
                "{} dari {} sesi ({}%)",
                b.attendance.present,
                b.attendance.sessions,
                numbers::decimal(b.attendance.percent)
            ),
        ));
        for s in &b.sessions {
            let topic = s.topic.clone().unwrap_or_else(|| "Sesi".into());
            out.push(row(
                &format!(
                    "Sesi {} {}–{} WIB",
                    format_date_id(s.day),
                    s.starts_at,
                    s.ends_at
                ),
                format!(
                    "{topic}: {}",
                    attendance.get(&s.id).copied().unwrap_or("belum dicatat")
                ),
            ));
        }
    }
}

fn attempts(data: &PersonalData, out: &mut Vec<Block>) {
    out.push(Block::Heading("Kuis dan ujian yang dikerjakan".into()));
    if data.attempts.is_empty() {
        out.push(Block::Paragraph("Belum ada.".into()));
    }
    for a in &data.attempts {
        out.push(Block::Gap);
        out.push(row(
            "Judul",
            format!("{} (percobaan {})", a.title, a.number),
        ));
        out.push(row("Mulai", format_datetime_wib(a.started_at)));
        out.push(row("Status", a.status.label()));
        if let Some(r) = &a.result {
            if let Some(at) = r.submitted_at {
                out.push(row("Dikumpulkan", format_datetime_wib(at)));
            }
            out.push(row(
                "Nilai",
                format!(
                    "{} dari {} ({}%)",
                    numbers::decimal(r.score),
                    numbers::decimal(r.max_score),
                    numbers::decimal(r.percent)
                ),
            ));
        }
        for q in &a.questions {
            let answer = a
                .answers
                .get(&q.id.to_string())
                .and_then(SavedAnswer::answer);
            out.push(row(
                &format!("Soal {}", q.number),
                shorten(&html_to_plain(&q.text_html), QUESTION_CHARS),
            ));
            out.push(row(
                "Jawaban Anda",
                answer.map_or_else(|| "tidak dijawab".into(), |r| answer_text(q, &r)),
            ));
        }
    }
}

fn exam_results(data: &PersonalData, out: &mut Vec<Block>) {
    out.push(Block::Heading("Hasil uji kompetensi".into()));
    if data.exam_results.is_empty() {
        out.push(Block::Paragraph("Belum ada hasil yang dirilis.".into()));
    }
    for r in &data.exam_results {
        out.push(Block::Gap);
        out.push(row("Ujian", r.title.clone()));
        out.push(row("Dirilis", format_datetime_wib(r.released_at)));
        for unit in &r.result.units {
            out.push(row(
                &format!("Unit {}", unit.code),
                format!("{}: {}", unit.title, unit.label),
            ));
        }
        if let Some(appeal) = &r.appeal {
            out.push(row(
                "Banding",
                format!("{} ({})", appeal.reason, appeal.status_label),
            ));
        }
    }
}

fn certificates(data: &PersonalData, out: &mut Vec<Block>) {
    out.push(Block::Heading("Sertifikat".into()));
    if data.certificates.is_empty() {
        out.push(Block::Paragraph("Belum ada sertifikat.".into()));
    }
    for c in &data.certificates {
        out.push(Block::Gap);
        out.push(row("Nomor", c.content.number.clone()));
        out.push(row(
            "Kursus",
            format!("{} ({} JP)", c.content.course_title, c.content.jp),
        ));
        out.push(row("Atas nama", c.content.holder_name.clone()));
        out.push(row("Diterbitkan", format_datetime_wib(c.issued_at)));
        if let Some(at) = c.revoked_at {
            out.push(row(
                "Dicabut",
                format!(
                    "{} — {}",
                    format_datetime_wib(at),
                    c.revoke_reason.clone().unwrap_or_default()
                ),
            ));
        }
        out.push(row("Cek keaslian", c.verify_url.clone()));
    }
}

fn sign_ins(data: &PersonalData, out: &mut Vec<Block>) {
    out.push(Block::Heading("Riwayat masuk".into()));
    if data.sign_ins.is_empty() {
        out.push(Block::Paragraph(
            "Tidak ada catatan masuk yang tersimpan.".into(),
        ));
    }
    for s in &data.sign_ins {
        out.push(row(
            &format_datetime_wib(s.at),
            s.address
                .clone()
                .unwrap_or_else(|| "alamat tidak diketahui".into()),
        ));
    }
}

fn messages(data: &PersonalData, out: &mut Vec<Block>) {
    out.push(Block::Heading("Surel dari Bimtek".into()));
    if data.messages.is_empty() {
        out.push(Block::Paragraph("Belum ada surel untuk Anda.".into()));
    }
    for m in &data.messages {
        out.push(row(
            &format_datetime_wib(m.sent_at.unwrap_or(m.created_at)),
            format!(
                "{} — {} ({})",
                m.kind.label(),
                m.subject,
                m.status.label().to_lowercase()
            ),
        ));
    }
}

fn chosen(choices: &[ChoiceView], ids: &[String]) -> String {
    choices
        .iter()
        .filter(|c| ids.contains(&c.id))
        .map(|c| html_to_plain(&c.text_html))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the person answered, in words: the picked choices' texts, the
/// matched pairs, each blank, the number or the text.
pub fn answer_text(question: &QuestionView, response: &Answer) -> String {
    match response {
        Answer::Blanks(blanks) => blanks
            .iter()
            .enumerate()
            .map(|(i, given)| {
                let choices = question
                    .blanks
                    .get(i)
                    .map(|b| b.choices.as_slice())
                    .unwrap_or_default();
                let text = match (&given.text, &given.choices) {
                    (Some(text), _) => text.clone(),
                    (None, Some(ids)) => chosen(choices, ids),
                    (None, None) => String::new(),
                };
                format!("({}) {text}", i + 1)
            })
            .collect::<Vec<_>>()
            .join("; "),
        Answer::Choices(ids) => chosen(&question.choices, ids),
        Answer::Matches(pairs) => question
            .left
            .iter()
            .filter_map(|l| {
                let right = pairs.get(&l.id)?;
                let r = question.right.iter().find(|r| &r.id == right)?;
                Some(format!(
                    "{} → {}",
                    html_to_plain(&l.text_html),
                    html_to_plain(&r.text_html)
                ))
            })
            .collect::<Vec<_>>()
            .join("; "),
        Answer::Number(n) => numbers::plain(*n),
        Answer::Text(text) => text.clone(),
    }
}
