//! Every cart of up to 8 lines under up to 8 activities of one stage of `max 1` is proven
//! optimal within the default deadline, and the choice is the spec's.
//!
//! The reference knows nothing of the crate's internals and is fast enough for 8 × 8
//! (`tests/stacking_reference.rs` prices each choice with a rule set of its own, which is
//! right for every case it generates but too slow at this size). In one stage of `max 1`
//! each line in some activity's scope is kept by exactly one of them (the maximal keeper
//! sets), and the activities of one stage all see the stage's start amounts, so a choice's
//! price is the sum over activities of what each one does alone on the lines it keeps. The
//! reference therefore
//! 1. quotes, for every activity and every subset of the cart's lines in its scope, a rule
//!    set holding that activity alone, scoped to exactly that subset: the subset's line
//!    payables and whether the activity applied;
//! 2. walks every assignment of a keeper to each line (lines in cart order, keepers in
//!    declaration order), adding up those tables, and keeps the first one with the lowest
//!    key `(payable, -Σ priority over applied activities, applied count)`; the walk's
//!    order is the spec's last tie-break (line by line in cart order, the keeper declared
//!    first), so the first lowest key is the spec's choice;
//! 3. compares the engine's quote of the real rule set: `optimal` true, the payable, every
//!    line's payable and the applied activities.
//!
//! `YOUHUI_8X8_CASES=n` runs `n` generated cases of 5 to 8 lines under 4 to 8 activities (default 200; smaller carts are the other tests' business).

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
mod common;

use common::outcome::{ctx, Outcome};
use youhui::{Cart, Line, Money, RuleSet};

#[derive(Clone, Debug)]
struct Activity {
    benefit: String,
    /// `None`: `scope all`; otherwise a bit set of line indices.
    scope: Option<u8>,
    priority: i64,
}

#[derive(Clone, Debug)]
struct Case {
    activities: Vec<Activity>,
    /// (unit price in cents, quantity)
    lines: Vec<(i64, u32)>,
}

fn sku_list(mask: u8) -> String {
    (0..8)
        .filter(|l| mask & (1 << l) != 0)
        .map(|l| format!("\"S{l}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn activity_text(i: usize, a: &Activity, scope: Option<u8>) -> String {
    let scope = match scope {
        None => "scope all".to_string(),
        Some(mask) => format!("scope sku {}", sku_list(mask)),
    };
    let priority = if a.priority == 0 {
        String::new()
    } else {
        format!(" priority {}", a.priority)
    };
    format!(
        "activity o{i} {{ stage a benefit {} {scope}{priority} }}\n",
        a.benefit
    )
}

const HEADER: &str = "ruleset \"eight\" { stages a\n stage a max 1 }\n";

impl Case {
    fn text(&self) -> String {
        let mut text = HEADER.to_string();
        for (i, a) in self.activities.iter().enumerate() {
            text += &activity_text(i, a, a.scope);
        }
        text
    }

    fn cart(&self) -> Cart {
        Cart {
            lines: self
                .lines
                .iter()
                .enumerate()
                .map(|(i, &(price, qty))| {
                    Line::new(
                        &format!("L{i}"),
                        &format!("S{i}"),
                        "shop",
                        Money(price),
                        qty,
                    )
                })
                .collect(),
        }
    }

    /// The cart's lines in the activity's scope, as a bit set.
    fn in_scope(&self, a: &Activity) -> u8 {
        let all = u8::try_from((1u16 << self.lines.len()) - 1).expect("at most 8 lines");
        a.scope.map_or(all, |s| s & all)
    }
}

/// What one activity does alone on one subset of the lines it may keep.
#[derive(Clone, Default)]
struct Alone {
    /// Payable of each line of the subset (others unused).
    lines: [i64; 8],
    /// Sum of those.
    total: i64,
    applied: bool,
}

/// The spec's choice by the walk described in the module doc.
fn reference(case: &Case) -> Outcome {
    let cart = case.cart();
    let n = case.lines.len();
    let amount: Vec<i64> = case.lines.iter().map(|&(p, q)| p * i64::from(q)).collect();
    // Step 1: every activity alone on every subset of its scope.
    let tables: Vec<Vec<Alone>> = case
        .activities
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let scope = case.in_scope(a);
            (0..=255u8)
                .map(|mask| {
                    if mask & !scope != 0 || mask == 0 {
                        return Alone::default();
                    }
                    let text = format!("{HEADER}{}", activity_text(i, a, Some(mask)));
                    let rules = RuleSet::parse(&text).expect("a one-activity rule set parses");
                    let q = rules
                        .quote(&cart, &ctx(), &[] as &[&str])
                        .expect("a one-activity quote");
                    let mut alone = Alone {
                        applied: !q.applied.is_empty(),
                        ..Alone::default()
                    };
                    for l in (0..n).filter(|l| mask & (1 << l) != 0) {
                        alone.lines[l] = q.lines[l].payable.0;
                        alone.total += q.lines[l].payable.0;
                    }
                    alone
                })
                .collect()
        })
        .collect();
    // Step 2: every assignment, in the spec's tie-break order.
    let options: Vec<Vec<usize>> = (0..n)
        .map(|l| {
            (0..case.activities.len())
                .filter(|&o| case.in_scope(&case.activities[o]) & (1 << l) != 0)
                .collect()
        })
        .collect();
    let free: i64 = (0..n)
        .filter(|&l| options[l].is_empty())
        .map(|l| amount[l])
        .sum();
    struct Walk<'a> {
        case: &'a Case,
        tables: &'a [Vec<Alone>],
        options: &'a [Vec<usize>],
        masks: Vec<u8>,
        best: Option<((i64, i64, usize), Vec<u8>)>,
        free: i64,
    }
    impl Walk<'_> {
        fn go(&mut self, l: usize) {
            if l == self.options.len() {
                let mut key = (self.free, 0i64, 0usize);
                for (o, &mask) in self.masks.iter().enumerate() {
                    let alone = &self.tables[o][usize::from(mask)];
                    key.0 += alone.total;
                    if alone.applied {
                        key.1 -= self.case.activities[o].priority;
                        key.2 += 1;
                    }
                }
                if self.best.as_ref().is_none_or(|(k, _)| key < *k) {
                    self.best = Some((key, self.masks.clone()));
                }
                return;
            }
            if self.options[l].is_empty() {
                return self.go(l + 1);
            }
            for k in 0..self.options[l].len() {
                let o = self.options[l][k];
                self.masks[o] |= 1 << l;
                self.go(l + 1);
                self.masks[o] &= !(1 << l);
            }
        }
    }
    let mut walk = Walk {
        case,
        tables: &tables,
        options: &options,
        masks: vec![0; case.activities.len()],
        best: None,
        free,
    };
    walk.go(0);
    let (key, masks) = walk.best.expect("one assignment at least");
    let mut lines = amount.clone();
    let mut applied = BTreeSet::new();
    for (o, &mask) in masks.iter().enumerate() {
        let alone = &tables[o][usize::from(mask)];
        for (l, line) in lines.iter_mut().enumerate() {
            if mask & (1 << l) != 0 {
                *line = alone.lines[l];
            }
        }
        if alone.applied {
            applied.insert(format!("o{o}"));
        }
    }
    Outcome {
        payable: key.0,
        lines,
        applied,
    }
}

