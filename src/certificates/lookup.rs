//! What other capabilities may ask of certificates: which were issued or
//! revoked in a period and which still stand, for the SIASN export, the JP
//! report and the open data (records aggregates them itself). The table
//! stays private to certificates.

use sea_orm::ConnectionTrait;
use time::OffsetDateTime;

use super::store;
use crate::entities::certificate;
use crate::error::AppResult;

pub async fn issued_between(
    conn: &impl ConnectionTrait,
    since: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
) -> AppResult<Vec<certificate::Model>> {
    store::issued_between(conn, since, until).await
}

pub async fn revoked_between(
    conn: &impl ConnectionTrait,
    since: Option<OffsetDateTime>,
    until: Option<OffsetDateTime>,
) -> AppResult<Vec<certificate::Model>> {
    store::revoked_between(conn, since, until).await
}

/// Every certificate not revoked.
pub async fn all_standing(conn: &impl ConnectionTrait) -> AppResult<Vec<certificate::Model>> {
    store::all_standing(conn).await
}
