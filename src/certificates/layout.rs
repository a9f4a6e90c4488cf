//! The certificate's template: a text file of layout commands with
//! minijinja placeholders (`templates/certificate/default.txt`, or the file
//! in `BIMTEK_CERTIFICATE_TEMPLATE`), filled with a certificate's content
//! and drawn by `pdf::render`. Checked at start-up, so a mistake in an
//! adapted template stops the server with the line named, not a download.

use std::path::Path;

use minijinja::Environment;
use serde::Serialize;

use super::model::{CertificateKind, Content, UnitLine};
use super::pades::PdfSigner;
use super::pdf::{self, Logo};
use crate::clock::format_date_id;
use crate::error::{AppError, AppResult};

const DEFAULT: &str = include_str!("../../templates/certificate/default.txt");

pub struct CertificateLayout {
    env: Environment<'static>,
    logo: Option<Logo>,
    signer: Option<PdfSigner>,
    pub city: String,
}

/// What a template can print.
#[derive(Serialize)]
struct Fields<'a> {
    title: &'a str,
    verb: &'a str,
    number: &'a str,
    holder_name: &'a str,
    nip: Option<&'a str>,
    unit_kerja: Option<&'a str>,
    course_code: &'a str,
    course_title: &'a str,
    batch_name: &'a str,
    starts_on: &'a str,
    ends_on: &'a str,
    jp: i32,
    units: &'a [UnitLine],
    issuer: &'a str,
    /// The kop: `PEMERINTAH KOTA MAGELANG`, `BADAN KEPEGAWAIAN DAERAH`, …;
    /// certificates issued before it was signed show the issuer instead.
    letterhead: &'a [String],
    signatory_name: &'a str,
    signatory_position: &'a str,
    signatory_nip: Option<&'a str>,
    signatory_rank: Option<&'a str>,
    /// Whether the PDF carries an electronic (PAdES) signature, and the
    /// name on the certificate that makes it.
    signed: bool,
    signer_name: &'a str,
    expires_on: Option<String>,
    verification_code: &'a str,
    replaces: Option<&'a str>,
    city: &'a str,
    issued_on: &'a str,
    verify_url: &'a str,
}

impl CertificateLayout {
    /// The layout the settings ask for: template, logo, PAdES signer.
    pub fn from_config(config: &crate::config::Config) -> Result<Self, String> {
        let signer = match &config.signing_p12 {
            Some(path) => Some(PdfSigner::load(path, &config.signing_p12_password)?),
            None => None,
        };
        Self::load(
            config.certificate_template.as_deref(),
            config.logo.as_deref(),
            signer,
            &config.city,
        )
    }

    /// The built-in template, or the one at `template`; an optional JPEG
    /// logo; an optional signer for PAdES signatures.
    pub fn load(
        template: Option<&Path>,
        logo: Option<&Path>,
        signer: Option<PdfSigner>,
        city: &str,
    ) -> Result<Self, String> {
        let source = match template {
            Some(path) => {
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?
            }
            None => DEFAULT.to_owned(),
        };
        let mut env = Environment::new();
        env.add_template_owned("certificate", source)
            .map_err(|e| format!("templat sertifikat: {e}"))?;
        let logo = match logo {
            Some(path) => Some(
                std::fs::read(path)
                    .map_err(|e| format!("{}: {e}", path.display()))
                    .and_then(pdf::jpeg)
                    .map_err(|e| format!("logo {}: {e}", path.display()))?,
            ),
            None => None,
        };
        let layout = CertificateLayout {
            env,
            logo,
            signer,
            city: city.to_owned(),
        };
        layout
            .render(
                &sample(),
                "1 Januari 2026",
                "https://contoh.go.id/verify/K7QM-P3XV-9TRA",
            )
            .map_err(|e| format!("templat sertifikat: {e}"))?;
        Ok(layout)
    }

