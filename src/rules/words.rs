//! Phrases the explanations are built from: benefits, rates and scopes as promotion pages
//! write them, rules, times and `audience` conditions in words.

use crate::lang::ast::{CmpOp, Dim, StackRule};
use crate::money::{Money, Rate};
use crate::rules::ir::*;

/// `8折`, `95折`, `半价`, `免费` for a rate off.
pub(crate) fn rate_zh(r: Rate) -> String {
    let pay = 10_000 - r.0;
    match pay {
        0 => "免费".into(),
        5_000 => "半价".into(),
        p if p % 1000 == 0 => format!("{}折", p / 1000),
        p if p % 100 == 0 => format!("{}折", p / 100),
        p => format!("{}折", Rate(p).percent()),
    }
}

pub(crate) fn amount_zh(m: Money) -> String {
    crate::rules::canonical::amount_text(m)
}

/// A benefit as Chinese promotion pages write it (`每满300减50 封顶150`). With `next`, the
/// cap is left out (the phrase names what the next step gives).
pub(crate) fn benefit_zh(b: &Benefit, next: bool) -> String {
    let a = |m: &Money| amount_zh(*m);
    match b {
        Benefit::Tiered(Tiered { tiers }) => {
            let tier = |t: &Tier| {
                let at = match t.at {
                    TierAt::Spend(m) => a(&m),
                    TierAt::Items(n) => format!("{n}件"),
                };
                match t.reward {
                    Reward::Off(m) => format!("满{at}减{}", a(&m)),
                    Reward::PctOff(r) => format!("满{at}打{}", rate_zh(r)),
                }
            };
            if next {
                tiers.first().map(tier).unwrap_or_default()
            } else {
                tiers.iter().map(tier).collect::<Vec<_>>().join(" / ")
            }
        }
        Benefit::EveryN(EveryN { step, off, cap }) => match cap.filter(|_| !next) {
            Some(c) => format!("每满{}减{} 封顶{}", a(step), a(off), a(&c)),
            None => format!("每满{}减{}", a(step), a(off)),
        },
        Benefit::PctOff(PctOff { rate }) => rate_zh(*rate),
        Benefit::UnitOff(UnitOff { off }) => format!("直降{}", a(off)),
        Benefit::UnitPrice(UnitPrice { price }) => format!("特价{}", a(price)),
        Benefit::Nth(Nth { n, rate }) => format!("第{n}件{}", rate_zh(*rate)),
        Benefit::BuyGet(BuyGet { buy, get }) => format!("买{buy}送{get}"),
        Benefit::Bundle(Bundle { n, price }) => format!("{n}件{}元", a(price)),
        Benefit::FreeShipping(FreeShipping { spend }) => match spend {
            Some(s) => format!("满{}包邮", a(s)),
            None => "包邮".into(),
        },
        Benefit::Gift(Gift { spend, gift }) => match spend {
            Some(s) => format!("满{}赠{gift}", a(s)),
            None => format!("赠{gift}"),
        },
        Benefit::Deposit(Deposit { deposit, worth }) => format!("定金{}抵{}", a(deposit), a(worth)),
        Benefit::GroupBuy(GroupBuy { price, size }) => format!("拼团价{} {size}人团", a(price)),
    }
}

