//! Account operations shared by the JSON API, the pages and the CLI:
//! sign-in, creating, listing and changing users, and the first admin.

use std::collections::BTreeSet;

use sea_orm::ActiveValue::Set;
use sea_orm::IntoActiveModel;
use time::Duration;
use uuid::Uuid;

use super::model::{
    CurrentUser, NewUser, Role, UserInput, UserView, check_password, optional_text, parse_email,
};
use super::nip::Nip;
use super::sessions::{self, NewSession};
use super::{password, policy, store, throttle};
use crate::conflict::Conflict;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::{audit, clock};

pub struct SignedIn {
    pub session: NewSession,
    pub user: UserView,
}

/// Checks `login`/`password` and opens a session. Tries are counted per
/// account (whichever of its names was typed) or per unknown login name,
/// reserved before the password is checked so that parallel guesses cannot
/// outrun the limit; failures are also counted per client address. Every
/// failure looks the same.
pub async fn login(
    db: &Db,
    login: &str,
    password_text: String,
    address: Option<&str>,
    session_ttl: Duration,
) -> AppResult<SignedIn> {
    let now = clock::now();
    let account = store::find_by_login(db.read(), login).await?;
    let guard =
        throttle::Guard::enter(db, account.as_ref().map(|a| a.id), login, address, now).await?;

    let account = account.filter(|a| a.active);
    let stored_hash = account.as_ref().and_then(|a| a.password_hash.clone());
    let valid = password::verify(password_text, stored_hash).await?;
    let Some(account) = account.filter(|_| valid) else {
        guard.failed(db, now).await?;
        return Err(AppError::InvalidCredentials);
    };
    // One commit for what a sign-in writes after the password: the
    // password's own cost is the only one a sign-in should have.
    let txn = db.begin_write().await?;
    guard.succeeded(&txn).await?;
    let session = sessions::create(&txn, account.id, session_ttl).await?;
    super::retention::record_sign_in(&txn, account.id, address).await;
    let roles = store::roles_of(&txn, account.id).await?;
    txn.commit().await?;
    Ok(SignedIn {
        session,
        user: store::view(account, &roles),
    })
}

/// The one rule for managing accounts: administrators only. Pages that
/// only show a form call it too, so they refuse whom the service refuses.
pub fn may_manage(user: &CurrentUser) -> AppResult<()> {
    user.require(Role::Admin)
}

/// Creates an account on an administrator's behalf.
pub async fn create_user(db: &Db, admin: &CurrentUser, input: UserInput) -> AppResult<UserView> {
    may_manage(admin)?;
    create_account(db, input).await
}

/// Creates an account with the machine's authority: for the operator's
/// `create-user` command and the demo, where nobody is signed in.
pub async fn create_account(db: &Db, input: UserInput) -> AppResult<UserView> {
    let new = input
        .validate(clock::today_wib())
        .map_err(AppError::validation)?;
    let hash = match &new.password {
        Some(p) => Some(password::hash(p.clone()).await?),
        None => None,
    };
    insert_user(db, &new, hash).await
}

async fn insert_user(db: &Db, new: &NewUser, hash: Option<String>) -> AppResult<UserView> {
    let txn = db.begin_write().await?;
    let taken = store::taken_fields(
        &txn,
        Some(&new.username),
        new.nip.as_ref().map(Nip::as_str),
        new.email.as_deref(),
        None,
    )
    .await?;
    if !taken.is_empty() {
        return Err(AppError::validation(taken));
    }
    let account = store::insert(&txn, new, hash, clock::now())
        .await
        .map_err(|err| match err {
            AppError::Db(db_err) => AppError::unique_violation_on(
                db_err,
                "username",
                "nama pengguna, NIP atau e-mail sudah dipakai",
            ),
            other => other,
        })?;
    txn.commit().await?;
    Ok(store::view(account, &new.roles))
}

/// One account, for an administrator.
pub async fn get_user(db: &Db, admin: &CurrentUser, id: Uuid) -> AppResult<UserView> {
    may_manage(admin)?;
    view_of(db, id).await
}

/// The signed-in person's own account.
pub async fn me(db: &Db, user: &CurrentUser) -> AppResult<UserView> {
    view_of(db, user.id).await
}

async fn view_of(db: &Db, id: Uuid) -> AppResult<UserView> {
    let account = store::get(db.read(), id).await?.ok_or(AppError::NotFound)?;
    let roles = store::roles_of(db.read(), id).await?;
    Ok(store::view(account, &roles))
}

