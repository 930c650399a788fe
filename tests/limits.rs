//! Every documented limit, just below and just above.

use youhui::limits::*;
use youhui::money::MAX_MONEY_CENTS;
use youhui::{Cart, Context, Line, Money, RuleSet};

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
        assert!(youhui::cart::parse_price(bad).is_err(), "{bad}");
    }
    assert_eq!(
        youhui::cart::parse_price("10000000000000.00"),
        Ok(Money(MAX_MONEY_CENTS))
    );
    assert!(youhui::cart::parse_price("10000000000000.01").is_err());
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

fn audience(expr: &str) -> String {
    format!("ruleset \"a\" {{ stages s }}\ncoupon c {{ stage s benefit 8折 audience {expr} }}\n")
}

fn codes(text: &str) -> Vec<&'static str> {
    youhui::check_rules("a.promo", text)
        .report
        .errors()
        .map(|d| d.code())
        .collect()
}

/// `not`, `and` and `or` are counted, parenthesised ones included; far above the limit
/// (sizes that overflowed the stack before) the file is refused with one error, no crash.
#[test]
fn audience_operators() {
    let nots = |n: usize| audience(&format!("{}user.new", "not ".repeat(n)));
    let ands = |n: usize| audience(&format!("user.new{}", " and user.new".repeat(n)));
    // `n` operators (n even): pairs of `or not` inside parentheses, one pair outside.
    let mixed = |n: usize| {
        audience(&format!(
            "(user.new{}) or not user.new",
            " or not user.new".repeat((n - 2) / 2)
        ))
    };
    for ok in [
        nots(MAX_AUDIENCE_OPERATORS),
        ands(MAX_AUDIENCE_OPERATORS),
        mixed(MAX_AUDIENCE_OPERATORS),
    ] {
        assert!(RuleSet::parse(&ok).is_ok(), "{}", &ok[..80]);
    }
    for n in [MAX_AUDIENCE_OPERATORS + 1, 3_000, 10_000, 100_000] {
        assert_eq!(codes(&nots(n)), ["expression_too_complex"], "{n} nots");
        assert_eq!(codes(&ands(n)), ["expression_too_complex"], "{n} ands");
    }
    assert_eq!(
        codes(&mixed(MAX_AUDIENCE_OPERATORS + 2)),
        ["expression_too_complex"]
    );
}

#[test]
fn stages_per_header() {
    let stages = |n: usize| {
        let names: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        let offers: String = (0..n)
            .map(|i| format!("activity a{i} {{ stage s{i} benefit 8折 }}\n"))
            .collect();
        format!("ruleset \"s\" {{ stages {} }}\n{offers}", names.join(", "))
    };
    assert!(RuleSet::parse(&stages(MAX_STAGES)).is_ok());
    assert_eq!(codes(&stages(MAX_STAGES + 1)), ["too_many_stages"]);
}

/// A report keeps at most MAX_DIAGNOSTICS diagnostics (errors first) and counts the rest;
/// no diagnostic copies more than a window of a long source line.
#[test]
fn diagnostics_per_report() {
    let names: Vec<String> = (0..20_000).map(|i| format!("s{i}")).collect();
    let text = format!("ruleset \"s\" {{ stages {} }}\n", names.join(", "));
    let checked = youhui::check_rules("many.promo", &text);
    let report = &checked.report;
    assert_eq!(report.diagnostics().len(), MAX_DIAGNOSTICS);
    assert_eq!(
        report.errors().next().map(|d| d.code()),
        Some("too_many_stages")
    );
    assert!(report.omitted() > 19_000);
    assert!(report.to_string().contains("more not shown"));
    assert!(report
        .diagnostics()
        .iter()
        .all(|d| d.source_line.chars().count() <= youhui::language::SOURCE_WINDOW + 2));
}

