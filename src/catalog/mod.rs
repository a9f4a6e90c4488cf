//! Catalog: courses, their ordered modules with Markdown bodies and
//! attachments, and each trainee's reading progress.

pub mod api;
pub mod lookup;
pub mod model;
pub mod pages;
pub mod service;
mod store;
pub mod views;
