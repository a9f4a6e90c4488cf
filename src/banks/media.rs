//! Images inside questions, as Moodle carries them: a `<file
//! encoding="base64">` beside the text, referred to as
//! `@@PLUGINFILE@@/name` (older files: `<image>` + `<image_base64>`). A
//! question keeps each image's name and SHA-256; the bytes are stored once
//! per content and served from `/question-media/<sha256>`. Pure.

use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How Moodle's text points at a file of its question.
pub const PLUGINFILE: &str = "@@PLUGINFILE@@/";

/// The largest image a question may carry. A diagram or a screenshot is a
/// few hundred kilobytes; the whole file is under the upload limit anyway.
pub const MAX_MEDIA_BYTES: usize = 2 * 1024 * 1024;

/// Images in one question.
pub const MAX_MEDIA_PER_QUESTION: usize = 20;

/// Distinct images in one file.
pub const MAX_MEDIA_PER_FILE: usize = 1_000;

/// Bytes in an image's name (Moodle's own limit).
pub const MAX_NAME_BYTES: usize = 255;

/// An image a question shows, by the name its text uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    pub name: String,
    pub sha256: String,
    pub content_type: String,
}

/// An image read from a bank file, to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaFile {
    pub sha256: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl MediaFile {
    pub fn reference(&self, name: &str) -> MediaRef {
        MediaRef {
            name: name.to_owned(),
            sha256: self.sha256.clone(),
            content_type: self.content_type.to_owned(),
        }
    }
}

