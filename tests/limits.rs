//! Every documented limit, just below and just above.

use youhui::limits::*;
use youhui::{Cart, Context, Line, Money, RuleSet, MAX_MONEY_CENTS};

fn offers(n: usize) -> String {
    let mut s = String::from("ruleset \"limits\" { stages s }\n");
    for i in 0..n {
        s += &format!("activity a{i} {{ stage s benefit 8折 }}\n");
    }
    s
}

#[test]
fn offers_per_file() {
    assert!(RuleSet::parse(&offers(MAX_OFFERS)).is_ok());
    let checked = youhui::check_rules("many.promo", &offers(MAX_OFFERS + 1));
    assert!(checked.rules.is_none());
    assert!(checked
        .report
        .diagnostics()
        .iter()
        .any(|d| d.code() == "too_many_offers"));
}

fn tiers(n: usize) -> String {
    let tiers: Vec<String> = (1..=n).map(|i| format!("满{}减1", i * 10)).collect();
    format!(
        "ruleset \"t\" {{ stages s }}\nactivity a {{ stage s benefit {} }}\n",
        tiers.join(" / ")
    )
}

#[test]
fn tiers_per_benefit() {
    assert!(RuleSet::parse(&tiers(MAX_TIERS)).is_ok());
    let checked = youhui::check_rules("tiers.promo", &tiers(MAX_TIERS + 1));
    assert_eq!(
        checked.report.errors().next().map(|d| d.code()),
        Some("too_many_tiers")
    );
}

fn rules() -> RuleSet {
    RuleSet::parse("ruleset \"x\" { stages s }\nactivity a { stage s benefit 满100减10 }").unwrap()
}

fn quote(cart: &Cart) -> Result<youhui::Quote, youhui::Error> {
    rules().quote(
        cart,
        &Context {
            now: Some(0),
            ..Context::default()
        },
        &[] as &[&str],
    )
}

fn code(r: Result<youhui::Quote, youhui::Error>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(youhui::Error::Eval(e)) => e.code().into(),
        Err(e) => format!("{e}"),
    }
}

#[test]
fn lines_per_cart() {
    let cart = |n: usize| Cart {
        lines: (0..n)
            .map(|i| Line::new(&format!("L{i}"), "S", "s", Money(100), 1))
            .collect(),
    };
    assert_eq!(code(quote(&cart(MAX_LINES))), "ok");
    assert_eq!(code(quote(&cart(MAX_LINES + 1))), "bad_request");
}

#[test]
fn quantity_per_line_and_units_per_cart() {
    let one = |qty: u32| Cart {
        lines: vec![Line::new("L", "S", "s", Money(100), qty)],
    };
    assert_eq!(code(quote(&one(MAX_QTY))), "ok");
    assert_eq!(code(quote(&one(MAX_QTY + 1))), "bad_request");
    assert_eq!(code(quote(&one(u32::MAX))), "bad_request");
    let json = format!(
        r#"{{"lines": [{{"id": "L", "price": "1", "qty": {}}}]}}"#,
        u64::from(u32::MAX) + 1
    );
    assert!(serde_json::from_str::<Cart>(&json).is_err());
    assert_eq!(MAX_CART_UNITS, u64::from(MAX_QTY));
}

#[test]
fn price_range() {
    let max_unit = MAX_MONEY_CENTS;
    let one = |cents: i64| Cart {
        lines: vec![Line::new("L", "S", "s", Money(cents), 1)],
    };
    assert_eq!(code(quote(&one(max_unit))), "ok");
    assert_eq!(code(quote(&one(max_unit + 1))), "bad_request");
    assert_eq!(code(quote(&one(-1))), "bad_request");
    for bad in ["1e20", "100000000000000000000", "-0.01", "0.001", "abc"] {
        assert!(youhui::parse_price(bad).is_err(), "{bad}");
    }
    assert_eq!(
        youhui::parse_price("10000000000000.00"),
        Ok(Money(MAX_MONEY_CENTS))
    );
    assert!(youhui::parse_price("10000000000000.01").is_err());
}

/// Many platform coupons contesting one line: the search cannot prune, so it stops at its
/// budget with an error; a wallet the brute force covers is answered.
#[test]
fn best_search_budget() {
    let mut text = String::from("ruleset \"w\" { stages p }\n");
    for i in 0..25 {
        text += &format!(
            "coupon c{i} \"券{i}\" {{ stage p benefit 满{}减{} }}\n",
            100 + i,
            10 + i
        );
    }
    let rules = RuleSet::parse(&text).unwrap();
    let cart = Cart {
        lines: vec![Line::new("L", "S", "s", Money(100_000), 1)],
    };
    let ctx = Context {
        now: Some(0),
        ..Context::default()
    };
    let wallet: Vec<String> = (0..25).map(|i| format!("c{i}")).collect();
    match rules.best(&cart, &ctx, &wallet) {
        Err(youhui::Error::Eval(e)) => assert_eq!(e.code(), "budget_exceeded"),
        other => panic!("expected budget_exceeded, got {other:?}"),
    }
    let small = rules.best(&cart, &ctx, &wallet[..10]).unwrap();
    assert!(small.evaluated <= MAX_BEST_WORK);
    assert_eq!(small.coupons, ["c9"]);
}

/// Extreme priorities and many big coupons: no arithmetic overflow (this test also runs in
/// debug builds, where overflow panics).
#[test]
fn extreme_priorities_and_wallets_do_not_overflow() {
    let mut text = String::from("ruleset \"p\" { stages s, p }\n");
    text += &format!(
        "activity a {{ stage s benefit 8折 priority {} }}\n",
        i64::MAX
    );
    text += &format!(
        "activity b {{ stage s benefit 9折 priority {} }}\n",
        i64::MAX
    );
    text += &format!(
        "activity c {{ stage s benefit 7折 priority {} }}\n",
        i64::MIN
    );
    for i in 0..12 {
        text += &format!("coupon c{i} {{ stage p benefit 满1减0.99 }}\n");
    }
    let rules = RuleSet::parse(&text).unwrap();
    let cart = Cart {
        lines: vec![Line::new("L", "S", "s", Money(MAX_MONEY_CENTS), 1)],
    };
    let ctx = Context {
        now: Some(0),
        ..Context::default()
    };
    assert!(rules.quote(&cart, &ctx, &[] as &[&str]).is_ok());
    let wallet: Vec<String> = (0..12).map(|i| format!("c{i}")).collect();
    let _ = rules.best(&cart, &ctx, &wallet);
}
