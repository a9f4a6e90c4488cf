//! Who may mark what: conflicts of interest, handing out items to the least
//! loaded assessors, choosing a moderator, and the one rule every manual
//! choice (a marker, a moderator, an appeal assessor) passes: nobody marks
//! their own work, a colleague from their own unit kerja, the same task
//! twice, or judges a mark of their own.

use uuid::Uuid;

use super::Round;
use crate::conflict::Conflict;

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// An assessor may not grade a candidate from their own unit kerja.
pub fn conflict(assessor_unit_kerja: Option<&str>, candidate_unit_kerja: Option<&str>) -> bool {
    match (assessor_unit_kerja, candidate_unit_kerja) {
        (Some(a), Some(c)) => !normalise(a).is_empty() && normalise(a) == normalise(c),
        _ => false,
    }
}

/// An assessor as the hand-out of work sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub id: Uuid,
    /// Units they grade; empty: all.
    pub units: Vec<String>,
    pub lead: bool,
    pub unit_kerja: Option<String>,
    /// Items already given to them in this exam.
    pub load: usize,
}

impl Marker {
    pub fn covers(&self, unit: &str) -> bool {
        self.units.is_empty() || self.units.iter().any(|u| u == unit)
    }
}

/// Who marks a task of a candidate: the least loaded assessors covering
/// the unit, without a conflict of interest and not in `exclude`.
pub fn pick_markers(
    markers: &[Marker],
    unit: &str,
    candidate_unit_kerja: Option<&str>,
    exclude: &[Uuid],
    count: usize,
) -> Vec<Uuid> {
    let mut eligible: Vec<&Marker> = markers
        .iter()
        .filter(|m| m.covers(unit))
        .filter(|m| !exclude.contains(&m.id))
        .filter(|m| !conflict(m.unit_kerja.as_deref(), candidate_unit_kerja))
        .collect();
    eligible.sort_by_key(|m| (m.load, m.id));
    eligible.into_iter().take(count).map(|m| m.id).collect()
}

/// The lead assessor for a moderation: a lead without a conflict who is
/// not one of the markers. None when there is no such lead: then an
/// administrator names the moderator.
pub fn pick_moderator(
    markers: &[Marker],
    unit: &str,
    candidate_unit_kerja: Option<&str>,
    marked_by: &[Uuid],
) -> Option<Uuid> {
    let leads: Vec<Marker> = markers.iter().filter(|m| m.lead).cloned().collect();
    pick_markers(&leads, unit, candidate_unit_kerja, marked_by, 1)
        .into_iter()
        .next()
}

/// Why an assessor may not take a round of a candidate's task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The candidate themself.
    OwnWork,
    /// From the candidate's unit kerja.
    ConflictOfInterest,
    /// Already the other marker of this task.
    OtherMarker,
    /// A moderation or an appeal would judge a mark of their own.
    OwnMark,
}

impl Refusal {
    pub fn code(self) -> Conflict {
        match self {
            Refusal::OwnWork | Refusal::ConflictOfInterest => Conflict::ConflictOfInterest,
            Refusal::OtherMarker => Conflict::SameAssessor,
            Refusal::OwnMark => Conflict::OwnMark,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Refusal::OwnWork => "Peserta tidak dapat menilai pekerjaannya sendiri.",
            Refusal::ConflictOfInterest => {
                "Asesor ini berasal dari unit kerja yang sama dengan peserta; pilih asesor lain."
            }
            Refusal::OtherMarker => {
                "Asesor ini sudah menjadi penilai lain untuk tugas ini; dua penilai harus berbeda."
            }
            Refusal::OwnMark => {
                "Asesor ini ikut menilai peserta ini; moderasi dan banding harus oleh asesor lain."
            }
        }
    }
}

/// An item a candidate already has, as [`may_mark`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub task_key: String,
    pub round: Round,
    pub assessor_id: Uuid,
}

