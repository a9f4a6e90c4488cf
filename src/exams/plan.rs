//! Who marks what: the grading items an exam still needs, from the
//! finished attempts, the items that exist and the assessors. Pure, so the
//! same plan comes out on every instance; the unique index on
//! (attempt, task, round) makes running it twice harmless.

use uuid::Uuid;

use super::model::{
    ExamSpec, FinalRule, ItemStatus, Marker, Round, RoundMarks, TaskOutcome, final_mark,
    pick_markers, pick_moderator,
};
use crate::entities::grading_item;

/// A finished attempt of a candidate.
#[derive(Debug, Clone)]
pub struct Sitting {
    pub attempt_id: Uuid,
    pub candidate_id: Uuid,
    pub unit_kerja: Option<String>,
}

/// An existing item as the plan needs it.
#[derive(Debug, Clone)]
pub struct ItemState {
    pub attempt_id: Uuid,
    pub task_key: String,
    pub round: Round,
    pub assessor_id: Uuid,
    /// The total once the item is final.
    pub final_total: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub attempt_id: Uuid,
    pub task_key: String,
    pub candidate_id: Uuid,
    pub assessor_id: Uuid,
    pub round: Round,
}

/// The final totals per round of one task of one attempt.
pub fn round_marks(items: &[ItemState], attempt_id: Uuid, task_key: &str) -> RoundMarks {
    let mut marks = RoundMarks::default();
    for item in items
        .iter()
        .filter(|i| i.attempt_id == attempt_id && i.task_key == task_key)
    {
        let slot = match item.round {
            Round::First => &mut marks.first,
            Round::Second => &mut marks.second,
            Round::Moderation => &mut marks.moderation,
            Round::Appeal => &mut marks.appeal,
        };
        *slot = item.final_total;
    }
    marks
}

pub struct Settings {
    pub double_marking: bool,
    pub threshold: f64,
    pub rule: FinalRule,
}

/// The items to create now: markers for tasks not yet handed out, and a
/// moderation where two final marks are too far apart.
pub fn plan_items(
    spec: &ExamSpec,
    settings: &Settings,
    sittings: &[Sitting],
    existing: &[ItemState],
    markers: &[Marker],
) -> Vec<NewItem> {
    let mut markers: Vec<Marker> = markers
        .iter()
        .cloned()
        .map(|mut m| {
            m.load = existing.iter().filter(|i| i.assessor_id == m.id).count();
            m
        })
        .collect();
    let mut planned = Vec::new();
    for sitting in sittings {
        for task in &spec.tasks {
            let here: Vec<&ItemState> = existing
                .iter()
                .filter(|i| i.attempt_id == sitting.attempt_id && i.task_key == task.key)
                .collect();
            let marked_by: Vec<Uuid> = here
                .iter()
                .filter(|i| matches!(i.round, Round::First | Round::Second))
                .map(|i| i.assessor_id)
                .collect();
            // Nobody marks their own work, whatever their unit kerja.
            let mut exclude = marked_by.clone();
            exclude.push(sitting.candidate_id);
            let wanted: &[Round] = if settings.double_marking {
                &[Round::First, Round::Second]
            } else {
                &[Round::First]
            };
            let missing: Vec<Round> = wanted
                .iter()
                .copied()
                .filter(|r| !here.iter().any(|i| i.round == *r))
                .collect();
            if !missing.is_empty() {
                let picked = pick_markers(
                    &markers,
                    &task.unit,
                    sitting.unit_kerja.as_deref(),
                    &exclude,
                    missing.len(),
                );
                for (round, assessor_id) in missing.into_iter().zip(picked) {
                    if let Some(m) = markers.iter_mut().find(|m| m.id == assessor_id) {
                        m.load += 1;
                    }
                    planned.push(NewItem {
                        attempt_id: sitting.attempt_id,
                        task_key: task.key.clone(),
                        candidate_id: sitting.candidate_id,
                        assessor_id,
                        round,
                    });
                }
                continue;
            }
            let marks = round_marks(existing, sitting.attempt_id, &task.key);
            let outcome = final_mark(
                marks,
                settings.double_marking,
                settings.threshold,
                settings.rule,
            );
            if outcome == TaskOutcome::NeedsModeration
                && !here.iter().any(|i| i.round == Round::Moderation)
                && let Some(lead) = pick_moderator(
                    &markers
                        .iter()
                        .filter(|m| m.id != sitting.candidate_id)
                        .cloned()
                        .collect::<Vec<_>>(),
                    &task.unit,
                    sitting.unit_kerja.as_deref(),
                    &marked_by,
                )
            {
                planned.push(NewItem {
                    attempt_id: sitting.attempt_id,
                    task_key: task.key.clone(),
                    candidate_id: sitting.candidate_id,
                    assessor_id: lead,
                    round: Round::Moderation,
                });
            }
        }
    }
    planned
}

