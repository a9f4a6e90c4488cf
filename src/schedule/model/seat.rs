//! Which seat a trainee takes part through: the one answer to "does this
//! trainee hold a seat in a batch of this course, and which batch", for
//! reading modules, quizzes and exams alike. A trainee who takes a course
//! again holds seats in several batches of it; the batch whose window
//! admits the attempt wins, never simply the first one found.

use std::cmp::Reverse;

use time::Date;
use uuid::Uuid;

use super::{BatchStatus, EnrolmentStatus, Phase, phase};

/// Whether a batch's own window (of a quiz or an exam) admits an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Admission {
    /// Open right now.
    Now,
    /// Not open now (not yet, or no longer), but the batch may sit it.
    NotNow,
    /// The batch may not sit it at all (an exam set for another batch).
    Never,
}

/// One of a trainee's enrolments, as the choice sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatOption {
    pub batch_id: Uuid,
    pub course_id: Uuid,
    pub batch_status: BatchStatus,
    pub enrolment: EnrolmentStatus,
    pub starts_on: Date,
    pub ends_on: Date,
    pub admission: Admission,
}

impl SeatOption {
    /// An enrolled (not waiting, withdrawn or closed) seat in a batch that
    /// was not cancelled.
    pub fn holds_seat(&self) -> bool {
        self.enrolment == EnrolmentStatus::Enrolled && self.batch_status != BatchStatus::Cancelled
    }
}

/// The batch through which the trainee takes part in `course_id` on
/// `today`: among held seats of the course that the window does not rule
/// out, one admitting the attempt now first; then a running batch (the
/// latest started), an upcoming one (the soonest) and a finished one (the
/// latest ended); the batch id breaks any tie, so every instance agrees.
pub fn choose_seat(options: &[SeatOption], course_id: Uuid, today: Date) -> Option<Uuid> {
    options
        .iter()
        .filter(|o| o.course_id == course_id && o.holds_seat())
        .filter(|o| o.admission != Admission::Never)
        .min_by_key(|o| {
            let when = match phase(o.batch_status, o.starts_on, o.ends_on, today) {
                Phase::Running => (0, Reverse(o.starts_on), o.starts_on),
                Phase::Upcoming => (1, Reverse(Date::MIN), o.starts_on),
                Phase::Finished | Phase::Cancelled => (2, Reverse(o.ends_on), Date::MIN),
            };
            (o.admission, when, o.batch_id)
        })
        .map(|o| o.batch_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const COURSE: Uuid = Uuid::from_u128(7);
    const TODAY: Date = date!(2026 - 12 - 01);

    fn option(n: u128, status: BatchStatus, starts_on: Date, ends_on: Date) -> SeatOption {
        SeatOption {
            batch_id: Uuid::from_u128(n),
            course_id: COURSE,
            batch_status: status,
            enrolment: EnrolmentStatus::Enrolled,
            starts_on,
            ends_on,
            admission: Admission::Now,
        }
    }

    fn finished() -> SeatOption {
        option(
            1,
            BatchStatus::Finished,
            date!(2026 - 03 - 03),
            date!(2026 - 03 - 05),
        )
    }

    fn running() -> SeatOption {
        option(
            2,
            BatchStatus::Open,
            date!(2026 - 11 - 30),
            date!(2026 - 12 - 02),
        )
    }

    #[test]
    fn a_retaking_trainee_sits_in_the_running_batch_whatever_the_order() {
        for options in [vec![finished(), running()], vec![running(), finished()]] {
            assert_eq!(
                choose_seat(&options, COURSE, TODAY),
                Some(Uuid::from_u128(2))
            );
        }
    }

    #[test]
    fn the_window_that_admits_the_attempt_wins() {
        let mut old = finished();
        let mut new = running();
        // A quiz still open for the old batch only.
        new.admission = Admission::NotNow;
        assert_eq!(
            choose_seat(&[new.clone(), old.clone()], COURSE, TODAY),
            Some(old.batch_id)
        );
        // An exam set for the old batch: the running one may not sit it.
        new.admission = Admission::Never;
        old.admission = Admission::NotNow;
        assert_eq!(
            choose_seat(&[new.clone(), old.clone()], COURSE, TODAY),
            Some(old.batch_id)
        );
        old.admission = Admission::Never;
        assert_eq!(choose_seat(&[new, old], COURSE, TODAY), None);
    }

    #[test]
    fn no_seat_in_cancelled_batches_waitlists_or_other_courses() {
        let mut cancelled = running();
        cancelled.batch_status = BatchStatus::Cancelled;
        let mut waiting = running();
        waiting.enrolment = EnrolmentStatus::Waitlisted;
        let mut withdrawn = running();
        withdrawn.enrolment = EnrolmentStatus::Withdrawn;
        let mut elsewhere = running();
        elsewhere.course_id = Uuid::from_u128(8);
        assert_eq!(
            choose_seat(&[cancelled, waiting, withdrawn, elsewhere], COURSE, TODAY),
            None
        );
        // …but a finished batch still gives a seat when it is the only one.
        assert_eq!(
            choose_seat(&[finished()], COURSE, TODAY),
            Some(Uuid::from_u128(1))
        );
    }

    #[test]
    fn running_then_soonest_upcoming_then_latest_finished_then_id() {
        let soon = option(
            3,
            BatchStatus::Open,
            date!(2026 - 12 - 10),
            date!(2026 - 12 - 11),
        );
        let later = option(
            4,
            BatchStatus::Open,
            date!(2027 - 01 - 10),
            date!(2027 - 01 - 11),
        );
        let older = option(
            5,
            BatchStatus::Finished,
            date!(2025 - 03 - 03),
            date!(2025 - 03 - 05),
        );
        let all = [
            older.clone(),
            later.clone(),
            soon.clone(),
            finished(),
            running(),
        ];
        assert_eq!(choose_seat(&all, COURSE, TODAY), Some(running().batch_id));
        assert_eq!(choose_seat(&all[..4], COURSE, TODAY), Some(soon.batch_id));
        assert_eq!(
            choose_seat(&[older.clone(), finished()], COURSE, TODAY),
            Some(finished().batch_id)
        );
        // Two batches alike in every way: the smaller id, in any order.
        let mut twin = running();
        twin.batch_id = Uuid::from_u128(9);
        assert_eq!(
            choose_seat(&[twin.clone(), running()], COURSE, TODAY),
            choose_seat(&[running(), twin], COURSE, TODAY)
        );
    }
}
