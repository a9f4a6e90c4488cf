//! Draws a certificate layout (the commands its template produces, see
//! `templates/certificate/default.txt`) into A4 landscape PDF pages: text
//! in the built-in typeface (embedded as a subset), lines, the frame, a
//! JPEG logo, the QR code of the verification URL drawn as vector squares,
//! and where a signature field goes.

use pdf_writer::{Content, Str};
use qrcode::{Color, QrCode};

use super::pades::FieldBox;
use crate::pdf::fonts::{self, Usage};
use crate::pdf::{BOLD, IMAGE as LOGO, Image, REGULAR, assemble};

const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;
/// Centred lines are shrunk to fit between these margins.
const MARGIN: f32 = 72.0;

/// A rendered layout.
#[derive(Debug)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    /// Where the template put the signature field on the first page.
    pub signature_box: Option<FieldBox>,
}

/// Size in points and weight of a run of text.
#[derive(Clone, Copy)]
struct Style {
    size: f32,
    bold: bool,
}

struct Writer {
    pages: Vec<Content>,
    regular: Usage,
    bold: Usage,
}

impl Writer {
    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// `text` with its left end at `x`.
    fn text(
        &mut self,
        x: f32,
        y: f32,
        Style { size, bold }: Style,
        text: &str,
    ) -> Result<(), String> {
        let face = fonts::face(bold).ok_or("huruf bawaan rusak")?;
        let encoded = if bold {
            self.bold.encode(face, text)
        } else {
            self.regular.encode(face, text)
        };
        let page = self.page();
        page.begin_text();
        page.set_font(if bold { BOLD } else { REGULAR }, size);
        page.next_line(x, y);
        page.show(Str(&encoded));
        page.end_text();
        Ok(())
    }

    /// `text` aligned within `[x, x + width]`, shrunk to fit it.
    fn cell(
        &mut self,
        align: &str,
        (x, width): (f32, f32),
        y: f32,
        Style { size, bold }: Style,
        text: &str,
    ) -> Result<(), String> {
        let face = fonts::face(bold).ok_or("huruf bawaan rusak")?;
        let natural = face.width(text, size);
        let size = if natural > width && natural > 0.0 {
            size * width / natural
        } else {
            size
        };
        let used = face.width(text, size);
        let left = match align {
            "left" => x,
            "center" => x + (width - used) / 2.0,
            "right" => x + width - used,
            other => return Err(format!("perataan '{other}' harus left, center atau right")),
        };
        self.text(left, y, Style { size, bold }, text)
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32) {
        let page = self.page();
        page.set_stroke_rgb(0.0, 0.0, 0.0);
        page.set_line_width(width);
        page.move_to(from.0, from.1);
        page.line_to(to.0, to.1);
        page.stroke();
    }

    fn frame(&mut self) {
        let page = self.page();
        page.set_stroke_rgb(0.12, 0.29, 0.49);
        page.set_line_width(3.0);
        page.rect(24.0, 24.0, WIDTH - 48.0, HEIGHT - 48.0);
        page.stroke();
        page.set_line_width(0.8);
        page.rect(32.0, 32.0, WIDTH - 64.0, HEIGHT - 64.0);
        page.stroke();
    }

    fn qr(&mut self, x: f32, y: f32, size: f32, data: &str) {
        let Ok(code) = QrCode::new(data.as_bytes()) else {
            return;
        };
        let modules = code.width();
        // A quiet zone of four modules on every side.
        let cell = size / (modules as f32 + 8.0);
        self.page().set_fill_gray(1.0);
        self.page().rect(x, y, size, size);
        self.page().fill_nonzero();
        self.page().set_fill_gray(0.0);
        for row in 0..modules {
            for col in 0..modules {
                if code[(col, row)] == Color::Dark {
                    let left = x + (col as f32 + 4.0) * cell;
                    let top = y + size - (row as f32 + 4.0) * cell;
                    self.page().rect(left, top - cell, cell, cell);
                }
            }
        }
        self.page().fill_nonzero();
    }
}

/// A JPEG logo, embedded as is (DCTDecode): no image decoding needed.
#[derive(Debug, Clone)]
pub struct Logo {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    pub data: Vec<u8>,
}

/// Reads a JPEG's size and colour components from its frame header.
pub fn jpeg(bytes: Vec<u8>) -> Result<Logo, String> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err("logo harus berkas JPEG".into());
    }
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = bytes[i + 1];
        let length = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        // Start of frame: baseline, extended or progressive.
        if matches!(marker, 0xC0..=0xC2) {
            let height = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]) as u32;
            let width = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]) as u32;
            let components = bytes[i + 9];
            if width == 0 || height == 0 || !matches!(components, 1 | 3 | 4) {
                return Err("ukuran atau warna JPEG tidak didukung".into());
            }
            return Ok(Logo {
                width,
                height,
                components,
                data: bytes,
            });
        }
        i += 2 + length;
    }
    Err("JPEG tanpa header ukuran".into())
}

