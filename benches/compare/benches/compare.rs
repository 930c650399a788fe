//! One workload three ways: 20 discount rules (thresholds on shop subtotals, item counts,
//! member level, channel) against the same 10-line carts.
//!
//! - `youhui`: the rules as a rule file; per cart the same evaluation either way
//!   (eligibility, stacking, stage order, apportionment over lines): `youhui_totals`
//!   returns the totals (`RuleSet::totals`), `youhui_quote` the full answer with every
//!   line's shares and every offer's reason (`RuleSet::quote`), no explanation text.
//! - `cel`: one precompiled `Program` per rule, predicates only; the cart's aggregates are
//!   computed in Rust and bound as variables, and matching rules' amounts are summed.
//! - `zen`: one precompiled 20-row decision table (hit policy `collect`) in a memory
//!   loader, same aggregates as input; the matching rows' amounts are summed.
//!
//! All three compute the same total discount on these carts (checked before timing): the
//! rules are built so none of them contest a line.

use std::collections::HashMap;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use youhui::{Cart, Context, Line, Money, RuleSet};

const SHOPS: usize = 10;

/// One rule: kind 0 shop subtotal, 1 shop count, 2 order total and level, 3 channel and
/// shop subtotal.
struct Rule {
    kind: usize,
    shop: usize,
    at: i64,
    off: i64,
}

fn rules() -> Vec<Rule> {
    (0..20)
        .map(|i| {
            let kind = i % 4;
            let at = match kind {
                0 => 20_000 + 1_000 * i as i64,
                1 => 2,
                2 => 100_000 + 10_000 * i as i64,
                _ => 15_000 + 1_000 * i as i64,
            };
            Rule { kind, shop: (i * 3) % SHOPS, at, off: 1_000 + 100 * i as i64 }
        })
        .collect()
}

fn carts() -> Vec<Cart> {
    (0..8)
        .map(|c| Cart {
            lines: (0..10)
                .map(|i| {
                    let k = c * 10 + i;
                    Line::new(
                        &format!("L{i}"),
                        &format!("SKU{k}"),
                        &format!("shop{}", (k * 7) % SHOPS),
                        Money(5_000 + ((k as i64 * 4_721) % 30_000)),
                        1 + (k % 3) as u32,
                    )
                })
                .collect(),
        })
        .collect()
}

fn youhui_rules(rules: &[Rule]) -> RuleSet {
    let mut s = String::from("ruleset \"compare\" {\n  stages 店铺, 平台\n  stage 店铺 max 3\n  stage 平台 max 5\n}\n");
    for (i, r) in rules.iter().enumerate() {
        let (at, off) = (Money(r.at), Money(r.off));
        s += &match r.kind {
            0 => format!("activity r{i} \"\" {{ stage 店铺 benefit 满{at}减{off} scope shop \"shop{}\" }}\n", r.shop),
            1 => format!("activity r{i} \"\" {{ stage 店铺 benefit 满{}件减{off} scope shop \"shop{}\" }}\n", r.at, r.shop),
            2 => format!("activity r{i} \"\" {{ stage 平台 benefit 满{at}减{off} audience user.level >= 2 }}\n"),
            _ => format!("activity r{i} \"\" {{ stage 店铺 benefit 满{at}减{off} scope shop \"shop{}\" audience channel == \"app\" }}\n", r.shop),
        };
    }
    RuleSet::parse(&s).expect("valid rules")
}

/// Per-cart aggregates the other engines need: subtotal and units per shop, total.
struct Aggregates {
    sub: [i64; SHOPS],
    cnt: [i64; SHOPS],
    total: i64,
}

fn aggregates(cart: &Cart) -> Aggregates {
    let mut a = Aggregates { sub: [0; SHOPS], cnt: [0; SHOPS], total: 0 };
    for l in &cart.lines {
        let shop: usize = l.shop.trim_start_matches("shop").parse().unwrap_or(0);
        let amount = l.price.cents() * i64::from(l.qty);
        a.sub[shop] += amount;
        a.cnt[shop] += i64::from(l.qty);
        a.total += amount;
    }
    a
}

struct Cel {
    programs: Vec<(cel::Program, i64)>,
}

impl Cel {
    fn new(rules: &[Rule]) -> Cel {
        let programs = rules
            .iter()
            .map(|r| {
                let src = match r.kind {
                    0 => format!("sub[\"shop{}\"] >= {}", r.shop, r.at),
                    1 => format!("cnt[\"shop{}\"] >= {}", r.shop, r.at),
                    2 => format!("total >= {} && level >= 2", r.at),
                    _ => format!("channel == \"app\" && sub[\"shop{}\"] >= {}", r.shop, r.at),
                };
                (cel::Program::compile(&src).expect("valid CEL"), r.off)
            })
            .collect();
        Cel { programs }
    }

    fn discount(&self, cart: &Cart) -> i64 {
        let a = aggregates(cart);
        let mut ctx = cel::Context::default();
        let named = |v: &[i64; SHOPS]| -> HashMap<String, i64> {
            (0..SHOPS).map(|s| (format!("shop{s}"), v[s])).collect()
        };
        ctx.add_variable_from_value("sub", named(&a.sub));
        ctx.add_variable_from_value("cnt", named(&a.cnt));
        ctx.add_variable_from_value("total", a.total);
        ctx.add_variable_from_value("level", 2i64);
        ctx.add_variable_from_value("channel", "app");
        self.programs
            .iter()
            .filter(|(p, _)| matches!(p.execute(&ctx), Ok(cel::Value::Bool(true))))
            .map(|(_, off)| off)
            .sum()
    }
}

