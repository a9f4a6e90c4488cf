//! Gathering a batch's laporan from each capability's service, and
//! keeping the organiser's closing words.

use uuid::Uuid;

use super::model::{Laporan, Signatory, blocks};
use super::store;
use crate::accounts::model::{CurrentUser, Role};
use crate::clock;
use crate::config::Config;
use crate::engine::Engine;
use crate::entities::batch_report;
use crate::error::{AppError, AppResult, FieldError};

/// The closing words are a few paragraphs, not a book.
pub const MAX_CLOSING_CHARS: usize = 5_000;

pub async fn gather(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<Laporan> {
    admin.require(Role::Admin)?;
    let db = &engine.db;
    let detail = crate::schedule::service::detail(db, admin, batch_id).await?;
    let course = crate::catalog::service::get_course(db, admin, detail.batch.course_id).await?;
    let (_, progress) = crate::schedule::progress::progress(db, batch_id).await?;
    Ok(Laporan {
        generated_at: clock::now(),
        letterhead: config.letterhead_lines(),
        course: course.course,
        sessions: detail.sessions,
        progress,
        exams: crate::exams::results::tally_of_batch(engine, admin, batch_id).await?,
        gain: crate::attempts::prepost::of_batch(engine, admin, batch_id).await?,
        evaluation: crate::evaluations::service::results(db, admin, batch_id)
            .await?
            .results,
        certificates: crate::certificates::service::of_batch(db, config, batch_id).await?,
        closing: store::closing(db.read(), batch_id).await?,
        signatory: Signatory {
            city: config.city.clone(),
            position: config.signatory_position.clone(),
            name: config.signatory_name.clone(),
            rank: config.signatory_rank.clone(),
            nip: config.signatory_nip.clone(),
        },
        batch: detail.batch,
    })
}

/// The laporan as a PDF, laid out off the async workers.
pub async fn pdf(
    engine: &Engine,
    config: &Config,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<(Laporan, Vec<u8>)> {
    let laporan = gather(engine, config, admin, batch_id).await?;
    let title = format!("Laporan Penyelenggaraan {}", laporan.course.title);
    let content = blocks(&laporan);
    let bytes = crate::blocking::run(move || crate::pdf::document::render(&title, &content))
        .await?
        .map_err(AppError::internal)?;
    Ok((laporan, bytes))
}

pub async fn closing(
    engine: &Engine,
    admin: &CurrentUser,
    batch_id: Uuid,
) -> AppResult<Option<String>> {
    admin.require(Role::Admin)?;
    crate::schedule::service::detail(&engine.db, admin, batch_id).await?;
    store::closing(engine.db.read(), batch_id).await
}

/// Keeps the organiser's closing words for the report.
pub async fn save_closing(
    engine: &Engine,
    admin: &CurrentUser,
    batch_id: Uuid,
    text: &str,
) -> AppResult<()> {
    admin.require(Role::Admin)?;
    crate::schedule::service::detail(&engine.db, admin, batch_id).await?;
    let text = text.trim().replace("\r\n", "\n");
    if text.chars().count() > MAX_CLOSING_CHARS {
        return Err(AppError::validation(vec![FieldError::new(
            "closing",
            format!(
                "penutup paling panjang {} karakter",
                crate::numbers::grouped(MAX_CLOSING_CHARS as u64)
            ),
        )]));
    }
    store::save(
        engine.db.write(),
        batch_report::Model {
            batch_id,
            closing: text,
            updated_at: clock::now(),
            updated_by: Some(admin.id),
        },
    )
    .await
}
