//! Draws a certificate layout (the commands its template produces, see
//! `templates/certificate/default.txt`) into an A4 landscape PDF: text,
//! the frame, a JPEG logo and a QR code of the verification URL drawn as
//! vector squares. Standard PDF fonts (Helvetica, WinAnsi), so nothing
//! needs embedding and a batch of hundreds renders in well under a second.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use qrcode::{Color, QrCode};

const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
const LOGO: Name<'static> = Name(b"Im1");

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
/// into a one-page PDF. A bad line is an error naming it.
pub fn render(commands: &str, verify_url: &str, logo: Option<&Logo>) -> Result<Vec<u8>, String> {
    let mut w = Writer {
        content: Content::new(),
    };
    let mut cursor = HEIGHT / 2.0;
    let mut uses_logo = false;
    for (n, raw) in commands.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |e: String| format!("baris {}: {e}", n + 1);
        let mut words = line.splitn(8, ' ');
        match words.next() {
            Some("frame") => w.frame(),
            Some("at") => cursor = number(words.next(), "Y").map_err(fail)?,
            Some("gap") => cursor -= number(words.next(), "jarak").map_err(fail)?,
            Some("qr") => {
                let x = number(words.next(), "X").map_err(fail)?;
                let y = number(words.next(), "Y").map_err(fail)?;
                let size = number(words.next(), "ukuran").map_err(fail)?;
                w.qr(x, y, size, verify_url);
            }
            Some("logo") => {
                let x = number(words.next(), "X").map_err(fail)?;
                let y = number(words.next(), "Y").map_err(fail)?;
                let height = number(words.next(), "tinggi").map_err(fail)?;
                if let Some(logo) = logo {
                    let width = height * logo.width as f32 / logo.height as f32;
                    w.content.save_state();
                    w.content.transform([width, 0.0, 0.0, height, x, y]);
                    w.content.x_object(LOGO);
                    w.content.restore_state();
                    uses_logo = true;
                }
            }
            Some("text") => {
                let align = words.next().unwrap_or_default();
                let x = number(words.next(), "X").map_err(fail)?;
                let y_word = words.next();
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
                let rgb = colour(words.next().unwrap_or_default()).map_err(fail)?;
                let text = words.next().unwrap_or_default();
                let y = if y_word == Some("-") {
                    let y = cursor;
                    cursor -= size * 1.4;
                    y
                } else {
                    number(y_word, "Y").map_err(fail)?
                };
                match rgb {
                    Some((r, g, b)) => w.content.set_fill_rgb(r, g, b),
                    None => w.content.set_fill_gray(0.0),
                };
                match align {
                    "center" => w.centred(y, size, bold, text),
                    "left" => w.text(x, y, size, bold, text),
                    "right" => w.text(x - width(text, size, bold), y, size, bold, text),
                    other => {
                        return Err(fail(format!(
                            "perataan '{other}' harus left, center atau right"
                        )));
                    }
                }
                w.content.set_fill_gray(0.0);
            }
            Some(other) => return Err(fail(format!("perintah '{other}' tidak dikenal"))),
            None => {}
        }
    }

    let (catalog, tree, page, regular, bold, content, image) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
        Ref::new(7),
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
        {
            let mut fonts = resources.fonts();
            fonts.pair(REGULAR, regular);
            fonts.pair(BOLD, bold);
        }
        if uses_logo {
            resources.x_objects().pair(LOGO, image);
        }
    }
    p.finish();
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    if let (true, Some(logo)) = (uses_logo, logo) {
        let mut xobject = pdf.image_xobject(image, &logo.data);
        xobject.filter(pdf_writer::Filter::DctDecode);
        xobject.width(logo.width as i32);
        xobject.height(logo.height as i32);
        match logo.components {
            1 => xobject.color_space().device_gray(),
            4 => xobject.color_space().device_cmyk(),
            _ => xobject.color_space().device_rgb(),
        };
        xobject.bits_per_component(8);
    }
    pdf.stream(content, &w.content.finish());
    Ok(pdf.finish())
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
        let pdf = render("logo 10 10 40", "u", Some(&logo)).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/DCTDecode") && text.contains("/Im1"));
    }
}
