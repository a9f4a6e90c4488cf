//! Hostile upload files, one generator per class the outside review found:
//! each is what an attacker or a broken exporter sends, sized like the worst
//! the service accepts (uploads are capped at 10 MiB).
//!
//! Shared by the integration tests (`http/uploads.rs`), the fuzz targets
//! and the `hostile_files` benchmark (included there by path).

use std::io::Write;

use flate2::Compression;
use flate2::write::DeflateEncoder;

/// The largest upload the import endpoints take.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

/// One hostile file: its upload name and bytes, where it goes, and what the
/// 422 must say (a fragment naming the limit or the line).
pub struct Hostile {
    pub kind: &'static str,
    pub file_name: &'static str,
    pub bytes: Vec<u8>,
    /// `users` (users import) or `bank` (question-bank import).
    pub target: &'static str,
    pub expect: &'static str,
}

/// Every class at its largest, for the benchmark and the liveness test.
pub fn all() -> Vec<Hostile> {
    vec![
        Hostile {
            kind: "XLSX, one cell at XFD1048576",
            file_name: "pojok.xlsx",
            bytes: far_corner_xlsx(),
            target: "users",
            expect: "paling banyak 50 kolom",
        },
        Hostile {
            kind: "XLSX zip bomb, 1 GiB declared",
            file_name: "bom.xlsx",
            bytes: zip_bomb_xlsx(1 << 30, false),
            target: "users",
            expect: "paling banyak 50 MiB",
        },
        Hostile {
            kind: "XLSX zip bomb, size understated",
            file_name: "bom-bohong.xlsx",
            bytes: zip_bomb_xlsx(1 << 30, true),
            target: "users",
            expect: "rusak",
        },
        Hostile {
            kind: "CSV, 10,001 rows of long cells",
            file_name: "panjang.csv",
            bytes: long_rows_csv(),
            target: "users",
            expect: "paling banyak 10.000 baris data",
        },
        Hostile {
            kind: "CSV, one row of 5 million columns",
            file_name: "lebar.csv",
            bytes: wide_csv(),
            target: "users",
            expect: "paling banyak 50 kolom",
        },
        Hostile {
            kind: "Moodle XML nested 1 million deep",
            file_name: "dalam.xml",
            bytes: deep_xml(),
            target: "bank",
            expect: "paling banyak 100 tingkat",
        },
        Hostile {
            kind: "Moodle XML, 10 MiB of events on one line",
            file_name: "satu-baris.xml",
            bytes: one_line_xml(),
            target: "bank",
            expect: "baris 1",
        },
        Hostile {
            kind: "GIFT, [id:/[tag: repeated",
            file_name: "token.gift",
            bytes: repeated_tokens_gift(),
            target: "bank",
            expect: "baris",
        },
        Hostile {
            kind: "GIFT, 10 MiB in one question",
            file_name: "satu-soal.gift",
            bytes: one_block_gift(),
            target: "bank",
            expect: "paling banyak 200.000 karakter",
        },
        Hostile {
            kind: "Aiken, 2 million options",
            file_name: "pilihan.txt",
            bytes: many_options_aiken(),
            target: "bank",
            expect: "paling banyak 26 pilihan",
        },
    ]
}

// ------------------------------------------------------------ spreadsheets

/// A workbook with a header and one cell in the far corner: the sheet
/// declares `A1:XFD1048576`, which a dense reader allocates.
pub fn far_corner_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "nip").expect("header");
    sheet.write_string(0, 1, "nama").expect("header");
    sheet
        .write_string(1_048_575, 16_383, "x")
        .expect("far corner");
    book.save_to_buffer().expect("workbook")
}