fn number(word: Option<&str>, what: &str) -> Result<f32, String> {
    word.and_then(|w| w.parse().ok())
        .ok_or_else(|| format!("{what} harus angka"))
}

fn colour(word: &str) -> Result<Option<(f32, f32, f32)>, String> {
    if word == "-" {
        return Ok(None);
    }
    let parts: Vec<f32> = word.split(',').filter_map(|p| p.parse().ok()).collect();
    match parts[..] {
        [r, g, b] if [r, g, b].iter().all(|c| (0.0..=1.0).contains(c)) => Ok(Some((r, g, b))),
        _ => Err(format!(
            "warna '{word}' harus '-' atau R,G,B antara 0 dan 1"
        )),
    }
}

/// Draws the layout commands (see `templates/certificate/default.txt`)
/// into a PDF. A bad line is an error naming it.
pub fn render(commands: &str, verify_url: &str, logo: Option<&Logo>) -> Result<Rendered, String> {
    let mut w = Writer {
        pages: Vec::new(),
        regular: Usage::default(),
        bold: Usage::default(),
    };
    let mut cursor = HEIGHT / 2.0;
    let mut uses_logo = false;
    let mut signature_box = None;
    for (n, raw) in commands.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |e: String| format!("baris {}: {e}", n + 1);
        let mut words = line.splitn(8, ' ');
        let command = words.next().unwrap_or_default();
        let mut next_number = |what: &str| number(words.next(), what).map_err(fail);
        match command {
            "frame" => w.frame(),
            "page" => {
                w.page();
                w.pages.push(Content::new());
            }
            "at" => cursor = next_number("Y")?,
            "gap" => cursor -= next_number("jarak")?,
            "line" => {
                let from = (next_number("X1")?, next_number("Y1")?);
                let to = (next_number("X2")?, next_number("Y2")?);
                let width = next_number("tebal")?;
                w.line(from, to, width);
            }
            "qr" => {
                let (x, y, size) = (next_number("X")?, next_number("Y")?, next_number("ukuran")?);
                w.qr(x, y, size, verify_url);
            }
            "signature" => {
                let field = FieldBox {
                    x: next_number("X")?,
                    y: next_number("Y")?,
                    width: next_number("lebar")?,
                    height: next_number("tinggi")?,
                };
                if w.pages.len() > 1 {
                    return Err(fail("kotak tanda tangan harus di halaman pertama".into()));
                }
                signature_box = Some(field);
            }
            "logo" => {
                let (x, y, height) = (next_number("X")?, next_number("Y")?, next_number("tinggi")?);
                if let Some(logo) = logo {
                    let width = height * logo.width as f32 / logo.height as f32;
                    let page = w.page();
                    page.save_state();
                    page.transform([width, 0.0, 0.0, height, x, y]);
                    page.x_object(LOGO);
                    page.restore_state();
                    uses_logo = true;
                }
            }
            "text" | "cell" => {
                let align = words.next().unwrap_or_default();
                let x = number(words.next(), "X").map_err(fail)?;
                let y_word = words.next();
                let width = if command == "cell" {
                    Some(number(words.next(), "lebar").map_err(fail)?)
                } else {
                    None
                };
                let size = number(words.next(), "ukuran huruf").map_err(fail)?;
                let bold = match words.next() {
                    Some("bold") => true,
                    Some("regular") => false,
                    other => {
                        return Err(fail(format!(
                            "ketebalan '{}' harus regular atau bold",
                            other.unwrap_or_default()
                        )));
                    }
                };
                let rgb = if command == "text" {
                    colour(words.next().unwrap_or_default()).map_err(fail)?
                } else {
                    None
                };
                let text = words.collect::<Vec<_>>().join(" ");
                let y = if y_word == Some("-") {
                    let y = cursor;
                    cursor -= size * 1.4;
                    y
                } else {
                    number(y_word, "Y").map_err(fail)?
                };
                match rgb {
                    Some((r, g, b)) => w.page().set_fill_rgb(r, g, b),
                    None => w.page().set_fill_gray(0.0),
                };
                let (x, width, align) = match (width, align) {
                    (Some(width), _) => (x, width, align),
                    (None, "center") => (MARGIN, WIDTH - 2.0 * MARGIN, "center"),
                    (None, "left") => (x, f32::MAX, "left"),
                    (None, "right") => {
                        let face = fonts::face(bold).ok_or("huruf bawaan rusak")?;
                        (x - face.width(&text, size), f32::MAX, "left")
                    }
                    (None, other) => {
                        return Err(fail(format!(
                            "perataan '{other}' harus left, center atau right"
                        )));
                    }
                };
                w.cell(align, (x, width), y, Style { size, bold }, &text)
                    .map_err(fail)?;
                w.page().set_fill_gray(0.0);
            }
            other => return Err(fail(format!("perintah '{other}' tidak dikenal"))),
        }
    }
    w.page();
    write(w, uses_logo.then_some(logo).flatten()).map(|pdf| Rendered { pdf, signature_box })
}

