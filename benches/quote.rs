//! `quote/*`: price a cart. For each size: `totals` (numbers only, `RuleSet::totals`), the
//! full answer (`RuleSet::quote`: per line, per offer, reasons), and the full answer with zh
//! + en explanations.

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "gen.rs"]
mod gen;

fn quote(c: &mut Criterion) {
    let mut g = c.benchmark_group("quote");
    for (lines, offers) in [(10, 20), (50, 100)] {
        let rules = youhui::RuleSet::parse(&gen::quote_rules(offers)).expect("valid");
        let cart = gen::cart(lines);
        let ctx = gen::context();
        let coupons = gen::one_coupon(&rules);
        let name = format!("{lines}_lines_{offers}_offers");
        g.bench_function(format!("{name}_totals"), |b| {
            b.iter(|| {
                rules
                    .totals(std::hint::black_box(&cart), &ctx, &coupons)
                    .expect("totals")
            })
        });
        g.bench_function(&name, |b| {
            b.iter(|| {
                rules
                    .quote(std::hint::black_box(&cart), &ctx, &coupons)
                    .expect("quote")
            })
        });
        g.bench_function(format!("{name}_explained"), |b| {
            b.iter(|| {
                let q = rules
                    .quote(std::hint::black_box(&cart), &ctx, &coupons)
                    .expect("quote");
                rules.explain_quote(&q)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, quote);
criterion_main!(benches);
