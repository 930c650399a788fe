#![allow(dead_code)] // each fuzz target uses one of these checks
//! The fuzz checks, shared by the cargo-fuzz targets (`fuzz_targets/`) and by the regression
//! test that replays `fuzz/regressions/` in CI (`tests/fuzz_regressions.rs`).

use youhui::{Cart, Context, Line, Money, Request, RuleSet};

/// Rule text: parse + check + compile never panics; an accepted file prints canonical
/// text that parses back to the same rule set.
pub fn rules_text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let checked = youhui::check_rules("fuzz.promo", text);
    for d in checked.report.diagnostics() {
        let _ = d.render("fuzz.promo");
    }
    if let Some(rules) = checked.rules {
        let printed = rules.to_rule_text();
        let again = RuleSet::parse(&printed).expect("canonical text parses");
        assert_eq!(again.to_rule_text(), printed, "canonical text is stable");
        assert_eq!(again.fingerprint(), rules.fingerprint());
    }
}

const RULES: &str = include_str!("../examples/double11.promo");

/// One `ask` request line against the shipped 双11 rules: always exactly one JSON answer.
pub fn ask_request(data: &[u8]) {
    thread_local! {
        static SET: RuleSet = RuleSet::parse(RULES).expect("double11 compiles");
    }
    SET.with(|rules| {
        let answer = match std::str::from_utf8(data)
            .ok()
            .and_then(|t| serde_json::from_str::<Request>(t).ok())
        {
            Some(req) => serde_json::to_string(&rules.answer(&req)).expect("answers serialise"),
            None => String::from("{\"error\":{}}"),
        };
        assert!(!answer.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&answer).expect("answer is JSON");
        assert!(v.is_object());
    });
}

/// A byte reader that never runs out (zeros after the end).
struct Bytes<'a>(&'a [u8], usize);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        b
    }
    fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from[usize::from(self.byte()) % from.len()]
    }
    fn num(&mut self, max: u32) -> u32 {
        (u32::from(self.byte()) << 8 | u32::from(self.byte())) % max.max(1)
    }
}

/// Generated rule sets and carts: quote and best keep their invariants.
pub fn quote_invariants(data: &[u8]) {
    let mut b = Bytes(data, 0);
    let stages = ["item", "shop", "cross", "platform"];
    let scopes = [
        "scope all",
        "scope shop \"a\"",
        "scope shop \"b\"",
        "scope tag \"t\"",
    ];
    let mut text = String::from(
        "ruleset \"f\" {\n stages item, shop, cross, platform\n stage shop max 2\n}\n",
    );
    let n = 1 + usize::from(b.byte() % 8);
    for i in 0..n {
        let stage = usize::from(b.byte()) % 4;
        let benefit = match (stage, b.byte() % 6) {
            (0, 0) => format!("{}折", 1 + b.num(9)),
            (0, 1) => format!("直降{}", 1 + b.num(50)),
            (0, 2) => format!("特价{}", b.num(300)),
            (0, 3) => "第二件半价".to_string(),
            (0, 4) => "买一送一".to_string(),
            (0, _) => format!("{}件{}元", 2 + b.num(3), 1 + b.num(300)),
            (_, 0) => {
                let at = 10 + b.num(500);
                format!("满{at}减{}", 1 + b.num(at - 1))
            }
            (_, 1) => {
                let step = 10 + b.num(300);
                format!("每满{step}减{} 封顶{}", 1 + b.num(step - 1), 1 + b.num(500))
            }
            (_, 2) => format!("满{}打{}折", 1 + b.num(500), 1 + b.num(9)),
            (_, 3) => format!("满{}件减{}", 1 + b.num(5), 1 + b.num(30)),
            (_, 4) => format!("满{}包邮", b.num(200) + 1),
            _ => format!("满{}赠\"礼\"", 1 + b.num(300)),
        };
        let kind = if stage > 0 && b.byte() % 2 == 0 {
            "coupon"
        } else {
            "activity"
        };
        let extra = b.pick(&["", " exclusive", " threshold original", " priority 2", ""]);
        let excl = if i > 0 && b.byte() % 4 == 0 {
            format!(" excludes o{}", usize::from(b.byte()) % i)
        } else {
            String::new()
        };
        text += &format!(
            "{kind} o{i} {{ stage {} benefit {benefit} {}{extra}{excl} }}\n",
            stages[stage],
            b.pick(&scopes)
        );
    }
    let Ok(rules) = RuleSet::parse(&text) else {
        return;
    };
    let lines = 1 + usize::from(b.byte() % 6);
    let cart = Cart {
        lines: (0..lines)
            .map(|i| {
                let mut l = Line::new(
                    &format!("L{i}"),
                    "S",
                    b.pick(&["a", "b", "c"]),
                    Money(i64::from(b.num(100_000))),
                    1 + b.num(4),
                );
                if b.byte() % 2 == 0 {
                    l.tags.push("t".into());
                }
                l
            })
            .collect(),
    };
    let ctx = Context {
        now: Some(0),
        shipping_fee: Money(i64::from(b.num(2_000))),
        ..Context::default()
    };
    let coupons: Vec<String> = rules
        .offers()
        .iter()
        .filter(|o| o.kind == youhui::ast::OfferKind::Coupon)
        .map(|o| o.id.clone())
        .collect();
    let picked: Vec<String> = coupons
        .iter()
        .filter(|_| b.byte() % 2 == 0)
        .cloned()
        .collect();
    let original: i64 = cart
        .lines
        .iter()
        .map(|l| l.price.0 * i64::from(l.qty))
        .sum();
    if let Ok(q) = rules.quote(&cart, &ctx, &picked) {
        assert!(
            q.payable.0 >= 0 && q.payable.0 <= original + ctx.shipping_fee.0,
            "{text}"
        );
        for a in &q.applied {
            if rules
                .offer(&a.offer)
                .is_some_and(|o| !o.benefit.is_price_neutral())
            {
                let shares: i64 = q
                    .lines
                    .iter()
                    .flat_map(|l| &l.discounts)
                    .filter(|d| d.offer == a.offer)
                    .map(|d| d.amount.0)
                    .sum();
                assert_eq!(shares, a.amount.0, "{text}");
            }
        }
        let again = rules
            .quote(&cart, &ctx, &picked)
            .expect("same input, same answer");
        assert_eq!(format!("{q:?}"), format!("{again:?}"), "{text}");
    }
    if coupons.len() <= 6 {
        if let Ok(best) = rules.best(&cart, &ctx, &coupons) {
            let none = rules
                .quote(&cart, &ctx, &[] as &[&str])
                .expect("no coupons");
            assert!(best.quote.payable <= none.payable, "{text}");
        }
    }
}
