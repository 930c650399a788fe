//! Lower bounds on payable for partial choices: what lets the stacking choice (which
//! offers keep a contested line) and `best` (which coupons) search exactly and still prune.
//!
//! A partial choice *fixes* some offers (they take part and keep known lines) and leaves
//! the others *open*: an open offer may or may not take part, and keeps its *certain* lines
//! (if it takes part) plus any of its *possible* ones. The bound:
//! 1. applies exactly every fixed offer whose amounts are exact, i.e. no open offer earlier
//!    in the application order may have touched its lines (a fixed offer that fails this is
//!    treated as open);
//! 2. adds, for every open offer, the most it could give on the amounts the exact part
//!    leaves. Every benefit gives at least as much on larger amounts and on more lines, and
//!    amounts only go down through the stages, so each figure is an upper bound;
//! 3. threshold offers of one stage that may keep the same undecided lines share those
//!    lines' amounts (at most the stage's `max` of them per line): a fractional knapsack
//!    whose items are each offer's step up from what its certain lines already reach;
//! 4. never lets the open offers take more than the lines they may touch still hold.
//!
//! With nothing open the bound is the exact outcome of the choice.

mod open;

use open::open_item;

use crate::eval::benefit::{floor, CurveStep, Reach, Slope};
use crate::eval::{Applier, Lines, OfferAmounts, Outcome};
use crate::rules::ir::*;

/// A lower bound on the comparison key of every completion of a partial choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LowerBound {
    /// No completion pays less.
    pub payable: i64,
    /// No completion has a larger sum of priorities over its applied offers.
    pub priority: i128,
    /// No completion paying exactly `payable` applies fewer offers (see [`Bounder::bound`]).
    pub applied: usize,
    /// Whether nothing was open: the figures are the choice's exact outcome.
    pub exact: bool,
}

/// What one open offer could still give.
#[derive(Clone, Copy, Debug)]
struct Item {
    /// Part index (into `parts`).
    part: usize,
    stage: StageIdx,
    /// Given on its certain lines alone (an upper bound).
    free: i64,
    /// The step up from more lines: at most `up`, and at most `slope` per cent of
    /// undecided amount it takes (0 when it cannot take more).
    up: i64,
    slope: Slope,
    /// Its threshold base over all its possible lines.
    bp: i64,
    /// Whether it stands for a group of offers that exclude each other (see
    /// [`Bounder::groups`]); `part` is then one of them.
    merged: bool,
    /// Whether its step-up comes in whole tiers, listed in [`Bounder::steps`] (a 0/1
    /// choice in the knapsack rather than a fraction).
    stepped: bool,
}

/// A per-unit saving an open offer could give on an undecided line.
#[derive(Clone, Copy, Debug)]
struct LineSaving {
    stage: StageIdx,
    line: usize,
    saving: i64,
    /// Part index (into `parts`).
    part: usize,
}

/// A tier a stepped item could still reach: the undecided amount it needs and its value
/// above the item's certain lines' tier.
#[derive(Clone, Copy, Debug)]
struct TierStep {
    /// Part index (into `parts`).
    part: usize,
    need: i128,
    gain: i64,
}

