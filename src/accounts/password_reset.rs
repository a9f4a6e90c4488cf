//! "Lupa kata sandi": a link e-mailed to the address on the account, valid
//! for 30 minutes and good once. Asking answers alike whether or not the
//! account exists, so the form tells a stranger nothing.

use time::{Duration, OffsetDateTime};

use super::codes::{self, Purpose};
use super::credentials::{check_policy, redeem_for_password};
use super::{password, sessions, store, token_store};
use crate::conflict::Conflict;
use crate::db::Db;
use crate::entities::user;
use crate::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::mail::{Letter, Mailer};
use crate::{audit, clock};

/// One mail per account per this long, however often the form is sent:
/// the form cannot be used to flood someone's mailbox.
pub const RESEND_AFTER: Duration = Duration::minutes(2);

/// What a request did (for the log; the person sees the same either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Mailed,
    NoSuchAccount,
    NoAddress,
    TooSoon,
}

/// The link a reset mail carries.
pub fn reset_link(base_url: &str, token: &str) -> String {
    format!(
        "{}/password-reset/confirm?token={token}",
        base_url.trim_end_matches('/')
    )
}

/// The mail for `account`: short lines of plain ASCII, so the link
/// arrives whole in any mail program.
pub fn reset_letter(name: &str, address: &str, link: &str) -> Letter {
    let minutes = codes::RESET_TTL.whole_minutes();
    Letter {
        to_name: name.to_owned(),
        to_address: address.to_owned(),
        subject: "Atur ulang kata sandi Bimtek".into(),
        body: format!(
            "Yth. {name},\r\n\r\n\
             Kami menerima permintaan untuk mengatur ulang kata sandi akun\r\n\
             Bimtek Anda. Buka tautan berikut untuk membuat kata sandi baru:\r\n\r\n\
             {link}\r\n\r\n\
             Tautan ini berlaku {minutes} menit dan hanya dapat dipakai sekali.\r\n\
             Jika Anda tidak meminta ini, abaikan e-mail ini; kata sandi Anda\r\n\
             tidak berubah.\r\n\r\n\
             BKD - Bimtek\r\n"
        ),
        message_id: None,
        calendar: None,
    }
}

/// Whether `account` may be sent a link now.
fn recipient(account: Option<user::Model>) -> Result<(user::Model, String), Outcome> {
    let account = account.filter(|a| a.active).ok_or(Outcome::NoSuchAccount)?;
    let address = account
        .email
        .clone()
        .filter(|e| !e.is_empty())
        .ok_or(Outcome::NoAddress)?;
    Ok((account, address))
}

/// Issues a link for the account `login` names and mails it. Any earlier
/// link of theirs stops working.
pub async fn request(db: &Db, mailer: &Mailer, base_url: &str, login: &str) -> AppResult<Outcome> {
    let now = clock::now();
    let (account, address) = match recipient(store::find_by_login(db.read(), login).await?) {
        Ok(found) => found,
        Err(outcome) => return Ok(outcome),
    };
    let token = codes::new_link_token();
    let expires_at = now + codes::RESET_TTL;
    let txn = db.begin_write().await?;
    // Under the account's lock, so requests sent together mail once.
    store::get_for_update(&txn, account.id).await?;
    let last = token_store::issued_at(&txn, account.id, Purpose::PasswordReset).await?;
    if last.is_some_and(|at| now < at + RESEND_AFTER) {
        return Ok(Outcome::TooSoon);
    }
    token_store::replace(
        &txn,
        account.id,
        Purpose::PasswordReset,
        codes::digest(&token),
        now,
        expires_at,
        None,
    )
    .await?;
    audit::record(
        &txn,
        audit::Entry {
            actor: None,
            action: "user.password_reset_requested",
            object_type: "user",
            object_id: account.id,
            old: None,
            new: Some(serde_json::json!({ "expires_at": expires_at.to_string() })),
            reason: None,
        },
    )
    .await?;
    txn.commit().await?;
    let letter = reset_letter(&account.name, &address, &reset_link(base_url, &token));
    mailer.send(letter).await.map_err(AppError::internal)?;
    Ok(Outcome::Mailed)
}

/// Starts a request in the background and returns at once: the answer
/// (and its timing) is the same whether or not a mail goes out. Without
/// SMTP the request is refused, saying whom to ask instead.
pub fn start(state: &AppState, login: String) -> AppResult<()> {
    let Some(mailer) = state.mailer.clone() else {
        return Err(unavailable());
    };
    let db = state.db.clone();
    let base_url = state.config.base_url.clone();
    tokio::spawn(async move {
        match request(&db, &mailer, &base_url, &login).await {
            Ok(outcome) => tracing::info!(?outcome, "password reset requested"),
            Err(err) => tracing::warn!(error = %err, "password reset mail not sent"),
        }
    });
    Ok(())
}

/// The refusal when no SMTP server is configured.
pub fn unavailable() -> AppError {
    AppError::conflict(
        Conflict::PasswordResetUnavailable,
        "Atur ulang kata sandi lewat e-mail belum tersedia. Hubungi admin BKD: \
         admin dapat mengatur ulang akun Anda dan memberi kode aktivasi baru.",
    )
}

/// Whether a stored link still opens the account.
fn usable(account: &user::Model, expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    account.active && codes::is_current(expires_at, now)
}

/// Sets `new_password` through the link's `token`: used up on success,
/// every session of the account ends. A weak password keeps the link.
pub async fn confirm(db: &Db, token: &str, new_password: String) -> AppResult<()> {
    let now = clock::now();
    let digest = codes::digest(token.trim());
    let stored = token_store::find(db.read(), Purpose::PasswordReset, &digest)
        .await?
        .ok_or(AppError::InvalidResetLink)?;
    let account = store::get(db.read(), stored.user_id)
        .await?
        .filter(|account| usable(account, stored.expires_at, now))
        .ok_or(AppError::InvalidResetLink)?;
    check_policy(&new_password, &account, "new_password")?;
    let hash = password::hash(new_password).await?;
    let (txn, account) = redeem_for_password(
        db,
        stored.id,
        account.id,
        hash,
        "user.password_reset",
        || AppError::InvalidResetLink,
    )
    .await?;
    txn.commit().await?;
    sessions::forget_user(account.id);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_lands_on_the_confirm_page() {
        assert_eq!(
            reset_link("https://bimtek.example.go.id/", "abc_-9"),
            "https://bimtek.example.go.id/password-reset/confirm?token=abc_-9"
        );
    }

    #[test]
    fn the_letter_is_short_lines_of_ascii_with_the_link_whole() {
        let link = reset_link(
            "https://bimtek.magelangkota.go.id",
            &codes::new_link_token(),
        );
        let letter = reset_letter("Siti Aminah, S.Kom.", "siti@example.go.id", &link);
        assert!(letter.body.is_ascii());
        assert!(letter.body.lines().any(|line| line == link));
        assert!(letter.body.contains("30 menit"));
        assert!(letter.body.lines().all(|l| l.len() <= 78 || l == link));
    }
}
