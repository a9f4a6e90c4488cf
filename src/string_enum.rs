//! The one way the crate spells an enum stored or sent as text: snake_case
//! in JSON, in the OpenAPI document and in the database (a column of such
//! a type is read and written as the enum, never compared as a string),
//! with `as_str` and `parse` for the places that hold the text. A variant
//! may list other spellings `parse` accepts (`MoodleXml = "moodle_xml" | "xml"`).

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            ::serde::Serialize, ::serde::Deserialize, ::poem_openapi::Enum,
            ::sea_orm::EnumIter, ::sea_orm::DeriveActiveEnum,
        )]
        #[serde(rename_all = "snake_case")]
        #[oai(rename_all = "snake_case")]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        pub enum $name { $($(#[$vmeta])* #[sea_orm(string_value = $text)] $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value written as `text` (surrounding spaces ignored).
            pub fn parse(text: &str) -> Option<$name> {
                match text.trim() { $($text $(| $alias)* => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

pub(crate) use string_enum;
