//! The activation sheet: one slip per person with their name, NIP, unit
//! kerja, activation code and the address (and its QR code) where they use
//! it. As a PDF to print and cut (eight slips to an A4 page) or as an XLSX
//! to mail-merge. Pure: rows in, bytes out.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use qrcode::{Color, QrCode};

use super::credentials::IssuedCode;
use crate::clock;
use crate::error::AppResult;
use crate::markup::shorten;

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const COLUMNS: usize = 2;
const ROWS: usize = 4;
const PER_PAGE: usize = COLUMNS * ROWS;
const SLIP_W: f32 = PAGE_W / COLUMNS as f32;
const SLIP_H: f32 = PAGE_H / ROWS as f32;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");
/// Characters of 9-point Helvetica that fit beside the QR code.
const LINE_CHARS: usize = 44;

/// What one slip says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    pub name: String,
    pub nip: Option<String>,
    pub username: String,
    pub unit_kerja: Option<String>,
    pub code: String,
    pub valid_until: String,
    /// Where to type the code, printed and as a QR code.
    pub address: String,
    /// The address with the login filled in (what the QR code opens).
    pub link: String,
}

/// The activation page's address, and the same with `login` filled in.
pub fn addresses(base_url: &str, login: &str) -> (String, String) {
    let address = format!("{}/activate", base_url.trim_end_matches('/'));
    let link = format!("{address}?login={}", crate::http::pages::urlencode(login));
    (address, link)
}

pub fn slips(base_url: &str, issued: &[IssuedCode]) -> Vec<Slip> {
    issued
        .iter()
        .map(|i| {
            let login = i
                .user
                .nip
                .clone()
                .unwrap_or_else(|| i.user.username.clone());
            let (address, link) = addresses(base_url, &login);
            Slip {
                name: i.user.name.clone(),
                nip: i.user.nip.clone(),
                username: i.user.username.clone(),
                unit_kerja: i.user.unit_kerja.clone(),
                code: i.code.clone(),
                valid_until: clock::format_datetime_wib(i.expires_at),
                address,
                link,
            }
        })
        .collect()
}

/// The sheet as an Excel workbook, one row per slip.
pub fn xlsx(slips: &[Slip]) -> AppResult<Vec<u8>> {
    let headers: Vec<String> = [
        "Nama",
        "NIP",
        "Nama pengguna",
        "Unit kerja",
        "Kode aktivasi",
        "Berlaku sampai",
        "Alamat aktivasi",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = slips
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.nip.clone().unwrap_or_default(),
                s.username.clone(),
                s.unit_kerja.clone().unwrap_or_default(),
                s.code.clone(),
                s.valid_until.clone(),
                s.link.clone(),
            ]
        })
        .collect();
    crate::download::xlsx("Kode aktivasi", &headers, &rows)
}

/// Text as WinAnsi bytes (the encoding of the standard PDF fonts).
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '…' => 0x85,
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            c if (c as u32) < 0x100 => c as u8,
            _ => b'?',
        })
        .collect()
}

/// `text` cut to `max` characters, marked when cut.
fn text(content: &mut Content, x: f32, y: f32, size: f32, bold: bool, line: &str) {
    content.begin_text();
    content.set_font(if bold { BOLD } else { REGULAR }, size);
    content.next_line(x, y);
    content.show(Str(&win_ansi(line)));
    content.end_text();
}

/// The QR code of `data` as vector squares, `size` points wide, lower-left at (x, y).
fn qr(content: &mut Content, x: f32, y: f32, size: f32, data: &str) {
    let Ok(code) = QrCode::new(data.as_bytes()) else {
        return;
    };
    let modules = code.width();
    let cell = size / modules as f32;
    for row in 0..modules {
        for col in 0..modules {
            if code[(col, row)] == Color::Dark {
                let left = x + col as f32 * cell;
                let top = y + size - row as f32 * cell;
                content.rect(left, top - cell, cell, cell);
            }
        }
    }
    content.fill_nonzero();
}

