//! A plain A4 document as PDF: a title, headings, paragraphs and "label:
//! value" rows, wrapped to the page and numbered "Halaman n dari m". For
//! papers a person reads (their own data, reports), not for the signed
//! certificate. The text uses the built-in typeface, so every Indonesian
//! name prints and can be searched and copied.

use pdf_writer::{Content, Str};

use super::fonts::{self, Face, Usage};
use super::{BOLD, REGULAR, assemble};

const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.0;
const LEADING: f32 = 1.45;
/// Where a row's value starts, from the left margin.
const LABEL_WIDTH: f32 = 150.0;

/// One piece of a document, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    /// A label and its value on one row (the value wraps under itself).
    Row(String, String),
    /// A little vertical space.
    Gap,
    /// Bold lines centred on the page (a kop), with a rule under them.
    Letterhead(Vec<String>),
    /// Lines in the right half, kept on one page: a signatory block, with
    /// an empty line where the signature goes.
    Signature(Vec<String>),
}

/// A laid-out line: where, how big, and what it says.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
    text: String,
}

/// The document's bytes; an error only if the built-in typeface were broken.
pub fn render(title: &str, blocks: &[Block]) -> Result<Vec<u8>, String> {
    let regular = fonts::face(false).ok_or("huruf bawaan rusak")?;
    let bold = fonts::face(true).ok_or("huruf bawaan rusak")?;
    let pages = lay_out(title, blocks, regular, bold);
    write(&pages, regular, bold)
}

