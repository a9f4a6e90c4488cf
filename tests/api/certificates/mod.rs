//! Certificates (`src/certificates/`): issue, verification, revocation,
//! the PDF, and the settings pages that decide them.

mod lifecycle;
mod pdf;
mod settings;

use crate::support::Case;

pub fn cases() -> Vec<Case> {
    [lifecycle::cases(), pdf::cases(), settings::cases()].concat()
}
