//! The certificate as an A4 landscape PDF: issuer, title, number, holder,
//! course, dates, JP, unit results, the signatory block and a QR code of
//! the verification URL (drawn as vector squares, with the URL printed
//! under it). Standard PDF fonts (Helvetica, WinAnsi), so nothing needs
//! embedding and a batch of hundreds renders in well under a second.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use qrcode::{Color, QrCode};

use super::model::Content as Certificate;

const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// What is printed besides the signed content.
pub struct Layout<'a> {
    pub city: &'a str,
    pub issued_on: &'a str,
    pub verify_url: &'a str,
}

/// Text as WinAnsi bytes (the encoding of the standard fonts).
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '—' => 0x97,
            '–' => 0x96,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            c if (c as u32) < 0x100 => c as u8,
            _ => b'?',
        })
        .collect()
}

/// Helvetica's average advance is about half the size; good enough to centre.
fn width(text: &str, size: f32, bold: bool) -> f32 {
    let factor = if bold { 0.56 } else { 0.52 };
    text.chars().count() as f32 * size * factor
}

struct Writer {
    content: Content,
}

impl Writer {
    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.content.begin_text();
        self.content
            .set_font(if bold { BOLD } else { REGULAR }, size);
        self.content.next_line(x, y);
        self.content.show(Str(&win_ansi(text)));
        self.content.end_text();
    }

    fn centred(&mut self, y: f32, size: f32, bold: bool, text: &str) {
        let x = (WIDTH - width(text, size, bold)) / 2.0;
        self.text(x.max(40.0), y, size, bold, text);
    }

    fn frame(&mut self) {
        self.content.set_stroke_rgb(0.12, 0.29, 0.49);
        self.content.set_line_width(3.0);
        self.content.rect(24.0, 24.0, WIDTH - 48.0, HEIGHT - 48.0);
        self.content.stroke();
        self.content.set_line_width(0.8);
        self.content.rect(32.0, 32.0, WIDTH - 64.0, HEIGHT - 64.0);
        self.content.stroke();
    }

    fn qr(&mut self, x: f32, y: f32, size: f32, data: &str) {
        let Ok(code) = QrCode::new(data.as_bytes()) else {
            return;
        };
        let modules = code.width();
        // A quiet zone of four modules on every side.
        let cell = size / (modules as f32 + 8.0);
        self.content.set_fill_gray(1.0);
        self.content.rect(x, y, size, size);
        self.content.fill_nonzero();
        self.content.set_fill_gray(0.0);
        for row in 0..modules {
            for col in 0..modules {
                if code[(col, row)] == Color::Dark {
                    let left = x + (col as f32 + 4.0) * cell;
                    let top = y + size - (row as f32 + 4.0) * cell;
                    self.content.rect(left, top - cell, cell, cell);
                }
            }
        }
        self.content.fill_nonzero();
    }
}

