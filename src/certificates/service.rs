//! Issuing certificates (idempotent, gap-free numbers, signed content)
//! and reading them. Who is eligible is `eligibility.rs`; revoking,
//! reissuing and replacing are `standing.rs`.

use poem_openapi::Object;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::eligibility::{Candidate, candidates};
use super::keys;
use super::model::{
    CertificateKind, Content, Standing, credited_jp, expiry, format_number, verification_code,
};
use super::settings::{Settings, settings};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::audit;
use crate::clock;
use crate::config::Config;
use crate::db::Db;
use crate::engine::Engine;
use crate::entities::{batch, certificate, course};
use crate::error::{AppError, AppResult, FieldError};
use crate::notices::model::MessageKind;
use crate::notices::service::{Notice, Recipient};
use crate::notices::templates::CertificateFacts;

#[derive(Debug, Clone, Serialize, Object)]
pub struct CertificateView {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub user_id: Uuid,
    pub content: Content,
    pub signature: String,
    pub kid: String,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
    pub revoke_reason: Option<String>,
    pub replaces_id: Option<Uuid>,
    pub verify_url: String,
    pub pdf_url: String,
}

pub fn view(config: &Config, row: &certificate::Model) -> AppResult<CertificateView> {
    let content: Content = serde_json::from_str(&row.content)
        .map_err(|e| AppError::internal(format!("certificate {} unreadable: {e}", row.id)))?;
    // What is shown is what was signed, not the column beside it.
    let issued_at = content.issued_at().unwrap_or(row.issued_at);
    Ok(CertificateView {
        id: row.id,
        batch_id: row.batch_id,
        user_id: row.user_id,
        verify_url: verify_url(config, &row.verification_code),
        pdf_url: format!("{}/api/v1/certificates/{}/pdf", base(config), row.id),
        content,
        signature: row.signature.clone(),
        kid: row.kid.clone(),
        issued_at,
        revoked_at: row.revoked_at,
        revoke_reason: row.revoke_reason.clone(),
        replaces_id: row.replaces_id,
    })
}

fn base(config: &Config) -> &str {
    config.base_url.trim_end_matches('/')
}

pub fn verify_url(config: &Config, code: &str) -> String {
    format!("{}/verify/{code}", base(config))
}

pub(super) struct Draft {
    pub(super) batch: batch::Model,
    pub(super) course: course::Model,
    pub(super) jp: i32,
    pub(super) settings: Settings,
}

