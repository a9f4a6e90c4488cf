//! Enrolling a whole list from CSV or XLSX: a `nip` column, and with
//! `create_missing` the other columns create (or update) the accounts by
//! the users-import rules. All rows or none, every bad row named; rows
//! already enrolled count as unchanged, so importing twice changes nothing.

use std::collections::{HashMap, HashSet};

use poem_openapi::Object;
use serde::Serialize;
use uuid::Uuid;

use super::enrolment::{Placed, place};
use super::model::{BatchStatus, EnrolmentStatus};
use super::store;
use crate::accounts::import::ImportRow;
use crate::accounts::model::{CurrentUser, Role};
use crate::accounts::nip::Nip;
use crate::clock;
use crate::conflict::Conflict;
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::tabular::{self, Table};
use time::Date;

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

/// What can be known of an enrolment file without the database: the NIPs
/// to enrol (with their rows), the accounts to create or update (with
/// `create_missing`), and every problem found so far.
#[derive(Debug, Default)]
pub struct Checked {
    pub wanted: Vec<(u32, Nip)>,
    pub account_rows: Vec<ImportRow>,
    pub errors: Vec<FieldError>,
}

/// Checks every row of `table`: NIP format, Excel-mangled numbers, blanks
/// and duplicates, and with `create_missing` the account columns too. A
/// row's NIP is named once even when both checks object to it.
pub fn check_rows(table: &Table, today: Date, create_missing: bool) -> Checked {
    let nip_column = table.column(&["nip"]);
    let mut checked = Checked::default();
    if nip_column.is_none() {
        checked.errors.push(FieldError::at_row(
            1,
            "nip",
            "kolom 'nip' tidak ada di baris judul",
        ));
    }
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in table.rows.iter().filter(|_| nip_column.is_some()) {
        if row.cell(nip_column).is_some_and(|c| c.imprecise_number) {
            checked.errors.push(FieldError::at_row(
                row.number,
                "nip",
                "NIP tersimpan sebagai angka di Excel; format kolom NIP sebagai Teks",
            ));
            continue;
        }
        let Some(text) = row.text(nip_column) else {
            checked
                .errors
                .push(FieldError::at_row(row.number, "nip", "NIP kosong"));
            continue;
        };
        match Nip::parse(text, today) {
            Err(e) => checked
                .errors
                .push(FieldError::at_row(row.number, "nip", e.to_string())),
            Ok(nip) => {
                if let Some(first) = seen.insert(nip.as_str().to_owned(), row.number) {
                    checked.errors.push(FieldError::at_row(
                        row.number,
                        "nip",
                        format!("sama dengan baris {first} di berkas ini"),
                    ));
                } else {
                    checked.wanted.push((row.number, nip));
                }
            }
        }
    }
    if create_missing {
        // The account check objects to the same NIP again, and to the
        // username made from it; the NIP check has said it already.
        let bad_nip: HashSet<Option<u32>> = checked.errors.iter().map(|e| e.row).collect();
        let (rows, errors) = crate::accounts::import::check_rows(table, today);
        checked.account_rows = rows;
        checked.errors.extend(errors.into_iter().filter(|e| {
            !(bad_nip.contains(&e.row) && matches!(e.field.as_str(), "nip" | "username"))
        }));
    }
    checked
}

/// An administrator enrols a list. Reads and checks the file off the
/// async workers, then, in one write
/// transaction, creates accounts (with `create_missing`) and seats every
/// valid row, collecting what the database objects to: unknown NIPs,
/// conflicts, capacity. Any problem of any kind rolls everything back and
/// all of them come back in one answer.
pub async fn import_file(
    db: &Db,
    actor: &CurrentUser,
    batch_id: Uuid,
    file_name: Option<String>,
    bytes: Vec<u8>,
    options: ImportOptions,
) -> AppResult<EnrolmentImportSummary> {
    actor.require(Role::Admin)?;
    let today = clock::today_wib();
    let create_missing = options.create_missing;
    let Checked {
        wanted,
        account_rows,
        mut errors,
    } = crate::blocking::run(move || {
        let table = tabular::read(file_name.as_deref(), &bytes)?;
        Ok::<_, AppError>(check_rows(&table, today, create_missing))
    })
    .await??;

    let now = clock::now();
    let txn = db.begin_write().await?;
    let batch = store::batch_for_update(&txn, batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if matches!(batch.status, BatchStatus::Cancelled | BatchStatus::Finished) {
        return Err(AppError::conflict(
            Conflict::BatchClosed,
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

    let mut seated = Vec::new();
    let mut full_at: Option<u32> = None;
    let mut beyond_capacity = 0;
    for (row, nip) in &wanted {
        let Some(trainee) = crate::accounts::lookup::find_by_nip(&txn, nip.as_str()).await? else {
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
            Ok(Placed::Seated(_)) => {
                summary.enrolled += 1;
                seated.push(trainee);
            }
            Ok(Placed::AlreadyThere(_)) => summary.unchanged += 1,
            Err(AppError::Conflict {
                code: Conflict::BatchFull,
                ..
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
        super::notify::invite(&txn, &batch, &seated).await?;
        txn.commit().await?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn table(csv: &str) -> Table {
        tabular::read(Some("x.csv"), csv.as_bytes()).unwrap()
    }

    #[test]
    fn every_bad_row_is_named_once_with_its_kind() {
        let good = "198503122010011001";
        let csv =
            format!("nip,nama\n{good},Ani\n123,Budi\n,Citra\n{good},Dedi\n198503122010011002,\n");
        let checked = check_rows(&table(&csv), date!(2026 - 11 - 22), true);
        let found: Vec<(u32, &str)> = checked
            .errors
            .iter()
            .map(|e| (e.row.unwrap(), e.field.as_str()))
            .collect();
        // Row 3's bad NIP is named by the NIP check only; row 6 lacks a name.
        assert_eq!(found, [(3, "nip"), (4, "nip"), (5, "nip"), (6, "name")]);
        assert_eq!(checked.wanted.len(), 2);
    }

    #[test]
    fn a_missing_nip_header_is_the_only_problem() {
        let checked = check_rows(&table("nama\nAni\n"), date!(2026 - 11 - 22), false);
        assert_eq!(checked.errors.len(), 1);
        assert_eq!(checked.errors[0].row, Some(1));
    }
}
