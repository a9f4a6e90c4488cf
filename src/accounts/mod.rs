//! Accounts: users and their roles, NIP validation, passwords, sessions,
//! sign-in throttling and bulk import.

pub mod api;
pub mod import;
pub mod model;
pub mod nip;
pub mod pages;
pub mod password;
pub mod service;
pub mod sessions;
pub mod store;
pub mod throttle;
