//! Competency exams, uji kompetensi (`src/exams/`): through the API, through
//! the pages, and overseeing the grading.

mod api;
mod oversight;
mod pages;

use crate::support::Case;

pub fn cases() -> Vec<Case> {
    [api::cases(), pages::cases(), oversight::cases()].concat()
}
