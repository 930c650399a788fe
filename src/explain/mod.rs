//! Explanations in Chinese and English, built from the same data as the numbers.
//!
//! Text is only built when asked for ([`Explanation`]); every sentence comes from a fixed
//! template filled with amounts printed with two decimals, so the same answer always gives
//! the same words.

use serde::Serialize;

pub(crate) mod summary;

pub(crate) use crate::rules::words::*;

use crate::answer::*;
use crate::lang::ast::OfferKind;
use crate::money::Money;
use crate::queries::refund::RefundRule;
use crate::rules::ir::*;

/// Sentences in Chinese and English, one per fact, in the same order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Explanation {
    /// Chinese.
    pub zh: Vec<String>,
    /// English.
    pub en: Vec<String>,
}

impl Explanation {
    fn push(&mut self, zh: String, en: String) {
        self.zh.push(zh);
        self.en.push(en);
    }
}

/// What every explainer needs: money formatting and offer titles.
pub(crate) struct Words<'a> {
    rules: &'a RuleSetData,
    f: Fmt<'a>,
}

impl<'a> Words<'a> {
    pub(crate) fn new(rules: &'a RuleSetData) -> Self {
        Words {
            rules,
            f: Fmt {
                currency: &rules.currency,
            },
        }
    }

    /// The offer an answer or request names: by ID, else by its exact title.
    fn offer(&self, id: &str) -> Option<&'a Offer> {
        self.rules
            .offer(id)
            .or_else(|| self.rules.offers.iter().find(|o| o.title == id))
    }

    /// The offer's title (its ID when unknown).
    fn title(&self, id: &str) -> String {
        self.offer(id)
            .map_or_else(|| id.to_string(), |o| o.title.clone())
    }

    /// The title English sentences use: `title_en` when the rules give one.
    fn title_en(&self, id: &str) -> String {
        self.offer(id)
            .map_or_else(|| id.to_string(), |o| title_en(o).to_string())
    }

    /// One sentence, in both languages, for why offer `id` did not apply.
    fn reason(&self, id: &str, r: &Reason) -> (String, String) {
        let zh = reason_text(&self.title(id), r, self.offer(id), &self.f, &|x| {
            self.title(x)
        });
        let en = reason_text(&self.title_en(id), r, self.offer(id), &self.f, &|x| {
            self.title_en(x)
        });
        (zh.0, en.1)
    }
}

/// The title English sentences use: `title_en`, else the title.
pub(crate) fn title_en(o: &Offer) -> &str {
    o.title_en.as_deref().unwrap_or(&o.title)
}

impl RuleSet {
    /// The explanation of a quote, in Chinese and English.
    pub fn explain_quote(&self, q: &Quote) -> Explanation {
        quote(&self.inner, q)
    }
}

