//! The texts of the messages: shipped defaults (`templates/messages/`,
//! first line the subject) that an administrator may replace, rendered
//! with minijinja as plain text. A template is checked on save by
//! rendering it with sample facts, so a typo in a variable name is refused
//! with its line instead of failing at three in the morning in the worker.

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::model::MessageKind;
use crate::error::FieldError;

/// Bounds on what an administrator may type.
pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 10_000;
/// Rendering steps allowed per message: far above any sane text, far
/// below a loop that would stall the worker.
const FUEL: u64 = 50_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

/// The shipped text of `kind`.
pub fn default_for(kind: MessageKind) -> Template {
    let text = match kind {
        MessageKind::Invitation => include_str!("../../templates/messages/undangan.txt"),
        MessageKind::ScheduleChange => include_str!("../../templates/messages/perubahan.txt"),
        MessageKind::Cancellation => include_str!("../../templates/messages/pembatalan.txt"),
        MessageKind::Withdrawal => include_str!("../../templates/messages/pengunduran-diri.txt"),
        MessageKind::Reminder => include_str!("../../templates/messages/pengingat.txt"),
        MessageKind::ExamResult => include_str!("../../templates/messages/hasil-ujian.txt"),
        MessageKind::Certificate => include_str!("../../templates/messages/sertifikat.txt"),
    };
    let (subject, body) = text.split_once('\n').unwrap_or((text, ""));
    Template {
        subject: subject.trim().to_owned(),
        body: body.to_owned(),
    }
}

