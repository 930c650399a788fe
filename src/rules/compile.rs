//! Checked AST → immutable [`RuleSet`](crate::RuleSet) IR.
//!
//! Runs only on a file the check pass accepted, so every conversion here has already been
//! validated; the fallbacks (`unwrap_or_default`) are never taken on accepted input.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::lang::ast::{self, OfferField, ScopeSel, ThresholdMode};
use crate::lang::diagnostic::Diagnostic;
use crate::money::{Money, Rate, Rounding};
use crate::rules::check::{self, Resolved};
use crate::rules::ir::*;

/// Builds the IR. `warnings` are kept on the rule set.
pub(crate) fn compile(file: &ast::File, r: &Resolved, warnings: Vec<Diagnostic>) -> RuleSet {
    let mut data = RuleSetData {
        name: String::new(),
        currency: "CNY".into(),
        timezone: r.offset,
        rounding: Rounding::HalfUp,
        stages: r
            .stages
            .iter()
            .map(|s| Stage {
                name: s.clone(),
                max: 1,
            })
            .collect(),
        refund: ast::RefundPolicy::Apportioned,
        threshold_base: ThresholdBase::Sequential,
        offers: Vec::with_capacity(file.offers.len()),
        index: BTreeMap::new(),
        warnings,
        fingerprint: 0,
        scope_index: Default::default(),
    };
    if let Some(h) = &file.header {
        data.name = h.name.node.clone();
        for f in &h.fields {
            match &f.node {
                ast::HeaderField::Currency(c) => data.currency = c.clone(),
                ast::HeaderField::Rounding(m) => data.rounding = *m,
                ast::HeaderField::Refund(p) => data.refund = *p,
                ast::HeaderField::ThresholdBase(m) => data.threshold_base = base(m, r),
                ast::HeaderField::StageMax(stage, n) => {
                    if let Some(s) = r
                        .stage_index
                        .get(&stage.node)
                        .and_then(|&i| data.stages.get_mut(i))
                    {
                        s.max = u32::try_from(n.node).unwrap_or(u32::MAX);
                    }
                }
                ast::HeaderField::Timezone(_) | ast::HeaderField::Stages(_) => {}
            }
        }
    }
    for (order, o) in file.offers.iter().enumerate() {
        let offer = offer(o, order, r, data.threshold_base, &data.stages);
        data.index.insert(offer.id.clone(), order);
        data.offers.push(offer);
    }
    // `excludes` is symmetric: close it so each side lists the other.
    let pairs: Vec<(usize, usize)> = data
        .offers
        .iter()
        .enumerate()
        .flat_map(|(i, o)| o.excludes.iter().map(move |&j| (i, j)))
        .collect();
    for (i, j) in pairs {
        if let Some(o) = data.offers.get_mut(j) {
            o.excludes.push(i);
        }
    }
    let ids: Vec<String> = data.offers.iter().map(|o| o.id.clone()).collect();
    let by_id = |v: &[usize]| {
        v.iter()
            .filter_map(|&i| ids.get(i).cloned())
            .collect::<Vec<_>>()
    };
    for o in &mut data.offers {
        o.excludes.sort_unstable();
        o.excludes.dedup();
        o.excludes_ids = by_id(&o.excludes);
        o.only_with_ids = o.only_with.as_deref().map(by_id);
        o.first_step_zh = crate::rules::words::benefit_zh(&o.benefit, true);
    }
    data.scope_index = crate::rules::scope_index::ScopeIndex::build(&data.offers);
    let mut rules = RuleSet {
        inner: Arc::new(data),
        deadline: crate::limits::DEFAULT_DEADLINE,
    };
    let fingerprint = crate::rules::canonical::fnv1a64(rules.to_rule_text().as_bytes());
    if let Some(d) = Arc::get_mut(&mut rules.inner) {
        d.fingerprint = fingerprint;
    }
    rules
}

fn base(m: &ThresholdMode, r: &Resolved) -> ThresholdBase {
    match m {
        ThresholdMode::Sequential => ThresholdBase::Sequential,
        ThresholdMode::Original => ThresholdBase::Original,
        ThresholdMode::After(s) => r
            .stage_index
            .get(&s.node)
            .map_or(ThresholdBase::Sequential, |&i| ThresholdBase::After(i)),
    }
}

fn window(w: &ast::Window, offset: i32) -> Option<Window> {
    Some(Window {
        start: crate::time::local_time(&w.start.node, offset)?,
        end: crate::time::local_time(&w.end.node, offset)?,
        offset,
    })
}

fn money(n: &ast::Num) -> Money {
    check::money(n).unwrap_or_default()
}

fn rate(r: &ast::RateAst) -> Rate {
    check::rate(r).unwrap_or(Rate(0))
}

fn count(n: &ast::Count) -> u32 {
    u32::try_from(n.node).unwrap_or(u32::MAX)
}

