//! Queries on banks, their versions and question versions.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::formats::Format;
use super::media::MediaFile;
use super::model::Question;
use crate::entities::{
    bank_version, bank_version_question, question, question_bank, question_media, question_tag,
};
use crate::error::{AppError, AppResult};

pub async fn bank_by_name(
    conn: &impl ConnectionTrait,
    name: &str,
) -> AppResult<Option<question_bank::Model>> {
    Ok(question_bank::Entity::find()
        .filter(question_bank::Column::Name.eq(name))
        .one(conn)
        .await?)
}

pub async fn bank(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> AppResult<Option<question_bank::Model>> {
    Ok(question_bank::Entity::find_by_id(id).one(conn).await?)
}

pub async fn banks(conn: &impl ConnectionTrait) -> AppResult<Vec<question_bank::Model>> {
    Ok(question_bank::Entity::find()
        .order_by_asc(question_bank::Column::Name)
        .all(conn)
        .await?)
}

pub async fn insert_bank(
    conn: &impl ConnectionTrait,
    name: &str,
    source_format: Format,
    now: OffsetDateTime,
) -> AppResult<question_bank::Model> {
    Ok(question_bank::Entity::insert(question_bank::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        source_format: Set(source_format),
        current_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(conn)
    .await?)
}

pub async fn version(
    conn: &impl ConnectionTrait,
    bank_id: Uuid,
    version: i32,
) -> AppResult<Option<bank_version::Model>> {
    Ok(bank_version::Entity::find()
        .filter(bank_version::Column::BankId.eq(bank_id))
        .filter(bank_version::Column::Version.eq(version))
        .one(conn)
        .await?)
}

/// The question ids of a bank version, in file order.
pub async fn members(conn: &impl ConnectionTrait, bank_version_id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(bank_version_question::Entity::find()
        .select_only()
        .column(bank_version_question::Column::QuestionId)
        .filter(bank_version_question::Column::BankVersionId.eq(bank_version_id))
        .order_by_asc(bank_version_question::Column::Position)
        .into_tuple()
        .all(conn)
        .await?)
}

/// The newest version of each question of a bank, by stable id.
pub async fn latest_questions(
    conn: &impl ConnectionTrait,
    bank_id: Uuid,
) -> AppResult<HashMap<String, question::Model>> {
    let rows = question::Entity::find()
        .filter(question::Column::BankId.eq(bank_id))
        .order_by_asc(question::Column::Version)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|q| (q.stable_id.clone(), q)).collect())
}

pub async fn insert_question(
    conn: &impl ConnectionTrait,
    bank_id: Uuid,
    version: i32,
    content: &Question,
    now: OffsetDateTime,
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    question::Entity::insert(question::ActiveModel {
        id: Set(id),
        bank_id: Set(bank_id),
        stable_id: Set(content.stable_id()),
        version: Set(version),
        content_hash: Set(content.content_hash()),
        qtype: Set(content.kind()),
        title: Set(content.title.clone()),
        category: Set(content.category.clone()),
        content: Set(serde_json::to_string(content).map_err(|e| AppError::internal(e.to_string()))?),
        created_at: Set(now),
    })
    .exec(conn)
    .await?;
    let mut tags: Vec<&String> = content.tags.iter().collect();
    tags.sort();
    tags.dedup();
    let rows: Vec<_> = tags
        .into_iter()
        .map(|tag| question_tag::ActiveModel {
            question_id: Set(id),
            tag: Set(tag.clone()),
        })
        .collect();
    if !rows.is_empty() {
        question_tag::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(id)
}

pub struct NewVersion<'a> {
    pub bank_id: Uuid,
    pub version: i32,
    pub source_name: &'a str,
    pub created_by: Option<Uuid>,
    pub members: &'a [Uuid],
}

pub async fn insert_version(
    conn: &impl ConnectionTrait,
    new: NewVersion<'_>,
    now: OffsetDateTime,
) -> AppResult<()> {
    let id = Uuid::now_v7();
    bank_version::Entity::insert(bank_version::ActiveModel {
        id: Set(id),
        bank_id: Set(new.bank_id),
        version: Set(new.version),
        source_name: Set(new.source_name.to_owned()),
        question_count: Set(new.members.len() as i32),
        created_by: Set(new.created_by),
        created_at: Set(now),
    })
    .exec(conn)
    .await?;
    for (chunk, ids) in new.members.chunks(200).enumerate() {
        let offset = chunk * 200;
        let rows: Vec<_> = ids
            .iter()
            .enumerate()
            .map(|(i, question_id)| bank_version_question::ActiveModel {
                bank_version_id: Set(id),
                question_id: Set(*question_id),
                position: Set((offset + i) as i32),
            })
            .collect();
        bank_version_question::Entity::insert_many(rows)
            .exec(conn)
            .await?;
    }
    question_bank::Entity::update_many()
        .col_expr(
            question_bank::Column::CurrentVersion,
            sea_orm::sea_query::Expr::value(new.version),
        )
        .col_expr(
            question_bank::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(question_bank::Column::Id.eq(new.bank_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Question rows by id, in the order of `ids`.
pub async fn questions_by_ids(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<Vec<question::Model>> {
    let mut rows: HashMap<Uuid, question::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in question::Entity::find()
            .filter(question::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            rows.insert(row.id, row);
        }
    }
    Ok(ids.iter().filter_map(|id| rows.remove(id)).collect())
}

/// Which of `ids` carry `tag`.
pub async fn with_tag(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    tag: &str,
) -> AppResult<Vec<Uuid>> {
    let mut tagged = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        let found: Vec<Uuid> = question_tag::Entity::find()
            .select_only()
            .column(question_tag::Column::QuestionId)
            .filter(question_tag::Column::Tag.eq(tag))
            .filter(question_tag::Column::QuestionId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        tagged.extend(found);
    }
    Ok(ids
        .iter()
        .copied()
        .filter(|id| tagged.contains(id))
        .collect())
}

/// Stores an image unless its content is stored already (two imports of
/// one picture at once both succeed: the second finds the first's row).
pub async fn insert_media(
    conn: &impl ConnectionTrait,
    file: &MediaFile,
    now: OffsetDateTime,
) -> AppResult<()> {
    question_media::Entity::insert(question_media::ActiveModel {
        sha256: Set(file.sha256.clone()),
        content_type: Set(file.content_type.to_owned()),
        size: Set(file.bytes.len() as i64),
        data: Set(file.bytes.clone()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(question_media::Column::Sha256)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// One stored image.
pub async fn media(
    conn: &impl ConnectionTrait,
    sha256: &str,
) -> AppResult<Option<question_media::Model>> {
    Ok(question_media::Entity::find_by_id(sha256.to_owned())
        .one(conn)
        .await?)
}

/// The bytes of stored images, by SHA-256.
pub async fn media_bytes(
    conn: &impl ConnectionTrait,
    shas: &[String],
) -> AppResult<std::collections::BTreeMap<String, Vec<u8>>> {
    let mut out = std::collections::BTreeMap::new();
    for chunk in shas.chunks(100) {
        for row in question_media::Entity::find()
            .filter(question_media::Column::Sha256.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?
        {
            out.insert(row.sha256, row.data);
        }
    }
    Ok(out)
}
