//! Competency exams (uji kompetensi): an objective part run by the attempt
//! engine plus tasks graded blind against rubrics by assessors, with
//! double marking, moderation, release of Kompeten / Belum Kompeten per
//! unit, and appeals.

pub mod admin_api;
pub mod api;
pub mod appeals;
pub mod assessors;
pub mod codes;
pub mod export;
pub mod files;
pub mod grading;
pub mod history;
pub mod markers;
pub mod model;
pub mod pages;
pub mod plan;
pub mod results;
pub mod setup;
#[cfg(test)]
mod shipped_content_tests;
pub mod sitting;
pub mod standing;
mod store;