/// Computes [`LowerBound`]s, reusing the exact part's outcome while it does not change.
pub(crate) struct Bounder<'x, 'p, 'a> {
    applier: &'x Applier<'p, 'a>,
    parts: &'x [OfferIdx],
    /// The exact parts and their keeps behind `cached`.
    cached_key: Vec<Option<Lines>>,
    cached: Option<Outcome>,
    keeps: Vec<Lines>,
    exact: Vec<bool>,
    items: Vec<Item>,
    /// Per-unit savings on undecided lines. On one line at most the stage's `max` of them
    /// count.
    per_line: Vec<LineSaving>,
    /// The tiers a stepped item could still reach.
    steps: Vec<TierStep>,
    /// Scratch for one item's curve steps.
    curve_steps: Vec<CurveStep>,
    /// Per line: the stage from which open offers may change it (`None`: never).
    inexact_from: Vec<Option<StageIdx>>,
    /// The open per-unit offers (part indices), the only ones with floors.
    floor_parts: Vec<usize>,
    /// Upper bounds on the amounts after each stage (like `Outcome::after_stage`).
    after: Vec<i64>,
    /// Per line: what open per-unit offers surely take off it, already out of `after`
    /// from the line's first open stage on (see [`Bounder::later_free`]).
    floors: Vec<i64>,
    /// Per part, after a bound: the amount of undecided lines an open threshold offer still
    /// lacks for its most rewarding next step (0 when it lacks nothing or is not open), a
    /// hint for which offer a line should go to first.
    pub wants: Vec<i128>,
    /// Per part (optional): a group number; open offers of one stage in the same group
    /// exclude each other, so at most one of them gives anything.
    pub groups: Vec<Option<usize>>,
    /// Per part, after a bound with `tie_at`: whether every completion paying at most
    /// `tie_at` applies it (exact and applied, or counted in `applied`).
    pub must: Vec<bool>,
    /// Bound computations that had to apply the exact part anew.
    pub applies: usize,
}

impl<'x, 'p, 'a> Bounder<'x, 'p, 'a> {
    pub fn new(applier: &'x Applier<'p, 'a>, parts: &'x [OfferIdx]) -> Self {
        Bounder {
            applier,
            parts,
            cached_key: Vec::new(),
            cached: None,
            keeps: Vec::new(),
            exact: Vec::new(),
            items: Vec::new(),
            per_line: Vec::new(),
            steps: Vec::new(),
            curve_steps: Vec::new(),
            inexact_from: Vec::new(),
            floor_parts: Vec::new(),
            after: Vec::new(),
            floors: Vec::new(),
            wants: Vec::new(),
            groups: Vec::new(),
            must: Vec::new(),
            applies: 0,
        }
    }

    /// The outcome of the last bound's exact part (the whole choice when it was exact).
    pub fn outcome(&self) -> Option<&Outcome> {
        self.cached.as_ref()
    }

