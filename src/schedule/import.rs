//! Enrolling a whole list from CSV or XLSX: a `nip` column, and with
//! `create_missing` the other columns create (or update) the accounts by
//! the users-import rules. All rows or none, every bad row named; rows
//! already enrolled count as unchanged, so importing twice changes nothing.

use std::collections::HashMap;

use poem_openapi::Object;
use serde::Serialize;
use uuid::Uuid;

use super::model::{BatchStatus, EnrolmentStatus};
use super::service::{Placed, place};
use super::store;
use crate::accounts::model::CurrentUser;
use crate::accounts::nip::Nip;
use crate::clock;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::tabular;

#[derive(Debug, Clone, Default, Serialize, Object)]
pub struct EnrolmentImportSummary {
    pub enrolled: u32,
    pub waitlisted: u32,
    /// Rows whose trainee was already in the batch.
    pub unchanged: u32,
    pub users_created: u32,
    pub users_updated: u32,
    pub dry_run: bool,
}

pub struct ImportOptions {
    pub create_missing: bool,
    pub dry_run: bool,
}

pub async fn import_file(
    db: &Db,
    actor: &CurrentUser,
    batch_id: Uuid,
    file_name: Option<&str>,
    bytes: &[u8],
    options: ImportOptions,
) -> AppResult<EnrolmentImportSummary> {
    let table = tabular::read(file_name, bytes)?;
    let nip_column = table.column(&["nip"]);
    if nip_column.is_none() {
        return Err(AppError::validation(vec![FieldError::at_row(
            1,
            "nip",
            "kolom 'nip' tidak ada di baris judul",
        )]));
    }
    let today = clock::today_wib();
    let mut errors = Vec::new();
    let account_rows = if options.create_missing {
        match crate::accounts::import::parse_rows(&table, today) {
            Ok(rows) => rows,
            Err(row_errors) => return Err(AppError::validation(row_errors)),
        }
    } else {
        Vec::new()
    };

    let mut wanted: Vec<(u32, Nip)> = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in &table.rows {
        if row.cell(nip_column).is_some_and(|c| c.imprecise_number) {
            errors.push(FieldError::at_row(
                row.number,
                "nip",
                "NIP tersimpan sebagai angka di Excel; format kolom NIP sebagai Teks",
            ));
            continue;
        }
        let Some(text) = row.text(nip_column) else {
            errors.push(FieldError::at_row(row.number, "nip", "NIP kosong"));
            continue;
        };
        match Nip::parse(text, today) {
            Err(e) => errors.push(FieldError::at_row(row.number, "nip", e.to_string())),
            Ok(nip) => {
                if let Some(first) = seen.insert(nip.as_str().to_owned(), row.number) {
                    errors.push(FieldError::at_row(
                        row.number,
                        "nip",
                        format!("sama dengan baris {first} di berkas ini"),
                    ));
                } else {
                    wanted.push((row.number, nip));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }

    let now = clock::now();
    let txn = db.begin_write().await?;
    let batch = store::batch_for_update(&txn, batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if matches!(batch.status, BatchStatus::Cancelled | BatchStatus::Finished) {
        return Err(AppError::conflict(
            "batch_closed",
            format!("Angkatan {} tidak menerima peserta lagi.", batch.name),
        ));
    }
    let mut summary = EnrolmentImportSummary {
        dry_run: options.dry_run,
        ..EnrolmentImportSummary::default()
    };
    if options.create_missing {
        let (accounts, account_errors) =
            crate::accounts::import::apply_in(&txn, &account_rows).await?;
        summary.users_created = accounts.created;
        summary.users_updated = accounts.updated;
        errors.extend(account_errors);
    }

    let mut full_at: Option<u32> = None;
    let mut beyond_capacity = 0;
    for (row, nip) in &wanted {
        let Some(trainee) = crate::accounts::store::find_by_nip(&txn, nip.as_str()).await? else {
            if !options.create_missing {
                errors.push(FieldError::at_row(
                    *row,
                    "nip",
                    format!("NIP {nip} belum terdaftar; impor penggunanya dahulu atau pilih 'buat pengguna baru'"),
                ));
            }
            continue;
        };
        if full_at.is_some() {
            if store::enrolment(&txn, batch.id, trainee.id)
                .await?
                .is_none_or(|e| e.status == EnrolmentStatus::Withdrawn)
            {
                beyond_capacity += 1;
            }
            continue;
        }
        match place(&txn, &batch, &trainee, Some(actor.id), now).await {
            Ok(Placed::Seated(EnrolmentStatus::Waitlisted)) => summary.waitlisted += 1,
            Ok(Placed::Seated(_)) => summary.enrolled += 1,
            Ok(Placed::AlreadyThere(_)) => summary.unchanged += 1,
            Err(AppError::Conflict {
                code: "batch_full", ..
            }) => {
                full_at = Some(*row);
                beyond_capacity += 1;
            }
            Err(AppError::Conflict { message, .. }) => {
                errors.push(FieldError::at_row(*row, "nip", message))
            }
            Err(other) => return Err(other),
        }
    }
    if let Some(row) = full_at {
        errors.push(FieldError::at_row(
            row,
            "nip",
            format!(
                "kapasitas {} penuh: hanya {} baris baru yang muat; {}",
                batch.capacity,
                summary.enrolled,
                match beyond_capacity - 1 {
                    0 => "baris ini tidak muat".to_owned(),
                    rest => format!("baris ini dan {rest} baris baru sesudahnya tidak muat"),
                }
            ),
        ));
    }
    if !errors.is_empty() {
        txn.rollback().await?;
        errors.sort_by_key(|e| e.row);
        return Err(AppError::validation(errors));
    }
    if options.dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
    }
    Ok(summary)
}
