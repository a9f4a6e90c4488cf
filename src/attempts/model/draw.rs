//! Drawing a new attempt's questions: by tag rules (at most one item of an
//! enemy group; never the exam pool), for an exam (objective part from the
//! exam pool, then one form of each task), or a fixed list;
//! with the order of questions and choices shuffled when asked. A post-test
//! draws around what the trainee already saw in the pre-test.

use std::collections::HashSet;

use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};

use super::{Candidate, Selection, Slot, TagRule, distinct_rights, in_exam_pool, objective};
use crate::banks::model::{Body, Question};

fn permutation(len: usize, shuffle: bool, rng: &mut impl Rng) -> Vec<u16> {
    let mut order: Vec<u16> = (0..len as u16).collect();
    if shuffle {
        order.shuffle(rng);
    }
    order
}

pub(super) fn slot_for(candidate: &Candidate, shuffle_choices: bool, rng: &mut impl Rng) -> Slot {
    let q = &candidate.question;
    let (order, right_order) = match &q.body {
        Body::Multichoice { choices, .. } => {
            (permutation(choices.len(), shuffle_choices, rng), Vec::new())
        }
        Body::Matching { pairs } => (
            Vec::new(),
            permutation(distinct_rights(pairs).len(), true, rng),
        ),
        Body::Cloze { blanks } => (
            super::cloze::order(blanks, shuffle_choices, rng),
            Vec::new(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    Slot {
        question_id: candidate.id,
        points: q.default_points,
        order,
        right_order,
        limit: None,
    }
}

/// `count` of `pool` at random, at most one per enemy group (a `group:`
/// tag shared by items that cue each other's answers) across the attempt:
/// `groups` holds the groups already drawn. Items whose stable id is in
/// `seen` are taken only when the unseen ones run out.
fn choose(
    pool: Vec<usize>,
    count: usize,
    candidates: &[Candidate],
    groups: &mut Vec<String>,
    seen: &HashSet<String>,
    rng: &mut impl Rng,
) -> Vec<usize> {
    let mut pool = pool;
    pool.shuffle(rng);
    // Stable: the shuffled order holds within the unseen and the seen.
    pool.sort_by_key(|i| seen.contains(&candidates[*i].stable_id));
    let mut chosen = Vec::new();
    for i in pool {
        if chosen.len() == count {
            break;
        }
        let mine: Vec<&String> = candidates[i]
            .question
            .tags
            .iter()
            .filter(|t| t.starts_with("group:"))
            .collect();
        if mine.iter().any(|g| groups.contains(g)) {
            continue;
        }
        groups.extend(mine.into_iter().cloned());
        chosen.push(i);
    }
    chosen
}

/// Each rule's count in turn, from the candidates it admits that
/// `eligible` keeps and no earlier rule took.
fn by_rules(
    rules: &[TagRule],
    candidates: &[Candidate],
    eligible: impl Fn(&Question) -> bool,
    groups: &mut Vec<String>,
    seen: &HashSet<String>,
    rng: &mut impl Rng,
) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::new();
    for rule in rules {
        let pool: Vec<usize> = candidates
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                !picked.contains(i) && eligible(&c.question) && rule.admits(&c.question)
            })
            .map(|(i, _)| i)
            .collect();
        let chosen = choose(pool, rule.count as usize, candidates, groups, seen, rng);
        picked.extend(chosen);
    }
    picked
}

/// Draws the questions of a new attempt (the selection was checked when the
/// quiz was saved; a bank that shrank since, or enemy groups that leave too
/// few items, give fewer questions, never an error).
pub fn draw(
    selection: &Selection,
    candidates: &[Candidate],
    shuffle_questions: bool,
    shuffle_choices: bool,
    rng: &mut impl Rng,
) -> Vec<Slot> {
    draw_avoiding(
        selection,
        candidates,
        &HashSet::new(),
        shuffle_questions,
        shuffle_choices,
        rng,
    )
}

/// As `draw`, but a tag rule takes the items of `seen` (stable ids: a
/// post-test avoids its trainee's pre-test) only where the bank has too few
/// others: a parallel form where the pool allows.
pub fn draw_avoiding(
    selection: &Selection,
    candidates: &[Candidate],
    seen: &HashSet<String>,
    shuffle_questions: bool,
    shuffle_choices: bool,
    rng: &mut impl Rng,
) -> Vec<Slot> {
    let mut picked: Vec<usize>;
    let mut groups: Vec<String> = Vec::new();
    match selection {
        Selection::ByTags { rules } => {
            picked = by_rules(
                rules,
                candidates,
                |q| !in_exam_pool(q),
                &mut groups,
                seen,
                rng,
            );
            if !shuffle_questions {
                picked.sort_unstable();
            }
        }
        Selection::Exam {
            rules,
            tasks,
            exam_pool,
        } => {
            let mut objective_part = by_rules(
                rules,
                candidates,
                |q| (!*exam_pool || in_exam_pool(q)) && objective(q),
                &mut groups,
                &HashSet::new(),
                rng,
            );
            if shuffle_questions {
                objective_part.shuffle(rng);
            } else {
                objective_part.sort_unstable();
            }
            // One form of each task, at random: which one is recorded by
            // the question the slot holds.
            let task_part: Vec<usize> = tasks
                .iter()
                .filter_map(|task| {
                    let forms: Vec<usize> = task
                        .ids()
                        .iter()
                        .filter_map(|id| candidates.iter().position(|c| &c.stable_id == id))
                        .collect();
                    forms.choose(rng).copied()
                })
                .collect();
            return objective_part
                .into_iter()
                .chain(task_part)
                .map(|i| slot_for(&candidates[i], shuffle_choices, rng))
                .collect();
        }
        Selection::Fixed { question_ids } => {
            picked = question_ids
                .iter()
                .filter_map(|id| {
                    candidates
                        .iter()
                        .position(|c| &c.stable_id == id && !in_exam_pool(&c.question))
                })
                .collect();
        }
    }
    if shuffle_questions {
        picked.shuffle(rng);
    }
    picked
        .iter()
        .map(|i| slot_for(&candidates[*i], shuffle_choices, rng))
        .collect()
}