/// Decodes one embedded file: base64 (line breaks allowed), at most
/// `MAX_MEDIA_BYTES`, and a PNG, JPEG, GIF or WebP by its content.
pub fn decode(name: &str, encoded: &str) -> Result<MediaFile, String> {
    if name.trim().is_empty() {
        return Err("berkas tersemat tanpa nama".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "nama berkas tersemat lebih dari {MAX_NAME_BYTES} byte"
        ));
    }
    // Checked before decoding: 4 characters of base64 carry 3 bytes.
    let max_encoded = MAX_MEDIA_BYTES.div_ceil(3) * 4;
    let compact: String = encoded
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .take(max_encoded + 1)
        .collect();
    if compact.len() > max_encoded {
        return Err(format!(
            "gambar '{name}' lebih besar dari {} MiB",
            MAX_MEDIA_BYTES / (1024 * 1024)
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| format!("isi berkas '{name}' bukan base64 yang sah"))?;
    let content_type = crate::file_types::sniff_image(&bytes).ok_or_else(|| {
        format!("berkas '{name}' bukan gambar PNG, JPEG, GIF atau WebP; tidak diimpor")
    })?;
    Ok(MediaFile {
        sha256: hex::encode(Sha256::digest(&bytes)),
        content_type,
        bytes,
    })
}

/// The base64 Moodle XML carries a file in.
pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Where an image is served.
pub fn url(sha256: &str) -> String {
    format!("/question-media/{sha256}")
}

/// A reference as written in a text, up to the end of the attribute or
/// word, with `%xx` and `&amp;` read back: the file's own name.
fn reference_at(after: &str) -> (&str, String) {
    let end = after
        .find(|c: char| matches!(c, '"' | '\'' | '?' | '#' | '<' | '>') || c.is_whitespace())
        .unwrap_or(after.len());
    let raw = &after[..end];
    let unescaped = raw.replace("&amp;", "&");
    let bytes = unescaped.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            decoded.push((h * 16 + l) as u8);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let name = String::from_utf8(decoded).unwrap_or(unescaped);
    (raw, name)
}

/// The names of the files `text` refers to, each once.
pub fn references(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(PLUGINFILE) {
        rest = &rest[at + PLUGINFILE.len()..];
        let (raw, name) = reference_at(rest);
        rest = &rest[raw.len()..];
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// `text` with each `@@PLUGINFILE@@/<name>` of `media` pointing at the
/// stored image; a reference to a file the question lacks stays as it is.
/// One pass, one lookup per reference.
pub fn link(text: &str, media: &[MediaRef]) -> String {
    if media.is_empty() || !text.contains(PLUGINFILE) {
        return text.to_owned();
    }
    let by_name: std::collections::HashMap<&str, &str> = media
        .iter()
        .map(|m| (m.name.as_str(), m.sha256.as_str()))
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PLUGINFILE) {
        out.push_str(&rest[..at]);
        let after = &rest[at + PLUGINFILE.len()..];
        let (raw, name) = reference_at(after);
        match by_name.get(name.as_str()) {
            Some(sha) => out.push_str(&url(sha)),
            None => {
                out.push_str(PLUGINFILE);
                out.push_str(raw);
            }
        }
        rest = &after[raw.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 PNG.
    pub const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89,
    ];

    #[test]
    fn images_are_decoded_checked_and_bounded() {
        let encoded = encode(PNG);
        let wrapped = format!("{}\n  {}", &encoded[..10], &encoded[10..]);
        let file = decode("titik.png", &wrapped).unwrap();
        assert_eq!(
            (file.content_type, file.bytes.as_slice()),
            ("image/png", PNG)
        );
        assert_eq!(file.sha256.len(), 64);
        assert!(
            decode("a.svg", &encode(b"<svg onload=alert(1)>"))
                .unwrap_err()
                .contains("bukan gambar")
        );
        assert!(decode("a.png", "***").unwrap_err().contains("base64"));
        let huge = "A".repeat(MAX_MEDIA_BYTES / 3 * 4 + 8);
        assert!(decode("besar.png", &huge).unwrap_err().contains("2 MiB"));
    }

    #[test]
    fn references_are_read_as_moodle_writes_them() {
        let sha = |c: &str| c.repeat(64);
        let media = [
            MediaRef {
                name: "Gambar 1 (a)&b.png".into(),
                sha256: sha("a"),
                content_type: "image/png".into(),
            },
            MediaRef {
                name: "x.png".into(),
                sha256: sha("b"),
                content_type: "image/png".into(),
            },
            MediaRef {
                name: "x.png.png".into(),
                sha256: sha("c"),
                content_type: "image/png".into(),
            },
            MediaRef {
                name: "péta.png".into(),
                sha256: sha("d"),
                content_type: "image/png".into(),
            },
        ];
        let text = "<img src=\"@@PLUGINFILE@@/Gambar%201%20%28a%29&amp;b.png\"> \
                    <img src='@@PLUGINFILE@@/x.png.png'> <img src=\"@@PLUGINFILE@@/p%C3%A9ta.png?time=1\"> \
                    @@PLUGINFILE@@/ @@PLUGINFILE@@/%zz";
        assert_eq!(
            link(text, &media),
            format!(
                "<img src=\"/question-media/{}\"> <img src='/question-media/{}'> \
                 <img src=\"/question-media/{}?time=1\"> @@PLUGINFILE@@/ @@PLUGINFILE@@/%zz",
                sha("a"),
                sha("c"),
                sha("d")
            )
        );
        assert_eq!(
            references(text),
            ["Gambar 1 (a)&b.png", "x.png.png", "péta.png", "", "%zz"]
        );
    }

    #[test]
    fn references_point_at_stored_images() {
        let media = [MediaRef {
            name: "peta jaringan.png".into(),
            sha256: "ab".repeat(32),
            content_type: "image/png".into(),
        }];
        let text = "<img src=\"@@PLUGINFILE@@/peta%20jaringan.png\"> <img src=\"@@PLUGINFILE@@/hilang.png\">";
        assert_eq!(
            link(text, &media),
            format!(
                "<img src=\"/question-media/{}\"> <img src=\"@@PLUGINFILE@@/hilang.png\">",
                "ab".repeat(32)
            )
        );
    }
}
