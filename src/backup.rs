//! `bimtek backup` and `bimtek restore` for the embedded SQLite database.
//!
//! A backup is a consistent copy of the running database (`VACUUM INTO`
//! reads one snapshot: every answer committed before it began is in it)
//! plus a manifest beside it (`<file>.json`): the schema version, the rows
//! per table and the copy's SHA-256. A restore checks all of that, and the
//! copy's own integrity, before the copy becomes the database; it refuses
//! a backup made by a newer Bimtek and a database that is not empty.
//! PostgreSQL has its own tools; both commands say which.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::Db;

const FORMAT: &str = "bimtek-sqlite-backup";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// The Bimtek that wrote it.
    pub bimtek_version: String,
    /// The last migration applied to the copied database.
    pub schema: String,
    pub created_at: String,
    pub bytes: u64,
    pub sha256: String,
    /// Rows per table.
    pub tables: BTreeMap<String, u64>,
}

/// Where a backup's manifest is written: beside it.
pub fn manifest_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

/// The file of a SQLite URL (`sqlite://bimtek.db?mode=rwc` → `bimtek.db`).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

fn postgres_help(what: &str) -> String {
    match what {
        "backup" => "basis data PostgreSQL dicadangkan dengan alat PostgreSQL sendiri: \
             pg_dump --format=custom --file=bimtek.dump \"$DATABASE_URL\" \
             (bisa saat Bimtek berjalan; hasilnya satu snapshot yang konsisten)"
            .into(),
        _ => "basis data PostgreSQL dipulihkan dengan alat PostgreSQL sendiri ke basis data kosong: \
             pg_restore --no-owner --dbname=\"$DATABASE_URL\" bimtek.dump, lalu jalankan bimtek migrate"
            .into(),
    }
}

async fn open_read_only(file: &Path) -> Result<DatabaseConnection, String> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    Database::connect(url.as_str())
        .await
        .map_err(|e| format!("{}: {e}", file.display()))
}

async fn strings(conn: &DatabaseConnection, sql: &str) -> Result<Vec<String>, String> {
    let rows = conn
        .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .map_err(|e| e.to_string())?;
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).map_err(|e| e.to_string()))
        .collect()
}

/// Integrity, schema version and rows per table of a SQLite file.
async fn inspect(file: &Path) -> Result<(String, BTreeMap<String, u64>), String> {
    let conn = open_read_only(file).await?;
    let check = strings(&conn, "PRAGMA integrity_check").await?;
    if check != ["ok"] {
        return Err(format!(
            "{} rusak (PRAGMA integrity_check: {})",
            file.display(),
            check.join("; ")
        ));
    }
    let schema = strings(
        &conn,
        "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
    )
    .await
    .map_err(|_| format!("{} bukan basis data Bimtek", file.display()))?
    .pop()
    .unwrap_or_default();
    let mut tables = BTreeMap::new();
    for table in strings(
        &conn,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .await?
    {
        let count = conn
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\"")),
            ))
            .await
            .map_err(|e| e.to_string())?
            .and_then(|r| r.try_get_by_index::<i64>(0).ok())
            .unwrap_or_default();
        tables.insert(table, count.max(0) as u64);
    }
    conn.close().await.map_err(|e| e.to_string())?;
    Ok((schema, tables))
}

/// Size and SHA-256 of `file`, read a block at a time (a database may be
/// larger than the memory).
fn digest(file: &Path) -> Result<(u64, String), String> {
    use std::io::Read;
    let fail = |e: std::io::Error| format!("{}: {e}", file.display());
    let mut reader = std::fs::File::open(file).map_err(fail)?;
    let mut hash = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buffer).map_err(fail)?;
        if n == 0 {
            break;
        }
        hash.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hash.finalize())))
}

