//! The conflict-free sets of a stacking choice: the maximal sets of participating offers in
//! which no two `excludes` each other. The stacking choice (`choose`) prices each of them.
//! A chain of `excludes` has exponentially many, so the enumeration is bounded in steps
//! and time and says when it stopped early.

use crate::eval::Deadline;
use crate::limits::MAX_CHOICES;
use crate::rules::ir::{OfferIdx, RuleSetData};

/// The maximal conflict-free sets of one stacking choice; `complete` is false when the
/// enumeration stopped early (more than [`MAX_CHOICES`] sets, [`MAX_SET_WORK`] steps or
/// the deadline), so the choice made among them is not proven.
pub(crate) struct ConflictFreeSets {
    pub sets: Vec<Vec<OfferIdx>>,
    pub complete: bool,
}

/// Most steps (offers looked at) the enumeration of conflict-free sets takes: a chain of
/// `excludes` has exponentially many subsets to walk through.
const MAX_SET_WORK: usize = 2_000_000;

/// Maximal subsets of `parts` with no two members excluding each other (at most
/// [`MAX_CHOICES`]). Offers in no `excludes` relation with another participant are in all.
pub(crate) fn conflict_free_sets(
    rules: &RuleSetData,
    parts: &[OfferIdx],
    deadline: &Deadline,
) -> ConflictFreeSets {
    let mut sorted = parts.to_vec();
    sorted.sort_unstable();
    let conflicted: Vec<OfferIdx> = parts
        .iter()
        .copied()
        .filter(|&a| {
            rules.offers[a]
                .excludes
                .iter()
                .any(|&b| b != a && sorted.binary_search(&b).is_ok())
        })
        .collect();
    // Each conflicted offer's position in `conflicted`, by offer.
    let mut by_offer: Vec<(OfferIdx, usize)> = conflicted
        .iter()
        .enumerate()
        .map(|(i, &o)| (o, i))
        .collect();
    by_offer.sort_unstable();
    let position = |o: OfferIdx| {
        by_offer
            .binary_search_by_key(&o, |&(x, _)| x)
            .ok()
            .map(|k| by_offer[k].1)
    };
    let free: Vec<OfferIdx> = parts
        .iter()
        .copied()
        .filter(|&o| position(o).is_none())
        .collect();
    // Each conflicted offer's neighbours, as positions in `conflicted`.
    let neighbours: Vec<Vec<usize>> = conflicted
        .iter()
        .map(|&a| {
            let mut v: Vec<usize> = rules.offers[a]
                .excludes
                .iter()
                .filter(|&&b| b != a)
                .filter_map(|&b| position(b))
                .collect();
            v.sort_unstable();
            v
        })
        .collect();
    let mut walk = SetWalk {
        neighbours: &neighbours,
        in_set: vec![false; conflicted.len()],
        out: Vec::new(),
        work: 0,
        complete: true,
        deadline,
    };
    walk.rec(0);
    let mut sets: Vec<Vec<OfferIdx>> = walk
        .out
        .iter()
        .map(|members| members.iter().map(|&i| conflicted[i]).collect())
        .collect();
    for set in &mut sets {
        set.extend(&free);
    }
    if sets.is_empty() {
        sets.push(free);
    }
    ConflictFreeSets {
        sets,
        complete: walk.complete,
    }
}

/// The enumeration of [`conflict_free_sets`] over positions of the conflicted offers: each
/// offer in or out, in order; an offer left out while nothing excludes it needs a later
/// neighbour to join, else no maximal set lies that way.
struct SetWalk<'a> {
    neighbours: &'a [Vec<usize>],
    in_set: Vec<bool>,
    out: Vec<Vec<usize>>,
    work: usize,
    complete: bool,
    deadline: &'a Deadline,
}

impl SetWalk<'_> {
    fn rec(&mut self, i: usize) {
        if !self.complete {
            return;
        }
        self.work += 1;
        if self.work > MAX_SET_WORK || (self.work % 1024 == 0 && self.deadline.passed()) {
            self.complete = false;
            return;
        }
        let n = self.neighbours.len();
        if i == n {
            self.work += n;
            // Maximal: every offer left out is excluded by a member.
            let maximal = (0..n)
                .all(|x| self.in_set[x] || self.neighbours[x].iter().any(|&j| self.in_set[j]));
            if maximal {
                if self.out.len() == MAX_CHOICES {
                    self.complete = false;
                    return;
                }
                self.out.push((0..n).filter(|&x| self.in_set[x]).collect());
            }
            return;
        }
        let blocked = self.neighbours[i].iter().any(|&j| self.in_set[j]);
        if !blocked {
            self.in_set[i] = true;
            self.rec(i + 1);
            self.in_set[i] = false;
            if self.neighbours[i].last().is_none_or(|&j| j < i) {
                return;
            }
        }
        self.rec(i + 1);
    }
}
