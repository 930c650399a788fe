//! Application: stages in order, offers by priority then declaration, each benefit
//! applied to the amounts at its stage's start, clamped and apportioned (`Applier`).

#[allow(unused_imports)]
use super::*;
use crate::eval::benefit::{Env, GroupBufs, Measure, OrderDiscount, Reach};

/// The result of applying one choice.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    /// Final line amounts.
    pub amount: Vec<i64>,
    /// Every share of a discount on a line, in application order.
    pub shares: Vec<LineShare>,
    /// Applied offers in application order.
    pub applied: Vec<AppliedOffer>,
    /// Offers whose threshold was not met on their effective scope, with the shortfall (the
    /// reason's text is built only when an answer is assembled).
    pub unmet: Vec<Unmet>,
    pub shipping: i64,
    pub gifts: Vec<OfferIdx>,
    /// Total deposit of applied presales (`None` when none applied).
    pub deposit: Option<i64>,
    /// Amounts after each stage, stage after stage (`lines` amounts each; see
    /// [`Outcome::after`]).
    pub after_stage: Vec<i64>,
    /// For every offer that kept lines: what they measure, for 凑单.
    pub bases: Vec<OfferMeasure>,
    /// Where each stage starts in the vectors above (see [`Applier::apply_from`]).
    pub marks: Vec<Mark>,
}

/// The amounts an offer works on: at the start of its stage (what it takes from, what
/// rates apply to) and where its threshold is tested (`ThresholdBase`). The one place
/// that reads an offer's threshold point.
#[derive(Clone, Copy)]
pub(crate) struct OfferAmounts<'a> {
    pub start: &'a [i64],
    pub base: &'a [i64],
}

impl<'a> OfferAmounts<'a> {
    /// From the original amounts and the amounts after each stage (`after(k)`; exact ones
    /// in an [`Outcome`], upper bounds in the stacking bounds).
    pub fn of(o: &Offer, orig: &'a [i64], after: impl Fn(StageIdx) -> Option<&'a [i64]>) -> Self {
        let start = match o.stage {
            0 => orig,
            s => after(s - 1).unwrap_or(orig),
        };
        let base = match o.threshold {
            ThresholdBase::Original => orig,
            ThresholdBase::After(k) if k < o.stage => after(k).unwrap_or(start),
            ThresholdBase::After(_) | ThresholdBase::Sequential => start,
        };
        OfferAmounts { start, base }
    }

    /// What `lines` of `cart` measure for the offer.
    pub fn measure(&self, cart: &crate::cart::Cart, lines: &Lines) -> Measure {
        let mut m = Measure::default();
        for l in lines.iter() {
            m.base += self.base[l];
            m.amount += self.start[l];
            m.units += u64::from(cart.lines[l].qty);
        }
        m
    }
}

/// One share of a discount on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineShare {
    pub line: usize,
    pub offer: OfferIdx,
    /// Cents off the line.
    pub amount: i64,
}

/// An offer that applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AppliedOffer {
    pub offer: OfferIdx,
    /// What it took off (free shipping: the fee waived).
    pub given: i64,
    pub detail: Detail,
    /// Whether it gave less than its benefit, the lines holding less.
    pub clamped: bool,
}

/// An offer whose threshold its kept lines did not reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unmet {
    pub offer: OfferIdx,
    pub shortfall: Shortfall,
}

/// What an offer's kept lines measured when it applied (or missed its threshold).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OfferMeasure {
    pub offer: OfferIdx,
    pub measure: Measure,
}

/// The state of an [`Outcome`] at the start of a stage.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Mark {
    pub(super) shares: usize,
    pub(super) applied: usize,
    pub(super) unmet: usize,
    pub(super) gifts: usize,
    pub(super) bases: usize,
    pub(super) shipping: i64,
    pub(super) deposit: Option<i64>,
}

