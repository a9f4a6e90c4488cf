//! Activation sheets for the API and the pages: codes for accounts without a password,
//! printed as slips (PDF) or listed for a mail merge (XLSX).

use poem_openapi::payload::Binary;
use poem_openapi::{ApiResponse, Enum, Object};
use uuid::Uuid;

use super::credentials::{self, IssuedCode};
use super::model::CurrentUser;
use super::{slips, store};
use crate::conflict::Conflict;
use crate::error::{AppError, AppResult};
use crate::http::state::AppState;

/// `?format=` of an activation sheet.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[oai(rename_all = "lowercase")]
pub enum SheetFormat {
    Pdf,
    Xlsx,
}

pub fn pdf_format() -> SheetFormat {
    SheetFormat::Pdf
}

#[derive(Object)]
pub struct ActivationRequest {
    /// These accounts; or give `batch_id` instead.
    #[oai(validator(max_items = 2000))]
    pub user_ids: Option<Vec<Uuid>>,
    /// Everyone on this batch's list who has not withdrawn.
    pub batch_id: Option<Uuid>,
    /// Also accounts that already have a password (their password keeps
    /// working until they activate). By default only accounts without one.
    #[oai(default)]
    pub include_with_password: bool,
}

#[derive(ApiResponse)]
pub enum SheetBody {
    /// Slips to print and cut, eight to an A4 page.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
        /// `no-store`: the codes are credentials.
        #[oai(header = "Cache-Control")]
        String,
    ),
    /// One row per account, for a mail merge.
    #[oai(
        status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )]
    Xlsx(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
        /// `no-store`: the codes are credentials.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

/// The sheet for `issued` codes in `format`.
pub fn sheet(base_url: &str, issued: &[IssuedCode], format: SheetFormat) -> AppResult<SheetBody> {
    let slips = slips::slips(base_url, issued);
    Ok(match format {
        SheetFormat::Pdf => SheetBody::Pdf(
            Binary(slips::pdf(&slips)),
            "attachment; filename=\"kode_aktivasi.pdf\"".into(),
            "no-store".into(),
        ),
        SheetFormat::Xlsx => SheetBody::Xlsx(
            Binary(slips::xlsx(&slips)?),
            "attachment; filename=\"kode_aktivasi.xlsx\"".into(),
            "no-store".into(),
        ),
    })
}

/// Whose accounts get a new activation code.
pub enum Recipients {
    /// These accounts.
    Users(Vec<Uuid>),
    /// Everyone on this batch's list who has not withdrawn.
    Batch(Uuid),
    /// Every active account without a password.
    WithoutPassword,
}

impl ActivationRequest {
    /// The API's two optional fields as one choice.
    pub fn recipients(&self) -> AppResult<Recipients> {
        match (&self.user_ids, self.batch_id) {
            (Some(ids), None) if !ids.is_empty() => Ok(Recipients::Users(ids.clone())),
            (None, Some(batch)) => Ok(Recipients::Batch(batch)),
            _ => Err(AppError::invalid_field(
                "user_ids",
                "isi salah satu: user_ids (tidak kosong) atau batch_id",
            )),
        }
    }
}

/// New codes for `recipients` (administrators); 409 when nobody needs one.
pub async fn issue(
    state: &AppState,
    admin: &CurrentUser,
    recipients: Recipients,
    include_with_password: bool,
) -> AppResult<Vec<IssuedCode>> {
    super::service::may_manage(admin)?;
    let ids = match recipients {
        Recipients::Users(ids) => ids,
        Recipients::Batch(batch) => crate::schedule::enrolment::roster(&state.db, batch).await?,
        Recipients::WithoutPassword => {
            let ids = store::ids_without_password(state.db.read()).await?;
            if ids.is_empty() {
                return Err(AppError::conflict(
                    Conflict::NothingToIssue,
                    "Semua akun aktif sudah punya kata sandi.",
                ));
            }
            ids
        }
    };
    let issued =
        credentials::issue_activation_codes(&state.db, admin.id, &ids, include_with_password)
            .await?;
    if issued.is_empty() {
        return Err(AppError::conflict(
            Conflict::NothingToIssue,
            "Tidak ada akun yang memerlukan kode aktivasi: semuanya sudah punya kata sandi atau nonaktif.",
        ));
    }
    Ok(issued)
}