struct Zen {
    decision: zen_engine::Decision,
}

impl Zen {
    fn new(rules: &[Rule]) -> Zen {
        let mut inputs = Vec::new();
        for s in 0..SHOPS {
            inputs.push(json!({"id": format!("s{s}"), "name": format!("s{s}"), "field": format!("sub.shop{s}")}));
            inputs.push(json!({"id": format!("c{s}"), "name": format!("c{s}"), "field": format!("cnt.shop{s}")}));
        }
        for f in ["total", "level", "channel"] {
            inputs.push(json!({"id": f, "name": f, "field": f}));
        }
        let rows: Vec<serde_json::Value> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = serde_json::Map::new();
                row.insert("_id".into(), json!(format!("r{i}")));
                let mut cell = |k: String, v: String| {
                    row.insert(k, json!(v));
                };
                match r.kind {
                    0 => cell(format!("s{}", r.shop), format!(">= {}", r.at)),
                    1 => cell(format!("c{}", r.shop), format!(">= {}", r.at)),
                    2 => {
                        cell("total".into(), format!(">= {}", r.at));
                        cell("level".into(), ">= 2".into());
                    }
                    _ => {
                        cell("channel".into(), "\"app\"".into());
                        cell(format!("s{}", r.shop), format!(">= {}", r.at));
                    }
                }
                row.insert("off".into(), json!(r.off.to_string()));
                serde_json::Value::Object(row)
            })
            .collect();
        let graph = json!({
            "nodes": [
                {"id": "in", "name": "request", "type": "inputNode", "content": {}},
                {"id": "table", "name": "discounts", "type": "decisionTableNode", "content": {
                    "hitPolicy": "collect",
                    "inputs": inputs,
                    "outputs": [{"id": "off", "name": "off", "field": "off"}],
                    "rules": rows
                }},
                {"id": "out", "name": "response", "type": "outputNode", "content": {}}
            ],
            "edges": [
                {"id": "e1", "sourceId": "in", "targetId": "table"},
                {"id": "e2", "sourceId": "table", "targetId": "out"}
            ]
        });
        let content: zen_engine::model::DecisionContent =
            serde_json::from_value(graph).expect("valid JDM");
        let loader = Arc::new(zen_engine::loader::MemoryLoader::default());
        loader.add("discounts", content);
        let engine = zen_engine::DecisionEngine::default().with_loader(loader);
        let mut decision = pollster::block_on(engine.get_decision("discounts"))
            .expect("loaded")
            .expect("a graph");
        decision.compile();
        Zen { decision }
    }

    fn discount(&self, cart: &Cart) -> i64 {
        let a = aggregates(cart);
        let named = |v: &[i64; SHOPS]| -> serde_json::Map<String, serde_json::Value> {
            (0..SHOPS).map(|s| (format!("shop{s}"), json!(v[s]))).collect()
        };
        let input = json!({
            "sub": named(&a.sub), "cnt": named(&a.cnt),
            "total": a.total, "level": 2, "channel": "app"
        });
        let response = pollster::block_on(self.decision.evaluate(input.into())).expect("evaluated");
        let out = response.result.to_value();
        out.as_array()
            .map(|rows| rows.iter().filter_map(|r| r["off"].as_i64()).sum())
            .unwrap_or(0)
    }
}

fn context() -> Context {
    let mut ctx = Context { now: Some(1_794_362_400), channel: "app".into(), ..Context::default() };
    ctx.user.level = 2;
    ctx
}

fn compare(c: &mut Criterion) {
    let rules = rules();
    let carts = carts();
    let yh = youhui_rules(&rules);
    let cel = Cel::new(&rules);
    let zen = Zen::new(&rules);
    let ctx = context();
    let none: &[&str] = &[];
    for cart in &carts {
        let q = yh.quote(cart, &ctx, none).expect("quote");
        let (c, z) = (cel.discount(cart), zen.discount(cart));
        assert_eq!((q.discount.cents(), c), (z, z), "engines disagree on a cart");
    }
    let mut g = c.benchmark_group("compare");
    g.bench_function("youhui_totals", |b| {
        b.iter(|| {
            carts
                .iter()
                .map(|cart| yh.totals(std::hint::black_box(cart), &ctx, none).expect("totals").payable.cents())
                .sum::<i64>()
        })
    });
    g.bench_function("youhui_quote", |b| {
        b.iter(|| {
            carts
                .iter()
                .map(|cart| yh.quote(std::hint::black_box(cart), &ctx, none).expect("quote").payable.cents())
                .sum::<i64>()
        })
    });
    g.bench_function("cel_predicates", |b| {
        b.iter(|| carts.iter().map(|cart| cel.discount(std::hint::black_box(cart))).sum::<i64>())
    });
    g.bench_function("zen_decision_table", |b| {
        b.iter(|| carts.iter().map(|cart| zen.discount(std::hint::black_box(cart))).sum::<i64>())
    });
    g.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
