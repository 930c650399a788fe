//! `best` (用哪几张券最划算): the selection of wallet coupons with the lowest payable.
//!
//! The answer is exact, proven by branch and bound:
//! - Coupons are decided one at a time (earlier stages first, then the most they could
//!   give), each taken before it is left out; a coupon that excludes a taken one is left
//!   out.
//! - Every node is bounded by [`crate::eval::bound`] with the undecided coupons *open* (they may
//!   or may not take part, and may keep any line of their scope), which is a true lower
//!   bound on the payable of every selection below it; a node whose bound exceeds the best
//!   payable found is not explored.
//! - A complete selection is priced by the stacking choice, itself an exact search
//!   ([`crate::eval::assign`]) sharing the budget.
//! - A search that would take more than [`limits::MAX_BEST_WORK`] steps (bounds and
//!   choices priced) stops with the `budget_exceeded` error rather than run long.
//!
//! Ties: fewer chosen coupons, then the list of chosen IDs in declaration order that comes
//! first. A coupon counts as chosen only if it applies.

use crate::answer::{Best, NotChosen, Quote, Reason, StackRule};
use crate::cart::{Cart, Context};
use crate::error::{Error, EvalError};
use crate::eval::benefit::{most, Env, Measure, UnitLine};
use crate::eval::bound::{linked_groups, Bounder, LowerBound};
use crate::eval::{
    app_order, compatible, excludes, line_rule, may_share_line, Applier, Lines, Prepared,
};
use crate::lang::ast::OfferKind;
use crate::limits;
use crate::money::Money;
use crate::rules::ir::*;

/// A priced selection: payable and the coupons that applied (declaration indices, sorted).
#[derive(Clone)]
struct Priced {
    payable: i64,
    chosen: Vec<OfferIdx>,
    /// What was selected to get it (a selected coupon that applies nowhere can still
    /// change which lines the others keep).
    selection: Vec<OfferIdx>,
}

impl Priced {
    fn better_than(&self, o: &Priced) -> bool {
        // On a full tie the smaller selection wins: a selected coupon that applies nowhere
        // would only clutter the answer.
        (
            self.payable,
            self.chosen.len(),
            &self.chosen,
            self.selection.len(),
            &self.selection,
        ) < (
            o.payable,
            o.chosen.len(),
            &o.chosen,
            o.selection.len(),
            &o.selection,
        )
    }
}

/// Where a coupon stands in a node of the search.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Taken,
    Left,
    Open,
}

struct Search<'r, 'p, 'a> {
    rules: &'r RuleSet,
    p: &'p Prepared<'a>,
    /// Candidate activities.
    activities: Vec<OfferIdx>,
    /// Candidate coupons, in search order.
    coupons: Vec<OfferIdx>,
    /// Per offer: its position in `coupons` (`None` for others).
    position: Vec<Option<usize>>,
    /// Per cart line: the candidate activities and coupons with a price effect and it in
    /// scope.
    line_offers: Vec<Vec<OfferIdx>>,
    /// Per cart line: for a set of its `line_offers` taking part (a bit each), `None` when
    /// they may all share it, else which of them (a bit each, in the order they take part)
    /// some keeper option leaves out.
    line_contests: Vec<std::collections::HashMap<u64, Option<u64>>>,
    /// Per coupon (search order): whether it is interchangeable with the one before it
    /// (see [`twins`]); it is then taken only if that one is.
    twin_of_previous: Vec<bool>,
    work: usize,
    /// Steps this search may take: [`limits::MAX_BEST_WORK`] up to 64 lines, less in
    /// proportion above (a step costs in proportion to the lines), so a big cart ends
    /// within the deadline on its step budget, the same answer every time.
    budget: usize,
    best: Option<Priced>,
}

/// Wallets of at most this many eligible coupons are searched subset by subset when the
/// branch and bound runs out of steps.
const EXHAUSTIVE_WALLET: usize = 8;