pub(super) async fn draft(engine: &Engine, batch_id: Uuid) -> AppResult<Draft> {
    let batch = crate::schedule::lookup::find_batch(engine.db.read(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let course = crate::catalog::lookup::find_course(engine.db.read(), batch.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let jp = crate::catalog::lookup::modules_of(engine.db.read(), course.id)
        .await?
        .iter()
        .filter_map(|m| m.jp)
        .sum();
    let settings = settings(engine, course.id).await?;
    Ok(Draft {
        batch,
        course,
        jp,
        settings,
    })
}

/// What is signed for `user_id`, numbered later inside the transaction.
#[allow(clippy::too_many_arguments)]
pub(super) fn content_for(
    config: &Config,
    d: &Draft,
    user: &crate::entities::user::Model,
    candidate: &Candidate,
    issued_at: OffsetDateTime,
    code: String,
    replaces: Option<String>,
) -> Content {
    let kind = candidate.row.kind.unwrap_or(CertificateKind::Keterangan);
    let units = candidate.units.clone();
    Content {
        number: String::new(),
        kind,
        holder_name: user.name.clone(),
        nip: user.nip.clone(),
        unit_kerja: user.unit_kerja.clone(),
        course_code: d.course.code.clone(),
        course_title: d.course.title.clone(),
        batch_name: d.batch.name.clone(),
        starts_on: crate::clock::format_date_id(d.batch.starts_on),
        ends_on: crate::clock::format_date_id(d.batch.ends_on),
        jp: credited_jp(
            kind,
            d.jp,
            d.settings.letter_jp,
            candidate.present,
            candidate.sessions,
        ),
        units: if kind == CertificateKind::Kelulusan {
            units
        } else {
            Vec::new()
        },
        issuer: config.issuer.clone(),
        letterhead: config.letterhead_lines(),
        signatory_name: config.signatory_name.clone(),
        signatory_position: config.signatory_position.clone(),
        signatory_nip: Some(config.signatory_nip.trim().to_owned()).filter(|n| !n.is_empty()),
        signatory_rank: Some(config.signatory_rank.trim().to_owned()).filter(|r| !r.is_empty()),
        issued_at: issued_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        expires_on: expiry(issued_at, d.settings.expiry_months).map(|e| e.to_string()),
        verification_code: code,
        replaces,
        standing_signed: true,
    }
}

/// Numbers, signs and stores one certificate in `txn`, unless the trainee
/// already holds one for the batch (then that one is returned).
pub(super) async fn write_one(
    txn: &sea_orm::DatabaseTransaction,
    key: &keys::ActiveKey,
    pattern: &str,
    mut content: Content,
    ids: (Uuid, Uuid, Uuid),
    issued_at: OffsetDateTime,
    replaces_id: Option<Uuid>,
) -> AppResult<certificate::Model> {
    let (batch_id, user_id, course_id) = ids;
    if let Some(existing) = store::standing(txn, batch_id, user_id).await? {
        return Ok(existing);
    }
    let date = issued_at.to_offset(crate::clock::WIB).date();
    let seq = store::next_seq(txn, pattern, date.year()).await?;
    content.number =
        format_number(pattern, seq, &content.course_code, date).map_err(AppError::internal)?;
    let bytes = content.canonical_bytes();
    let standing = Standing {
        number: &content.number,
        verification_code: &content.verification_code,
        revoked_at: None,
        revoke_reason: None,
    };
    let row = certificate::Model {
        id: Uuid::now_v7(),
        batch_id,
        user_id,
        course_id,
        kind: content.kind,
        number: content.number.clone(),
        verification_code: content.verification_code.clone(),
        content: String::from_utf8(bytes.clone()).map_err(|e| AppError::internal(e.to_string()))?,
        signature: key.sign(&bytes),
        kid: key.kid.clone(),
        issued_at,
        revoked_at: None,
        revoke_reason: None,
        replaces_id,
        standing_signature: Some(key.sign(&standing.canonical_bytes())),
        standing_kid: Some(key.kid.clone()),
    };
    store::insert(txn, row.clone()).await?;
    Ok(row)
}

/// Names a notice spells out per group; the batch's table lists everyone,
/// and a notice travels in the address bar.
const NAMES_IN_NOTICE: usize = 8;

fn count(n: usize) -> String {
    crate::numbers::grouped(n as u64)
}

/// The first few of `list`, then how many more.
fn named(list: &[String], separator: &str) -> String {
    let shown = list[..list.len().min(NAMES_IN_NOTICE)].join(separator);
    match list.len().saturating_sub(NAMES_IN_NOTICE) {
        0 => shown,
        more => format!(
            "{shown}, dan {} lainnya",
            crate::numbers::grouped(more as u64)
        ),
    }
}

/// What one "issue" did, so that a notice can count exactly.
pub struct IssueOutcome {
    /// The certificate standing for each chosen trainee, new or earlier.
    pub certificates: Vec<CertificateView>,
    /// Names of those issued just now.
    pub issued: Vec<String>,
    /// Names of those who already held one (of the kind they now earn).
    pub already: Vec<String>,
    /// Names of those who hold a kind they no longer earn: to reissue.
    pub changed: Vec<String>,
    /// Trainees of the batch not eligible, each with why.
    pub not_eligible: Vec<(String, Vec<String>)>,
}

impl IssueOutcome {
    /// One sentence per group, each with its count and names.
    pub fn notice(&self) -> String {
        let names = |list: &[String]| named(list, ", ");
        let mut parts = vec![format!("{} sertifikat terbit", count(self.issued.len()))];
        if !self.issued.is_empty() {
            parts[0].push_str(&format!(" ({})", names(&self.issued)));
        }
        if !self.already.is_empty() {
            parts.push(format!(
                "{} sudah terbit sebelumnya ({})",
                count(self.already.len()),
                names(&self.already)
            ));
        }
        if !self.changed.is_empty() {
            parts.push(format!(
                "{} memegang jenis yang kini berbeda, terbitkan ulang ({})",
                count(self.changed.len()),
                names(&self.changed)
            ));
        }
        if !self.not_eligible.is_empty() {
            let who: Vec<String> = self
                .not_eligible
                .iter()
                .map(|(name, why)| format!("{name}: {}", why.join("; ")))
                .collect();
            parts.push(format!(
                "{} belum memenuhi syarat ({})",
                count(self.not_eligible.len()),
                named(&who, " · ")
            ));
        }
        format!("{}.", parts.join("; "))
    }
}

/// Issues certificates for every eligible trainee of the batch (or only
/// `only`, each of whom must be eligible). Issuing again returns the same
/// certificates.
pub async fn issue(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    batch_id: Uuid,
    only: Option<Vec<Uuid>>,
) -> AppResult<IssueOutcome> {
    admin.require(Role::Admin)?;
    let all = candidates(engine, batch_id).await?;
    let chosen: Vec<&Candidate> = match &only {
        Some(ids) => {
            let mut errors = Vec::new();
            let mut picked = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                match all.iter().find(|c| c.row.user_id == *id) {
                    Some(c) if c.row.eligible => picked.push(c),
                    Some(c) => errors.push(FieldError::new(
                        format!("user_ids[{i}]"),
                        format!(
                            "{} belum memenuhi syarat: {}",
                            c.row.name,
                            c.row.reasons.join("; ")
                        ),
                    )),
                    None => errors.push(FieldError::new(
                        format!("user_ids[{i}]"),
                        "bukan peserta angkatan ini",
                    )),
                }
            }
            if !errors.is_empty() {
                return Err(AppError::validation(errors));
            }
            picked
        }
        None => all.iter().filter(|c| c.row.eligible).collect(),
    };
    let d = draft(engine, batch_id).await?;
    let key = keys::active(&engine.db).await?;
    let ids: Vec<Uuid> = chosen.iter().map(|c| c.row.user_id).collect();
    let users = crate::accounts::lookup::users_by_id(engine.db.read(), &ids).await?;
    let issued_at = clock::now();
    let mut contents = Vec::new();
    for c in &chosen {
        let Some(user) = users.get(&c.row.user_id) else {
            continue;
        };
        let code = verification_code(&mut rand::rng());
        contents.push((
            c.row.user_id,
            content_for(config, &d, user, c, issued_at, code, None),
        ));
    }
    let pattern = d.settings.number_pattern.clone();
    let (course_id, actor) = (d.course.id, admin.id);
    let recipients: std::collections::HashMap<Uuid, Recipient> = users
        .values()
        .map(|u| {
            (
                u.id,
                Recipient {
                    user_id: u.id,
                    name: u.name.clone(),
                    email: u.email.clone(),
                },
            )
        })
        .collect();
    let recipients = std::sync::Arc::new(recipients);
    let key = std::sync::Arc::new(key);
    let mut last_error = None;
    // A clash with another instance issuing the same batch rolls the whole
    // transaction back; the retry then finds their certificates.
    for _ in 0..3 {
        let contents = contents.clone();
        let pattern = pattern.clone();
        let key = key.clone();
        let recipients = recipients.clone();
        let outcome = engine
            .writer
            .run(move |txn| {
                Box::pin(async move {
                    let mut rows = Vec::new();
                    let mut letters = Vec::new();
                    for (user_id, content) in contents {
                        let before = store::standing(txn, batch_id, user_id).await?;
                        let row = write_one(
                            txn,
                            &key,
                            &pattern,
                            content,
                            (batch_id, user_id, course_id),
                            issued_at,
                            None,
                        )
                        .await?;
                        let new = before.is_none();
                        if new {
                            audit::record(
                                txn,
                                audit::Entry {
                                    actor: Some(actor),
                                    action: "certificate.issue",
                                    object_type: "certificate",
                                    object_id: row.id,
                                    old: None,
                                    new: Some(json!({ "number": row.number, "kind": row.kind })),
                                    reason: None,
                                },
                            )
                            .await?;
                            letters.extend(
                                recipients
                                    .get(&user_id)
                                    .map(|to| issued_letter(&row, to.clone())),
                            );
                        }
                        rows.push((row, new));
                    }
                    crate::notices::service::enqueue(txn, letters).await?;
                    Ok(rows)
                })
            })
            .await;
        match outcome {
            Ok(rows) => return outcome_of(config, &all, &rows),
            Err(AppError::Db(e)) => last_error = Some(AppError::Db(e)),
            Err(other) => return Err(other),
        }
    }
    Err(last_error.unwrap_or_else(|| AppError::internal("issue failed")))
}

/// "Your certificate is out", queued with the certificate.
fn issued_letter(row: &certificate::Model, to: Recipient) -> Notice {
    let content: Option<Content> = serde_json::from_str(&row.content).ok();
    let facts = CertificateFacts {
        nama: to.name.clone(),
        kursus: content
            .as_ref()
            .map(|c| c.course_title.clone())
            .unwrap_or_default(),
        jenis: content
            .as_ref()
            .map(|c| c.kind.title().to_owned())
            .unwrap_or_default(),
        nomor: row.number.clone(),
        penerbit: content.map(|c| c.issuer).unwrap_or_default(),
        tautan: crate::links::absolute("/my/certificates"),
        tautan_verifikasi: crate::links::absolute(&format!("/verify/{}", row.verification_code)),
    };
    Notice {
        kind: MessageKind::Certificate,
        batch_id: Some(row.batch_id),
        to,
        facts: serde_json::to_value(facts).unwrap_or_default(),
        calendar: None,
        send_at: None,
        expires_at: None,
    }
}

fn outcome_of(
    config: &Config,
    all: &[Candidate],
    rows: &[(certificate::Model, bool)],
) -> AppResult<IssueOutcome> {
    let name_of = |user_id: Uuid| {
        all.iter()
            .find(|c| c.row.user_id == user_id)
            .map(|c| c.row.name.clone())
            .unwrap_or_default()
    };
    let mut outcome = IssueOutcome {
        certificates: Vec::new(),
        issued: Vec::new(),
        already: Vec::new(),
        changed: Vec::new(),
        not_eligible: all
            .iter()
            .filter(|c| !c.row.eligible)
            .map(|c| (c.row.name.clone(), c.row.reasons.clone()))
            .collect(),
    };
    for (row, new) in rows {
        let name = name_of(row.user_id);
        let earned = all
            .iter()
            .find(|c| c.row.user_id == row.user_id)
            .and_then(|c| c.row.kind);
        if *new {
            outcome.issued.push(name);
        } else if earned.is_some_and(|k| k != row.kind) {
            outcome.changed.push(name);
        } else {
            outcome.already.push(name);
        }
        outcome.certificates.push(view(config, row)?);
    }
    Ok(outcome)
}

/// A certificate for its holder or an administrator (anyone else: 404).
pub async fn get(
    engine: &Engine,
    config: &Config,
    user: &CurrentUser,
    id: Uuid,
) -> AppResult<CertificateView> {
    let row = store::get(engine.db.read(), id)
        .await?
        .filter(|c| c.user_id == user.id || user.has(Role::Admin))
        .ok_or(AppError::NotFound)?;
    view(config, &row)
}

/// A certificate an administrator revokes, replaces or reissues.
pub async fn to_manage(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    id: Uuid,
) -> AppResult<CertificateView> {
    admin.require(Role::Admin)?;
    get(engine, config, admin, id).await
}

/// The batch's certificates, revoked ones included (administrators).
pub async fn in_batch(
    db: &Db,
    config: &Config,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<Vec<CertificateView>> {
    admin.require(Role::Admin)?;
    of_batch(db, config, batch_id).await
}

pub async fn of_batch(db: &Db, config: &Config, batch_id: Uuid) -> AppResult<Vec<CertificateView>> {
    store::of_batch(db.read(), batch_id)
        .await?
        .iter()
        .map(|r| view(config, r))
        .collect()
}

pub async fn mine(
    engine: &Engine,
    config: &Config,
    user: &CurrentUser,
) -> AppResult<Vec<CertificateView>> {
    store::of_user(engine.db.read(), user.id)
        .await?
        .iter()
        .map(|r| view(config, r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::IssueOutcome;

    #[test]
    fn the_notice_counts_each_group_with_names() {
        let outcome = IssueOutcome {
            certificates: Vec::new(),
            issued: vec!["Ani".into()],
            already: vec!["Budi".into(), "Citra".into()],
            changed: Vec::new(),
            not_eligible: vec![("Dedi".into(), vec!["kehadiran 50%".into()])],
        };
        assert_eq!(
            outcome.notice(),
            "1 sertifikat terbit (Ani); 2 sudah terbit sebelumnya (Budi, Citra); 1 belum memenuhi syarat (Dedi: kehadiran 50%)."
        );
    }

    #[test]
    fn a_big_batch_names_a_few_and_counts_the_rest() {
        let outcome = IssueOutcome {
            certificates: Vec::new(),
            issued: (1..=1200).map(|i| format!("Peserta {i}")).collect(),
            already: Vec::new(),
            changed: Vec::new(),
            not_eligible: Vec::new(),
        };
        let notice = outcome.notice();
        assert!(
            notice.starts_with("1.200 sertifikat terbit (Peserta 1, "),
            "{notice}"
        );
        assert!(
            notice.ends_with("Peserta 8, dan 1.192 lainnya)."),
            "{notice}"
        );
        assert!(notice.len() < 300);
    }
}
