//! `ask/jsonl`: requests through the code path `youhui ask` uses for every line (`RuleSet::answer_line`): parse the
//! JSON request, answer it (with explanations), write the JSON answer. Criterion reports
//! requests per second (`thrpt`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "gen.rs"]
mod gen;

fn serve(rules: &youhui::RuleSet, line: &str, out: &mut Vec<u8>) {
    let response = rules.answer_line(line.as_bytes());
    serde_json::to_writer(&mut *out, &response).expect("serialise");
    out.push(b'\n');
}

fn ask(c: &mut Criterion) {
    let rules = youhui::RuleSet::parse(&gen::quote_rules(20)).expect("valid");
    let lines = gen::ask_lines(&rules, 100);
    let mut g = c.benchmark_group("ask");
    g.throughput(Throughput::Elements(lines.len() as u64));
    let mut out = Vec::with_capacity(1 << 20);
    g.bench_function("jsonl", |b| {
        b.iter(|| {
            out.clear();
            for l in &lines {
                serve(&rules, std::hint::black_box(l), &mut out);
            }
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, ask);
criterion_main!(benches);
