//! Records for BKD and SIASN: riwayat kursus rows (incremental, with
//! revocations), the JP tally of a year, and anonymised open data.

use std::collections::{BTreeMap, HashMap};

use poem_openapi::Object;
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{JpRow, OpdTotal, per_opd, tally};
use crate::accounts::model::{CurrentUser, Role};
use crate::certificates::lookup as certificates;
use crate::certificates::model::{CertificateKind, Content, siasn_date};
use crate::config::Config;
use crate::engine::Engine;
use crate::entities::{batch, certificate};
use crate::error::{AppError, AppResult};

/// One riwayat kursus row, in SIASN's field names.
#[derive(Debug, Clone, Serialize, Object)]
#[serde(rename_all = "camelCase")]
#[oai(rename_all = "camelCase")]
pub struct SiasnRow {
    pub nip: String,
    pub nama: String,
    /// 8 = Bimbingan Teknis.
    pub jenis_diklat_id: String,
    pub jenis_kursus: String,
    pub nama_kursus: String,
    pub institusi_penyelenggara: String,
    pub nomor_sertipikat: String,
    /// dd-mm-yyyy.
    pub tanggal_kursus: String,
    pub tanggal_selesai_kursus: String,
    pub tahun_kursus: i32,
    pub jumlah_jam: i32,
    pub pdf_url: String,
}

#[derive(Debug, Clone, Serialize, Object)]
#[serde(rename_all = "camelCase")]
#[oai(rename_all = "camelCase")]
pub struct SiasnRevocation {
    pub nip: String,
    pub nomor_sertipikat: String,
    /// dd-mm-yyyy.
    pub tanggal_dicabut: String,
    pub alasan: String,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct SiasnExport {
    pub rows: Vec<SiasnRow>,
    pub revoked: Vec<SiasnRevocation>,
    /// Pass this as `since` next time to get only what is new.
    #[serde(with = "time::serde::rfc3339")]
    pub until: OffsetDateTime,
}

/// How far behind "now" an export ends by default.
pub const SETTLE: time::Duration = time::Duration::seconds(2);

pub const SIASN_HEADERS: [&str; 12] = [
    "nip",
    "nama",
    "jenisDiklatId",
    "jenisKursus",
    "namaKursus",
    "institusiPenyelenggara",
    "nomorSertipikat",
    "tanggalKursus",
    "tanggalSelesaiKursus",
    "tahunKursus",
    "jumlahJam",
    "pdfUrl",
];

impl SiasnRow {
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.nip.clone(),
            self.nama.clone(),
            self.jenis_diklat_id.clone(),
            self.jenis_kursus.clone(),
            self.nama_kursus.clone(),
            self.institusi_penyelenggara.clone(),
            self.nomor_sertipikat.clone(),
            self.tanggal_kursus.clone(),
            self.tanggal_selesai_kursus.clone(),
            self.tahun_kursus.to_string(),
            self.jumlah_jam.to_string(),
            self.pdf_url.clone(),
        ]
    }
}

fn content(row: &certificate::Model) -> AppResult<Content> {
    serde_json::from_str(&row.content)
        .map_err(|e| AppError::internal(format!("certificate {} unreadable: {e}", row.id)))
}

async fn batches(engine: &Engine, ids: &[Uuid]) -> AppResult<HashMap<Uuid, batch::Model>> {
    let mut out = HashMap::new();
    for id in ids {
        if !out.contains_key(id)
            && let Some(b) = crate::schedule::lookup::find_batch(engine.db.read(), *id).await?
        {
            out.insert(*id, b);
        }
    }
    Ok(out)
}

/// Certificates issued in `[since, until)` that still stand, and those
/// revoked in that time.
pub async fn siasn(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    since: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
) -> AppResult<SiasnExport> {
    admin.require(Role::Admin)?;
    siasn_unattended(engine, config, since, until).await
}