/// Why a mark a candidate needs has not come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holdup {
    /// Nobody was given it: no assessor may mark it (conflicts of
    /// interest, too few assessors for the unit).
    NoMarker,
    /// The marks are too far apart and no lead may moderate them (every
    /// lead is one of the markers or has a conflict).
    NoModerator,
    /// Its assessor can no longer mark (deactivated, or no longer an assessor).
    Unavailable(Uuid),
    /// A moderation held by one of the two markers (handed out before the
    /// rule held): they may not judge their own mark.
    OwnMark(Uuid),
    /// Its assessor has not finalised it yet.
    Waiting(Uuid),
}

impl Holdup {
    /// Only an administrator can unblock it: by naming or replacing a marker.
    pub fn needs_admin(self) -> bool {
        !matches!(self, Holdup::Waiting(_))
    }

    pub fn label(self) -> &'static str {
        match self {
            Holdup::NoMarker => "belum ada penilai: tidak ada asesor yang boleh menilai",
            Holdup::NoModerator => {
                "perlu moderasi, tetapi tidak ada asesor utama selain kedua penilai"
            }
            Holdup::Unavailable(_) => "asesornya tidak aktif lagi",
            Holdup::OwnMark(_) => "moderatornya salah satu penilai; tetapkan asesor lain",
            Holdup::Waiting(_) => "menunggu asesor menyelesaikan penilaian",
        }
    }
}

/// A mark the result of a candidate's task is still waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingMark {
    pub attempt_id: Uuid,
    pub candidate_id: Uuid,
    pub task_key: String,
    pub round: Round,
    pub holdup: Holdup,
}

/// Every mark still missing, and why: the rounds a task needs (one or two
/// markers, a moderation when they disagree, an appeal once assigned) that
/// have no item, or whose item is not final. `available` says whether an
/// assessor can still mark.
pub fn missing_marks(
    spec: &ExamSpec,
    settings: &Settings,
    sittings: &[Sitting],
    existing: &[ItemState],
    available: impl Fn(Uuid) -> bool,
) -> Vec<MissingMark> {
    let mut out = Vec::new();
    for sitting in sittings {
        for task in &spec.tasks {
            let here: Vec<&ItemState> = existing
                .iter()
                .filter(|i| i.attempt_id == sitting.attempt_id && i.task_key == task.key)
                .collect();
            let marker = |a: Uuid| {
                here.iter()
                    .any(|i| matches!(i.round, Round::First | Round::Second) && i.assessor_id == a)
            };
            let mut hold = |round: Round, when_absent: Option<Holdup>| {
                let holdup = match here.iter().find(|i| i.round == round) {
                    None => when_absent,
                    Some(i) if i.final_total.is_some() => None,
                    Some(i) if !available(i.assessor_id) => {
                        Some(Holdup::Unavailable(i.assessor_id))
                    }
                    Some(i) if round == Round::Moderation && marker(i.assessor_id) => {
                        Some(Holdup::OwnMark(i.assessor_id))
                    }
                    Some(i) => Some(Holdup::Waiting(i.assessor_id)),
                };
                if let Some(holdup) = holdup {
                    out.push(MissingMark {
                        attempt_id: sitting.attempt_id,
                        candidate_id: sitting.candidate_id,
                        task_key: task.key.clone(),
                        round,
                        holdup,
                    });
                }
            };
            let wanted: &[Round] = if settings.double_marking {
                &[Round::First, Round::Second]
            } else {
                &[Round::First]
            };
            for round in wanted {
                hold(*round, Some(Holdup::NoMarker));
            }
            let marks = round_marks(existing, sitting.attempt_id, &task.key);
            let outcome = final_mark(
                marks,
                settings.double_marking,
                settings.threshold,
                settings.rule,
            );
            if outcome == TaskOutcome::NeedsModeration {
                hold(Round::Moderation, Some(Holdup::NoModerator));
            }
            // An appeal exists only once assigned: nothing to miss before.
            hold(Round::Appeal, None);
        }
    }
    out
}

pub fn item_state(item: &grading_item::Model) -> Option<ItemState> {
    Some(ItemState {
        attempt_id: item.attempt_id,
        task_key: item.task_key.clone(),
        round: Round::from_i32(item.round)?,
        assessor_id: item.assessor_id,
        final_total: (item.status == ItemStatus::Final)
            .then_some(item.total)
            .flatten(),
    })
}

