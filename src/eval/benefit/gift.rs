//! `满200赠保温杯`: a gift once the kept lines reach the spend; no price effect.

use super::shipping::spend_step;
use super::*;
use crate::rules::ir::Gift;

impl Form for Gift {
    fn reach(&self) -> Reach<'_> {
        Reach::Neutral
    }

    fn shortfall(&self, m: Measure) -> Option<Shortfall> {
        self.spend
            .filter(|s| m.base < s.0)
            .map(|s| Shortfall::Amount(Money(s.0 - m.base)))
    }

    fn next_step(&self, m: Measure, _: &Env) -> NextStep {
        let step = spend_step(self.shortfall(m));
        NextStep {
            extra: step.shortfall.map(|_| Money::ZERO),
            ..step
        }
    }

    fn landmarks(&self, out: &mut Vec<i64>) {
        out.extend(self.spend.map(|s| s.0));
    }
}
