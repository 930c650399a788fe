//! `scaling/*`: quote time (`RuleSet::totals`, numbers only) for 10 / 100 / 1,000 lines
//! against 10 / 100 / 1,000 offers, and `scaling/unmatched_*`: 1,000 offers of which only 10
//! have a scope that matches the cart (offers that match no line should cost next to
//! nothing). `benches/README.md` has the table and the plot.

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "gen.rs"]
mod gen;

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling");
    g.sample_size(20);
    let ctx = gen::context();
    for offers in [10, 100, 1000] {
        let rules = youhui::RuleSet::parse(&gen::quote_rules(offers)).expect("valid");
        let coupons = gen::one_coupon(&rules);
        for lines in [10, 100, 1000] {
            let cart = gen::cart(lines);
            g.bench_function(format!("{lines}_lines_{offers}_offers"), |b| {
                b.iter(|| {
                    rules
                        .totals(std::hint::black_box(&cart), &ctx, &coupons)
                        .expect("totals")
                })
            });
        }
    }
    // The same 10 matching offers, alone and among 990 offers for shops not in the cart.
    for extra in [0, 990] {
        let rules = youhui::RuleSet::parse(&gen::unmatched_rules(10, extra)).expect("valid");
        let cart = gen::cart(10);
        g.bench_function(format!("unmatched_10_plus_{extra}"), |b| {
            b.iter(|| {
                rules
                    .totals(std::hint::black_box(&cart), &ctx, &[] as &[&str])
                    .expect("totals")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
