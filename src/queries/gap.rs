//! `gap` (凑单, 还差多少能再减): the shortfall to an offer's next step and what it unlocks.

use serde::Serialize;

use crate::answer::{Reason, Shortfall};
use crate::cart::{Cart, Context};
use crate::error::Error;
use crate::eval::Prepared;
use crate::lang::ast::OfferKind;
use crate::money::{Money, Rate};
use crate::rules::ir::*;

/// One offer's next step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GapStep {
    /// Offer ID.
    pub offer: String,
    /// How much more (money or units) in scope reaches the next step; `None` when there is
    /// no next step (past the cap, above the top tier, or not a threshold benefit).
    pub shortfall: Option<Shortfall>,
    /// `amount` or `items`.
    pub unit: &'static str,
    /// The next step's discount minus the current one.
    pub extra_discount: Option<Money>,
    /// When the offer cannot apply at all for another reason (not started, audience, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

/// The answer to `gap`: one offer's step, or for a whole cart the best next step and all of
/// them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Gap {
    /// The step asked about, or the best one.
    #[serde(flatten)]
    pub step: GapStep,
    /// For a whole cart: every offer's next step, best first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<GapStep>>,
}

impl RuleSet {
    /// The next step of `offer` (or, with `None`, of every offer that takes part) on this
    /// cart, measured on the offer's threshold base over the lines it keeps.
    ///
    /// ```
    /// use youhui::{Cart, Context, Line, Money, RuleSet};
    /// let rules = RuleSet::parse(r#"
    /// ruleset "店" { stages 店铺 }
    /// activity shop300 "店铺每满300减50" { stage 店铺 benefit 每满300减50 }
    /// "#)?;
    /// let cart = Cart { lines: vec![Line::new("L1", "A", "nike", Money(29800), 1)] };
    /// let gap = rules.gap(Some("shop300"), &cart, &Context::default(), &[] as &[&str])?;
    /// assert_eq!(gap.step.shortfall, Some(youhui::answers::Shortfall::Amount(Money(200))));
    /// assert_eq!(gap.step.extra_discount, Some(Money(5000)));
    /// # Ok::<(), youhui::Error>(())
    /// ```
    pub fn gap<S: AsRef<str>>(
        &self,
        offer: Option<&str>,
        cart: &Cart,
        ctx: &Context,
        coupons: &[S],
    ) -> Result<Gap, Error> {
        let rules = &self.inner;
        let mut selected = self.coupon_indices(coupons)?;
        let target = offer.map(|id| self.index_of(id)).transpose()?;
        if let Some(t) = target.filter(|&t| rules.offers[t].kind == OfferKind::Coupon) {
            if !selected.contains(&t) {
                selected.push(t);
            }
        }
        let p = self.prepare(cart, ctx)?;
        let (chosen, _) = self.choose_for(&p, &selected)?;
        let step_of = |o: OfferIdx| -> GapStep {
            let offer = &rules.offers[o];
            if let Some(r) = p.reason(o) {
                return GapStep {
                    offer: offer.id.clone(),
                    shortfall: None,
                    unit: "amount",
                    extra_discount: None,
                    reason: Some(r),
                };
            }
            let (base, units, current) = chosen
                .outcome
                .bases
                .iter()
                .find(|b| b.0 == o)
                .map(|b| (b.1, b.2, b.3))
                .unwrap_or_else(|| whole_scope(&p, &chosen.outcome, o));
            next_step(
                offer,
                base,
                units,
                current,
                p.ctx.shipping_fee,
                rules.rounding,
            )
        };
        if let Some(t) = target {
            return Ok(Gap {
                step: step_of(t),
                steps: None,
            });
        }
        let mut steps: Vec<GapStep> = chosen
            .parts
            .iter()
            .map(|&o| step_of(o))
            .filter(|s| s.shortfall.is_some())
            .collect();
        // Best first: most discount per yuan of shortfall (amount steps before item steps),
        // then the smaller shortfall, then declaration order (the sort is stable).
        let rank = |s: &GapStep| -> (u8, i128) {
            match (s.shortfall, s.extra_discount) {
                (Some(Shortfall::Amount(m)), Some(x)) if m.0 > 0 => {
                    (0, -(i128::from(x.0) * 1_000_000 / i128::from(m.0)))
                }
                (Some(Shortfall::Items(n)), Some(x)) => {
                    (1, -(i128::from(x.0) * 1_000_000 / i128::from(n.max(1))))
                }
                _ => (2, 0),
            }
        };
        steps.sort_by(|a, b| {
            rank(a)
                .cmp(&rank(b))
                .then_with(|| match (a.shortfall, b.shortfall) {
                    (Some(Shortfall::Amount(x)), Some(Shortfall::Amount(y))) => x.cmp(&y),
                    _ => std::cmp::Ordering::Equal,
                })
        });
        let step = steps.first().cloned().unwrap_or(GapStep {
            offer: String::new(),
            shortfall: None,
            unit: "amount",
            extra_discount: None,
            reason: None,
        });
        Ok(Gap {
            step,
            steps: Some(steps),
        })
    }
}

