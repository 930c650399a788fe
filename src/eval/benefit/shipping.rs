//! `包邮`, `满99包邮`: the shipping fee is waived once the kept lines reach the spend.

use super::*;
use crate::rules::ir::FreeShipping;

impl Form for FreeShipping {
    fn reach(&self) -> Reach<'_> {
        Reach::Shipping(self)
    }

    fn shortfall(&self, m: Measure) -> Option<Shortfall> {
        self.spend
            .filter(|s| m.base < s.0)
            .map(|s| Shortfall::Amount(Money(s.0 - m.base)))
    }

    fn next_step(&self, m: Measure, env: &Env) -> NextStep {
        let step = spend_step(self.shortfall(m));
        NextStep {
            extra: step.shortfall.map(|_| env.shipping),
            ..step
        }
    }

    fn landmarks(&self, out: &mut Vec<i64>) {
        out.extend(self.spend.map(|s| s.0));
    }
}

impl ShippingForm for FreeShipping {
    fn fee_after(&self, _: i64) -> i64 {
        0
    }
}

/// The next step of a form whose only step is its spend: the shortfall to it, if any.
pub(super) fn spend_step(shortfall: Option<Shortfall>) -> NextStep {
    match shortfall {
        Some(s) => NextStep {
            shortfall: Some(s),
            ..NextStep::NONE
        },
        None => NextStep::NONE,
    }
}
