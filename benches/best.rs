//! `best/*`: the cheapest selection from a wallet of 10 or 30 coupons, 20 activities, a
//! 20-line cart. A search that exceeds its budget answers an error; the bench then times
//! how long it takes to say so.

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "gen.rs"]
mod gen;

fn best(c: &mut Criterion) {
    let mut g = c.benchmark_group("best");
    g.sample_size(10);
    for n in [10, 30] {
        let (text, wallet) = gen::wallet_rules(n);
        let rules = youhui::RuleSet::parse(&text).expect("valid");
        let cart = gen::cart(20);
        let ctx = gen::context();
        match rules.best(&cart, &ctx, &wallet) {
            Ok(b) => eprintln!(
                "best/{n}_coupons: {} selections priced, chose {:?}",
                b.evaluated, b.coupons
            ),
            Err(e) => eprintln!("best/{n}_coupons: {e}"),
        }
        g.bench_function(format!("{n}_coupons"), |bench| {
            bench.iter(|| {
                rules
                    .best(std::hint::black_box(&cart), &ctx, &wallet)
                    .is_ok()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, best);
criterion_main!(benches);