impl Search<'_, '_, '_> {
    fn spend(&mut self, steps: usize) -> Result<(), EvalError> {
        self.p.deadline.check()?;
        self.work += steps;
        if self.work > self.budget {
            return Err(EvalError::Budget { limit: self.budget });
        }
        Ok(())
    }

    /// Prices a complete selection with the exact stacking choice.
    fn price(&mut self, selection: &[OfferIdx]) -> Result<(), EvalError> {
        let budget = self.budget.saturating_sub(self.work);
        let cutoff = self.best.as_ref().map_or(i64::MAX, |b| b.payable);
        let (chosen, _) = self
            .rules
            .choose_for_within(self.p, selection, budget, cutoff)?;
        self.spend(chosen.work.max(1))?;
        if !chosen.proven {
            return Err(EvalError::Budget { limit: self.budget });
        }
        if chosen.cut {
            // Nothing at or below the best payable found.
            return Ok(());
        }
        let payable = chosen.outcome.payable();
        let mut applied: Vec<OfferIdx> = chosen
            .outcome
            .applied
            .iter()
            .map(|a| a.offer)
            .filter(|o| selection.contains(o))
            .collect();
        applied.sort_unstable();
        let cand = Priced {
            payable,
            chosen: applied,
            selection: selection.to_vec(),
        };
        if self.best.as_ref().is_none_or(|b| cand.better_than(b)) {
            self.best = Some(cand);
        }
        Ok(())
    }

    /// A lower bound on the payable of every selection that takes the `Taken` coupons,
    /// leaves the `Left` ones and decides the `Open` ones either way, and whether that
    /// subtree cannot hold a better selection (its bound exceeds the best payable found,
    /// or equals it while the coupons every selection there must apply already lose the
    /// tie-break).
    fn hopeless(&mut self, status: &[Status]) -> Result<bool, EvalError> {
        let Some(best_payable) = self.best.as_ref().map(|b| b.payable) else {
            return Ok(false);
        };
        let (b, must) = self.bound(status, Some(best_payable))?;
        if b.payable > best_payable {
            return Ok(true);
        }
        if b.payable < best_payable {
            return Ok(false);
        }
        let Some(best) = self.best.as_ref() else {
            return Ok(false);
        };
        // Equal payable: every selection here chooses at least `must`; on a full tie of the
        // chosen coupons the smaller selection wins, and each here takes every `Taken` one.
        let taken = status.iter().filter(|s| **s == Status::Taken).count();
        Ok(
            match (must.len(), &must).cmp(&(best.chosen.len(), &best.chosen)) {
                std::cmp::Ordering::Less => false,
                std::cmp::Ordering::Equal => taken >= best.selection.len(),
                std::cmp::Ordering::Greater => true,
            },
        )
    }

    fn bound(
        &mut self,
        status: &[Status],
        tie_at: Option<i64>,
    ) -> Result<(LowerBound, Vec<OfferIdx>), EvalError> {
        self.spend(1)?;
        let p = self.p;
        let rules = p.rules;
        let n = p.orig.len();
        let mut parts: Vec<OfferIdx> = self.activities.clone();
        parts.extend(
            self.coupons
                .iter()
                .zip(status)
                .filter(|(_, s)| **s != Status::Left)
                .map(|(&c, _)| c),
        );
        parts.sort_by(|&a, &b| app_order(rules, a, b));
        let open: Vec<bool> = parts
            .iter()
            .map(|&o| {
                self.position
                    .get(o)
                    .copied()
                    .flatten()
                    .and_then(|i| status.get(i))
                    .is_some_and(|s| *s == Status::Open)
            })
            .collect();
        // Sure to take part: decided, and in no `excludes` relation with another part.
        let sure: Vec<bool> = parts
            .iter()
            .zip(&open)
            .map(|(&o, &is_open)| {
                !is_open
                    && (rules.offers[o].excludes.is_empty()
                        || !parts.iter().any(|&x| excludes(rules, o, x)))
            })
            .collect();
        let possible: Vec<Lines> = parts.iter().map(|&o| p.scope[o].clone()).collect();
        let mut certain = possible.clone();
        let mut undecided = Lines::new(n);
        // Keeper options are not enumerated here (too many with every coupon open): the
        // bound then takes no floors on contested lines.
        let options: Vec<Vec<Vec<usize>>> = Vec::new();
        let mut part_of: Vec<Option<usize>> = vec![None; rules.offers.len()];
        for (k, &o) in parts.iter().enumerate() {
            part_of[o] = Some(k);
        }
        let mut priced_here = Vec::new();
        for l in 0..n {
            // Which of the line's priced candidates take part: the contest depends on that
            // alone, so it is worked out once per set (`line_contests`).
            let here = &self.line_offers[l];
            let mut mask = 0u64;
            priced_here.clear();
            for (i, &o) in here.iter().enumerate() {
                if let Some(k) = part_of[o] {
                    priced_here.push(k);
                    mask |= 1 << (i % 64);
                }
            }
            let loose = if here.len() <= 64 {
                *self.line_contests[l]
                    .entry(mask)
                    .or_insert_with(|| not_everywhere(rules, &parts, &priced_here))
            } else {
                not_everywhere(rules, &parts, &priced_here)
            };
            let Some(loose) = loose else {
                continue;
            };
            undecided.set(l);
            for (i, &k) in priced_here.iter().enumerate() {
                if loose & (1 << i) != 0 {
                    certain[k].clear(l);
                }
            }
        }
        let fixed: Vec<bool> = (0..parts.len())
            .map(|k| sure[k] && certain[k] == possible[k])
            .collect();
        let applier = Applier::new(p);
        let mut bounder = Bounder::new(&applier, &parts);
        // Open coupons that exclude each other: at most one of each group takes part.
        let part_of = &part_of;
        let links = (0..parts.len())
            .filter(|&a| open[a])
            .flat_map(|a| {
                rules.offers[parts[a]]
                    .excludes
                    .iter()
                    .filter_map(move |&x| Some((a, part_of[x]?)))
            })
            .filter(|&(_, b)| open[b]);
        let groups = linked_groups(parts.len(), links);
        bounder.groups = groups
            .into_iter()
            .zip(&open)
            .map(|(g, &open)| open.then_some(g))
            .collect();
        let b = bounder.bound(
            &fixed, &sure, &certain, &possible, &undecided, &options, tie_at,
        );
        self.spend(bounder.applies)?;
        // Coupons every selection here paying at most `tie_at` applies, in declaration order.
        let mut must: Vec<OfferIdx> = parts
            .iter()
            .zip(&bounder.must)
            .filter(|(&o, &m)| m && rules.offers[o].kind == OfferKind::Coupon)
            .map(|(&o, _)| o)
            .collect();
        must.sort_unstable();
        Ok((b, must))
    }

    fn dfs(&mut self, i: usize, status: &mut Vec<Status>) -> Result<(), EvalError> {
        let rules = &self.rules.inner;
        if i == self.coupons.len() {
            if self.hopeless(status)? {
                return Ok(());
            }
            let selection: Vec<OfferIdx> = self
                .coupons
                .iter()
                .zip(status.iter())
                .filter(|(_, s)| **s == Status::Taken)
                .map(|(&c, _)| c)
                .collect();
            self.price(&selection)?;
            return Ok(());
        }
        let c = self.coupons[i];
        let blocked = self
            .coupons
            .iter()
            .zip(status.iter())
            .any(|(&t, s)| *s == Status::Taken && excludes(rules, c, t));
        // Of interchangeable coupons the earlier ones are taken first: the tie-break prefers
        // them and the payable cannot tell them apart.
        let waits_for_twin = i > 0 && self.twin_of_previous[i] && status[i - 1] != Status::Taken;
        if !blocked && !waits_for_twin {
            if self.hopeless(status)? {
                return Ok(());
            }
            status[i] = Status::Taken;
            self.dfs(i + 1, status)?;
        }
        status[i] = Status::Left;
        self.dfs(i + 1, status)?;
        status[i] = Status::Open;
        Ok(())
    }
}

