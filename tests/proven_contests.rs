//! Adversarial 8-line contests under `max 2` that the search proves optimal since the
//! per-line cut of the stage DP (`src/eval/stage_dp/local.rs`): group benefits (`买一送一`,
//! `第2件半价`, `3件99元`) and per-unit ones piled on the same lines, where the DP's plain
//! sum counts far more than the lines hold. Each was left unproven (`"optimal": false`)
//! before (at 72d17b3), with a payable the proven choice beats or matches: 0.00 → 0.00,
//! 295.37 → 271.99 and 35.80 → 30.80 (the unproven answers charged too much).
//!
//! The deadline is 60 s so that the step budget, not the machine's load, decides; the
//! budget is the default one. Each case is also quoted with its lines reversed: the payable
//! moves by at most a remainder cent per order-level offer (the spec gives a split's last
//! cent to the earlier line; see `tests/line_order_props.rs`). Whether the reversed quote
//! is proven too depends on the second walk, which looks for the first lowest choice in
//! the cart's order and so takes longer in some orders than in others.

use std::time::Duration;

use youhui::{Cart, Context, Line, Money, RuleSet};

struct Case {
    rules: &'static str,
    /// Unit price in cents and quantity, line `i` being SKU `S{i}`.
    lines: &'static [(i64, u32)],
    /// The payable before, unproven, and the proven one now.
    unproven_before: i64,
    proven: i64,
}

const CASES: [Case; 3] = [
    Case {
        rules: r#"ruleset "s1" { stages a
 stage a max 2 }
activity o0 { stage a benefit 满200减20 / 满500减70 scope all exclusive }
activity o1 { stage a benefit 3件99元 scope all }
activity o2 { stage a benefit 满300减40 scope sku "S0", "S1", "S2", "S3", "S4", "S5" }
activity o3 { stage a benefit 满3件打7折 scope sku "S1", "S3", "S4", "S7" }
activity o4 { stage a benefit 第2件半价 scope sku "S0", "S2", "S4", "S5", "S6", "S7" }
activity o5 { stage a benefit 满200减20 / 满500减70 scope sku "S0", "S1", "S2", "S3" }
activity o6 { stage a benefit 3件99元 scope sku "S0", "S1", "S2", "S4", "S5", "S6", "S7" }
activity o7 { stage a benefit 立减5 scope sku "S0", "S1", "S2", "S3", "S7" }
"#,
        lines: &[
            (16960, 2),
            (9761, 2),
            (30042, 1),
            (35103, 1),
            (13564, 3),
            (26265, 2),
            (32286, 3),
            (25207, 2),
        ],
        unproven_before: 0,
        proven: 0,
    },
    Case {
        rules: r#"ruleset "s2" { stages a
 stage a max 2 }
activity o0 { stage a benefit 直降12 scope sku "S0", "S2", "S3", "S4", "S5", "S6" }
activity o1 { stage a benefit 3件99元 scope sku "S0", "S1", "S5", "S6", "S7" }
activity o2 { stage a benefit 第2件半价 scope all }
activity o3 { stage a benefit 第2件半价 scope sku "S0", "S1", "S2", "S3", "S4", "S5", "S7" }
activity o4 { stage a benefit 买一送一 scope sku "S2", "S4", "S5", "S6", "S7" }
activity o5 { stage a benefit 满500打8折 scope sku "S0", "S1", "S3", "S5", "S6", "S7" }
activity o6 { stage a benefit 特价35 scope sku "S3", "S4", "S6" }
activity o7 { stage a benefit 满300减40 scope sku "S3", "S5" }
"#,
        lines: &[
            (8440, 3),
            (5101, 1),
            (26882, 1),
            (15903, 2),
            (28984, 2),
            (1905, 1),
            (16906, 2),
            (22867, 2),
        ],
        unproven_before: 29537,
        proven: 27199,
    },
    Case {
        rules: r#"ruleset "s3" { stages a
 stage a max 2 }
activity o0 { stage a benefit 立减5 scope sku "S0", "S2", "S4", "S5", "S7" }
activity o1 { stage a benefit 买一送一 scope all }
activity o2 { stage a benefit 3件99元 scope sku "S0", "S1", "S4", "S7" }
activity o3 { stage a benefit 特价35 scope sku "S1", "S2", "S3", "S5", "S7" }
activity o4 { stage a benefit 第2件半价 scope sku "S0", "S1", "S3", "S4" }
activity o5 { stage a benefit 3件99元 scope sku "S0", "S1", "S2", "S3", "S5", "S6", "S7" }
activity o6 { stage a benefit 3件99元 scope sku "S0", "S1", "S2", "S3", "S5", "S6", "S7" }
activity o7 { stage a benefit 买一送一 scope all }
"#,
        lines: &[
            (33760, 1),
            (34161, 3),
            (11942, 2),
            (12223, 2),
            (38704, 1),
            (32625, 3),
            (33486, 2),
            (27087, 1),
        ],
        unproven_before: 3580,
        proven: 3080,
    },
];

