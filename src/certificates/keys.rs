//! The Ed25519 keys certificates are signed with. The first start creates
//! one; `bimtek keys rotate` retires it and makes a new one. Retired keys
//! are kept: what they signed still verifies. Keys live in the database so
//! every instance signs with the same one (back the database up, keep it
//! private: whoever reads `signing_keys` can sign certificates).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use poem_openapi::Object;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::clock;
use crate::db::Db;
use crate::entities::signing_key;
use crate::error::{AppError, AppResult};

/// A signing key and its id (the active one signs new certificates).
pub struct ActiveKey {
    pub kid: String,
    key: SigningKey,
}

impl ActiveKey {
    /// base64url (no padding) Ed25519 signature of `bytes`.
    pub fn sign(&self, bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(self.key.sign(bytes).to_bytes())
    }
}

fn insert_row(kid: &str) -> signing_key::ActiveModel {
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    signing_key::ActiveModel {
        kid: Set(kid.to_owned()),
        secret_key: Set(hex::encode(key.to_bytes())),
        public_key: Set(hex::encode(key.verifying_key().to_bytes())),
        created_at: Set(clock::now()),
        retired_at: Set(None),
    }
}

/// Creates the first key unless one exists (instances starting together
/// agree on one: the insert does nothing when another got there first).
pub async fn ensure(db: &Db) -> AppResult<()> {
    let any = signing_key::Entity::find().one(db.write()).await?;
    if any.is_none() {
        signing_key::Entity::insert(insert_row("k1"))
            .on_conflict_do_nothing_on([signing_key::Column::Kid])
            .exec(db.write())
            .await?;
    }
    Ok(())
}

pub async fn active(db: &Db) -> AppResult<ActiveKey> {
    let row = signing_key::Entity::find()
        .filter(signing_key::Column::RetiredAt.is_null())
        .order_by_desc(signing_key::Column::CreatedAt)
        .one(db.read())
        .await?
        .ok_or_else(|| AppError::internal("no active signing key"))?;
    signing(row)
}

/// The key called `kid`, retired or not: what a certificate signed with it
/// says later (its public record, its badge) is signed by the same key.
pub async fn by_kid(db: &Db, kid: &str) -> AppResult<ActiveKey> {
    let row = signing_key::Entity::find_by_id(kid.to_owned())
        .one(db.read())
        .await?
        .ok_or_else(|| AppError::internal(format!("signing key {kid} missing")))?;
    signing(row)
}

fn signing(row: signing_key::Model) -> AppResult<ActiveKey> {
    let secret: [u8; 32] = hex::decode(&row.secret_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AppError::internal(format!("signing key {} unreadable", row.kid)))?;
    Ok(ActiveKey {
        kid: row.kid,
        key: SigningKey::from_bytes(&secret),
    })
}

/// Retires the active key and makes a new one; returns the new key id.
pub async fn rotate(db: &Db) -> AppResult<String> {
    let count = signing_key::Entity::find().all(db.read()).await?.len();
    let kid = format!("k{}", count + 1);
    let txn = db.begin_write().await?;
    signing_key::Entity::update_many()
        .col_expr(
            signing_key::Column::RetiredAt,
            sea_orm::sea_query::Expr::value(clock::now()),
        )
        .filter(signing_key::Column::RetiredAt.is_null())
        .exec(&txn)
        .await?;
    signing_key::Entity::insert(insert_row(&kid))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(kid)
}

/// A public key as published (JWK, OKP/Ed25519).
#[derive(Debug, Clone, Serialize, Object)]
pub struct PublicKey {
    pub kid: String,
    pub kty: String,
    pub crv: String,
    /// base64url of the 32-byte key.
    pub x: String,
    pub retired: bool,
}

pub async fn public_keys(db: &Db) -> AppResult<Vec<PublicKey>> {
    Ok(signing_key::Entity::find()
        .order_by_asc(signing_key::Column::CreatedAt)
        .all(db.read())
        .await?
        .into_iter()
        .filter_map(|k| {
            let bytes = hex::decode(&k.public_key).ok()?;
            Some(PublicKey {
                kid: k.kid,
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                x: URL_SAFE_NO_PAD.encode(bytes),
                retired: k.retired_at.is_some(),
            })
        })
        .collect())
}

/// Whether `signature` is key `kid`'s signature of `bytes`.
pub async fn verify(db: &Db, kid: &str, bytes: &[u8], signature: &str) -> AppResult<bool> {
    let Some(row) = signing_key::Entity::find_by_id(kid.to_owned())
        .one(db.read())
        .await?
    else {
        return Ok(false);
    };
    Ok(check(&row.public_key, bytes, signature))
}

/// The pure check: hex public key, base64url signature.
pub fn check(public_hex: &str, bytes: &[u8], signature: &str) -> bool {
    let Some(public) = hex::decode(public_hex)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
    else {
        return false;
    };
    let Some(sig) = URL_SAFE_NO_PAD
        .decode(signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return false;
    };
    public.verify(bytes, &Signature::from_bytes(&sig)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_the_same_bytes() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let active = ActiveKey {
            kid: "k1".into(),
            key: key.clone(),
        };
        let public = hex::encode(key.verifying_key().to_bytes());
        let sig = active.sign(b"nomor 001");
        assert!(check(&public, b"nomor 001", &sig));
        assert!(!check(&public, b"nomor 002", &sig));
        assert!(!check(&public, b"nomor 001", "bukan-tanda-tangan"));
        let other = hex::encode(
            SigningKey::from_bytes(&[8u8; 32])
                .verifying_key()
                .to_bytes(),
        );
        assert!(!check(&other, b"nomor 001", &sig));
    }
}
