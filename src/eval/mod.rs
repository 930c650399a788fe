//! The evaluator: candidates, the stacking choice, and applying benefits stage by stage.
//!
//! Money is integer cents throughout. One quote runs in three steps:
//! 1. **Candidates** (`Prepared::until`): each offer's scope is resolved to the set of cart
//!    lines once, and the eligibility checks run in the documented order.
//! 2. **Choice** (`choose`): among the candidates, the conflict-free sets (`excludes`) and,
//!    for every contested line, the keeper sets (compatibility, stage `max`) are enumerated;
//!    every choice is applied and the cheapest wins, with the documented tie-breaks.
//! 3. **Application** (`apply`): stages in order, offers by priority then declaration;
//!    same-stage offers see the amounts at the stage's start; discounts are clamped to what
//!    remains and order-level ones apportioned by largest remainder.

pub(crate) mod apportion;
pub(crate) mod assign;
pub(crate) mod bound;
pub(crate) mod pool;

use std::cmp::Ordering;
use std::time::{Duration, Instant};

use crate::answer::*;
use crate::cart::{Cart, Context, GroupState};
use crate::error::EvalError;
use crate::eval::apportion::{apportion, split};
use crate::lang::ast::CmpOp;
use crate::limits::{MAX_CART_UNITS, MAX_CHOICES, MAX_LINE_OFFERS};
use crate::money::{Money, Rate};
use crate::rules::canonical::predicate_text;
use crate::rules::ir::*;
use crate::time::rfc3339;

/// A set of cart lines: the first 64 inline (no allocation for most carts), the rest in
/// a vector.
#[derive(Clone, Debug, Default, Eq)]
pub(crate) struct Lines {
    first: u64,
    rest: Vec<u64>,
}

impl PartialEq for Lines {
    fn eq(&self, other: &Lines) -> bool {
        // Most carts fit the inline word: skip the slice comparison then.
        self.first == other.first
            && (self.rest.is_empty() && other.rest.is_empty() || self.rest == other.rest)
    }
}

impl Lines {
    pub(crate) fn new(n: usize) -> Self {
        Lines {
            first: 0,
            rest: vec![0; n.saturating_sub(64).div_ceil(64)],
        }
    }
    fn word(&self, w: usize) -> u64 {
        if w == 0 {
            self.first
        } else {
            self.rest.get(w - 1).copied().unwrap_or(0)
        }
    }
    fn words(&self) -> impl Iterator<Item = u64> + '_ {
        std::iter::once(self.first).chain(self.rest.iter().copied())
    }
    pub(crate) fn set(&mut self, i: usize) {
        let bit = 1 << (i % 64);
        match i / 64 {
            0 => self.first |= bit,
            w => {
                if let Some(x) = self.rest.get_mut(w - 1) {
                    *x |= bit;
                }
            }
        }
    }
    pub(crate) fn clear(&mut self, i: usize) {
        let bit = 1 << (i % 64);
        match i / 64 {
            0 => self.first &= !bit,
            w => {
                if let Some(x) = self.rest.get_mut(w - 1) {
                    *x &= !bit;
                }
            }
        }
    }
    pub(crate) fn get(&self, i: usize) -> bool {
        self.word(i / 64) & (1 << (i % 64)) != 0
    }
    /// Adds every line of `other` (of the same cart).
    pub(crate) fn union_with(&mut self, other: &Lines) {
        self.first |= other.first;
        for (a, b) in self.rest.iter_mut().zip(&other.rest) {
            *a |= b;
        }
    }
    /// Keeps only the lines also in `other` (of the same cart).
    pub(crate) fn intersect_with(&mut self, other: &Lines) {
        self.first &= other.first;
        for (a, b) in self.rest.iter_mut().zip(&other.rest) {
            *a &= b;
        }
    }
    pub(crate) fn is_disjoint(&self, other: &Lines) -> bool {
        self.words().zip(other.words()).all(|(a, b)| a & b == 0)
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.words().all(|w| w == 0)
    }
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words().enumerate().flat_map(|(wi, w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + b)
            })
        })
    }
}

/// When a query must have answered by. Searches check it between steps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    at: Option<Instant>,
    ms: u64,
}

impl Deadline {
    /// `limit` from now (a limit too far to represent is no deadline).
    pub fn after(limit: Duration) -> Deadline {
        Deadline {
            at: Instant::now().checked_add(limit),
            ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Whether it has passed.
    pub fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// `Err(budget_exceeded)` once it has passed.
    pub fn check(&self) -> Result<(), EvalError> {
        if self.passed() {
            Err(EvalError::Deadline { ms: self.ms })
        } else {
            Ok(())
        }
    }
}

impl crate::RuleSet {
    /// A cart prepared for one query, its deadline starting now.
    pub(crate) fn prepare<'a>(
        &'a self,
        cart: &'a Cart,
        ctx: &'a Context,
    ) -> Result<Prepared<'a>, EvalError> {
        Prepared::until(&self.inner, cart, ctx, Deadline::after(self.deadline()))
    }
}

/// A cart prepared against a rule set: amounts, scopes, candidates.
pub(crate) struct Prepared<'a> {
    pub rules: &'a RuleSetData,
    pub cart: &'a Cart,
    pub ctx: &'a Context,
    /// Line amounts (price × qty) in cents.
    pub orig: Vec<i64>,
    /// Lines in each offer's scope.
    pub scope: Vec<Lines>,
    /// Why each offer is not a candidate (`None` = candidate), ignoring selection; the
    /// reason's text is built only when an answer needs it ([`Prepared::reason`]).
    pub ineligible: Vec<Option<Ineligible>>,
    /// When the query must have answered by.
    pub deadline: Deadline,
}

impl<'a> Prepared<'a> {
    /// With the default deadline from now (tests and internal one-offs).
    #[cfg(test)]
    pub fn new(
        rules: &'a RuleSetData,
        cart: &'a Cart,
        ctx: &'a Context,
    ) -> Result<Self, EvalError> {
        Self::until(
            rules,
            cart,
            ctx,
            Deadline::after(crate::limits::DEFAULT_DEADLINE),
        )
    }

