//! What one open offer could give at most, on its certain lines and as a step up from its
//! other possible ones, from the benefit algebra's upper bounds (`crate::eval::benefit`).

use super::{Item, LineSaving, TierStep};
use crate::eval::benefit::{ceiling, CurveStep, Env, Measure, Reach, Slope};
use crate::eval::Lines;
use crate::rules::ir::*;

/// What open offer `o` (part `k`) could give: on its certain lines, and the step up from its
/// other possible lines. `start`: amounts at its stage's start; `base`: its threshold base.
#[allow(clippy::too_many_arguments)]
pub(super) fn open_item(
    p: &crate::eval::Prepared<'_>,
    k: usize,
    o: &Offer,
    certain: &Lines,
    possible: &Lines,
    undecided: &Lines,
    start: &[i64],
    base: &[i64],
    per_line: &mut Vec<LineSaving>,
    steps: &mut Vec<TierStep>,
    scratch: &mut Vec<CurveStep>,
) -> Item {
    let sum = |set: &Lines, v: &[i64]| -> i64 { set.iter().map(|l| v[l]).sum() };
    let room = sum(possible, start);
    let item = Item {
        part: k,
        stage: o.stage,
        free: 0,
        up: 0,
        slope: Slope::default(),
        stepped: false,
        bp: sum(possible, base),
        merged: false,
    };
    let uncoupled = |ub: i64| Item {
        free: ub.clamp(0, room.max(0)),
        ..item
    };
    match o.benefit.reach() {
        Reach::Order(f) => {
            let (bc, bp) = (sum(certain, base), sum(possible, base));
            scratch.clear();
            match f.curve(bc, bp, room, scratch) {
                Some(curve) => {
                    steps.extend(scratch.iter().map(|s| TierStep {
                        part: k,
                        need: s.need,
                        gain: s.gain,
                    }));
                    Item {
                        free: curve.free,
                        up: curve.up,
                        slope: curve.slope,
                        stepped: curve.stepped,
                        ..item
                    }
                }
                None => uncoupled(f.upper(
                    Measure {
                        base: bp,
                        units: units_of(p, possible),
                        amount: room,
                    },
                    &Env::of(p),
                )),
            }
        }
        Reach::PerUnit(_) => {
            let mut sure: i64 = 0;
            for l in possible.iter() {
                // The dearest unit's price, for every unit: saving grows with price.
                let s = ceiling(&o.benefit, start[l], p.cart.lines[l].qty);
                if undecided.get(l) && !certain.get(l) {
                    // Shared with the stage's other offers that may keep the line.
                    per_line.push(LineSaving {
                        stage: o.stage,
                        line: l,
                        saving: s,
                        part: k,
                    });
                } else {
                    sure += s;
                }
            }
            uncoupled(sure)
        }
        Reach::Groups(_) => uncoupled(room),
        Reach::Shipping(_) | Reach::Neutral => item,
    }
}

fn units_of(p: &crate::eval::Prepared<'_>, set: &Lines) -> u64 {
    set.iter().map(|l| u64::from(p.cart.lines[l].qty)).sum()
}