impl Outcome {
    pub fn payable(&self) -> i64 {
        self.amount.iter().sum::<i64>() + self.shipping
    }

    /// The line amounts right after stage `k`.
    pub fn after(&self, k: usize) -> Option<&[i64]> {
        let n = self.amount.len();
        self.after_stage.get(k * n..(k + 1) * n)
    }
}

/// One unit for group benefits: its price and line.
#[derive(Clone, Copy)]
pub(super) struct Unit {
    pub(super) price: i64,
    pub(super) line: usize,
}

/// Price classes of a line's units at amount `a`: the first `a % qty` units cost one cent
/// more than the rest, so the classes always add up to `a` exactly.
pub(super) fn unit_classes(a: i64, qty: u32) -> [(i64, i64); 2] {
    let q = i64::from(qty.max(1));
    let (base, extra) = (a.div_euclid(q), a.rem_euclid(q));
    [(base + 1, extra), (base, q - extra)]
}

pub(crate) struct Applier<'p, 'a> {
    pub p: &'p Prepared<'a>,
    /// Buffers reused by every offer applied (and every choice priced) with this applier.
    pub(super) bufs: std::cell::RefCell<Bufs>,
}

/// Scratch space for applying one offer.
#[derive(Default)]
pub(super) struct Bufs {
    pub(super) lines: Vec<usize>,
    pub(super) base: Vec<i64>,
    pub(super) caps: Vec<i64>,
    pub(super) shares: Vec<i64>,
    pub(super) desired: Vec<i64>,
    pub(super) classes: Vec<(i64, usize, i64)>,
    pub(super) units: Vec<Unit>,
    pub(super) prices: Vec<i64>,
    pub(super) part: Vec<i64>,
    pub(super) split: crate::eval::apportion::SplitBufs,
    pub(super) group: GroupBufs,
}

impl<'p, 'a> Applier<'p, 'a> {
    pub fn new(p: &'p Prepared<'a>) -> Self {
        let bufs = p.scratch.borrow_mut().bufs.pop().unwrap_or_default();
        Applier {
            p,
            bufs: std::cell::RefCell::new(bufs),
        }
    }
}

impl Drop for Applier<'_, '_> {
    fn drop(&mut self) {
        // The next applier of this query (a search builds several) starts warm.
        let bufs = std::mem::take(self.bufs.get_mut());
        let spare = &mut self.p.scratch.borrow_mut().bufs;
        if spare.len() < 16 {
            spare.push(bufs);
        }
    }
}

impl Applier<'_, '_> {
    /// Applies the participants (in application order), each on the lines it keeps.
    pub fn apply(&self, parts: &[OfferIdx], keeps: &[Lines]) -> Outcome {
        self.apply_from(parts, keeps, None, 0)
    }

