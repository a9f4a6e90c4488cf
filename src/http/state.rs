//! The state every handler can reach: database, configuration, templates
//! and metrics. Nothing here may matter to another instance.

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;
use crate::engine::Engine;
use crate::http::metrics::Metrics;
use crate::http::templates::Templates;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The attempt engine: its writer and caches.
    pub engine: Engine,
    pub config: Arc<Config>,
    pub templates: Arc<Templates>,
    pub metrics: Arc<Metrics>,
    /// Per-address allowance of the public certificate checks.
    pub verify_throttle: Arc<crate::certificates::throttle::Throttle>,
    /// The certificate template (and logo), checked at start-up.
    pub certificate_layout: Arc<crate::certificates::layout::CertificateLayout>,
    /// Keys the CSRF tokens of forms and of the pages' API calls; the same
    /// on every instance (stored in the database).
    pub csrf_key: [u8; 32],
    /// Sends the "Lupa kata sandi" e-mails; none without `BIMTEK_SMTP_URL`.
    pub mailer: Option<Arc<crate::mail::Mailer>>,
}