    /// Bounds the completions of a partial choice. `fixed[k]`: part `k` takes part and
    /// keeps exactly `certain[k]`; otherwise it is open with `certain[k] ⊆ possible[k]`.
    /// `undecided`: the lines whose keepers are not chosen yet. With `tie_at`, an open offer
    /// counts toward `applied` when the bound without it exceeds `tie_at` (every
    /// completion paying at most that must apply it).
    #[allow(clippy::too_many_arguments)]
    pub fn bound(
        &mut self,
        fixed: &[bool],
        sure: &[bool],
        certain: &[Lines],
        possible: &[Lines],
        undecided: &Lines,
        options: &[Vec<Vec<usize>>],
        tie_at: Option<i64>,
    ) -> LowerBound {
        let p = self.applier.p;
        let rules = p.rules;
        let n = p.orig.len();
        // 1. Which fixed offers are exact, in application order.
        let mut inexact = Lines::new(n);
        let mut shipping_open = false;
        self.exact.clear();
        self.inexact_from.clear();
        self.inexact_from.resize(n, None);
        for (k, &o) in self.parts.iter().enumerate() {
            let neutral = rules.offers[o].benefit.is_price_neutral();
            let ok = fixed[k] && certain[k].is_disjoint(&inexact);
            self.exact.push(ok);
            if !ok {
                if matches!(rules.offers[o].benefit.reach(), Reach::Shipping(_)) {
                    shipping_open = true;
                }
                if !neutral {
                    inexact.union_with(&possible[k]);
                    for l in possible[k].iter() {
                        let stage = rules.offers[o].stage;
                        let from = &mut self.inexact_from[l];
                        *from = Some(from.map_or(stage, |f| f.min(stage)));
                    }
                }
            }
        }
        // The exact part's outcome, applied again only when it changed.
        let same = self.cached.is_some()
            && self.cached_key.len() == self.parts.len()
            && self.cached_key.iter().zip(&self.exact).zip(certain).all(
                |((key, &e), c)| match key {
                    Some(kept) => e && kept == c,
                    None => !e,
                },
            );
        if !same {
            self.applies += 1;
            self.keeps.clear();
            self.keeps
                .extend(self.exact.iter().zip(certain).map(|(&e, c)| {
                    if e {
                        c.clone()
                    } else {
                        Lines::new(n)
                    }
                }));
            let fresh = self.applier.apply(self.parts, &self.keeps);
            if let Some(old) = self.cached.replace(fresh) {
                p.recycle(old);
            }
            self.cached_key.clear();
            self.cached_key.extend(
                self.exact
                    .iter()
                    .zip(certain)
                    .map(|(&e, c)| e.then(|| c.clone())),
            );
        }
        let Some(out) = self.cached.as_ref() else {
            unreachable!("set above")
        };
        let goods: i64 = out.amount.iter().sum();
        let mut priority: i128 = out
            .applied
            .iter()
            .map(|a| i128::from(rules.offers[a.offer].priority))
            .sum();
        let mut applied = out.applied.len();
        self.must.clear();
        self.must.resize(self.parts.len(), false);
        for a in &out.applied {
            if let Some(k) = self.parts.iter().position(|&o| o == a.offer) {
                self.must[k] = true;
            }
        }
        let all_exact = self.exact.iter().all(|&e| e);
        if all_exact {
            self.wants.clear();
            self.wants.resize(self.parts.len(), 0);
            return LowerBound {
                payable: goods + out.shipping,
                priority,
                applied,
                exact: true,
            };
        }
        // Amounts after each stage, less what open per-unit offers surely take off lines
        // from the stage where the line stops being exact (see `floor_of`).
        let stages = rules.stages.len();
        self.after.clear();
        self.after.extend_from_slice(&out.after_stage);
        // Only open per-unit offers have floors.
        self.floor_parts.clear();
        self.floor_parts.extend(
            (0..self.parts.len())
                .filter(|&k| !self.exact[k] && rules.offers[self.parts[k]].benefit.is_per_unit()),
        );
        let any_options = !options.is_empty();
        self.floors.clear();
        self.floors.resize(n, 0);
        for l in inexact.iter() {
            if self.floor_parts.is_empty() && !any_options {
                break;
            }
            // Every inexact line has an open offer, hence a stage.
            let Some(t) = self.inexact_from[l] else {
                continue;
            };
            let floor = self.floor_of(l, t, sure, certain, undecided, options, out);
            if floor > 0 {
                self.floors[l] = floor;
                for s in t..stages {
                    if let Some(a) = self.after.get_mut(s * n + l) {
                        *a = (*a - floor).max(0);
                    }
                }
            }
        }
        let room: i64 = inexact.iter().map(|l| out.amount[l]).sum();
        let shipping = if shipping_open { 0 } else { out.shipping };
        // 2. What every open offer could still give.
        self.items.clear();
        self.per_line.clear();
        self.steps.clear();
        for (k, &o) in self.parts.iter().enumerate() {
            if self.exact[k] {
                continue;
            }
            let offer = &rules.offers[o];
            priority += i128::from(offer.priority.max(0));
            if offer.benefit.is_price_neutral() {
                continue;
            }
            let OfferAmounts { start, base } =
                OfferAmounts::of(offer, &p.orig, |s| self.after.get(s * n..(s + 1) * n));
            let (certain_k, possible_k) = if fixed[k] {
                (&certain[k], &certain[k])
            } else {
                (&certain[k], &possible[k])
            };
            let item = open_item(
                p,
                k,
                offer,
                certain_k,
                possible_k,
                undecided,
                start,
                base,
                &mut self.per_line,
                &mut self.steps,
                &mut self.curve_steps,
            );
            self.items.push(item);
        }
        if !self.groups.is_empty() {
            self.merge_groups();
        }
        self.per_line
            .sort_unstable_by(|a, b| (a.stage, a.line, b.saving).cmp(&(b.stage, b.line, a.saving)));
        self.wants.clear();
        self.wants.resize(self.parts.len(), 0);
        for item in &self.items {
            if item.up > 0 {
                self.wants[item.part] = item.slope.den;
            }
        }
        let open = self.open_total(undecided, possible, None);
        let payable = goods - open.min(room) + shipping;
        if let Some(at) = tie_at.filter(|&at| payable == at) {
            for i in 0..self.items.len() {
                let item = self.items[i];
                if item.free + item.up == 0 {
                    continue;
                }
                let without = self.open_total(undecided, possible, Some(i));
                if !item.merged && goods - without.min(room) + shipping > at {
                    applied += 1;
                    self.must[item.part] = true;
                }
            }
        }
        LowerBound {
            payable,
            priority,
            applied,
            exact: false,
        }
    }