/// The document: the drawn pages, the fonts the text used, the logo.
fn write(w: Writer, logo: Option<&Logo>) -> Result<Vec<u8>, String> {
    let image = logo.map(|logo| Image {
        width: logo.width,
        height: logo.height,
        components: logo.components,
        jpeg: &logo.data,
    });
    assemble(w.pages, (WIDTH, HEIGHT), &w.regular, &w.bold, image)
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

/// The text of a PDF as `pdftotext` (poppler-utils) reads it, for tests.
#[cfg(test)]
pub(crate) fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is installed");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn text_is_embedded_glyphs_of_the_built_in_face() {
        let out = render(
            "text left 40 40 12 regular - Jalan — 5 “kutipan”",
            "u",
            None,
        )
        .unwrap();
        let text = String::from_utf8_lossy(&out.pdf);
        assert!(text.contains("/FontFile2") && text.contains("+LiberationSans"));
        assert!(text.contains("/Identity-H") && text.contains("/ToUnicode"));
        assert!(pdf_text(&out.pdf).contains("Jalan — 5 “kutipan”"));
    }

    #[test]
    fn a_centred_line_too_long_for_the_page_is_shrunk_to_fit() {
        let name = "Prof. Dr. Ir. Raden Mas Bambang Hadiwijoyo Kusumonegoro Prawirodirjo, S.T., M.T., M.Kom.";
        let face = fonts::face(true).unwrap();
        assert!(face.width(name, 22.0) > WIDTH - 2.0 * MARGIN);
        let out = render(&format!("text center 0 300 22 bold - {name}"), "u", None).unwrap();
        assert!(out.pdf.starts_with(b"%PDF"));
    }

    #[test]
    fn the_signature_box_and_a_second_page_come_from_the_template() {
        let out = render(
            "signature 500 80 200 60\npage\ntext left 40 500 12 regular - halaman 2",
            "u",
            None,
        )
        .unwrap();
        assert_eq!(
            out.signature_box,
            Some(FieldBox {
                x: 500.0,
                y: 80.0,
                width: 200.0,
                height: 60.0
            })
        );
        assert!(String::from_utf8_lossy(&out.pdf).contains("/Count 2"));
        let err = render("page\nsignature 1 1 1 1", "u", None).err().unwrap();
        assert!(err.contains("halaman pertama"), "{err}");
    }

    #[test]
    fn bad_layout_lines_are_named() {
        let err = render("frame\n\ntulis 1 2", "u", None).unwrap_err();
        assert!(
            err.starts_with("baris 3:") && err.contains("tulis"),
            "{err}"
        );
        let err = render("text middle 0 10 12 bold - x", "u", None).unwrap_err();
        assert!(err.contains("perataan"), "{err}");
        let err = render("text left 0 10 12 heavy - x", "u", None).unwrap_err();
        assert!(err.contains("ketebalan"), "{err}");
        let err = render("text left 0 10 12 bold 2,0,0 x", "u", None).unwrap_err();
        assert!(err.contains("warna"), "{err}");
        assert!(render("# komentar\ntext right 800 10 9 regular - kanan", "u", None).is_ok());
    }

    #[test]
    fn a_jpeg_logo_is_measured_from_its_frame_header() {
        // SOI, an APP0 segment, then SOF0: 8 bits, 40 high, 120 wide, 3 components.
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        bytes.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x28, 0x00, 0x78, 0x03]);
        bytes.extend([0u8; 12]);
        let logo = jpeg(bytes).unwrap();
        assert_eq!((logo.width, logo.height, logo.components), (120, 40, 3));
        assert!(jpeg(b"\x89PNG....".to_vec()).is_err());
        let pdf = render("logo 10 10 40", "u", Some(&logo)).unwrap().pdf;
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/DCTDecode") && text.contains("/Im1"));
    }
}
