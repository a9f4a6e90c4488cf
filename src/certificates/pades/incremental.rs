//! The PDF side of a signature, written by hand because no maintained
//! crate appends one: an incremental update to a finished file that adds a
//! signature dictionary, a visible signature field on the first page and
//! the form that holds it, with room for the CMS signature. The bytes
//! before the update stay exactly as they were, which is what lets a
//! reader show the signed revision and notice any later change.
//!
//! Only files this program wrote come here (uncompressed objects, a classic
//! cross-reference table), so finding the catalog and the first page is a
//! matter of reading the trailer and two dictionaries.

use std::fmt::Write as _;
use std::ops::Range;

/// A rectangle on the first page, in points from the bottom left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldBox {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// What the signature dictionary says about the signing.
pub struct SignatureInfo<'a> {
    pub signer_name: &'a str,
    pub reason: &'a str,
    pub location: &'a str,
    /// `D:20261202103000Z`
    pub pdf_date: String,
}

/// A file with the update appended and the signature still to be written.
pub struct Prepared {
    pub bytes: Vec<u8>,
    /// Where the hex digits of `/Contents` are, between the angle brackets.
    hex: Range<usize>,
}

impl Prepared {
    /// The two byte ranges the signature covers: everything but `/Contents`.
    pub fn signed_ranges(&self) -> [&[u8]; 2] {
        [
            &self.bytes[..self.hex.start - 1],
            &self.bytes[self.hex.end + 1..],
        ]
    }

    /// Writes the DER signature into the room left for it.
    pub fn finish(mut self, der: &[u8]) -> Result<Vec<u8>, String> {
        if der.len() * 2 > self.hex.len() {
            return Err(format!(
                "tanda tangan {} bita, ruang hanya {} bita",
                der.len(),
                self.hex.len() / 2
            ));
        }
        let hex = hex::encode_upper(der);
        self.bytes[self.hex.start..self.hex.start + hex.len()].copy_from_slice(hex.as_bytes());
        Ok(self.bytes)
    }
}

/// Appends the signature field update to `pdf`, with `room` bytes for the
/// DER signature.
pub fn prepare(
    pdf: &[u8],
    field: FieldBox,
    info: &SignatureInfo,
    room: usize,
) -> Result<Prepared, String> {
    let prev_xref = last_number_after(pdf, b"startxref").ok_or("startxref tidak ada")?;
    let trailer_at = rfind(pdf, b"trailer").ok_or("trailer tidak ada")?;
    let trailer = &pdf[trailer_at..];
    let size = number_after(trailer, b"/Size").ok_or("/Size tidak ada")?;
    let root = number_after(trailer, b"/Root").ok_or("/Root tidak ada")?;
    let catalog = object_body(pdf, root).ok_or("katalog tidak ada")?;
    let pages = number_after(catalog, b"/Pages").ok_or("/Pages tidak ada")?;
    let page = number_after(
        object_body(pdf, pages).ok_or("pohon halaman tidak ada")?,
        b"/Kids [",
    )
    .ok_or("halaman pertama tidak ada")?;
    let page_body = object_body(pdf, page).ok_or("halaman tidak ada")?;
    if find(catalog, b"/AcroForm").is_some() || find(page_body, b"/Annots").is_some() {
        return Err("berkas sudah punya formulir atau anotasi".into());
    }
    let (sig, widget, appearance) = (size, size + 1, size + 2);

    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets: Vec<(usize, usize)> = Vec::new();

    offsets.push((root, out.len()));
    write_object(
        &mut out,
        root,
        &with_entry(
            catalog,
            &format!("/AcroForm << /Fields [{widget} 0 R] /SigFlags 3 >>"),
        )?,
    );
    offsets.push((page, out.len()));
    write_object(
        &mut out,
        page,
        &with_entry(page_body, &format!("/Annots [{widget} 0 R]"))?,
    );

    offsets.push((sig, out.len()));
    let head = format!(
        "{sig} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached \
         /Name {} /Reason {} /Location {} /M ({}) /ByteRange ",
        literal(info.signer_name),
        literal(info.reason),
        literal(info.location),
        info.pdf_date,
    );
    out.extend_from_slice(head.as_bytes());
    let byte_range_at = out.len();
    out.extend_from_slice(format!("[{}]", " ".repeat(43)).as_bytes());
    out.extend_from_slice(b" /Contents <");
    let hex_start = out.len();
    out.resize(hex_start + room * 2, b'0');
    let hex_end = out.len();
    out.extend_from_slice(b"> >>\nendobj\n");

    let (x2, y2) = (field.x + field.width, field.y + field.height);
    offsets.push((widget, out.len()));
    write_object(
        &mut out,
        widget,
        format!(
            "<< /Type /Annot /Subtype /Widget /FT /Sig /F 132 /T (Tanda tangan elektronik) \
             /V {sig} 0 R /P {page} 0 R /Rect [{:.2} {:.2} {x2:.2} {y2:.2}] /AP << /N {appearance} 0 R >> >>",
            field.x, field.y
        )
        .as_bytes(),
    );
    // The page itself shows who signed; the field's own appearance is a
    // thin frame around that text.
    let frame = format!(
        "0.12 0.29 0.49 RG 0.6 w 1 1 {:.2} {:.2} re S",
        field.width - 2.0,
        field.height - 2.0
    );
    offsets.push((appearance, out.len()));
    let mut stream = format!(
        "{appearance} 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 {:.2} {:.2}] /Length {} >>\nstream\n",
        field.width,
        field.height,
        frame.len()
    )
    .into_bytes();
    stream.extend_from_slice(frame.as_bytes());
    stream.extend_from_slice(b"\nendstream\nendobj\n");
    out.extend_from_slice(&stream);

    let xref_at = out.len();
    let mut xref = String::from("xref\n");
    offsets.sort_unstable();
    for (id, offset) in &offsets {
        let _ = write!(xref, "{id} 1\n{offset:010} 00000 n\r\n");
    }
    let _ = write!(
        xref,
        "trailer\n<< /Size {} /Root {root} 0 R /Prev {prev_xref} >>\nstartxref\n{xref_at}\n%%EOF\n",
        appearance + 1
    );
    out.extend_from_slice(xref.as_bytes());

    let byte_range = format!(
        "[0 {} {} {}]",
        hex_start - 1,
        hex_end + 1,
        out.len() - (hex_end + 1)
    );
    let room = 45;
    if byte_range.len() > room {
        return Err("berkas terlalu besar untuk ditandatangani".into());
    }
    let padded = format!("{byte_range:<room$}");
    out[byte_range_at..byte_range_at + room].copy_from_slice(padded.as_bytes());
    Ok(Prepared {
        bytes: out,
        hex: hex_start..hex_end,
    })
}