/// For the parts `here` (indices into `parts`, all with a price effect) on one line:
/// `None` when they may all keep it; else a bit per entry of `here` for those some maximal
/// keeper option leaves out (an offer is in every option when it is compatible with all
/// the others and its stage has room for all of them).
fn not_everywhere(rules: &RuleSetData, parts: &[OfferIdx], here: &[usize]) -> Option<u64> {
    if may_share_line(rules, here, |k| parts[k]) {
        return None;
    }
    let mut loose = 0u64;
    for (i, &k) in here.iter().enumerate().take(64) {
        let stage = rules.offers[parts[k]].stage;
        let same = here
            .iter()
            .filter(|&&x| rules.offers[parts[x]].stage == stage)
            .count();
        let room = rules.stages.get(stage).map_or(1, |s| s.max as usize);
        let everywhere = same <= room
            && here
                .iter()
                .all(|&x| x == k || compatible(rules, parts[k], parts[x]));
        if !everywhere {
            loose |= 1 << i;
        }
    }
    Some(loose)
}

/// Whether coupons `a` and `b` are interchangeable on this cart: the same benefit, stage,
/// priority, threshold base, limits and lines in scope, and no stacking rule that names
/// either of them or sets them apart.
fn twins(p: &Prepared<'_>, a: OfferIdx, b: OfferIdx) -> bool {
    let rules = p.rules;
    let (x, y) = (&rules.offers[a], &rules.offers[b]);
    x.benefit == y.benefit
        && x.stage == y.stage
        && x.priority == y.priority
        && x.threshold == y.threshold
        && x.exclusive == y.exclusive
        && x.only_with == y.only_with
        && x.excludes.is_empty()
        && y.excludes.is_empty()
        && x.limit_per_user_qty == y.limit_per_user_qty
        && p.scope[a] == p.scope[b]
        && !rules.offers.iter().any(|o| {
            o.only_with
                .as_ref()
                .is_some_and(|w| w.contains(&a) || w.contains(&b))
        })
}

