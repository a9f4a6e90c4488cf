//! How an account gets and changes its password: activation codes issued
//! by an administrator, the first sign-in that uses one, a change by the
//! signed-in person, and an administrator's reset. Every step is audited.

use std::collections::BTreeSet;

use sea_orm::ActiveValue::Set;
use sea_orm::IntoActiveModel;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::codes::{self, Purpose};
use super::model::{CurrentUser, UserView};
use super::policy::{self, Identity};
use super::service::SignedIn;
use super::{password, sessions, store, throttle, token_store};
use crate::conflict::Conflict;
use crate::db::Db;
use crate::entities::user;
use crate::error::{AppError, AppResult, FieldError};
use crate::{audit, clock};

/// Most accounts one sheet of slips may cover (a whole OPD fits).
pub const MAX_CODES_AT_ONCE: usize = 2000;

/// A code handed to an administrator once, to print or to pass on.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    pub user: UserView,
    pub code: String,
    pub expires_at: OffsetDateTime,
}

fn identity(account: &user::Model) -> Identity<'_> {
    Identity {
        nip: account.nip.as_deref(),
        username: &account.username,
        name: &account.name,
    }
}

/// The policy's verdict as a 422 on `field`.
pub(super) fn check_policy(
    new_password: &str,
    account: &user::Model,
    field: &str,
) -> AppResult<()> {
    policy::check(new_password, &identity(account))
        .map_err(|msg| AppError::invalid_field(field, msg))
}

/// Issues a fresh activation code to each of `user_ids` that is active and,
/// unless `include_with_password`, has no password yet; any earlier code of
/// theirs stops working. Unknown ids answer 404. Ordered by name.
pub async fn issue_activation_codes(
    db: &Db,
    actor: Uuid,
    user_ids: &[Uuid],
    include_with_password: bool,
) -> AppResult<Vec<IssuedCode>> {
    let wanted: BTreeSet<Uuid> = user_ids.iter().copied().collect();
    if wanted.len() > MAX_CODES_AT_ONCE {
        return Err(AppError::invalid_field(
            "user_ids",
            format!(
                "paling banyak {} pengguna sekaligus; pilih sebagian, misalnya per angkatan",
                crate::numbers::grouped(MAX_CODES_AT_ONCE as u64)
            ),
        ));
    }
    let ids: Vec<Uuid> = wanted.into_iter().collect();
    let now = clock::now();
    let expires_at = now + codes::ACTIVATION_TTL;
    let txn = db.begin_write().await?;
    let accounts = store::get_many(&txn, &ids).await?;
    if accounts.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    let mut roles = store::roles_of_many(&txn, &ids).await?;
    let mut issued = Vec::new();
    for account in accounts {
        if !account.active || (account.password_hash.is_some() && !include_with_password) {
            continue;
        }
        let code = codes::new_activation_code();
        token_store::replace(
            &txn,
            account.id,
            Purpose::Activation,
            codes::digest(&code),
            now,
            expires_at,
            Some(actor),
        )
        .await?;
        audit::record(
            &txn,
            audit::Entry {
                actor: Some(actor),
                action: "user.activation_code_issued",
                object_type: "user",
                object_id: account.id,
                old: None,
                new: Some(serde_json::json!({ "expires_at": expires_at.to_string() })),
                reason: None,
            },
        )
        .await?;
        let account_roles = roles.remove(&account.id).unwrap_or_default();
        issued.push(IssuedCode {
            user: store::view(account, &account_roles),
            code,
            expires_at,
        });
    }
    txn.commit().await?;
    issued.sort_by(|a, b| {
        a.user
            .name
            .cmp(&b.user.name)
            .then(a.user.id.cmp(&b.user.id))
    });
    Ok(issued)
}

/// An administrator's reset: the password is cleared, every session ends
/// and a new activation code is issued (returned once, to hand over).
pub async fn reset_account(db: &Db, actor: &CurrentUser, user_id: Uuid) -> AppResult<IssuedCode> {
    super::service::may_manage(actor)?;
    if actor.id == user_id {
        return Err(AppError::conflict(
            Conflict::OwnAccount,
            "Akun Anda sendiri tidak dapat diatur ulang di sini; gunakan halaman Ubah kata sandi.",
        ));
    }
    let now = clock::now();
    let txn = db.begin_write().await?;
    let account = store::get(&txn, user_id).await?.ok_or(AppError::NotFound)?;
    if !account.active {
        return Err(AppError::conflict(
            Conflict::Inactive,
            "Akun ini nonaktif; aktifkan kembali sebelum mengatur ulang.",
        ));
    }
    let had_password = account.password_hash.is_some();
    let mut active = account.into_active_model();
    active.password_hash = Set(None);
    active.updated_at = Set(now);
    let account = store::update(&txn, active).await?;
    sessions::revoke_all(&txn, user_id).await?;
    token_store::drop_all(&txn, user_id, Some(Purpose::PasswordReset)).await?;
    let code = codes::new_activation_code();
    let expires_at = now + codes::ACTIVATION_TTL;
    token_store::replace(
        &txn,
        user_id,
        Purpose::Activation,
        codes::digest(&code),
        now,
        expires_at,
        Some(actor.id),
    )
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: Some(actor.id),
            action: "user.reset",
            object_type: "user",
            object_id: user_id,
            old: Some(serde_json::json!({ "has_password": had_password })),
            new: Some(serde_json::json!({ "has_password": false, "sessions": "revoked" })),
            reason: None,
        },
    )
    .await?;
    let roles = store::roles_of(&txn, user_id).await?;
    txn.commit().await?;
    sessions::forget_user(user_id);
    Ok(IssuedCode {
        user: store::view(account, &roles),
        code,
        expires_at,
    })
}