/// Facts about a batch, for its invitation, change, cancellation and reminder.
#[derive(Debug, Clone, Serialize)]
pub struct BatchFacts {
    pub nama: String,
    pub kursus: String,
    pub kode_kursus: String,
    pub jp: i32,
    pub angkatan: String,
    pub tanggal: String,
    pub tempat: String,
    pub jadwal: String,
    pub bawaan: String,
    pub penyelenggara: String,
    pub tautan: String,
    pub alasan: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExamFacts {
    pub nama: String,
    pub ujian: String,
    pub tautan: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificateFacts {
    pub nama: String,
    pub kursus: String,
    /// "Sertifikat Kelulusan" or "Surat Keterangan".
    pub jenis: String,
    pub nomor: String,
    pub penerbit: String,
    pub tautan: String,
    pub tautan_verifikasi: String,
}

/// The variables a template of `kind` may use, with what each holds.
pub fn variables(kind: MessageKind) -> &'static [(&'static str, &'static str)] {
    const BATCH: &[(&str, &str)] = &[
        ("nama", "nama peserta"),
        ("kursus", "judul kursus"),
        ("kode_kursus", "kode kursus"),
        ("jp", "jumlah JP kursus"),
        ("angkatan", "nama angkatan"),
        ("tanggal", "tanggal pelaksanaan"),
        ("tempat", "tempat, atau tautan bila daring"),
        ("jadwal", "daftar sesi: hari, jam, topik, narasumber"),
        ("bawaan", "yang perlu dibawa (boleh kosong)"),
        ("penyelenggara", "penyelenggara angkatan"),
        ("tautan", "alamat halaman Bimtek peserta"),
        (
            "alasan",
            "alasan pembatalan atau pengunduran diri (hanya pada pesan itu)",
        ),
    ];
    const EXAM: &[(&str, &str)] = &[
        ("nama", "nama peserta"),
        ("ujian", "judul uji kompetensi"),
        ("tautan", "alamat halaman hasil"),
    ];
    const CERTIFICATE: &[(&str, &str)] = &[
        ("nama", "nama pemegang"),
        ("kursus", "judul kursus"),
        ("jenis", "Sertifikat Kelulusan atau Surat Keterangan"),
        ("nomor", "nomor sertifikat"),
        ("penerbit", "penerbit sertifikat"),
        ("tautan", "alamat unduhan sertifikat"),
        ("tautan_verifikasi", "alamat pemeriksaan keaslian"),
    ];
    match kind {
        MessageKind::ExamResult => EXAM,
        MessageKind::Certificate => CERTIFICATE,
        _ => BATCH,
    }
}

/// Plausible facts of `kind`, for checking a template and for the preview.
pub fn sample(kind: MessageKind) -> serde_json::Value {
    let value = match kind {
        MessageKind::ExamResult => serde_json::to_value(ExamFacts {
            nama: "Rina Wulandari, S.Kom.".into(),
            ujian: "Uji Kompetensi Pranata Komputer Ahli Pertama".into(),
            tautan: "https://bimtek.magelangkota.go.id/my/exams".into(),
        }),
        MessageKind::Certificate => serde_json::to_value(CertificateFacts {
            nama: "Rina Wulandari, S.Kom.".into(),
            kursus: "Bimtek Calon Pranata Komputer".into(),
            jenis: "Sertifikat Kelulusan".into(),
            nomor: "800/BKPSDM/BIMTEK-PK/0001/2026".into(),
            penerbit: "BKPSDM Kota Magelang".into(),
            tautan: "https://bimtek.magelangkota.go.id/my/certificates".into(),
            tautan_verifikasi: "https://bimtek.magelangkota.go.id/verify".into(),
        }),
        _ => serde_json::to_value(BatchFacts {
            nama: "Rina Wulandari, S.Kom.".into(),
            kursus: "Bimtek Calon Pranata Komputer".into(),
            kode_kursus: "BIMTEK-PK".into(),
            jp: 32,
            angkatan: "Angkatan I".into(),
            tanggal: "2 – 6 Maret 2026".into(),
            tempat: "Aula Adipura Kencana, Kantor Wali Kota Magelang".into(),
            jadwal:
                "- Senin, 2 Maret 2026, 08.00–12.00 WIB: Tata kelola TIK (narasumber: Dr. Bambang)"
                    .into(),
            bawaan: "laptop dan alat tulis".into(),
            penyelenggara: "BKPSDM Kota Magelang".into(),
            tautan: "https://bimtek.magelangkota.go.id/my/batches".into(),
            alasan: if matches!(kind, MessageKind::Cancellation | MessageKind::Withdrawal) {
                "narasumber berhalangan".into()
            } else {
                String::new()
            },
        }),
    };
    value.unwrap_or(serde_json::Value::Null)
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(16);
    if let Ok(syntax) = SyntaxConfig::builder().trim_blocks(true).build() {
        env.set_syntax(syntax);
    }
    env
}

/// Why a template cannot be rendered: "baris 3: …", in Indonesian (the
/// engine's own detail is English and stays in the log).
fn explain(err: &minijinja::Error) -> String {
    let what = match err.kind() {
        minijinja::ErrorKind::UndefinedError => "variabel tidak dikenal",
        minijinja::ErrorKind::SyntaxError => {
            "penulisan templat salah (periksa pasangan {{ }} dan {% %})"
        }
        minijinja::ErrorKind::OutOfFuel => "templat terlalu berat untuk dijalankan",
        _ => "templat tidak dapat dijalankan",
    };
    match err.line() {
        Some(line) => format!("baris {line}: {what}"),
        None => what.to_owned(),
    }
}

/// A rendered message longer than this is refused: a loop or a repeated
/// string can make a short template produce megabytes.
const MAX_RENDERED_CHARS: usize = 50_000;

fn bounded(field: &str, text: String) -> Result<String, FieldError> {
    if text.len() > MAX_RENDERED_CHARS {
        Err(FieldError::new(
            field,
            format!(
                "hasilnya lebih dari {} karakter",
                crate::numbers::grouped(MAX_RENDERED_CHARS as u64)
            ),
        ))
    } else {
        Ok(text)
    }
}

/// The subject and body of `template` with `facts` filled in.
pub fn render(
    template: &Template,
    facts: &serde_json::Value,
) -> Result<(String, String), Vec<FieldError>> {
    let env = environment();
    let facts = minijinja::Value::from(minijinja::value::Serde(facts));
    let subject = env
        .render_str(&template.subject, facts.clone())
        .map_err(|e| FieldError::new("subject", explain(&e)))
        .and_then(|text| bounded("subject", text));
    let body = env
        .render_str(&template.body, facts)
        .map_err(|e| FieldError::new("body", explain(&e)))
        .and_then(|text| bounded("body", text));
    match (subject, body) {
        (Ok(subject), Ok(body)) => Ok((subject.replace(['\r', '\n'], " "), body)),
        (subject, body) => Err([subject.err(), body.err()].into_iter().flatten().collect()),
    }
}

/// What is wrong with a template an administrator wants to save, every
/// field at once; empty when it renders with the sample facts.
pub fn check(kind: MessageKind, template: &Template) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let subject_chars = template.subject.chars().count();
    if template.subject.trim().is_empty() {
        errors.push(FieldError::new("subject", "subjek wajib diisi"));
    } else if subject_chars > MAX_SUBJECT_CHARS {
        errors.push(FieldError::new(
            "subject",
            format!("subjek paling panjang {MAX_SUBJECT_CHARS} karakter"),
        ));
    }
    if template.body.trim().is_empty() {
        errors.push(FieldError::new("body", "isi pesan wajib diisi"));
    } else if template.body.chars().count() > MAX_BODY_CHARS {
        errors.push(FieldError::new(
            "body",
            format!(
                "isi pesan paling panjang {} karakter",
                crate::numbers::grouped(MAX_BODY_CHARS as u64)
            ),
        ));
    }
    if errors.is_empty()
        && let Err(found) = render(template, &sample(kind))
    {
        errors.extend(found);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_renders_with_its_sample() {
        for kind in MessageKind::ALL {
            let template = default_for(kind);
            assert!(
                check(kind, &template).is_empty(),
                "{kind:?}: {:?}",
                check(kind, &template)
            );
            let (subject, body) = render(&template, &sample(kind)).unwrap();
            assert!(!subject.contains("{{") && !body.contains("{{") && !body.contains("{%"));
            assert!(body.contains("Rina Wulandari"), "{kind:?}");
        }
    }

    #[test]
    fn the_invitation_leaves_out_what_to_bring_when_there_is_nothing() {
        let mut facts = sample(MessageKind::Invitation);
        facts["bawaan"] = "".into();
        let (_, body) = render(&default_for(MessageKind::Invitation), &facts).unwrap();
        assert!(!body.contains("Yang perlu dibawa"), "{body}");
        assert!(!body.contains("\n\n\n"), "{body}");
    }

    #[test]
    fn a_typo_is_refused_with_its_line() {
        let template = Template {
            subject: "Undangan {{ kursus }}".into(),
            body: "Yth. {{ nama }},\n\nTanggal {{ tangal }}\n".into(),
        };
        let errors = check(MessageKind::Invitation, &template);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "body");
        assert!(
            errors[0].message.contains("baris 3"),
            "{}",
            errors[0].message
        );
        assert!(errors[0].message.contains("variabel tidak dikenal"));
    }

