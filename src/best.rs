//! `best` (用哪几张券最划算): the selection of wallet coupons with the lowest payable.
//!
//! The answer is exact:
//! - Wallets of at most [`BRUTE_FORCE_COUPONS`] candidate coupons are searched
//!   exhaustively: every selection with no two coupons that exclude each other is priced.
//! - Larger wallets are searched depth first, coupons ordered by the most they could give,
//!   including before excluding, with two prunings: coupons that exclude a chosen one are
//!   skipped, and a branch stops when its payable minus the most the remaining coupons could
//!   still take off ([`max_discount`], computed on the cart's original prices) cannot beat
//!   the best selection found. The bound assumes adding a coupon never makes the other
//!   offers give more than they did without it; it holds unless a coupon's presence lets a
//!   threshold be reached by displacing another offer's discount (an `only_with`, exclusive
//!   or stage-`max` contest whose loser is cheaper for the customer), which the brute force
//!   covers for small wallets.
//! - A search that would price more than [`limits::MAX_BEST_EVALUATIONS`] selections
//!   stops with the `budget_exceeded` error rather than run long.
//!
//! Ties: fewer chosen coupons, then the list of chosen IDs in declaration order that comes
//! first. A coupon counts as chosen only if it applies.

use crate::answer::{Best, NotChosen, Reason};
use crate::error::{Error, EvalError};
use crate::eval::{compatible, excludes, line_rule, Prepared};
use crate::ir::*;
use crate::limits;
use crate::money::{Money, Rounding};
use crate::request::{Cart, Context};

/// Wallets with at most this many candidate coupons are searched exhaustively.
pub const BRUTE_FORCE_COUPONS: usize = 10;

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

struct Search<'r, 'p, 'a> {
    rules: &'r RuleSet,
    p: &'p Prepared<'a>,
    evaluated: usize,
    best: Option<Priced>,
}

impl Search<'_, '_, '_> {
    fn price(&mut self, selection: &[OfferIdx]) -> Result<i64, EvalError> {
        self.evaluated += 1;
        if self.evaluated > limits::MAX_BEST_EVALUATIONS {
            return Err(EvalError::Budget {
                limit: limits::MAX_BEST_EVALUATIONS,
            });
        }
        let (chosen, _) = self.rules.choose_for(self.p, selection)?;
        let payable = chosen.outcome.payable();
        let mut applied: Vec<OfferIdx> = chosen
            .outcome
            .applied
            .iter()
            .map(|a| a.0)
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
        Ok(payable)
    }

    fn dfs(
        &mut self,
        order: &[(OfferIdx, i64)],
        i: usize,
        selection: &mut Vec<OfferIdx>,
        payable: i64,
    ) -> Result<(), EvalError> {
        let rules = &self.rules.inner;
        let allowed = |o: OfferIdx, sel: &[OfferIdx]| !sel.iter().any(|&s| excludes(rules, o, s));
        let room: i64 = order[i..]
            .iter()
            .filter(|(o, _)| allowed(*o, selection))
            .fold(0i64, |sum, (_, m)| sum.saturating_add(*m));
        if self
            .best
            .as_ref()
            .is_some_and(|b| payable.saturating_sub(room) >= b.payable)
        {
            return Ok(());
        }
        let Some(&(o, _)) = order.get(i) else {
            return Ok(());
        };
        if allowed(o, selection) {
            selection.push(o);
            let with = self.price(selection)?;
            self.dfs(order, i + 1, selection, with)?;
            selection.pop();
        }
        self.dfs(order, i + 1, selection, payable)
    }
}

