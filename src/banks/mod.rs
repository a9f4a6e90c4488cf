//! Question banks: GIFT, Aiken and Moodle XML import and export, versioned
//! storage, and the banks shipped in `question_banks/` (compiled in).

pub mod aiken;
pub mod api;
pub mod cli;
pub mod cloze;
pub mod formats;
pub mod gift;
pub mod identity;
pub mod item_writing;
pub mod lookup;
pub mod media;
pub mod model;
pub mod moodle_xml;
pub mod pages;
pub mod service;
pub mod shipped;
mod store;
