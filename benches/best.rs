//! `best/*`: the cheapest selection of wallet coupons.
//!
//! - `real_{10,30}_coupons`: a realistic 双11 wallet on a 50-line cart over ten shops
//!   (one shop coupon per shop, one category coupon per category, one platform coupon per
//!   order; 20 activities).
//! - `adversarial_{10,30}_coupons`: 20 lines, shop coupons that share lines with two shop
//!   满减 in a `max 2` stage, two 直降 on one SKU in a `max 1` stage, and several platform
//!   coupons that may split the order's lines between them (bin covering). A search that
//!   exceeds its budget answers an error; the bench then times how long it takes to say so.

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "gen.rs"]
mod gen;

fn best(c: &mut Criterion) {
    let mut g = c.benchmark_group("best");
    g.sample_size(10);
    let cases = [
        ("real", 10, gen::real_wallet(10), gen::real_cart(50)),
        ("real", 30, gen::real_wallet(30), gen::real_cart(50)),
        ("adversarial", 10, gen::wallet_rules(10), gen::cart(20)),
        ("adversarial", 30, gen::wallet_rules(30), gen::cart(20)),
    ];
    for (kind, n, (text, wallet), cart) in cases {
        let rules = youhui::RuleSet::parse(&text).expect("valid");
        let ctx = gen::context();
        match rules.best(&cart, &ctx, &wallet) {
            Ok(b) => eprintln!(
                "best/{kind}_{n}_coupons: {} steps, chose {:?}, payable {}",
                b.evaluated, b.coupons, b.quote.payable
            ),
            Err(e) => eprintln!("best/{kind}_{n}_coupons: {e}"),
        }
        g.bench_function(format!("{kind}_{n}_coupons"), |bench| {
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
