//! Property tests for the evaluator over generated rule sets and carts.
//!
//! Cart order: the spec gives a tied remainder cent of an apportioned discount to the
//! earlier line. When two lines tie (often after an item-level price makes them equal), a
//! later offer over only one of them, or a discount clamped to what remains of one, can
//! then differ by that cent in another cart order. So the permutation property is: totals
//! are identical when every applied offer is per-unit, and otherwise differ by at most one
//! cent per applied offer. Per-unit and group benefits are generated in the first stage
//! only, where unit prices are still the cart's own.

use proptest::prelude::*;
use youhui::{Cart, Context, Line, Money, RuleSet};

const SHOPS: [&str; 3] = ["nike", "adidas", "lining"];
const TAGS: [&str; 2] = ["双11", "新品"];

fn first_stage_benefit() -> impl Strategy<Value = String> {
    prop_oneof![
        (1..=9u32).prop_map(|d| format!("{d}折")),
        (60..=99u32).prop_map(|d| format!("{d}折")),
        (1..50u32).prop_map(|a| format!("直降{a}")),
        (1..300u32).prop_map(|a| format!("特价{a}")),
        Just("第二件半价".to_string()),
        Just("买一送一".to_string()),
        (2..4u32, 50..300u32).prop_map(|(n, p)| format!("{n}件{p}元")),
    ]
}

fn later_benefit() -> impl Strategy<Value = String> {
    prop_oneof![
        (1..5u32, 10..100u32).prop_map(|(n, step)| {
            (1..=n)
                .map(|i| format!("满{}减{}", i * step * 10, i * step * 3))
                .collect::<Vec<_>>()
                .join(" / ")
        }),
        (100..400u32, 10..99u32, proptest::option::of(100..300u32)).prop_map(|(s, o, c)| format!(
            "每满{s}减{o}{}",
            c.map(|c| format!(" 封顶{c}")).unwrap_or_default()
        )),
        (50..500u32, 1..9u32).prop_map(|(s, r)| format!("满{s}打{r}折")),
        (1..5u32, 1..30u32).prop_map(|(n, o)| format!("满{n}件减{o}")),
        (1..200u32).prop_map(|s| format!("满{s}包邮")),
    ]
}

fn scope() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("scope all".to_string()),
        (0..SHOPS.len()).prop_map(|i| format!("scope shop \"{}\"", SHOPS[i])),
        (0..TAGS.len()).prop_map(|i| format!("scope tag \"{}\"", TAGS[i])),
    ]
}

/// (stage, benefit, scope, coupon?, exclusive?, priority, threshold original?)
type OfferSpec = (usize, String, String, bool, bool, i64, bool);

fn offer_spec() -> impl Strategy<Value = OfferSpec> {
    (0..4usize).prop_flat_map(|stage| {
        let benefit = if stage == 0 {
            first_stage_benefit().boxed()
        } else {
            later_benefit().boxed()
        };
        (
            Just(stage),
            benefit,
            scope(),
            any::<bool>(),
            prop::bool::weighted(0.15),
            -2..3i64,
            prop::bool::weighted(0.2),
        )
    })
}

fn rules_text(specs: &[OfferSpec], excludes: &[(usize, usize)]) -> String {
    let mut s = String::from(
        "ruleset \"gen\" {\n  stages item, shop, cross, platform\n  stage shop max 2\n}\n",
    );
    for (i, (stage, benefit, scope, coupon, exclusive, prio, original)) in specs.iter().enumerate()
    {
        let kind = if *coupon && *stage > 0 {
            "coupon"
        } else {
            "activity"
        };
        s +=
            &format!(
            "{kind} o{i} \"offer {i}\" {{ stage {} benefit {benefit} {scope} priority {prio}{}{} ",
            ["item", "shop", "cross", "platform"][*stage],
            if *exclusive { " exclusive" } else { "" },
            if *original && *stage > 0 { " threshold original" } else { "" },
        );
        let ex: Vec<String> = excludes
            .iter()
            .filter(|(a, b)| *a == i && b < a)
            .map(|(_, b)| format!("o{b}"))
            .collect();
        if !ex.is_empty() {
            s += &format!("excludes {}", ex.join(", "));
        }
        s += "}\n";
    }
    s
}

fn line() -> impl Strategy<Value = (usize, usize, u32, i64)> {
    (0..SHOPS.len(), 0..TAGS.len(), 1..5u32, 1..50_000i64)
}

fn case() -> impl Strategy<Value = (RuleSet, Cart, Vec<String>, i64, String)> {
    (
        prop::collection::vec(offer_spec(), 1..10),
        prop::collection::vec((0..10usize, 0..10usize), 0..3),
        prop::collection::vec(line(), 1..8),
        prop::collection::vec(any::<prop::sample::Index>(), 0..3),
        0..2000i64,
    )
        .prop_map(|(specs, excludes, lines, picks, shipping)| {
            let text = rules_text(&specs, &excludes);
            let rules = RuleSet::parse(&text).expect("generated rules compile");
            // Pairwise distinct line amounts: see the module comment.
            let mut amounts: Vec<i64> = Vec::new();
            let mut made = Vec::new();
            for (i, &(shop, tag, qty, price)) in lines.iter().enumerate() {
                let mut price = price;
                while amounts.contains(&(price * i64::from(qty))) {
                    price += 1;
                }
                amounts.push(price * i64::from(qty));
                made.push(
                    Line::new(
                        &format!("L{i}"),
                        &format!("SKU{i}"),
                        SHOPS[shop],
                        Money(price),
                        qty,
                    )
                    .tag(TAGS[tag]),
                );
            }
            let cart = Cart { lines: made };
            let coupons: Vec<String> = rules
                .offers()
                .iter()
                .filter(|o| o.kind == youhui::model::OfferKind::Coupon)
                .map(|o| o.id.clone())
                .collect();
            let mut chosen: Vec<String> = picks
                .iter()
                .filter(|_| !coupons.is_empty())
                .map(|ix| coupons[ix.index(coupons.len())].clone())
                .collect();
            chosen.sort();
            chosen.dedup();
            (rules, cart, chosen, shipping, text)
        })
}