/// Breaks `text` into lines no wider than `width` at `size`, at spaces
/// (a word longer than a line is cut where it overflows). Linear in the
/// text: widths are added up, never measured again.
fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let space = face.width(" ", size);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        let mut used = 0.0;
        for word in paragraph.split_whitespace() {
            for (piece, piece_width) in pieces(face, word, size, width) {
                if !line.is_empty() && used + space + piece_width <= width {
                    line.push(' ');
                    line.push_str(&piece);
                    used += space + piece_width;
                } else {
                    if !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    line = piece;
                    used = piece_width;
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// `word` cut into pieces that each fit `width`, with their widths.
fn pieces(face: &Face, word: &str, size: f32, width: f32) -> Vec<(String, f32)> {
    let mut out = Vec::new();
    let mut piece = String::new();
    let mut used = 0.0;
    let mut buf = [0u8; 4];
    for c in word.chars() {
        let w = face.width(c.encode_utf8(&mut buf), size);
        if used + w > width && !piece.is_empty() {
            out.push((std::mem::take(&mut piece), used));
            used = 0.0;
        }
        piece.push(c);
        used += w;
    }
    out.push((piece, used));
    out
}

/// Where the next line goes: the pages so far and the height left.
struct Cursor {
    pages: Vec<Vec<Line>>,
    y: f32,
}

const BOTTOM: f32 = MARGIN + 20.0;

impl Cursor {
    /// Moves down `height`, onto a new page when this one is full; the y of
    /// the line's baseline.
    fn advance(&mut self, height: f32) -> f32 {
        if self.y - height < BOTTOM {
            self.pages.push(Vec::new());
            self.y = HEIGHT - MARGIN;
        }
        self.y -= height;
        self.y
    }

    fn put(&mut self, x: f32, y: f32, size: f32, bold: bool, text: String) {
        if text.is_empty() {
            return;
        }
        let page = self.pages.len() - 1;
        self.pages[page].push(Line {
            x,
            y,
            size,
            bold,
            text,
        });
    }

    /// `text` wrapped to the text width, one line after another.
    fn lines(&mut self, face: &Face, text: &str, size: f32, bold: bool) {
        for line in wrap(face, text, size, WIDTH - 2.0 * MARGIN) {
            let y = self.advance(size * LEADING);
            self.put(MARGIN, y, size, bold, line);
        }
    }
}

fn lay_out(title: &str, blocks: &[Block], regular: &Face, bold: &Face) -> Vec<Vec<Line>> {
    let mut at = Cursor {
        pages: vec![Vec::new()],
        y: HEIGHT - MARGIN,
    };
    // A kop heads the first page, above the title.
    let (kop, blocks) = match blocks.split_first() {
        Some((first @ Block::Letterhead(_), rest)) => (Some(first), rest),
        _ => (None, blocks),
    };
    if let Some(kop) = kop {
        place(&mut at, kop, regular, bold);
    }
    at.lines(bold, title, 15.0, true);
    at.y -= BODY;
    for block in blocks {
        place(&mut at, block, regular, bold);
    }
    let mut pages = at.pages;
    let total = pages.len();
    for (n, page) in pages.iter_mut().enumerate() {
        let text = format!("Halaman {} dari {total}", n + 1);
        let x = WIDTH - MARGIN - regular.width(&text, 8.0);
        page.push(Line {
            x,
            y: MARGIN - 16.0,
            size: 8.0,
            bold: false,
            text,
        });
    }
    pages
}

/// Lays out one block at the cursor.
fn place(at: &mut Cursor, block: &Block, regular: &Face, bold: &Face) {
    match block {
        Block::Gap => at.y -= BODY * 0.8,
        Block::Heading(text) => {
            // A heading never sits alone at the foot of a page.
            if at.y - 4.0 * BODY * LEADING < BOTTOM {
                at.y = BOTTOM;
            }
            at.y -= BODY * 0.6;
            at.lines(bold, text, 12.0, true);
        }
        Block::Paragraph(text) => at.lines(regular, text, BODY, false),
        Block::Letterhead(lines) => {
            for (i, line) in lines.iter().enumerate() {
                let size = if i + 1 == lines.len() && lines.len() > 2 {
                    BODY
                } else {
                    12.0
                };
                for part in wrap(bold, line, size, WIDTH - 2.0 * MARGIN) {
                    let y = at.advance(size * LEADING);
                    let x = (WIDTH - bold.width(&part, size)) / 2.0;
                    at.put(x, y, size, true, part);
                }
            }
            let y = at.advance(BODY * 0.6);
            // A rule across the text width, drawn with the typeface's own
            // underscore (the writer draws text only).
            let underscores = ((WIDTH - 2.0 * MARGIN) / regular.width("_", BODY).max(1.0)) as usize;
            at.put(MARGIN, y, BODY, false, "_".repeat(underscores));
            at.y -= BODY * 0.8;
        }
        Block::Signature(lines) => {
            let x = WIDTH / 2.0 + 20.0;
            // Wrapped first, so the block is kept on one page as printed.
            let wrapped: Vec<String> = lines
                .iter()
                .flat_map(|line| {
                    let parts = wrap(regular, line, BODY, WIDTH - MARGIN - x);
                    if parts.is_empty() {
                        vec![String::new()]
                    } else {
                        parts
                    }
                })
                .collect();
            if at.y - (wrapped.len() as f32 + 1.0) * BODY * LEADING < BOTTOM {
                at.y = BOTTOM;
            }
            for part in wrapped {
                let y = at.advance(BODY * LEADING);
                at.put(x, y, BODY, false, part);
            }
        }
        Block::Row(label, value) => {
            let labels = wrap(regular, label, BODY, LABEL_WIDTH - 8.0);
            let values = wrap(regular, value, BODY, WIDTH - 2.0 * MARGIN - LABEL_WIDTH);
            let rows = labels.len().max(values.len());
            let mut labels = labels.into_iter();
            let mut values = values.into_iter();
            for _ in 0..rows {
                let y = at.advance(BODY * LEADING);
                at.put(MARGIN, y, BODY, false, labels.next().unwrap_or_default());
                let value = values.next().unwrap_or_default();
                at.put(MARGIN + LABEL_WIDTH, y, BODY, false, value);
            }
        }
    }
}

fn write(pages: &[Vec<Line>], regular: &Face, bold: &Face) -> Result<Vec<u8>, String> {
    let mut regular_usage = Usage::default();
    let mut bold_usage = Usage::default();
    let mut contents = Vec::new();
    for page in pages {
        let mut content = Content::new();
        for line in page {
            let (face, usage, name) = if line.bold {
                (bold, &mut bold_usage, BOLD)
            } else {
                (regular, &mut regular_usage, REGULAR)
            };
            let encoded = usage.encode(face, &line.text);
            content.begin_text();
            content.set_font(name, line.size);
            content.next_line(line.x, line.y);
            content.show(Str(&encoded));
            content.end_text();
        }
        contents.push(content);
    }
    assemble(contents, (WIDTH, HEIGHT), &regular_usage, &bold_usage, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_within_the_width_and_keeps_every_word() {
        let face = fonts::face(false).unwrap();
        let text = "Pelatihan pranata komputer ".repeat(30);
        let lines = wrap(face, &text, BODY, 200.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| face.width(l, BODY) <= 200.01));
        assert_eq!(
            lines.join(" ").split_whitespace().count(),
            text.split_whitespace().count()
        );
        let unbroken = "x".repeat(400);
        let lines = wrap(face, &unbroken, BODY, 100.0);
        assert!(lines.iter().all(|l| face.width(l, BODY) <= 100.01));
        assert_eq!(lines.concat(), unbroken);
    }

    #[test]
    fn the_kop_heads_the_page_and_a_signature_stays_whole() {
        let regular = fonts::face(false).unwrap();
        let bold = fonts::face(true).unwrap();
        let mut blocks = vec![
            Block::Letterhead(vec![
                "PEMERINTAH KOTA MAGELANG".into(),
                "BADAN KEPEGAWAIAN DAERAH".into(),
            ]),
            Block::Paragraph("Isi".into()),
        ];
        blocks.extend((0..44).map(|i| Block::Row(format!("Baris {i}"), "nilai".into())));
        blocks.push(Block::Signature(vec![
            "Magelang, 3 Desember 2026".into(),
            "Kepala".into(),
            String::new(),
            "Nama".into(),
        ]));
        let pages = lay_out("Laporan", &blocks, regular, bold);
        assert_eq!(pages[0][0].text, "PEMERINTAH KOTA MAGELANG");
        let kop = &pages[0][0];
        assert!(
            kop.bold && (kop.x - (WIDTH - bold.width(&kop.text, kop.size)) / 2.0).abs() < 0.5,
            "centred"
        );
        let title = pages[0].iter().position(|l| l.text == "Laporan").unwrap();
        assert!(title > 1, "the title comes after the kop");
        // The signature's lines sit on one page, in the right half.
        let signed: Vec<&Line> = pages
            .iter()
            .flatten()
            .filter(|l| l.text == "Kepala" || l.text == "Nama" || l.text.starts_with("Magelang"))
            .collect();
        assert_eq!(signed.len(), 3);
        assert!(signed.iter().all(|l| l.x > WIDTH / 2.0));
        let page_of = |text: &str| {
            pages
                .iter()
                .position(|p| p.iter().any(|l| l.text == text))
                .unwrap()
        };
        assert_eq!(page_of("Kepala"), page_of("Nama"));
    }

    #[test]
    fn pages_are_numbered_and_break_when_full() {
        let face = fonts::face(false).unwrap();
        let bold = fonts::face(true).unwrap();
        let blocks: Vec<Block> = (0..200)
            .map(|i| Block::Row(format!("Baris {i}"), "nilai".into()))
            .collect();
        let pages = lay_out("Judul", &blocks, face, bold);
        assert!(pages.len() >= 3);
        let last = pages.len();
        assert_eq!(
            pages[last - 1].last().unwrap().text,
            format!("Halaman {last} dari {last}")
        );
        assert!(
            pages
                .iter()
                .flatten()
                .all(|l| l.y >= MARGIN - 16.0 && l.y <= HEIGHT)
        );
        let pdf = render("Judul", &blocks).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
    }
}
