//! A second lower bound for a one-stage contest, where offers together take more off a
//! line than it holds (the clamp the DP's sum ignores).
//!
//! Inside one stage every offer's discount lands on the lines it keeps, and no line gives
//! more than it holds at the stage's start. Per-unit and group benefits put at most what
//! they would take alone on each line (they are cut at the line, never moved; not so for
//! a later stage's, tabulated on other amounts than it sees, which count as a total); an
//! order-level discount may move to any line of its scope that has room, but never gives
//! more in all than alone. So for any set `T` of lines, the stage takes off at most
//! `T`'s amount plus what can land outside `T`: the per-line discounts on lines outside
//! `T`, and each order-level discount up to what its kept lines outside `T` hold.
//! That sum is again one term per offer, so the same DP minimises it; the bound of a
//! subtree is the larger of the two. `T` is taken from the best choice so far: the lines
//! it leaves at nothing, where the plain sum is loosest.

use super::dp::Tables;
use super::Gain;
use crate::eval::Lines;

/// What one offer takes off on its own under one set of kept lines, and how that
/// discount may land when other offers of the stage share its lines.
pub(super) struct Landing {
    /// Per-unit or group benefit: each line gets at most its own part. Otherwise an
    /// order-level discount, which may move between the kept lines.
    pub per_line: bool,
    pub keep: Lines,
    /// The lines it takes something off on its own, and how much.
    pub taken: Vec<(usize, i64)>,
    /// The most it takes off in all (at least the sum of `taken`).
    pub total: i64,
}

impl Landing {
    /// The most of this offer's discount that can land outside `t` (`start`: the line
    /// amounts at the stage's start): an order-level discount lands on its kept lines
    /// outside `t` at most what they hold.
    fn outside(&self, t: &Lines, start: &[i64]) -> i64 {
        if self.per_line {
            self.taken
                .iter()
                .filter(|&&(l, _)| !t.get(l))
                .map(|&(_, d)| d)
                .sum()
        } else {
            let room: i64 = self
                .keep
                .iter()
                .filter(|&l| !t.get(l))
                .map(|l| start[l])
                .sum();
            self.total.min(room)
        }
    }
}

/// The least one offer takes off line `l` on its own, over its `landings` (one per set of
/// kept lines) that keep `l`, when that part cannot move to another line (0 for an
/// order-level discount).
pub(super) fn least_on(landings: &[Landing], l: usize) -> i64 {
    landings
        .iter()
        .filter(|x| x.per_line && x.keep.get(l))
        .map(|x| {
            x.taken
                .iter()
                .find(|&&(at, _)| at == l)
                .map_or(0, |&(_, d)| d)
        })
        .min()
        .unwrap_or(0)
}

/// The most one offer takes off line `l` on its own, over its `landings` (one per set of
/// kept lines).
pub(super) fn most_on(landings: &[Landing], l: usize) -> i64 {
    landings
        .iter()
        .flat_map(|x| &x.taken)
        .filter(|&&(at, _)| at == l)
        .map(|&(_, d)| d)
        .max()
        .unwrap_or(0)
}

/// Every offer's landings in one contest.
pub(super) struct Landings {
    /// The last stage of the offers the DP adds up.
    pub stage: usize,
    /// The lines whose amounts they decide (the others are fixed).
    pub domain: Lines,
    /// The line amounts at the stage's start.
    pub start: Vec<i64>,
    /// Per variable offer (as the DP orders them), per subset of its contested lines.
    pub var: Vec<Vec<Landing>>,
    /// The stage's offers whose kept lines the choice does not change.
    pub fixed: Vec<Landing>,
    /// The payable if the stage took nothing off.
    pub undiscounted: i64,
}

/// The landing bound's tables for one set of lines (see the module doc).
pub(super) struct Saturated {
    /// The lines (those the best choice left at nothing).
    pub t: Lines,
    pub tables: Tables,
    pub constant: Gain,
}

impl Landings {
    /// The lines of the domain a choice leaves at nothing (`after`: its amounts after the
    /// stage).
    pub fn emptied(&self, after: &[i64]) -> Lines {
        let mut t = Lines::new(self.start.len());
        for (l, &a) in after.iter().enumerate() {
            if a == 0 && self.domain.get(l) {
                t.set(l);
            }
        }
        t
    }

    /// The landing bound's tables for the lines `t` (see [`Landings::emptied`]); `plain`
    /// and `constant` are the DP's own, whose priority and applied figures stay. `None`
    /// when those lines held nothing at the stage's start.
    pub fn saturated(&self, t: Lines, plain: &[Vec<Gain>], constant: Gain) -> Option<Saturated> {
        let held: i64 = t.iter().map(|l| self.start[l]).sum();
        if held == 0 {
            return None;
        }
        let fixed: i64 = self.fixed.iter().map(|f| f.outside(&t, &self.start)).sum();
        let constant = Gain {
            neg_discount: self.undiscounted - held - fixed,
            ..constant
        };
        let tables = self
            .var
            .iter()
            .zip(plain)
            .map(|(landings, gains)| {
                landings
                    .iter()
                    .zip(gains)
                    .map(|(landing, g)| Gain {
                        neg_discount: -landing.outside(&t, &self.start),
                        ..*g
                    })
                    .collect()
            })
            .collect();
        Some(Saturated {
            t,
            tables: Tables::new(tables),
            constant,
        })
    }
}