/// The most `o` could take off this cart, whatever else applies: its discount on the
/// original prices of its whole scope, rates rounded up, never more than that scope's total
/// (free shipping: the fee; gifts: nothing).
pub(crate) fn max_discount(p: &Prepared<'_>, o: OfferIdx) -> i64 {
    let offer = &p.rules.offers[o];
    let (mut total, mut units) = (0i64, 0u64);
    for l in p.scope[o].iter() {
        total += p.orig[l];
        units += u64::from(p.cart.lines[l].qty);
    }
    let m = Measure {
        base: total,
        units,
        amount: total,
    };
    let lines = p.scope[o].iter().map(|l| UnitLine {
        price: p.cart.lines[l].price.0,
        qty: p.cart.lines[l].qty,
    });
    most(&offer.benefit, m, lines, &Env::of(p))
}

impl RuleSet {
    /// The selection of wallet coupons (with the activities it brings) that minimises
    /// payable, proven optimal by search (see the module docs of `best`), with a reason for
    /// every wallet coupon not chosen.
    ///
    /// ```
    /// use youhui::{Cart, Context, Line, Money, RuleSet};
    /// let rules = RuleSet::parse(r#"
    /// ruleset "店" { stages 店铺, 平台 }
    /// coupon s20 "满199减20" { stage 店铺 benefit 满199减20 }
    /// coupon s30 "满299减30" { stage 店铺 benefit 满299减30 }
    /// coupon p10 "平台满100减10" { stage 平台 benefit 满100减10 }
    /// "#)?;
    /// let cart = Cart { lines: vec![Line::new("L1", "A", "nike", Money(32000), 1)] };
    /// let best = rules.best(&cart, &Context::default(), &["s20", "s30", "p10"])?;
    /// assert_eq!(best.coupons, ["s30", "p10"]);
    /// assert_eq!(best.quote.payable.to_string(), "280.00");
    /// # Ok::<(), youhui::Error>(())
    /// ```
    pub fn best<S: AsRef<str>>(
        &self,
        cart: &Cart,
        ctx: &Context,
        wallet: &[S],
    ) -> Result<Best, Error> {
        let wallet = self.coupon_indices_of("wallet", wallet)?;
        let rules = &self.inner;
        // A coupon in the wallet is held, whatever `context.wallet` says.
        let mut ctx_held = ctx.clone();
        ctx_held.wallet = None;
        let p = self.prepare(cart, &ctx_held)?;
        let candidates: Vec<OfferIdx> = wallet
            .iter()
            .copied()
            .filter(|&c| p.ineligible[c].is_none())
            .collect();
        let mut coupons: Vec<(OfferIdx, i64)> = candidates
            .iter()
            .map(|&c| (c, max_discount(&p, c)))
            .collect();
        coupons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut search = Search {
            rules: self,
            p: &p,
            activities: (0..rules.offers.len())
                .filter(|&o| {
                    rules.offers[o].kind == OfferKind::Activity && p.ineligible[o].is_none()
                })
                .collect(),
            twin_of_previous: (0..coupons.len())
                .map(|i| i > 0 && twins(&p, coupons[i - 1].0, coupons[i].0))
                .collect(),
            position: {
                let mut at = vec![None; rules.offers.len()];
                for (i, c) in coupons.iter().enumerate() {
                    at[c.0] = Some(i);
                }
                at
            },
            line_offers: (0..p.orig.len())
                .map(|l| {
                    (0..rules.offers.len())
                        .filter(|&o| {
                            p.scope[o].get(l)
                                && p.ineligible[o].is_none()
                                && !rules.offers[o].benefit.is_price_neutral()
                                && (rules.offers[o].kind == OfferKind::Activity
                                    || candidates.contains(&o))
                        })
                        .collect()
                })
                .collect(),
            line_contests: vec![std::collections::HashMap::new(); p.orig.len()],
            coupons: coupons.iter().map(|c| c.0).collect(),
            work: 0,
            budget: limits::MAX_BEST_WORK * 64 / p.orig.len().max(64),
            best: None,
        };
        search.price(&[])?;
        let mut status = vec![Status::Open; search.coupons.len()];
        match search.dfs(0, &mut status) {
            // A small wallet whose contests defeat the bounds (several same-stage coupons
            // splitting the lines between them): price every subset, each stacking choice
            // still proven, on a larger budget. 2^8 subsets at most.
            Err(EvalError::Budget { .. }) if search.coupons.len() <= EXHAUSTIVE_WALLET => {
                search.work = 0;
                search.budget = limits::MAX_BEST_WORK * 16;
                search.best = None;
                let n = search.coupons.len();
                for mask in 0..1u32 << n {
                    let selection: Vec<OfferIdx> = (0..n)
                        .filter(|i| mask & 1 << i != 0)
                        .map(|i| search.coupons[i])
                        .collect();
                    match search.price(&selection) {
                        // Coupons that exclude each other are no selection.
                        Ok(()) | Err(EvalError::Conflict { .. }) => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            searched => searched?,
        }
        // Drop selected coupons that apply nowhere when the answer stays the same without
        // them (a tie the search may have left with the larger selection).
        if let Some(found) = search.best.clone() {
            for c in found
                .selection
                .iter()
                .copied()
                .filter(|c| !found.chosen.contains(c))
            {
                let Some(current) = search.best.clone() else {
                    break;
                };
                let without: Vec<OfferIdx> = current
                    .selection
                    .iter()
                    .copied()
                    .filter(|&x| x != c)
                    .collect();
                search.price(&without)?;
            }
        }
        let evaluated = search.work;
        // The empty selection was priced first, without a cutoff.
        let best = search.best.unwrap_or(Priced {
            payable: 0,
            chosen: Vec::new(),
            selection: Vec::new(),
        });
        let (chosen, not_held) =
            self.choose_for_within(&p, &best.selection, search.budget, i64::MAX)?;
        let quote = self.assemble(&p, &best.selection, &not_held, &chosen);
        drop(chosen);
        let mut not_chosen = Vec::new();
        for &c in &wallet {
            if best.chosen.contains(&c) {
                continue;
            }
            let reason = if let Some(r) = p.reason(c) {
                r
            } else if let Some(n) = quote
                .not_applied
                .iter()
                .find(|n| n.offer == rules.offers[c].id)
            {
                n.reason.clone()
            } else if let Some(&w) = best.chosen.iter().find(|&&w| excludes(rules, c, w)) {
                Reason::Conflict {
                    with: rules.offers[w].id.clone(),
                    rule: StackRule::Excludes,
                }
            } else {
                // What happens when it is added to the best selection.
                let mut with = best.selection.clone();
                with.push(c);
                let reason_in = |selection: &[OfferIdx]| {
                    self.quote_prepared(&p, selection).ok().map(|q| {
                        q.not_applied
                            .iter()
                            .find(|n| n.offer == rules.offers[c].id)
                            .map(|n| n.reason.clone())
                    })
                };
                // A chosen coupon that would take lines from it (incompatible, or the same
                // stage with room for one offer per line).
                let taker = best.chosen.iter().copied().find(|&w| {
                    let (oc, ow) = (&rules.offers[c], &rules.offers[w]);
                    !p.scope[w].is_disjoint(&p.scope[c])
                        && (!compatible(rules, c, w)
                            || oc.stage == ow.stage
                                && rules.stages.get(oc.stage).is_some_and(|s| s.max < 2))
                });
                match reason_in(&with).flatten() {
                    // Its threshold fails on the lines it would keep after losing some to a
                    // chosen coupon. When it applies alone, say which coupon is in the way;
                    // otherwise the shortfall on its whole scope is the useful figure.
                    Some(r @ Reason::ThresholdNotMet { .. }) => match (taker, reason_in(&[c])) {
                        (Some(w), Some(None)) => Reason::Conflict {
                            with: rules.offers[w].id.clone(),
                            rule: line_rule(rules, c, w),
                        },
                        (Some(_), Some(Some(alone))) => alone,
                        _ => r,
                    },
                    Some(r) => r,
                    None => self.what_it_costs(&p, &quote, &with),
                }
            };
            not_chosen.push(NotChosen {
                coupon: rules.offers[c].id.clone(),
                reason,
            });
        }
        Ok(Best {
            coupons: best
                .chosen
                .iter()
                .map(|&c| rules.offers[c].id.clone())
                .collect(),
            quote,
            not_chosen,
            evaluated,
        })
    }

    /// `adds_nothing` for a coupon that applies but that the best selection leaves out: with
    /// it, what the cart would pay more and which offer would give less (a threshold it
    /// breaks, as a shop coupon can push the cross-shop base under a step).
    fn what_it_costs(&self, p: &Prepared<'_>, best: &Quote, with: &[OfferIdx]) -> Reason {
        let Ok(q) = self.quote_prepared(p, with) else {
            return Reason::AddsNothing {
                costs_more: None,
                shrinks: None,
            };
        };
        let more = q.payable.0 - best.payable.0;
        if more <= 0 {
            return Reason::AddsNothing {
                costs_more: None,
                shrinks: None,
            };
        }
        let amount_in = |quote: &Quote, offer: &str| {
            quote
                .applied
                .iter()
                .find(|a| a.offer == offer)
                .map_or(0, |a| a.amount.0)
        };
        let shrinks = best
            .applied
            .iter()
            .map(|a| (a.amount.0 - amount_in(&q, &a.offer), &a.offer))
            .filter(|(drop, _)| *drop > 0)
            .max_by_key(|(drop, _)| *drop)
            .map(|(_, offer)| offer.clone());
        Reason::AddsNothing {
            costs_more: Some(Money(more)),
            shrinks,
        }
    }
}