fn draw_slip(content: &mut Content, slip: &Slip, index: usize) {
    let col = index % COLUMNS;
    let row = index / COLUMNS;
    let left = col as f32 * SLIP_W;
    let top = PAGE_H - row as f32 * SLIP_H;
    // Cut lines, dashed.
    content.set_dash_pattern([3.0, 3.0], 0.0);
    content.set_line_width(0.5);
    content.rect(left + 4.0, top - SLIP_H + 4.0, SLIP_W - 8.0, SLIP_H - 8.0);
    content.stroke();
    content.set_dash_pattern([], 0.0);

    let x = left + 18.0;
    let mut y = top - 30.0;
    text(content, x, y, 11.0, true, "Aktivasi akun Bimtek");
    y -= 20.0;
    text(content, x, y, 10.0, true, &shorten(&slip.name, 40));
    y -= 13.0;
    let nip = slip.nip.as_deref().unwrap_or("–");
    text(content, x, y, 9.0, false, &format!("NIP: {nip}"));
    y -= 12.0;
    let unit = slip.unit_kerja.as_deref().unwrap_or("–");
    text(
        content,
        x,
        y,
        9.0,
        false,
        &shorten(&format!("Unit kerja: {unit}"), LINE_CHARS),
    );
    y -= 12.0;
    text(
        content,
        x,
        y,
        9.0,
        false,
        &shorten(&format!("Nama pengguna: {}", slip.username), LINE_CHARS),
    );
    y -= 22.0;
    text(content, x, y, 9.0, false, "Kode aktivasi:");
    y -= 18.0;
    text(content, x, y, 15.0, true, &slip.code);
    y -= 16.0;
    text(
        content,
        x,
        y,
        8.0,
        false,
        &format!("Berlaku sampai {}", slip.valid_until),
    );
    y -= 18.0;
    text(
        content,
        x,
        y,
        8.0,
        false,
        "Buka alamat ini (atau pindai kode QR),",
    );
    y -= 10.0;
    text(
        content,
        x,
        y,
        8.0,
        false,
        "masukkan kode, lalu buat kata sandi Anda:",
    );
    y -= 12.0;
    text(content, x, y, 9.0, true, &shorten(&slip.address, 52));
    let size = 78.0;
    qr(
        content,
        left + SLIP_W - size - 16.0,
        top - size - 50.0,
        size,
        &slip.link,
    );
}

/// The sheet as a PDF: A4 portrait, eight slips a page, in the given order.
pub fn pdf(slips: &[Slip]) -> Vec<u8> {
    let pages: Vec<&[Slip]> = if slips.is_empty() {
        vec![&[]]
    } else {
        slips.chunks(PER_PAGE).collect()
    };
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let page_ref = |i: usize| Ref::new(5 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(6 + 2 * i as i32);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages.len()).map(page_ref))
        .count(pages.len() as i32);
    for (i, page_slips) in pages.iter().enumerate() {
        let mut page = pdf.page(page_ref(i));
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_ref(i));
        {
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(REGULAR, regular);
            fonts.pair(BOLD, bold);
        }
        page.finish();
        let mut content = Content::new();
        for (n, slip) in page_slips.iter().enumerate() {
            draw_slip(&mut content, slip, n);
        }
        pdf.stream(content_ref(i), &content.finish());
    }
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slip(n: usize) -> Slip {
        let (address, link) = addresses("https://bimtek.example.go.id/", "198503122010011001");
        Slip {
            name: format!("Peserta {n}"),
            nip: Some("198503122010011001".into()),
            username: "198503122010011001".into(),
            unit_kerja: Some("Dinas Komunikasi, Informatika dan Statistik".into()),
            code: "K7QM-2XPA-9DHT".into(),
            valid_until: "24 Desember 2026 08.00 WIB".into(),
            address,
            link,
        }
    }

    #[test]
    fn the_address_has_one_slash_and_the_login_encoded() {
        let (address, link) = addresses("https://bimtek.example.go.id/", "budi s");
        assert_eq!(address, "https://bimtek.example.go.id/activate");
        assert_eq!(link, "https://bimtek.example.go.id/activate?login=budi%20s");
    }

    #[test]
    fn eight_slips_a_page() {
        let nine: Vec<Slip> = (0..9).map(slip).collect();
        let bytes = pdf(&nine);
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("/Count 2"), "two pages for nine slips");
        assert!(text.contains("K7QM-2XPA-9DHT"));
    }

    #[test]
    fn long_text_is_cut_not_spilled() {
        assert_eq!(shorten("pendek", 10), "pendek");
        assert_eq!(shorten("abcdefghijk", 5).chars().count(), 5);
    }
}
