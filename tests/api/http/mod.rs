//! What every area shares through `src/http/`: the pages, CSRF and
//! confirmation boxes, the API's contract with its OpenAPI document, upload
//! limits against hostile files, health and metrics.

mod confirmations;
mod contract;
mod ops;
mod pages;
mod uploads;

use crate::support::Case;

pub fn cases() -> Vec<Case> {
    [
        pages::cases(),
        confirmations::cases(),
        contract::cases(),
        uploads::cases(),
        ops::cases(),
    ]
    .concat()
}