pub struct UserPage {
    pub items: Vec<UserView>,
    pub total: u64,
}

pub async fn list_users(
    db: &Db,
    admin: &CurrentUser,
    filter: &super::model::ListFilter,
) -> AppResult<UserPage> {
    may_manage(admin)?;
    let (accounts, total) = store::list(db.read(), filter).await?;
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
    let mut roles = store::roles_of_many(db.read(), &ids).await?;
    let items = accounts
        .into_iter()
        .map(|a| {
            let r = roles.remove(&a.id).unwrap_or_default();
            store::view(a, &r)
        })
        .collect();
    Ok(UserPage { items, total })
}

/// A partial change to a user; `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub nip: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub unit_kerja: Option<Option<String>>,
    pub jabatan: Option<Option<String>>,
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

struct CheckedChanges {
    name: Option<String>,
    nip: Option<Option<String>>,
    email: Option<Option<String>>,
    roles: Option<BTreeSet<Role>>,
}

fn check_changes(changes: &UserChanges) -> Result<CheckedChanges, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = match &changes.name {
        Some(n) if optional_text(Some(n)).is_none() => {
            errors.push(FieldError::new("name", "nama wajib diisi"));
            None
        }
        other => other.as_deref().and_then(|n| optional_text(Some(n))),
    };
    let nip = changes.nip.as_ref().map(|value| {
        optional_text(value.as_deref()).and_then(|text| {
            match Nip::parse(&text, clock::today_wib()) {
                Ok(nip) => Some(nip.as_str().to_owned()),
                Err(err) => {
                    errors.push(FieldError::new("nip", err.to_string()));
                    None
                }
            }
        })
    });
    let email = changes.email.as_ref().map(|value| {
        optional_text(value.as_deref()).and_then(|text| match parse_email(&text) {
            Ok(email) => Some(email),
            Err(msg) => {
                errors.push(FieldError::new("email", msg));
                None
            }
        })
    });
    if let Some(Err(msg)) = changes.password.as_deref().map(check_password) {
        errors.push(FieldError::new("password", msg));
    }
    let roles = changes
        .roles
        .as_ref()
        .map(|r| r.iter().copied().collect::<BTreeSet<_>>());
    if roles.as_ref().is_some_and(BTreeSet::is_empty) {
        errors.push(FieldError::new("roles", "minimal satu peran"));
    }
    if errors.is_empty() {
        Ok(CheckedChanges {
            name,
            nip,
            email,
            roles,
        })
    } else {
        Err(errors)
    }
}

