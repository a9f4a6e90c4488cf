//! Bulk user import from a CSV or XLSX list: all rows are checked first, and
//! only a file without a single bad row is written, in one transaction.
//! Rows are matched to existing accounts by NIP, else by username, so
//! importing the same file twice changes nothing.

use std::collections::{BTreeSet, HashMap};

use poem_openapi::Object;
use sea_orm::ActiveValue::Set;
use sea_orm::IntoActiveModel;
use serde::Serialize;
use time::Date;

use super::model::{CurrentUser, NewUser, Role, UserInput};
use super::store;
use crate::clock;
use crate::db::Db;
use crate::entities::user;
use crate::error::{AppError, AppResult, FieldError};
use crate::tabular::Table;

/// Accepted header names per field (already normalised by `tabular`).
const NIP: &[&str] = &["nip"];
const NAME: &[&str] = &["nama", "name", "nama_lengkap"];
const EMAIL: &[&str] = &["email", "e_mail", "surel"];
const USERNAME: &[&str] = &["username", "nama_pengguna"];
const UNIT: &[&str] = &["unit_kerja", "opd", "skpd", "unit"];
const JABATAN: &[&str] = &["jabatan"];
const ROLES: &[&str] = &["peran", "roles", "role"];

/// One valid row, ready to store.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub row: u32,
    pub user: NewUser,
    /// Whether the file said which roles; if not, an existing account keeps its own.
    pub roles_given: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Object, Serialize)]
pub struct ImportSummary {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// True when nothing was written because the caller asked for a dry run.
    pub dry_run: bool,
}

/// Validates every row of `table`, reporting every problem with its row number.
pub fn parse_rows(table: &Table, today: Date) -> Result<Vec<ImportRow>, Vec<FieldError>> {
    match check_rows(table, today) {
        (rows, errors) if errors.is_empty() => Ok(rows),
        (_, errors) => Err(errors),
    }
}

/// Every valid row and every problem of `table`, so that a caller with
/// checks of its own (the enrolment import) can report all of them at once.
pub fn check_rows(table: &Table, today: Date) -> (Vec<ImportRow>, Vec<FieldError>) {
    let col = |names: &[&str]| table.column(names);
    let (nip, name, email, username, unit, jabatan, roles) = (
        col(NIP),
        col(NAME),
        col(EMAIL),
        col(USERNAME),
        col(UNIT),
        col(JABATAN),
        col(ROLES),
    );
    let mut errors = Vec::new();
    if name.is_none() {
        errors.push(FieldError::at_row(
            1,
            "nama",
            "kolom 'nama' (atau 'name') tidak ada di baris judul",
        ));
    }
    if nip.is_none() && username.is_none() {
        errors.push(FieldError::at_row(
            1,
            "nip",
            "perlu kolom 'nip' atau 'username' di baris judul",
        ));
    }
    if !errors.is_empty() {
        return (Vec::new(), errors);
    }
    if table.rows.is_empty() {
        let nothing = FieldError::at_row(2, "file", "tidak ada baris data di bawah judul");
        return (Vec::new(), vec![nothing]);
    }

    let mut rows = Vec::new();
    let mut seen: HashMap<(&str, String), u32> = HashMap::new();
    for row in &table.rows {
        let mut row_errors = Vec::new();
        if row.cell(nip).is_some_and(|c| c.imprecise_number) {
            row_errors.push(FieldError::at_row(
                row.number,
                "nip",
                "NIP tersimpan sebagai angka di Excel sehingga digit terakhirnya hilang; format kolom NIP sebagai Teks",
            ));
        }
        let parsed_roles = match row.text(roles).map(Role::parse_list) {
            Some(Err(msg)) => {
                row_errors.push(FieldError::at_row(row.number, "peran", msg));
                BTreeSet::new()
            }
            Some(Ok(r)) => r,
            None => BTreeSet::new(),
        };
        let input = UserInput {
            username: row.text(username).map(str::to_owned),
            nip: row.text(nip).map(str::to_owned),
            name: row.text(name).map(str::to_owned),
            email: row.text(email).map(str::to_owned),
            unit_kerja: row.text(unit).map(str::to_owned),
            jabatan: row.text(jabatan).map(str::to_owned),
            roles: parsed_roles.iter().copied().collect(),
            password: None,
        };
        match input.validate(today) {
            Err(field_errors) => {
                errors.extend(row_errors);
                errors.extend(
                    field_errors
                        .into_iter()
                        .map(|e| FieldError::at_row(row.number, e.field, e.message)),
                );
            }
            Ok(_) if !row_errors.is_empty() => errors.extend(row_errors),
            Ok(user) => {
                let keys = [
                    ("nip", user.nip.as_ref().map(|n| n.as_str().to_owned())),
                    ("username", Some(user.username.clone())),
                    ("email", user.email.clone()),
                ];
                for (field, value) in keys {
                    let Some(value) = value else { continue };
                    let first = *seen.entry((field, value)).or_insert(row.number);
                    if first != row.number {
                        errors.push(FieldError::at_row(
                            row.number,
                            field,
                            format!("sama dengan baris {first} di berkas ini"),
                        ));
                    }
                }
                rows.push(ImportRow {
                    row: row.number,
                    roles_given: !parsed_roles.is_empty(),
                    user,
                });
            }
        }
    }
    (rows, errors)
}

