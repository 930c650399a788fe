//! `每满300减50` [`封顶150`]: an amount off per full multiple of the base, up to a cap.

use super::*;
use crate::rules::ir::EveryN;

impl EveryN {
    /// Full multiples in `base`.
    fn times(&self, base: i64) -> i64 {
        if self.step.0 > 0 {
            base.max(0) / self.step.0
        } else {
            0
        }
    }

    /// The discount for `times` multiples, capped.
    fn value_of(&self, times: i64) -> i64 {
        let raw = times.saturating_mul(self.off.0);
        self.cap.map_or(raw, |c| raw.min(c.0))
    }

    fn value(&self, base: i64) -> i64 {
        self.value_of(self.times(base))
    }
}

impl Form for EveryN {
    fn reach(&self) -> Reach<'_> {
        Reach::Order(self)
    }

    fn shortfall(&self, m: Measure) -> Option<Shortfall> {
        (self.times(m.base) == 0).then(|| Shortfall::Amount(Money(self.step.0 - m.base)))
    }

    fn next_step(&self, m: Measure, _: &Env) -> NextStep {
        let mut step = NextStep::NONE;
        if self.step.0 <= 0 {
            return step;
        }
        let k = self.times(m.base);
        let (now, then) = (self.value_of(k), self.value_of(k + 1));
        if then > now {
            // Saturating: a tiny step on a huge cart must not overflow.
            let short = (k + 1).saturating_mul(self.step.0) - m.base;
            step.shortfall = Some(Shortfall::Amount(Money(short)));
            step.extra = Some(Money(then - now));
        }
        step
    }

    fn landmarks(&self, out: &mut Vec<i64>) {
        let cap = self.cap.map_or(0, |c| c.0);
        out.extend([self.step.0, self.off.0, cap, 2 * self.step.0]);
    }
}

impl OrderForm for EveryN {
    fn discount(&self, m: Measure, _: &Env) -> Option<OrderDiscount> {
        let times = self.times(m.base);
        if times == 0 {
            return None;
        }
        let raw = times.saturating_mul(self.off.0);
        let total = self.value_of(times);
        Some(OrderDiscount {
            total,
            detail: Detail::EveryN {
                base: Money(m.base),
                step: self.step,
                times,
                capped: total < raw,
            },
        })
    }

    fn upper(&self, m: Measure, _: &Env) -> i64 {
        self.value(m.base)
    }

    fn curve(&self, bc: i64, bp: i64, room: i64, _: &mut Vec<CurveStep>) -> Option<Curve> {
        let mut curve = Curve {
            free: self.value(bc).min(room),
            ..Curve::default()
        };
        let top = self.value(bp).min(room);
        if self.step.0 > 0 && top > curve.free {
            curve.up = top - curve.free;
            // The next multiple is the steepest step.
            let gap = self.step.0 - bc.rem_euclid(self.step.0);
            curve.slope = Slope {
                num: i128::from(self.off.0),
                den: i128::from(gap.max(1)),
            };
        }
        Some(curve)
    }

    fn after_earlier_take(&self, bp: i64, x: i64) -> Option<i64> {
        if self.step.0 <= 0 {
            return None;
        }
        // Over x' in [0, x], −x' − value(bp − x') falls with slope −1 and jumps up by `off`
        // at every multiple: its least is at x, or just before the last multiple when the
        // rest `r` above it exceeds `step − off`.
        let r = (bp - x).rem_euclid(self.step.0);
        Some(self.value(bp - x) + (r - (self.step.0 - self.off.0)).max(0))
    }
}