    /// The least that open offers of stage `t` surely take off line `l`, whose amount is
    /// exact at that stage's start: per-unit benefits (without a per-user quantity limit)
    /// of offers that surely take part and keep the line; on an undecided line, the least
    /// over its keeper options (0 when an option holds an offer that may not take part).
    #[allow(clippy::too_many_arguments)]
    fn floor_of(
        &self,
        l: usize,
        t: StageIdx,
        sure: &[bool],
        certain: &[Lines],
        undecided: &Lines,
        options: &[Vec<Vec<usize>>],
        out: &Outcome,
    ) -> i64 {
        let p = self.applier.p;
        let rules = p.rules;
        let amount = if t == 0 {
            p.orig[l]
        } else {
            out.after(t - 1).map_or(p.orig[l], |a| a[l])
        };
        let saving = |k: usize| -> Option<i64> {
            let o = &rules.offers[self.parts[k]];
            if o.stage != t || o.benefit.is_price_neutral() {
                return Some(0);
            }
            if !sure[k] {
                return None;
            }
            if o.limit_per_user_qty.is_some() {
                return Some(0);
            }
            Some(floor(&o.benefit, amount, p.cart.lines[l].qty))
        };
        let total = if undecided.get(l) {
            options.get(l).map_or(0, |opts| {
                opts.iter()
                    .map(|opt| {
                        opt.iter()
                            .try_fold(0i64, |sum, &k| Some(sum + saving(k)?))
                            .unwrap_or(0)
                    })
                    .min()
                    .unwrap_or(0)
            })
        } else {
            self.floor_parts
                .iter()
                .filter(|&&k| certain[k].get(l))
                .map(|&k| saving(k).unwrap_or(0))
                .sum()
        };
        total.clamp(0, amount.max(0))
    }

    /// Per-unit savings on undecided lines: on each line, the stage's `max` largest of each
    /// stage (the entries of item `skip`'s part left out).
    fn per_line_total(&self, skip: Option<usize>, stage: StageIdx) -> i64 {
        let rules = self.applier.p.rules;
        let skip_part = skip.map(|i| self.items[i].part);
        let mut total: i64 = 0;
        let mut at: Option<usize> = None;
        let mut taken = 0u32;
        // Sorted by stage, line, then saving (largest first) in `bound`.
        for e in self
            .per_line
            .iter()
            .filter(|e| e.stage == stage && Some(e.part) != skip_part)
        {
            if at == Some(e.line) {
                taken += 1;
            } else {
                (at, taken) = (Some(e.line), 1);
            }
            if taken <= rules.stages.get(e.stage).map_or(1, |s| s.max.max(1)) {
                total = total.saturating_add(e.saving);
            }
        }
        total
    }

