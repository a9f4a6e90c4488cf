//! `bimtek demo`: a Pemerintah Kota Magelang training year in an empty
//! database, for people who want to look around before their own first
//! Bimtek. Everything goes through the services the pages call, so the
//! data obeys every rule a real year does: 44 calon pranata komputer and a
//! humas writing batch with sessions and attendance, courses drawing on
//! the shipped banks, finished quizzes, a blind-marked, moderated and
//! released uji kompetensi with one appeal, certificates (one revoked),
//! and a JP tally with people short of 20 JP.

mod evaluation;
mod exam;
mod people;
mod training;

use time::Duration;

use crate::App;
use crate::accounts::service as accounts;
use crate::banks::service as banks;
use crate::certificates::{service as certificates, standing};
use crate::clock;
use crate::config::Config;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::records::service as records;
use crate::reports::service as reports;

pub use people::PASSWORD;

/// What the demo made, for the person who ran it.
#[derive(Debug)]
pub struct Summary {
    /// The administrator's password when the demo made it up.
    pub admin_password: Option<String>,
    pub database_url: String,
    pub assessors: Vec<String>,
    /// (NIP, name) of a few trainees.
    pub trainees: Vec<(String, String)>,
    pub trainee_count: usize,
    pub certificates: usize,
    pub revoked: Option<String>,
    pub appeal: bool,
    pub jp_year: i32,
    pub below_minimum: u32,
}

/// Where `bimtek serve` keeps its data when no DATABASE_URL is given.
const DEFAULT_DATABASE: &str = "sqlite://bimtek.db?mode=rwc";

/// Fills the database named by `config` (migrating it first); refuses one
/// that already has an account.
pub async fn run(mut config: Config) -> AppResult<Summary> {
    // Demo accounts share a published password: never in the database a
    // plain `bimtek serve` would open and put in production.
    if config.database_url == DEFAULT_DATABASE {
        return Err(AppError::conflict(
            Conflict::DemoNeedsOwnDatabase,
            "Demo memakai basis data tersendiri agar tidak tercampur dengan data sungguhan: \
             jalankan dengan DATABASE_URL=\"sqlite://demo.db?mode=rwc\" bimtek demo.",
        ));
    }
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let used = accounts::any_account(&db).await?;
    db.close().await;
    if used {
        return Err(AppError::conflict(
            Conflict::NotEmpty,
            "Basis data ini sudah berisi akun; demo hanya mengisi basis data baru. \
             Pakai DATABASE_URL lain, mis. sqlite://demo.db?mode=rwc, yang belum ada.",
        ));
    }
    // The operator's own BIMTEK_ADMIN_PASSWORD is never echoed; a generated one is shown once.
    let generated = config.admin_password.is_none();
    let password = config
        .admin_password
        .clone()
        .unwrap_or_else(accounts::random_password);
    config.admin_password = Some(password.clone());
    let admin_password = generated.then_some(password);
    // The courses draw on the shipped banks, whatever the setting says.
    config.built_in_banks = true;
    let app = App::prepare(config).await?;
    let state = app.state();
    let (engine, config) = (&state.engine, &*state.config);

    let admin = {
        let found = accounts::find_by_username(&engine.db, "admin")
            .await?
            .ok_or_else(|| AppError::internal("akun admin pertama tidak ditemukan"))?;
        people::admin(found.id, found.username, found.name)
    };
    let admin_ref = &admin;
    let bank = |name: &'static str| async move {
        banks::list_banks(&engine.db, admin_ref)
            .await?
            .into_iter()
            .find(|b| b.name == name)
            .map(|b| b.id)
            .ok_or_else(|| AppError::internal(format!("bank soal bawaan {name} tidak ditemukan")))
    };
    let pk_bank = bank("pranata_komputer").await?;
    let humas_bank = bank("humas").await?;

    let pk_trainees =
        people::trainees(&engine.db, 44, 1, "Calon Pranata Komputer Terampil").await?;
    let humas_trainees = people::trainees(&engine.db, 20, 101, "Pengelola Kehumasan").await?;
    let assessors = people::assessors(&engine.db).await?;

    let today = clock::today_wib();
    let pk = training::course(engine, &admin, &training::PRANATA_KOMPUTER, pk_bank).await?;
    // Ended about two weeks ago: results out, certificates issued, and the
    // trainees' evaluation still open to them.
    let pk_start = training::monday_of(today - Duration::weeks(3));
    let pk_batch = training::batch(
        engine,
        &admin,
        &training::PRANATA_KOMPUTER,
        &pk,
        pk_start,
        &pk_trainees,
    )
    .await?;
    training::attendance(engine, &admin, &pk_batch, &pk_trainees).await?;
    training::learn(engine, &pk, &pk_trainees).await?;
    let (markers, appeal_assessor) = assessors.split_at(3);
    let appealed = exam::run(
        engine,
        &admin,
        pk_batch.id,
        &pk_trainees,
        markers,
        &appeal_assessor[0],
    )
    .await?;

    let humas = training::course(engine, &admin, &training::HUMAS, humas_bank).await?;
    let humas_start = training::monday_of(today - Duration::weeks(4)) + Duration::days(1);
    let humas_batch = training::batch(
        engine,
        &admin,
        &training::HUMAS,
        &humas,
        humas_start,
        &humas_trainees,
    )
    .await?;
    training::attendance(engine, &admin, &humas_batch, &humas_trainees).await?;
    training::learn(engine, &humas, &humas_trainees).await?;

    for (batch, trainees) in [(&pk_batch, &pk_trainees), (&humas_batch, &humas_trainees)] {
        evaluation::answer(engine, batch.id, trainees).await?;
        crate::evaluations::service::close(&engine.db, &admin, batch.id).await?;
    }
    reports::save_closing(engine, &admin, pk_batch.id, PK_CLOSING).await?;

    let mut issued = Vec::new();
    for batch in [&pk_batch, &humas_batch] {
        let outcome = certificates::issue(engine, config, &admin, batch.id, None).await?;
        issued.extend(outcome.certificates);
        training::finish(engine, &admin, batch).await?;
    }
    let revoked = match issued.iter().find(|c| c.batch_id == humas_batch.id) {
        Some(c) => {
            let reason = "Presensi hari kedua terbukti dititipkan; kelulusan dibatalkan BKPSDM.";
            let view = standing::revoke(engine, config, &admin, c.id, reason).await?;
            Some(view.content.number)
        }
        None => None,
    };

    // The tally counts a certificate in the year its batch ended.
    let jp_year = pk_batch.ends_on.year();
    let tally = records::jp_report(engine, &admin, jp_year).await?;
    let database_url = config.database_url.clone();
    drop(app);
    Ok(Summary {
        admin_password,
        database_url,
        assessors: assessors.iter().map(|a| a.username.clone()).collect(),
        trainees: pk_trainees
            .iter()
            .chain(&humas_trainees)
            .step_by(16)
            .map(|t| (t.nip.clone(), t.user.name.clone()))
            .collect(),
        trainee_count: pk_trainees.len() + humas_trainees.len(),
        certificates: issued.len(),
        revoked,
        appeal: appealed,
        jp_year,
        below_minimum: tally.below_minimum,
    })
}

