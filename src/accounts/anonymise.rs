//! Anonymising a departed user (UU 27/2022 Pelindungan Data Pribadi): the
//! name, NIP, e-mail, unit kerja, jabatan and password go, with every
//! session, code, sign-in record and throttle entry; what the audit log
//! recorded about the account is emptied. Attempts, grades and the audit
//! of who did what stay, tied to an account that no longer says who it
//! was. Issued certificates are signed documents already in SIASN: they are
//! left as signed, so they keep verifying and the check says the holder's
//! account was anonymised; for a certificate holder this is
//! pseudonymisation (the certificate still names them), as the README says.
//! The account can never be edited, reactivated or reset afterwards.

use sea_orm::{ActiveValue::Set, IntoActiveModel};
use uuid::Uuid;

use super::model::{CurrentUser, Role, UserView};
use super::{retention, sessions, store, throttle, token_store};
use crate::audit;
use crate::clock;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// What an anonymised account is called: the same for the same account,
/// different across accounts, and nothing of the person.
pub fn placeholder_name(id: Uuid) -> String {
    format!("Pengguna anonim {}", short_id(id))
}

pub fn placeholder_username(id: Uuid) -> String {
    format!("anonim-{}", short_id(id).to_lowercase())
}

/// The id's last twelve hex digits: v7 ids begin with the time, so the
/// start is shared by accounts made together; the end is random.
fn short_id(id: Uuid) -> String {
    let hex = id.simple().to_string().to_uppercase();
    hex[hex.len() - 12..].to_owned()
}

/// The reason, trimmed, 5 to 2,000 characters.
pub fn check_reason(reason: &str) -> AppResult<&str> {
    let reason = reason.trim();
    match reason.chars().count() {
        5..=2000 => Ok(reason),
        _ => Err(AppError::invalid_field(
            "reason",
            "tuliskan alasan anonimisasi (5 sampai 2.000 karakter)",
        )),
    }
}

pub async fn anonymise(
    db: &Db,
    admin: &CurrentUser,
    id: Uuid,
    reason: &str,
) -> AppResult<UserView> {
    admin.require(Role::Admin)?;
    let reason = check_reason(reason)?;
    if admin.id == id {
        return Err(AppError::conflict(
            Conflict::AnonymiseSelf,
            "Akun sendiri tidak dapat dianonimkan; minta administrator lain.",
        ));
    }
    let txn = db.begin_write().await?;
    // Both rows locked, always in id order: two administrators anonymising
    // each other at once on PostgreSQL take turns, and the second finds
    // itself no longer an administrator, so one always remains.
    let (first, second) = if admin.id < id {
        (admin.id, id)
    } else {
        (id, admin.id)
    };
    let first = store::get_for_update(&txn, first).await?;
    let second = store::get_for_update(&txn, second).await?;
    let (actor, account) = if admin.id < id {
        (first, second)
    } else {
        (second, first)
    };
    let actor_is_admin = match &actor {
        Some(actor) => {
            actor.active
                && store::roles_of(&txn, actor.id)
                    .await?
                    .contains(&Role::Admin)
        }
        None => false,
    };
    if !actor_is_admin {
        return Err(AppError::Forbidden);
    }
    let account = account.ok_or(AppError::NotFound)?;
    if account.anonymised_at.is_some() {
        return Err(super::model::refused_anonymised());
    }
    // No last-administrator check is needed: the actor, locked above, is
    // another active administrator and stays one.
    let roles = store::roles_of(&txn, id).await?;
    let now = clock::now();
    let mut active = account.into_active_model();
    active.username = Set(placeholder_username(id));
    active.name = Set(placeholder_name(id));
    active.nip = Set(None);
    active.email = Set(None);
    active.unit_kerja = Set(None);
    active.jabatan = Set(None);
    active.password_hash = Set(None);
    active.active = Set(false);
    active.updated_at = Set(now);
    active.anonymised_at = Set(Some(now));
    let account = store::update(&txn, active).await?;
    sessions::revoke_all(&txn, id).await?;
    token_store::drop_all(&txn, id, None).await?;
    throttle::clear(&txn, &throttle::account_key(id)).await?;
    retention::forget_sign_ins(&txn, id).await?;
    crate::notices::service::forget_person(&txn, id).await?;
    audit::scrub_values(&txn, "user", id).await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(admin.id),
            action: "user.anonymised",
            object_type: "user",
            object_id: id,
            old: None,
            new: None,
            reason: Some(reason),
        },
    )
    .await?;
    txn.commit().await?;
    sessions::forget_user(id);
    Ok(store::view(account, &roles))
}

/// Whether the account was anonymised (for a certificate check to say so).
pub async fn is_anonymised(db: &Db, id: Uuid) -> AppResult<bool> {
    Ok(store::get(db.read(), id)
        .await?
        .is_some_and(|a| a.anonymised_at.is_some()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_say_nothing_of_the_person_and_differ_per_account() {
        let a = Uuid::parse_str("01938a7e-1111-7000-8000-0000000000aa").unwrap();
        let b = Uuid::parse_str("01938a7e-1111-7000-8000-0000000000bb").unwrap();
        assert_eq!(placeholder_name(a), "Pengguna anonim 0000000000AA");
        assert_eq!(placeholder_username(a), "anonim-0000000000aa");
        assert_ne!(placeholder_username(a), placeholder_username(b));
        assert!(super::super::model::parse_username(&placeholder_username(a)).is_ok());
    }
}
