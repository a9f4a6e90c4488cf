//! Scheduling Bimtek batches (angkatan): dates and sessions, enrolment with
//! capacity and a waitlist, bulk enrolment, attendance, self check-in,
//! progress and the trainee's "Bimtek saya".

pub mod api;
pub mod attendance;
pub mod enrolment;
pub mod export;
pub mod ics;
pub mod import;
pub mod lookup;
pub mod model;
mod notify;
pub mod pages;
pub mod progress;
pub mod seats;
pub mod service;
mod showing;
mod store;
pub mod views;
