//! Fresh databases for tests and the benchmark: a temporary SQLite file, or
//! a new database on a PostgreSQL server, dropped afterwards.
//!
//! Shared with `benches/exam_day` (included there by path), so it depends on
//! nothing but the crates both use.

/// Where a test's database lives.
#[derive(Clone, Debug)]
pub enum Backend {
    Sqlite,
    /// Server URL of a database the tests may create databases from.
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// A fresh database for one test, dropped afterwards.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(backend: &Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/bimtek.db?mode=rwc", dir.path().display());
                TestDatabase {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres(server) => {
                let name = format!("bimtek_test_{}", uuid::Uuid::new_v4().simple());
                postgres_admin(server, &format!("CREATE DATABASE {name}")).await;
                TestDatabase {
                    url: replace_database(server, &name),
                    _dir: None,
                    postgres: Some((server.clone(), name)),
                }
            }
        }
    }

    pub async fn drop_database(self) {
        if let Some((server, name)) = &self.postgres {
            postgres_admin(
                server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )
            .await;
        }
    }
}

async fn postgres_admin(server: &str, sql: &str) {
    use sea_orm::ConnectionTrait;
    let conn = sea_orm::Database::connect(server)
        .await
        .expect("connect to PostgreSQL");
    conn.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.ok();
}

/// `postgres://u@h:p/postgres?x` → `postgres://u@h:p/<name>?x`
fn replace_database(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut url = format!("{}/{}", &base[..host_end], name);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}