/// The PDF of one certificate.
pub fn render(cert: &Certificate, layout: &Layout) -> Vec<u8> {
    let mut w = Writer {
        content: Content::new(),
    };
    w.frame();
    w.content.set_fill_rgb(0.12, 0.29, 0.49);
    w.centred(520.0, 16.0, true, &cert.issuer.to_uppercase());
    w.content.set_fill_gray(0.0);
    w.centred(478.0, 30.0, true, &cert.kind.title().to_uppercase());
    w.centred(455.0, 12.0, false, &format!("Nomor: {}", cert.number));
    w.centred(420.0, 12.0, false, "diberikan kepada");
    w.centred(390.0, 24.0, true, &cert.holder_name);
    let mut line = 368.0;
    if let Some(nip) = &cert.nip {
        w.centred(line, 12.0, false, &format!("NIP {nip}"));
        line -= 17.0;
    }
    if let Some(unit) = &cert.unit_kerja {
        w.centred(line, 12.0, false, unit);
        line -= 17.0;
    }
    line -= 8.0;
    let verb = match cert.kind {
        super::model::CertificateKind::Kelulusan => "telah menyelesaikan",
        super::model::CertificateKind::Keterangan => "telah mengikuti",
    };
    w.centred(line, 13.0, false, &format!("{verb} {}", cert.course_title));
    line -= 18.0;
    w.centred(
        line,
        12.0,
        false,
        &format!(
            "{} · {} s.d. {} · {} JP",
            cert.batch_name, cert.starts_on, cert.ends_on, cert.jp
        ),
    );
    line -= 20.0;
    for unit in &cert.units {
        w.centred(
            line,
            11.0,
            false,
            &format!("{}: {}", unit.title, unit.result),
        );
        line -= 14.0;
    }
    if let Some(expires) = cert
        .expires_on
        .as_deref()
        .and_then(crate::certificates::service::parse_date)
    {
        let until = super::model::tanggal(expires);
        w.centred(line - 4.0, 10.0, false, &format!("Berlaku sampai {until}"));
    }
    // Signatory, bottom right.
    let x = 560.0;
    w.text(
        x,
        170.0,
        11.0,
        false,
        &format!("{}, {}", layout.city, layout.issued_on),
    );
    w.text(x, 155.0, 11.0, false, &cert.signatory_position);
    w.text(x, 100.0, 9.0, false, "Ditandatangani secara elektronik");
    w.text(x, 80.0, 12.0, true, &cert.signatory_name);
    // Verification, bottom left.
    w.qr(56.0, 62.0, 112.0, layout.verify_url);
    w.text(
        180.0,
        110.0,
        9.0,
        false,
        "Periksa keaslian sertifikat ini di:",
    );
    w.text(180.0, 97.0, 9.0, false, layout.verify_url);
    w.text(
        180.0,
        84.0,
        9.0,
        true,
        &format!("Kode verifikasi {}", cert.verification_code),
    );
    if let Some(replaces) = &cert.replaces {
        w.text(
            180.0,
            71.0,
            8.0,
            false,
            &format!("Menggantikan sertifikat {replaces}"),
        );
    }

    let (catalog, tree, page, regular, bold, content) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
    p.parent(tree);
    p.contents(content);
    {
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        fonts.pair(REGULAR, regular);
        fonts.pair(BOLD, bold);
    }
    p.finish();
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.stream(content, &w.content.finish());
    pdf.finish()
}

/// The dark modules of the QR code of `data`, row by row (for checks).
pub fn qr_matrix(data: &str) -> Option<Vec<Vec<bool>>> {
    let code = QrCode::new(data.as_bytes()).ok()?;
    let n = code.width();
    Some(
        (0..n)
            .map(|y| (0..n).map(|x| code[(x, y)] == Color::Dark).collect())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificates::model::{CertificateKind, UnitLine};

    fn sample() -> Certificate {
        Certificate {
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
            signatory_name: "Dra. Sri Rahayu".into(),
            signatory_position: "Kepala BKD".into(),
            issued_at: "2026-11-22T10:00:00Z".into(),
            expires_on: None,
            verification_code: "K7QM-P3XV-9TRA".into(),
            replaces: None,
        }
    }

    #[test]
    fn the_pdf_carries_the_number_and_the_verification_url() {
        let url = "https://bimtek.example.go.id/verify/K7QM-P3XV-9TRA";
        let bytes = render(
            &sample(),
            &Layout {
                city: "Magelang",
                issued_on: "22 November 2026",
                verify_url: url,
            },
        );
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.ends_with(b"%%EOF") || bytes.ends_with(b"%%EOF\n"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("001/BKD-BIMTEK/HM/XI/2026"));
        assert!(text.contains(url));
        assert!(text.contains("Menyusun siaran pers"));
    }

    #[test]
    fn the_qr_code_decodes_to_the_verification_url() {
        let url = "https://bimtek.example.go.id/verify/K7QM-P3XV-9TRA";
        let matrix = qr_matrix(url).unwrap();
        let n = matrix.len();
        let (scale, quiet) = (4usize, 4usize);
        let side = (n + 2 * quiet) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            if mx < quiet || my < quiet || mx >= n + quiet || my >= n + quiet {
                255
            } else if matrix[my - quiet][mx - quiet] {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, decoded) = grids[0].decode().unwrap();
        assert_eq!(decoded, url);
    }

    #[test]
    fn text_outside_win_ansi_does_not_break_the_file() {
        assert_eq!(
            win_ansi("Jalan — 5 “kutipan”"),
            b"Jalan \x97 5 \x93kutipan\x94"
        );
        assert_eq!(win_ansi("日本"), b"??");
    }
}
