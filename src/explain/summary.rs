//! The one-sentence headline of every answer (`summary`), errors included: what a bot sends
//! first. The detail stays in [`Explanation`]; where its first sentence already is the
//! headline (eligibility, gap, equivalent), the summary is that sentence, not a copy of
//! its template.

use serde::Serialize;

use super::{Explanation, Words};
use crate::answer::{Best, Eligibility, Quote, Reason, StackRule, Stacking, WhyNot};
use crate::error::{Error, EvalError};
use crate::lang::ast::OfferKind;
use crate::money::Money;
use crate::rules::ir::{Offer, RuleSetData};

/// One sentence in Chinese and English that a bot can send as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Summary {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

impl Summary {
    fn new(zh: String, en: String) -> Self {
        Summary { zh, en }
    }

    /// The first sentence of an explanation (its headline).
    pub(crate) fn first_of(e: &Explanation) -> Self {
        Summary {
            zh: e.zh.first().cloned().unwrap_or_default(),
            en: e.en.first().cloned().unwrap_or_default(),
        }
    }
}

/// `应付588.00元（含运费10.00元），共优惠220.00元。`
pub(crate) fn quote(rules: &RuleSetData, q: &Quote) -> Summary {
    let w = Words::new(rules);
    let f = &w.f;
    let (mut zh, mut en) = (
        format!("应付{}", f.zh(q.payable)),
        format!("You pay {}", f.en(q.payable)),
    );
    match &q.presale {
        Some(p) => {
            zh += &format!("（定金{}，尾款{}）", f.zh(p.deposit), f.zh(p.balance));
            en += &format!(
                " (deposit {}, balance {})",
                f.en(p.deposit),
                f.en(p.balance)
            );
        }
        None if q.shipping > Money::ZERO => {
            zh += &format!("（含运费{}）", f.zh(q.shipping));
            en += &format!(" (shipping {} included)", f.en(q.shipping));
        }
        None => {}
    }
    if q.discount > Money::ZERO {
        zh += &format!("，共优惠{}", f.zh(q.discount));
        en += &format!(", saving {}", f.en(q.discount));
    } else if q.applied.is_empty() {
        zh += "，这个购物车没有可用的优惠";
        en += "; no offer applies to this cart";
    }
    // Free shipping and gifts: `, with free shipping and a free 运动毛巾`.
    let mut extras_zh: Vec<String> = Vec::new();
    let mut extras_en: Vec<String> = Vec::new();
    if q.shipping_before > q.shipping {
        extras_zh.push("已免运费".into());
        extras_en.push("free shipping".into());
    }
    for g in &q.gifts {
        extras_zh.push(format!("赠送{}", g.gift));
        extras_en.push(format!("a free {}", g.gift));
    }
    if !extras_zh.is_empty() {
        zh += &format!("，{}", extras_zh.join("，"));
        en += &format!(
            "{} with {}",
            if q.discount > Money::ZERO { "," } else { "" },
            join_en(&extras_en)
        );
    }
    // A coupon the customer chose that did not apply is part of the headline.
    let missed: Vec<&str> = q
        .not_applied
        .iter()
        .filter(|n| {
            w.offer(&n.offer)
                .is_some_and(|o| o.kind == OfferKind::Coupon)
        })
        .map(|n| n.offer.as_str())
        .collect();
    if let Some(first) = missed.first() {
        let (t, te) = (w.title(first), w.title_en(first));
        if missed.len() == 1 {
            zh += &format!("；{t}未能使用");
            en += &format!("; {te} could not be used");
        } else {
            zh += &format!("；{t}等{}张券未能使用", missed.len());
            en += &format!("; {te} and {} more could not be used", missed.len() - 1);
        }
    }
    Summary::new(zh + "。", en + ".")
}