/// The organiser's closing words for the pranata komputer batch's laporan.
const PK_CLOSING: &str = "Bimtek berjalan sesuai jadwal dengan kehadiran yang baik. \
Sebagian besar peserta dinyatakan kompeten; peserta yang belum kompeten diusulkan \
mengikuti angkatan berikutnya setelah pendampingan di OPD masing-masing. \
Saran peserta tentang tambahan waktu praktik akan dipakai untuk menyusun jadwal angkatan berikutnya.";

/// What `bimtek demo` prints: the accounts to sign in with and what to look at.
pub fn describe(summary: &Summary) -> String {
    let mut out = String::new();
    out.push_str("Data demo Pemerintah Kota Magelang selesai dibuat.\n\n");
    out.push_str(&format!(
        "Jalankan DATABASE_URL=\"{}\" bimtek serve, lalu masuk dengan:\n",
        summary.database_url
    ));
    out.push_str(&format!(
        "  Administrator BKD   admin / {}\n",
        summary
            .admin_password
            .as_deref()
            .unwrap_or("(kata sandi dari BIMTEK_ADMIN_PASSWORD)")
    ));
    for username in &summary.assessors {
        out.push_str(&format!("  Asesor              {username} / {PASSWORD}\n"));
    }
    for (nip, name) in &summary.trainees {
        out.push_str(&format!(
            "  Peserta             {nip} / {PASSWORD}  ({name})\n"
        ));
    }
    out.push_str(&format!(
        "  (semua {} peserta masuk dengan NIP masing-masing dan kata sandi {PASSWORD})\n\n",
        summary.trainee_count
    ));
    out.push_str(&format!(
        "Isinya: 2 angkatan dengan sesi dan presensi, kuis yang sudah dikerjakan, uji kompetensi \
         yang dinilai tanpa nama, dimoderasi dan dirilis{}, {} sertifikat terbit{}.\n",
        if summary.appeal {
            " dengan satu banding"
        } else {
            ""
        },
        summary.certificates,
        match &summary.revoked {
            Some(number) => format!(" (nomor {number} dicabut)"),
            None => String::new(),
        }
    ));
    out.push_str(&format!(
        "Rekap JP {}: {} peserta belum mencapai 20 JP (menu Rekap JP).\n",
        summary.jp_year, summary.below_minimum
    ));
    out
}
