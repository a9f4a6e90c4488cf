//! A certificate's standing after issue: revoked with a reason, reissued,
//! or replaced by what the trainee earns now; each audited.

use serde_json::json;
use uuid::Uuid;

use super::eligibility::candidates;
use super::keys;
use super::model::{Standing, statement_time, stored_moment, verification_code};
use super::service::{CertificateView, content_for, draft, view, write_one};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::audit;
use crate::clock;
use crate::config::Config;
use crate::conflict::Conflict;
use crate::engine::Engine;
use crate::entities::certificate;
use crate::error::{AppError, AppResult};

/// Revokes a certificate (admin), with a reason; audited.
pub async fn revoke(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    id: Uuid,
    reason: &str,
) -> AppResult<CertificateView> {
    admin.require(Role::Admin)?;
    let reason = reason_for(reason, "pencabutan")?;
    let actor = admin.id;
    let key = keys::active(&engine.db).await?;
    let row = engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let row = store::get(txn, id).await?.ok_or(AppError::NotFound)?;
                revoke_in(txn, &key, &row, &reason, actor).await?;
                store::get(txn, id).await?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    view(config, &row)
}

/// Revokes `row` in `txn`: its signed standing, the columns and the audit
/// entry (409 when it is already revoked).
async fn revoke_in(
    txn: &sea_orm::DatabaseTransaction,
    key: &keys::ActiveKey,
    row: &certificate::Model,
    reason: &str,
    actor: Uuid,
) -> AppResult<()> {
    if row.revoked_at.is_some() {
        return Err(AppError::conflict(
            Conflict::AlreadyRevoked,
            "Sertifikat ini sudah dicabut.",
        ));
    }
    // As the database will give it back: the signed text and the stored
    // column must rebuild the same bytes.
    let now = stored_moment(clock::now());
    let standing = Standing {
        number: &row.number,
        verification_code: &row.verification_code,
        revoked_at: Some(statement_time(now)),
        revoke_reason: Some(reason),
    };
    let signature = key.sign(&standing.canonical_bytes());
    store::set_revoked(txn, row.id, now, reason, &signature, &key.kid).await?;
    audit::record(
        txn,
        audit::Entry {
            actor: Some(actor),
            action: "certificate.revoke",
            object_type: "certificate",
            object_id: row.id,
            old: Some(json!({ "revoked_at": null })),
            new: Some(json!({ "revoked_at": now.to_string() })),
            reason: Some(reason),
        },
    )
    .await
}

/// A new certificate replacing a revoked one: eligibility is decided again,
/// so the kind is the one the trainee earns now, with current details.
pub async fn reissue(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    id: Uuid,
) -> AppResult<CertificateView> {
    admin.require(Role::Admin)?;
    let old = store::get(engine.db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if old.revoked_at.is_none() {
        return Err(AppError::conflict(
            Conflict::NotRevoked,
            "Hanya sertifikat yang sudah dicabut yang dapat diterbitkan ulang; untuk mengganti sertifikat yang berlaku, pakai \"Ganti\" dengan alasan.",
        ));
    }
    replace_with_new(engine, config, admin, old, None).await
}

/// Replaces a standing certificate in one step (a corrected name, or a
/// letter that became a certificate): revokes it with `reason` and issues
/// what the trainee earns now, both or neither.
pub async fn replace(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    id: Uuid,
    reason: &str,
) -> AppResult<CertificateView> {
    admin.require(Role::Admin)?;
    let reason = reason_for(reason, "penggantian")?;
    let old = store::get(engine.db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if old.revoked_at.is_some() {
        return Err(AppError::conflict(
            Conflict::AlreadyRevoked,
            "Sertifikat ini sudah dicabut; terbitkan ulang tanpa mengganti.",
        ));
    }
    replace_with_new(engine, config, admin, old, Some(reason)).await
}

async fn replace_with_new(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    old: certificate::Model,
    revoke_reason: Option<String>,
) -> AppResult<CertificateView> {
    let all = candidates(engine, old.batch_id).await?;
    let candidate = all
        .iter()
        .find(|c| c.row.user_id == old.user_id)
        .ok_or_else(|| {
            AppError::conflict(
                Conflict::NotEnrolled,
                "Pemegang sertifikat ini tidak lagi terdaftar di angkatan.",
            )
        })?;
    if !candidate.row.eligible {
        return Err(AppError::conflict(
            Conflict::NotEligible,
            format!(
                "{} kini belum memenuhi syarat: {}.",
                candidate.row.name,
                candidate.row.reasons.join("; ")
            ),
        ));
    }
    let d = draft(engine, old.batch_id).await?;
    let user = crate::accounts::lookup::find_by_id(engine.db.read(), old.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let issued_at = clock::now();
    let content = content_for(
        config,
        &d,
        &user,
        candidate,
        issued_at,
        verification_code(&mut rand::rng()),
        Some(old.number.clone()),
    );
    let key = keys::active(&engine.db).await?;
    let pattern = d.settings.number_pattern.clone();
    let id = old.id;
    let (batch_id, user_id, course_id, actor) =
        (old.batch_id, old.user_id, old.course_id, admin.id);
    let row = engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let current = store::get(txn, id).await?.ok_or(AppError::NotFound)?;
                if let Some(reason) = &revoke_reason {
                    revoke_in(txn, &key, &current, reason, actor).await?;
                }
                // Reissuing twice must not stack documents: one stands at a time.
                if store::standing(txn, batch_id, user_id).await?.is_some() {
                    return Err(AppError::conflict(
                        Conflict::AlreadyReplaced,
                        "Peserta ini sudah memegang sertifikat yang berlaku untuk angkatan ini.",
                    ));
                }
                let row = write_one(
                    txn,
                    &key,
                    &pattern,
                    content,
                    (batch_id, user_id, course_id),
                    issued_at,
                    Some(id),
                )
                .await?;
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: "certificate.reissue",
                        object_type: "certificate",
                        object_id: row.id,
                        old: Some(json!({ "replaces": id })),
                        new: Some(json!({ "number": row.number, "kind": row.kind })),
                        reason: revoke_reason.as_deref(),
                    },
                )
                .await?;
                Ok(row)
            })
        })
        .await?;
    view(config, &row)
}

/// The reason an administrator gave for changing a signed certificate:
/// trimmed, at least 5 characters.
fn reason_for(reason: &str, what: &str) -> AppResult<String> {
    let reason = reason.trim();
    if reason.chars().count() < 5 {
        return Err(AppError::invalid_field(
            "reason",
            format!("tuliskan alasan {what}"),
        ));
    }
    Ok(reason.to_owned())
}
