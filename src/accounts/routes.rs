//! The account pages: signing in and out, activation, password reset and
//! change, and the administrators' user pages.

use poem::{Route, get, post};

use super::pages as accounts;
use super::{credential_pages, reset_pages, user_pages};

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    route
        .at(
            "/login",
            get(accounts::login_form).post(accounts::login_submit),
        )
        .at("/logout", post(accounts::logout))
        .at(
            "/activate",
            get(credential_pages::activate_form).post(credential_pages::activate_submit),
        )
        .at(
            "/password-reset",
            get(reset_pages::request_form).post(reset_pages::request_submit),
        )
        .at(
            "/password-reset/confirm",
            get(reset_pages::confirm_form).post(reset_pages::confirm_submit),
        )
        .at(
            "/password",
            get(credential_pages::password_form).post(credential_pages::password_submit),
        )
        .at(
            "/admin/users",
            get(accounts::users).post(accounts::create_user),
        )
        .at("/admin/users/new", get(accounts::new_user_form))
        .at("/admin/users/activation", post(user_pages::sheet))
        .at(
            "/admin/users/:id",
            get(user_pages::show).post(user_pages::save),
        )
        .at("/admin/users/:id/status", post(user_pages::set_active))
        .at("/admin/users/:id/reset", post(user_pages::reset))
        .at(
            "/admin/users/import",
            get(accounts::import_form).post(accounts::import_submit),
        )
}
