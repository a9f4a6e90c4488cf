//! Seats: the one place that answers whether a trainee holds a seat in a
//! batch of a course, and through which batch they take part. Modules,
//! quizzes and exams all ask here; the choosing rule is
//! [`choose_seat`](super::model::choose_seat).

use uuid::Uuid;

use super::model::{Admission, SeatOption, choose_seat};
use super::store;
use crate::clock;
use crate::db::Db;
use crate::entities::batch;
use crate::error::AppResult;

/// Every batch the trainee has an enrolment in, with what the choice needs.
async fn options(
    db: &Db,
    user_id: Uuid,
    admission: impl Fn(&batch::Model) -> Admission,
) -> AppResult<Vec<(SeatOption, batch::Model)>> {
    let mut out = Vec::new();
    for e in store::enrolments_of_user(db.read(), user_id).await? {
        let Some(b) = store::batch(db.read(), e.batch_id).await? else {
            continue;
        };
        let option = SeatOption {
            batch_id: b.id,
            course_id: b.course_id,
            batch_status: b.status,
            enrolment: e.status,
            starts_on: b.starts_on,
            ends_on: b.ends_on,
            admission: admission(&b),
        };
        out.push((option, b));
    }
    Ok(out)
}

/// The batch through which `user_id` takes part in `course_id` now, if they
/// hold a seat in one; `admission` says whether a batch's own window (of
/// the quiz or exam at hand) admits the attempt.
pub async fn seat(
    db: &Db,
    user_id: Uuid,
    course_id: Uuid,
    admission: impl Fn(&batch::Model) -> Admission,
) -> AppResult<Option<batch::Model>> {
    let options = options(db, user_id, admission).await?;
    let seats: Vec<SeatOption> = options.iter().map(|(o, _)| o.clone()).collect();
    let chosen = choose_seat(&seats, course_id, clock::today_wib());
    Ok(options
        .into_iter()
        .find(|(o, _)| Some(o.batch_id) == chosen)
        .map(|(_, b)| b))
}

/// Every batch in which `user_id` holds a seat (enrolled, not cancelled).
pub async fn seated_batches(db: &Db, user_id: Uuid) -> AppResult<Vec<batch::Model>> {
    Ok(options(db, user_id, |_| Admission::Now)
        .await?
        .into_iter()
        .filter(|(o, _)| o.holds_seat())
        .map(|(_, b)| b)
        .collect())
}
