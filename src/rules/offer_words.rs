//! An offer in words, for the `offers` query: its benefit, scope, window and audience in
//! Chinese and English.

use crate::lang::ast::Dim;
use crate::rules::ir::{Benefit, EveryN, Offer, RuleSetData, Scope, ScopeTerm, Tiered, Window};
use crate::rules::words::{benefit_en, benefit_zh, clock_text, predicate_en, predicate_zh, Fmt};

/// Text in Chinese and English.
pub(crate) struct Bilingual {
    pub zh: String,
    pub en: String,
}

/// The whole benefit: every tier, the cap (`满300减30 / 满600减80`, `¥30.00 off when you
/// spend ¥300.00; ¥80.00 off when you spend ¥600.00`).
pub(crate) fn benefit(rules: &RuleSetData, b: &Benefit) -> Bilingual {
    let f = Fmt {
        currency: &rules.currency,
    };
    let en = match b {
        Benefit::Tiered(Tiered { tiers }) => tiers
            .iter()
            .map(|t| benefit_en(&Benefit::Tiered(Tiered { tiers: vec![*t] }), &f))
            .collect::<Vec<_>>()
            .join("; "),
        Benefit::EveryN(EveryN { cap: Some(cap), .. }) => {
            format!("{}, at most {}", benefit_en(b, &f), f.en(*cap))
        }
        _ => benefit_en(b, &f),
    };
    Bilingual {
        zh: benefit_zh(b, false),
        en,
    }
}

fn term_words(t: &ScopeTerm) -> (String, String) {
    let zh_values = t.values.join("、");
    let en_values = t.values.join(", ");
    match t.dim {
        Dim::Shop => (
            format!("店铺{zh_values}的商品"),
            format!("items of shop {en_values}"),
        ),
        Dim::Category => (
            format!("{zh_values}类商品"),
            format!("items in category {en_values}"),
        ),
        Dim::Sku => (format!("商品{zh_values}"), format!("the items {en_values}")),
        Dim::Tag => (
            format!("带{zh_values}标签的商品"),
            format!("items tagged {en_values}"),
        ),
    }
}

/// `店铺nike的商品，不含带清仓标签的商品` / `items of shop nike, except items tagged 清仓`.
pub(crate) fn scope(s: &Scope) -> Bilingual {
    if s.exclude_all {
        return Bilingual {
            zh: "无适用商品".into(),
            en: "no item".into(),
        };
    }
    let (mut zh, mut en) = match &s.include {
        None => ("全部商品".to_string(), "every item".to_string()),
        Some(terms) => {
            let words: Vec<(String, String)> = terms.iter().map(term_words).collect();
            (
                words
                    .iter()
                    .map(|w| w.0.as_str())
                    .collect::<Vec<_>>()
                    .join("或"),
                words
                    .iter()
                    .map(|w| w.1.as_str())
                    .collect::<Vec<_>>()
                    .join(" or "),
            )
        }
    };
    if !s.exclude.is_empty() {
        let words: Vec<(String, String)> = s.exclude.iter().map(term_words).collect();
        zh += "，不含";
        zh += &words
            .iter()
            .map(|w| w.0.as_str())
            .collect::<Vec<_>>()
            .join("、");
        en += ", except ";
        en += &words
            .iter()
            .map(|w| w.1.as_str())
            .collect::<Vec<_>>()
            .join(" and ");
    }
    Bilingual { zh, en }
}

/// `2026-11-11 00:00:00 至 2026-11-11 23:59:59` in the rule set's timezone.
pub(crate) fn window(w: &Window) -> Bilingual {
    let start = clock_text(&crate::time::rfc3339(w.start, w.offset));
    let end = clock_text(&crate::time::rfc3339(w.end, w.offset));
    Bilingual {
        zh: format!("{start} 至 {end}"),
        en: format!("from {start} to {end}"),
    }
}

/// `会员等级不低于2级` / `members of level at least 2`.
pub(crate) fn audience(o: &Offer) -> Option<Bilingual> {
    o.audience.as_ref().map(|p| Bilingual {
        zh: format!("仅限{}", predicate_zh(p)),
        en: format!("only for {}", predicate_en(p)),
    })
}