    /// Like [`Applier::apply`], but stages before `from` are taken from `prev`, an outcome
    /// of the same participants whose keeps differ from `keeps` only for offers of stage
    /// `from` or later: those earlier stages would come out the same, so they are copied
    /// instead of applied again (the local search changes one line at a time).
    pub fn apply_from(
        &self,
        parts: &[OfferIdx],
        keeps: &[Lines],
        prev: Option<&Outcome>,
        from: usize,
    ) -> Outcome {
        let rules = self.p.rules;
        let n = self.p.orig.len();
        let mut amount: Vec<i64> = self.p.take();
        let mut out = Outcome {
            amount: Vec::new(),
            shares: self.p.take(),
            applied: self.p.take(),
            unmet: self.p.take(),
            shipping: self.p.ctx.shipping_fee.0,
            gifts: self.p.take(),
            deposit: None,
            after_stage: self.p.take(),
            bases: self.p.take(),
            marks: self.p.take(),
        };
        let mut first_stage = 0;
        match prev.and_then(|p| Some((p, *p.marks.get(from)?))) {
            Some((p, m)) if from > 0 => {
                out.shares.extend_from_slice(&p.shares[..m.shares]);
                out.applied.extend_from_slice(&p.applied[..m.applied]);
                out.unmet.extend_from_slice(&p.unmet[..m.unmet]);
                out.gifts.extend_from_slice(&p.gifts[..m.gifts]);
                out.bases.extend_from_slice(&p.bases[..m.bases]);
                out.marks.extend_from_slice(&p.marks[..from]);
                out.after_stage
                    .extend_from_slice(&p.after_stage[..from * n]);
                out.shipping = m.shipping;
                out.deposit = m.deposit;
                amount.extend_from_slice(&p.after_stage[(from - 1) * n..from * n]);
                first_stage = from;
            }
            _ => amount.extend_from_slice(&self.p.orig),
        }
        let mut k = parts
            .iter()
            .position(|&o| rules.offers[o].stage >= first_stage)
            .unwrap_or(parts.len());
        let mut start: Vec<i64> = self.p.take();
        for stage in first_stage..rules.stages.len() {
            out.marks.push(Mark {
                shares: out.shares.len(),
                applied: out.applied.len(),
                unmet: out.unmet.len(),
                gifts: out.gifts.len(),
                bases: out.bases.len(),
                shipping: out.shipping,
                deposit: out.deposit,
            });
            if parts
                .get(k)
                .is_some_and(|&o| rules.offers[o].stage == stage)
            {
                start.clear();
                start.extend_from_slice(&amount);
            }
            while let Some(&o) = parts.get(k) {
                if rules.offers[o].stage != stage {
                    break;
                }
                if !keeps[k].is_empty() {
                    self.apply_one(o, &keeps[k], &start, &mut amount, &mut out);
                }
                k += 1;
            }
            out.after_stage.extend_from_slice(&amount);
        }
        self.p.give(start);
        out.amount = amount;
        out
    }

