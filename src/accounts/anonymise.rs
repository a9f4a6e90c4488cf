//! Anonymising a departed user (UU 27/2022 Pelindungan Data Pribadi): the
//! name, NIP, e-mail, unit kerja, jabatan and password go, with every
//! session, code, sign-in record and throttle entry; what the audit log
//! recorded about the account is emptied. Attempts, grades and the audit
//! of who did what stay, tied to an account that no longer says who it
//! was. Issued certificates are signed documents already in SIASN: they are
//! left as signed, so they keep verifying, and the check says the holder's
//! account was anonymised.

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

use super::model::{CurrentUser, Role, UserView};
use super::{retention, sessions, store, throttle, token_store};
use crate::audit;
use crate::clock;
use crate::db::Db;
use crate::entities::{audit_log, login_throttle};
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

pub async fn anonymise(
    db: &Db,
    admin: &CurrentUser,
    id: Uuid,
    reason: &str,
) -> AppResult<UserView> {
    admin.require(Role::Admin)?;
    if admin.id == id {
        return Err(AppError::conflict(
            "anonymise_self",
            "Akun sendiri tidak dapat dianonimkan; minta administrator lain.",
        ));
    }
    let txn = db.begin_write().await?;
    let account = store::get_for_update(&txn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if account.anonymised_at.is_some() {
        return Err(AppError::conflict(
            "already_anonymised",
            "Akun ini sudah dianonimkan.",
        ));
    }
    let roles = store::roles_of(&txn, id).await?;
    if roles.contains(&Role::Admin)
        && account.active
        && store::count_active_admins(&txn).await? <= 1
    {
        return Err(AppError::conflict(
            "last_admin",
            "Ini administrator aktif terakhir; tambahkan administrator lain terlebih dahulu.",
        ));
    }
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
    token_store::drop_every(&txn, id).await?;
    login_throttle::Entity::delete_by_id(throttle::account_key(id))
        .exec(&txn)
        .await?;
    audit_log::Entity::delete_many()
        .filter(audit_log::Column::Action.eq(retention::SIGNED_IN))
        .filter(audit_log::Column::ObjectId.eq(id))
        .exec(&txn)
        .await?;
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
