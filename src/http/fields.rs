//! Field types of the JSON API whose documented schema is exactly what they
//! accept, so that a request the document calls valid is not refused for
//! its shape, and one it calls invalid is refused.

use std::borrow::Cow;
use std::ops::Deref;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

/// A character that is not white space. Control separators U+001C–U+001F
/// count as space, as they do for most JSON Schema validators (Python's
/// `\s`), though not for Rust's `trim`.
const VISIBLE: &str = r"[^\s\x1c-\x1f]";

fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The length of `text` without the white space around it.
pub fn trimmed_len(text: &str) -> usize {
    text.trim_matches(is_space).chars().count()
}

/// The `pattern` of a text with at least `min` characters between its first
/// and last visible one (JSON Schema patterns match anywhere in the text).
pub fn visible_pattern(min: usize) -> String {
    match min {
        0 | 1 => VISIBLE.to_owned(),
        n => format!("{VISIBLE}[\\s\\S]{{{},}}{VISIBLE}", n - 2),
    }
}

/// A text typed by a person (a reason, a comment): at least `MIN`
/// characters once the white space around it is left out, at most `MAX` in
/// all. It keeps the text as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> Text<MIN, MAX> {
    pub fn parse(text: String) -> Result<Self, String> {
        let visible = trimmed_len(&text);
        if visible == 0 {
            Err("wajib diisi".into())
        } else if visible < MIN {
            Err(format!("minimal {MIN} karakter"))
        } else if text.chars().count() > MAX {
            Err(format!("maksimal {MAX} karakter"))
        } else {
            Ok(Text(text))
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MIN: usize, const MAX: usize> Deref for Text<MIN, MAX> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MIN: usize, const MAX: usize> Type for Text<MIN, MAX> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        format!("text_{MIN}_{MAX}").into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            min_length: Some(MIN.max(1)),
            max_length: Some(MAX),
            pattern: Some(visible_pattern(MIN)),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl<const MIN: usize, const MAX: usize> ParseFromJSON for Text<MIN, MAX> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(text) => Text::parse(text).map_err(ParseError::custom),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<const MIN: usize, const MAX: usize> ParseFromParameter for Text<MIN, MAX> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Text::parse(value.to_owned()).map_err(ParseError::custom)
    }
}

impl<const MIN: usize, const MAX: usize> ToJSON for Text<MIN, MAX> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

/// A moment in a query: an RFC 3339 time, or a day (`2026-11-22`, from
/// 00:00 WIB). Documented as exactly those two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment(pub time::OffsetDateTime);

impl Moment {
    pub fn parse(text: &str) -> Option<Moment> {
        use time::format_description::well_known::Rfc3339;
        if let Ok(at) = time::OffsetDateTime::parse(text, &Rfc3339) {
            return Some(Moment(at));
        }
        time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
        .map(|d| Moment(d.midnight().assume_offset(crate::clock::WIB)))
    }
}

impl Type for Moment {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "moment".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let form =
            |format| MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", format)));
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            any_of: vec![form("date"), form("date-time")],
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl ParseFromParameter for Moment {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Moment::parse(value)
            .ok_or_else(|| ParseError::custom("harus tanggal YYYY-MM-DD atau waktu RFC 3339"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_short_and_long_texts_are_refused() {
        assert!(Text::<1, 5>::parse("  \t\u{1c}".into()).is_err());
        assert!(Text::<1, 5>::parse("".into()).is_err());
        assert!(Text::<1, 5>::parse("enamhr".into()).is_err());
        assert_eq!(Text::<1, 5>::parse(" ya ".into()).unwrap().as_str(), " ya ");
        assert!(Text::<3, 9>::parse("  ab \u{1f}".into()).is_err());
        assert!(Text::<3, 9>::parse(" a b ".into()).is_ok());
    }

    #[test]
    fn the_pattern_says_what_parse_accepts() {
        for min in [1, 2, 5, 10] {
            let re = regex::Regex::new(&visible_pattern(min)).unwrap();
            for text in [
                "",
                " ",
                "\u{1c}x\u{1d}",
                "ab",
                " a  b ",
                "abcde",
                "a\n\n\nb",
                "0123456789",
                " 012345678 ",
            ] {
                assert_eq!(
                    re.is_match(text),
                    trimmed_len(text) >= min.max(1),
                    "min {min}, {text:?}"
                );
            }
        }
    }
}