    pub(super) fn apply_one(
        &self,
        oi: OfferIdx,
        keep: &Lines,
        start: &[i64],
        amount: &mut [i64],
        out: &mut Outcome,
    ) {
        let o = &self.p.rules.offers[oi];
        let mut bufs = self.bufs.borrow_mut();
        let Bufs {
            lines,
            base: base_vals,
            caps,
            shares,
            desired,
            classes,
            units: all,
            prices,
            part,
            split: split_bufs,
            group: group_bufs,
        } = &mut *bufs;
        lines.clear();
        lines.extend(keep.iter());
        let lines = &*lines;
        // `out.amount` is filled only at the end: stages are cut by the cart's line count.
        let n = self.p.orig.len();
        let at = OfferAmounts::of(o, &self.p.orig, |k| out.after_stage.get(k * n..(k + 1) * n));
        base_vals.clear();
        base_vals.extend(lines.iter().map(|&l| at.base[l]));
        let measure = at.measure(self.p.cart, keep);
        let units = measure.units;
        let rounding = self.p.rules.rounding;
        out.bases.push(OfferMeasure { offer: oi, measure });
        let form = o.benefit.reach();
        if let Some(short) = o.benefit.shortfall(measure) {
            out.unmet.push(Unmet {
                offer: oi,
                shortfall: short,
            });
            return;
        }
        match form {
            Reach::Order(f) => {
                let Some(OrderDiscount { total, detail }) = f.discount(measure, &Env::of(self.p))
                else {
                    return;
                };
                caps.clear();
                caps.extend(lines.iter().map(|&l| amount[l]));
                apportion(total, base_vals, caps, shares, split_bufs);
                let Taken { given, .. } = take_off(oi, lines, shares, amount, out);
                out.applied.push(AppliedOffer {
                    offer: oi,
                    given,
                    detail,
                    clamped: given < total,
                });
                return;
            }
            Reach::Shipping(f) => {
                let saved = out.shipping;
                out.shipping = f.fee_after(saved);
                out.applied.push(AppliedOffer {
                    offer: oi,
                    given: saved - out.shipping,
                    detail: Detail::Shipping,
                    clamped: false,
                });
                return;
            }
            Reach::Neutral => {
                out.gifts.push(oi);
                out.applied.push(AppliedOffer {
                    offer: oi,
                    given: 0,
                    detail: Detail::Gift,
                    clamped: false,
                });
                return;
            }
            Reach::PerUnit(_) | Reach::Groups(_) => {}
        }
        // Per-unit and group benefits: desired discount per kept line.
        desired.clear();
        desired.resize(lines.len(), 0);
        let mut benefited: u64 = 0;
        match form {
            Reach::PerUnit(f) => {
                // (saving per unit, kept-line index, units)
                classes.clear();
                for (k, &l) in lines.iter().enumerate() {
                    for (price, count) in unit_classes(start[l], self.p.cart.lines[l].qty) {
                        if count > 0 {
                            classes.push((f.unit_saving(price, rounding), k, count));
                        }
                    }
                }
                let mut allowed = match o.limit_per_user_qty {
                    Some(limit) => i64::from(
                        limit.saturating_sub(self.p.ctx.bought.get(&o.id).copied().unwrap_or(0)),
                    ),
                    None => i64::MAX,
                };
                if o.limit_per_user_qty.is_some() {
                    // The units that save the most get the benefit (ties: line, then unit order).
                    classes.sort_by_key(|c| std::cmp::Reverse(c.0));
                }
                for &(s, k, count) in classes.iter() {
                    let take = count.min(allowed);
                    allowed -= take;
                    desired[k] += s * take;
                    if s > 0 {
                        benefited += take as u64;
                    }
                }
                if let Some(deposit) = f.deposit() {
                    let d = out.deposit.get_or_insert(0);
                    *d = d.saturating_add(deposit.0.saturating_mul(units as i64));
                }
            }
            Reach::Groups(f) => {
                all.clear();
                for (k, &l) in lines.iter().enumerate() {
                    for (price, count) in unit_classes(start[l], self.p.cart.lines[l].qty) {
                        all.extend(std::iter::repeat_n(Unit { price, line: k }, count as usize));
                    }
                }
                // Highest price first; the sort is stable, so ties keep line and unit order.
                all.sort_by_key(|u| std::cmp::Reverse(u.price));
                let size = usize::try_from(f.size()).unwrap_or(usize::MAX).max(1);
                for group in all.chunks_exact(size) {
                    prices.clear();
                    prices.extend(group.iter().map(|u| u.price));
                    part.clear();
                    part.resize(group.len(), 0);
                    benefited += f.savings(prices, rounding, part, group_bufs);
                    for (u, d) in group.iter().zip(part.iter()) {
                        desired[u.line] += d;
                    }
                }
            }
            _ => {}
        }
        let Taken { given, clamped } = take_off(oi, lines, desired, amount, out);
        out.applied.push(AppliedOffer {
            offer: oi,
            given,
            detail: Detail::Units { units: benefited },
            clamped,
        });
    }
}

/// What [`take_off`] gave.
struct Taken {
    given: i64,
    /// Whether a line held less than was wanted off it.
    clamped: bool,
}

/// Takes `wanted[k]` (at most what the line holds) off each kept line `lines[k]` for offer
/// `oi`, recording every share.
fn take_off(
    oi: OfferIdx,
    lines: &[usize],
    wanted: &[i64],
    amount: &mut [i64],
    out: &mut Outcome,
) -> Taken {
    let mut taken = Taken {
        given: 0,
        clamped: false,
    };
    for (&l, &want) in lines.iter().zip(wanted) {
        let d = want.min(amount[l]);
        taken.clamped |= d < want;
        amount[l] -= d;
        taken.given += d;
        out.shares.push(LineShare {
            line: l,
            offer: oi,
            amount: d,
        });
    }
    taken
}

// ------------------------------------------------------------------ choosing
