//! Accounts (`src/accounts/`): signing in and sessions, the users API and
//! its bulk import, activation, and resetting a forgotten password.

mod activation;
mod auth;
mod import;
mod password_reset;
mod users;

use crate::support::Case;

pub fn cases() -> Vec<Case> {
    [
        auth::cases(),
        users::cases(),
        import::cases(),
        activation::cases(),
        password_reset::cases(),
    ]
    .concat()
}
