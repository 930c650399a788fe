//! `threads/*`: one `RuleSet` shared by 1 and by 2 threads, each thread pricing the same
//! batch of carts. Time per batch: with 2 threads the wall time for 2 batches, so the
//! throughput ratio is `2 × time(1) / time(2)` (the machine has 2 cores).

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "gen.rs"]
mod gen;

const BATCH: usize = 2_000;

fn batch(
    rules: &youhui::RuleSet,
    carts: &[youhui::Cart],
    ctx: &youhui::Context,
    coupons: &[String],
) -> i64 {
    (0..BATCH)
        .map(|i| {
            let cart = &carts[i % carts.len()];
            rules
                .quote(cart, ctx, coupons)
                .expect("quote")
                .payable
                .cents()
        })
        .sum()
}

fn threads(c: &mut Criterion) {
    let rules = youhui::RuleSet::parse(&gen::quote_rules(20)).expect("valid");
    let carts: Vec<youhui::Cart> = (5..15).map(gen::cart).collect();
    let ctx = gen::context();
    let coupons = gen::one_coupon(&rules);
    let mut g = c.benchmark_group("threads");
    g.sample_size(20);
    for n in [1usize, 2] {
        g.bench_function(format!("{n}_batches_on_{n}_threads"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    std::thread::scope(|s| {
                        for _ in 0..n {
                            s.spawn(|| batch(&rules, &carts, &ctx, &coupons));
                        }
                    });
                    total += start.elapsed();
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, threads);
criterion_main!(benches);
