//! `quote/*`: price a cart, numbers only and with zh + en explanations.

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "gen.rs"]
mod gen;

fn quote(c: &mut Criterion) {
    let mut g = c.benchmark_group("quote");
    for (lines, offers) in [(10, 20), (50, 100)] {
        let rules = youhui::RuleSet::parse(&gen::quote_rules(offers)).expect("valid");
        let cart = gen::cart(lines);
        let ctx = gen::context();
        let coupons: Vec<String> = rules
            .offers()
            .iter()
            .filter(|o| o.kind == youhui::ast::OfferKind::Coupon)
            .take(1)
            .map(|o| o.id.clone())
            .collect();
        g.bench_function(format!("{lines}_lines_{offers}_offers"), |b| {
            b.iter(|| {
                rules
                    .quote(std::hint::black_box(&cart), &ctx, &coupons)
                    .expect("quote")
            })
        });
        g.bench_function(format!("{lines}_lines_{offers}_offers_explained"), |b| {
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