    pub fn until(
        rules: &'a RuleSetData,
        cart: &'a Cart,
        ctx: &'a Context,
        deadline: Deadline,
    ) -> Result<Self, EvalError> {
        cart.validate()?;
        let pairs = cart.lines.len().saturating_mul(rules.offers.len());
        if pairs > MAX_LINE_OFFERS {
            return Err(EvalError::bad(
                "cart.lines",
                format!(
                    "{} lines against {} offers is more than {MAX_LINE_OFFERS} line-offer pairs; split the cart",
                    cart.lines.len(),
                    rules.offers.len()
                ),
            ));
        }
        let units: u64 = cart.lines.iter().map(|l| u64::from(l.qty)).sum();
        if units > MAX_CART_UNITS {
            return Err(EvalError::bad(
                "qty",
                format!("a cart holds at most {MAX_CART_UNITS} units"),
            ));
        }
        let n = cart.lines.len();
        let mut orig = pool::take();
        orig.extend(cart.lines.iter().map(|l| l.price.0 * i64::from(l.qty)));
        let now = ctx.now_or_current();
        let offers = rules.offers.len();
        let mut scope = pool::take();
        scope.resize(offers, Lines::new(n));
        // Per line: offers named by an include term, offers named by an exclude term.
        let mut named: Vec<u64> = pool::take();
        named.resize(offers.div_ceil(64), 0);
        let mut excluded: Vec<u64> = pool::take();
        excluded.resize(offers.div_ceil(64), 0);
        let mut touched: Vec<usize> = pool::take();
        for (i, l) in cart.lines.iter().enumerate() {
            let all = rules.scope_index.lookup(l, |o, ex| {
                let (w, b) = (o / 64, 1u64 << (o % 64));
                if ex {
                    excluded[w] |= b;
                } else {
                    named[w] |= b;
                }
                touched.push(o);
            });
            let out = |o: OfferIdx| excluded[o / 64] & (1 << (o % 64)) != 0;
            for &o in all {
                if !out(o) {
                    scope[o].set(i);
                }
            }
            for &o in &touched {
                if named[o / 64] & (1 << (o % 64)) != 0 && !out(o) {
                    scope[o].set(i);
                }
            }
            for o in touched.drain(..) {
                named[o / 64] = 0;
                excluded[o / 64] = 0;
            }
        }
        pool::give(named);
        pool::give(excluded);
        pool::give(touched);
        let mut ineligible = pool::take();
        ineligible.extend(
            rules
                .offers
                .iter()
                .zip(&scope)
                .map(|(o, set)| eligibility_reason(o, ctx, now, set.is_empty())),
        );
        Ok(Prepared {
            rules,
            cart,
            ctx,
            orig,
            scope,
            ineligible,
            deadline,
        })
    }
}

/// Whether a line is in a scope, tested directly: the oracle for the scope index.
#[cfg(test)]
fn in_scope(s: &Scope, l: &crate::cart::Line) -> bool {
    let term_hits = |t: &ScopeTerm| {
        let has = |v: &str| t.values.binary_search_by(|x| x.as_str().cmp(v)).is_ok();
        match t.dim {
            crate::lang::ast::Dim::Shop => has(&l.shop),
            crate::lang::ast::Dim::Category => has(&l.category),
            crate::lang::ast::Dim::Sku => has(&l.sku),
            crate::lang::ast::Dim::Tag => l.tags.iter().any(|t| has(t)),
        }
    };
    let included = s
        .include
        .as_ref()
        .is_none_or(|terms| terms.iter().any(term_hits));
    included && !s.exclude_all && !s.exclude.iter().any(term_hits)
}

impl Drop for Prepared<'_> {
    fn drop(&mut self) {
        pool::give(std::mem::take(&mut self.orig));
        pool::give(std::mem::take(&mut self.scope));
        pool::give(std::mem::take(&mut self.ineligible));
    }
}

/// Why an offer is not a candidate, without text (see [`Prepared::reason`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ineligible {
    NotStarted(i64),
    Ended(i64),
    Audience,
    LimitReached(u32),
    SoldOut,
    GroupFailed,
    NoLineInScope,
}

impl Prepared<'_> {
    /// Why offer `o` is not a candidate, as an answer's reason.
    pub fn reason(&self, o: OfferIdx) -> Option<Reason> {
        let tz = self.rules.timezone;
        Some(match self.ineligible[o]? {
            Ineligible::NotStarted(t) => Reason::NotStarted {
                starts: rfc3339(t, tz),
            },
            Ineligible::Ended(t) => Reason::Ended {
                ended: rfc3339(t, tz),
            },
            Ineligible::Audience => Reason::Audience {
                predicate: self.rules.offers[o]
                    .audience
                    .as_ref()
                    .map(predicate_text)
                    .unwrap_or_default(),
            },
            Ineligible::LimitReached(limit) => Reason::LimitReached { limit },
            Ineligible::SoldOut => Reason::SoldOut,
            Ineligible::GroupFailed => Reason::GroupFailed,
            Ineligible::NoLineInScope => Reason::NoLineInScope,
        })
    }
}

/// The first failing eligibility check, in the documented order (the coupon's selection and the
/// threshold are not checked here).
fn eligibility_reason(o: &Offer, ctx: &Context, now: i64, no_line: bool) -> Option<Ineligible> {
    if let Some(r) = time_reason(o, now) {
        return Some(r);
    }
    if let Some(p) = &o.audience {
        if !holds(p, ctx) {
            return Some(Ineligible::Audience);
        }
    }
    if let Some(limit) = o.limit_per_user {
        if ctx.usage.get(&o.id).copied().unwrap_or(0) >= limit {
            return Some(Ineligible::LimitReached(limit));
        }
    }
    if o.stock && ctx.stock.get(&o.id).copied().unwrap_or(0) == 0 {
        return Some(Ineligible::SoldOut);
    }
    if let Some(limit) = o.limit_per_user_qty {
        if ctx.bought.get(&o.id).copied().unwrap_or(0) >= limit {
            return Some(Ineligible::LimitReached(limit));
        }
    }
    if matches!(o.benefit, Benefit::GroupBuy { .. })
        && ctx.group.get(&o.id) == Some(&GroupState::Failed)
    {
        return Some(Ineligible::GroupFailed);
    }
    no_line.then_some(Ineligible::NoLineInScope)
}

fn time_reason(o: &Offer, now: i64) -> Option<Ineligible> {
    use Ineligible::{Ended, NotStarted};
    if let Some(w) = &o.valid {
        if now < w.start {
            return Some(NotStarted(w.start));
        }
        if now > w.end {
            return Some(Ended(w.end));
        }
    }
    if let (Some(d), Some(b)) = (&o.deposit_window, &o.balance_window) {
        if now < d.start {
            return Some(NotStarted(d.start));
        }
        if now > b.end {
            return Some(Ended(b.end));
        }
        if d.end < now && now < b.start {
            return Some(NotStarted(b.start));
        }
    }
    None
}

fn holds(p: &Predicate, ctx: &Context) -> bool {
    match p {
        Predicate::Or(a, b) => holds(a, ctx) || holds(b, ctx),
        Predicate::And(a, b) => holds(a, ctx) && holds(b, ctx),
        Predicate::Not(a) => !holds(a, ctx),
        Predicate::Level(op, n) => compare(ctx.user.level.cmp(n), *op),
        Predicate::New(b) => ctx.user.new == *b,
        Predicate::Tag(t) => ctx.user.tags.iter().any(|x| x == t),
        Predicate::Channel(op, c) => (ctx.channel == *c) == (*op == CmpOp::Eq),
    }
}

