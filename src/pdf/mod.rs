//! PDF pieces every printed document shares: the built-in typeface
//! (`fonts`), putting drawn pages together into a file (`assemble`), and
//! plain A4 documents of headings and rows (`document`). The certificate's
//! layout drawing lives with the certificates.

pub mod document;
pub mod fonts;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref};

use fonts::Usage;

/// The resource names drawn pages use for the regular and bold faces and
/// for the one image.
pub const REGULAR: Name<'static> = Name(b"F1");
pub const BOLD: Name<'static> = Name(b"F2");
pub const IMAGE: Name<'static> = Name(b"Im1");

/// A JPEG embedded as is (DCTDecode): no image decoding needed.
pub struct Image<'a> {
    pub width: u32,
    pub height: u32,
    pub components: u8,
    pub jpeg: &'a [u8],
}

/// Zlib-compressed bytes for a `FlateDecode` stream: text, QR squares and
/// font subsets shrink to a fraction.
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
    // Writing into a `Vec` cannot fail, so neither step has an error to report.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// The file: a catalog, the `pages` (all `size` points wide and high), the
/// subsets of the faces their text used, and the image when there is one.
pub fn assemble(
    pages: Vec<Content>,
    (width, height): (f32, f32),
    regular: &Usage,
    bold: &Usage,
    image: Option<Image<'_>>,
) -> Result<Vec<u8>, String> {
    let mut next = 1;
    let mut id = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let (catalog, tree, image_id) = (id(), id(), id());
    let regular_ids = [id(), id(), id(), id(), id()];
    let bold_ids = [id(), id(), id(), id(), id()];
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (id(), id())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(page_ids.len() as i32);
    for ((page_id, content_id), content) in page_ids.iter().zip(pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, width, height));
        page.parent(tree);
        page.contents(*content_id);
        {
            let mut resources = page.resources();
            {
                let mut fonts = resources.fonts();
                if !regular.is_empty() {
                    fonts.pair(REGULAR, regular_ids[0]);
                }
                if !bold.is_empty() {
                    fonts.pair(BOLD, bold_ids[0]);
                }
            }
            if image.is_some() {
                resources.x_objects().pair(IMAGE, image_id);
            }
        }
        page.finish();
        pdf.stream(*content_id, &deflate(&content.finish()))
            .filter(pdf_writer::Filter::FlateDecode);
    }
    for (usage, is_bold, ids) in [(regular, false, regular_ids), (bold, true, bold_ids)] {
        if !usage.is_empty() {
            let face = fonts::face(is_bold).ok_or("huruf bawaan rusak")?;
            usage.write(&mut pdf, face, ids)?;
        }
    }
    if let Some(image) = image {
        let mut xobject = pdf.image_xobject(image_id, image.jpeg);
        xobject.filter(pdf_writer::Filter::DctDecode);
        xobject.width(image.width as i32);
        xobject.height(image.height as i32);
        match image.components {
            1 => xobject.color_space().device_gray(),
            4 => xobject.color_space().device_cmyk(),
            _ => xobject.color_space().device_rgb(),
        };
        xobject.bits_per_component(8);
    }
    Ok(pdf.finish())
}
