//! Accounts: users and their roles, NIP validation, passwords, sessions,
//! sign-in throttling, bulk import, and how an account gets its password
//! (activation codes, changes, resets).

pub mod activation_api;
pub mod anonymise;
pub mod api;
pub mod codes;
pub mod credential_pages;
pub mod credentials;
pub mod import;
pub mod lookup;
pub mod model;
pub mod nip;
pub mod pages;
pub mod password;
pub mod password_reset;
pub mod policy;
pub mod reset_pages;
pub mod retention;
pub mod routes;
pub mod service;
pub mod sessions;
pub mod slips;
mod store;
pub mod throttle;
mod token_store;
pub mod user_pages;