/// Uses up a single-use token and sets its account's password, in one
/// transaction left open for the caller to add to and commit. A token used
/// meanwhile, or an account deactivated meanwhile, is `refused` (the
/// rollback keeps the token for a reactivated account).
pub(super) async fn redeem_for_password(
    db: &Db,
    token_id: Uuid,
    account_id: Uuid,
    hash: String,
    action: &str,
    refused: fn() -> AppError,
) -> AppResult<(sea_orm::DatabaseTransaction, user::Model)> {
    let txn = db.begin_write().await?;
    if !token_store::consume(&txn, token_id).await? {
        return Err(refused());
    }
    let account = store::get_for_update(&txn, account_id)
        .await?
        .filter(|account| account.active)
        .ok_or_else(refused)?;
    let account = store_password(&txn, account, hash, action, None).await?;
    Ok((txn, account))
}

/// Sets `hash` as the account's password, ends its sessions (all of them,
/// or all but `keep`), and records why.
pub(super) async fn store_password(
    txn: &sea_orm::DatabaseTransaction,
    account: user::Model,
    hash: String,
    action: &str,
    keep: Option<Uuid>,
) -> AppResult<user::Model> {
    let id = account.id;
    let mut active = account.into_active_model();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(clock::now());
    let account = store::update(txn, active).await?;
    sessions::revoke_all_but(txn, id, keep).await?;
    audit::record(
        txn,
        audit::Entry {
            actor: Some(id),
            action,
            object_type: "user",
            object_id: id,
            old: None,
            new: None,
            reason: None,
        },
    )
    .await?;
    Ok(account)
}

/// The first sign-in: `code` (from a slip) and `login` prove who it is;
/// `new_password` becomes the password and a session opens. Tries pass the
/// sign-in throttle, so codes cannot be guessed; every failure looks alike.
pub async fn activate(
    db: &Db,
    login: &str,
    code: &str,
    new_password: String,
    address: Option<&str>,
    session_ttl: Duration,
) -> AppResult<SignedIn> {
    let now = clock::now();
    let account = store::find_by_login(db.read(), login).await?;
    let guard =
        throttle::Guard::enter(db, account.as_ref().map(|a| a.id), login, address, now).await?;
    let digest = codes::digest(&codes::normalise_code(code));
    let token = token_store::find(db.read(), Purpose::Activation, &digest).await?;
    let valid = match (&account, &token) {
        (Some(account), Some(token)) => {
            account.active
                && token.user_id == account.id
                && codes::is_current(token.expires_at, now)
        }
        _ => false,
    };
    let (Some(account), Some(token), true) = (account, token, valid) else {
        guard.failed(db, now).await?;
        return Err(AppError::InvalidActivationCode);
    };
    guard.succeeded(db.write()).await?;
    // A weak password keeps the code: the person tries another one.
    check_policy(&new_password, &account, "new_password")?;
    let hash = password::hash(new_password).await?;

    let (txn, account) =
        redeem_for_password(db, token.id, account.id, hash, "user.activated", || {
            AppError::InvalidActivationCode
        })
        .await?;
    let roles = store::roles_of(&txn, account.id).await?;
    let session = sessions::create(&txn, account.id, session_ttl).await?;
    super::retention::record_sign_in(&txn, account.id, address).await;
    txn.commit().await?;
    sessions::forget_user(account.id);
    Ok(SignedIn {
        session,
        user: store::view(account, &roles),
    })
}

/// The signed-in person changes their own password: the current one
/// (throttled like a sign-in), then the policy. Their other sessions end.
pub async fn change_password(
    db: &Db,
    user: &CurrentUser,
    current: String,
    new_password: String,
    address: Option<&str>,
) -> AppResult<()> {
    let now = clock::now();
    let account = store::get(db.read(), user.id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let guard =
        throttle::Guard::enter(db, Some(account.id), &account.username, address, now).await?;
    if !password::verify(current, account.password_hash.clone()).await? {
        guard.failed(db, now).await?;
        return Err(AppError::validation(vec![FieldError::new(
            "current_password",
            "kata sandi saat ini salah",
        )]));
    }
    guard.succeeded(db.write()).await?;
    check_policy(&new_password, &account, "new_password")?;
    let hash = password::hash(new_password).await?;
    let txn = db.begin_write().await?;
    store_password(
        &txn,
        account,
        hash,
        "user.password_changed",
        Some(user.session_id),
    )
    .await?;
    txn.commit().await?;
    // Again after the commit: a request in between may have cached one of
    // the revoked sessions.
    sessions::forget_user(user.id);
    Ok(())
}
