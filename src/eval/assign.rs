//! Exact search over the keepers of contested lines (one conflict-free set of the stacking
//! choice), by branch and bound on [`crate::eval::bound`]'s lower bounds.
//!
//! The search runs in two passes over the same bounds:
//! 1. The lowest key (payable, then priority sum, then applied offers). Lines are decided
//!    in an order fixed by the cart's content (lines whose contest involves an earlier
//!    stage first, then larger amounts, then by ID), each line's options in declaration
//!    order of their keepers. A dive that gives every line the option with the lowest bound
//!    seeds the search; a subtree is explored only while its lower bound is below the best
//!    leaf found (or not above the seed). Out of budget, the best leaf found stands: it
//!    depends on the cart's content, not on its line order.
//! 2. With the key proven, the first choice with that key in the last tie-break
//!    order: lines in cart order, keepers earlier in declaration order first. Subtrees whose
//!    bound exceeds the key are skipped and the search stops at the first leaf that has it.

use crate::eval::bound::{Bounder, LowerBound};
use crate::eval::{Applier, Choice, Key, Lines};
use crate::rules::ir::OfferIdx;

/// What a search found: the best choice (its key, the lines each participant keeps, its
/// outcome; `None` when no choice pays at most the cutoff), whether the search finished
/// (the choice is then proven the cheapest), and the bounds it computed.
pub(crate) struct Found {
    pub best: Option<Choice>,
    pub proven: bool,
    pub nodes: usize,
}

struct Search<'s, 'x, 'p, 'a> {
    bounder: Bounder<'x, 'p, 'a>,
    options: &'s [Vec<Vec<usize>>],
    /// Contested lines in search order: by content while the lowest key is searched, in
    /// cart order while its first choice in keepers order is.
    order: Vec<usize>,
    /// Per line: its options in keepers order (see [`search`]).
    option_order: Vec<Vec<usize>>,
    /// Per part: the contested lines it may keep.
    opt_lines: Vec<Lines>,
    certain: Vec<Lines>,
    possible: Vec<Lines>,
    fixed: Vec<bool>,
    /// Every participant takes part.
    sure: Vec<bool>,
    undecided: Lines,
    best: Option<Choice>,
    /// Whether `best` is the seed of [`Search::dive`] rather than a leaf of the ordered
    /// search.
    best_is_seed: bool,
    nodes: usize,
    budget: usize,
    deadline: crate::eval::Deadline,
    out_of_budget: bool,
    /// Choices paying more than this are of no interest.
    cutoff: i64,
}

fn key_of(b: &LowerBound) -> Key {
    Key {
        payable: b.payable,
        priority: b.priority,
        applied: b.applied,
    }
}

impl Search<'_, '_, '_, '_> {
    fn bound(&mut self) -> LowerBound {
        self.nodes += 1;
        for (k, opt) in self.opt_lines.iter().enumerate() {
            let p = &mut self.possible[k];
            p.clone_from(opt);
            p.intersect_with(&self.undecided);
            self.fixed[k] = p.is_empty();
            p.union_with(&self.certain[k]);
        }
        let tie_at = self.best.as_ref().map(|b| b.key.payable);
        self.bounder.bound(
            &self.fixed,
            &self.sure,
            &self.certain,
            &self.possible,
            &self.undecided,
            self.options,
            tie_at,
        )
    }

    fn decide(&mut self, l: usize, opt: usize, on: bool) {
        for &k in &self.options[l][opt] {
            if !self.opt_lines[k].get(l) {
                // In every option: keeps the line anyway.
                continue;
            }
            if on {
                self.certain[k].set(l);
            } else {
                self.certain[k].clear(l);
            }
        }
        if on {
            self.undecided.clear(l);
        } else {
            self.undecided.set(l);
        }
    }

    /// Whether a choice with this key (exact) replaces the best found: a lower key, or the
    /// seed's key (leaves come in a fixed order, so the first one with the lowest key stays).
    fn beats_best(&self, key: &Key) -> bool {
        key.payable <= self.cutoff
            && self
                .best
                .as_ref()
                .is_none_or(|b| *key < b.key || (*key == b.key && self.best_is_seed))
    }

    /// Whether a subtree with this lower bound may hold a leaf that [`Search::beats_best`].
    fn may_beat_best(&self, bound: &Key) -> bool {
        self.beats_best(bound)
    }

    /// Whether the budget (or the deadline) is spent. Also without a choice found: under a
    /// cutoff (from `best`) the dive's seed may be above it, and the caller then learns
    /// that the search was not finished.
    fn out_of_time(&mut self) -> bool {
        if self.nodes >= self.budget || self.deadline.passed() {
            self.out_of_budget = true;
        }
        self.out_of_budget
    }

