//! Absolute links for what leaves the server (e-mails): the public base
//! URL is one per deployment (`BIMTEK_BASE_URL`), set once at start-up, so
//! services that compose a message inside their transaction need not be
//! handed the configuration.

use std::sync::OnceLock;

static BASE_URL: OnceLock<String> = OnceLock::new();
const UNSET: &str = "http://127.0.0.1:8080";

/// Records the public base URL; the first start in a process decides.
pub fn set_base_url(url: &str) {
    let _ = BASE_URL.set(url.trim_end_matches('/').to_owned());
}

/// `path` (starting with `/`) under the public base URL.
pub fn absolute(path: &str) -> String {
    let base = BASE_URL.get().map(String::as_str).unwrap_or(UNSET);
    format!("{base}{path}")
}