fn compare(ord: Ordering, op: CmpOp) -> bool {
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

// ------------------------------------------------------------------ stacking rules

/// Whether two offers may share a line: neither exclusive, and each one's `only_with` (if
/// any) names the other. Offers without a price effect are compatible with everything.
pub(crate) fn compatible(rules: &RuleSetData, a: OfferIdx, b: OfferIdx) -> bool {
    let (oa, ob) = (&rules.offers[a], &rules.offers[b]);
    if oa.benefit.is_price_neutral() || ob.benefit.is_price_neutral() {
        return true;
    }
    let allows = |o: &Offer, other: OfferIdx| match &o.only_with {
        Some(list) => list.binary_search(&other).is_ok(),
        None => true,
    };
    !oa.exclusive && !ob.exclusive && allows(oa, b) && allows(ob, a)
}

/// Whether two offers exclude each other (order-wide).
pub(crate) fn excludes(rules: &RuleSetData, a: OfferIdx, b: OfferIdx) -> bool {
    rules.offers[a].excludes.binary_search(&b).is_ok()
}

/// The rule by which `loser` cannot share a line with `winner`.
pub(crate) fn line_rule(rules: &RuleSetData, loser: OfferIdx, winner: OfferIdx) -> &'static str {
    let (l, w) = (&rules.offers[loser], &rules.offers[winner]);
    if l.exclusive || w.exclusive {
        "exclusive"
    } else if !compatible(rules, loser, winner) {
        "only_with"
    } else {
        "stage_max"
    }
}

/// Application order: stage, then priority (higher first), then declaration.
pub(crate) fn app_order(rules: &RuleSetData, a: OfferIdx, b: OfferIdx) -> Ordering {
    let (oa, ob) = (&rules.offers[a], &rules.offers[b]);
    oa.stage
        .cmp(&ob.stage)
        .then(ob.priority.cmp(&oa.priority))
        .then(a.cmp(&b))
}

// ------------------------------------------------------------------ application

/// The result of applying one choice.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    /// Final line amounts.
    pub amount: Vec<i64>,
    /// Every share of a discount on a line: (line, offer, cents), in application order.
    pub shares: Vec<(usize, OfferIdx, i64)>,
    /// Applied offers in application order.
    pub applied: Vec<(OfferIdx, i64, Detail, bool)>,
    /// Offers whose threshold was not met on their effective scope.
    /// Offers whose threshold was not met on their effective scope, with the shortfall (the
    /// reason's text is built only when an answer is assembled).
    pub unmet: Vec<(OfferIdx, Shortfall)>,
    pub shipping: i64,
    pub gifts: Vec<OfferIdx>,
    /// Total deposit of applied presales (`None` when none applied).
    pub deposit: Option<i64>,
    /// Amounts after each stage, stage after stage (`lines` amounts each; see
    /// [`Outcome::after`]).
    pub after_stage: Vec<i64>,
    /// For every offer that kept lines: (offer, threshold base, units, amount of its kept
    /// lines at its stage's start), for 凑单.
    pub bases: Vec<(OfferIdx, i64, u64, i64)>,
    /// Where each stage starts in the vectors above (see [`Applier::apply_from`]).
    pub marks: Vec<Mark>,
}

/// The state of an [`Outcome`] at the start of a stage.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Mark {
    shares: usize,
    applied: usize,
    unmet: usize,
    gifts: usize,
    bases: usize,
    shipping: i64,
    deposit: Option<i64>,
}

