//! Instance-wide secrets (the CSRF key, later the certificate signing key
//! location) created on first start and stored in the database, so every
//! instance behind a load balancer uses the same ones.

use sea_orm::{ActiveValue::Set, EntityTrait};

use crate::clock;
use crate::db::Db;
use crate::entities::app_secret;
use crate::error::{AppError, AppResult};

/// Returns the 32-byte secret called `name`, creating it at random if it
/// does not exist yet. Concurrent first starts agree on one value: the
/// insert does nothing when another instance got there first.
pub async fn load_or_create(db: &Db, name: &str) -> AppResult<[u8; 32]> {
    let candidate = hex::encode(rand::random::<[u8; 32]>());
    app_secret::Entity::insert(app_secret::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(candidate),
        created_at: Set(clock::now()),
    })
    .on_conflict_do_nothing_on([app_secret::Column::Name])
    .exec(db.write())
    .await?;
    let stored = app_secret::Entity::find_by_id(name.to_owned())
        .one(db.write())
        .await?
        .ok_or_else(|| AppError::internal(format!("secret {name} missing after insert")))?;
    let bytes = hex::decode(&stored.value)
        .map_err(|_| AppError::internal(format!("secret {name} is not hex")))?;
    bytes
        .try_into()
        .map_err(|_| AppError::internal(format!("secret {name} has the wrong length")))
}
