//! Question banks: GIFT, Aiken and Moodle XML import and export, versioned
//! storage, and the banks shipped in `question_banks/`.

pub mod gift;
pub mod model;
