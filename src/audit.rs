//! The audit log: every change of a grade (and later of a certificate) is
//! recorded with who, when, the old and the new value, and why.

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use crate::clock;
use crate::entities::audit_log;
use crate::error::AppResult;

pub struct Entry<'a> {
    pub actor: Option<Uuid>,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Uuid,
    pub old: Option<serde_json::Value>,
    pub new: Option<serde_json::Value>,
    pub reason: Option<&'a str>,
}

pub async fn record(conn: &impl ConnectionTrait, entry: Entry<'_>) -> AppResult<()> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(clock::now()),
        actor_id: Set(entry.actor),
        action: Set(entry.action.to_owned()),
        object_type: Set(entry.object_type.to_owned()),
        object_id: Set(entry.object_id),
        old_value: Set(entry.old.map(|v| v.to_string())),
        new_value: Set(entry.new.map(|v| v.to_string())),
        reason: Set(entry.reason.map(str::to_owned)),
    })
    .exec(conn)
    .await?;
    Ok(())
}

/// Forgets the before and after values recorded about one object (what
/// an anonymised person's entries said of them); who acted, what and when
/// stay.
pub async fn scrub_values(
    conn: &impl ConnectionTrait,
    object_type: &str,
    object_id: Uuid,
) -> AppResult<u64> {
    use sea_orm::sea_query::Expr;
    Ok(audit_log::Entity::update_many()
        .col_expr(
            audit_log::Column::OldValue,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            audit_log::Column::NewValue,
            Expr::value(Option::<String>::None),
        )
        .filter(audit_log::Column::ObjectType.eq(object_type))
        .filter(audit_log::Column::ObjectId.eq(object_id))
        .exec(conn)
        .await?
        .rows_affected)
}

#[derive(Debug, Clone, Serialize, poem_openapi::Object)]
pub struct AuditView {
    pub at: time::OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

pub async fn history(
    conn: &impl ConnectionTrait,
    object_type: &str,
    object_id: Uuid,
) -> AppResult<Vec<AuditView>> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::ObjectType.eq(object_type))
        .filter(audit_log::Column::ObjectId.eq(object_id))
        .order_by_asc(audit_log::Column::At)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| AuditView {
            at: e.at,
            actor_id: e.actor_id,
            action: e.action,
            old_value: e.old_value,
            new_value: e.new_value,
            reason: e.reason,
        })
        .collect())
}

/// Every entry about any of `ids` (objects of one type), oldest first.
pub async fn entries_of(
    conn: &impl ConnectionTrait,
    object_type: &str,
    ids: &[Uuid],
) -> AppResult<Vec<audit_log::Model>> {
    let mut out = Vec::new();
    // Bounded IN lists: an exam can have thousands of grading items.
    for chunk in ids.chunks(500) {
        out.extend(
            audit_log::Entity::find()
                .filter(audit_log::Column::ObjectType.eq(object_type))
                .filter(audit_log::Column::ObjectId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    out.sort_by_key(|e| (e.at, e.id));
    Ok(out)
}