impl Drop for Outcome {
    fn drop(&mut self) {
        pool::give(std::mem::take(&mut self.amount));
        pool::give(std::mem::take(&mut self.shares));
        pool::give(std::mem::take(&mut self.applied));
        pool::give(std::mem::take(&mut self.unmet));
        pool::give(std::mem::take(&mut self.gifts));
        pool::give(std::mem::take(&mut self.after_stage));
        pool::give(std::mem::take(&mut self.bases));
        pool::give(std::mem::take(&mut self.marks));
    }
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
struct Unit {
    price: i64,
    line: usize,
}

/// Price classes of a line's units at amount `a`: the first `a % qty` units cost one cent
/// more than the rest, so the classes always add up to `a` exactly.
fn unit_classes(a: i64, qty: u32) -> [(i64, i64); 2] {
    let q = i64::from(qty.max(1));
    let (base, extra) = (a.div_euclid(q), a.rem_euclid(q));
    [(base + 1, extra), (base, q - extra)]
}

pub(crate) struct Applier<'p, 'a> {
    pub p: &'p Prepared<'a>,
    /// Buffers reused by every offer applied (and every choice priced) with this applier.
    bufs: std::cell::RefCell<Bufs>,
}

/// Scratch space for applying one offer.
#[derive(Default)]
struct Bufs {
    lines: Vec<usize>,
    base: Vec<i64>,
    caps: Vec<i64>,
    shares: Vec<i64>,
    desired: Vec<i64>,
    classes: Vec<(i64, usize, i64)>,
    units: Vec<Unit>,
    prices: Vec<i64>,
    part: Vec<i64>,
    split: crate::eval::apportion::SplitBufs,
    rems: Vec<(i128, usize)>,
}

thread_local! {
    /// Scratch space of finished appliers, for the next one on this thread.
    static SPARE_BUFS: std::cell::RefCell<Vec<Bufs>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl<'p, 'a> Applier<'p, 'a> {
    pub fn new(p: &'p Prepared<'a>) -> Self {
        let bufs = SPARE_BUFS
            .with(|s| s.borrow_mut().pop())
            .unwrap_or_default();
        Applier {
            p,
            bufs: std::cell::RefCell::new(bufs),
        }
    }
}

impl Drop for Applier<'_, '_> {
    fn drop(&mut self) {
        let bufs = std::mem::take(self.bufs.get_mut());
        SPARE_BUFS.with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < 16 {
                s.push(bufs);
            }
        });
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
        let mut amount: Vec<i64> = pool::take();
        let mut out = Outcome {
            amount: Vec::new(),
            shares: pool::take(),
            applied: pool::take(),
            unmet: pool::take(),
            shipping: self.p.ctx.shipping_fee.0,
            gifts: pool::take(),
            deposit: None,
            after_stage: pool::take(),
            bases: pool::take(),
            marks: pool::take(),
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
        let mut start: Vec<i64> = pool::take();
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
        pool::give(start);
        out.amount = amount;
        out
    }

    /// The amounts of `lines` an offer tests its threshold on (see `ThresholdBase`).
    fn base(&self, o: &Offer, lines: &[usize], start: &[i64], out: &Outcome, into: &mut Vec<i64>) {
        let from: &[i64] = match o.threshold {
            ThresholdBase::Original => &self.p.orig,
            ThresholdBase::After(k) if k < o.stage => {
                let n = self.p.orig.len();
                out.after_stage.get(k * n..(k + 1) * n).unwrap_or(start)
            }
            _ => start,
        };
        into.clear();
        into.extend(lines.iter().map(|&l| from[l]));
    }

    fn apply_one(
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
            rems,
        } = &mut *bufs;
        lines.clear();
        lines.extend(keep.iter());
        let lines = &*lines;
        self.base(o, lines, start, out, base_vals);
        let base: i64 = base_vals.iter().sum();
        let units: u64 = lines
            .iter()
            .map(|&l| u64::from(self.p.cart.lines[l].qty))
            .sum();
        let rounding = self.p.rules.rounding;
        let current: i64 = lines.iter().map(|&l| start[l]).sum();
        out.bases.push((oi, base, units, current));
        // Order-level: (total, detail) to apportion over the kept lines.
        let order_level: Option<(i64, Detail)> = match &o.benefit {
            Benefit::Tiered { tiers } => {
                let reached = tiers.iter().rev().find(|t| match t.at {
                    TierAt::Spend(m) => base >= m.0,
                    TierAt::Items(n) => units >= u64::from(n),
                });
                match reached {
                    None => {
                        let short = match tiers.first().map(|t| t.at) {
                            Some(TierAt::Items(n)) => {
                                Shortfall::Items(u64::from(n).saturating_sub(units))
                            }
                            Some(TierAt::Spend(m)) => Shortfall::Amount(Money(m.0 - base)),
                            None => Shortfall::Amount(Money::ZERO),
                        };
                        out.unmet.push((oi, short));
                        return;
                    }
                    Some(t) => {
                        let total = match t.reward {
                            Reward::Off(m) => m.0,
                            Reward::PctOff(r) => {
                                let now: i64 = lines.iter().map(|&l| start[l]).sum();
                                r.discount_on(Money(now), rounding).0
                            }
                        };
                        Some((
                            total,
                            Detail::Threshold {
                                base: Money(base),
                                units,
                                reached: t.at,
                            },
                        ))
                    }
                }
            }
            Benefit::EveryN { step, off, cap } => {
                let times = if step.0 > 0 { base / step.0 } else { 0 };
                if times == 0 {
                    out.unmet
                        .push((oi, Shortfall::Amount(Money(step.0 - base))));
                    return;
                }
                let raw = times.saturating_mul(off.0);
                let total = cap.map_or(raw, |c| raw.min(c.0));
                Some((
                    total,
                    Detail::EveryN {
                        base: Money(base),
                        step: *step,
                        times,
                        capped: total < raw,
                    },
                ))
            }
            Benefit::FreeShipping { spend } => {
                if let Some(s) = spend.filter(|s| base < s.0) {
                    out.unmet.push((oi, Shortfall::Amount(Money(s.0 - base))));
                    return;
                }
                let saved = out.shipping;
                out.shipping = 0;
                out.applied.push((oi, saved, Detail::Shipping, false));
                return;
            }
            Benefit::Gift { spend, .. } => {
                if let Some(s) = spend.filter(|s| base < s.0) {
                    out.unmet.push((oi, Shortfall::Amount(Money(s.0 - base))));
                    return;
                }
                out.gifts.push(oi);
                out.applied.push((oi, 0, Detail::Gift, false));
                return;
            }
            _ => None,
        };
        if let Some((total, detail)) = order_level {
            caps.clear();
            caps.extend(lines.iter().map(|&l| amount[l]));
            apportion(total, base_vals, caps, shares, split_bufs);
            let mut given = 0;
            for (&l, &s) in lines.iter().zip(shares.iter()) {
                amount[l] -= s;
                given += s;
                out.shares.push((l, oi, s));
            }
            out.applied.push((oi, given, detail, given < total));
            return;
        }
        // Per-unit and group benefits: desired discount per kept line.
        desired.clear();
        desired.resize(lines.len(), 0);
        let mut benefited: u64 = 0;
        match &o.benefit {
            Benefit::PctOff { .. }
            | Benefit::UnitOff { .. }
            | Benefit::UnitPrice { .. }
            | Benefit::GroupBuy { .. }
            | Benefit::Deposit { .. } => {
                let saving = |p: i64| o.benefit.unit_saving(p, rounding);
                // (saving per unit, kept-line index, units)
                classes.clear();
                for (k, &l) in lines.iter().enumerate() {
                    for (price, count) in unit_classes(start[l], self.p.cart.lines[l].qty) {
                        if count > 0 {
                            classes.push((saving(price), k, count));
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
                if let Benefit::Deposit { deposit, .. } = &o.benefit {
                    let d = out.deposit.get_or_insert(0);
                    *d = d.saturating_add(deposit.0.saturating_mul(units as i64));
                }
            }
            Benefit::Nth { .. } | Benefit::BuyGet { .. } | Benefit::Bundle { .. } => {
                let size = o.benefit.group_size().unwrap_or(1);
                if units < size {
                    // Not one full group: like a count threshold that is not met.
                    out.unmet.push((oi, Shortfall::Items(size - units)));
                    return;
                }
                all.clear();
                for (k, &l) in lines.iter().enumerate() {
                    for (price, count) in unit_classes(start[l], self.p.cart.lines[l].qty) {
                        all.extend(std::iter::repeat_n(Unit { price, line: k }, count as usize));
                    }
                }
                // Highest price first; the sort is stable, so ties keep line and unit order.
                all.sort_by_key(|u| std::cmp::Reverse(u.price));
                let size = usize::try_from(size).unwrap_or(usize::MAX);
                for group in all.chunks_exact(size.max(1)) {
                    match &o.benefit {
                        Benefit::Nth { rate, .. } => {
                            if let Some(u) = group.last() {
                                desired[u.line] +=
                                    Rate::discount_on(*rate, Money(u.price), rounding)
                                        .0
                                        .min(u.price);
                                benefited += 1;
                            }
                        }
                        Benefit::BuyGet { get, .. } => {
                            for u in &group[group.len() - *get as usize..] {
                                desired[u.line] += u.price;
                                benefited += 1;
                            }
                        }
                        Benefit::Bundle { price, .. } => {
                            let sum: i64 = group.iter().map(|u| u.price).sum();
                            if sum > price.0 {
                                prices.clear();
                                prices.extend(group.iter().map(|u| u.price));
                                split(sum - price.0, prices, part, rems);
                                for (u, d) in group.iter().zip(part.iter()) {
                                    desired[u.line] += d;
                                }
                                benefited += group.len() as u64;
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        let mut given = 0;
        let mut clamped = false;
        for (k, &l) in lines.iter().enumerate() {
            let d = desired[k].min(amount[l]);
            clamped |= d < desired[k];
            amount[l] -= d;
            given += d;
            out.shares.push((l, oi, d));
        }
        out.applied
            .push((oi, given, Detail::Units { units: benefited }, clamped));
    }
}

// ------------------------------------------------------------------ choosing

/// The chosen stacking and its outcome.
pub(crate) struct Chosen {
    /// Participants in application order.
    pub parts: Vec<OfferIdx>,
    /// Lines each participant keeps.
    pub keeps: Vec<Lines>,
    /// Participants left out of the conflict-free set, with the member they lose to.
    pub left_out: Vec<(OfferIdx, OfferIdx)>,
    pub outcome: Outcome,
    /// Whether the choice is proven the cheapest (a search that ran out of budget keeps
    /// the best choice it found).
    pub proven: bool,
    /// Choices priced and bounds computed to find it.
    pub work: usize,
    /// Whether no choice pays at most the cutoff of [`choose_within`] (the outcome is then
    /// meaningless).
    pub cut: bool,
}

impl Drop for Chosen {
    fn drop(&mut self) {
        pool::give(std::mem::take(&mut self.parts));
        pool::give(std::mem::take(&mut self.keeps));
    }
}

/// Chooses among all conflict-free sets and keeper assignments the one with the lowest
/// payable (ties: larger priority sum, fewer applied offers, then keepers earlier in
/// declaration order, line by line).
///
/// Per conflict-free set, when the per-line keeper options combine into at most
/// [`EXHAUSTIVE_CHOICES`] assignments, every one is tried. Beyond that a branch and bound
/// ([`crate::eval::assign`]) finds the lowest payable and largest priority sum exactly, within
/// the quote's budget ([`quote_budget`]; then it keeps the best choice found); with more
/// than [`MAX_EXACT_LINES`] contested lines, a heuristic decides.
pub(crate) fn choose(p: &Prepared<'_>, parts: Vec<OfferIdx>) -> Chosen {
    choose_within(p, parts, quote_budget(p), i64::MAX)
}

/// A quote's budget of bounds: [`ASSIGN_BUDGET`] up to 8 lines under 8 candidate offers,
/// then less in proportion to lines × candidates (a bound applies every offer to every
/// line), so a big cart costs about as much, well within the default deadline.
pub(crate) fn quote_budget(p: &Prepared<'_>) -> usize {
    let candidates = p.ineligible.iter().filter(|i| i.is_none()).count();
    let cells = p.orig.len().max(8) * candidates.max(8);
    // At least enough for the first dive and some search on a big realistic cart, but
    // never more than about 200 million line-offer steps in all.
    (ASSIGN_BUDGET * 64 / cells)
        .max(16 * p.orig.len())
        .max(1_000)
        .min(MAX_CELL_STEPS / cells)
        .max(1)
}

/// [`choose`] with a budget of bounds for the search over each conflict-free set's
/// contested lines ([`Chosen::proven`] says whether every search finished), and a cutoff:
/// searched choices paying more are not explored ([`Chosen::cut`] when none is left).
pub(crate) fn choose_within(
    p: &Prepared<'_>,
    mut parts: Vec<OfferIdx>,
    budget: usize,
    cutoff: i64,
) -> Chosen {
    let rules = p.rules;
    parts.sort_by(|&a, &b| app_order(rules, a, b));
    let n = p.orig.len();
    let applier = Applier::new(p);
    // The best so far: its key, members, the lines each participant keeps, and outcome.
    let mut best: Option<(Key, Vec<OfferIdx>, Vec<Lines>, Outcome)> = None;
    let sets = conflict_free_sets(rules, &parts);
    if let [only] = sets.as_slice() {
        if only.len() == parts.len() && uncontested(p, &parts) {
            // Nothing to choose: every offer keeps its whole scope.
            let keeps: Vec<Lines> = parts.iter().map(|&o| p.scope[o].clone()).collect();
            let outcome = applier.apply(&parts, &keeps);
            return Chosen {
                parts,
                keeps,
                left_out: Vec::new(),
                outcome,
                proven: true,
                work: 1,
                cut: false,
            };
        }
    }
    let priced: Vec<bool> = parts
        .iter()
        .map(|&o| !rules.offers[o].benefit.is_price_neutral())
        .collect();
    let (mut here, mut priced_here) = (Vec::new(), Vec::new());
    let mut proven = true;
    let mut work: usize = 0;
    for members in sets {
        if best.is_some() && p.deadline.passed() {
            // Out of time: the best choice of the sets compared so far stands, unproven.
            proven = false;
            break;
        }
        let in_set: Vec<bool> = parts.iter().map(|o| members.contains(o)).collect();
        // Every member keeps its whole scope, except on contested lines.
        let mut whole: Vec<Lines> = pool::take();
        whole.extend(parts.iter().zip(&in_set).map(|(&o, &i)| {
            if i {
                p.scope[o].clone()
            } else {
                Lines::new(n)
            }
        }));
        // Per contested line: the options of keeper sets (indices into `parts`); an
        // uncontested line has none (its keepers are all members with it in scope).
        let line_options: Vec<Vec<Vec<usize>>> = (0..n)
            .map(|l| {
                here.clear();
                here.extend((0..parts.len()).filter(|&k| in_set[k] && whole[k].get(l)));
                priced_here.clear();
                priced_here.extend(here.iter().copied().filter(|&k| priced[k]));
                if may_share_line(rules, &priced_here, |k| parts[k]) {
                    Vec::new()
                } else {
                    keeper_options(rules, &parts, &here)
                }
            })
            .collect();
        // Prices a pick; with `prev`, stages before `from` are copied from it.
        let evaluate_from = |pick: &[usize], prev: Option<&Outcome>, from: usize| {
            let keeps = keeps_of(&whole, &line_options, pick);
            let outcome = applier.apply_from(&parts, &keeps, prev, from);
            let key = Key {
                payable: outcome.payable(),
                priority: outcome
                    .applied
                    .iter()
                    .map(|a| i128::from(rules.offers[a.0].priority))
                    .sum(),
                applied: outcome.applied.len(),
            };
            (key, keeps, outcome)
        };
        let evaluate = |pick: &[usize]| evaluate_from(pick, None, 0);
        let contested: Vec<usize> = (0..n).filter(|&l| line_options[l].len() > 1).collect();
        let product = contested
            .iter()
            .try_fold(1usize, |acc, &l| acc.checked_mul(line_options[l].len()));
        let exhaustive = product.is_some_and(|p| p <= EXHAUSTIVE_CHOICES);
        let mut local: Option<(Key, Vec<usize>, Vec<Lines>, Outcome)> = None;
        // The exact search's first dive alone bounds every option of every contested line.
        let dive: usize = contested.iter().map(|&l| line_options[l].len()).sum();
        let exact_search = !exhaustive
            && contested.len() <= MAX_EXACT_LINES
            && work.saturating_add(dive) <= budget;
        if exact_search {
            let zeros = vec![0usize; n];
            let start = keeps_of(&whole, &line_options, &zeros);
            let found = crate::eval::assign::search(
                &applier,
                &parts,
                &start,
                &line_options,
                &contested,
                budget.saturating_sub(work),
                cutoff,
            );
            pool::give(start);
            proven &= found.proven;
            work += found.nodes;
            if let Some((key, keeps, outcome)) = found.best {
                local = Some((key, Vec::new(), keeps, outcome));
            }
        } else {
            // The previous pick and its outcome (in `local` when it was the best so far):
            // the next pick, which usually changes a few lines, copies the stages before
            // them.
            let mut last: Option<(Vec<usize>, Outcome)> = None;
            let mut last_is_local = false;
            for pick in assignments(p, &line_options, &contested, exhaustive) {
                if local.is_some() && p.deadline.passed() {
                    proven = false;
                    break;
                }
                work += 1;
                let prev = if last_is_local {
                    local.as_ref().map(|(_, pk, _, o)| (pk, o))
                } else {
                    last.as_ref().map(|(pk, o)| (pk, o))
                };
                let (key, keeps, outcome) = match prev {
                    Some((prev_pick, prev_outcome)) => {
                        let from = contested
                            .iter()
                            .filter(|&&l| prev_pick[l] != pick[l])
                            .flat_map(|&l| {
                                line_options[l][prev_pick[l]]
                                    .iter()
                                    .chain(&line_options[l][pick[l]])
                            })
                            .map(|&k| rules.offers[parts[k]].stage)
                            .min()
                            .unwrap_or(0);
                        evaluate_from(&pick, Some(prev_outcome), from)
                    }
                    None => evaluate(&pick),
                };
                let better = beats(
                    &parts,
                    n,
                    (&key, &keeps),
                    local.as_ref().map(|l| (&l.0, &l.2[..])),
                );
                if better {
                    if let Some((_, _, old_keeps, _)) = local.take() {
                        pool::give(old_keeps);
                    }
                    local = Some((key, pick, keeps, outcome));
                    last_is_local = true;
                } else {
                    pool::give(keeps);
                    last = Some((pick, outcome));
                    last_is_local = false;
                }
            }
            drop(last);
        }
        let Some((mut key, mut pick, mut keeps, mut outcome)) = local else {
            continue;
        };
        if !exhaustive && !exact_search {
            // Too many contested lines (or no budget left) for the exact search: improve
            // the best grouped choice one line at a time until a whole pass changes nothing.
            // Lines are visited by ID and only a strictly better key is accepted, so the
            // result does not depend on the order of the cart.
            proven = false;
            let mut order = contested.clone();
            order.sort_by(|&a, &b| p.cart.lines[a].id.cmp(&p.cart.lines[b].id));
            let mut evaluations = 0;
            let mut changed = true;
            while changed && evaluations < MAX_CHOICES && !p.deadline.passed() {
                changed = false;
                for &l in &order {
                    for alt in 0..line_options[l].len() {
                        if alt == pick[l] || evaluations >= MAX_CHOICES {
                            continue;
                        }
                        evaluations += 1;
                        let old = pick[l];
                        pick[l] = alt;
                        // Only offers keeping line `l` under either option change: the
                        // stages before the earliest of them come out as before.
                        let from = line_options[l][old]
                            .iter()
                            .chain(&line_options[l][alt])
                            .map(|&k| rules.offers[parts[k]].stage)
                            .min()
                            .unwrap_or(0);
                        let (k, kk, o) = evaluate_from(&pick, Some(&outcome), from);
                        if k < key {
                            pool::give(std::mem::replace(&mut keeps, kk));
                            (key, outcome) = (k, o);
                            changed = true;
                        } else {
                            pool::give(kk);
                            pick[l] = old;
                        }
                    }
                }
            }
            work += evaluations;
        }
        let better = beats(
            &parts,
            n,
            (&key, &keeps),
            best.as_ref().map(|b| (&b.0, &b.2[..])),
        );
        if better {
            best = Some((key, members, keeps, outcome));
        }
        pool::give(whole);
    }
    let cut = best.is_none();
    let (members, keeps, outcome) = match best {
        Some((_, members, keeps, outcome)) => (members, keeps, Some(outcome)),
        None => (Vec::new(), vec![Lines::new(n); parts.len()], None),
    };
    let left_out: Vec<(OfferIdx, OfferIdx)> = parts
        .iter()
        .filter(|o| !members.contains(o))
        .map(|&o| {
            (
                o,
                members
                    .iter()
                    .copied()
                    .find(|&m| excludes(rules, o, m))
                    .unwrap_or(o),
            )
        })
        .collect();
    let outcome = outcome.unwrap_or_else(|| applier.apply(&parts, &keeps));
    Chosen {
        parts,
        keeps,
        left_out,
        outcome,
        proven,
        work,
        cut,
    }
}

/// Whether a choice (its key and keeps) beats the best so far (`None`: there is none):
/// a lower key, or on a full tie keepers earlier in declaration order, line by line.
fn beats(
    parts: &[OfferIdx],
    n: usize,
    new: (&Key, &[Lines]),
    old: Option<(&Key, &[Lines])>,
) -> bool {
    let Some((old_key, old_keeps)) = old else {
        return true;
    };
    match new.0.cmp(old_key) {
        Ordering::Less => true,
        Ordering::Equal => keepers(parts, new.1, n) < keepers(parts, old_keeps, n),
        Ordering::Greater => false,
    }
}

/// Line by line, the offers keeping it in declaration order: the last tie-break.
fn keepers(parts: &[OfferIdx], keeps: &[Lines], n: usize) -> Vec<Vec<OfferIdx>> {
    (0..n)
        .map(|l| {
            let mut v: Vec<OfferIdx> = parts
                .iter()
                .zip(keeps)
                .filter(|(_, k)| k.get(l))
                .map(|(&o, _)| o)
                .collect();
            v.sort_unstable();
            v
        })
        .collect()
}

/// Whether no line is contested: on every line, the offers with a price effect that have it
/// in scope are pairwise compatible and within their stage's `max`.
fn uncontested(p: &Prepared<'_>, parts: &[OfferIdx]) -> bool {
    let rules = p.rules;
    let priced: Vec<OfferIdx> = parts
        .iter()
        .copied()
        .filter(|&o| !rules.offers[o].benefit.is_price_neutral())
        .collect();
    let mut here = Vec::with_capacity(priced.len());
    (0..p.orig.len()).all(|l| {
        here.clear();
        here.extend(priced.iter().copied().filter(|&o| p.scope[o].get(l)));
        may_share_line(rules, &here, |o| o)
    })
}

/// Whether these offers (with a price effect; `offer` maps an entry of `set` to its offer)
/// may all keep one line: pairwise compatible and at most `max` of each stage.
pub(crate) fn may_share_line(
    rules: &RuleSetData,
    set: &[usize],
    offer: impl Fn(usize) -> OfferIdx,
) -> bool {
    // Stage counts in a small list (a header has at most `MAX_STAGES` stages): linear in
    // the set, where a count per member would be quadratic (thousands of same-stage offers
    // on one line are possible).
    let mut counts: Vec<(StageIdx, usize)> = Vec::new();
    for &a in set {
        let stage = rules.offers[offer(a)].stage;
        match counts.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, n)) => *n += 1,
            None => counts.push((stage, 1)),
        }
    }
    let within_max = counts
        .iter()
        .all(|&(stage, n)| n <= rules.stages.get(stage).map_or(1, |s| s.max as usize));
    // Two offers without `exclusive` or `only_with` are always compatible: only pairs with
    // a restricted member need a look.
    let restricted = |o: OfferIdx| {
        let x = &rules.offers[o];
        !x.benefit.is_price_neutral() && (x.exclusive || x.only_with.is_some())
    };
    within_max
        && set.iter().enumerate().all(|(i, &a)| {
            let oa = offer(a);
            !restricted(oa)
                || set
                    .iter()
                    .enumerate()
                    .all(|(j, &b)| i == j || compatible(rules, oa, offer(b)))
        })
}

/// Whether `x` may join `set`, which already may share a line: its stage has room and it
/// is compatible with every member. Linear in the set.
fn may_join(
    rules: &RuleSetData,
    set: &[usize],
    x: usize,
    offer: impl Fn(usize) -> OfferIdx,
) -> bool {
    let ox = offer(x);
    let stage = rules.offers[ox].stage;
    let same = set
        .iter()
        .filter(|&&b| rules.offers[offer(b)].stage == stage)
        .count();
    same < rules.stages.get(stage).map_or(1, |s| s.max as usize)
        && set.iter().all(|&b| compatible(rules, ox, offer(b)))
}

/// The lines each participant keeps under a pick of per-line options: its whole scope
/// (`whole`, members only), except that a contested line goes to the picked option only.
fn keeps_of(whole: &[Lines], options: &[Vec<Vec<usize>>], pick: &[usize]) -> Vec<Lines> {
    let mut keeps: Vec<Lines> = pool::take();
    keeps.extend_from_slice(whole);
    for (l, opts) in options.iter().enumerate() {
        if let Some(opt) = opts.get(pick[l]) {
            for k in &mut keeps {
                k.clear(l);
            }
            for &k in opt {
                keeps[k].set(l);
            }
        }
    }
    keeps
}

/// Assignments tried exhaustively when there are at most this many (ties are then broken
/// by keepers in cart order); beyond, a branch and bound searches them ([`crate::eval::assign`]).
pub(crate) const EXHAUSTIVE_CHOICES: usize = 64;

/// Bounds one quote's searches over contested lines may compute in all before they keep
/// the best choice found (see [`choose_within`]), on a cart of up to 8 lines; larger carts
/// get less in proportion ([`quote_budget`]). A step budget rather than the clock decides,
/// so the same request always gets the same answer; it is sized to end well within the
/// default deadline, which stays as a safety net.
pub(crate) const ASSIGN_BUDGET: usize = 60_000;

/// Most bounds × (lines × candidates) one quote's search may cost.
const MAX_CELL_STEPS: usize = 200_000_000;

/// Most contested lines of one conflict-free set the exact search takes on; beyond (or
/// with the budget spent), lines with identical options choose alike (every combination
/// of such groups, up to [`MAX_CHOICES`]), then each line alone tries its other options
/// until a whole pass changes nothing, at most [`MAX_CHOICES`] times.
pub(crate) const MAX_EXACT_LINES: usize = crate::limits::MAX_LINES;

/// Comparison key of a choice: lower payable, then the larger priority sum, then fewer
/// applied offers (the keepers tie-break is applied separately, only on a full tie).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    pub payable: i64,
    /// Wide enough that no sum of `i64` priorities overflows.
    pub priority: i128,
    pub applied: usize,
}

impl Ord for Key {
    fn cmp(&self, b: &Key) -> Ordering {
        self.payable
            .cmp(&b.payable)
            .then(b.priority.cmp(&self.priority))
            .then(self.applied.cmp(&b.applied))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, b: &Key) -> Option<Ordering> {
        Some(self.cmp(b))
    }
}

/// Maximal subsets of `parts` with no two members excluding each other (capped at
/// [`MAX_CHOICES`]). Offers in no `excludes` relation with another participant are in all.
fn conflict_free_sets(rules: &RuleSetData, parts: &[OfferIdx]) -> Vec<Vec<OfferIdx>> {
    let conflicted: Vec<OfferIdx> = parts
        .iter()
        .copied()
        .filter(|&a| parts.iter().any(|&b| a != b && excludes(rules, a, b)))
        .collect();
    let free: Vec<OfferIdx> = parts
        .iter()
        .copied()
        .filter(|o| !conflicted.contains(o))
        .collect();
    let mut out = Vec::new();
    let mut current = Vec::new();
    fn rec(
        rules: &RuleSetData,
        c: &[OfferIdx],
        i: usize,
        cur: &mut Vec<OfferIdx>,
        out: &mut Vec<Vec<OfferIdx>>,
    ) {
        if out.len() >= MAX_CHOICES {
            return;
        }
        let Some(&v) = c.get(i) else {
            // Maximal: every left-out offer conflicts with a member.
            if c.iter()
                .all(|&x| cur.contains(&x) || cur.iter().any(|&m| excludes(rules, x, m)))
            {
                out.push(cur.clone());
            }
            return;
        };
        if !cur.iter().any(|&m| excludes(rules, v, m)) {
            cur.push(v);
            rec(rules, c, i + 1, cur, out);
            cur.pop();
        }
        rec(rules, c, i + 1, cur, out);
    }
    rec(rules, &conflicted, 0, &mut current, &mut out);
    for set in &mut out {
        set.extend(&free);
    }
    if out.is_empty() {
        out.push(free);
    }
    out
}

/// The maximal valid keeper sets of one line among the offers `here` (indices into
/// `parts`): pairwise compatible, at most `max` price-affecting offers per stage. Offers
/// without price effect always keep the line.
pub(crate) fn keeper_options(
    rules: &RuleSetData,
    parts: &[OfferIdx],
    here: &[usize],
) -> Vec<Vec<usize>> {
    let (neutral, priced): (Vec<usize>, Vec<usize>) = here
        .iter()
        .partition(|&&k| rules.offers[parts[k]].benefit.is_price_neutral());
    let with_neutral = |mut v: Vec<usize>| {
        v.extend(&neutral);
        v.sort_unstable();
        v
    };
    if may_share_line(rules, &priced, |k| parts[k]) {
        return vec![with_neutral(priced)];
    }
    // Maximal valid sets by backtracking: include an offer when it keeps the set valid, or
    // leave it out; a leaf counts when no left-out offer could be added. At most
    // `MAX_LINE_OPTIONS` are kept (in application order of preference). The set grows
    // valid, so each step only checks the newcomer against it.
    let fits = |set: &[usize], x: usize| may_join(rules, set, x, |k| parts[k]);
    fn rec(
        priced: &[usize],
        fits: &dyn Fn(&[usize], usize) -> bool,
        i: usize,
        cur: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if out.len() >= MAX_LINE_OPTIONS {
            return;
        }
        let Some(&k) = priced.get(i) else {
            // Maximal: no left-out offer could join.
            let maximal = !priced.iter().any(|&x| !cur.contains(&x) && fits(cur, x));
            if maximal {
                out.push(cur.clone());
            }
            return;
        };
        if fits(cur, k) {
            cur.push(k);
            rec(priced, fits, i + 1, cur, out);
            cur.pop();
        }
        rec(priced, fits, i + 1, cur, out);
    }
    let mut out = Vec::new();
    rec(&priced, &fits, 0, &mut Vec::new(), &mut out);
    out.into_iter().map(with_neutral).collect()
}

/// Most keeper options one line offers the search (see `keeper_options`).
const MAX_LINE_OPTIONS: usize = 32;

/// Every combination of the contested lines' options (`exhaustive`), or every combination
/// where lines with identical options choose alike, up to [`MAX_CHOICES`]; those groups are
/// ordered by their first line ID so the truncated list does not depend on cart order.
fn assignments(
    p: &Prepared<'_>,
    options: &[Vec<Vec<usize>>],
    contested: &[usize],
    exhaustive: bool,
) -> Vec<Vec<usize>> {
    let groups: Vec<Vec<usize>> = if exhaustive {
        contested.iter().map(|&l| vec![l]).collect()
    } else {
        let mut by_id = contested.to_vec();
        by_id.sort_by(|&a, &b| p.cart.lines[a].id.cmp(&p.cart.lines[b].id));
        let mut gs: Vec<Vec<usize>> = Vec::new();
        for l in by_id {
            match gs.iter_mut().find(|g| options[g[0]] == options[l]) {
                Some(g) => g.push(l),
                None => gs.push(vec![l]),
            }
        }
        gs
    };
    let mut out = Vec::new();
    let mut pick = vec![0usize; options.len()];
    fn rec(
        gs: &[Vec<usize>],
        options: &[Vec<Vec<usize>>],
        i: usize,
        pick: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if out.len() >= MAX_CHOICES {
            return;
        }
        let Some(g) = gs.get(i) else {
            out.push(pick.clone());
            return;
        };
        for choice in 0..options[g[0]].len() {
            for &l in g {
                pick[l] = choice;
            }
            rec(gs, options, i + 1, pick, out);
        }
    }
    rec(&groups, options, 0, &mut pick, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::Line;

    #[test]
    fn scope_index_agrees_with_direct_tests() {
        let rules = crate::RuleSet::parse(
            r#"ruleset "t" { stages s }
            activity all "a" { stage s benefit 直降1 }
            activity shop "b" { stage s benefit 直降1 scope shop "x", "y" exclude sku "s1" }
            activity tag "c" { stage s benefit 直降1 scope tag "t1" scope category "c1" exclude tag "t2" }
            activity none "d" { stage s benefit 直降1 exclude all }
            activity allx "e" { stage s benefit 直降1 exclude shop "y" exclude tag "t1" }
            activity sku "f" { stage s benefit 直降1 scope sku "s1", "s2" }"#,
        )
        .unwrap();
        let mut lines = Vec::new();
        for (i, (shop, sku, cat, tags)) in [
            ("x", "s1", "c1", vec!["t1"]),
            ("y", "s2", "c2", vec!["t2"]),
            ("z", "s3", "c1", vec!["t1", "t2"]),
            ("x", "s3", "", vec![]),
            ("", "s2", "c1", vec!["t3", "t1"]),
        ]
        .into_iter()
        .enumerate()
        {
            let mut l = Line::new(&format!("L{i}"), sku, shop, Money(100), 1).category(cat);
            for t in tags {
                l = l.tag(t);
            }
            lines.push(l);
        }
        // Enough lines to use the words past the first 64.
        for i in 0..70 {
            lines.push(Line::new(&format!("M{i}"), "s2", "y", Money(100), 1).tag("t1"));
        }
        let cart = Cart { lines };
        let ctx = Context::default();
        let p = Prepared::new(&rules.inner, &cart, &ctx).unwrap();
        for (o, offer) in rules.inner.offers.iter().enumerate() {
            for (i, l) in cart.lines.iter().enumerate() {
                assert_eq!(
                    p.scope[o].get(i),
                    in_scope(&offer.scope, l),
                    "{} {}",
                    offer.id,
                    l.id
                );
            }
        }
    }
}

#[cfg(test)]
mod apply_from_tests {
    use super::*;
    use crate::cart::Line;

    /// Copying the stages before a change gives exactly what applying everything gives.
    #[test]
    fn apply_from_matches_a_full_application() {
        let rules = crate::RuleSet::parse(
            r#"ruleset "t" { stages 单品, 店铺, 平台 stage 店铺 max 2 }
            activity drop "直降" { stage 单品 benefit 直降5 scope sku "A" }
            activity shop "满减" { stage 店铺 benefit 每满100减10 scope shop "s" }
            activity ship "包邮" { stage 平台 benefit 满50包邮 }
            coupon p1 "平台券1" { stage 平台 benefit 满100减20 }
            coupon p2 "平台券2" { stage 平台 benefit 满50减8 }"#,
        )
        .unwrap();
        let cart = Cart {
            lines: (0..5)
                .map(|i| {
                    Line::new(
                        &format!("L{i}"),
                        if i % 2 == 0 { "A" } else { "B" },
                        "s",
                        Money(4_000 + 1_000 * i),
                        1 + i as u32 % 2,
                    )
                })
                .collect(),
        };
        let ctx = Context {
            shipping_fee: Money(1_000),
            ..Context::default()
        };
        let p = Prepared::new(&rules.inner, &cart, &ctx).unwrap();
        let applier = Applier::new(&p);
        let mut parts: Vec<OfferIdx> = (0..rules.inner.offers.len()).collect();
        parts.sort_by(|&a, &b| app_order(&rules.inner, a, b));
        let (p1, p2) = (
            parts
                .iter()
                .position(|&o| rules.inner.offers[o].id == "p1")
                .unwrap(),
            parts
                .iter()
                .position(|&o| rules.inner.offers[o].id == "p2")
                .unwrap(),
        );
        let mut keeps: Vec<Lines> = parts.iter().map(|&o| p.scope[o].clone()).collect();
        // The two platform coupons split the lines: p1 the even ones, p2 the odd ones.
        for l in 0..5 {
            if l % 2 == 0 {
                keeps[p2].clear(l)
            } else {
                keeps[p1].clear(l)
            }
        }
        let prev = applier.apply(&parts, &keeps);
        // Line 0 moves from p1 to p2: only the platform stage (2) changes.
        keeps[p1].clear(0);
        keeps[p2].set(0);
        let full = applier.apply(&parts, &keeps);
        let from = applier.apply_from(&parts, &keeps, Some(&prev), 2);
        assert_eq!(full.amount, from.amount);
        assert_eq!(full.shares, from.shares);
        assert_eq!(full.applied, from.applied);
        assert_eq!(full.unmet, from.unmet);
        assert_eq!(full.gifts, from.gifts);
        assert_eq!(full.bases, from.bases);
        assert_eq!(full.after_stage, from.after_stage);
        assert_eq!((full.shipping, full.deposit), (from.shipping, from.deposit));
        assert_ne!(
            prev.amount, full.amount,
            "the change must matter for the test to mean anything"
        );
    }
}