/// `用店铺20元券、平台券最划算：应付…`
pub(crate) fn best(rules: &RuleSetData, b: &Best) -> Summary {
    let w = Words::new(rules);
    let q = quote(rules, &b.quote);
    let names: Vec<String> = b.coupons.iter().map(|c| w.title(c)).collect();
    let names_en: Vec<String> = b.coupons.iter().map(|c| w.title_en(c)).collect();
    // A coupon the customer may expect to help but that would raise the price.
    let (warn_zh, warn_en) = match b.not_chosen.iter().find_map(|n| match &n.reason {
        Reason::AddsNothing {
            costs_more: Some(m),
            ..
        } => Some((w.title(&n.coupon), w.title_en(&n.coupon), *m)),
        _ => None,
    }) {
        Some((t, te, m)) => (
            format!("（用{t}反而多付{}）", w.f.zh(m)),
            format!(" (using {te} would cost {} more)", w.f.en(m)),
        ),
        None => (String::new(), String::new()),
    };
    let q = Summary::new(
        q.zh.trim_end_matches('。').to_string() + &warn_zh + "。",
        q.en.trim_end_matches('.').to_string() + &warn_en + ".",
    );
    if b.coupons.is_empty() {
        // "No coupon is best" only when one could have been used; otherwise say why not.
        let usable = b.not_chosen.iter().any(|n| {
            matches!(
                n.reason,
                Reason::AddsNothing { .. } | Reason::Conflict { .. }
            )
        });
        let (lead_zh, lead_en) = if b.not_chosen.is_empty() {
            ("没有可用的券", "No coupon to use")
        } else if usable {
            ("不用券最划算", "Best to use no coupon")
        } else {
            (
                "这些券这单都用不上",
                "None of these coupons applies to this order",
            )
        };
        return Summary::new(
            format!("{lead_zh}：{}", q.zh),
            format!("{lead_en}: {}", lower_first(&q.en)),
        );
    }
    Summary::new(
        format!("用{}最划算：{}", names.join("、"), q.zh),
        format!("Use {}: {}", join_en(&names_en), lower_first(&q.en)),
    )
}