/// Whether `assessor` may take `round` of the candidate's task `task_key`,
/// given the candidate's other items (`held`, without the one being
/// filled). A marker may not hold both marking rounds of a task; a
/// moderator may not be one of the task's markers; an appeal assessor may
/// not have marked or moderated any of the candidate's tasks.
pub fn may_mark(
    round: Round,
    task_key: &str,
    assessor: (Uuid, Option<&str>),
    candidate: (Uuid, Option<&str>),
    held: &[Held],
) -> Result<(), Refusal> {
    let (assessor_id, assessor_unit_kerja) = assessor;
    let (candidate_id, candidate_unit_kerja) = candidate;
    if assessor_id == candidate_id {
        return Err(Refusal::OwnWork);
    }
    if conflict(assessor_unit_kerja, candidate_unit_kerja) {
        return Err(Refusal::ConflictOfInterest);
    }
    let mine = |h: &&Held| h.assessor_id == assessor_id;
    let marking = |r: Round| matches!(r, Round::First | Round::Second);
    let refused = match round {
        Round::First | Round::Second => held
            .iter()
            .filter(mine)
            .any(|h| h.task_key == task_key && marking(h.round) && h.round != round)
            .then_some(Refusal::OtherMarker),
        Round::Moderation => held
            .iter()
            .filter(mine)
            .any(|h| h.task_key == task_key && marking(h.round))
            .then_some(Refusal::OwnMark),
        Round::Appeal => held
            .iter()
            .filter(mine)
            .any(|h| h.round != Round::Appeal)
            .then_some(Refusal::OwnMark),
    };
    refused.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn held(task: &str, round: Round, assessor: u128) -> Held {
        Held {
            task_key: task.into(),
            round,
            assessor_id: id(assessor),
        }
    }

    const CANDIDATE: (Uuid, Option<&str>) = (Uuid::from_u128(100), Some("Dinkes"));

    fn check(round: Round, task: &str, assessor: u128, held: &[Held]) -> Result<(), Refusal> {
        may_mark(round, task, (id(assessor), Some("BKD")), CANDIDATE, held)
    }

    #[test]
    fn nobody_moderates_their_own_mark() {
        let marks = [
            held("rilis", Round::First, 1),
            held("rilis", Round::Second, 2),
        ];
        assert_eq!(
            check(Round::Moderation, "rilis", 1, &marks),
            Err(Refusal::OwnMark)
        );
        assert_eq!(
            check(Round::Moderation, "rilis", 2, &marks),
            Err(Refusal::OwnMark)
        );
        assert_eq!(check(Round::Moderation, "rilis", 3, &marks), Ok(()));
        // Marking another task of the candidate is no bar to moderating this one.
        assert_eq!(check(Round::Moderation, "kutipan", 1, &marks), Ok(()));
    }

    #[test]
    fn nobody_decides_an_appeal_on_their_own_marks() {
        let items = [
            held("rilis", Round::First, 1),
            held("kutipan", Round::Moderation, 3),
            held("rilis", Round::Appeal, 4),
        ];
        for who in [1, 3] {
            assert_eq!(
                check(Round::Appeal, "kutipan", who, &items),
                Err(Refusal::OwnMark),
                "{who}"
            );
        }
        assert_eq!(check(Round::Appeal, "kutipan", 4, &items), Ok(()));
        assert_eq!(check(Round::Appeal, "kutipan", 5, &items), Ok(()));
    }

    #[test]
    fn two_markers_of_a_task_are_two_people() {
        let first = [held("rilis", Round::First, 1)];
        assert_eq!(
            check(Round::Second, "rilis", 1, &first),
            Err(Refusal::OtherMarker)
        );
        assert_eq!(check(Round::Second, "rilis", 2, &first), Ok(()));
        // Replacing the first marker by themself, or marking another task: fine.
        assert_eq!(check(Round::First, "rilis", 1, &first), Ok(()));
        assert_eq!(check(Round::Second, "kutipan", 1, &first), Ok(()));
    }

    #[test]
    fn never_oneself_nor_a_colleague() {
        assert_eq!(
            may_mark(
                Round::First,
                "rilis",
                (CANDIDATE.0, Some("BKD")),
                CANDIDATE,
                &[]
            ),
            Err(Refusal::OwnWork)
        );
        assert_eq!(
            may_mark(
                Round::Moderation,
                "rilis",
                (id(1), Some(" dinkes ")),
                CANDIDATE,
                &[]
            ),
            Err(Refusal::ConflictOfInterest)
        );
    }

    #[test]
    fn the_lead_never_moderates_a_pair_it_marked() {
        let markers = vec![
            Marker {
                id: id(1),
                units: vec![],
                lead: true,
                unit_kerja: Some("Diskominfo".into()),
                load: 0,
            },
            Marker {
                id: id(2),
                units: vec![],
                lead: false,
                unit_kerja: Some("Bappeda".into()),
                load: 0,
            },
        ];
        assert_eq!(
            pick_moderator(&markers, "sp", Some("BKD"), &[id(1), id(2)]),
            None
        );
        assert_eq!(
            pick_moderator(&markers, "sp", Some("BKD"), &[id(2), id(3)]),
            Some(id(1))
        );
    }
}