/// Explains a quote: what applied and how much, what did not and why, then the totals.
pub(crate) fn quote(rules: &RuleSetData, q: &Quote) -> Explanation {
    let w = Words::new(rules);
    let f = &w.f;
    let mut e = Explanation::default();
    for a in &q.applied {
        let Some(o) = w.offer(&a.offer) else {
            continue;
        };
        // A group benefit that formed no group saves nothing: no "applied to 0 items".
        if a.amount == Money::ZERO && matches!(a.detail, Detail::Units { units: 0 }) {
            continue;
        }
        let t = &o.title;
        let te = title_en(o);
        let (zh, en) = match &a.detail {
            Detail::Threshold {
                base,
                units,
                reached,
            } => match reached {
                TierAt::Spend(at) => (
                    format!(
                        "{t}：{}合计{}，满{}，减{}。",
                        scope_zh(&o.scope),
                        f.zh(*base),
                        f.zh_short(*at),
                        f.zh(a.amount)
                    ),
                    format!(
                        "{te}: eligible items total {}, reaching {}: {} off.",
                        f.en(*base),
                        f.en(*at),
                        f.en(a.amount)
                    ),
                ),
                TierAt::Items(n) => (
                    format!(
                        "{t}：{}共{units}件，满{n}件，减{}。",
                        scope_zh(&o.scope),
                        f.zh(a.amount)
                    ),
                    format!(
                        "{te}: {units} eligible items, reaching {n} items: {} off.",
                        f.en(a.amount)
                    ),
                ),
            },
            Detail::EveryN {
                base,
                step,
                times,
                capped,
            } => {
                let cap = match (&o.benefit, capped) {
                    (Benefit::EveryN(EveryN { cap: Some(c), .. }), true) => (
                        format!("（封顶{}）", f.zh(*c)),
                        format!(" (capped at {})", f.en(*c)),
                    ),
                    _ => (String::new(), String::new()),
                };
                (
                    format!(
                        "{t}：{}合计{}，满{}{times}次，减{}{}。",
                        scope_zh(&o.scope),
                        f.zh(*base),
                        f.zh_short(*step),
                        f.zh(a.amount),
                        cap.0
                    ),
                    format!(
                        "{te}: eligible items total {}, {times} × {} reached: {} off{}.",
                        f.en(*base),
                        f.en(*step),
                        f.en(a.amount),
                        cap.1
                    ),
                )
            }
            Detail::Units { units } => (
                format!("{t}：{units}件商品共减{}。", f.zh(a.amount)),
                format!(
                    "{te}: {} off on {units} unit{}.",
                    f.en(a.amount),
                    if *units == 1 { "" } else { "s" }
                ),
            ),
            Detail::Shipping if a.amount == Money::ZERO => (
                format!("{t}：包邮（这单没有运费）。"),
                format!("{te}: free shipping (this order has no shipping fee)."),
            ),
            Detail::Shipping => (
                format!("{t}：免运费，省{}。", f.zh(a.amount)),
                format!("{te}: free shipping, {} saved.", f.en(a.amount)),
            ),
            Detail::Gift => {
                let gift = match &o.benefit {
                    Benefit::Gift(Gift { gift, .. }) => gift.as_str(),
                    _ => "",
                };
                (
                    format!("{t}：赠送{gift}。"),
                    format!("{te}: free gift {gift}."),
                )
            }
        };
        e.push(zh, en);
        if a.clamped {
            e.push(
                format!("{t}：优惠超过商品剩余金额，只减{}。", f.zh(a.amount)),
                format!(
                    "{te}: the discount was limited to what remained of the price, {}.",
                    f.en(a.amount)
                ),
            );
        }
    }
    for na in q.not_applied.iter().filter(|na| {
        // A selected coupon is always answered; an activity only when it touches the cart.
        na.in_cart
            || w.offer(&na.offer)
                .is_some_and(|o| o.kind == OfferKind::Coupon)
    }) {
        let (zh, en) = match (&na.reason, &na.taken_by) {
            // Name why the base is smaller than the cart (an exclusive item, say), not only
            // a shortfall that looks absurd next to the cart's total.
            (
                Reason::ThresholdNotMet {
                    shortfall,
                    next_benefit,
                },
                Some(taken),
            ) => {
                let (t, xt) = (w.title(&na.offer), w.title(&taken.offer));
                let (te, xte) = (w.title_en(&na.offer), w.title_en(&taken.offer));
                let (rz, re) = rule_words(taken.rule);
                let (short_zh, short_en) = match shortfall {
                    Shortfall::Amount(m) => (f.zh(*m), f.en(*m)),
                    Shortfall::Items(n) => (format!("{n}件"), format!("{n} item(s)")),
                };
                (
                    format!("{t}：部分商品已用于{xt}（{rz}），不能同时参加；其余商品还差{short_zh}可享{next_benefit}。"),
                    format!("{te}: some items went to {xte} ({re}) and cannot count as well; the other items are {short_en} short of it."),
                )
            }
            _ => w.reason(&na.offer, &na.reason),
        };
        e.push(zh, en);
    }
    if let Some(p) = &q.presale {
        e.push(
            format!("预售：定金{}，尾款{}。", f.zh(p.deposit), f.zh(p.balance)),
            format!(
                "Presale: deposit {}, balance {}.",
                f.en(p.deposit),
                f.en(p.balance)
            ),
        );
    }
    e.push(
        format!(
            "商品原价{}，共优惠{}，运费{}，应付{}。",
            f.zh(q.original),
            f.zh(q.discount),
            f.zh(q.shipping),
            f.zh(q.payable)
        ),
        format!(
            "Original price {}, {} off, shipping {}, you pay {}.",
            f.en(q.original),
            f.en(q.discount),
            f.en(q.shipping),
            f.en(q.payable)
        ),
    );
    e
}