    /// The seed: one dive that gives every line, in search order, the option with the
    /// lowest bound. Its key prunes the exact search from the start.
    fn dive(&mut self) {
        for d in 0..self.order.len() {
            let l = self.order[d];
            if self.nodes >= self.budget || self.deadline.passed() {
                // No budget left to compare options: the rest take their first one.
                self.out_of_budget = true;
                self.decide(l, 0, true);
                continue;
            }
            let _ = self.bound();
            let mut pick: Option<(Key, std::cmp::Reverse<i128>, usize)> = None;
            let wants: Vec<i128> = self.options[l]
                .iter()
                .map(|opt| opt.iter().map(|&k| self.bounder.wants[k]).sum())
                .collect();
            for (j, &want) in wants.iter().enumerate() {
                self.decide(l, j, true);
                let cand = (key_of(&self.bound()), std::cmp::Reverse(want), j);
                self.decide(l, j, false);
                if pick.is_none_or(|p| cand < p) {
                    pick = Some(cand);
                }
            }
            if let Some((_, _, j)) = pick {
                self.decide(l, j, true);
            }
        }
        let b = self.bound();
        if b.exact && b.payable <= self.cutoff {
            if let Some(outcome) = self.bounder.outcome().cloned() {
                self.best = Some(Choice {
                    key: key_of(&b),
                    keeps: self.certain.clone(),
                    outcome,
                });
                self.best_is_seed = true;
            }
        }
        self.reopen();
    }

    /// Every contested line undecided again.
    fn reopen(&mut self) {
        for d in 0..self.order.len() {
            let l = self.order[d];
            for j in 0..self.options[l].len() {
                self.decide(l, j, false);
            }
        }
    }

    /// Depth-first over `order`, each line's options in keepers order. With `first_at`,
    /// only the first leaf with that key is wanted: the search stops there.
    fn dfs(&mut self, depth: usize, first_at: Option<Key>) -> bool {
        let Some(&l) = self.order.get(depth) else {
            return false;
        };
        for oi in 0..self.option_order[l].len() {
            let j = self.option_order[l][oi];
            self.decide(l, j, true);
            let b = self.bound();
            let key = key_of(&b);
            let mut found = false;
            match first_at {
                Some(want) if b.exact => {
                    if key == want {
                        if let Some(outcome) = self.bounder.outcome().cloned() {
                            self.best = Some(Choice {
                                key,
                                keeps: self.certain.clone(),
                                outcome,
                            });
                            found = true;
                        }
                    }
                }
                Some(want) => {
                    if key <= want && !self.out_of_time() {
                        found = self.dfs(depth + 1, first_at);
                    }
                }
                None if b.exact => {
                    if self.beats_best(&key) {
                        if let Some(outcome) = self.bounder.outcome().cloned() {
                            self.best = Some(Choice {
                                key,
                                keeps: self.certain.clone(),
                                outcome,
                            });
                            self.best_is_seed = false;
                        }
                    }
                }
                None => {
                    if self.may_beat_best(&key) && !self.out_of_time() {
                        self.dfs(depth + 1, None);
                    }
                }
            }
            self.decide(l, j, false);
            if found || self.out_of_budget {
                return found;
            }
        }
        false
    }
}

/// Searches the keepers of the `contested` lines (each with more than one option in
/// `options`, indices into `parts`); `whole` is what each participant keeps elsewhere
/// (its scope for members, nothing for the others; lines with one option already applied).
/// Stops after `budget` bounds once a choice is found, unproven. Only choices paying at
/// most `cutoff` are searched.
pub(crate) fn search(
    applier: &Applier<'_, '_>,
    parts: &[OfferIdx],
    whole: &[Lines],
    options: &[Vec<Vec<usize>>],
    contested: &[usize],
    budget: usize,
    cutoff: i64,
) -> Found {
    let p = applier.p;
    let rules = p.rules;
    let n = p.orig.len();
    let mut certain: Vec<Lines> = whole.to_vec();
    let mut undecided = Lines::new(n);
    let mut opt_lines = vec![Lines::new(n); parts.len()];
    for &l in contested {
        undecided.set(l);
        for (k, c) in certain.iter_mut().enumerate() {
            // An offer in every option keeps the line whatever is chosen.
            let everywhere = options[l].iter().all(|opt| opt.contains(&k));
            let somewhere = options[l].iter().any(|opt| opt.contains(&k));
            if everywhere {
                c.set(l);
            } else {
                c.clear(l);
                if somewhere {
                    opt_lines[k].set(l);
                }
            }
        }
    }
    // The earliest stage the line's decision changes (offers in every option do not count).
    let stage_of = |l: usize| {
        options[l]
            .iter()
            .flatten()
            .filter(|&&k| opt_lines[k].get(l))
            .map(|&k| rules.offers[parts[k]].stage)
            .min()
            .unwrap_or(0)
    };
    let mut promising = contested.to_vec();
    promising.sort_by(|&a, &b| {
        stage_of(a)
            .cmp(&stage_of(b))
            .then(p.orig[b].cmp(&p.orig[a]))
            .then(p.cart.lines[a].id.cmp(&p.cart.lines[b].id))
    });
    // The last tie-break: line by line in cart order, keepers earlier in
    // declaration order first (a shorter list before its extensions).
    let mut option_order: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &l in contested {
        let keepers = |j: usize| {
            let mut v: Vec<OfferIdx> = options[l][j].iter().map(|&k| parts[k]).collect();
            v.sort_unstable();
            v
        };
        let mut js: Vec<usize> = (0..options[l].len()).collect();
        js.sort_by_cached_key(|&j| keepers(j));
        option_order[l] = js;
    }
    let mut s = Search {
        bounder: Bounder::new(applier, parts),
        options,
        order: promising,
        option_order,
        opt_lines,
        certain,
        possible: vec![Lines::new(n); parts.len()],
        fixed: vec![false; parts.len()],
        sure: vec![true; parts.len()],
        undecided,
        best: None,
        best_is_seed: false,
        nodes: 0,
        budget,
        deadline: p.deadline,
        out_of_budget: false,
        cutoff,
    };
    // 1. The lowest key, searched in an order fixed by the cart's content.
    s.dive();
    s.dfs(0, None);
    // 2. Proven: among the choices with that key, the first in cart order is the answer.
    if !s.out_of_budget {
        if let Some(Choice { key, .. }) = &s.best {
            let key = *key;
            let lowest = s.best.take();
            // A budget of its own: how long this pass takes depends on the cart's order.
            s.budget = s.budget.saturating_add(s.nodes);
            s.order.sort_unstable();
            s.reopen();
            if !s.dfs(0, Some(key)) {
                // Out of budget before reaching it (the key is proven, the keepers are not).
                s.best = lowest;
                s.out_of_budget = true;
            }
        }
    }
    Found {
        proven: !s.out_of_budget,
        nodes: s.nodes,
        best: s.best,
    }
}