/// `A`, `A and B`, `A, B and C`.
pub(crate) fn join_en(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `You pay` → `you pay` after a colon.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The verdict and its rule: `店铺券和平台券不能叠加：两者互斥。`
pub(crate) fn stacking(oa: &Offer, ob: &Offer, s: &Stacking) -> Summary {
    let (a, b) = (&oa.title, &ob.title);
    let (ae, be) = (super::title_en(oa), super::title_en(ob));
    let x = if oa.exclusive { oa } else { ob };
    let (exclusive, exclusive_en) = (&x.title, super::title_en(x));
    if oa.id == ob.id {
        return Summary::new(
            format!("{a}是同一个优惠，一单只用一次。"),
            format!("{ae} is one offer; it applies once per order."),
        );
    }
    let (mut zh, mut en) = if s.stack {
        (
            format!("{a}和{b}可以叠加"),
            format!("{ae} and {be} can be used together"),
        )
    } else {
        let (why_zh, why_en) = match s.rule {
            StackRule::Excludes => (
                "两者互斥".to_string(),
                "they exclude each other".to_string(),
            ),
            StackRule::Exclusive => (
                format!("{exclusive}是独享优惠"),
                format!("{exclusive_en} is exclusive"),
            ),
            StackRule::OnlyWith => (
                "其中一个只能与指定的优惠叠加".to_string(),
                "one of them only stacks with named offers".to_string(),
            ),
            StackRule::StageMax | StackRule::Ok => (
                "同一商品只能享受其中之一".to_string(),
                "only one of them may apply to an item".to_string(),
            ),
        };
        (
            format!("{a}和{b}不能叠加：{why_zh}"),
            format!("{ae} and {be} cannot be used together: {why_en}"),
        )
    };
    match (s.stack, s.both_apply, &s.why_not) {
        (true, Some(true), _) => {
            zh += "，这个购物车两者都会生效";
            en += ", and on this cart both apply";
        }
        (true, Some(false), Some(WhyNot::DisjointScopes)) => {
            zh += "，但这个购物车里没有两者都适用的商品";
            en += ", but no item in this cart is covered by both";
        }
        (true, Some(false), _) => {
            zh += "，但这个购物车上两者不会同时生效";
            en += ", but on this cart they do not both apply";
        }
        _ => {}
    }
    Summary::new(zh + "。", en + ".")
}

/// `可退349.00元，退货后不再享受店铺满减。`
pub(crate) fn refund(
    rules: &RuleSetData,
    r: &crate::queries::refund::Refund,
    e: &Explanation,
) -> Summary {
    if r.rule.is_some() || r.whole_order {
        return Summary::first_of(e);
    }
    let w = Words::new(rules);
    let f = &w.f;
    if r.refund == Money::ZERO {
        let (zh, en) = super::zero_refund_why(r.policy);
        return Summary::new(
            format!("可退{}：{zh}", f.zh(r.refund)),
            format!("You get {} back: {}", f.en(r.refund), lower_first(en)),
        );
    }
    // What the remaining items lose: not a discount that leaves with the returned item
    // itself (`no_line_in_scope`), nor a gift worth 0.00.
    let losing = || {
        r.lost
            .iter()
            .filter(|l| l.amount > Money::ZERO && l.reason != Reason::NoLineInScope)
    };
    let lost: Vec<String> = losing().map(|l| w.title(&l.offer)).collect();
    let lost_en: Vec<String> = losing().map(|l| w.title_en(&l.offer)).collect();
    if lost.is_empty() {
        return Summary::new(
            format!("可退{}。", f.zh(r.refund)),
            format!("You get {} back.", f.en(r.refund)),
        );
    }
    Summary::new(
        format!(
            "可退{}，退货后不再享受{}。",
            f.zh(r.refund),
            lost.join("、")
        ),
        format!(
            "You get {} back; after the return {} no longer {}.",
            f.en(r.refund),
            join_en(&lost_en),
            if lost.len() == 1 { "applies" } else { "apply" }
        ),
    )
}

/// The verdict first: `店铺券不能使用：仅限会员等级不低于2级参与。` (the reason's sentence
/// without its title prefix).
pub(crate) fn eligibility(rules: &RuleSetData, el: &Eligibility, e: &Explanation) -> Summary {
    let w = Words::new(rules);
    let (t, te) = (w.title(&el.offer), w.title_en(&el.offer));
    let first = Summary::first_of(e);
    if el.eligible {
        return Summary::new(format!("可以使用{t}。"), format!("You can use {te}."));
    }
    let zh = first
        .zh
        .strip_prefix(&format!("{t}："))
        .unwrap_or(&first.zh);
    let en = first
        .en
        .strip_prefix(&format!("{te}: "))
        .unwrap_or(&first.en);
    Summary::new(
        format!("{t}不能使用：{zh}"),
        format!("{te} cannot be used: {en}"),
    )
}

/// `共5个优惠：3个活动、2张券。`
pub(crate) fn offers(activities: usize, coupons: usize) -> Summary {
    let n = activities + coupons;
    Summary::new(
        format!("共{n}个优惠：{activities}个活动、{coupons}张券。"),
        format!(
            "{n} offer{}: {activities} activit{} and {coupons} coupon{}.",
            if n == 1 { "" } else { "s" },
            if activities == 1 { "y" } else { "ies" },
            if coupons == 1 { "" } else { "s" }
        ),
    )
}

/// A customer-safe sentence for an error: no request text is repeated, only offer titles
/// the merchant wrote.
pub(crate) fn error(rules: &RuleSetData, e: &Error) -> Summary {
    let w = Words::new(rules);
    match e {
        Error::Eval(EvalError::UnknownOffer { suggestions, .. }) => match suggestions.first() {
            Some(s) => Summary::new(
                format!("抱歉，没有找到这个优惠，您是想问{}吗？", s.title),
                format!("Sorry, that offer was not found; did you mean {}?", s.title),
            ),
            None => code("unknown_offer"),
        },
        Error::Eval(EvalError::Conflict { a, b, .. }) => {
            let (ta, tb) = (w.title(a), w.title(b));
            let (tae, tbe) = (w.title_en(a), w.title_en(b));
            Summary::new(
                format!("{ta}和{tb}不能同时使用，请选择其中一张。"),
                format!("{tae} and {tbe} cannot be used together; please choose one."),
            )
        }
        Error::Eval(ev) => code(ev.code()),
        Error::Rules(_) => code("rules"),
    }
}

/// The sentence for an error code.
pub(crate) fn code(code: &str) -> Summary {
    let (zh, en) = match code {
        "unknown_offer" => (
            "抱歉，没有找到这个优惠。",
            "Sorry, that offer was not found.",
        ),
        "conflict" => (
            "所选的券不能同时使用，请选择其中一张。",
            "The selected coupons cannot be used together; please choose one.",
        ),
        "budget_exceeded" => (
            "抱歉，可选的组合太多，暂时无法算出结果，请减少券或商品后再试。",
            "Sorry, there are too many combinations to answer in time; please try with fewer coupons or items.",
        ),
        "order_mismatch" => (
            "订单信息与下单时的记录不一致，无法计算退款，请联系人工客服。",
            "The order does not match what was recorded at checkout, so no refund was computed; please contact customer service.",
        ),
        "overflow" => (
            "抱歉，金额超出了可计算的范围。",
            "Sorry, the amounts are too large to compute.",
        ),
        "rules" | "no_rules" => (
            "抱歉，优惠规则暂时不可用，请稍后再试。",
            "Sorry, the promotion rules are not available right now; please try again later.",
        ),
        _ => (
            "抱歉，这个问题暂时无法回答（请求的内容有误）。",
            "Sorry, this question could not be answered (the request was not valid).",
        ),
    };
    Summary::new(zh.into(), en.into())
}
