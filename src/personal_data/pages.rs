//! Pages: "Data saya" (download one's own data) and the administrator's
//! anonymisation of a departed user.

use poem::web::{CsrfToken, Data, Html, Path};
use poem::{IntoResponse, Response, handler};
use poem::{Route, get, post};
use serde::Deserialize;
use uuid::Uuid;

use crate::accounts::anonymise as anonymising;
use crate::error::AppResult;
use crate::http::auth::PageUser;
use crate::http::csrf::CheckedForm;
use crate::http::pages::{redirect_after, unconfirmed};
use crate::http::state::AppState;

#[handler]
pub async fn my_data(
    state: Data<&AppState>,
    user: PageUser,
    csrf: &CsrfToken,
) -> AppResult<Html<String>> {
    state.templates.page(
        "my/data.html",
        Some(&user.0),
        csrf,
        minijinja::context! { retention_years => state.config.retention_years },
    )
}

#[derive(Deserialize)]
pub struct AnonymiseForm {
    #[serde(default)]
    reason: String,
    confirm: Option<String>,
}

#[handler]
pub async fn anonymise(
    state: Data<&AppState>,
    admin: PageUser,
    id: Path<Uuid>,
    CheckedForm(form): CheckedForm<AnonymiseForm>,
) -> AppResult<Response> {
    crate::accounts::service::may_manage(&admin.0)?;
    let back = format!("/admin/users/{}", id.0);
    if let Some(answer) = unconfirmed(
        &form.confirm,
        &back,
        "Centang konfirmasi untuk menganonimkan akun.",
    ) {
        return Ok(answer?.into_response());
    }
    let result = anonymising::anonymise(&state.db, &admin.0, id.0, &form.reason).await;
    Ok(redirect_after(&back, result, |_| {
        "Akun dianonimkan: data pribadinya dihapus, riwayat pelatihan tetap tersimpan tanpa identitas."
            .to_owned()
    })?
    .into_response())
}

/// The capability's pages, added to the app's page routes.
pub fn routes(route: Route) -> Route {
    route
        .at("/admin/users/:id/anonymise", post(anonymise))
        .at("/my/data", get(my_data))
}
