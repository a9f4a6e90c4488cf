//! JSON API for certificates: settings, eligibility preview, issue, read,
//! PDF (one or a batch ZIP), revoke, reissue, the public verification and
//! the public keys.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::archive;
use super::eligibility::{self, PreviewRow};
use super::keys::{self, PublicKey};
use super::service::{self, CertificateView};
use super::settings::{self, Settings};
use super::standing;
use super::verify::{self, Verification};
use crate::error::AppResult;
use crate::http::api_tags::ApiTags;
use crate::http::auth::{Auth, ClientIp};
use crate::http::fields::Text;
use crate::http::state::AppState;

#[derive(Object)]
struct IssueRequest {
    /// Only these trainees (each must be eligible); absent: every eligible one.
    user_ids: Option<Vec<Uuid>>,
}

#[derive(Object)]
struct Jwks {
    keys: Vec<PublicKey>,
}

#[derive(Object)]
struct OpenBadge {
    /// The OpenBadgeCredential (W3C verifiable credential).
    credential: serde_json::Value,
    /// The same, signed: a compact JWS (EdDSA) with the credential in `vc`.
    jwt: String,
}

#[derive(Object)]
struct RevokeRequest {
    reason: Text<5, 2000>,
}

#[derive(ApiResponse)]
enum PdfFile {
    /// The certificate as PDF.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

#[derive(ApiResponse)]
enum ZipFile {
    /// Every standing certificate of the batch as PDF, in one ZIP.
    #[oai(status = 200, content_type = "application/zip")]
    Zip(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

pub struct CertificatesApi;

#[OpenApi(tag = "ApiTags::Certificates")]
impl CertificatesApi {
    /// A course's certificate settings (admin): number pattern, letters, expiry.
    #[oai(path = "/courses/:id/certificate-settings", method = "get")]
    async fn settings(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Settings>> {
        Ok(Json(
            settings::to_edit(&state.engine, auth.user(), id.0).await?,
        ))
    }

    /// Change a course's certificate settings (admin).
    #[oai(path = "/courses/:id/certificate-settings", method = "put")]
    async fn save_settings(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<Settings>,
    ) -> AppResult<Json<Settings>> {
        Ok(Json(
            settings::save_settings(&state.engine, auth.user(), id.0, body.0).await?,
        ))
    }

    /// Who in the batch is eligible, for which kind, and for the rest
    /// exactly which condition fails (admin).
    #[oai(path = "/batches/:id/certificates/preview", method = "get")]
    async fn preview(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<PreviewRow>>> {
        Ok(Json(
            eligibility::preview(&state.engine, auth.user(), id.0).await?,
        ))
    }

    /// Issue the batch's certificates (admin): every eligible trainee or the
    /// listed ones. Issuing again returns the same certificates.
    #[oai(path = "/batches/:id/certificates", method = "post")]
    async fn issue(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<IssueRequest>,
    ) -> AppResult<Json<Vec<CertificateView>>> {
        Ok(Json(
            service::issue(
                &state.engine,
                &state.config,
                auth.user(),
                id.0,
                body.0.user_ids,
            )
            .await?
            .certificates,
        ))
    }

    /// The batch's certificates, revoked ones included (admin).
    #[oai(path = "/batches/:id/certificates", method = "get")]
    async fn of_batch(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Vec<CertificateView>>> {
        Ok(Json(
            service::in_batch(&state.db, &state.config, auth.user(), id.0).await?,
        ))
    }

    /// Every standing certificate of the batch as PDFs in one ZIP (admin).
    #[oai(path = "/batches/:id/certificates/zip", method = "get")]
    async fn zip(&self, state: Data<&AppState>, auth: Auth, id: Path<Uuid>) -> AppResult<ZipFile> {
        let bytes = archive::batch_zip_for(
            &state.db,
            &state.config,
            &state.certificate_layout,
            auth.user(),
            id.0,
        )
        .await?;
        Ok(ZipFile::Zip(
            Binary(bytes),
            "attachment; filename=\"sertifikat-angkatan.zip\"".into(),
        ))
    }

    /// The caller's certificates.
    #[oai(path = "/me/certificates", method = "get")]
    async fn mine(
        &self,
        state: Data<&AppState>,
        auth: Auth,
    ) -> AppResult<Json<Vec<CertificateView>>> {
        Ok(Json(
            service::mine(&state.engine, &state.config, auth.user()).await?,
        ))
    }

    /// A certificate (its holder or an admin).
    #[oai(path = "/certificates/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Box<CertificateView>>> {
        Ok(Json(Box::new(
            service::get(&state.engine, &state.config, auth.user(), id.0).await?,
        )))
    }

    /// The certificate as an A4 landscape PDF (its holder or an admin).
    #[oai(path = "/certificates/:id/pdf", method = "get")]
    async fn pdf(&self, state: Data<&AppState>, auth: Auth, id: Path<Uuid>) -> AppResult<PdfFile> {
        let cert = service::get(&state.engine, &state.config, auth.user(), id.0).await?;
        let name = archive::file_name(&cert.content.number);
        Ok(PdfFile::Pdf(
            Binary(archive::pdf(&state.certificate_layout, cert).await?),
            format!("attachment; filename=\"{name}.pdf\""),
        ))
    }

    /// Revoke a certificate (admin), with a reason; audited.
    #[oai(path = "/certificates/:id/revoke", method = "post")]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<RevokeRequest>,
    ) -> AppResult<Json<Box<CertificateView>>> {
        Ok(Json(Box::new(
            standing::revoke(
                &state.engine,
                &state.config,
                auth.user(),
                id.0,
                &body.reason,
            )
            .await?,
        )))
    }

    /// Replace a standing certificate (admin): revokes it with the reason
    /// and issues what the trainee earns now (kind decided again, current
    /// details), both or neither. 409 when the trainee is no longer
    /// eligible or the certificate is already revoked.
    #[oai(path = "/certificates/:id/replace", method = "post")]
    async fn replace(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<RevokeRequest>,
    ) -> AppResult<Json<Box<CertificateView>>> {
        Ok(Json(Box::new(
            standing::replace(
                &state.engine,
                &state.config,
                auth.user(),
                id.0,
                &body.reason,
            )
            .await?,
        )))
    }

    /// Issue a new certificate replacing a revoked one (admin); the kind is
    /// decided again (409 when the trainee is no longer eligible).
    #[oai(path = "/certificates/:id/reissue", method = "post")]
    async fn reissue(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<Box<CertificateView>>> {
        Ok(Json(Box::new(
            standing::reissue(&state.engine, &state.config, auth.user(), id.0).await?,
        )))
    }

    /// Check a verification code (public, rate-limited): valid, revoked,
    /// expired, invalid (altered) or unknown. The NIP is masked.
    #[oai(path = "/verify/:code", method = "get")]
    async fn verify(
        &self,
        state: Data<&AppState>,
        client: Data<&ClientIp>,
        code: Path<String>,
    ) -> AppResult<Json<Verification>> {
        let address = client.key().unwrap_or_default();
        state
            .verify_throttle
            .check(&address, std::time::Instant::now())?;
        Ok(Json(verify::verify(&state.engine, &code.0).await?))
    }

    /// The public keys certificates and badges are signed with (a JWK set,
    /// Ed25519), retired ones included.
    #[oai(path = "/certificate-keys", method = "get")]
    async fn keys(&self, state: Data<&AppState>) -> AppResult<Json<Jwks>> {
        Ok(Json(Jwks {
            keys: keys::public_keys(&state.db).await?,
        }))
    }

    /// The certificate as an Open Badges 3.0 OpenBadgeCredential, signed as
    /// a VC-JWT (its holder or an admin).
    #[oai(path = "/certificates/:id/openbadge", method = "get")]
    async fn openbadge(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<OpenBadge>> {
        let cert = service::get(&state.engine, &state.config, auth.user(), id.0).await?;
        let urls = super::badge::Urls {
            base: state.config.base_url.trim_end_matches('/').to_owned(),
            certificate_id: cert.id.to_string(),
        };
        let credential = super::badge::credential(
            &cert.content,
            &urls,
            &state.config.issuer,
            &format!("urn:uuid:{}", cert.user_id),
        );
        // Signed by the certificate's own key, whichever key is current now.
        let key = keys::by_kid(&state.db, &cert.kid).await?;
        let jwt = super::badge::vc_jwt(&key, &credential, cert.issued_at.unix_timestamp());
        Ok(Json(OpenBadge { credential, jwt }))
    }

    /// The issuer profile of the badges (public).
    #[oai(path = "/issuer", method = "get")]
    async fn issuer(&self, state: Data<&AppState>) -> Json<serde_json::Value> {
        let base = state.config.base_url.trim_end_matches('/');
        Json(super::badge::issuer_profile(
            base,
            &state.config.issuer,
            &format!("{base}/api/v1/certificate-keys"),
        ))
    }

    /// Revoked credentials, for the badges' `credentialStatus` (public).
    #[oai(path = "/revocation-list", method = "get")]
    async fn revocation_list(&self, state: Data<&AppState>) -> AppResult<Json<serde_json::Value>> {
        let base = state.config.base_url.trim_end_matches('/');
        let revoked = super::store::revoked_between(state.db.read(), None, None).await?;
        Ok(Json(serde_json::json!({
            "id": format!("{base}/api/v1/revocation-list"),
            "type": "1EdTechRevocationList",
            "revokedCredentials": revoked
                .iter()
                .map(|c| serde_json::json!({
                    "id": format!("{base}/api/v1/certificates/{}/openbadge", c.id),
                    "revoked_at": c.revoked_at.map(|r| r.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()),
                }))
                .collect::<Vec<_>>(),
        })))
    }
}
