//! The certificate's typeface, Liberation Sans (SIL Open Font License,
//! `src/pdf/fonts/LICENSE.txt`), built in and embedded in
//! every PDF as a subset of the glyphs it uses. Text is measured with the
//! same advance widths the PDF declares, so a centred line is centred.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Finish, Name, Pdf, Rect, Ref, Str};

static REGULAR_DATA: &[u8] = include_bytes!("fonts/LiberationSans-Regular.ttf");
static BOLD_DATA: &[u8] = include_bytes!("fonts/LiberationSans-Bold.ttf");

/// A parsed face and the PDF name of its family.
pub struct Face {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    name: &'static str,
}

static REGULAR: LazyLock<Option<Face>> =
    LazyLock::new(|| Face::parse(REGULAR_DATA, "LiberationSans"));
static BOLD: LazyLock<Option<Face>> =
    LazyLock::new(|| Face::parse(BOLD_DATA, "LiberationSans-Bold"));

/// The built-in face; `None` only if the built-in file were corrupt, which
/// a unit test rules out.
pub fn face(bold: bool) -> Option<&'static Face> {
    if bold {
        BOLD.as_ref()
    } else {
        REGULAR.as_ref()
    }
}

impl Face {
    fn parse(data: &'static [u8], name: &'static str) -> Option<Face> {
        let face = ttf_parser::Face::parse(data, 0).ok()?;
        Some(Face { face, data, name })
    }

    fn per_em(&self) -> f32 {
        f32::from(self.face.units_per_em())
    }

    /// The glyphs of `text`, each with the character it stands for:
    /// invisible formatting characters (a byte-order mark or a direction
    /// mark pasted with a name) are dropped, and a character the face lacks
    /// is shown as "?" rather than as an empty box.
    pub fn glyphs<'t>(&'t self, text: &'t str) -> impl Iterator<Item = (u16, char)> + 't {
        text.chars()
            .filter(|&c| !invisible(c))
            .map(|c| match self.face.glyph_index(c) {
                Some(glyph) if glyph.0 != 0 => (glyph.0, c),
                _ => (self.face.glyph_index('?').map_or(0, |g| g.0), '?'),
            })
    }

    /// Advance of a glyph in thousandths of the size (PDF glyph space).
    fn advance(&self, glyph: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        f32::from(units) * 1000.0 / self.per_em()
    }

    /// Width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        self.glyphs(text)
            .map(|(glyph, _)| self.advance(glyph))
            .sum::<f32>()
            * size
            / 1000.0
    }
}

/// Characters a reader does not see, which fonts have no glyph for.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// The glyphs one document uses of one face, and the text each stands for.
#[derive(Default)]
pub struct Usage {
    glyphs: BTreeMap<u16, char>,
}

impl Usage {
    /// `text` as the two-byte glyph ids an Identity-H font shows.
    pub fn encode(&mut self, face: &Face, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() * 2);
        for (glyph, c) in face.glyphs(text) {
            self.glyphs.entry(glyph).or_insert(c);
            out.extend_from_slice(&glyph.to_be_bytes());
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }

    /// Writes the font (Type 0, CID TrueType, a subset of the used glyphs
    /// with their widths and a ToUnicode map, so the text can be searched
    /// and copied) at `ids[0]`, using the next four ids.
    pub fn write(&self, pdf: &mut Pdf, face: &Face, ids: [Ref; 5]) -> Result<(), String> {
        let [type0, cid, descriptor, file, cmap] = ids;
        let mut glyphs: Vec<u16> = self.glyphs.keys().copied().collect();
        if !glyphs.contains(&0) {
            glyphs.insert(0, 0);
        }
        let subset = subsetter::subset(face.data, 0, subsetter::Profile::pdf(&glyphs))
            .map_err(|e| format!("subset huruf: {e:?}"))?;
        // A subset's name starts with a tag of six capitals, derived from
        // the glyphs so the same text gives the same file.
        let tag: String = {
            let mut h: u32 = 2166136261;
            for g in &glyphs {
                h = (h ^ u32::from(*g)).wrapping_mul(16777619);
            }
            (0..6)
                .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
                .collect()
        };
        let base = format!("{tag}+{}", face.name);
        let base = Name(base.as_bytes());
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };

        pdf.type0_font(type0)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let mut font = pdf.cid_font(cid);
        font.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(system)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        {
            let mut widths = font.widths();
            for &g in self.glyphs.keys() {
                widths.consecutive(g, [face.advance(g)]);
            }
        }
        font.finish();

        let scale = |v: i16| f32::from(v) * 1000.0 / face.per_em();
        let bbox = face.face.global_bounding_box();
        pdf.font_descriptor(descriptor)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(scale(face.face.ascender()))
            .descent(scale(face.face.descender()))
            .cap_height(scale(face.face.capital_height().unwrap_or(1409)))
            .stem_v(if face.name.ends_with("Bold") {
                140.0
            } else {
                80.0
            })
            .font_file2(file);
        pdf.stream(file, &super::deflate(&subset))
            .filter(pdf_writer::Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);

        let mut map = pdf_writer::types::UnicodeCmap::new(Name(b"Custom"), system);
        for (&g, &c) in &self.glyphs {
            map.pair(g, c);
        }
        pdf.cmap(cmap, &map.finish())
            .name(Name(b"Custom"))
            .system_info(system);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_faces_parse_and_measure_like_arial() {
        let regular = face(false).unwrap();
        let bold = face(true).unwrap();
        // Liberation Sans has Arial's metrics: "H" is 722/1000 em, a space 278.
        assert!((regular.width("H", 1000.0) - 722.0).abs() < 1.0);
        assert!((regular.width(" ", 1000.0) - 278.0).abs() < 1.0);
        assert!(bold.width("Kompeten", 12.0) > regular.width("Kompeten", 12.0));
        let glyphs: Vec<char> = regular
            .glyphs("\u{FEFF}Amélie\u{200E} 日")
            .map(|g| g.1)
            .collect();
        assert_eq!(glyphs.into_iter().collect::<String>(), "Amélie ?");
    }
}