/// One sentence for a reason.
pub(crate) fn reason_text(
    t: &str,
    r: &Reason,
    offer: Option<&Offer>,
    f: &Fmt<'_>,
    title: &dyn Fn(&str) -> String,
) -> (String, String) {
    let benefit = offer.map(|o| &o.benefit);
    match r {
        Reason::NotStarted { starts } => (
            format!("{t}：尚未开始，{}开始。", clock_text(starts)),
            format!("{t}: not started yet; it starts at {}.", clock_text(starts)),
        ),
        Reason::Ended { ended } => (
            format!("{t}：已于{}结束。", clock_text(ended)),
            format!("{t}: it ended at {}.", clock_text(ended)),
        ),
        Reason::Audience { predicate } => {
            let (zh, en) = match offer.and_then(|o| o.audience.as_ref()) {
                Some(p) => (predicate_zh(p), predicate_en(p)),
                None => (predicate.clone(), predicate.clone()),
            };
            (
                format!("{t}：仅限{zh}参与。"),
                format!("{t}: only for {en}."),
            )
        }
        Reason::LimitReached { limit } => (
            format!("{t}：已达到每人限额{limit}。"),
            format!("{t}: the per-customer limit of {limit} is reached."),
        ),
        Reason::SoldOut => (format!("{t}：已售罄。"), format!("{t}: sold out.")),
        Reason::NoLineInScope => (
            format!("{t}：购物车里没有参加该活动的商品。"),
            format!("{t}: no item in the cart qualifies."),
        ),
        Reason::ThresholdNotMet {
            shortfall,
            next_benefit,
        } => {
            let en_benefit = benefit
                .map(|b| benefit_en(b, f))
                .unwrap_or_else(|| next_benefit.clone());
            match shortfall {
                Shortfall::Amount(m) => (
                    format!("{t}：还差{}可享{next_benefit}。", f.zh(*m)),
                    format!("{t}: add {} more to get {en_benefit}.", f.en(*m)),
                ),
                Shortfall::Items(n) => (
                    format!("{t}：还差{n}件可享{next_benefit}。"),
                    format!(
                        "{t}: add {n} more item{} to get {en_benefit}.",
                        if *n == 1 { "" } else { "s" }
                    ),
                ),
            }
        }
        Reason::NotHeld => (
            format!("{t}：您没有这张券。"),
            format!("{t}: you do not hold this coupon."),
        ),
        Reason::Conflict { with, rule } => {
            let (rz, re) = rule_words(*rule);
            let w = title(with);
            // Not "the cheaper one": a tie is decided by priority, offer count or order.
            (
                format!("{t}：与{w}不能用在同一商品上（{rz}）。"),
                format!("{t}: cannot apply to the same items as {w} ({re})."),
            )
        }
        Reason::GroupFailed => (
            format!("{t}：拼团未成功，不享受拼团价。"),
            format!("{t}: the group did not form, so the group price does not apply."),
        ),
        Reason::AddsNothing {
            costs_more: Some(more),
            shrinks,
        } => {
            let (zh_why, en_why) = match shrinks {
                Some(o) => {
                    let w = title(o);
                    (format!("（{w}会少减）"), format!(" ({w} would give less)"))
                }
                None => (String::new(), String::new()),
            };
            (
                format!("{t}：用了反而多付{}{zh_why}，不推荐使用。", f.zh(*more)),
                format!("{t}: using it would cost {} more{en_why}.", f.en(*more)),
            )
        }
        Reason::AddsNothing { .. } => (
            format!("{t}：加上这张券不会更便宜，不推荐使用。"),
            format!("{t}: adding it would not lower the price."),
        ),
    }
}

