//! The participants' evaluation of a batch (evaluasi penyelenggaraan):
//! trainees rate the organisation and each narasumber on a 1–4 scale,
//! anonymously and once; administrators see the results from five answers.

pub mod api;
pub mod model;
pub mod pages;
pub mod service;
mod store;
