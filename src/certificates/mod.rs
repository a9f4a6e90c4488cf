//! Certificates: eligibility, issue with gap-free numbers, Ed25519-signed
//! content, PDF with a QR code, public verification, revocation.

pub mod api;
pub mod archive;
pub mod badge;
pub mod eligibility;
pub mod keys;
pub mod layout;
pub mod lookup;
pub mod model;
pub mod pades;
pub mod pages;
pub mod pdf;
pub mod service;
pub mod settings;
pub mod settings_pages;
pub mod standing;
mod store;
pub mod throttle;
pub mod verify;
