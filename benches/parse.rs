//! `parse/1000_offers`: parse + check + compile a generated file of 1,000 offers.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "gen.rs"]
mod gen;

fn parse(c: &mut Criterion) {
    let text = gen::rule_file(1000);
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("1000_offers", |b| {
        b.iter(|| youhui::RuleSet::parse(std::hint::black_box(&text)).expect("valid"))
    });
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
