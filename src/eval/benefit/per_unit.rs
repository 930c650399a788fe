//! The per-unit forms: `8折` (a rate on every unit), `直降20` (an amount off each unit),
//! `特价99` (a unit price), `拼团价59` (a group-buy price) and `定金100抵200` (a presale
//! deposit worth more than it costs). No threshold; each unit saves on its own price.

use super::*;
use crate::rules::ir::{Deposit, GroupBuy, PctOff, UnitOff, UnitPrice};

/// A per-unit form: no threshold and no next step.
macro_rules! per_unit_form {
    ($($t:ty),*) => {$(
        impl Form for $t {
            fn reach(&self) -> Reach<'_> {
                Reach::PerUnit(self)
            }

            fn shortfall(&self, _: Measure) -> Option<Shortfall> {
                None
            }

            fn next_step(&self, _: Measure, _: &Env) -> NextStep {
                NextStep::NONE
            }

            fn landmarks(&self, out: &mut Vec<i64>) {
                self.amounts(out);
            }
        }
    )*};
}

per_unit_form!(PctOff, UnitOff, UnitPrice, GroupBuy, Deposit);

impl PctOff {
    fn amounts(&self, _: &mut Vec<i64>) {}
}

impl UnitOff {
    fn amounts(&self, out: &mut Vec<i64>) {
        out.push(self.off.0);
    }
}

impl UnitPrice {
    fn amounts(&self, out: &mut Vec<i64>) {
        out.push(self.price.0);
    }
}

impl GroupBuy {
    fn amounts(&self, out: &mut Vec<i64>) {
        out.push(self.price.0);
    }
}

impl Deposit {
    fn amounts(&self, out: &mut Vec<i64>) {
        out.extend([self.deposit.0, self.worth.0]);
    }
}

impl UnitForm for PctOff {
    fn unit_saving(&self, price: i64, rounding: Rounding) -> i64 {
        self.rate
            .discount_on(Money(price), rounding)
            .0
            .clamp(0, price.max(0))
    }
}

impl UnitForm for UnitOff {
    fn unit_saving(&self, price: i64, _: Rounding) -> i64 {
        self.off.0.clamp(0, price.max(0))
    }
}

impl UnitForm for UnitPrice {
    fn unit_saving(&self, price: i64, _: Rounding) -> i64 {
        (price - self.price.0).clamp(0, price.max(0))
    }
}

impl UnitForm for GroupBuy {
    fn unit_saving(&self, price: i64, _: Rounding) -> i64 {
        (price - self.price.0).clamp(0, price.max(0))
    }
}

impl UnitForm for Deposit {
    fn unit_saving(&self, price: i64, _: Rounding) -> i64 {
        (self.worth.0 - self.deposit.0).clamp(0, price.max(0))
    }

    fn deposit(&self) -> Option<Money> {
        Some(self.deposit)
    }
}