/// The next step of a benefit in plain English (`¥50.00 off every ¥300.00`).
pub(crate) fn benefit_en(b: &Benefit, f: &Fmt<'_>) -> String {
    match b {
        Benefit::Tiered(Tiered { tiers }) => match tiers.first() {
            Some(t) => {
                let at = match t.at {
                    TierAt::Spend(m) => format!("when you spend {}", f.en(m)),
                    TierAt::Items(n) => format!("when you buy {n} items"),
                };
                match t.reward {
                    Reward::Off(m) => format!("{} off {at}", f.en(m)),
                    Reward::PctOff(r) => format!("{}% off {at}", r.percent()),
                }
            }
            None => String::new(),
        },
        Benefit::EveryN(EveryN { step, off, .. }) => {
            format!("{} off every {}", f.en(*off), f.en(*step))
        }
        Benefit::FreeShipping(FreeShipping { spend: Some(s) }) => {
            format!("free shipping over {}", f.en(*s))
        }
        Benefit::Gift(Gift {
            spend: Some(s),
            gift,
        }) => format!("a free {gift} over {}", f.en(*s)),
        Benefit::FreeShipping(FreeShipping { spend: None }) => "free shipping".into(),
        Benefit::Gift(Gift { spend: None, gift }) => format!("a free {gift}"),
        Benefit::PctOff(PctOff { rate }) => format!("{}% off", rate.percent()),
        Benefit::UnitOff(UnitOff { off }) => format!("{} off each item", f.en(*off)),
        Benefit::UnitPrice(UnitPrice { price }) => format!("a price of {} each", f.en(*price)),
        Benefit::Nth(Nth { n, rate }) => match rate.percent().to_string().as_str() {
            "100" => format!("the {} item free", ordinal(*n)),
            p => format!("{p}% off the {} item", ordinal(*n)),
        },
        Benefit::BuyGet(BuyGet { buy, get }) => format!("buy {buy} get {get} free"),
        Benefit::Bundle(Bundle { n, price }) => format!("{n} items for {}", f.en(*price)),
        Benefit::Deposit(Deposit { deposit, worth }) => {
            format!("a deposit of {} worth {}", f.en(*deposit), f.en(*worth))
        }
        Benefit::GroupBuy(GroupBuy { price, size }) => {
            format!("the group price {} ({size} people)", f.en(*price))
        }
    }
}

/// `1st`, `2nd`, `3rd`, `4th`, ... `11th`, `12th`, `13th`, `21st`.
pub(crate) fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

pub(crate) fn scope_zh(s: &Scope) -> &'static str {
    match s.include.as_deref() {
        None => "商品",
        Some([t]) => match t.dim {
            Dim::Shop => "店铺商品",
            Dim::Category => "该品类商品",
            Dim::Sku => "指定商品",
            Dim::Tag => "活动商品",
        },
        Some(_) => "适用商品",
    }
}

pub(crate) fn rule_words(rule: StackRule) -> (&'static str, &'static str) {
    match rule {
        StackRule::Excludes => ("互斥", "they exclude each other"),
        StackRule::Exclusive => ("独享优惠", "an exclusive offer"),
        StackRule::OnlyWith => ("仅可与指定优惠叠加", "it only stacks with named offers"),
        StackRule::StageMax => (
            "同类优惠数量已达上限",
            "only so many offers of this kind may apply to one item",
        ),
        StackRule::Ok => ("可以叠加", "they stack"),
    }
}

/// An RFC 3339 time as a shopper reads it, in the rule set's own timezone:
/// `2026-11-11T00:59:59+08:00` → `2026-11-11 00:59:59`.
/// Outside +08:00 the offset is said (`2026-11-11 00:59:59 UTC+09:00`), so a shopper in
/// Beijing is not misled by a Tokyo shop's clock.
pub(crate) fn clock_text(rfc: &str) -> String {
    match (rfc.get(..19), rfc.get(19..)) {
        (Some(clock), Some("+08:00")) => clock.replacen('T', " ", 1),
        (Some(clock), Some("+00:00" | "Z")) => format!("{} UTC", clock.replacen('T', " ", 1)),
        (Some(clock), Some(offset)) if !offset.is_empty() => {
            format!("{} UTC{offset}", clock.replacen('T', " ", 1))
        }
        _ => rfc.to_string(),
    }
}

pub(crate) fn cmp_en(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "",
        CmpOp::Ne => "not ",
        CmpOp::Lt => "below ",
        CmpOp::Le => "at most ",
        CmpOp::Gt => "above ",
        CmpOp::Ge => "at least ",
    }
}