    /// The PDF of `cert`.
    pub fn render(&self, cert: &Content, issued_on: &str, verify_url: &str) -> AppResult<Vec<u8>> {
        let fields = Fields {
            title: cert.kind.title(),
            verb: match cert.kind {
                CertificateKind::Kelulusan => "telah menyelesaikan",
                CertificateKind::Keterangan => "telah mengikuti",
            },
            number: &cert.number,
            holder_name: &cert.holder_name,
            nip: cert.nip.as_deref(),
            unit_kerja: cert.unit_kerja.as_deref(),
            course_code: &cert.course_code,
            course_title: &cert.course_title,
            batch_name: &cert.batch_name,
            starts_on: &cert.starts_on,
            ends_on: &cert.ends_on,
            jp: cert.jp,
            units: &cert.units,
            issuer: &cert.issuer,
            letterhead: &cert.letterhead,
            signatory_name: &cert.signatory_name,
            signatory_position: &cert.signatory_position,
            signatory_nip: cert.signatory_nip.as_deref(),
            signatory_rank: cert.signatory_rank.as_deref(),
            signed: self.signer.is_some(),
            signer_name: self.signer.as_ref().map_or("", |s| s.signer_name.as_str()),
            expires_on: cert
                .expires_on
                .as_deref()
                .and_then(super::verify::parse_date)
                .map(format_date_id),
            verification_code: &cert.verification_code,
            replaces: cert.replaces.as_deref(),
            city: &self.city,
            issued_on,
            verify_url,
        };
        // One command per line: a line break inside a value (a name pasted
        // from a spreadsheet) must not end the command or start another.
        let mut value = serde_json::to_value(&fields)
            .map_err(|e| AppError::internal(format!("certificate fields: {e}")))?;
        one_line(&mut value);
        let commands = self
            .env
            .get_template("certificate")
            .and_then(|t| t.render(crate::http::templates::to_value(&value)))
            .map_err(|e| AppError::internal(format!("certificate template: {e}")))?;
        let rendered =
            pdf::render(&commands, verify_url, self.logo.as_ref()).map_err(AppError::internal)?;
        let Some(signer) = &self.signer else {
            return Ok(rendered.pdf);
        };
        let field = rendered.signature_box.ok_or_else(|| {
            AppError::internal("certificate template has no `signature` box for the signer")
        })?;
        signer
            .sign(
                &rendered.pdf,
                field,
                &self.city,
                time::OffsetDateTime::now_utc(),
            )
            .map_err(AppError::internal)
    }

    /// Whether certificates carry an electronic signature.
    pub fn signs(&self) -> bool {
        self.signer.is_some()
    }
}

/// Replaces control characters (line breaks, tabs) in every string with spaces.
fn one_line(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) if text.chars().any(char::is_control) => {
            *text = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(one_line),
        serde_json::Value::Object(map) => map.values_mut().for_each(one_line),
        _ => {}
    }
}