fn write_object(out: &mut Vec<u8>, id: usize, body: &[u8]) {
    out.extend_from_slice(format!("{id} 0 obj\n").as_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(b"\nendobj\n");
}

/// The dictionary `body` with `entry` added before its closing `>>`.
fn with_entry(body: &[u8], entry: &str) -> Result<Vec<u8>, String> {
    let end = rfind(body, b">>").ok_or("kamus tidak tertutup")?;
    let mut out = body[..end].to_vec();
    out.extend_from_slice(b"  ");
    out.extend_from_slice(entry.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&body[end..]);
    Ok(out)
}

/// A PDF literal string; text outside ASCII is written as UTF-16BE.
fn literal(text: &str) -> String {
    if text.is_ascii() {
        let escaped: String = text
            .chars()
            .map(|c| match c {
                '(' | ')' | '\\' => format!("\\{c}"),
                c if c.is_ascii_control() => " ".into(),
                c => c.to_string(),
            })
            .collect();
        format!("({escaped})")
    } else {
        let mut hex = String::from("<FEFF");
        for unit in text.encode_utf16() {
            let _ = write!(hex, "{unit:04X}");
        }
        hex.push('>');
        hex
    }
}

/// The text between `N 0 obj` and its `endobj`.
fn object_body(pdf: &[u8], id: usize) -> Option<&[u8]> {
    let marker = format!("\n{id} 0 obj");
    let start = find(pdf, marker.as_bytes())? + marker.len();
    let end = start + find(&pdf[start..], b"endobj")?;
    Some(trim(&pdf[start..end]))
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// The first unsigned number after the first `key` in `bytes`.
fn number_after(bytes: &[u8], key: &[u8]) -> Option<usize> {
    let at = find(bytes, key)? + key.len();
    read_number(&bytes[at..])
}

/// The number after the last `key`.
fn last_number_after(bytes: &[u8], key: &[u8]) -> Option<usize> {
    let at = rfind(bytes, key)? + key.len();
    read_number(&bytes[at..])
}

fn read_number(bytes: &[u8]) -> Option<usize> {
    let digits: String = bytes
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits.parse().ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field() -> FieldBox {
        FieldBox {
            x: 560.0,
            y: 90.0,
            width: 220.0,
            height: 30.0,
        }
    }

    fn info() -> SignatureInfo<'static> {
        SignatureInfo {
            signer_name: "Dra. Sri Rahayu",
            reason: "Sertifikat Bimtek",
            location: "Magelang",
            pdf_date: "D:20261202103000Z".into(),
        }
    }

    const SIGNATURE_ROOM: usize = 4096;

    #[test]
    fn the_update_keeps_the_original_bytes_and_covers_all_but_the_signature() {
        let original = super::super::super::pdf::render("frame", "u", None)
            .unwrap()
            .pdf;
        let prepared = prepare(&original, field(), &info(), SIGNATURE_ROOM).unwrap();
        assert!(prepared.bytes.starts_with(&original));
        let [before, after] = prepared.signed_ranges();
        assert_eq!(
            before.len() + after.len() + SIGNATURE_ROOM * 2 + 2,
            prepared.bytes.len()
        );
        assert!(before.ends_with(b"/Contents "));
        assert!(after.starts_with(b" >>"));
        let text = String::from_utf8_lossy(&prepared.bytes);
        let range = format!(
            "/ByteRange [0 {} {} {}]",
            before.len(),
            before.len() + SIGNATURE_ROOM * 2 + 2,
            after.len()
        );
        assert!(text.contains(&range), "{range}");
        assert!(text.contains("/AcroForm << /Fields ["));
        assert!(text.contains("/Annots ["));
        assert!(text.trim_end().ends_with("%%EOF"));
        let signed = prepared.finish(&[0xAB; 10]).unwrap();
        assert!(String::from_utf8_lossy(&signed).contains("/Contents <ABABABABAB"));
    }

    #[test]
    fn a_signature_larger_than_its_room_is_refused() {
        let original = super::super::super::pdf::render("frame", "u", None)
            .unwrap()
            .pdf;
        let prepared = prepare(&original, field(), &info(), SIGNATURE_ROOM).unwrap();
        assert!(prepared.finish(&vec![1; SIGNATURE_ROOM + 1]).is_err());
    }

    #[test]
    fn names_outside_ascii_are_written_as_utf16() {
        assert_eq!(literal("a(b)"), "(a\\(b\\))");
        assert_eq!(literal("é"), "<FEFF00E9>");
    }
}