    /// The most all open offers (but `skip`) could give together, stage by stage: their
    /// free parts, per-unit savings on undecided lines, and a knapsack of their step-ups
    /// over the undecided lines.
    ///
    /// Later stages are bounded on amounts that do not count the open offers of the first
    /// open stage, yet those take `x` off, and a `每满` offer over all of their lines then
    /// sees a base that much lower: payable is at least `G − x − later(b − x)` for some
    /// `x ≤ x_max`, whose least is taken exactly (see [`Bounder::later_free`]). Only one
    /// such offer is corrected: two would need the least of their sum.
    fn open_total(&self, undecided: &Lines, possible: &[Lines], skip: Option<usize>) -> i64 {
        let p = self.applier.p;
        let rules = p.rules;
        let n = p.orig.len();
        let mut order: Vec<usize> = p.take();
        order.extend((0..self.items.len()).filter(|&i| Some(i) != skip));
        order.sort_by(|&a, &b| {
            let (x, y) = (&self.items[a], &self.items[b]);
            x.stage
                .cmp(&y.stage)
                .then((y.slope.num * x.slope.den).cmp(&(x.slope.num * y.slope.den)))
        });
        let mut stages: Vec<StageIdx> = order.iter().map(|&i| self.items[i].stage).collect();
        stages.extend(self.per_line.iter().map(|e| e.stage));
        stages.sort_unstable();
        stages.dedup();
        let after = |s: usize| self.after.get(s * n..(s + 1) * n);
        let mut total: i64 = 0;
        // The first open stage: what it may take off at most, and where.
        let mut first: Option<(StageIdx, i64, Lines)> = None;
        let mut corrected = false;
        let mut i = 0;
        for &stage in &stages {
            let from = i;
            while order
                .get(i)
                .is_some_and(|&it| self.items[it].stage == stage)
            {
                i += 1;
            }
            let group = &order[from..i];
            let mut gain = self.per_line_total(skip, stage);
            for &it in group {
                gain = gain.saturating_add(self.later_free(it, &first, possible, &mut corrected));
            }
            let stepping: Vec<usize> = group
                .iter()
                .copied()
                .filter(|&it| self.items[it].up > 0)
                .collect();
            if !stepping.is_empty() {
                let start = if stage == 0 {
                    &p.orig[..]
                } else {
                    after(stage - 1).unwrap_or(&p.orig)
                };
                // The room is measured on the largest base any of the stage's offers tests
                // (original amounts, after an earlier stage, or the stage's start).
                let mut base = start;
                let mut earliest = stage;
                for &it in &stepping {
                    match rules.offers[self.parts[self.items[it].part]].threshold {
                        ThresholdBase::Original => {
                            base = &p.orig;
                            break;
                        }
                        ThresholdBase::After(k) if k < earliest => {
                            earliest = k;
                            base = after(k).unwrap_or(start);
                        }
                        _ => {}
                    }
                }
                let per_line = i128::from(rules.stages.get(stage).map_or(1, |s| s.max.max(1)));
                // Offers that share no undecided line do not compete for room: one knapsack
                // per group of offers linked by shared lines.
                let reach: Vec<Lines> = stepping
                    .iter()
                    .map(|&it| {
                        let mut r = possible[self.items[it].part].clone();
                        r.intersect_with(undecided);
                        r
                    })
                    .collect();
                let links = (0..stepping.len())
                    .flat_map(|a| (0..a).map(move |b| (a, b)))
                    .filter(|&(a, b)| !reach[a].is_disjoint(&reach[b]));
                let group_of = linked_groups(stepping.len(), links);
                let mut members: Vec<usize> = Vec::with_capacity(stepping.len());
                for g in 0..stepping.len() {
                    members.clear();
                    members.extend(
                        (0..stepping.len())
                            .filter(|&a| group_of[a] == g)
                            .map(|a| stepping[a]),
                    );
                    if members.is_empty() {
                        continue;
                    }
                    let mut lines = Lines::new(n);
                    for (a, r) in reach.iter().enumerate() {
                        if group_of[a] == g {
                            lines.union_with(r);
                        }
                    }
                    let room: i128 =
                        lines.iter().map(|l| i128::from(base[l])).sum::<i128>() * per_line;
                    gain = gain.saturating_add(self.knapsack(&members, room));
                }
            }
            if first.is_none() && gain > 0 {
                let mut lines = Lines::new(n);
                for &it in group {
                    lines.union_with(&possible[self.items[it].part]);
                }
                for e in self.per_line.iter().filter(|e| e.stage == stage) {
                    lines.set(e.line);
                }
                first = Some((stage, gain, lines));
            }
            total = total.saturating_add(gain);
        }
        p.give(order);
        total
    }

