//! Pure rules for courses and modules: tracks, statuses, jabatan levels,
//! course codes, and which attachments are accepted.

use crate::error::FieldError;
use crate::string_enum::string_enum;

string_enum!(
    /// Which functional position a course prepares for.
    Track {
        PranataKomputer = "pranata_komputer",
        Humas = "humas",
        Umum = "umum",
    }
);

impl Track {
    pub const ALL: [Track; 3] = [Track::PranataKomputer, Track::Humas, Track::Umum];

    pub fn label(self) -> &'static str {
        match self {
            Track::PranataKomputer => "Pranata Komputer",
            Track::Humas => "Pranata Humas",
            Track::Umum => "Umum",
        }
    }
}

string_enum!(
    CourseStatus {
        Draft = "draft",
        Published = "published",
        Archived = "archived",
    }
);

impl CourseStatus {
    pub fn label(self) -> &'static str {
        match self {
            CourseStatus::Draft => "Draf",
            CourseStatus::Published => "Terbit",
            CourseStatus::Archived => "Diarsipkan",
        }
    }
}

/// Jenjang jabatan fungsional, in order. Pranata humas has no Ahli Utama.
pub const LEVELS: [&str; 7] = [
    "Terampil",
    "Mahir",
    "Penyelia",
    "Ahli Pertama",
    "Ahli Muda",
    "Ahli Madya",
    "Ahli Utama",
];

/// The canonical spelling of a jenjang for `track`, or why it is not one.
pub fn parse_level(text: &str, track: Track) -> Result<String, String> {
    let wanted = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let level = LEVELS
        .iter()
        .find(|l| l.to_lowercase() == wanted)
        .ok_or_else(|| {
            format!(
                "jenjang '{text}' tidak dikenal; pilih salah satu: {}",
                LEVELS.join(", ")
            )
        })?;
    if track == Track::Humas && *level == "Ahli Utama" {
        return Err("jabatan fungsional pranata humas tidak memiliki jenjang Ahli Utama".into());
    }
    Ok((*level).to_owned())
}

/// Course codes such as `BIMTEK-PK-2026`: 3–40 characters of `A-Z 0-9 - _ .`, stored uppercase.
pub fn parse_course_code(text: &str) -> Result<String, String> {
    let code = text.trim().to_uppercase();
    if code.len() < 3 || code.len() > 40 {
        return Err("kode harus 3–40 karakter".into());
    }
    if let Some(bad) = code
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "karakter '{bad}' tidak boleh dalam kode; gunakan huruf, angka, '-', '_' atau '.'"
        ));
    }
    Ok(code)
}

pub fn required_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        errors.push(FieldError::new(field, "wajib diisi"));
    } else if trimmed.chars().count() > max {
        errors.push(FieldError::new(field, format!("maksimal {max} karakter")));
    }
    trimmed.to_owned()
}

/// JP per module: a whole number of 45-minute lesson hours, 0–100.
pub fn check_jp(jp: Option<i32>, errors: &mut Vec<FieldError>) {
    if jp.is_some_and(|jp| !(0..=100).contains(&jp)) {
        errors.push(FieldError::new("jp", "JP harus 0–100"));
    }
}

/// The largest module body, in bytes of Markdown.
pub const MAX_BODY_MARKDOWN_BYTES: usize = 1_000_000;

/// The largest attachment a module may carry.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// The content type of an allowed attachment, judged by its first bytes
/// (never by what the browser claims): PDF, PNG, JPEG, GIF or WebP.
pub fn sniff_attachment(bytes: &[u8]) -> Option<&'static str> {
    crate::file_types::sniff(bytes)
}

/// A file name safe to echo in a header: no path, no control characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .take(120)
        .collect();
    if cleaned.trim().is_empty() {
        "lampiran".into()
    } else {
        cleaned
    }
}

/// Position of module `index` after moving it one step `up` or down, if it can move.
pub fn swap_target(index: usize, len: usize, up: bool) -> Option<usize> {
    match (up, index) {
        (true, 0) => None,
        (true, i) => Some(i - 1),
        (false, i) if i + 1 >= len => None,
        (false, i) => Some(i + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_canonical_and_track_aware() {
        assert_eq!(
            parse_level(" ahli   pertama ", Track::PranataKomputer).unwrap(),
            "Ahli Pertama"
        );
        assert!(
            parse_level("Ahli Utama", Track::Humas)
                .unwrap_err()
                .contains("humas")
        );
        assert!(parse_level("Ahli Utama", Track::PranataKomputer).is_ok());
        assert!(
            parse_level("Senior", Track::Umum)
                .unwrap_err()
                .contains("Senior")
        );
    }

    #[test]
    fn course_codes() {
        assert_eq!(
            parse_course_code(" bimtek-pk-2026 ").unwrap(),
            "BIMTEK-PK-2026"
        );
        assert!(parse_course_code("AB").is_err());
        assert!(parse_course_code("BIMTEK PK").unwrap_err().contains("' '"));
    }

    #[test]
    fn attachments_are_judged_by_content() {
        assert_eq!(sniff_attachment(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(
            sniff_attachment(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(sniff_attachment(b"<html><script>"), None);
        assert_eq!(sniff_attachment(b"MZ\x90\x00"), None);
    }

    #[test]
    fn file_names_lose_paths() {
        assert_eq!(clean_file_name("C:\\Users\\x\\modul 1.pdf"), "modul 1.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("\"\n"), "lampiran");
    }

    #[test]
    fn swapping_stays_in_bounds() {
        assert_eq!(swap_target(0, 3, true), None);
        assert_eq!(swap_target(2, 3, false), None);
        assert_eq!(swap_target(1, 3, true), Some(0));
        assert_eq!(swap_target(1, 3, false), Some(2));
    }
}
