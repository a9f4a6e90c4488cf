//! Queries on courses, modules, attachments and completions.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::model::{CourseStatus, Track};
use crate::entities::{course, module, module_attachment, module_completion};
use crate::error::AppResult;

pub async fn get_course(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<course::Model>> {
    Ok(course::Entity::find_by_id(id).one(conn).await?)
}

pub async fn course_by_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> AppResult<Option<course::Model>> {
    Ok(course::Entity::find()
        .filter(course::Column::Code.eq(code))
        .one(conn)
        .await?)
}

pub async fn list_courses(
    conn: &impl ConnectionTrait,
    status: Option<CourseStatus>,
    track: Option<Track>,
) -> AppResult<Vec<course::Model>> {
    let mut query = course::Entity::find();
    if let Some(status) = status {
        query = query.filter(course::Column::Status.eq(status));
    }
    if let Some(track) = track {
        query = query.filter(course::Column::Track.eq(track));
    }
    Ok(query.order_by_asc(course::Column::Title).all(conn).await?)
}

/// Modules of one course in reading order.
pub async fn modules_of(
    conn: &impl ConnectionTrait,
    course_id: Uuid,
) -> AppResult<Vec<module::Model>> {
    Ok(module::Entity::find()
        .filter(module::Column::CourseId.eq(course_id))
        .order_by_asc(module::Column::Position)
        .order_by_asc(module::Column::CreatedAt)
        .all(conn)
        .await?)
}

/// `(module count, total JP)` per course.
pub async fn totals(
    conn: &impl ConnectionTrait,
    course_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, (u32, i32)>> {
    let rows: Vec<(Uuid, Option<i32>)> = module::Entity::find()
        .select_only()
        .column(module::Column::CourseId)
        .column(module::Column::Jp)
        .filter(module::Column::CourseId.is_in(course_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut totals: HashMap<Uuid, (u32, i32)> = HashMap::new();
    for (course_id, jp) in rows {
        let entry = totals.entry(course_id).or_default();
        entry.0 += 1;
        entry.1 += jp.unwrap_or(0);
    }
    Ok(totals)
}

pub async fn get_module(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<module::Model>> {
    Ok(module::Entity::find_by_id(id).one(conn).await?)
}

pub async fn next_position(conn: &impl ConnectionTrait, course_id: Uuid) -> AppResult<i32> {
    let last: Option<i32> = module::Entity::find()
        .select_only()
        .column(module::Column::Position)
        .filter(module::Column::CourseId.eq(course_id))
        .order_by_desc(module::Column::Position)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(last.map_or(1, |p| p + 1))
}

pub async fn set_position(
    conn: &impl ConnectionTrait,
    module_id: Uuid,
    position: i32,
) -> AppResult<()> {
    module::Entity::update_many()
        .col_expr(
            module::Column::Position,
            sea_orm::sea_query::Expr::value(position),
        )
        .filter(module::Column::Id.eq(module_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Which of `module_ids` the user has read.
pub async fn completed_by(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    module_ids: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    let ids: Vec<Uuid> = module_completion::Entity::find()
        .select_only()
        .column(module_completion::Column::ModuleId)
        .filter(module_completion::Column::UserId.eq(user_id))
        .filter(module_completion::Column::ModuleId.is_in(module_ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Records that `user_id` read `module_id`; a second call keeps the first time.
pub async fn mark_completed(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    module_id: Uuid,
    at: OffsetDateTime,
) -> AppResult<OffsetDateTime> {
    module_completion::Entity::insert(module_completion::ActiveModel {
        user_id: Set(user_id),
        module_id: Set(module_id),
        completed_at: Set(at),
    })
    .on_conflict_do_nothing_on([
        module_completion::Column::UserId,
        module_completion::Column::ModuleId,
    ])
    .exec(conn)
    .await?;
    let stored = module_completion::Entity::find_by_id((user_id, module_id))
        .one(conn)
        .await?
        .map_or(at, |c| c.completed_at);
    Ok(stored)
}

/// Attachment metadata (without the bytes) of a module.
pub async fn attachments_of(
    conn: &impl ConnectionTrait,
    module_id: Uuid,
) -> AppResult<Vec<(Uuid, String, String, i64)>> {
    Ok(module_attachment::Entity::find()
        .select_only()
        .column(module_attachment::Column::Id)
        .column(module_attachment::Column::FileName)
        .column(module_attachment::Column::ContentType)
        .column(module_attachment::Column::Size)
        .filter(module_attachment::Column::ModuleId.eq(module_id))
        .order_by_asc(module_attachment::Column::CreatedAt)
        .into_tuple()
        .all(conn)
        .await?)
}

pub async fn get_attachment(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<module_attachment::Model>> {
    Ok(module_attachment::Entity::find_by_id(id).one(conn).await?)
}
