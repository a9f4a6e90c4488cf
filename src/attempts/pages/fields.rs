//! The fields a quiz page's form sent, as pairs: shared by the page's
//! reading of each question type.

/// Every value the form sent under `name`.
pub(super) fn values<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}
