//! Queries on users and their roles. Callers pass the connection, so the
//! same functions serve plain reads and write transactions.

use std::collections::{BTreeSet, HashMap};

use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{ListFilter, NewUser, Role, UserView};
use crate::entities::{user, user_role};
use crate::error::{AppResult, FieldError};

pub fn view(account: user::Model, roles: &BTreeSet<Role>) -> UserView {
    UserView {
        id: account.id,
        username: account.username,
        nip: account.nip,
        name: account.name,
        email: account.email,
        unit_kerja: account.unit_kerja,
        jabatan: account.jabatan,
        roles: roles.iter().copied().collect(),
        active: account.active,
        has_password: account.password_hash.is_some(),
        created_at: account.created_at,
        updated_at: account.updated_at,
        anonymised_at: account.anonymised_at,
    }
}

pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(conn).await?)
}

/// The account row locked for update on PostgreSQL (SQLite's writer is
/// already alone): decisions about it wait for each other.
pub async fn get_for_update(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?)
}

/// The accounts among `ids` that exist.
pub async fn get_many(conn: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<user::Model>> {
    let mut found = Vec::with_capacity(ids.len());
    // Bounded IN lists: a sheet may cover a whole OPD.
    for chunk in ids.chunks(500) {
        found.extend(
            user::Entity::find()
                .filter(user::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(found)
}

/// Finds the account a person means by `login`: username, NIP (spaces
/// ignored) or e-mail, case-insensitively.
pub async fn find_by_login(
    conn: &impl ConnectionTrait,
    login: &str,
) -> AppResult<Option<user::Model>> {
    let lowered = login.trim().to_lowercase();
    let nip: String = lowered.chars().filter(|c| !c.is_whitespace()).collect();
    Ok(user::Entity::find()
        .filter(
            Condition::any()
                .add(user::Column::Username.eq(lowered.clone()))
                .add(user::Column::Nip.eq(nip))
                .add(user::Column::Email.eq(lowered)),
        )
        .one(conn)
        .await?)
}

pub async fn find_by_nip(conn: &impl ConnectionTrait, nip: &str) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Nip.eq(nip))
        .one(conn)
        .await?)
}

pub async fn find_by_username(
    conn: &impl ConnectionTrait,
    username: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .one(conn)
        .await?)
}

pub async fn roles_of(conn: &impl ConnectionTrait, user_id: Uuid) -> AppResult<BTreeSet<Role>> {
    Ok(user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.role)
        .collect())
}

pub async fn roles_of_many(
    conn: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, BTreeSet<Role>>> {
    let mut roles: HashMap<Uuid, BTreeSet<Role>> = HashMap::new();
    for row in user_role::Entity::find()
        .filter(user_role::Column::UserId.is_in(user_ids.iter().copied()))
        .all(conn)
        .await?
    {
        roles.entry(row.user_id).or_default().insert(row.role);
    }
    Ok(roles)
}

/// Which of `username`, `nip`, `email` another account (not `except`) already uses.
pub async fn taken_fields(
    conn: &impl ConnectionTrait,
    username: Option<&str>,
    nip: Option<&str>,
    email: Option<&str>,
    except: Option<Uuid>,
) -> AppResult<Vec<FieldError>> {
    let checks = [
        (
            "nip",
            user::Column::Nip,
            nip,
            "NIP sudah terdaftar pada akun lain",
        ),
        (
            "username",
            user::Column::Username,
            username,
            "nama pengguna sudah dipakai akun lain",
        ),
        (
            "email",
            user::Column::Email,
            email,
            "e-mail sudah dipakai akun lain",
        ),
    ];
    let mut taken: Vec<FieldError> = Vec::new();
    for (field, column, value, message) in checks {
        let Some(value) = value else { continue };
        // A username that is the NIP clashes exactly when the NIP does; say it once.
        if field == "username" && Some(value) == nip && taken.iter().any(|e| e.field == "nip") {
            continue;
        }
        let mut query = user::Entity::find().filter(column.eq(value));
        if let Some(id) = except {
            query = query.filter(user::Column::Id.ne(id));
        }
        if query.count(conn).await? > 0 {
            taken.push(FieldError::new(field, message));
        }
    }
    Ok(taken)
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    new: &NewUser,
    password_hash: Option<String>,
    now: OffsetDateTime,
) -> AppResult<user::Model> {
    let id = Uuid::now_v7();
    let model = user::Entity::insert(user::ActiveModel {
        id: Set(id),
        username: Set(new.username.clone()),
        nip: Set(new.nip.as_ref().map(|n| n.as_str().to_owned())),
        name: Set(new.name.clone()),
        email: Set(new.email.clone()),
        unit_kerja: Set(new.unit_kerja.clone()),
        jabatan: Set(new.jabatan.clone()),
        password_hash: Set(password_hash),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        anonymised_at: Set(None),
    })
    .exec_with_returning(conn)
    .await?;
    set_roles(conn, id, &new.roles).await?;
    Ok(model)
}

pub async fn set_roles(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    roles: &BTreeSet<Role>,
) -> AppResult<()> {
    user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(user_id))
        .exec(conn)
        .await?;
    let rows: Vec<_> = roles
        .iter()
        .map(|role| user_role::ActiveModel {
            user_id: Set(user_id),
            role: Set(*role),
        })
        .collect();
    if !rows.is_empty() {
        user_role::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// Writes a changed account. An anonymised account is never written again
/// (only the anonymisation itself sets `anonymised_at`), whichever path
/// tries: the check sits here so that no caller can forget it.
pub async fn update(
    conn: &impl ConnectionTrait,
    changed: user::ActiveModel,
) -> AppResult<user::Model> {
    if let sea_orm::ActiveValue::Unchanged(Some(_)) = changed.anonymised_at {
        return Err(super::model::refused_anonymised());
    }
    Ok(user::Entity::update(changed).exec(conn).await?)
}

pub async fn count_active_admins(conn: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(user_role::Column::UserId)
                    .from(user_role::Entity)
                    .and_where(Expr::col(user_role::Column::Role).eq(Role::Admin.as_str()))
                    .to_owned(),
            ),
        )
        .count(conn)
        .await?)
}

/// Every active account that has no password yet, by name.
pub async fn ids_without_password(conn: &impl ConnectionTrait) -> AppResult<Vec<Uuid>> {
    Ok(user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::PasswordHash.is_null())
        .order_by_asc(user::Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

pub async fn count_all(conn: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(user::Entity::find().count(conn).await?)
}

/// One page of users, ordered by name, and the total number matching.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &ListFilter,
) -> AppResult<(Vec<user::Model>, u64)> {
    let mut select = user::Entity::find();
    if let Some(role) = filter.role {
        select = select.filter(
            user::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(user_role::Column::UserId)
                    .from(user_role::Entity)
                    .and_where(Expr::col(user_role::Column::Role).eq(role.as_str()))
                    .to_owned(),
            ),
        );
    }
    if let Some(q) = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        let pattern = format!("%{}%", q.to_lowercase());
        let mut any = Condition::any();
        for column in [
            user::Column::Name,
            user::Column::Username,
            user::Column::Nip,
            user::Column::Email,
            user::Column::UnitKerja,
        ] {
            any = any.add(Expr::expr(Func::lower(Expr::col(column))).like(pattern.clone()));
        }
        select = select.filter(any);
    }
    let total = select.clone().count(conn).await?;
    let rows = select
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .offset(filter.page.saturating_sub(1) * filter.per_page)
        .limit(filter.per_page)
        .all(conn)
        .await?;
    Ok((rows, total))
}