/// The same export with the machine's authority, for the operator's
/// `records export` command (run by cron, nobody signed in).
pub async fn siasn_unattended(
    engine: &Engine,
    config: &Config,
    since: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
) -> AppResult<SiasnExport> {
    // A moment back: a certificate stamped just now may not have committed
    // yet, and the next pull starts at this `until`.
    let until = until.unwrap_or_else(|| crate::clock::now() - SETTLE);
    let issued = certificates::issued_between(engine.db.read(), since, Some(until)).await?;
    let ids: Vec<Uuid> = issued.iter().map(|c| c.batch_id).collect();
    let batches = batches(engine, &ids).await?;
    let base = config.base_url.trim_end_matches('/');
    let mut rows = Vec::new();
    for c in issued.iter().filter(|c| c.revoked_at.is_none()) {
        let content = content(c)?;
        let Some(b) = batches.get(&c.batch_id) else {
            continue;
        };
        rows.push(SiasnRow {
            nip: content.nip.clone().unwrap_or_default(),
            nama: content.holder_name.clone(),
            jenis_diklat_id: "8".into(),
            jenis_kursus: match content.kind {
                CertificateKind::Kelulusan => "Bimbingan Teknis".into(),
                CertificateKind::Keterangan => "Bimbingan Teknis (keterangan mengikuti)".into(),
            },
            nama_kursus: content.course_title.clone(),
            institusi_penyelenggara: content.issuer.clone(),
            nomor_sertipikat: content.number.clone(),
            tanggal_kursus: siasn_date(b.starts_on),
            tanggal_selesai_kursus: siasn_date(b.ends_on),
            tahun_kursus: b.ends_on.year(),
            jumlah_jam: content.jp,
            pdf_url: format!("{base}/api/v1/certificates/{}/pdf", c.id),
        });
    }
    let revoked = certificates::revoked_between(engine.db.read(), since, Some(until))
        .await?
        .iter()
        .map(|c| {
            let content = content(c)?;
            Ok(SiasnRevocation {
                nip: content.nip.unwrap_or_default(),
                nomor_sertipikat: content.number,
                tanggal_dicabut: c
                    .revoked_at
                    .map(|r| siasn_date(r.to_offset(crate::clock::WIB).date()))
                    .unwrap_or_default(),
                alasan: c.revoke_reason.clone().unwrap_or_default(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(SiasnExport {
        rows,
        revoked,
        until,
    })
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct JpReport {
    pub year: i32,
    pub minimum: i32,
    pub rows: Vec<JpRow>,
    pub opd: Vec<OpdTotal>,
    pub below_minimum: u32,
}

/// `(user, jp)` of standing certificates whose batch ended in `year`.
async fn earned_in(engine: &Engine, year: i32) -> AppResult<Vec<(Uuid, i32)>> {
    let standing = certificates::all_standing(engine.db.read()).await?;
    let ids: Vec<Uuid> = standing.iter().map(|c| c.batch_id).collect();
    let batches = batches(engine, &ids).await?;
    let mut out = Vec::new();
    for c in &standing {
        if batches
            .get(&c.batch_id)
            .is_some_and(|b| b.ends_on.year() == year)
        {
            out.push((c.user_id, content(c)?.jp));
        }
    }
    Ok(out)
}

/// Every active trainee's JP in `year` against the 20 JP minimum.
pub async fn jp_report(engine: &Engine, admin: &CurrentUser, year: i32) -> AppResult<JpReport> {
    admin.require(Role::Admin)?;
    let users = crate::accounts::lookup::active_holding(engine.db.read(), Role::Trainee).await?;
    let index: HashMap<Uuid, usize> = users.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let earned: Vec<(usize, i32)> = earned_in(engine, year)
        .await?
        .into_iter()
        .filter_map(|(user, jp)| index.get(&user).map(|i| (*i, jp)))
        .collect();
    let people: Vec<_> = users
        .iter()
        .map(|u| (u.nip.clone(), u.name.clone(), u.unit_kerja.clone()))
        .collect();
    let rows = tally(&people, &earned);
    let opd = per_opd(&rows);
    Ok(JpReport {
        year,
        minimum: super::model::MIN_JP,
        below_minimum: rows.iter().filter(|r| !r.meets_minimum).count() as u32,
        rows,
        opd,
    })
}

/// One person's JP in `year`.
pub async fn jp_of(engine: &Engine, user_id: Uuid, year: i32) -> AppResult<i32> {
    Ok(earned_in(engine, year)
        .await?
        .into_iter()
        .filter(|(u, _)| *u == user_id)
        .map(|(_, jp)| jp)
        .sum())
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct TrackStats {
    pub track: String,
    pub trainings: u32,
    pub participants: u32,
    pub certified: u32,
    pub jp: i32,
}

#[derive(Debug, Clone, Serialize, Object)]
pub struct OpdStats {
    pub unit_kerja: String,
    pub participants: u32,
    pub jp: i32,
}

/// Aggregates for the city's open-data portal: no names, no NIPs, no one
/// identifiable.
#[derive(Debug, Clone, Serialize, Object)]
pub struct OpenData {
    pub year: i32,
    pub trainings_held: u32,
    pub participants: u32,
    pub certified: u32,
    pub attendance_letters: u32,
    pub per_track: Vec<TrackStats>,
    pub jp_per_opd: Vec<OpdStats>,
}

pub async fn open_data(engine: &Engine, year: i32) -> AppResult<OpenData> {
    use crate::schedule::model::BatchStatus;
    let filter = crate::schedule::model::BatchFilter::default();
    let held: Vec<batch::Model> = crate::schedule::lookup::find_batches(engine.db.read(), &filter)
        .await?
        .into_iter()
        .filter(|b| b.ends_on.year() == year && b.status != BatchStatus::Cancelled)
        .collect();
    let standing = certificates::all_standing(engine.db.read()).await?;
    let mut per_track: BTreeMap<String, TrackStats> = BTreeMap::new();
    let mut opd: BTreeMap<String, OpdStats> = BTreeMap::new();
    let (mut participants, mut certified, mut letters) = (0, 0, 0);
    for b in &held {
        let course = crate::catalog::lookup::find_course(engine.db.read(), b.course_id).await?;
        let track = course
            .map(|c| c.track.label().to_owned())
            .unwrap_or_default();
        let seated = crate::schedule::lookup::enrolled_users(engine.db.read(), b.id).await?;
        let entry = per_track.entry(track.clone()).or_insert(TrackStats {
            track,
            trainings: 0,
            participants: 0,
            certified: 0,
            jp: 0,
        });
        entry.trainings += 1;
        entry.participants += seated.len() as u32;
        participants += seated.len() as u32;
        for c in standing.iter().filter(|c| c.batch_id == b.id) {
            let content = content(c)?;
            if content.kind == CertificateKind::Kelulusan {
                entry.certified += 1;
                certified += 1;
            } else {
                letters += 1;
            }
            entry.jp += content.jp;
            let unit = seated
                .iter()
                .find(|u| u.id == c.user_id)
                .and_then(|u| u.unit_kerja.clone())
                .unwrap_or_else(|| "(tanpa unit kerja)".into());
            let o = opd.entry(unit.clone()).or_insert(OpdStats {
                unit_kerja: unit,
                participants: 0,
                jp: 0,
            });
            o.participants += 1;
            o.jp += content.jp;
        }
    }
    Ok(OpenData {
        year,
        trainings_held: held.len() as u32,
        participants,
        certified,
        attendance_letters: letters,
        per_track: per_track.into_values().collect(),
        jp_per_opd: opd.into_values().collect(),
    })
}