fn offer(
    o: &ast::Offer,
    order: usize,
    r: &Resolved,
    header_base: ThresholdBase,
    stages: &[Stage],
) -> Offer {
    let mut out = Offer {
        id: o.id.node.clone(),
        title: o.title.clone(),
        title_en: None,
        kind: o.kind,
        stage: 0,
        stage_name: String::new(),
        benefit: Benefit::FreeShipping(FreeShipping { spend: None }),
        scope: Scope::default(),
        valid: None,
        audience: None,
        limit_per_user: None,
        limit_per_user_qty: None,
        stock: false,
        exclusive: false,
        excludes: Vec::new(),
        excludes_ids: Vec::new(),
        only_with: None,
        only_with_ids: None,
        first_step_zh: String::new(),
        priority: 0,
        threshold: header_base,
        deposit_window: None,
        balance_window: None,
        group_hours: None,
        order,
    };
    let mut include: Vec<ScopeTerm> = Vec::new();
    let mut include_all = false;
    let idx = |ids: &[ast::Name]| -> Vec<usize> {
        let set: BTreeSet<usize> = ids
            .iter()
            .filter_map(|n| r.offer_index.get(&n.node).copied())
            .collect();
        set.into_iter().collect()
    };
    for f in &o.fields {
        match &f.node {
            OfferField::Stage(s) => out.stage = r.stage_index.get(&s.node).copied().unwrap_or(0),
            OfferField::Benefit(b) => out.benefit = benefit(b),
            OfferField::Scope(ScopeSel::All) => include_all = true,
            OfferField::Scope(ScopeSel::Values(dim, vs)) => include.push(term(*dim, vs)),
            OfferField::Exclude(ScopeSel::All) => out.scope.exclude_all = true,
            OfferField::Exclude(ScopeSel::Values(dim, vs)) => {
                out.scope.exclude.push(term(*dim, vs))
            }
            OfferField::Valid(w) => out.valid = window(w, r.offset),
            OfferField::Audience(e) => out.audience = predicate(e),
            OfferField::LimitPerUser(n) => out.limit_per_user = Some(count(n)),
            OfferField::LimitPerUserQty(n) => out.limit_per_user_qty = Some(count(n)),
            OfferField::Stock => out.stock = true,
            OfferField::Exclusive => out.exclusive = true,
            OfferField::Excludes(ids) => out.excludes = idx(ids),
            OfferField::OnlyWith(ids) => out.only_with = Some(idx(ids)),
            OfferField::Priority(p) => out.priority = *p,
            OfferField::Threshold(m) => out.threshold = base(m, r),
            OfferField::DepositWindow(w) => out.deposit_window = window(w, r.offset),
            OfferField::BalanceWindow(w) => out.balance_window = window(w, r.offset),
            OfferField::GroupHours(n) => out.group_hours = Some(count(n)),
            OfferField::TitleEn(t) => out.title_en = Some(t.node.clone()),
        }
    }
    out.stage_name = stages
        .get(out.stage)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    out.scope.include = if include_all || include.is_empty() {
        None
    } else {
        Some(merge_terms(include))
    };
    out.scope.exclude = merge_terms(std::mem::take(&mut out.scope.exclude));
    out
}

/// Sorted, merged terms: one per dimension, values sorted and de-duplicated.
fn merge_terms(terms: Vec<ScopeTerm>) -> Vec<ScopeTerm> {
    let mut by_dim: BTreeMap<ast::Dim, BTreeSet<String>> = BTreeMap::new();
    for t in terms {
        by_dim.entry(t.dim).or_default().extend(t.values);
    }
    by_dim
        .into_iter()
        .map(|(dim, vs)| ScopeTerm {
            dim,
            values: vs.into_iter().collect(),
        })
        .collect()
}

fn term(dim: ast::Dim, values: &[String]) -> ScopeTerm {
    let set: BTreeSet<String> = values.iter().cloned().collect();
    ScopeTerm {
        dim,
        values: set.into_iter().collect(),
    }
}

fn benefit(b: &ast::Benefit) -> Benefit {
    use ast::Benefit as B;
    match b {
        B::Tiered(tiers) => Benefit::Tiered(Tiered {
            tiers: tiers
                .iter()
                .map(|t| Tier {
                    at: match &t.at {
                        ast::TierAt::Amount(a) => TierAt::Spend(money(a)),
                        ast::TierAt::Items(n) => TierAt::Items(count(n)),
                    },
                    reward: match &t.reward {
                        ast::Reward::Off(a) => Reward::Off(money(a)),
                        ast::Reward::Rate(r) => Reward::PctOff(rate(r)),
                    },
                })
                .collect(),
        }),
        B::EveryN { step, off, cap } => Benefit::EveryN(EveryN {
            step: money(step),
            off: money(off),
            cap: cap.as_ref().map(money),
        }),
        B::PctOff(r) => Benefit::PctOff(PctOff { rate: rate(r) }),
        B::UnitOff(a) => Benefit::UnitOff(UnitOff { off: money(a) }),
        B::UnitPrice(a) => Benefit::UnitPrice(UnitPrice { price: money(a) }),
        B::Nth(n, r) => Benefit::Nth(Nth {
            n: count(n),
            rate: rate(r),
        }),
        B::BuyGet(b, g) => Benefit::BuyGet(BuyGet {
            buy: count(b),
            get: count(g),
        }),
        B::Bundle(n, p) => Benefit::Bundle(Bundle {
            n: count(n),
            price: money(p),
        }),
        B::FreeShipping(s) => Benefit::FreeShipping(FreeShipping {
            spend: s.as_ref().map(money),
        }),
        B::Gift(s, g) => Benefit::Gift(Gift {
            spend: s.as_ref().map(money),
            gift: g.clone(),
        }),
        B::Deposit(d, w) => Benefit::Deposit(Deposit {
            deposit: money(d),
            worth: money(w),
        }),
        B::GroupBuy(p, n) => Benefit::GroupBuy(GroupBuy {
            price: money(p),
            size: count(n),
        }),
    }
}

fn predicate(e: &ast::Expr) -> Option<Predicate> {
    use ast::Expr;
    Some(match e {
        Expr::Or(a, b) => Predicate::Or(Box::new(predicate(a)?), Box::new(predicate(b)?)),
        Expr::And(a, b) => Predicate::And(Box::new(predicate(a)?), Box::new(predicate(b)?)),
        Expr::Not(a) => Predicate::Not(Box::new(predicate(a)?)),
        atom => check::predicate_atom(atom).ok()?,
    })
}
