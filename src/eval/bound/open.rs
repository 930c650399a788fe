//! What one open offer could give at most: the per-benefit upper bounds the lower bound on
//! payable is built from (its certain lines, and the step up from its possible ones).

use super::Item;
use crate::eval::Lines;
use crate::money::Rounding;
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
    per_line: &mut Vec<(StageIdx, usize, i64, usize)>,
    steps: &mut Vec<(usize, i128, i64)>,
) -> Item {
    let sum = |set: &Lines, v: &[i64]| -> i64 { set.iter().map(|l| v[l]).sum() };
    let room = sum(possible, start);
    let mut item = Item {
        part: k,
        stage: o.stage,
        free: 0,
        up: 0,
        num: 0,
        den: 1,
        stepped: false,
        bp: sum(possible, base),
        merged: false,
    };
    let uncoupled = |ub: i64| Item {
        free: ub.clamp(0, room.max(0)),
        ..item
    };
    match &o.benefit {
        Benefit::Tiered { tiers } if tiers.iter().all(|t| matches!(t.at, TierAt::Spend(_))) => {
            // The discount on a base of `b` (a rate on the base: never less than on the
            // current amounts), rates rounded up.
            let value = |b: i64| -> i64 {
                tiers
                    .iter()
                    .filter_map(|t| match (t.at, t.reward) {
                        (TierAt::Spend(m), Reward::Off(r)) if b >= m.0 => Some(r.0),
                        (TierAt::Spend(m), Reward::PctOff(r)) if b >= m.0 => {
                            Some(r.discount_on(crate::money::Money(b), Rounding::Up).0)
                        }
                        _ => None,
                    })
                    .max()
                    .unwrap_or(0)
            };
            // Rounding up may add a cent on any step: counted once, up front.
            let slack = i64::from(tiers.iter().any(|t| matches!(t.reward, Reward::PctOff(_))));
            let (bc, bp) = (sum(certain, base), sum(possible, base));
            let v0 = value(bc);
            item.free = (v0 + slack).min(room);
            let top = (value(bp) + slack).min(room);
            if top > item.free {
                item.up = top - item.free;
                if slack == 0 {
                    // Whole tiers: the knapsack chooses at most one of them.
                    item.stepped = true;
                    for t in tiers {
                        if let (TierAt::Spend(m), Reward::Off(r)) = (t.at, t.reward) {
                            if m.0 > bc && m.0 <= bp && r.0 > v0 {
                                steps.push((k, i128::from(m.0 - bc), r.0.min(top) - item.free));
                            }
                        }
                    }
                }
                // The steepest value per cent of added base over the tiers.
                let mut steeper = |num: i128, den: i128| {
                    if den > 0 && num > 0 && num * item.den > item.num * den {
                        (item.num, item.den) = (num, den);
                    }
                };
                for t in tiers {
                    let TierAt::Spend(m) = t.at else { continue };
                    let (m, bc, v0) = (i128::from(m.0), i128::from(bc), i128::from(v0));
                    match t.reward {
                        Reward::Off(r) if m > bc => steeper(i128::from(r.0) - v0, m - bc),
                        Reward::Off(_) => {}
                        Reward::PctOff(r) => {
                            let r = i128::from(r.0);
                            steeper(r, 10_000);
                            if m > bc {
                                steeper(r * m - 10_000 * v0, 10_000 * (m - bc));
                            }
                        }
                    }
                }
            }
            item
        }
        Benefit::EveryN { step, off, cap } if step.0 > 0 => {
            let value = |b: i64| -> i64 {
                let raw = (b / step.0).saturating_mul(off.0);
                cap.map_or(raw, |c| raw.min(c.0))
            };
            let (bc, bp) = (sum(certain, base), sum(possible, base));
            item.free = value(bc).min(room);
            let top = value(bp).min(room);
            if top > item.free {
                item.up = top - item.free;
                // The next multiple is the steepest step.
                let gap = step.0 - bc.rem_euclid(step.0);
                (item.num, item.den) = (i128::from(off.0), i128::from(gap.max(1)));
            }
            item
        }
        Benefit::Tiered { .. } => {
            let (bp, units) = (sum(possible, base), units_of(p, possible));
            uncoupled(o.benefit.best_tier_reward(bp, units, room))
        }
        Benefit::EveryN { .. } | Benefit::FreeShipping { .. } | Benefit::Gift { .. } => item,
        Benefit::PctOff { .. }
        | Benefit::UnitOff { .. }
        | Benefit::UnitPrice { .. }
        | Benefit::GroupBuy { .. }
        | Benefit::Deposit { .. } => {
            let saving_on = |l: usize| -> i64 {
                let qty = i64::from(p.cart.lines[l].qty.max(1));
                // The dearest unit's price, for every unit: saving grows with price.
                let unit = (start[l] + qty - 1) / qty;
                (o.benefit.unit_saving(unit, Rounding::Up) * qty).min(start[l])
            };
            let mut sure: i64 = 0;
            for l in possible.iter() {
                let s = saving_on(l);
                if undecided.get(l) && !certain.get(l) {
                    // Shared with the stage's other offers that may keep the line.
                    per_line.push((o.stage, l, s, k));
                } else {
                    sure += s;
                }
            }
            uncoupled(sure)
        }
        Benefit::Nth { .. } | Benefit::BuyGet { .. } | Benefit::Bundle { .. } => uncoupled(room),
    }
}

/// What a per-unit benefit surely takes off line `l` at amount `amount` (0 for others):
/// every unit at the cheapest unit's price, rounded down.
pub(super) fn per_unit_floor(
    p: &crate::eval::Prepared<'_>,
    b: &Benefit,
    l: usize,
    amount: i64,
) -> i64 {
    let qty = i64::from(p.cart.lines[l].qty.max(1));
    let unit = amount.div_euclid(qty);
    (b.unit_saving(unit, Rounding::Down) * qty).min(amount)
}

fn units_of(p: &crate::eval::Prepared<'_>, set: &Lines) -> u64 {
    set.iter().map(|l| u64::from(p.cart.lines[l].qty)).sum()
}
