//! `gap` (凑单, 还差多少能再减): the shortfall to an offer's next step and what it unlocks.

use serde::Serialize;

use crate::answer::{Reason, Shortfall, StepUnit};
use crate::cart::{Cart, Context};
use crate::error::Error;
use crate::eval::benefit::{Env, Measure};
use crate::eval::{OfferAmounts, Prepared};
use crate::lang::ast::OfferKind;
use crate::money::Money;
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
    /// Whether `shortfall` counts money (`amount`) or units (`items`).
    pub unit: StepUnit,
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
                    unit: StepUnit::Amount,
                    extra_discount: None,
                    reason: Some(r),
                };
            }
            let m = chosen
                .outcome
                .bases
                .iter()
                .find(|b| b.offer == o)
                .map(|b| b.measure)
                .unwrap_or_else(|| whole_scope(&p, &chosen.outcome, o));
            next_step(offer, m, p.ctx.shipping_fee, rules.rounding)
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
            unit: StepUnit::Amount,
            extra_discount: None,
            reason: None,
        });
        Ok(Gap {
            step,
            steps: Some(steps),
        })
    }
}

/// What an offer's whole scope measures, for an offer that kept no line.
fn whole_scope(p: &Prepared<'_>, out: &crate::eval::Outcome, o: OfferIdx) -> Measure {
    OfferAmounts::of(&p.rules.offers[o], &p.orig, |k| out.after(k)).measure(p.cart, &p.scope[o])
}

/// The next step of `offer` from what its kept lines measure.
fn next_step(
    offer: &Offer,
    m: Measure,
    shipping: Money,
    rounding: crate::money::Rounding,
) -> GapStep {
    let next = offer.benefit.next_step(m, &Env { shipping, rounding });
    GapStep {
        offer: offer.id.clone(),
        shortfall: next.shortfall,
        unit: next.unit,
        extra_discount: next.extra,
        reason: None,
    }
}