fn context(shipping: i64) -> Context {
    Context {
        now: Some(1_794_362_400),
        shipping_fee: Money(shipping),
        ..Context::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn quote_invariants((rules, cart, coupons, shipping, text) in case()) {
        let ctx = context(shipping);
        let Ok(q) = rules.quote(&cart, &ctx, &coupons) else {
            // Selected coupons that exclude each other are an error, not a panic.
            return Ok(());
        };
        let original: i64 = cart.lines.iter().map(|l| l.price.0 * i64::from(l.qty)).sum();
        prop_assert!(q.payable.0 >= 0);
        prop_assert!(q.payable.0 <= original + shipping);
        prop_assert_eq!(q.original.0, original);
        prop_assert_eq!(q.discount.0, original - (q.payable.0 - q.shipping.0));
        let lines_sum: i64 = q.lines.iter().map(|l| l.payable.0).sum();
        prop_assert_eq!(lines_sum + q.shipping.0, q.payable.0);
        for l in &q.lines {
            prop_assert!(l.payable.0 >= 0);
            let off: i64 = l.discounts.iter().map(|d| d.amount.0).sum();
            prop_assert_eq!(l.original.0 - off, l.payable.0);
        }
        // Each applied discount's line shares add up to it exactly.
        for a in &q.applied {
            let offer = rules.offer(&a.offer).unwrap();
            if offer.benefit.is_price_neutral() { continue; }
            let shares: i64 = q.lines.iter().flat_map(|l| &l.discounts).filter(|d| d.offer == a.offer).map(|d| d.amount.0).sum();
            prop_assert_eq!(shares, a.amount.0, "{}", a.offer);
        }
        // Same input, same bytes (answer and explanation).
        let again = rules.quote(&cart, &ctx, &coupons).unwrap();
        prop_assert_eq!(format!("{q:?}"), format!("{again:?}"));
        prop_assert_eq!(rules.explain_quote(&q), rules.explain_quote(&again));
        // Another cart order: see the module comment.
        let mut reversed = cart.clone();
        reversed.lines.reverse();
        let r = rules.quote(&reversed, &ctx, &coupons).unwrap();
        prop_assert_eq!(r.shipping, q.shipping);
        let order_level = q.applied.iter().filter(|a| !matches!(a.detail, youhui::answers::Detail::Units { .. })).count() as i64;
        let drift = (r.payable.0 - q.payable.0).abs();
        prop_assert!(drift <= order_level, "{}\n{:?}\n{:?}: {} vs {}", text, cart, coupons, q.payable, r.payable);
        if order_level == 0 {
            prop_assert_eq!(r.payable, q.payable);
        }
    }

    #[test]
    fn other_queries_never_panic((rules, cart, _coupons, shipping, _text) in case(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let ctx = context(shipping);
        let ids: Vec<String> = rules.offers().iter().map(|o| o.id.clone()).collect();
        let (a, b) = (&ids[a.index(ids.len())], &ids[b.index(ids.len())]);
        let _ = rules.eligibility(a, &cart, &ctx).unwrap();
        let s = rules.can_stack(a, b, Some(&cart), &ctx).unwrap();
        prop_assert_eq!(s.both_apply.is_some(), true);
        prop_assert_eq!(s.stack, s.rule == "ok");
    }
}

#[test]
fn huge_amounts_do_not_overflow() {
    let rules = RuleSet::parse(
        "ruleset \"x\" { stages s, t }\nactivity e { stage s benefit every 0.02 off 0.01 }\nactivity d { stage t benefit 定金1000000000抵1000000001 deposit_window 2026-01-01 00:00 to 2026-01-02 00:00 balance_window 2026-01-03 00:00 to 2026-12-31 00:00 }",
    )
    .unwrap();
    let line = Line::new(
        "L1",
        "A",
        "s",
        Money(youhui::money::MAX_MONEY_CENTS / 100_000),
        100_000,
    );
    let cart = Cart { lines: vec![line] };
    let ctx = Context {
        now: Some(1_780_000_000),
        ..Context::default()
    };
    let q = rules.quote(&cart, &ctx, &[] as &[&str]).unwrap();
    assert!(q.payable.0 >= 0);
    let g = rules.gap(Some("e"), &cart, &ctx, &[] as &[&str]).unwrap();
    assert!(g.step.extra_discount.is_some() || g.step.shortfall.is_none());
    // One cent over the cart limit is a bad request, not a wrong number.
    let over = Cart {
        lines: vec![Line::new(
            "L1",
            "A",
            "s",
            Money(youhui::money::MAX_MONEY_CENTS / 100_000 + 1),
            100_000,
        )],
    };
    assert!(rules.quote(&over, &ctx, &[] as &[&str]).is_err());
}