/// The most `o` could take off this cart, whatever else applies: its discount on the
/// original prices of its whole scope, rates rounded up, never more than that scope's total
/// (free shipping: the fee; gifts: nothing).
pub(crate) fn max_discount(p: &Prepared<'_>, o: OfferIdx) -> i64 {
    let offer = &p.rules.offers[o];
    let lines: Vec<usize> = p.scope[o].iter().collect();
    let total: i64 = lines.iter().map(|&l| p.orig[l]).sum();
    let units: u64 = lines.iter().map(|&l| u64::from(p.cart.lines[l].qty)).sum();
    let per_unit = |f: &dyn Fn(i64) -> i64| -> i64 {
        lines
            .iter()
            .map(|&l| f(p.cart.lines[l].price.0) * i64::from(p.cart.lines[l].qty))
            .sum()
    };
    let bound = match &offer.benefit {
        Benefit::Tiered { tiers } => tiers
            .iter()
            .filter(|t| match t.at {
                TierAt::Spend(m) => total >= m.0,
                TierAt::Items(n) => units >= u64::from(n),
            })
            .map(|t| match t.reward {
                Reward::Off(m) => m.0,
                Reward::PctOff(r) => r.discount_on(Money(total), Rounding::Up).0,
            })
            .max()
            .unwrap_or(0),
        Benefit::EveryN { step, off, cap } => {
            let raw = if step.0 > 0 {
                (total / step.0).saturating_mul(off.0)
            } else {
                0
            };
            cap.map_or(raw, |c| raw.min(c.0))
        }
        Benefit::PctOff { rate } => {
            per_unit(&|price| rate.discount_on(Money(price), Rounding::Up).0.min(price))
        }
        Benefit::UnitOff { off } => per_unit(&|price| off.0.min(price)),
        Benefit::UnitPrice { price: q } | Benefit::GroupBuy { price: q, .. } => {
            per_unit(&|price| (price - q.0).max(0))
        }
        Benefit::Deposit { deposit, worth } => per_unit(&|price| (worth.0 - deposit.0).min(price)),
        Benefit::Nth { .. } | Benefit::BuyGet { .. } | Benefit::Bundle { .. } => total,
        Benefit::FreeShipping { .. } => return p.ctx.shipping_fee.0,
        Benefit::Gift { .. } => 0,
    };
    bound.clamp(0, total)
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
        let wallet = self.coupon_indices(wallet)?;
        let rules = &self.inner;
        // A coupon in the wallet is held, whatever `context.wallet` says.
        let mut ctx_held = ctx.clone();
        ctx_held.wallet = None;
        let p = Prepared::new(&self.inner, cart, &ctx_held)?;
        let candidates: Vec<OfferIdx> = wallet
            .iter()
            .copied()
            .filter(|&c| p.ineligible[c].is_none())
            .collect();
        let mut search = Search {
            rules: self,
            p: &p,
            evaluated: 0,
            best: None,
        };
        let empty = search.price(&[])?;
        if candidates.len() <= BRUTE_FORCE_COUPONS {
            for mask in 1u32..(1u32 << candidates.len()) {
                let sel: Vec<OfferIdx> = (0..candidates.len())
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| candidates[i])
                    .collect();
                let independent = sel
                    .iter()
                    .enumerate()
                    .all(|(i, &a)| sel[i + 1..].iter().all(|&b| !excludes(rules, a, b)));
                if independent {
                    search.price(&sel)?;
                }
            }
        } else {
            let mut order: Vec<(OfferIdx, i64)> = candidates
                .iter()
                .map(|&c| (c, max_discount(&p, c)))
                .collect();
            order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            // Single coupons first: a good incumbent makes the bound bite early.
            for &(c, _) in &order {
                search.price(&[c])?;
            }
            search.dfs(&order, 0, &mut Vec::new(), empty)?;
        }
        // Drop selected coupons that apply nowhere when the answer stays the same without
        // them (the bound prunes equally cheap branches, so the search may keep them).
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
        let evaluated = search.evaluated;
        let best = search.best.unwrap_or(Priced {
            payable: empty,
            chosen: Vec::new(),
            selection: Vec::new(),
        });
        let quote = self.quote_prepared(&p, &best.selection)?;
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
                    rule: "excludes",
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
                    None => Reason::AddsNothing,
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
}
