//! Catalog: courses, their ordered modules with Markdown bodies and
//! attachments, and each trainee's reading progress.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
pub mod views;
