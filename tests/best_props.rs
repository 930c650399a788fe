//! Property tests for `best`, `refund` and `equivalent` over generated wallets and carts.

use proptest::prelude::*;
use youhui::{Cart, Context, Line, Money, Order, RuleSet};

const SHOPS: [&str; 3] = ["nike", "adidas", "lining"];

/// A rule set with two activities and `n` coupons of mixed stages, scopes and exclusions.
fn wallet_rules(sizes: std::ops::Range<usize>) -> impl Strategy<Value = (String, usize)> {
    sizes.prop_flat_map(|n| {
        let coupon = (0..3usize, 0..4usize, 50..600u32, 5..60u32, prop::option::of(0..16usize), any::<bool>());
        (prop::collection::vec(coupon, n), Just(n))
    })
    .prop_map(|(coupons, n)| {
        let mut s = String::from(
            "ruleset \"w\" {\n  stages item, shop, cross, platform\n  stage shop max 2\n}\n\
             activity drop \"直降\" { stage item benefit 直降5 scope shop \"nike\" }\n\
             activity cross \"每满300减30\" { stage cross benefit 每满300减30 }\n",
        );
        for (i, (stage, scope, at, off, excl, rate)) in coupons.iter().enumerate() {
            let stage = ["shop", "platform", "shop"][*stage];
            let scope = if *scope < 3 { format!("scope shop \"{}\"", SHOPS[*scope]) } else { "scope all".into() };
            let benefit = if *rate { format!("满{at}打9折") } else { format!("满{at}减{}", off.min(&(at - 1))) };
            let excludes = excl.filter(|&j| j < i).map(|j| format!(" excludes c{j}")).unwrap_or_default();
            s += &format!("coupon c{i} \"券{i}\" {{ stage {stage} benefit {benefit} {scope}{excludes} }}\n");
        }
        (s, n)
    })
}

fn cart() -> impl Strategy<Value = Cart> {
    prop::collection::vec((0..3usize, 1_000..80_000i64, 1..3u32), 1..5).prop_map(|lines| Cart {
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, &(shop, price, qty))| {
                Line::new(
                    &format!("L{i}"),
                    &format!("S{i}"),
                    SHOPS[shop],
                    Money(price),
                    qty,
                )
            })
            .collect(),
    })
}

fn ctx() -> Context {
    Context {
        now: Some(1_794_362_400),
        ..Context::default()
    }
}

