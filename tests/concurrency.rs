//! One `RuleSet` shared by several threads answers exactly as one thread does.

use std::sync::Arc;

use youhui::protocol::Request;
use youhui::{Cart, Context, Line, Money, RuleSet};

fn carts() -> Vec<Cart> {
    (0..200i64)
        .map(|seed| Cart {
            lines: (0..(1 + seed % 6))
                .map(|i| {
                    let shop = ["nike", "adidas", "lining"][((seed + i) % 3) as usize];
                    let sku = ["SHOE-1", "SOCK-1", "CUP-1", "TEE-1"][((seed * 3 + i) % 4) as usize];
                    Line::new(
                        &format!("L{i}"),
                        sku,
                        shop,
                        Money(1_000 + (seed * 7_919 + i * 104_729) % 90_000),
                        1 + ((seed + i) % 3) as u32,
                    )
                    .tag("双11")
                })
                .collect(),
        })
        .collect()
}

fn answers(rules: &RuleSet, carts: &[Cart]) -> Vec<String> {
    let mut ctx = Context {
        now: Some(1_794_328_200),
        ..Context::default()
    };
    ctx.user.level = 3;
    ctx.channel = "app".into();
    ctx.stock.insert("flash".into(), 10);
    carts
        .iter()
        .flat_map(|cart| {
            let quote = Request::Quote {
                cart: cart.clone(),
                context: ctx.clone(),
                coupons: vec!["shop20".into()],
            };
            let best = Request::Best {
                cart: cart.clone(),
                context: ctx.clone(),
                wallet: vec!["shop20".into(), "plat".into(), "newbie".into()],
            };
            [quote, best].map(|r| serde_json::to_string(&rules.answer(&r)).unwrap())
        })
        .collect()
}

#[test]
fn threads_sharing_one_rule_set_answer_identically() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/double11.promo"
    ))
    .unwrap();
    let rules = Arc::new(RuleSet::parse(&text).unwrap());
    let carts = carts();
    let single = answers(&rules, &carts);
    let per_thread: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| answers(&rules, &carts)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for answers in per_thread {
        assert_eq!(answers, single);
    }
}
