//! Candidates: the deadline, a cart prepared for one query (each offer's scope resolved
//! to lines once, the eligibility checks in their documented order), and the stacking
//! relations between two offers.

#[allow(unused_imports)]
use super::*;

/// When a query must have answered by. Searches check it between steps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    pub(super) at: Option<Instant>,
    pub(super) ms: u64,
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

    /// The time left (`None`: no deadline).
    pub fn left(&self) -> Option<Duration> {
        self.at
            .map(|at| at.saturating_duration_since(Instant::now()))
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
    /// The query's reusable buffers.
    pub scratch: std::cell::RefCell<scratch::Scratch>,
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
        let mut orig = Vec::with_capacity(n);
        orig.extend(cart.lines.iter().map(|l| l.price.0 * i64::from(l.qty)));
        let now = ctx.now_or_current();
        let offers = rules.offers.len();
        let mut scope = vec![Lines::new(n); offers];
        // Per line: offers named by an include term, offers named by an exclude term.
        let mut named: Vec<u64> = vec![0; offers.div_ceil(64)];
        let mut excluded: Vec<u64> = vec![0; offers.div_ceil(64)];
        let mut touched: Vec<usize> = Vec::new();
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
        let mut ineligible = Vec::with_capacity(offers);
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
            scratch: Default::default(),
        })
    }
}

impl Prepared<'_> {
    /// This cart with its lines in another order: line `i` of `cart` is line `from[i]`
    /// here (scopes and amounts follow; the deadline is the same).
    pub fn permuted<'b>(&'b self, cart: &'b Cart, from: &[usize]) -> Prepared<'b> {
        let n = from.len();
        Prepared {
            rules: self.rules,
            cart,
            ctx: self.ctx,
            orig: from.iter().map(|&l| self.orig[l]).collect(),
            scope: self
                .scope
                .iter()
                .map(|s| {
                    let mut moved = Lines::new(n);
                    for (i, &l) in from.iter().enumerate() {
                        if s.get(l) {
                            moved.set(i);
                        }
                    }
                    moved
                })
                .collect(),
            ineligible: self.ineligible.clone(),
            deadline: self.deadline,
            scratch: Default::default(),
        }
    }
}

/// Whether a line is in a scope, tested directly: the oracle for the scope index.
#[cfg(test)]
pub(super) fn in_scope(s: &Scope, l: &crate::cart::Line) -> bool {
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

impl Prepared<'_> {
    /// An empty vector from the query's scratch.
    pub fn take<T>(&self) -> Vec<T>
    where
        Vec<T>: scratch::Kept,
    {
        self.scratch.borrow_mut().take()
    }

    /// Gives a vector back to the query's scratch.
    pub fn give<T>(&self, v: Vec<T>)
    where
        Vec<T>: scratch::Kept,
    {
        self.scratch.borrow_mut().give(v)
    }

    /// Gives a priced choice's vectors back to the query's scratch.
    pub fn recycle(&self, out: Outcome) {
        let mut s = self.scratch.borrow_mut();
        s.give(out.amount);
        s.give(out.shares);
        s.give(out.applied);
        s.give(out.unmet);
        s.give(out.gifts);
        s.give(out.after_stage);
        s.give(out.bases);
        s.give(out.marks);
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
pub(super) fn eligibility_reason(
    o: &Offer,
    ctx: &Context,
    now: i64,
    no_line: bool,
) -> Option<Ineligible> {
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
    if matches!(o.benefit, Benefit::GroupBuy(GroupBuy { .. }))
        && ctx.group.get(&o.id) == Some(&GroupState::Failed)
    {
        return Some(Ineligible::GroupFailed);
    }
    no_line.then_some(Ineligible::NoLineInScope)
}

pub(super) fn time_reason(o: &Offer, now: i64) -> Option<Ineligible> {
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

pub(super) fn holds(p: &Predicate, ctx: &Context) -> bool {
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

pub(super) fn compare(ord: Ordering, op: CmpOp) -> bool {
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
pub(crate) fn line_rule(rules: &RuleSetData, loser: OfferIdx, winner: OfferIdx) -> StackRule {
    let (l, w) = (&rules.offers[loser], &rules.offers[winner]);
    if l.exclusive || w.exclusive {
        StackRule::Exclusive
    } else if !compatible(rules, loser, winner) {
        StackRule::OnlyWith
    } else {
        StackRule::StageMax
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