fn cart(lines: &[(i64, u32)], reversed: bool) -> Cart {
    let mut lines: Vec<Line> = lines
        .iter()
        .enumerate()
        .map(|(i, &(cents, qty))| {
            Line::new(&format!("L{i}"), &format!("S{i}"), "s", Money(cents), qty)
        })
        .collect();
    if reversed {
        lines.reverse();
    }
    Cart { lines }
}

#[test]
fn group_heavy_contests_are_proven() {
    for (i, case) in CASES.iter().enumerate() {
        let rules = RuleSet::parse(case.rules)
            .expect("case rules parse")
            .with_deadline(Duration::from_secs(60));
        let ask = |reversed: bool| {
            rules
                .quote(
                    &cart(case.lines, reversed),
                    &Context::default(),
                    &[] as &[&str],
                )
                .expect("case quote")
        };
        let (q, r) = (ask(false), ask(true));
        println!(
            "case {i}: {} {} / {} {}",
            q.payable.0, q.optimal, r.payable.0, r.optimal
        );
        assert!(q.optimal, "case {i} not proven in cart order");
        assert_eq!(q.payable.0, case.proven, "case {i}");
        assert!(case.proven <= case.unproven_before, "case {i}");
        assert!(
            (q.payable.0 - r.payable.0).abs() <= 8,
            "case {i}: {} vs {}",
            q.payable.0,
            r.payable.0
        );
    }
}

/// Priorities near `i64::MAX`: their sums do not fit the stage DP's `i64`, so it declines
/// and every combination is priced with the sums in `i128`. Eight lines of 10.00, each
/// kept by one of two `立减5` activities (`max 1`): every choice pays 8 × 5.00 = 40.00;
/// the larger priority sum wants both applied (2^64 − 3 against 2^63 − 1 for `o1` alone);
/// then lines in cart order keep `o1`, the earlier declared, except the last, which `o2`
/// needs.
#[test]
fn priorities_too_large_for_the_dp_keep_their_tie_break() {
    let rules = RuleSet::parse(
        r#"ruleset "p" { stages a
 stage a max 1 }
activity o1 { stage a benefit 立减5 scope all priority 9223372036854775807 }
activity o2 { stage a benefit 立减5 scope all priority 9223372036854775806 }
"#,
    )
    .expect("rules parse");
    let cart = cart(&[(1000, 1); 8], false);
    let q = rules
        .quote(&cart, &Context::default(), &[] as &[&str])
        .expect("quote");
    assert_eq!(q.payable.0, 4000);
    assert!(q.optimal);
    let keepers: Vec<&str> = q
        .lines
        .iter()
        .map(|l| l.discounts[0].offer.as_str())
        .collect();
    assert_eq!(keepers, ["o1", "o1", "o1", "o1", "o1", "o1", "o1", "o2"]);
}

/// A cart every good choice takes to 0.00, under `max 3`: the lowest payable is plain, and
/// the tie-breaks decide (no priorities, so the fewest applied offers). Before the
/// tie-break bound (session 19) the default budget answered 0.00 with four offers
/// (`o4`, `o5`, `o6`, `o7`), unproven and not the spec's choice: every line can keep
/// `o2`, `o4` and `o6` (in scope of all eight), and those three take everything (`o4`
/// leaves 35.00 a unit, `o6` takes 30 % of the lines' amounts over the order, `o2` 5.00 a
/// unit). The bound finds that no choice paying 0.00 applies fewer than three, and its
/// DP's own choice is that one.
#[test]
fn a_free_cart_gets_the_fewest_applied_offers() {
    let rules = RuleSet::parse(
        r#"ruleset "survey" { stages a
 stage a max 3 }
activity o0 { stage a benefit 立减5 scope sku "S0", "S1", "S3", "S4", "S5", "S6" }
activity o1 { stage a benefit 9折 scope sku "S1", "S2", "S4", "S5", "S6", "S7" }
activity o2 { stage a benefit 立减5 scope all }
activity o3 { stage a benefit 立减5 scope sku "S0", "S1", "S3", "S5", "S6", "S7" }
activity o4 { stage a benefit 特价35 scope all }
activity o5 { stage a benefit 买一送一 scope sku "S2", "S4", "S5", "S6", "S7" }
activity o6 { stage a benefit 满3件打7折 scope sku "S0", "S1", "S2", "S3", "S4", "S5", "S6", "S7" }
activity o7 { stage a benefit 满200减20 / 满500减70 scope sku "S0", "S1", "S3", "S4", "S5" }
"#,
    )
    .expect("rules parse")
    .with_deadline(Duration::from_secs(60));
    let lines = [
        (19460, 3),
        (36741, 1),
        (39002, 3),
        (20203, 1),
        (28564, 1),
        (15605, 2),
        (1906, 1),
        (12627, 1),
    ];
    for reversed in [false, true] {
        let q = rules
            .quote(&cart(&lines, reversed), &Context::default(), &[] as &[&str])
            .expect("quote");
        let applied: Vec<&str> = q.applied.iter().map(|a| a.offer.as_str()).collect();
        println!(
            "reversed {reversed}: {} {} {applied:?}",
            q.payable.0, q.optimal
        );
        assert_eq!(q.payable.0, 0);
        assert_eq!(applied, ["o2", "o4", "o6"], "reversed: {reversed}");
        if !reversed {
            assert!(q.optimal);
        }
    }
}