/// The lowest payable over every selection of wallet coupons, by brute force.
fn brute_force(rules: &RuleSet, cart: &Cart, wallet: &[String]) -> i64 {
    let mut best = i64::MAX;
    for mask in 0u32..(1 << wallet.len()) {
        let sel: Vec<&String> = (0..wallet.len())
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| &wallet[i])
            .collect();
        if let Ok(q) = rules.quote(cart, &ctx(), &sel) {
            best = best.min(q.payable.0);
        }
    }
    best
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn best_is_optimal_and_never_worse_than_a_single_coupon(((text, n), cart) in (wallet_rules(1..16), cart())) {
        let rules = RuleSet::parse(&text).unwrap();
        let wallet: Vec<String> = (0..n.min(8)).map(|i| format!("c{i}")).collect();
        let best = rules.best(&cart, &ctx(), &wallet).unwrap();
        let none = rules.quote(&cart, &ctx(), &[] as &[&str]).unwrap();
        prop_assert!(best.quote.payable <= none.payable);
        for c in &wallet {
            if let Ok(q) = rules.quote(&cart, &ctx(), &[c]) {
                prop_assert!(best.quote.payable <= q.payable, "{c}: {} > {}", best.quote.payable, q.payable);
            }
        }
        prop_assert_eq!(best.quote.payable.0, brute_force(&rules, &cart, &wallet), "{}", text);
        // The chosen coupons all apply, and every other wallet coupon has a reason.
        for c in &best.coupons {
            prop_assert!(best.quote.applied.iter().any(|a| &a.offer == c));
        }
        prop_assert_eq!(best.coupons.len() + best.not_chosen.len(), wallet.len());
    }

    #[test]
    fn refunding_every_unit_returns_what_was_paid(((text, n), cart) in (wallet_rules(1..16), cart())) {
        let rules = RuleSet::parse(&text).unwrap();
        let wallet: Vec<String> = (0..n.min(6)).map(|i| format!("c{i}")).collect();
        let best = rules.best(&cart, &ctx(), &wallet).unwrap();
        let order: Order = serde_json::from_value(serde_json::to_value(&best.quote).unwrap()).unwrap();
        let returns: Vec<youhui::Return> = cart.lines.iter().map(|l| youhui::Return { line: l.id.clone(), qty: l.qty }).collect();
        let r = rules.refund(&order, &cart, &ctx(), &returns, true).unwrap();
        prop_assert_eq!(r.refund.0, best.quote.payable.0 - best.quote.shipping.0);
        // Partial returns never refund more than the returned units paid, never below 0.
        let one = [youhui::Return { line: cart.lines[0].id.clone(), qty: 1 }];
        let r1 = rules.refund(&order, &cart, &ctx(), &one, true).unwrap();
        prop_assert!(r1.refund.0 >= 0 && r1.refund.0 <= best.quote.lines[0].payable.0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// Larger wallets: the branch and bound's bound is a true lower bound, so its answer is
    /// the brute force's optimum (an earlier, inadmissible bound missed one by 0.01 on a
    /// 13-coupon wallet), and never worse than no coupon or any single coupon. These
    /// generated wallets are adversarial (up to 13 coupons on 1–4 lines, most of one stage
    /// competing for every line): a search may answer `budget_exceeded` instead, never a
    /// wrong selection.
    #[test]
    fn branch_and_bound_equals_brute_force_on_larger_wallets(((text, n), cart) in (wallet_rules(13..14), cart())) {
        let rules = RuleSet::parse(&text).unwrap();
        let coupons: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let best = match rules.best(&cart, &ctx(), &coupons) {
            Ok(best) => best,
            Err(youhui::Error::Eval(e)) if e.code() == "budget_exceeded" => return Ok(()),
            Err(e) => panic!("{e}"),
        };
        prop_assert_eq!(best.quote.payable.0, brute_force(&rules, &cart, &coupons), "{}", text);
        let none = rules.quote(&cart, &ctx(), &[] as &[&str]).unwrap();
        prop_assert!(best.quote.payable <= none.payable);
        for c in &coupons {
            if let Ok(q) = rules.quote(&cart, &ctx(), &[c]) {
                prop_assert!(best.quote.payable <= q.payable, "{c}");
            }
        }
    }
}

#[test]
fn equivalence_claims_hold_on_random_carts() {
    let rules = RuleSet::parse("ruleset \"x\" { }").unwrap();
    let pairs = [
        ("买一送一", "第2件0元"),
        ("半价", "pct_off 50"),
        ("每满300减50 封顶50", "满300减50"),
        ("1件99元", "特价99"),
    ];
    for (a, b) in pairs {
        assert!(rules.equivalent(a, b).unwrap().equivalent, "{a} ≡ {b}");
        let one = |p: &str| {
            RuleSet::parse(&format!(
                "ruleset \"x\" {{ stages s }}\nactivity x {{ stage s benefit {p} }}"
            ))
            .unwrap()
        };
        let (ra, rb) = (one(a), one(b));
        for seed in 0..200i64 {
            let cart = Cart {
                lines: (0..(1 + seed % 3))
                    .map(|i| {
                        Line::new(
                            &format!("L{i}"),
                            "S",
                            "x",
                            Money(100 + (seed * 7919 + i * 104_729) % 60_000),
                            1 + ((seed + i) % 4) as u32,
                        )
                    })
                    .collect(),
            };
            let pa = ra.quote(&cart, &ctx(), &[] as &[&str]).unwrap().payable;
            let pb = rb.quote(&cart, &ctx(), &[] as &[&str]).unwrap().payable;
            assert_eq!(pa, pb, "{a} vs {b} on {cart:?}");
        }
    }
}

/// A proptest finding (it failed about one run in ten): five same-stage coupons (`max 2`)
/// splitting four lines defeat the branch and bound's bounds; a wallet this small is then
/// searched subset by subset, and the answer is the brute force's.
#[test]
fn a_small_wallet_of_same_stage_coupons_is_answered_exactly() {
    let text = r#"ruleset "w" {
  stages item, shop, cross, platform
  stage shop max 2
}
activity drop "直降" { stage item benefit 直降5 scope shop "nike" }
activity cross "每满300减30" { stage cross benefit 每满300减30 }
coupon c0 "券0" { stage shop benefit 满50减5 scope all }
coupon c1 "券1" { stage shop benefit 满50减5 scope all }
coupon c2 "券2" { stage shop benefit 满50减5 scope shop "nike" }
coupon c3 "券3" { stage platform benefit 满50打9折 scope all }
coupon c4 "券4" { stage shop benefit 满50减5 scope all }
coupon c5 "券5" { stage platform benefit 满50打9折 scope shop "adidas" }
coupon c6 "券6" { stage shop benefit 满50减5 scope shop "adidas" }
coupon c7 "券7" { stage shop benefit 满50减5 scope shop "nike" }
coupon c8 "券8" { stage shop benefit 满50减5 scope shop "nike" }
"#;
    let rules = RuleSet::parse(text).unwrap();
    let cart = Cart {
        lines: vec![
            Line::new("L0", "S0", "adidas", Money(52494), 2),
            Line::new("L1", "S1", "adidas", Money(42298), 2),
            Line::new("L2", "S2", "adidas", Money(12487), 2),
            Line::new("L3", "S3", "nike", Money(16631), 1),
        ],
    };
    let wallet: Vec<String> = (0..8).map(|i| format!("c{i}")).collect();
    let best = rules.best(&cart, &ctx(), &wallet).unwrap();
    assert_eq!(best.quote.payable.0, brute_force(&rules, &cart, &wallet));
    assert_eq!(best.coupons.len() + best.not_chosen.len(), wallet.len());
}