pub fn levels_of(item: &grading_item::Model) -> Vec<u32> {
    item.levels
        .as_deref()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exams::model::{Criterion, Level, Task, Unit};

    fn spec() -> ExamSpec {
        let levels = vec![
            Level {
                points: 0.0,
                descriptor: "lemah".into(),
            },
            Level {
                points: 5.0,
                descriptor: "baik".into(),
            },
            Level {
                points: 10.0,
                descriptor: "sangat baik".into(),
            },
        ];
        ExamSpec {
            units: vec![Unit {
                code: "sp".into(),
                title: "Siaran pers".into(),
                objective_count: 0,
                objective_pass_percent: 70.0,
                types: None,
                level: None,
            }],
            tasks: vec![Task {
                key: "rilis".into(),
                unit: "sp".into(),
                question: "hm-tgs-001".into(),
                word_limit: None,
                char_limit: None,
                upload: None,
                pass_points: 5.0,
                rubric: vec![Criterion {
                    criterion: "Judul".into(),
                    levels,
                    must_reach: None,
                }],
                parallel_forms: Vec::new(),
            }],
        }
    }

    fn marker(n: u128, unit_kerja: &str, lead: bool) -> Marker {
        Marker {
            id: Uuid::from_u128(n),
            units: vec![],
            lead,
            unit_kerja: Some(unit_kerja.into()),
            load: 0,
        }
    }

    fn sitting(n: u128, unit_kerja: &str) -> Sitting {
        Sitting {
            attempt_id: Uuid::from_u128(100 + n),
            candidate_id: Uuid::from_u128(200 + n),
            unit_kerja: Some(unit_kerja.into()),
        }
    }

    const DOUBLE: Settings = Settings {
        double_marking: true,
        threshold: 2.0,
        rule: FinalRule::Mean,
    };

    #[test]
    fn two_markers_per_task_spread_and_never_the_candidates_own_unit() {
        let markers = vec![
            marker(1, "Diskominfo", true),
            marker(2, "BKD", false),
            marker(3, "Bappeda", false),
        ];
        let sittings = vec![
            sitting(1, "BKD"),
            sitting(2, "Dinkes"),
            sitting(3, "Dinkes"),
        ];
        let plan = plan_items(&spec(), &DOUBLE, &sittings, &[], &markers);
        assert_eq!(plan.len(), 6);
        let for_bkd: Vec<Uuid> = plan
            .iter()
            .filter(|i| i.candidate_id == Uuid::from_u128(201))
            .map(|i| i.assessor_id)
            .collect();
        assert!(!for_bkd.contains(&Uuid::from_u128(2)), "{for_bkd:?}");
        for n in 1..=3 {
            let load = plan
                .iter()
                .filter(|i| i.assessor_id == Uuid::from_u128(n))
                .count();
            assert_eq!(load, 2, "assessor {n} gets an even share");
        }
    }

    #[test]
    fn far_apart_marks_go_once_to_a_lead_who_did_not_mark_them() {
        let markers = vec![
            marker(1, "Diskominfo", true),
            marker(2, "BKD", false),
            marker(3, "Inspektorat", true),
        ];
        let s = sitting(1, "Dinkes");
        let item = |round, assessor: u128, total| ItemState {
            attempt_id: s.attempt_id,
            task_key: "rilis".into(),
            round,
            assessor_id: Uuid::from_u128(assessor),
            final_total: total,
        };
        let mut existing = vec![
            item(Round::First, 1, Some(10.0)),
            item(Round::Second, 2, None),
        ];
        assert!(
            plan_items(
                &spec(),
                &DOUBLE,
                std::slice::from_ref(&s),
                &existing,
                &markers
            )
            .is_empty()
        );
        existing[1].final_total = Some(5.0);
        let plan = plan_items(
            &spec(),
            &DOUBLE,
            std::slice::from_ref(&s),
            &existing,
            &markers,
        );
        assert_eq!(plan.len(), 1);
        assert_eq!(plan[0].round, Round::Moderation);
        assert_eq!(plan[0].assessor_id, Uuid::from_u128(3));
        existing.push(item(Round::Moderation, 3, None));
        assert!(plan_items(&spec(), &DOUBLE, &[s], &existing, &markers).is_empty());
    }

    fn state(s: &Sitting, round: Round, assessor: u128, total: Option<f64>) -> ItemState {
        ItemState {
            attempt_id: s.attempt_id,
            task_key: "rilis".into(),
            round,
            assessor_id: Uuid::from_u128(assessor),
            final_total: total,
        }
    }

    #[test]
    fn a_conflicted_second_marker_leaves_a_named_gap_not_a_silent_one() {
        // Two assessors; one is from the candidate's unit kerja.
        let markers = vec![marker(1, "Diskominfo", true), marker(2, "Dinkes", false)];
        let s = sitting(1, "Dinkes");
        let plan = plan_items(&spec(), &DOUBLE, std::slice::from_ref(&s), &[], &markers);
        assert_eq!(plan.len(), 1, "{plan:?}");
        let existing = vec![state(&s, Round::First, 1, Some(8.0))];
        let missing = missing_marks(
            &spec(),
            &DOUBLE,
            std::slice::from_ref(&s),
            &existing,
            |_| true,
        );
        assert_eq!(
            missing,
            vec![MissingMark {
                attempt_id: s.attempt_id,
                candidate_id: s.candidate_id,
                task_key: "rilis".into(),
                round: Round::Second,
                holdup: Holdup::NoMarker,
            }]
        );
        assert!(missing[0].holdup.needs_admin());
    }

    #[test]
    fn far_apart_marks_with_only_marking_leads_wait_for_a_named_moderator() {
        let markers = vec![marker(1, "Diskominfo", true), marker(2, "BKD", false)];
        let s = sitting(1, "Dinkes");
        let mut existing = vec![
            state(&s, Round::First, 1, Some(10.0)),
            state(&s, Round::Second, 2, Some(0.0)),
        ];
        // The only lead marked the pair: no moderation is handed out…
        assert!(
            plan_items(
                &spec(),
                &DOUBLE,
                std::slice::from_ref(&s),
                &existing,
                &markers
            )
            .is_empty()
        );
        // …and the gap says so.
        let missing = missing_marks(
            &spec(),
            &DOUBLE,
            std::slice::from_ref(&s),
            &existing,
            |_| true,
        );
        assert_eq!(missing.len(), 1);
        assert_eq!(
            (missing[0].round, missing[0].holdup),
            (Round::Moderation, Holdup::NoModerator)
        );
        // Named by an administrator: waiting for them, then done.
        existing.push(state(&s, Round::Moderation, 3, None));
        let missing = missing_marks(
            &spec(),
            &DOUBLE,
            std::slice::from_ref(&s),
            &existing,
            |_| true,
        );
        assert_eq!(missing[0].holdup, Holdup::Waiting(Uuid::from_u128(3)));
        assert!(!missing[0].holdup.needs_admin());
        existing[2].final_total = Some(6.0);
        assert!(
            missing_marks(
                &spec(),
                &DOUBLE,
                std::slice::from_ref(&s),
                &existing,
                |_| true
            )
            .is_empty()
        );
        // A moderation handed to a marker before the rule held is flagged.
        existing[2] = state(&s, Round::Moderation, 1, None);
        let missing = missing_marks(&spec(), &DOUBLE, &[s], &existing, |_| true);
        assert_eq!(missing[0].holdup, Holdup::OwnMark(Uuid::from_u128(1)));
        assert!(missing[0].holdup.needs_admin());
    }

    #[test]
    fn an_item_held_by_a_deactivated_assessor_is_flagged() {
        let s = sitting(1, "Dinkes");
        let existing = vec![
            state(&s, Round::First, 1, Some(5.0)),
            state(&s, Round::Second, 2, None),
        ];
        let gone = Uuid::from_u128(2);
        let missing = missing_marks(&spec(), &DOUBLE, std::slice::from_ref(&s), &existing, |a| {
            a != gone
        });
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].holdup, Holdup::Unavailable(gone));
        assert!(missing[0].holdup.needs_admin());
        // Single marking needs no second mark at all.
        let single = Settings {
            double_marking: false,
            ..DOUBLE
        };
        assert!(missing_marks(&spec(), &single, &[s], &existing[..1], |_| true).is_empty());
    }

    #[test]
    fn close_marks_need_no_moderation() {
        let markers = vec![marker(1, "Diskominfo", true), marker(2, "BKD", false)];
        let s = sitting(1, "Dinkes");
        let existing: Vec<ItemState> = [(Round::First, 1, 5.0), (Round::Second, 2, 7.0)]
            .into_iter()
            .map(|(round, a, t)| ItemState {
                attempt_id: s.attempt_id,
                task_key: "rilis".into(),
                round,
                assessor_id: Uuid::from_u128(a),
                final_total: Some(t),
            })
            .collect();
        assert!(plan_items(&spec(), &DOUBLE, &[s], &existing, &markers).is_empty());
    }
}