/// The minimal parts of an XLSX, with `sheet` as its only worksheet.
fn xlsx_parts(sheet: Part) -> Vec<Part> {
    let stored = |name: &str, text: &str| Part::stored(name, text.as_bytes());
    vec![
        stored(
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        stored(
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        stored(
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        sheet,
    ]
}

/// An XLSX whose sheet XML inflates to `expanded` bytes (about 1 MB of zip
/// per GiB). With `understate`, its headers claim the sheet is 1 KiB.
pub fn zip_bomb_xlsx(expanded: u64, understate: bool) -> Vec<u8> {
    let head = br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>nip</t></is></c></row>"#;
    let tail = b"</sheetData></worksheet>";
    let filler = expanded.saturating_sub((head.len() + tail.len()) as u64);
    let mut sheet = Part::deflated_repeat("xl/worksheets/sheet1.xml", head, b' ', filler, tail);
    if understate {
        sheet.declared_size = Some(1024);
    }
    zip(&xlsx_parts(sheet))
}

/// `10_001` data rows of a bad NIP and a 900-character name (about 9 MiB):
/// counting lines from the start for every record made this quadratic.
pub fn long_rows_csv() -> Vec<u8> {
    let name = "x".repeat(900);
    let mut csv = String::from("nip,nama\n");
    for _ in 0..10_001 {
        csv.push_str("123,");
        csv.push_str(&name);
        csv.push('\n');
    }
    csv.into_bytes()
}

/// A header of five million columns.
pub fn wide_csv() -> Vec<u8> {
    let mut csv = ",".repeat(5_000_000).into_bytes();
    csv.extend_from_slice(b"\n1\n");
    csv
}

// ------------------------------------------------------------ question banks

/// A Moodle XML document nested a million elements deep.
pub fn deep_xml() -> Vec<u8> {
    let depth = 1_000_000;
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<quiz>");
    xml.push_str(&"<a>".repeat(depth));
    xml.push_str(&"</a>".repeat(depth));
    xml.push_str("</quiz>\n");
    xml.into_bytes()
}

/// Ten MiB of XML events on one line ending in a broken tag: positions
/// counted from the line start for every event made this quadratic.
pub fn one_line_xml() -> Vec<u8> {
    let mut xml = String::from("<quiz><question type=\"essay\">");
    xml.push_str(&"<x/>".repeat(200_000));
    while xml.len() < MAX_UPLOAD - 100 {
        xml.push_str("&amp;");
    }
    xml.push_str("</questio></quiz>");
    xml.into_bytes()
}

/// About 10 MiB of questions whose comment lines repeat `[id:` and `[tag:`
/// without closing them, ending in a broken question.
pub fn repeated_tokens_gift() -> Vec<u8> {
    let comment = "[id:[tag:".repeat(20_000);
    let mut gift = String::new();
    let mut i = 0;
    while gift.len() < MAX_UPLOAD - 200_000 {
        gift.push_str(&format!("// {comment}\nSoal {i} {{T}}\n\n"));
        i += 1;
    }
    gift.push_str("Rusak {=a ~b\n");
    gift.into_bytes()
}

/// One GIFT question of 10 MiB.
pub fn one_block_gift() -> Vec<u8> {
    let mut gift = String::from("::Panjang:: Soal {\n");
    while gift.len() < MAX_UPLOAD - 100 {
        gift.push_str("~salah\n");
    }
    gift.push_str("=benar }\n");
    gift.into_bytes()
}

/// An Aiken question with two million options.
pub fn many_options_aiken() -> Vec<u8> {
    let mut aiken = String::from("Soal?\n");
    aiken.push_str(&"A. pilihan\n".repeat((MAX_UPLOAD - 100) / 11));
    aiken.push_str("ANSWER: A\n");
    aiken.into_bytes()
}

// ------------------------------------------------------------ a small zip writer

/// One zip entry, written raw so that a generator can inflate it to a
/// gigabyte without compressing a gigabyte, and can lie about its size.
pub struct Part {
    name: String,
    method: u16,
    data: Vec<u8>,
    crc: u32,
    size: u64,
    /// What the headers claim instead of `size`.
    pub declared_size: Option<u64>,
}

impl Part {
    pub fn stored(name: &str, bytes: &[u8]) -> Part {
        Part {
            name: name.to_owned(),
            method: 0,
            data: bytes.to_vec(),
            crc: crc32fast::hash(bytes),
            size: bytes.len() as u64,
            declared_size: None,
        }
    }

    pub fn deflated(name: &str, bytes: &[u8]) -> Part {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).expect("deflate");
        Part {
            name: name.to_owned(),
            method: 8,
            data: encoder.finish().expect("deflate"),
            crc: crc32fast::hash(bytes),
            size: bytes.len() as u64,
            declared_size: None,
        }
    }

    /// `head`, then `filler` repeated `count` times, then `tail`, deflated by
    /// repeating one fully flushed block (which refers to nothing before it)
    /// instead of compressing the whole.
    pub fn deflated_repeat(name: &str, head: &[u8], filler: u8, count: u64, tail: &[u8]) -> Part {
        const CHUNK: usize = 1 << 20;
        // A fresh compressor per block: it refers to no earlier data.
        let block = |bytes: &[u8], flush| {
            let mut encoder = flate2::Compress::new(Compression::best(), false);
            let mut out = Vec::with_capacity(bytes.len() + 1024);
            encoder
                .compress_vec(bytes, &mut out, flush)
                .expect("deflate");
            out
        };
        let chunk = vec![filler; CHUNK];
        let chunk_block = block(&chunk, flate2::FlushCompress::Full);
        let mut crc = crc32fast::Hasher::new();
        let mut data = block(head, flate2::FlushCompress::Full);
        crc.update(head);
        for _ in 0..count / CHUNK as u64 {
            data.extend_from_slice(&chunk_block);
            crc.update(&chunk);
        }
        let rest = vec![filler; (count % CHUNK as u64) as usize];
        data.extend_from_slice(&block(&rest, flate2::FlushCompress::Full));
        crc.update(&rest);
        data.extend_from_slice(&block(tail, flate2::FlushCompress::Finish));
        crc.update(tail);
        Part {
            name: name.to_owned(),
            method: 8,
            data,
            crc: crc.finalize(),
            size: head.len() as u64 + count + tail.len() as u64,
            declared_size: None,
        }
    }
}

/// A zip archive (no zip64: every size must fit 32 bits).
pub fn zip(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for part in parts {
        let offset = out.len() as u32;
        let size = part.declared_size.unwrap_or(part.size) as u32;
        let header = |out: &mut Vec<u8>| {
            out.extend_from_slice(&20u16.to_le_bytes()); // version needed
            out.extend_from_slice(&0u16.to_le_bytes()); // flags
            out.extend_from_slice(&part.method.to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // time
            out.extend_from_slice(&0x21u16.to_le_bytes()); // date: 1980-01-01
            out.extend_from_slice(&part.crc.to_le_bytes());
            out.extend_from_slice(&(part.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&(part.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(&0x04034b50u32.to_le_bytes());
        header(&mut out);
        out.extend_from_slice(part.name.as_bytes());
        out.extend_from_slice(&part.data);

        central.extend_from_slice(&0x02014b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        header(&mut central);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(part.name.as_bytes());
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x06054b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A small valid XLSX whose sheet is `sheet_xml` (deflated), for mutations.
pub fn xlsx_with_sheet(sheet_xml: &str) -> Vec<u8> {
    zip(&xlsx_parts(Part::deflated(
        "xl/worksheets/sheet1.xml",
        sheet_xml.as_bytes(),
    )))
}
