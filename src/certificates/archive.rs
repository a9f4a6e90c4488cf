//! Certificate PDFs as people receive them: one for its holder, or every
//! standing certificate of a batch in a ZIP, for the pages, the API and the
//! `bimtek certificates zip` command alike. Rendering (and signing) is CPU
//! work, so it runs on the blocking pool, not on the async workers.

use std::io::Write;
use std::sync::Arc;

use uuid::Uuid;

use super::layout::CertificateLayout;
use super::service::{self, CertificateView};
use crate::accounts::model::{CurrentUser, Role};
use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// The PDF of one certificate.
pub async fn pdf(layout: &Arc<CertificateLayout>, cert: CertificateView) -> AppResult<Vec<u8>> {
    let layout = layout.clone();
    blocking(move || render(&layout, &cert)).await
}

/// The batch's ZIP for an administrator who downloads it.
pub async fn batch_zip_for(
    db: &Db,
    config: &Config,
    layout: &Arc<CertificateLayout>,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<Vec<u8>> {
    admin.require(Role::Admin)?;
    batch_zip(db, config, layout, batch_id).await
}

/// A ZIP of the PDFs of every standing certificate of `batch_id`.
pub async fn batch_zip(
    db: &Db,
    config: &Config,
    layout: &Arc<CertificateLayout>,
    batch_id: Uuid,
) -> AppResult<Vec<u8>> {
    let certs = service::of_batch(db, config, batch_id).await?;
    let layout = layout.clone();
    blocking(move || zip(&layout, &certs)).await
}

/// The file name of a certificate's PDF, without the extension.
pub fn file_name(number: &str) -> String {
    crate::download::file_stem(&format!("sertifikat {number}"))
}

fn render(layout: &CertificateLayout, cert: &CertificateView) -> AppResult<Vec<u8>> {
    let issued_on =
        crate::clock::format_date_id(cert.issued_at.to_offset(crate::clock::WIB).date());
    layout.render(&cert.content, &issued_on, &cert.verify_url)
}

fn zip(layout: &CertificateLayout, certs: &[CertificateView]) -> AppResult<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let fail = |e: &dyn std::fmt::Display| AppError::internal(format!("zip: {e}"));
    for cert in certs.iter().filter(|c| c.revoked_at.is_none()) {
        zip.start_file(format!("{}.pdf", file_name(&cert.content.number)), options)
            .map_err(|e| fail(&e))?;
        zip.write_all(&render(layout, cert)?)
            .map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::internal(format!("certificate rendering: {e}")))?
}