/// Base, units and current amount of an offer's whole scope, for an offer that kept no line.
fn whole_scope(p: &Prepared<'_>, out: &crate::eval::Outcome, o: OfferIdx) -> (i64, u64, i64) {
    let offer = &p.rules.offers[o];
    let before = if offer.stage == 0 {
        &p.orig
    } else {
        out.after(offer.stage - 1).unwrap_or(&p.orig)
    };
    let base_vec = match offer.threshold {
        ThresholdBase::Original => &p.orig,
        ThresholdBase::After(k) if k < offer.stage => out.after(k).unwrap_or(before),
        _ => before,
    };
    let lines: Vec<usize> = p.scope[o].iter().collect();
    let base = lines.iter().map(|&l| base_vec[l]).sum();
    let units = lines.iter().map(|&l| u64::from(p.cart.lines[l].qty)).sum();
    let current = lines.iter().map(|&l| before[l]).sum();
    (base, units, current)
}

fn reward_amount(r: Reward, current: i64, rounding: crate::money::Rounding) -> i64 {
    match r {
        Reward::Off(m) => m.0,
        Reward::PctOff(rate) => Rate::discount_on(rate, Money(current), rounding).0,
    }
}

/// The next step of a threshold benefit from `base` (money) / `units`.
fn next_step(
    offer: &Offer,
    base: i64,
    units: u64,
    current: i64,
    shipping: Money,
    rounding: crate::money::Rounding,
) -> GapStep {
    let mut step = GapStep {
        offer: offer.id.clone(),
        shortfall: None,
        unit: "amount",
        extra_discount: None,
        reason: None,
    };
    match &offer.benefit {
        Benefit::Tiered { tiers } => {
            let items = matches!(tiers.first().map(|t| t.at), Some(TierAt::Items(_)));
            let reached = |t: &Tier| match t.at {
                TierAt::Spend(m) => base >= m.0,
                TierAt::Items(n) => units >= u64::from(n),
            };
            let now = tiers
                .iter()
                .rev()
                .find(|t| reached(t))
                .map_or(0, |t| reward_amount(t.reward, current, rounding));
            if let Some(next) = tiers.iter().find(|t| !reached(t)) {
                match next.at {
                    TierAt::Spend(m) => {
                        let short = m.0 - base;
                        step.shortfall = Some(Shortfall::Amount(Money(short)));
                        let then = reward_amount(next.reward, current + short, rounding);
                        step.extra_discount = Some(Money((then - now).max(0)));
                    }
                    TierAt::Items(n) => {
                        let short = u64::from(n) - units;
                        step.unit = "items";
                        step.shortfall = Some(Shortfall::Items(short));
                        // Added items are assumed to cost the scope's average unit price.
                        let avg = if units > 0 { current / units as i64 } else { 0 };
                        let then =
                            reward_amount(next.reward, current + avg * short as i64, rounding);
                        step.extra_discount = Some(Money((then - now).max(0)));
                    }
                }
            } else if items {
                step.unit = "items";
            }
        }
        Benefit::EveryN { step: s, off, cap } if s.0 > 0 => {
            let k = base / s.0;
            // Saturating: a tiny step on a huge cart must not overflow.
            let times = |k: i64| k.saturating_mul(off.0);
            let now = cap.map_or(times(k), |c| times(k).min(c.0));
            let then = cap.map_or(times(k + 1), |c| times(k + 1).min(c.0));
            if then > now {
                step.shortfall = Some(Shortfall::Amount(Money((k + 1).saturating_mul(s.0) - base)));
                step.extra_discount = Some(Money(then - now));
            }
        }
        Benefit::FreeShipping { spend: Some(s) } if base < s.0 => {
            step.shortfall = Some(Shortfall::Amount(Money(s.0 - base)));
            step.extra_discount = Some(shipping);
        }
        Benefit::Gift { spend: Some(s), .. } if base < s.0 => {
            step.shortfall = Some(Shortfall::Amount(Money(s.0 - base)));
            step.extra_discount = Some(Money::ZERO);
        }
        Benefit::Nth { .. } | Benefit::Bundle { .. } | Benefit::BuyGet { .. } => {
            // The units that complete the next full group, each at the scope's average
            // unit price (as for item tiers).
            let size = offer.benefit.group_size().unwrap_or(1);
            let short = size - units % size.max(1);
            let avg = if units > 0 { current / units as i64 } else { 0 };
            let extra = match &offer.benefit {
                Benefit::Nth { rate, .. } => rate.discount_on(Money(avg), rounding).0,
                Benefit::BuyGet { get, .. } => avg.saturating_mul(i64::from(*get)),
                Benefit::Bundle { price, .. } => (avg.saturating_mul(size as i64) - price.0).max(0),
                _ => 0,
            };
            step.unit = "items";
            step.shortfall = Some(Shortfall::Items(short));
            step.extra_discount = Some(Money(extra));
        }
        _ => {}
    }
    step
}