/// Applies `changes` to user `id`. Deactivating or resetting the password
/// ends the user's sessions at once. The last active administrator cannot
/// be deactivated or lose the admin role, so nobody is locked out.
///
/// Every change is written to the audit log with the administrator, the
/// account as it was and as it became (never a password or its hash).
pub async fn update_user(
    db: &Db,
    admin: &CurrentUser,
    id: Uuid,
    changes: UserChanges,
) -> AppResult<UserView> {
    may_manage(admin)?;
    let actor = Some(admin.id);
    let checked = check_changes(&changes).map_err(AppError::validation)?;
    if let Some(new_password) = &changes.password {
        let account = store::get(db.read(), id).await?.ok_or(AppError::NotFound)?;
        let nip = checked.nip.clone().unwrap_or(account.nip.clone());
        let name = checked.name.clone().unwrap_or(account.name.clone());
        let who = policy::Identity {
            nip: nip.as_deref(),
            username: &account.username,
            name: &name,
        };
        policy::check(new_password, &who).map_err(|m| AppError::invalid_field("password", m))?;
    }
    let new_hash = match &changes.password {
        Some(p) => Some(password::hash(p.clone()).await?),
        None => None,
    };

    let txn = db.begin_write().await?;
    // Locked: an anonymisation committing meanwhile is seen, not overwritten.
    let account = store::get_for_update(&txn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if account.anonymised_at.is_some() {
        return Err(super::model::refused_anonymised());
    }
    let current_roles = store::roles_of(&txn, id).await?;
    let before = store::view(account.clone(), &current_roles);

    let taken = store::taken_fields(
        &txn,
        None,
        checked.nip.as_ref().and_then(|n| n.as_deref()),
        checked.email.as_ref().and_then(|e| e.as_deref()),
        Some(id),
    )
    .await?;
    if !taken.is_empty() {
        return Err(AppError::validation(taken));
    }

    let loses_admin = current_roles.contains(&Role::Admin)
        && account.active
        && (changes.active == Some(false)
            || checked
                .roles
                .as_ref()
                .is_some_and(|r| !r.contains(&Role::Admin)));
    if loses_admin && store::count_active_admins(&txn).await? <= 1 {
        return Err(AppError::conflict(
            Conflict::LastAdmin,
            "Ini administrator aktif terakhir; tambahkan administrator lain terlebih dahulu.",
        ));
    }

    let ends_sessions = changes.active == Some(false) || new_hash.is_some();
    let mut active = account.into_active_model();
    if let Some(name) = checked.name {
        active.name = Set(name);
    }
    if let Some(nip) = checked.nip {
        active.nip = Set(nip);
    }
    if let Some(email) = checked.email {
        active.email = Set(email);
    }
    if let Some(unit) = &changes.unit_kerja {
        active.unit_kerja = Set(optional_text(unit.as_deref()));
    }
    if let Some(jabatan) = &changes.jabatan {
        active.jabatan = Set(optional_text(jabatan.as_deref()));
    }
    if let Some(flag) = changes.active {
        active.active = Set(flag);
    }
    if let Some(hash) = &new_hash {
        active.password_hash = Set(Some(hash.clone()));
    }
    active.updated_at = Set(clock::now());
    let account = store::update(&txn, active).await?;
    let roles = match checked.roles {
        Some(roles) => {
            super::sessions::forget_user(id);
            store::set_roles(&txn, id, &roles).await?;
            roles
        }
        None => current_roles,
    };
    if ends_sessions {
        sessions::revoke_all(&txn, id).await?;
    }
    let after = store::view(account, &roles);
    audit::record(
        &txn,
        audit::Entry {
            actor,
            action: if new_hash.is_some() {
                "user.password_set"
            } else {
                "user.updated"
            },
            object_type: "user",
            object_id: id,
            old: Some(audit_view(&before)),
            new: Some(audit_view(&after)),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    // Again after the commit: a request in between may have remembered the old state.
    sessions::forget_user(id);
    Ok(after)
}

/// What the audit log keeps of an account: its details and standing.
pub fn audit_view(user: &UserView) -> serde_json::Value {
    serde_json::json!({
        "username": user.username,
        "nip": user.nip,
        "name": user.name,
        "email": user.email,
        "unit_kerja": user.unit_kerja,
        "jabatan": user.jabatan,
        "roles": user.roles,
        "active": user.active,
        "has_password": user.has_password,
    })
}

pub async fn logout(db: &Db, user: &CurrentUser) -> AppResult<()> {
    sessions::revoke(db, user.session_id).await
}

/// The account signing in as `username`, if any.
pub async fn find_by_username(
    db: &Db,
    username: &str,
) -> AppResult<Option<crate::entities::user::Model>> {
    store::find_by_username(db.read(), username).await
}

/// Whether any account exists: a database without one was never served.
pub async fn any_account(db: &Db) -> AppResult<bool> {
    Ok(store::count_all(db.read()).await? > 0)
}

/// On an empty database, creates `admin` with `password`, or with a random
/// password that is returned so the caller can show it once.
pub async fn ensure_first_admin(db: &Db, password: Option<&str>) -> AppResult<Option<String>> {
    if store::count_all(db.read()).await? > 0 {
        return Ok(None);
    }
    let generated = password.is_none();
    let password = match password {
        Some(p) => p.to_owned(),
        None => random_password(),
    };
    // The operator's choice at installation (or a random one) is exempt
    // from the policy people are held to; only its length is checked.
    check_password(&password).map_err(|m| AppError::invalid_field("BIMTEK_ADMIN_PASSWORD", m))?;
    let input = UserInput {
        username: Some("admin".into()),
        name: Some("Administrator BKD".into()),
        roles: vec![Role::Admin],
        ..UserInput::default()
    };
    let created = match input.validate(clock::today_wib()) {
        Ok(new) => {
            let hash = password::hash(password.clone()).await?;
            insert_user(db, &new, Some(hash)).await
        }
        Err(errors) => Err(AppError::validation(errors)),
    };
    match created {
        Ok(_) if generated => Ok(Some(password)),
        Ok(_) => Ok(None),
        // Another instance starting at the same moment created it first.
        Err(AppError::Validation { .. }) if store::count_all(db.read()).await? > 0 => Ok(None),
        Err(err) => Err(err),
    }
}

/// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..16)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}
