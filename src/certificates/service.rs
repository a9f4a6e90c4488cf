//! Issuing certificates: who is eligible and why not, issuing (idempotent,
//! gap-free numbers, signed content), reading, revoking, reissuing and
//! verifying them.

use poem_openapi::Object;
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::keys;
use super::model::{
    CertificateKind, Content, DEFAULT_PATTERN, Eligibility, ExamStanding, Facts, UnitLine,
    VerifyStatus, eligibility, expiry, format_number, mask_nip, normalise_code, tanggal,
    verification_code, verify_status,
};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::attempts::service::Engine;
use crate::audit;
use crate::clock;
use crate::config::Config;
use crate::entities::{batch, certificate, certificate_setting, course};
use crate::error::{AppError, AppResult, FieldError};
use crate::exams::model::UnitDecision;

/// A course's certificate settings (defaults when never set).
#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
pub struct Settings {
    /// e.g. `{seq:03}/BKD-BIMTEK/{course_code}/{month_roman}/{year}`.
    pub number_pattern: String,
    /// Give a "surat keterangan mengikuti" to those who attended but did not complete.
    pub letters: bool,
    /// Months a certificate stays valid; none: no expiry.
    pub expiry_months: Option<i32>,
}

pub async fn settings(engine: &Engine, course_id: Uuid) -> AppResult<Settings> {
    Ok(match store::settings(engine.db.read(), course_id).await? {
        Some(s) => Settings {
            number_pattern: s.number_pattern,
            letters: s.letters,
            expiry_months: s.expiry_months,
        },
        None => Settings {
            number_pattern: DEFAULT_PATTERN.into(),
            letters: true,
            expiry_months: None,
        },
    })
}