/// Explains a `can_stack` answer.
pub(crate) fn stacking(rules: &RuleSetData, a: &Offer, b: &Offer, s: &Stacking) -> Explanation {
    let w = Words::new(rules);
    let (ta, tb) = (&a.title, &b.title);
    let (tae, tbe) = (title_en(a), title_en(b));
    let mut e = Explanation::default();
    let (zh, en) = match s.rule {
        StackRule::Ok => (
            format!("{ta}和{tb}可以叠加使用。"),
            format!("{tae} and {tbe} can be used together."),
        ),
        StackRule::Excludes => (
            format!("{ta}和{tb}互斥，不能同时使用。"),
            format!("{tae} and {tbe} exclude each other and cannot be used together."),
        ),
        StackRule::Exclusive => {
            let (ex, exe) = if a.exclusive { (ta, tae) } else { (tb, tbe) };
            (
                format!("{ex}是独享优惠，不能与其他优惠叠加在同一商品上。"),
                format!("{exe} is exclusive: no other offer may apply to the same items."),
            )
        }
        StackRule::OnlyWith => {
            // The one whose `only_with` list leaves the other out.
            let ((x, xe), (y, ye)) = match &a.only_with_ids {
                Some(list) if !list.contains(&b.id) => ((ta, tae), (tb, tbe)),
                _ => ((tb, tbe), (ta, tae)),
            };
            (
                format!("{ta}和{tb}不能叠加：{x}只能与指定的优惠叠加，不包括{y}。"),
                format!("{tae} and {tbe} cannot stack: {xe} only stacks with named offers, and {ye} is not one of them."),
            )
        }
        StackRule::StageMax => (
            format!("{ta}和{tb}属于同一类优惠，同一商品只能享受其中之一。"),
            format!(
                "{tae} and {tbe} are the same kind of offer: only one of them may apply to an item."
            ),
        ),
    };
    e.push(zh, en);
    match (&s.both_apply, &s.why_not) {
        (Some(true), _) => e.push(
            "按这个购物车，两者都会生效。".into(),
            "With this cart, both apply.".into(),
        ),
        (Some(false), Some(WhyNot::DisjointScopes)) => e.push(
            "按这个购物车，两者没有共同适用的商品。".into(),
            "With this cart, no item is covered by both.".into(),
        ),
        (Some(false), Some(WhyNot::NotApplied { offer, reason })) => {
            let (zh, en) = w.reason(offer, reason);
            e.push(
                format!("按这个购物车，{zh}"),
                format!("With this cart: {en}"),
            );
        }
        _ => {}
    }
    e
}

/// Explains an eligibility answer.
pub(crate) fn eligibility(rules: &RuleSetData, el: &Eligibility) -> Explanation {
    let w = Words::new(rules);
    let t = w.title(&el.offer);
    let te = w.title_en(&el.offer);
    let mut e = Explanation::default();
    match &el.reason {
        None => e.push(
            format!("{t}：符合条件，可以使用。"),
            format!("{te}: eligible."),
        ),
        Some(r) => {
            let (zh, en) = w.reason(&el.offer, r);
            e.push(zh, en);
        }
    }
    e
}

/// Explains a `best` answer: the selection, then the quote, then why the rest were not
/// chosen.
pub(crate) fn best(rules: &RuleSetData, b: &Best) -> Explanation {
    let w = Words::new(rules);
    let f = &w.f;
    let mut e = Explanation::default();
    if b.coupons.is_empty() {
        e.push(
            format!("不用券最划算，应付{}。", f.zh(b.quote.payable)),
            format!(
                "The best choice is to use no coupon: you pay {}.",
                f.en(b.quote.payable)
            ),
        );
    } else {
        let names: Vec<String> = b.coupons.iter().map(|c| w.title(c)).collect();
        let names_en: Vec<String> = b.coupons.iter().map(|c| w.title_en(c)).collect();
        e.push(
            format!(
                "最划算的组合：使用{}，应付{}。",
                names.join("、"),
                f.zh(b.quote.payable)
            ),
            format!(
                "Best choice: use {}; you pay {}.",
                names_en.join(", "),
                f.en(b.quote.payable)
            ),
        );
    }
    let q = quote(rules, &b.quote);
    e.zh.extend(q.zh);
    e.en.extend(q.en);
    for n in &b.not_chosen {
        let (zh, en) = w.reason(&n.coupon, &n.reason);
        e.push(zh, en);
    }
    e
}