/// A certificate with every optional part filled, to try a template on.
pub fn sample() -> Content {
    Content {
        number: "001/BKD-BIMTEK/HM/XI/2026".into(),
        kind: CertificateKind::Kelulusan,
        holder_name: "Siti Aminah".into(),
        nip: Some("198503122010012003".into()),
        unit_kerja: Some("Diskominfo".into()),
        course_code: "HM".into(),
        course_title: "Bimtek Penulisan Humas".into(),
        batch_name: "Angkatan I".into(),
        starts_on: "3 Maret 2026".into(),
        ends_on: "5 Maret 2026".into(),
        jp: 24,
        units: vec![UnitLine {
            code: "siaran-pers".into(),
            title: "Menyusun siaran pers".into(),
            result: "Kompeten".into(),
        }],
        issuer: "BKD Kota Magelang".into(),
        letterhead: vec![
            "PEMERINTAH KOTA MAGELANG".into(),
            "BADAN KEPEGAWAIAN DAERAH".into(),
            "Jalan Sarwo Edie Wibowo No. 2, Magelang 56117".into(),
        ],
        signatory_name: "Dra. Sri Rahayu, M.Si.".into(),
        signatory_position: "Kepala Badan Kepegawaian Daerah".into(),
        signatory_nip: Some("196805121990032004".into()),
        signatory_rank: Some("Pembina Utama Muda (IV/c)".into()),
        issued_at: "2026-11-22T10:00:00Z".into(),
        expires_on: Some("2028-11-22".into()),
        verification_code: "K7QM-P3XV-9TRA".into(),
        replaces: Some("009/BKD-BIMTEK/HM/X/2026".into()),
        standing_signed: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_template_prints_every_field() {
        let layout = CertificateLayout::load(None, None, None, "Magelang").unwrap();
        let url = "https://bimtek.example.go.id/verify/K7QM-P3XV-9TRA";
        let bytes = layout.render(&sample(), "22 November 2026", url).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = pdf::pdf_text(&bytes);
        for expected in [
            "PEMERINTAH KOTA MAGELANG",
            "BADAN KEPEGAWAIAN DAERAH",
            "001/BKD-BIMTEK/HM/XI/2026",
            url,
            "Menyusun siaran pers",
            "Kompeten",
            "NIP 198503122010012003",
            "Berlaku sampai 22 November 2028",
            "Menggantikan sertifikat 009/BKD-BIMTEK/HM/X/2026",
            "Magelang, 22 November 2026",
            "SERTIFIKAT KELULUSAN",
            "Dra. Sri Rahayu, M.Si.",
            "Pembina Utama Muda (IV/c)",
            "NIP 196805121990032004",
        ] {
            assert!(text.contains(expected), "{expected} missing from:\n{text}");
        }
        // Unsigned, it claims no electronic signature.
        assert!(!text.contains("elektronik"), "{text}");
    }

    #[test]
    fn many_units_go_to_appendix_pages_and_a_long_kop_stays_on_its_lines() {
        let layout = CertificateLayout::load(None, None, None, "Magelang").unwrap();
        let mut cert = sample();
        cert.units = (1..=40)
            .map(|i| UnitLine {
                code: format!("u{i}"),
                title: format!("Unit kompetensi ke-{i}"),
                result: "Kompeten".into(),
            })
            .collect();
        cert.letterhead.push("Telepon (0293) 362000".into());
        cert.signatory_position =
            "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Daerah".into();
        let pdf = layout.render(&cert, "1 Januari 2026", "u").unwrap();
        assert!(String::from_utf8_lossy(&pdf).contains("/Count 3"));
        let text = pdf::pdf_text(&pdf);
        for expected in [
            "halaman 2",
            "(1/2)",
            "(2/2)",
            "Unit kompetensi ke-28",
            "Unit kompetensi ke-40",
            "Magelang 56117 · Telepon (0293) 362000",
        ] {
            assert!(text.contains(expected), "{expected} missing from:\n{text}");
        }
    }

    #[test]
    fn a_line_break_in_a_name_cannot_inject_a_command() {
        let layout = CertificateLayout::load(None, None, None, "Magelang").unwrap();
        let mut cert = sample();
        cert.holder_name = "Siti\nframe\ntulis apa saja".into();
        let pdf = layout.render(&cert, "1 Januari 2026", "u").unwrap();
        assert!(pdf::pdf_text(&pdf).contains("Siti frame tulis apa saja"));
    }

    #[test]
    fn an_adapted_template_with_a_mistake_is_refused_with_its_line() {
        let dir = std::env::temp_dir().join(format!("bimtek-layout-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("sertifikat.txt");
        std::fs::write(
            &path,
            "frame\ntext center 0 500 20 tebal - {{ holder_name }}\n",
        )
        .unwrap();
        let err = CertificateLayout::load(Some(&path), None, None, "Magelang")
            .err()
            .unwrap();
        assert!(err.contains("baris 2") && err.contains("tebal"), "{err}");
        std::fs::write(
            &path,
            "frame\ntext center 0 500 20 bold - {{ holder_name | upper }}\n",
        )
        .unwrap();
        let layout = CertificateLayout::load(Some(&path), None, None, "Magelang").unwrap();
        let pdf = layout.render(&sample(), "1 Januari 2026", "u").unwrap();
        assert!(pdf::pdf_text(&pdf).contains("SITI AMINAH"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