pub async fn save_settings(engine: &Engine, course_id: Uuid, s: Settings) -> AppResult<Settings> {
    crate::catalog::store::get_course(engine.db.read(), course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let sample = time::macros::date!(2026 - 01 - 01);
    if let Err(e) = format_number(&s.number_pattern, 1, "X", sample) {
        errors.push(FieldError::new("number_pattern", e));
    } else if !s.number_pattern.contains("{year}") {
        // Numbers restart every year; without the year they would repeat.
        errors.push(FieldError::new(
            "number_pattern",
            "pola nomor harus memuat {year} (urutan dimulai lagi setiap tahun)",
        ));
    }
    if s.expiry_months.is_some_and(|m| !(1..=240).contains(&m)) {
        errors.push(FieldError::new("expiry_months", "harus 1–240 bulan"));
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    store::save_settings(
        engine.db.write(),
        certificate_setting::Model {
            course_id,
            number_pattern: s.number_pattern.clone(),
            letters: s.letters,
            expiry_months: s.expiry_months,
        },
    )
    .await?;
    Ok(s)
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct PreviewRow {
    pub user_id: Uuid,
    pub name: String,
    pub nip: Option<String>,
    pub unit_kerja: Option<String>,
    pub eligible: bool,
    pub kind: Option<CertificateKind>,
    /// Every condition that fails, when not eligible (or why only a letter).
    pub reasons: Vec<String>,
    /// The certificate already issued, if any.
    pub certificate_id: Option<Uuid>,
}

/// The batch's exam standing of one trainee.
async fn exam_standing(
    engine: &Engine,
    exam: Option<&crate::exams::setup::Loaded>,
    user_id: Uuid,
) -> AppResult<(ExamStanding, Vec<UnitLine>)> {
    let Some(loaded) = exam else {
        return Ok((ExamStanding::NoExam, Vec::new()));
    };
    if loaded.row.released_at.is_none() {
        return Ok((ExamStanding::NotReleased, Vec::new()));
    }
    let Some(attempt) = crate::exams::results::own_attempt(engine, loaded, user_id).await? else {
        return Ok((ExamStanding::NotSat, Vec::new()));
    };
    let items = crate::exams::store::items_of_exam(engine.db.read(), loaded.row.id).await?;
    let decided = crate::exams::store::appeal_of(engine.db.read(), loaded.row.id, user_id)
        .await?
        .is_some_and(|a| a.status == "decided");
    let result = crate::exams::results::candidate_result(
        engine,
        loaded,
        &attempt,
        &items,
        String::new(),
        decided,
    )
    .await?;
    let lines = result
        .units
        .iter()
        .map(|u| UnitLine {
            code: u.code.clone(),
            title: u.title.clone(),
            result: u.label.clone(),
        })
        .collect();
    let failed: Vec<String> = result
        .units
        .iter()
        .filter(|u| u.decision != UnitDecision::Kompeten)
        .map(|u| u.title.clone())
        .collect();
    Ok((
        if failed.is_empty() {
            ExamStanding::Kompeten
        } else {
            ExamStanding::BelumKompeten(failed)
        },
        lines,
    ))
}

struct Candidate {
    row: PreviewRow,
    units: Vec<UnitLine>,
}

async fn candidates(engine: &Engine, batch_id: Uuid) -> AppResult<Vec<Candidate>> {
    let (_, progress) = crate::schedule::service::progress(&engine.db, batch_id).await?;
    let b = crate::schedule::store::batch(engine.db.read(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let course = crate::catalog::store::get_course(engine.db.read(), b.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let s = settings(engine, course.id).await?;
    let exam = match crate::exams::store::exams_of_batches(engine.db.read(), &[batch_id])
        .await?
        .first()
    {
        Some(row) => Some(crate::exams::setup::load(engine, row.id).await?),
        None => None,
    };
    let mut out = Vec::new();
    for p in progress {
        let (standing, units) = exam_standing(engine, exam.as_ref(), p.user_id).await?;
        let facts = Facts {
            unmet: p.unmet.clone(),
            attendance_percent: p.attendance.percent,
            min_attendance_percent: f64::from(course.min_attendance_percent),
            exam: standing,
        };
        let decision = eligibility(&facts, s.letters);
        let issued = store::standing(engine.db.read(), batch_id, p.user_id).await?;
        let (eligible, kind, reasons) = match decision {
            Eligibility::Eligible(CertificateKind::Kelulusan) => {
                (true, Some(CertificateKind::Kelulusan), Vec::new())
            }
            Eligibility::Eligible(kind) => {
                let mut why = facts.unmet.clone();
                if let ExamStanding::BelumKompeten(u) = &facts.exam {
                    why.push(format!("belum kompeten pada unit: {}", u.join(", ")));
                }
                (true, Some(kind), why)
            }
            Eligibility::NotEligible(why) => (false, None, why),
        };
        out.push(Candidate {
            row: PreviewRow {
                user_id: p.user_id,
                name: p.name,
                nip: p.nip,
                unit_kerja: p.unit_kerja,
                eligible,
                kind,
                reasons,
                certificate_id: issued.map(|c| c.id),
            },
            units,
        });
    }
    Ok(out)
}

/// Who would get what, and for the rest exactly which condition fails.
pub async fn preview(engine: &Engine, batch_id: Uuid) -> AppResult<Vec<PreviewRow>> {
    Ok(candidates(engine, batch_id)
        .await?
        .into_iter()
        .map(|c| c.row)
        .collect())
}

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
    Ok(CertificateView {
        id: row.id,
        batch_id: row.batch_id,
        user_id: row.user_id,
        verify_url: verify_url(config, &row.verification_code),
        pdf_url: format!("{}/api/v1/certificates/{}/pdf", base(config), row.id),
        content,
        signature: row.signature.clone(),
        kid: row.kid.clone(),
        issued_at: row.issued_at,
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

struct Draft {
    batch: batch::Model,
    course: course::Model,
    jp: i32,
    settings: Settings,
}

async fn draft(engine: &Engine, batch_id: Uuid) -> AppResult<Draft> {
    let batch = crate::schedule::store::batch(engine.db.read(), batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let course = crate::catalog::store::get_course(engine.db.read(), batch.course_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let jp = crate::catalog::store::modules_of(engine.db.read(), course.id)
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
fn content_for(
    config: &Config,
    d: &Draft,
    user: &crate::entities::user::Model,
    kind: CertificateKind,
    units: Vec<UnitLine>,
    issued_at: OffsetDateTime,
    code: String,
    replaces: Option<String>,
) -> Content {
    Content {
        number: String::new(),
        kind,
        holder_name: user.name.clone(),
        nip: user.nip.clone(),
        unit_kerja: user.unit_kerja.clone(),
        course_code: d.course.code.clone(),
        course_title: d.course.title.clone(),
        batch_name: d.batch.name.clone(),
        starts_on: tanggal(d.batch.starts_on),
        ends_on: tanggal(d.batch.ends_on),
        jp: d.jp,
        units: if kind == CertificateKind::Kelulusan {
            units
        } else {
            Vec::new()
        },
        issuer: config.issuer.clone(),
        signatory_name: config.signatory_name.clone(),
        signatory_position: config.signatory_position.clone(),
        issued_at: issued_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        expires_on: expiry(issued_at, d.settings.expiry_months).map(|e| e.to_string()),
        verification_code: code,
        replaces,
    }
}

/// Numbers, signs and stores one certificate in `txn`, unless the trainee
/// already holds one for the batch (then that one is returned).
async fn write_one(
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
    let row = certificate::Model {
        id: Uuid::now_v7(),
        batch_id,
        user_id,
        course_id,
        kind: content.kind.as_str().into(),
        number: content.number.clone(),
        verification_code: content.verification_code.clone(),
        content: String::from_utf8(bytes.clone()).map_err(|e| AppError::internal(e.to_string()))?,
        signature: key.sign(&bytes),
        kid: key.kid.clone(),
        issued_at,
        revoked_at: None,
        revoke_reason: None,
        replaces_id,
    };
    store::insert(txn, row.clone()).await?;
    Ok(row)
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
) -> AppResult<Vec<CertificateView>> {
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
    let users = crate::schedule::store::users(engine.db.read(), &ids).await?;
    let issued_at = clock::now();
    let mut contents = Vec::new();
    for c in &chosen {
        let Some(user) = users.get(&c.row.user_id) else {
            continue;
        };
        let code = verification_code(&mut rand::rng());
        contents.push((
            c.row.user_id,
            content_for(
                config,
                &d,
                user,
                c.row.kind.unwrap_or(CertificateKind::Keterangan),
                c.units.clone(),
                issued_at,
                code,
                None,
            ),
        ));
    }
    let pattern = d.settings.number_pattern.clone();
    let (course_id, actor) = (d.course.id, admin.id);
    let key = std::sync::Arc::new(key);
    let mut last_error = None;
    // A clash with another instance issuing the same batch rolls the whole
    // transaction back; the retry then finds their certificates.
    for _ in 0..3 {
        let contents = contents.clone();
        let pattern = pattern.clone();
        let key = key.clone();
        let outcome = engine
            .writer
            .run(move |txn| {
                Box::pin(async move {
                    let mut rows = Vec::new();
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
                        if before.is_none() {
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
                        }
                        rows.push(row);
                    }
                    Ok(rows)
                })
            })
            .await;
        match outcome {
            Ok(rows) => return rows.iter().map(|r| view(config, r)).collect(),
            Err(AppError::Db(e)) => last_error = Some(AppError::Db(e)),
            Err(other) => return Err(other),
        }
    }
    Err(last_error.unwrap_or_else(|| AppError::internal("issue failed")))
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

pub async fn of_batch(
    engine: &Engine,
    config: &Config,
    batch_id: Uuid,
) -> AppResult<Vec<CertificateView>> {
    store::of_batch(engine.db.read(), batch_id)
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

/// Revokes a certificate (admin), with a reason; audited.
pub async fn revoke(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    id: Uuid,
    reason: &str,
) -> AppResult<CertificateView> {
    let reason = reason.trim().to_owned();
    if reason.chars().count() < 5 {
        return Err(AppError::invalid_field(
            "reason",
            "tuliskan alasan pencabutan",
        ));
    }
    let actor = admin.id;
    let row = engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
                let row = store::get(txn, id).await?.ok_or(AppError::NotFound)?;
                if row.revoked_at.is_some() {
                    return Err(AppError::conflict(
                        "already_revoked",
                        "Sertifikat ini sudah dicabut.",
                    ));
                }
                let now = clock::now();
                store::set_revoked(txn, id, now, &reason).await?;
                audit::record(
                    txn,
                    audit::Entry {
                        actor: Some(actor),
                        action: "certificate.revoke",
                        object_type: "certificate",
                        object_id: id,
                        old: Some(json!({ "revoked_at": null })),
                        new: Some(json!({ "revoked_at": now.to_string() })),
                        reason: Some(&reason),
                    },
                )
                .await?;
                store::get(txn, id).await?.ok_or(AppError::NotFound)
            })
        })
        .await?;
    view(config, &row)
}

/// A new certificate replacing a revoked one (same kind, current details).
pub async fn reissue(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    id: Uuid,
) -> AppResult<CertificateView> {
    let old = store::get(engine.db.read(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if old.revoked_at.is_none() {
        return Err(AppError::conflict(
            "not_revoked",
            "Hanya sertifikat yang sudah dicabut yang dapat diterbitkan ulang.",
        ));
    }
    let old_content: Content =
        serde_json::from_str(&old.content).map_err(|e| AppError::internal(e.to_string()))?;
    let d = draft(engine, old.batch_id).await?;
    let user = crate::accounts::store::get(engine.db.read(), old.user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let issued_at = clock::now();
    let content = content_for(
        config,
        &d,
        &user,
        old_content.kind,
        old_content.units.clone(),
        issued_at,
        verification_code(&mut rand::rng()),
        Some(old.number.clone()),
    );
    let key = keys::active(&engine.db).await?;
    let pattern = d.settings.number_pattern.clone();
    let (batch_id, user_id, course_id, actor) =
        (old.batch_id, old.user_id, old.course_id, admin.id);
    let row = engine
        .writer
        .run(move |txn| {
            Box::pin(async move {
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
                        new: Some(json!({ "number": row.number })),
                        reason: None,
                    },
                )
                .await?;
                Ok(row)
            })
        })
        .await?;
    view(config, &row)
}

/// What anyone learns by checking a code: never the full NIP.
#[derive(Debug, Clone, Serialize, Object)]
pub struct Verification {
    pub status: VerifyStatus,
    /// "Sah", "Dicabut", "Kedaluwarsa", "Tidak sah", "Tidak dikenal".
    pub label: String,
    pub number: Option<String>,
    pub kind: Option<String>,
    pub holder_name: Option<String>,
    pub nip_masked: Option<String>,
    pub course_title: Option<String>,
    pub batch_name: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub jp: Option<i32>,
    pub units: Vec<UnitLine>,
    pub issuer: Option<String>,
    pub issued_on: Option<String>,
    pub expires_on: Option<String>,
    pub revoked_on: Option<String>,
    pub revoke_reason: Option<String>,
}

fn label(status: VerifyStatus) -> &'static str {
    match status {
        VerifyStatus::Valid => "Sah",
        VerifyStatus::Revoked => "Dicabut",
        VerifyStatus::Expired => "Kedaluwarsa",
        VerifyStatus::Invalid => "Tidak sah",
        VerifyStatus::Unknown => "Tidak dikenal",
    }
}

fn unknown() -> Verification {
    Verification {
        status: VerifyStatus::Unknown,
        label: label(VerifyStatus::Unknown).into(),
        number: None,
        kind: None,
        holder_name: None,
        nip_masked: None,
        course_title: None,
        batch_name: None,
        starts_on: None,
        ends_on: None,
        jp: None,
        units: Vec::new(),
        issuer: None,
        issued_on: None,
        expires_on: None,
        revoked_on: None,
        revoke_reason: None,
    }
}

/// Checks a code: the signature over the stored content is verified every
/// time, so a record altered in the database shows as invalid.
pub async fn verify(engine: &Engine, code: &str) -> AppResult<Verification> {
    let code = normalise_code(code);
    let Some(row) = store::by_code(engine.db.read(), &code).await? else {
        return Ok(unknown());
    };
    let signed = keys::verify(&engine.db, &row.kid, row.content.as_bytes(), &row.signature).await?;
    let content: Option<Content> = serde_json::from_str(&row.content).ok();
    let consistent = content
        .as_ref()
        .is_some_and(|c| c.number == row.number && c.verification_code == row.verification_code);
    let Some(content) = content.filter(|_| signed && consistent) else {
        let mut v = unknown();
        v.status = VerifyStatus::Invalid;
        v.label = label(VerifyStatus::Invalid).into();
        return Ok(v);
    };
    let expires_on_date = content.expires_on.as_deref().and_then(parse_date);
    let status = verify_status(
        true,
        row.revoked_at.is_some(),
        expires_on_date,
        clock::today_wib(),
    );
    Ok(Verification {
        status,
        label: label(status).into(),
        number: Some(content.number.clone()),
        kind: Some(content.kind.title().into()),
        holder_name: Some(content.holder_name.clone()),
        nip_masked: content.nip.as_deref().map(mask_nip),
        course_title: Some(content.course_title.clone()),
        batch_name: Some(content.batch_name.clone()),
        starts_on: Some(content.starts_on.clone()),
        ends_on: Some(content.ends_on.clone()),
        jp: Some(content.jp),
        units: content.units.clone(),
        issuer: Some(content.issuer.clone()),
        issued_on: Some(tanggal(row.issued_at.to_offset(crate::clock::WIB).date())),
        expires_on: expires_on_date.map(tanggal),
        revoked_on: row
            .revoked_at
            .map(|r| tanggal(r.to_offset(crate::clock::WIB).date())),
        revoke_reason: row.revoke_reason.clone(),
    })
}

/// An ISO date (`2028-01-31`) as stored in the content.
pub fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}