/// Explains a `gap` answer.
pub(crate) fn gap(rules: &RuleSetData, g: &crate::queries::gap::Gap) -> Explanation {
    let w = Words::new(rules);
    let f = &w.f;
    let mut e = Explanation::default();
    let s = &g.step;
    if s.offer.is_empty() {
        e.push(
            "购物车里没有还能凑单的优惠。".into(),
            "No offer in this cart has a next step.".into(),
        );
        return e;
    }
    let t = w.title(&s.offer);
    let te = w.title_en(&s.offer);
    if let Some(r) = &s.reason {
        let (zh, en) = w.reason(&s.offer, r);
        e.push(zh, en);
        return e;
    }
    let extra = s.extra_discount.unwrap_or(Money::ZERO);
    // What the step gives, in words: free shipping and gifts are not "0.00 more off".
    let gives = match w.offer(&s.offer).map(|o| &o.benefit) {
        Some(Benefit::FreeShipping(FreeShipping { .. })) if extra == Money::ZERO => Some((
            "可享包邮（这单没有运费）".to_string(),
            "to get free shipping (this order has no shipping fee)".to_string(),
        )),
        Some(Benefit::FreeShipping(FreeShipping { .. })) => Some((
            format!("可免运费{}", f.zh(extra)),
            format!("to save the {} shipping fee", f.en(extra)),
        )),
        Some(Benefit::Gift(Gift { gift, .. })) => {
            Some((format!("可获赠{gift}"), format!("to get a free {gift}")))
        }
        _ => None,
    };
    if let (Some((zh, en)), Some(short)) = (gives, s.shortfall) {
        let (more_zh, more_en) = match short {
            Shortfall::Amount(m) => (f.zh(m), format!("Spend {} more", f.en(m))),
            Shortfall::Items(n) => (
                format!("{n}件"),
                format!("Buy {n} more item{}", if n == 1 { "" } else { "s" }),
            ),
        };
        e.push(
            format!("再买{more_zh}，{zh}（{t}）。"),
            format!("{more_en} {en} ({te})."),
        );
        return e;
    }
    match s.shortfall {
        Some(Shortfall::Amount(m)) => e.push(
            format!("再买{}，可多减{}（{t}）。", f.zh(m), f.zh(extra)),
            format!(
                "Spend {} more to save {} more ({te}).",
                f.en(m),
                f.en(extra)
            ),
        ),
        Some(Shortfall::Items(n)) => e.push(
            format!("再买{n}件，可多减{}（{t}）。", f.zh(extra)),
            format!(
                "Buy {n} more item{} to save {} more ({te}).",
                if n == 1 { "" } else { "s" },
                f.en(extra)
            ),
        ),
        None => e.push(
            format!("{t}：已经是最高档，没有下一档了。"),
            format!("{te}: already at its top step; there is no next one."),
        ),
    }
    e
}

