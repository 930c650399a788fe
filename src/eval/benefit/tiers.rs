//! `满300减50 / 满500减100`, `满3件打8折`: tiers of a spend or a unit count; the highest tier
//! reached gives a fixed amount or a rate on the kept lines.

use super::*;
use crate::money::Rate;
use crate::rules::ir::{Reward, Tier, TierAt, Tiered};

impl Tiered {
    fn reaches(t: &Tier, m: Measure) -> bool {
        match t.at {
            TierAt::Spend(s) => m.base >= s.0,
            TierAt::Items(n) => m.units >= u64::from(n),
        }
    }

    /// The highest tier `m` reaches.
    fn reached(&self, m: Measure) -> Option<&Tier> {
        self.tiers.iter().rev().find(|t| Self::reaches(t, m))
    }

    /// The most any tier `m` reaches gives (rates on `m.amount`, rounded up): a tier
    /// reached on a smaller measure may give more than the highest one reached here.
    fn most_reached(&self, m: Measure) -> i64 {
        self.tiers
            .iter()
            .filter(|t| Self::reaches(t, m))
            .map(|t| reward(t.reward, m.amount, Rounding::Up))
            .max()
            .unwrap_or(0)
    }

    fn counts_items(&self) -> bool {
        matches!(self.tiers.first().map(|t| t.at), Some(TierAt::Items(_)))
    }
}

fn reward(r: Reward, amount: i64, rounding: Rounding) -> i64 {
    match r {
        Reward::Off(m) => m.0,
        Reward::PctOff(rate) => Rate::discount_on(rate, Money(amount), rounding).0,
    }
}

impl Form for Tiered {
    fn reach(&self) -> Reach<'_> {
        Reach::Order(self)
    }

    fn shortfall(&self, m: Measure) -> Option<Shortfall> {
        if self.reached(m).is_some() {
            return None;
        }
        Some(match self.tiers.first().map(|t| t.at) {
            Some(TierAt::Items(n)) => Shortfall::Items(u64::from(n).saturating_sub(m.units)),
            Some(TierAt::Spend(s)) => Shortfall::Amount(Money(s.0 - m.base)),
            None => Shortfall::Amount(Money::ZERO),
        })
    }

    fn next_step(&self, m: Measure, env: &Env) -> NextStep {
        let mut step = NextStep::NONE;
        if self.counts_items() {
            step.unit = StepUnit::Items;
        }
        let now = self
            .reached(m)
            .map_or(0, |t| reward(t.reward, m.amount, env.rounding));
        let Some(next) = self.tiers.iter().find(|t| !Self::reaches(t, m)) else {
            return step;
        };
        let (shortfall, added) = match next.at {
            TierAt::Spend(s) => {
                let short = s.0 - m.base;
                (Shortfall::Amount(Money(short)), short)
            }
            TierAt::Items(n) => {
                // Added items are assumed to cost the scope's average unit price.
                let short = u64::from(n) - m.units;
                let avg = if m.units > 0 {
                    m.amount / m.units as i64
                } else {
                    0
                };
                (Shortfall::Items(short), avg * short as i64)
            }
        };
        let then = reward(next.reward, m.amount + added, env.rounding);
        step.shortfall = Some(shortfall);
        step.extra = Some(Money((then - now).max(0)));
        step
    }

    fn landmarks(&self, out: &mut Vec<i64>) {
        for t in &self.tiers {
            out.push(match t.at {
                TierAt::Spend(m) => m.0,
                TierAt::Items(_) => 0,
            });
            out.push(match t.reward {
                Reward::Off(m) => m.0,
                Reward::PctOff(_) => 0,
            });
        }
    }
}

impl OrderForm for Tiered {
    fn discount(&self, m: Measure, env: &Env) -> Option<OrderDiscount> {
        let t = self.reached(m)?;
        Some(OrderDiscount {
            total: reward(t.reward, m.amount, env.rounding),
            detail: Detail::Threshold {
                base: Money(m.base),
                units: m.units,
                reached: t.at,
            },
        })
    }

    fn upper(&self, m: Measure, _: &Env) -> i64 {
        self.most_reached(m)
    }

    fn curve(&self, bc: i64, bp: i64, room: i64, steps: &mut Vec<CurveStep>) -> Option<Curve> {
        if !self.tiers.iter().all(|t| matches!(t.at, TierAt::Spend(_))) {
            return None;
        }
        // The discount on a base of `b` (a rate on the base: never less than on the current
        // amounts), rates rounded up.
        let value = |b: i64| {
            self.most_reached(Measure {
                base: b,
                units: 0,
                amount: b,
            })
        };
        // Rounding up may add a cent on any step: counted once, up front.
        let slack = i64::from(
            self.tiers
                .iter()
                .any(|t| matches!(t.reward, Reward::PctOff(_))),
        );
        let v0 = value(bc);
        let mut curve = Curve {
            free: (v0 + slack).min(room),
            ..Curve::default()
        };
        let top = (value(bp) + slack).min(room);
        if top <= curve.free {
            return Some(curve);
        }
        curve.up = top - curve.free;
        if slack == 0 {
            // Whole tiers: the knapsack chooses at most one of them.
            curve.stepped = true;
            for t in &self.tiers {
                if let (TierAt::Spend(m), Reward::Off(r)) = (t.at, t.reward) {
                    if m.0 > bc && m.0 <= bp && r.0 > v0 {
                        steps.push(CurveStep {
                            need: i128::from(m.0 - bc),
                            gain: r.0.min(top) - curve.free,
                        });
                    }
                }
            }
        }
        // The steepest value per cent of added base over the tiers.
        for t in &self.tiers {
            let TierAt::Spend(m) = t.at else { continue };
            let (m, bc, v0) = (i128::from(m.0), i128::from(bc), i128::from(v0));
            match t.reward {
                Reward::Off(r) if m > bc => curve.slope.steepen(i128::from(r.0) - v0, m - bc),
                Reward::Off(_) => {}
                Reward::PctOff(r) => {
                    let r = i128::from(r.0);
                    curve.slope.steepen(r, 10_000);
                    if m > bc {
                        curve.slope.steepen(r * m - 10_000 * v0, 10_000 * (m - bc));
                    }
                }
            }
        }
        Some(curve)
    }
}