/// What importing one row would do to the account it matches.
enum Outcome {
    Create,
    Update(Box<user::ActiveModel>, Option<BTreeSet<Role>>),
    Unchanged,
}

fn plan_update(
    existing: &user::Model,
    existing_roles: &BTreeSet<Role>,
    row: &ImportRow,
) -> Outcome {
    let new = &row.user;
    let mut active = existing.clone().into_active_model();
    let mut changed = false;
    let nip = new.nip.as_ref().map(|n| n.as_str().to_owned());
    let fields = [
        (
            &mut active.username,
            existing.username.clone(),
            new.username.clone(),
        ),
        (&mut active.name, existing.name.clone(), new.name.clone()),
    ];
    for (slot, old, value) in fields {
        if old != value {
            *slot = Set(value);
            changed = true;
        }
    }
    let optional_fields = [
        (&mut active.nip, existing.nip.clone(), nip),
        (&mut active.email, existing.email.clone(), new.email.clone()),
        (
            &mut active.unit_kerja,
            existing.unit_kerja.clone(),
            new.unit_kerja.clone(),
        ),
        (
            &mut active.jabatan,
            existing.jabatan.clone(),
            new.jabatan.clone(),
        ),
    ];
    for (slot, old, value) in optional_fields {
        // An empty cell keeps what the account already has.
        if value.is_some() && old != value {
            *slot = Set(value);
            changed = true;
        }
    }
    let roles = (row.roles_given && &new.roles != existing_roles).then(|| new.roles.clone());
    if !changed && roles.is_none() {
        return Outcome::Unchanged;
    }
    active.updated_at = Set(clock::now());
    Outcome::Update(Box::new(active), roles)
}

