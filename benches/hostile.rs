//! `hostile/*`: the worst inputs of the hardening review, each timed to its answer. Every
//! one must end well within the default deadline (1 s) with an answer or a clear error.
//!
//! - `equivalent_250_tiers`: two 250-tier phrases (was 2 GB and a crash at this size).
//! - `check_50000_and`: a rule file whose audience has 50,000 `and` (aborted `--check`).
//! - `check_20000_stages`: a header with 20,000 stages (5.8 GB of diagnostics).
//! - `quote_20_lines_10_activities`: 20 lines contested by 10 activities of one stage,
//!   group benefits included (the search ends on its step budget, unproven).
//! - `best_100_coupons`: the adversarial wallet at the 100-coupon cap on 20 lines.
//! - `quote_1000_lines_2000_offers`: the largest request the line-offer cap admits.
//! - `quote_100_lines_20000_only_with`: 20,000 offers, each `only_with` the first, on
//!   every line of a 100-line cart (a fuzz finding: 3.9 s past a 300 ms deadline).

use criterion::{criterion_group, criterion_main, Criterion};
use youhui::{Cart, Context, Line, Money, RuleSet};

#[path = "gen.rs"]
mod gen;

fn hostile(c: &mut Criterion) {
    let mut g = c.benchmark_group("hostile");
    g.sample_size(10);

    let rules = RuleSet::parse("ruleset \"x\" { }").expect("valid");
    let tiers = |d: usize| {
        (1..=250)
            .map(|i| format!("满{}减{i}", i * 10 + d))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let (a, b) = (tiers(0), tiers(1));
    g.bench_function("equivalent_250_tiers", |bench| {
        bench.iter(|| rules.equivalent(&a, &b).is_ok())
    });

    let ands = format!(
        "ruleset \"x\" {{ stages s }}\ncoupon a {{ stage s benefit 8折 audience user.new{} }}\n",
        " and user.new".repeat(50_000)
    );
    g.bench_function("check_50000_and", |bench| {
        bench.iter(|| youhui::check_rules("x.promo", &ands).rules.is_none())
    });
    let stages = format!(
        "ruleset \"s\" {{ stages {} }}\n",
        (0..20_000)
            .map(|i| format!("s{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    g.bench_function("check_20000_stages", |bench| {
        bench.iter(|| youhui::check_rules("x.promo", &stages).rules.is_none())
    });

    let benefits = [
        "直降12",
        "满300减40",
        "每满200减25",
        "满500打8折",
        "9折",
        "买一送一",
        "第2件半价",
        "特价35",
        "3件99元",
        "满3件打7折",
    ];
    let text: String = benefits
        .iter()
        .enumerate()
        .map(|(i, b)| format!("activity o{i} {{ stage a benefit {b} }}\n"))
        .collect();
    let contested =
        RuleSet::parse(&format!("ruleset \"p\" {{ stages a }}\n{text}")).expect("valid");
    let cart = Cart {
        lines: (0..20)
            .map(|i| {
                let cents = 2_000 + (i as i64 * 5_311) % 30_000;
                Line::new(
                    &format!("L{i}"),
                    &format!("S{i}"),
                    "s",
                    Money(cents),
                    1 + i % 3,
                )
            })
            .collect(),
    };
    let ctx = Context::default();
    let q = contested.quote(&cart, &ctx, &[] as &[&str]).expect("quote");
    eprintln!(
        "hostile/quote_20_lines_10_activities: optimal {}",
        q.optimal
    );
    g.bench_function("quote_20_lines_10_activities", |bench| {
        bench.iter(|| {
            contested
                .quote(std::hint::black_box(&cart), &ctx, &[] as &[&str])
                .is_ok()
        })
    });

    let (text, wallet) = gen::wallet_rules(100);
    let wallet_rules = RuleSet::parse(&text).expect("valid");
    let cart20 = gen::cart(20);
    let ctx = gen::context();
    eprintln!(
        "hostile/best_100_coupons: {}",
        match wallet_rules.best(&cart20, &ctx, &wallet) {
            Ok(b) => format!("chose {:?}", b.coupons),
            Err(e) => e.to_string(),
        }
    );
    g.bench_function("best_100_coupons", |bench| {
        bench.iter(|| {
            wallet_rules
                .best(std::hint::black_box(&cart20), &ctx, &wallet)
                .is_ok()
        })
    });

    let big = RuleSet::parse(&gen::rule_file(2_000)).expect("valid");
    let cart1000 = gen::cart(1_000);
    g.bench_function("quote_1000_lines_2000_offers", |bench| {
        bench.iter(|| {
            big.quote(std::hint::black_box(&cart1000), &ctx, &[] as &[&str])
                .is_ok()
        })
    });

    // The fuzz finding of session 10: 20,000 offers in two stages, every one after the
    // first `only_with` it, all on every line of a 100-line cart.
    let mut only_with = String::from("ruleset \"o\" { stages s, t stage t max 3 }\n");
    for i in 0..20_000 {
        let stage = if i % 2 == 0 { "s" } else { "t" };
        let field = if i == 0 { "" } else { " only_with a0" };
        only_with += &format!(
            "activity a{i} {{ stage {stage} benefit 满{}减{}{field} }}\n",
            100 + i % 1_000,
            1 + i % 50
        );
    }
    let only_with = RuleSet::parse(&only_with).expect("valid");
    let cart100 = gen::cart(100);
    let q = only_with
        .quote(&cart100, &ctx, &[] as &[&str])
        .expect("quote");
    eprintln!(
        "hostile/quote_100_lines_20000_only_with: optimal {}",
        q.optimal
    );
    g.bench_function("quote_100_lines_20000_only_with", |bench| {
        bench.iter(|| {
            only_with
                .quote(std::hint::black_box(&cart100), &ctx, &[] as &[&str])
                .is_ok()
        })
    });
    g.finish();
}

criterion_group!(benches, hostile);
criterion_main!(benches);
