//! The laporan penyelenggaraan of a batch: one PDF in the form a BKD files
//! after a Bimtek, gathered from every capability's service.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;
mod store;