/// Flushes `path` (a file or a folder) to the disk, so that a power cut
/// right after cannot leave an empty or half-written file in its place.
fn sync(path: &Path) -> Result<(), String> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// The folder holding `file` ("." for a bare file name).
fn folder_of(file: &Path) -> &Path {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Copies the database at `database_url` (which may be in use) to `file`,
/// with its manifest.
pub async fn backup(database_url: &str, file: &Path) -> Result<Manifest, String> {
    if !database_url.starts_with("sqlite:") {
        return Err(postgres_help("backup"));
    }
    if sqlite_file(database_url).is_some_and(|f| !f.exists()) {
        return Err("basis data yang akan dicadangkan tidak ada (periksa DATABASE_URL)".into());
    }
    if file.exists() || manifest_path(file).exists() {
        return Err(format!(
            "{} sudah ada; pilih nama berkas lain",
            file.display()
        ));
    }
    let db = Db::connect(database_url).await.map_err(|e| e.to_string())?;
    let target = file.to_string_lossy().replace('\'', "''");
    db.read()
        .execute_unprepared(&format!("VACUUM INTO '{target}'"))
        .await
        .map_err(|e| format!("menyalin basis data ke {}: {e}", file.display()))?;
    let (schema, tables) = inspect(file).await?;
    let (bytes, sha256) = digest(file)?;
    let manifest = Manifest {
        format: FORMAT.into(),
        bimtek_version: env!("CARGO_PKG_VERSION").into(),
        schema,
        created_at: crate::clock::now()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        bytes,
        sha256,
        tables,
    };
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(manifest_path(file), json)
        .map_err(|e| format!("{}: {e}", manifest_path(file).display()))?;
    sync(file)?;
    sync(&manifest_path(file))?;
    sync(folder_of(file))?;
    Ok(manifest)
}

/// Makes the backup `file` the database at `database_url`, which must not
/// hold any data yet.
pub async fn restore(database_url: &str, file: &Path) -> Result<Manifest, String> {
    if !database_url.starts_with("sqlite:") {
        return Err(postgres_help("restore"));
    }
    let target = sqlite_file(database_url)
        .ok_or_else(|| "DATABASE_URL harus menunjuk berkas SQLite".to_owned())?;
    let text = std::fs::read_to_string(manifest_path(file)).map_err(|e| {
        format!(
            "manifest {} tidak terbaca: {e}",
            manifest_path(file).display()
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .ok()
        .filter(|m: &Manifest| m.format == FORMAT)
        .ok_or_else(|| {
            format!(
                "{} bukan manifest cadangan Bimtek",
                manifest_path(file).display()
            )
        })?;
    let (bytes, sha256) = digest(file)?;
    if (bytes, &sha256) != (manifest.bytes, &manifest.sha256) {
        return Err(format!(
            "{} tidak sama dengan yang dicadangkan (ukuran atau SHA-256 berbeda dari manifest)",
            file.display()
        ));
    }
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    if !known.contains(&manifest.schema) {
        return Err(format!(
            "cadangan dibuat oleh Bimtek {} dengan skema yang lebih baru ({}); pulihkan dengan versi itu atau yang lebih baru",
            manifest.bimtek_version, manifest.schema
        ));
    }
    let (schema, tables) = inspect(file).await?;
    if schema != manifest.schema || tables != manifest.tables {
        return Err(format!(
            "isi {} tidak cocok dengan manifest (skema atau jumlah baris berbeda)",
            file.display()
        ));
    }
    if target.exists() {
        let (_, rows) = inspect(&target).await.unwrap_or_default();
        let data: u64 = rows
            .iter()
            .filter(|(t, _)| t.as_str() != "seaql_migrations")
            .map(|(_, n)| n)
            .sum();
        let size = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
        if data > 0 || (size > 0 && rows.is_empty()) {
            return Err(format!(
                "{} sudah berisi data; pulihkan ke basis data kosong (hentikan Bimtek, pindahkan berkas itu, lalu ulangi)",
                target.display()
            ));
        }
    }
    // Copied beside the target, then renamed over it: never half a file.
    let partial = target.with_extension("restoring");
    std::fs::copy(file, &partial).map_err(|e| format!("{}: {e}", partial.display()))?;
    sync(&partial)?;
    for stale in ["-wal", "-shm"] {
        let mut name = target.as_os_str().to_owned();
        name.push(stale);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
    std::fs::rename(&partial, &target).map_err(|e| format!("{}: {e}", target.display()))?;
    sync(folder_of(&target))?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite://data/bimtek.db?mode=rwc"),
            Some(PathBuf::from("data/bimtek.db"))
        );
        assert_eq!(
            sqlite_file("sqlite:bimtek.db"),
            Some(PathBuf::from("bimtek.db"))
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(
            manifest_path(Path::new("/tmp/b.sqlite")),
            PathBuf::from("/tmp/b.sqlite.json")
        );
    }
}