#[cfg(test)]
mod tests {
    use crate::cart::{Cart, Context, Line};
    use crate::eval::{choose_within, Prepared, ASSIGN_BUDGET};
    use crate::{Money, RuleSet};

    use proptest::prelude::*;

    /// The lowest payable over every keeper assignment, by brute force: each way of giving
    /// every line to one platform coupon is priced as a rule set where each coupon's scope
    /// is exactly its lines.
    fn brute_force(cart: &Cart, coupons: &[(u32, u32)]) -> i64 {
        let ctx = Context::default();
        let n = cart.lines.len();
        let k = coupons.len();
        let ids: Vec<String> = (0..k).map(|j| format!("p{j}")).collect();
        let mut best = i64::MAX;
        for code in 0..k.pow(n as u32) {
            let mut c = code;
            let mut text =
                String::from("ruleset \"b\" { stages item, shop, platform stage shop max 2 }\n");
            text += "activity drop \"直降\" { stage item benefit 直降3 scope tag \"a\" }\n";
            text += "activity cross \"每满100减10\" { stage shop benefit 每满100减10 }\n";
            let mut lines = cart.lines.clone();
            for line in &mut lines {
                line.tags.push(format!("k{}", c % k));
                c /= k;
            }
            for (j, (at, off)) in coupons.iter().enumerate() {
                text += &format!(
                    "coupon p{j} \"t\" {{ stage platform benefit 满{}减{off} scope tag \"k{j}\" }}\n",
                    at * 10
                );
            }
            let split = RuleSet::parse(&text).expect("valid");
            let q = split.quote(&Cart { lines }, &ctx, &ids).expect("quote");
            best = best.min(q.payable.0);
        }
        best
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Three to four platform coupons contesting every line of a 4–5-line cart (more
        /// than 64 assignments, so the branch and bound decides): its payable is the brute
        /// force's.
        #[test]
        fn branch_and_bound_matches_brute_force(
            coupons in prop::collection::vec((2..40u32, 1..15u32), 3..5),
            lines in prop::collection::vec((500..9_000i64, 1..3u32, any::<bool>()), 4..6),
        ) {
            let mut text = String::from("ruleset \"b\" { stages item, shop, platform stage shop max 2 }\n");
            text += "activity drop \"直降\" { stage item benefit 直降3 scope tag \"a\" }\n";
            text += "activity cross \"每满100减10\" { stage shop benefit 每满100减10 }\n";
            for (j, (at, off)) in coupons.iter().enumerate() {
                text += &format!("coupon p{j} \"t\" {{ stage platform benefit 满{}减{} }}\n", at * 10, off);
            }
            let rules = RuleSet::parse(&text).unwrap();
            let cart = Cart {
                lines: lines
                    .iter()
                    .enumerate()
                    .map(|(i, &(price, qty, tagged))| {
                        let l = Line::new(&format!("L{i}"), &format!("S{i}"), "s", Money(price), qty);
                        if tagged { l.tag("a") } else { l }
                    })
                    .collect(),
            };
            let ctx = Context::default();
            let p = Prepared::new(&rules.inner, &cart, &ctx).unwrap();
            let mut parts: Vec<usize> = (0..rules.inner.offers.len()).collect();
            parts.retain(|&o| p.ineligible[o].is_none());
            let chosen = choose_within(&p, parts, ASSIGN_BUDGET, i64::MAX);
            prop_assert!(chosen.proven);
            prop_assert_eq!(chosen.outcome.payable(), brute_force(&cart, &coupons));
        }
    }
}
