//! Records for BKD and SIASN: riwayat kursus rows, the yearly JP tally
//! against the 20 JP minimum, and anonymised open data.

pub mod api;
pub mod cli;
pub mod model;
pub mod pages;
pub mod service;