/// Two phrases with many tiers: the candidate carts are capped, so the answer is quick and
/// small; the phrase is parsed alone, so rule text in it is refused.
#[test]
fn equivalent_on_hostile_phrases() {
    let rules = RuleSet::parse("ruleset \"x\" { }").unwrap();
    let tiers = |n: usize, d: usize| {
        (1..=n)
            .map(|i| format!("满{}减{i}", i * 10 + d))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let start = std::time::Instant::now();
    let e = rules.equivalent(&tiers(250, 0), &tiers(250, 1)).unwrap();
    assert!(!e.equivalent);
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    let spliced = format!(
        "8折 }} coupon y {{ stage s audience {}user.new",
        "not ".repeat(10_000)
    );
    let err = rules.equivalent(&spliced, "8折").unwrap_err();
    assert!(
        err.to_string()
            .contains("neither an offer ID nor a benefit phrase"),
        "{err}"
    );
    assert!(err.to_string().len() < 400);
    // A comment cannot swallow what follows the phrase.
    assert!(
        rules
            .equivalent("8折 # }", "pct_off 20")
            .unwrap()
            .equivalent
    );
}

/// A chain of `excludes` (each offer excludes the one before) has exponentially many
/// conflict-free sets: a short chain is still decided exactly, a long one answers within
/// the deadline and says its choice is not proven.
#[test]
fn excludes_chains() {
    let chain = |n: usize| {
        let mut text = String::from("ruleset \"chain\" { stages s stage s max 4 }\n");
        for i in 0..n {
            let excludes = if i == 0 {
                String::new()
            } else {
                format!(" excludes a{}", i - 1)
            };
            // a1 is the best single offer; a0 + a2 together beat it.
            let off = match i {
                0 | 2 => 30,
                1 => 50,
                _ => 1,
            };
            text += &format!("activity a{i} {{ stage s benefit 满100减{off}{excludes} }}\n");
        }
        RuleSet::parse(&text).unwrap()
    };
    let cart = Cart {
        lines: vec![Line::new("L1", "S1", "shop", Money(20_000), 1)],
    };
    // Four offers: the maximal sets are {a0, a2}, {a1, a3} and {a0, a3}; a0 + a2 take 60.00.
    let q = chain(4)
        .quote(&cart, &Context::default(), &[] as &[&str])
        .unwrap();
    assert!(q.optimal);
    assert_eq!(q.payable, Money(14_000));
    // 2,000 offers: far more than MAX_CHOICES sets, so not proven, but answered at once.
    let started = std::time::Instant::now();
    let q = chain(2_000)
        .quote(&cart, &Context::default(), &[] as &[&str])
        .unwrap();
    assert!(!q.optimal);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// A line kept by more offers than fit together has a keeper option per maximal set of
/// them: 6 offers of a `max 3` stage give 20 (all used: proven), 9 give 84, more than the
/// 32 the search takes, so the choice among those 32 is not proven. 20,000 offers, each
/// `only_with` the first, on 100 lines answer within the deadline.
#[test]
fn keeper_options_per_line() {
    let offers = |n: usize, only_with: bool| {
        let mut text = String::from("ruleset \"k\" { stages s stage s max 3 }\n");
        for i in 0..n {
            let field = if only_with && i > 0 {
                " only_with a0"
            } else {
                ""
            };
            text += &format!(
                "activity a{i} {{ stage s benefit 满100减{}{field} }}\n",
                1 + i % 50
            );
        }
        RuleSet::parse(&text).unwrap()
    };
    let cart = Cart {
        lines: vec![Line::new("L1", "S1", "shop", Money(20_000), 1)],
    };
    let ctx = Context::default();
    let q = offers(6, false).quote(&cart, &ctx, &[] as &[&str]).unwrap();
    assert!(q.optimal);
    // The three largest: 6 + 5 + 4.
    assert_eq!(q.payable, Money(20_000 - 1_500));
    let q = offers(9, false).quote(&cart, &ctx, &[] as &[&str]).unwrap();
    assert!(!q.optimal);
    let many = offers(20_000, true).with_deadline(std::time::Duration::from_millis(300));
    let cart = Cart {
        lines: (0..100)
            .map(|i| Line::new(&format!("L{i}"), "S", "shop", Money(10_000 + i), 1))
            .collect(),
    };
    let started = std::time::Instant::now();
    let q = many.quote(&cart, &ctx, &[] as &[&str]).unwrap();
    assert!(!q.optimal);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