/// An `audience` predicate in Chinese words: `会员等级不低于2级且渠道为app`.
pub(crate) fn predicate_zh(p: &Predicate) -> String {
    match p {
        Predicate::Or(a, b) => format!("{}或{}", predicate_zh(a), predicate_zh(b)),
        Predicate::And(a, b) => format!("{}且{}", predicate_zh(a), predicate_zh(b)),
        // `not (user.new)` is 老用户, not 非（新用户）.
        Predicate::Not(a) => match &**a {
            Predicate::New(b) => predicate_zh(&Predicate::New(!b)),
            Predicate::Level(op, n) => predicate_zh(&Predicate::Level(op.negated(), *n)),
            Predicate::Channel(op, c) => predicate_zh(&Predicate::Channel(op.negated(), c.clone())),
            _ => format!("非（{}）", predicate_zh(a)),
        },
        Predicate::Level(op, n) => match op {
            CmpOp::Ge => format!("{n}级及以上会员"),
            CmpOp::Gt => format!("{n}级以上会员"),
            CmpOp::Le => format!("{n}级及以下会员"),
            CmpOp::Lt => format!("{n}级以下会员"),
            CmpOp::Eq => format!("{n}级会员"),
            CmpOp::Ne => format!("非{n}级会员"),
        },
        Predicate::New(true) => "新用户".into(),
        Predicate::New(false) => "老用户".into(),
        Predicate::Tag(t) => format!("{t}用户"),
        Predicate::Channel(CmpOp::Ne, c) => format!("不在{c}下单的用户"),
        Predicate::Channel(_, c) => format!("在{c}下单的用户"),
    }
}

/// An `audience` predicate in English words: `members of level at least 2 and orders placed
/// on the app channel`.
pub(crate) fn predicate_en(p: &Predicate) -> String {
    match p {
        Predicate::Or(a, b) => format!("{} or {}", predicate_en(a), predicate_en(b)),
        Predicate::And(a, b) => format!("{} and {}", predicate_en(a), predicate_en(b)),
        Predicate::Not(a) => match &**a {
            Predicate::New(b) => predicate_en(&Predicate::New(!b)),
            Predicate::Level(op, n) => predicate_en(&Predicate::Level(op.negated(), *n)),
            Predicate::Channel(op, c) => predicate_en(&Predicate::Channel(op.negated(), c.clone())),
            _ => format!("not ({})", predicate_en(a)),
        },
        Predicate::Level(op, n) => format!("members of level {}{n}", cmp_en(*op)),
        Predicate::New(true) => "new customers".into(),
        Predicate::New(false) => "returning customers".into(),
        Predicate::Tag(t) => format!("{t} customers"),
        Predicate::Channel(CmpOp::Ne, c) => format!("orders not placed on the {c} channel"),
        Predicate::Channel(_, c) => format!("orders placed on the {c} channel"),
    }
}

/// `598.00元` / `¥598.00` (other currencies: `598.00 USD`).
pub(crate) struct Fmt<'a> {
    pub currency: &'a str,
}

impl Fmt<'_> {
    pub(crate) fn zh(&self, m: Money) -> String {
        if self.currency == "CNY" {
            format!("{m}元")
        } else {
            format!("{m} {}", self.currency)
        }
    }
    /// A threshold as the rule wrote it (`300元`), as in `满300元1次`.
    pub(crate) fn zh_short(&self, m: Money) -> String {
        let a = amount_zh(m);
        if self.currency == "CNY" {
            format!("{a}元")
        } else {
            format!("{a} {}", self.currency)
        }
    }
    pub(crate) fn en(&self, m: Money) -> String {
        match self.currency {
            "CNY" => format!("¥{m}"),
            "USD" => format!("${m}"),
            c => format!("{m} {c}"),
        }
    }
}
