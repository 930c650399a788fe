//! What a quote says about the stacking choice, for the tests that compare the engine
//! with a brute-force reference (`stacking_reference`, `eight_by_eight`).
#![allow(dead_code)] // not every test crate that includes `common` compares quotes

use std::collections::BTreeSet;

use youhui::{Context, Quote};

/// The payable, each line's payable in cart order and the offers that applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub payable: i64,
    pub lines: Vec<i64>,
    pub applied: BTreeSet<String>,
}

impl Outcome {
    pub fn of(q: &Quote) -> Outcome {
        Outcome {
            payable: q.payable.0,
            lines: q.lines.iter().map(|l| l.payable.0).collect(),
            applied: q.applied.iter().map(|a| a.offer.clone()).collect(),
        }
    }
}

/// The context both sides quote in: a fixed `now`, so every answer is reproducible.
pub fn ctx() -> Context {
    Context {
        now: Some(1_794_362_400),
        ..Context::default()
    }
}
