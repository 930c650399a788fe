//! Exact search over the keepers of contested lines (one conflict-free set of the stacking
//! choice), by branch and bound on [`crate::bound`]'s lower bounds.
//!
//! Contested lines are decided one at a time: lines whose contest involves an earlier stage
//! first (their outcome feeds every later threshold), then larger amounts first, then by
//! line ID, so the order does not depend on the cart's. At every node each option of the
//! next line is bounded; options are tried cheapest bound first, and an option whose bound
//! cannot beat the best choice found (payable, then priority sum, then fewer applied
//! offers) is not explored. With every line decided the bound is the exact outcome, so the
//! first dive already yields a good choice. Among choices with equal keys the first found
//! is kept (the exhaustive path of `choose` breaks such ties by keepers in cart order).

use crate::bound::{Bounder, LowerBound};
use crate::eval::{Applier, Key, Lines, Outcome};
use crate::ir::OfferIdx;

/// What a search found: the best choice (its key, the lines each participant keeps, its
/// outcome; `None` when no choice pays at most the cutoff), whether the search finished
/// (the choice is then proven the cheapest), and the bounds it computed.
pub(crate) struct Found {
    pub best: Option<(Key, Vec<Lines>, Outcome)>,
    pub proven: bool,
    pub nodes: usize,
}

struct Search<'s, 'x, 'p, 'a> {
    bounder: Bounder<'x, 'p, 'a>,
    options: &'s [Vec<Vec<usize>>],
    order: Vec<usize>,
    /// Per part: the contested lines it may keep.
    opt_lines: Vec<Lines>,
    certain: Vec<Lines>,
    possible: Vec<Lines>,
    fixed: Vec<bool>,
    /// Every participant takes part.
    sure: Vec<bool>,
    undecided: Lines,
    best: Option<(Key, Vec<Lines>, Outcome)>,
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
        let tie_at = self.best.as_ref().map(|b| b.0.payable);
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

    /// Whether a choice with this key (exact) beats the best found.
    fn beats_best(&self, key: &Key) -> bool {
        key.payable <= self.cutoff && self.best.as_ref().is_none_or(|b| *key < b.0)
    }

    /// Whether a subtree with this lower bound may hold a better choice. Equal payable and
    /// priority prune too: the number of applied offers is not bounded tightly enough to
    /// separate such ties, so the first choice found keeps them.
    fn may_beat_best(&self, bound: &Key) -> bool {
        bound.payable <= self.cutoff
            && self
                .best
                .as_ref()
                .is_none_or(|b| (bound.payable, -bound.priority) < (b.0.payable, -b.0.priority))
    }

    fn dfs(&mut self, depth: usize) {
        let Some(&l) = self.order.get(depth) else {
            return;
        };
        // What the open offers lack before this line is decided: among options with equal
        // bounds, the line goes first to the offers that lack the most.
        let _ = self.bound();
        let wants: Vec<i128> = self.options[l]
            .iter()
            .map(|opt| opt.iter().map(|&k| self.bounder.wants[k]).sum())
            .collect();
        let mut kids: Vec<(Key, std::cmp::Reverse<i128>, usize)> =
            Vec::with_capacity(self.options[l].len());
        for (j, &want) in wants.iter().enumerate() {
            self.decide(l, j, true);
            let b = self.bound();
            if b.exact {
                let key = key_of(&b);
                if self.beats_best(&key) {
                    let outcome = self.bounder.outcome().cloned();
                    if let Some(outcome) = outcome {
                        self.best = Some((key, self.certain.clone(), outcome));
                    }
                }
            } else {
                kids.push((key_of(&b), std::cmp::Reverse(want), j));
            }
            self.decide(l, j, false);
        }
        kids.sort();
        for &(key, _, j) in kids.iter() {
            if !self.may_beat_best(&key) {
                continue;
            }
            if self.best.is_some() && (self.nodes >= self.budget || self.deadline.passed()) {
                self.out_of_budget = true;
                break;
            }
            self.decide(l, j, true);
            self.dfs(depth + 1);
            self.decide(l, j, false);
            if self.out_of_budget {
                break;
            }
        }
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
    let mut order = contested.to_vec();
    order.sort_by(|&a, &b| {
        stage_of(a)
            .cmp(&stage_of(b))
            .then(p.orig[b].cmp(&p.orig[a]))
            .then(p.cart.lines[a].id.cmp(&p.cart.lines[b].id))
    });
    let mut s = Search {
        bounder: Bounder::new(applier, parts),
        options,
        order,
        opt_lines,
        certain,
        possible: vec![Lines::new(n); parts.len()],
        fixed: vec![false; parts.len()],
        sure: vec![true; parts.len()],
        undecided,
        best: None,
        nodes: 0,
        budget,
        deadline: p.deadline,
        out_of_budget: false,
        cutoff,
    };
    s.dfs(0);
    Found {
        proven: !s.out_of_budget,
        nodes: s.nodes,
        best: s.best,
    }
}

#[cfg(test)]
mod tests {
    use crate::eval::{choose_within, Prepared, ASSIGN_BUDGET};
    use crate::request::{Cart, Context, Line};
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