    /// Item `it`'s free part, lowered as [`Bounder::open_total`] explains when it is the
    /// first (`corrected` is then set) `每满` offer of a later stage than `first` over all of
    /// `first`'s lines.
    fn later_free(
        &self,
        it: usize,
        first: &Option<(StageIdx, i64, Lines)>,
        possible: &[Lines],
        corrected: &mut bool,
    ) -> i64 {
        let item = &self.items[it];
        let Some((stage0, x, lines0)) = first else {
            return item.free;
        };
        let o = &self.applier.p.rules.offers[self.parts[item.part]];
        let Reach::Order(form) = o.benefit.reach() else {
            return item.free;
        };
        let sees_it = match o.threshold {
            ThresholdBase::Sequential => true,
            ThresholdBase::After(k) => k >= *stage0,
            ThresholdBase::Original => false,
        };
        let mut covered = lines0.clone();
        covered.intersect_with(&possible[item.part]);
        if item.stage <= *stage0 || item.up > 0 || !sees_it || covered != *lines0 || *corrected {
            return item.free;
        }
        // `bp` is measured on amounts the first stage's sure floors are already out of, and
        // `x` counts those floors again: the base before any of it is `bp` plus them.
        let bp = item
            .bp
            .saturating_add(lines0.iter().map(|l| self.floors[l]).sum::<i64>());
        let Some(c) = form.after_earlier_take(bp, *x) else {
            return item.free;
        };
        *corrected = true;
        item.free.min(c)
    }
}