    #[test]
    fn broken_syntax_and_endless_loops_are_refused() {
        let broken = Template {
            subject: "{{ kursus".into(),
            body: "x".into(),
        };
        assert_eq!(check(MessageKind::Invitation, &broken)[0].field, "subject");
        let endless = Template {
            subject: "x".into(),
            body:
                "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"
                    .into(),
        };
        let errors = check(MessageKind::Invitation, &endless);
        assert!(errors[0].message.contains("terlalu berat"), "{errors:?}");
    }

    #[test]
    fn a_huge_result_is_refused() {
        let huge = Template {
            subject: "x".into(),
            body: "{{ nama * 100000 }}".into(),
        };
        let errors = check(MessageKind::Invitation, &huge);
        assert!(errors.iter().any(|e| e.field == "body"), "{errors:?}");
    }

    #[test]
    fn empty_and_oversized_fields_are_named() {
        let empty = Template {
            subject: " ".into(),
            body: String::new(),
        };
        let fields: Vec<String> = check(MessageKind::Reminder, &empty)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["subject", "body"]);
        let long = Template {
            subject: "a".repeat(MAX_SUBJECT_CHARS + 1),
            body: "b".repeat(MAX_BODY_CHARS + 1),
        };
        assert_eq!(check(MessageKind::Reminder, &long).len(), 2);
    }

    #[test]
    fn a_subject_stays_on_one_line() {
        let template = Template {
            subject: "A\n{{ nama }}".into(),
            body: "x".into(),
        };
        let (subject, _) = render(&template, &sample(MessageKind::ExamResult)).unwrap();
        assert!(!subject.contains('\n'));
    }
}