/// Writes `rows` with `conn` (a write transaction the caller owns) and
/// returns what happened, plus every row that conflicts with another
/// account. The caller commits only when the list of conflicts is empty.
pub async fn apply_in(
    conn: &impl sea_orm::ConnectionTrait,
    rows: &[ImportRow],
) -> AppResult<(ImportSummary, Vec<FieldError>)> {
    let mut summary = ImportSummary::default();
    let mut errors = Vec::new();
    let now = clock::now();
    for row in rows {
        let existing = match &row.user.nip {
            Some(nip) => store::find_by_nip(conn, nip.as_str()).await?,
            None => None,
        };
        let existing = match existing {
            Some(found) => Some(found),
            None => store::find_by_username(conn, &row.user.username).await?,
        };
        if existing.as_ref().is_some_and(|e| e.anonymised_at.is_some()) {
            errors.push(FieldError::at_row(
                row.row,
                "username",
                "akun ini sudah dianonimkan dan tidak dapat diubah",
            ));
            continue;
        }
        let taken = store::taken_fields(
            conn,
            Some(&row.user.username),
            row.user.nip.as_ref().map(|n| n.as_str()),
            row.user.email.as_deref(),
            existing.as_ref().map(|e| e.id),
        )
        .await?;
        if !taken.is_empty() {
            errors.extend(
                taken
                    .into_iter()
                    .map(|e| FieldError::at_row(row.row, e.field, e.message)),
            );
            continue;
        }
        let outcome = match &existing {
            None => Outcome::Create,
            Some(found) => plan_update(found, &store::roles_of(conn, found.id).await?, row),
        };
        match outcome {
            Outcome::Create => {
                summary.created += 1;
                store::insert(conn, &row.user, None, now).await?;
            }
            Outcome::Update(active, roles) => {
                summary.updated += 1;
                let account = store::update(conn, *active).await?;
                if let Some(roles) = roles {
                    super::sessions::forget_user(account.id);
                    store::set_roles(conn, account.id, &roles).await?;
                }
            }
            Outcome::Unchanged => summary.unchanged += 1,
        }
    }
    Ok((summary, errors))
}

/// Writes `rows` in one transaction, or nothing at all if any row conflicts
/// with another account; with `dry_run`, checks everything and writes nothing.
pub async fn apply(db: &Db, rows: Vec<ImportRow>, dry_run: bool) -> AppResult<ImportSummary> {
    let txn = db.begin_write().await?;
    let (mut summary, errors) = apply_in(&txn, &rows).await?;
    if !errors.is_empty() {
        txn.rollback().await?;
        return Err(AppError::validation(errors));
    }
    summary.dry_run = dry_run;
    if dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
    }
    Ok(summary)
}

/// Reads, validates and applies an uploaded file; the reading and checking
/// run off the async workers.
pub async fn import_file(
    db: &Db,
    admin: &CurrentUser,
    file_name: Option<String>,
    bytes: Vec<u8>,
    dry_run: bool,
) -> AppResult<ImportSummary> {
    super::service::may_manage(admin)?;
    let today = clock::today_wib();
    let rows = crate::blocking::run(move || {
        let table = crate::tabular::read(file_name.as_deref(), &bytes)?;
        parse_rows(&table, today).map_err(AppError::validation)
    })
    .await??;
    apply(db, rows, dry_run).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn table(csv: &str) -> Table {
        crate::tabular::read(Some("x.csv"), csv.as_bytes()).unwrap()
    }

    #[test]
    fn valid_rows_parse_with_roles() {
        let rows = parse_rows(
            &table("NIP;Nama;Peran\n198503122010011001;Ani;peserta,asesor\n"),
            date!(2026 - 11 - 22),
        )
        .unwrap();
        assert_eq!(rows[0].row, 2);
        assert!(rows[0].roles_given);
        assert_eq!(
            rows[0].user.roles,
            BTreeSet::from([Role::Assessor, Role::Trainee])
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_number() {
        let errors = parse_rows(
            &table(
                "nip,nama,email\n198503122010011001,Ani,\n123,Budi,\n198503122010011001,Citra,x\n",
            ),
            date!(2026 - 11 - 22),
        )
        .unwrap_err();
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.row.unwrap(), e.field.as_str()))
            .collect();
        assert_eq!(found, [(3, "nip"), (4, "email")]);
    }

    #[test]
    fn duplicate_rows_in_one_file_are_refused() {
        let errors = parse_rows(
            &table("nip,nama\n198503122010011001,Ani\n198503122010011001,Ani\n"),
            date!(2026 - 11 - 22),
        )
        .unwrap_err();
        assert_eq!(errors[0].row, Some(3));
        assert!(errors[0].message.contains("baris 2"));
    }

    #[test]
    fn missing_headers_are_named() {
        let errors = parse_rows(&table("email\nx@y.id\n"), date!(2026 - 11 - 22)).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors.iter().all(|e| e.row == Some(1)));
    }
}
