//! Bimtek: training and competency assessment for Indonesian civil servants.
//!
//! `App::prepare` connects to the database, migrates it and creates the
//! first administrator; `App::run` serves HTTP until told to stop. The
//! binary (`main.rs`) and the integration tests both go through here.

pub mod accounts;
pub mod attempts;
pub mod audit;
pub mod backup;
pub mod banks;
pub mod blocking;
pub mod catalog;
pub mod certificates;
pub mod cli;
pub mod clock;
pub mod config;
pub mod conflict;
pub mod db;
pub mod demo;
pub mod download;
pub mod engine;
pub mod entities;
pub mod error;
pub mod evaluations;
pub mod exams;
pub mod file_types;
pub mod fresh;
pub mod home;
pub mod http;
pub mod links;
pub mod mail;
pub mod markup;
pub mod notices;
pub mod numbers;
pub mod pdf;
pub mod personal_data;
pub mod records;
pub mod reports;
pub mod schedule;
pub mod secrets;
pub mod string_enum;
pub mod tabular;
pub mod trusted_proxies;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use poem::Server;
use poem::listener::Acceptor;

use config::Config;
use db::Db;
use error::AppResult;
use http::metrics::Metrics;
use http::state::AppState;
use http::templates::Templates;

pub struct App {
    state: AppState,
    /// The password of the `admin` account when this start created it with a random one.
    pub generated_admin_password: Option<String>,
}

impl App {
    /// Connects, migrates, and makes sure an administrator exists.
    pub async fn prepare(config: Config) -> AppResult<App> {
        // A bad certificate template or logo stops the start, naming the line.
        let certificate_layout = certificates::layout::CertificateLayout::from_config(&config)
            .map_err(error::AppError::internal)?;
        let mailer = mail::Mailer::from_settings(&config.smtp_url, &config.smtp_from)?;
        links::set_base_url(&config.base_url);
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        let generated_admin_password =
            accounts::service::ensure_first_admin(&db, config.admin_password.as_deref()).await?;
        let csrf_key = secrets::load_or_create(&db, "csrf_key").await?;
        certificates::keys::ensure(&db).await?;
        let folder = (!config.question_banks.is_empty())
            .then(|| std::path::Path::new(&config.question_banks));
        let start_up = banks::shipped::start_up_banks(config.built_in_banks, folder);
        banks::shipped::load(&db, start_up).await;
        let state = AppState {
            engine: engine::Engine::start(db.clone()),
            db,
            config: Arc::new(config),
            templates: Arc::new(Templates::new()),
            metrics: Arc::new(Metrics::new()),
            verify_throttle: Arc::new(certificates::throttle::Throttle::new(60)),
            certificate_layout: Arc::new(certificate_layout),
            csrf_key,
            mailer: mailer.map(Arc::new),
        };
        Ok(App {
            state,
            generated_admin_password,
        })
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves on `acceptor` until `shutdown` completes, then lets requests in
    /// flight finish (up to 10 s) and closes the database.
    pub async fn run(
        self,
        acceptor: impl Acceptor + 'static,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let db = self.state.db.clone();
        let sweep = std::time::Duration::from_secs(self.state.config.sweep_seconds.max(1));
        attempts::finishing::spawn_sweeper(self.state.engine.clone(), sweep);
        accounts::retention::spawn_daily(db.clone(), self.state.config.retention_years);
        let (stop_sending, stop) = tokio::sync::watch::channel(false);
        let sender = notices::worker::spawn(
            db.clone(),
            self.state.mailer.clone(),
            Duration::from_secs(self.state.config.mail_retry_seconds.max(1)),
            stop,
        );
        let shutdown = async move {
            shutdown.await;
            let _ = stop_sending.send(true);
        };
        let endpoint = http::app(self.state);
        let result = Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(endpoint, shutdown, Some(Duration::from_secs(10)))
            .await;
        // The message in hand is finished and marked before the database closes.
        if let Some(sender) = sender {
            let _ = tokio::time::timeout(Duration::from_secs(25), sender).await;
        }
        db.close().await;
        result
    }
}