impl Bounder<'_, '_, '_> {
    /// Replaces the open items of one stage and group by one item that gives what the best
    /// of them could: at most one of them takes part.
    fn merge_groups(&mut self) {
        let group = |b: &Self, it: &Item| b.groups.get(it.part).copied().flatten();
        let mut keep = vec![true; self.items.len()];
        let mut added: Vec<Item> = Vec::new();
        for a in 0..self.items.len() {
            let g = group(self, &self.items[a]);
            if g.is_none() || !keep[a] {
                continue;
            }
            let members: Vec<usize> = (a..self.items.len())
                .filter(|&b| {
                    keep[b]
                        && group(self, &self.items[b]) == g
                        && self.items[b].stage == self.items[a].stage
                })
                .collect();
            if members.len() < 2 {
                continue;
            }
            let free = members
                .iter()
                .map(|&m| self.items[m].free)
                .max()
                .unwrap_or(0);
            let top = members
                .iter()
                .map(|&m| self.items[m].free.saturating_add(self.items[m].up))
                .max()
                .unwrap_or(0);
            let mut item = Item {
                free,
                up: top - free,
                slope: Slope::default(),
                stepped: members
                    .iter()
                    .all(|&m| self.items[m].stepped || self.items[m].up == 0),
                merged: true,
                ..self.items[a]
            };
            // Value per cent over what the best member gives without more lines.
            for &m in &members {
                let it = &self.items[m];
                let den = it.slope.den;
                if it.up > 0 {
                    item.slope
                        .steepen(it.slope.num + i128::from(it.free - free) * den, den);
                }
            }
            let parts: Vec<usize> = members.iter().map(|&m| self.items[m].part).collect();
            let mut moved: Vec<TierStep> = Vec::new();
            for step in &self.steps {
                if let Some(m) = members.iter().find(|&&m| self.items[m].part == step.part) {
                    let gain = self.items[*m].free + step.gain - free;
                    if gain > 0 {
                        moved.push(TierStep {
                            part: item.part,
                            need: step.need,
                            gain,
                        });
                    }
                }
            }
            self.steps.retain(|e| !parts.contains(&e.part));
            self.steps.extend(moved);
            for &m in &members {
                keep[m] = false;
            }
            added.push(item);
        }
        let mut k = 0;
        self.items.retain(|_| {
            k += 1;
            keep[k - 1]
        });
        self.items.extend(added);
    }

    /// The most the step-ups of `items` (one stage, best value per cent first) could add
    /// with `room` cents of undecided amount: stepped items choose one whole tier or none
    /// (depth first, pruned by the fractional fill), the others take fractions.
    fn knapsack(&self, items: &[usize], room: i128) -> i64 {
        // Fractional fill of the items from `at` on (stepped ones before `at` decided).
        let fill = |at: usize, mut room: i128| -> i128 {
            let mut gain: i128 = 0;
            for (pos, &it) in items.iter().enumerate() {
                let item = &self.items[it];
                if (item.stepped && pos < at) || room <= 0 {
                    continue;
                }
                let Slope { num, den } = item.slope;
                let need = i128::from(item.up) * den / num.max(1);
                if need <= room {
                    room -= need;
                    gain += i128::from(item.up);
                } else {
                    gain += ((room * num + den - 1) / den).min(i128::from(item.up));
                    room = 0;
                }
            }
            gain
        };
        let stepped: Vec<usize> = (0..items.len())
            .filter(|&pos| self.items[items[pos]].stepped)
            .collect();
        if stepped.is_empty() || stepped.len() > MAX_STEPPED {
            return fill(0, room) as i64;
        }
        struct Dfs<'s> {
            bounder: &'s Bounder<'s, 's, 's>,
            items: &'s [usize],
            stepped: &'s [usize],
            best: i128,
            nodes: usize,
        }
        fn dfs(
            d: &mut Dfs<'_>,
            fill: &dyn Fn(usize, i128) -> i128,
            i: usize,
            room: i128,
            value: i128,
        ) {
            d.nodes += 1;
            // Past `stepped[i]`'s position every stepped item before it is decided.
            let at = d.stepped.get(i).copied().unwrap_or(d.items.len());
            let ub = value + fill(at, room);
            if ub <= d.best {
                return;
            }
            if i == d.stepped.len() || d.nodes > KNAPSACK_NODES {
                // Past the node limit the fractional fill still bounds this branch.
                d.best = d.best.max(ub);
                return;
            }
            let part = d.bounder.items[d.items[d.stepped[i]]].part;
            for step in &d.bounder.steps {
                if step.part == part && step.need <= room {
                    dfs(
                        d,
                        fill,
                        i + 1,
                        room - step.need,
                        value + i128::from(step.gain),
                    );
                }
            }
            dfs(d, fill, i + 1, room, value);
        }
        let mut d = Dfs {
            bounder: self,
            items,
            stepped: &stepped,
            best: 0,
            nodes: 0,
        };
        dfs(&mut d, &fill, 0, room, 0);
        d.best as i64
    }
}

/// Groups `0..n` by the `links` (pairs of indices) and their chains: each index gets a
/// group number in `0..n`.
pub(crate) fn linked_groups(
    n: usize,
    links: impl IntoIterator<Item = (usize, usize)>,
) -> Vec<usize> {
    let mut group: Vec<usize> = (0..n).collect();
    for (a, b) in links {
        let (ga, gb) = (group[a], group[b]);
        if ga != gb {
            for g in group.iter_mut() {
                if *g == ga {
                    *g = gb;
                }
            }
        }
    }
    group
}

/// Stepped items beyond this many in one stage are all taken as fractions.
const MAX_STEPPED: usize = 16;
/// Nodes one knapsack explores before it settles for fractional bounds.
const KNAPSACK_NODES: usize = 512;