fn check(case: &Case) -> Result<(), String> {
    let text = case.text();
    let rules = RuleSet::parse(&text).map_err(|e| format!("{e}\n{text}"))?;
    let q = rules
        .quote(&case.cart(), &ctx(), &[] as &[&str])
        .map_err(|e| format!("engine error {e}\n{text}"))?;
    let spec = reference(case);
    let engine = Outcome::of(&q);
    if !q.optimal {
        return Err(format!("not proven optimal\n{text}{:?}", case.lines));
    }
    if engine != spec {
        return Err(format!(
            "engine {engine:?}\nspec   {spec:?}\n{text}{:?}",
            case.lines
        ));
    }
    Ok(())
}

fn benefit() -> impl Strategy<Value = String> {
    prop_oneof![
        (1..=50u32).prop_map(|n| format!("直降{n}")),
        (1..=3u32, 5..=30u32, 1..=8u32).prop_map(|(tiers, step, off)| {
            (1..=tiers)
                .map(|i| format!("满{}减{}", i * step * 10, i * off * 5))
                .collect::<Vec<_>>()
                .join(" / ")
        }),
        (5..=30u32, 1..=9u32).prop_map(|(x, y)| format!("每满{}减{}", x * 10, y * 5)),
        (1..=60u32, 5..=9u32).prop_map(|(x, r)| format!("满{}打{r}折", x * 10)),
        (2..=4u32, 5..=9u32).prop_map(|(n, r)| format!("满{n}件打{r}折")),
        (5..=9u32).prop_map(|r| format!("{r}折")),
        Just("买一送一".to_string()),
        Just("第2件半价".to_string()),
        (1..=30u32).prop_map(|n| format!("特价{}", n * 10)),
        (2..=3u32, 5..=30u32).prop_map(|(n, p)| format!("{n}件{}元", p * 10)),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let activity = (
        benefit(),
        prop::option::weighted(0.6, 1..=255u8),
        prop_oneof![4 => Just(0i64), 1 => -1..=2i64],
    )
        .prop_map(|(benefit, scope, priority)| Activity {
            benefit,
            scope,
            priority,
        });
    (
        prop::collection::vec(activity, 4..=8),
        prop::collection::vec((500..=40_000i64, 1..=3u32), 5..=8),
    )
        .prop_map(|(activities, lines)| Case { activities, lines })
}

fn cases() -> u32 {
    std::env::var("YOUHUI_8X8_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_8_by_8_single_stage_cart_is_proven_and_the_spec_choice(case in case()) {
        check(&case).map_err(TestCaseError::fail)?;
    }
}

/// The widest case: eight `scope all` activities on eight lines, 8^8 assignments.
#[test]
fn eight_scope_all_activities_on_eight_lines() {
    let benefits = [
        "直降12",
        "满300减40",
        "满200减20 / 满500减70",
        "每满200减25",
        "满500打8折",
        "满3件打7折",
        "买一送一",
        "3件99元",
    ];
    let case = Case {
        activities: benefits
            .iter()
            .map(|b| Activity {
                benefit: (*b).to_string(),
                scope: None,
                priority: 0,
            })
            .collect(),
        lines: (0..8u32)
            .map(|i| (3_000 + 4_120 * i64::from(i), 1 + i % 3))
            .collect(),
    };
    check(&case).unwrap_or_else(|e| panic!("{e}"));
}
