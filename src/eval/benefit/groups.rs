//! The group forms: `第2件半价` (the cheapest unit of each group of `n` gets a rate off),
//! `买2送1` (the `get` cheapest units of each group are free) and `3件99元` (each group
//! costs a price). Units are sorted dearest first and cut into full groups; fewer units
//! than one group is a count threshold not met.

use super::*;
use crate::eval::apportion::split;
use crate::money::Rate;
use crate::rules::ir::{Bundle, BuyGet, Nth};

/// A group form's threshold and next step: units short of the next full group, each added
/// unit at the scope's average unit price; `extra` gives what one more group saves from
/// that price.
fn group_step(size: u64, m: Measure, extra: impl Fn(i64) -> i64) -> NextStep {
    let short = size - m.units % size.max(1);
    let avg = if m.units > 0 {
        m.amount / m.units as i64
    } else {
        0
    };
    NextStep {
        shortfall: Some(Shortfall::Items(short)),
        unit: StepUnit::Items,
        extra: Some(Money(extra(avg))),
    }
}

fn group_shortfall(size: u64, m: Measure) -> Option<Shortfall> {
    (m.units < size).then(|| Shortfall::Items(size - m.units))
}

macro_rules! group_form {
    ($($t:ty),*) => {$(
        impl Form for $t {
            fn reach(&self) -> Reach<'_> {
                Reach::Groups(self)
            }

            fn shortfall(&self, m: Measure) -> Option<Shortfall> {
                group_shortfall(self.size(), m)
            }

            fn next_step(&self, m: Measure, env: &Env) -> NextStep {
                group_step(self.size(), m, |avg| self.one_more(avg, env.rounding))
            }

            fn landmarks(&self, out: &mut Vec<i64>) {
                self.amounts(out);
            }
        }
    )*};
}

group_form!(Nth, BuyGet, Bundle);

impl Nth {
    fn amounts(&self, _: &mut Vec<i64>) {}

    fn one_more(&self, avg: i64, rounding: Rounding) -> i64 {
        self.rate.discount_on(Money(avg), rounding).0
    }
}

impl BuyGet {
    fn amounts(&self, _: &mut Vec<i64>) {}

    fn one_more(&self, avg: i64, _: Rounding) -> i64 {
        avg.saturating_mul(i64::from(self.get))
    }
}

impl Bundle {
    fn amounts(&self, out: &mut Vec<i64>) {
        out.push(self.price.0);
    }

    fn one_more(&self, avg: i64, _: Rounding) -> i64 {
        (avg.saturating_mul(i64::from(self.n)) - self.price.0).max(0)
    }
}

impl GroupForm for Nth {
    fn size(&self) -> u64 {
        u64::from(self.n)
    }

    fn savings(
        &self,
        group: &[i64],
        rounding: Rounding,
        savings: &mut [i64],
        _: &mut GroupBufs,
    ) -> u64 {
        let Some((last, price)) = savings.last_mut().zip(group.last()) else {
            return 0;
        };
        *last += Rate::discount_on(self.rate, Money(*price), rounding)
            .0
            .min(*price);
        1
    }
}

impl GroupForm for BuyGet {
    fn size(&self) -> u64 {
        u64::from(self.buy) + u64::from(self.get)
    }

    fn savings(&self, group: &[i64], _: Rounding, savings: &mut [i64], _: &mut GroupBufs) -> u64 {
        let free = group.len().saturating_sub(self.get as usize);
        for (s, price) in savings[free..].iter_mut().zip(&group[free..]) {
            *s += price;
        }
        (group.len() - free) as u64
    }
}

impl GroupForm for Bundle {
    fn size(&self) -> u64 {
        u64::from(self.n)
    }

    fn savings(
        &self,
        group: &[i64],
        _: Rounding,
        savings: &mut [i64],
        bufs: &mut GroupBufs,
    ) -> u64 {
        let sum: i64 = group.iter().sum();
        if sum <= self.price.0 {
            return 0;
        }
        // The saving is split over the group's units by price.
        bufs.prices.clear();
        bufs.prices.extend_from_slice(group);
        split(
            sum - self.price.0,
            &bufs.prices,
            &mut bufs.part,
            &mut bufs.rems,
        );
        for (s, d) in savings.iter_mut().zip(&bufs.part) {
            *s += d;
        }
        group.len() as u64
    }
}
