//! How often the stacking choice is proven optimal on small adversarial carts, and how long
//! it takes: `cargo bench --bench stacking_survey [CASES [SEED]]`.
//!
//! Each case is one stage (`max` 1, 2 and 3 in turn, or `MAX=n` for one of them) with 8
//! activities drawn from twelve benefits (threshold, per-unit and group forms), each on all
//! lines or on a random two thirds of them, one in seven `exclusive`, and a cart of 8 lines
//! of 5.00 to 400.00 × 1–3 (unit prices all different). Each quote has a 60 s deadline, so
//! the step budget, not the clock, decides what is proven; the times are the default
//! budget's. Prints, per `max`: cases not proven (`"optimal": false`), the worst and the
//! mean time of one quote.
//!
//! Knobs: `MAX=n`, `STAGES=2` and `LINES=n` / `OFFERS=n` (see `main`); `BENEFITS=0,6,9`
//! draws only those of the twelve benefits (by index), to see which forms stay unproven;
//! `SHOW=1` prints each unproven case (rules and cart); `SLOW=1` names every case that
//! took over a second; `CASE=i` runs case `i` alone (the same case as in a full run, for
//! `perf record`).

use std::time::{Duration, Instant};

use youhui::{Cart, Context, Line, Money, RuleSet};

#[path = "../tests/common/benefits.rs"]
mod benefits;
use benefits::BENEFITS;

/// Lines and activities of every case.
#[derive(Clone, Copy)]
struct Size {
    lines: usize,
    offers: usize,
}

/// A small LCG: the same cases on every machine.
struct Rng(u64);

impl Rng {
    fn below(&mut self, m: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % m
    }
}

fn case(
    rng: &mut Rng,
    max: u32,
    two_stages: bool,
    size: Size,
    pool: Option<&[usize]>,
) -> (String, Cart) {
    let Size { lines, offers } = size;
    let mut text = if two_stages {
        format!("ruleset \"survey\" {{ stages a, b\n stage a max {max}\n stage b max {max} }}\n")
    } else {
        format!("ruleset \"survey\" {{ stages a\n stage a max {max} }}\n")
    };
    for i in 0..offers {
        let stage = if two_stages && rng.below(2) == 0 {
            "b"
        } else {
            "a"
        };
        let pick = rng.below(12) as usize;
        let benefit = match pool {
            Some(pool) => BENEFITS[pool[pick % pool.len()]],
            None => BENEFITS[pick],
        };
        let scope = if rng.below(3) == 0 {
            "scope all".to_string()
        } else {
            let skus: Vec<String> = (0..lines)
                .filter(|_| rng.below(3) != 0)
                .map(|l| format!("\"S{l}\""))
                .collect();
            if skus.is_empty() {
                "scope all".into()
            } else {
                format!("scope sku {}", skus.join(", "))
            }
        };
        let exclusive = if rng.below(7) == 0 { " exclusive" } else { "" };
        text +=
            &format!("activity o{i} {{ stage {stage} benefit {benefit} {scope}{exclusive} }}\n");
    }
    let cart = Cart {
        lines: (0..lines)
            .map(|i| {
                let cents = (500 + rng.below(40_000) as i64) / 20 * 20 + i as i64;
                let qty = 1 + rng.below(3) as u32;
                Line::new(&format!("L{i}"), &format!("S{i}"), "s", Money(cents), qty)
            })
            .collect(),
    };
    (text, cart)
}

fn main() {
    // `cargo bench` passes `--bench`; numbers are ours.
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let cases = args.first().copied().unwrap_or(100);
    let seed = args.get(1).copied().unwrap_or(3);
    let maxes: Vec<u32> = match std::env::var("MAX").ok().and_then(|m| m.parse().ok()) {
        Some(m) => vec![m],
        None => vec![1, 2, 3],
    };
    // `STAGES=2`: each activity in stage `a` or `b` at random (both with the same `max`).
    let two_stages = std::env::var("STAGES").is_ok_and(|s| s == "2");
    // `LINES=n`, `OFFERS=n`: other sizes than 8 × 8.
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    let size = Size {
        lines: env("LINES").unwrap_or(8).clamp(1, 16),
        offers: env("OFFERS").unwrap_or(8).clamp(1, 32),
    };
    // `BENEFITS=0,3,7`: draw only these of the twelve benefits (by index).
    let pool: Option<Vec<usize>> = std::env::var("BENEFITS").ok().map(|v| {
        v.split(',')
            .filter_map(|i| i.trim().parse().ok())
            .filter(|&i: &usize| i < BENEFITS.len())
            .collect()
    });
    for max in maxes {
        let mut rng = Rng(seed);
        let (mut unproven, mut worst, mut total) = (0, Duration::ZERO, Duration::ZERO);
        for i in 0..cases {
            let (text, cart) = case(&mut rng, max, two_stages, size, pool.as_deref());
            if env("CASE").is_some_and(|c: usize| c != i as usize) {
                continue;
            }
            let rules = RuleSet::parse(&text)
                .expect("survey rules parse")
                .with_deadline(Duration::from_secs(60));
            let started = Instant::now();
            let quote = rules
                .quote(&cart, &Context::default(), &[] as &[&str])
                .expect("survey quote");
            let took = started.elapsed();
            total += took;
            worst = worst.max(took);
            unproven += usize::from(!quote.optimal);
            if std::env::var("SLOW").is_ok() && took.as_millis() > 1000 {
                println!("slow case {i}: {took:?}");
            }
            if !quote.optimal && std::env::var("SHOW").is_ok() {
                println!("{text}");
                for l in &cart.lines {
                    println!("  {} {} x{}", l.id, l.price, l.qty);
                }
                println!("  payable {}", quote.payable);
            }
        }
        println!(
            "max {max}{}: {cases} carts of {} lines under {} activities, {unproven} not proven, \
             worst {:.1} ms, mean {:.1} ms",
            if two_stages { " (two stages)" } else { "" },
            size.lines,
            size.offers,
            worst.as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3 / cases as f64
        );
    }
}
