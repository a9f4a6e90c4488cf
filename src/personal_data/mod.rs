//! A person's own data (UU 27/2022 Pelindungan Data Pribadi): everything
//! Bimtek holds about the signed-in user, gathered from each capability's
//! service as that person may already see it, as JSON and as a PDF.

pub mod api;
pub mod document;
pub mod export;
pub mod pages;