/// Explains a `refund` answer.
pub(crate) fn refund(rules: &RuleSetData, r: &crate::queries::refund::Refund) -> Explanation {
    let w = Words::new(rules);
    let f = &w.f;
    let mut e = Explanation::default();
    match r.rule {
        Some(RefundRule::GroupFailed) => e.push(
            format!("拼团未成功，全额退款{}。", f.zh(r.refund)),
            format!(
                "The group did not form: the full {} is refunded.",
                f.en(r.refund)
            ),
        ),
        Some(RefundRule::DepositKept) => e.push(
            "尾款未支付，定金不退。".into(),
            "The balance was never paid, so the deposit is not refunded.".into(),
        ),
        None if r.whole_order => e.push(
            format!("全部退货，可退{}。", f.zh(r.refund)),
            format!(
                "The whole order is returned: {} is refunded.",
                f.en(r.refund)
            ),
        ),
        None => {
            let how = match r.policy {
                crate::lang::ast::RefundPolicy::Apportioned => {
                    ("按实付分摊计算", "by what the returned items paid")
                }
                crate::lang::ast::RefundPolicy::Recompute => {
                    ("按剩余商品重新计价", "by pricing the remaining items again")
                }
            };
            e.push(
                format!("可退{}（{}）。", f.zh(r.refund), how.0),
                format!("Refund {} ({}).", f.en(r.refund), how.1),
            );
            if r.refund == Money::ZERO {
                e.push(
                    zero_refund_why(r.policy).0.into(),
                    zero_refund_why(r.policy).1.into(),
                );
            }
        }
    }
    // A whole return loses every offer with the order: nothing worth a sentence each.
    if r.whole_order {
        return e;
    }
    for l in &r.lost {
        let t = w.title(&l.offer);
        let te = w.title_en(&l.offer);
        // Why the remaining items lost it, without inviting the customer to buy more.
        let (zh, en) = match &l.reason {
            Reason::ThresholdNotMet { next_benefit, .. } => (
                format!("剩余商品不再满足{next_benefit}的条件。"),
                "The remaining items no longer reach its threshold.".to_string(),
            ),
            Reason::NoLineInScope => (
                "剩余商品中没有参加该优惠的商品。".to_string(),
                "No remaining item qualifies for it.".to_string(),
            ),
            other => w.reason(&l.offer, other),
        };
        e.push(
            format!("退货后不再享受{t}（原优惠{}）。{zh}", f.zh(l.amount)),
            format!(
                "After the return, {te} no longer applies (it gave {}). {en}",
                f.en(l.amount)
            ),
        );
    }
    e
}

/// Why a refund is 0.00 (no special rule decided it).
pub(crate) fn zero_refund_why(
    policy: crate::lang::ast::RefundPolicy,
) -> (&'static str, &'static str) {
    match policy {
        crate::lang::ast::RefundPolicy::Apportioned => (
            "退回的商品在优惠分摊后实付0.00元，所以没有可退的钱。",
            "The returned items paid nothing after their share of the discounts, so nothing is refunded.",
        ),
        crate::lang::ast::RefundPolicy::Recompute => (
            "退货后剩余商品失去的优惠不少于退回商品的实付，所以没有可退的钱。",
            "The discounts the remaining items lose are at least what the returned items paid, so nothing is refunded.",
        ),
    }
}

/// Explains an `equivalent` answer.
pub(crate) fn equivalent(
    rules: &RuleSetData,
    a: &str,
    b: &str,
    q: &crate::queries::equivalent::Equivalence,
) -> Explanation {
    let w = Words::new(rules);
    let f = &w.f;
    let mut e = Explanation::default();
    // Offers by their titles (a customer never sees IDs); phrases as written.
    let (a_zh, b_zh) = (w.title(a), w.title(b));
    let (a_en, b_en) = (w.title_en(a), w.title_en(b));
    if w.offer(a).is_some() && w.offer(a).map(|o| &o.id) == w.offer(b).map(|o| &o.id) {
        e.push(
            format!("{a_zh}和{b_zh}是同一个优惠。"),
            format!("{a_en} and {b_en} are the same offer."),
        );
        return e;
    }
    match &q.counterexample {
        None => e.push(
            format!("{a_zh}和{b_zh}在任何购物车上价格都一样。"),
            format!("{a_en} and {b_en} give the same price on every cart."),
        ),
        Some(c) => {
            let items: Vec<String> = c
                .cart
                .lines
                .iter()
                .map(|l| format!("{}件单价{}", l.qty, f.zh(l.price)))
                .collect();
            let items_en: Vec<String> = c
                .cart
                .lines
                .iter()
                .map(|l| format!("{} × {}", l.qty, f.en(l.price)))
                .collect();
            e.push(
                format!(
                    "{a_zh}和{b_zh}不一样：比如购买{}的商品，前者应付{}，后者应付{}。",
                    items.join("、"),
                    f.zh(c.a_payable),
                    f.zh(c.b_payable)
                ),
                format!(
                    "{a_en} and {b_en} differ: for {}, the first pays {} and the second {}.",
                    items_en.join(" and "),
                    f.en(c.a_payable),
                    f.en(c.b_payable)
                ),
            );
        }
    }
    e
}
