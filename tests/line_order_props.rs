//! The answer depends on the cart's content, not on the order of its lines: carts of up to
//! 20 lines under up to 10 activities of one stage (every line contested), quoted in a
//! shuffled order, pay the same.
//!
//! Unit prices differ between lines: equal units on two lines are a tie the spec breaks by
//! cart order too, and a later group benefit then sees other unit prices.
//!
//! The spec breaks exact ties by cart order (keepers line by line; a remainder cent to the
//! earlier line), so with a proven choice only the payable is compared, up to those
//! remainder cents (one per applied offer). A choice that is
//! not proven (`optimal: false`) is the best found by a search on the lines in ID order
//! (when the deadline leaves time for it): then every line keeps the same offers too, and
//! pays the same up to one remainder cent per offer on it.
//! (Finding the spec's first choice in cart order among equal ones is a second pass whose
//! cost depends on the order: one order may finish it and the other not, so the two
//! answers' `optimal` may differ while the payable does not.)

use proptest::prelude::*;
use youhui::{Cart, Context, Line, Money, Quote, RuleSet};

#[path = "common/benefits.rs"]
mod benefits;
use benefits::BENEFITS;

fn rules_text(offers: &[(usize, u8, bool, i8)], lines: usize, max: u8) -> String {
    let mut text = format!("ruleset \"order\" {{ stages a\n stage a max {max} }}\n");
    for (i, &(b, scope, exclusive, priority)) in offers.iter().enumerate() {
        let scope = if scope % 3 == 0 || lines < 2 {
            "scope all".to_string()
        } else {
            // Every `scope`-th line, a different slice for each offer.
            let skus: Vec<String> = (0..lines)
                .filter(|l| (l + i) % usize::from(scope % 3 + 1) == 0)
                .map(|l| format!("\"S{l}\""))
                .collect();
            if skus.is_empty() {
                "scope all".to_string()
            } else {
                format!("scope sku {}", skus.join(", "))
            }
        };
        text += &format!(
            "activity o{i} {{ stage a benefit {} {scope}{}{} }}\n",
            BENEFITS[b % BENEFITS.len()],
            if exclusive { " exclusive" } else { "" },
            if priority != 0 {
                format!(" priority {priority}")
            } else {
                String::new()
            }
        );
    }
    text
}

fn by_id(q: &Quote) -> Vec<(String, i64, Vec<String>)> {
    let mut v: Vec<(String, i64, Vec<String>)> = q
        .lines
        .iter()
        .map(|l| {
            let mut offers: Vec<String> = l.discounts.iter().map(|d| d.offer.clone()).collect();
            offers.sort();
            (l.id.clone(), l.payable.0, offers)
        })
        .collect();
    v.sort();
    v
}

/// Quotes the cart and a shuffled copy (a permutation from `seed`) and compares them.
fn shuffled_case(
    offers: &[(usize, u8, bool, i8)],
    lines: &[(i64, u32)],
    max: u8,
    seed: u64,
) -> Result<(), TestCaseError> {
    let text = rules_text(offers, lines.len(), max);
    // A deadline far beyond the step budget: the searches end on their steps, so both
    // orders get the same amount of search on any machine and under any load (at the
    // default 1 s a loaded CI machine cut one order's search and not the other's).
    let rules = RuleSet::parse(&text)
        .unwrap()
        .with_deadline(std::time::Duration::from_secs(60));
    let cart = Cart {
        lines: lines
            .iter()
            .enumerate()
            // Unit prices differ between lines (the line index in the last digits): equal
            // units on two lines are a tie the spec breaks by cart order, and a group
            // benefit applied after another then sees different unit prices (a
            // 买一送一 before a 第2件半价 moved 61.41 with the order).
            .map(|(i, &(cents, qty))| {
                let cents = cents / 20 * 20 + i64::try_from(i).unwrap();
                Line::new(&format!("L{i}"), &format!("S{i}"), "s", Money(cents), qty)
            })
            .collect(),
    };
    // A permutation from the seed (Fisher–Yates on a small LCG).
    let mut shuffled = cart.clone();
    let mut x = seed | 1;
    for i in (1..shuffled.lines.len()).rev() {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (x >> 33) as usize % (i + 1);
        shuffled.lines.swap(i, j);
    }
    let ctx = Context::default();
    let a = rules.quote(&cart, &ctx, &[] as &[&str]).unwrap();
    let b = rules.quote(&shuffled, &ctx, &[] as &[&str]).unwrap();
    // A remainder cent tied between two lines goes to the earlier one (spec), so an
    // offer applied after it over only one of them can move by that cent: at most one
    // cent per applied offer.
    let cents = i64::try_from(a.applied.len().max(1)).unwrap();
    prop_assert!(
        (a.payable.0 - b.payable.0).abs() <= cents,
        "{} and {}\n{}",
        a.payable,
        b.payable,
        text
    );
    // Both unproven: both the best found in content order. (One order may prove the
    // spec's tie-break among equal choices where the other runs out of budget: the
    // payable is the same, the keepers need not be.)
    if !a.optimal && !b.optimal {
        for (x, y) in by_id(&a).iter().zip(by_id(&b)) {
            prop_assert_eq!(&x.0, &y.0);
            // Each offer on the line apportions its own remainder cent by cart order.
            let cents = i64::try_from(x.2.len().max(1)).unwrap();
            prop_assert!(
                (x.1 - y.1).abs() <= cents,
                "{} pays {} and {}\n{}",
                x.0,
                x.1,
                y.1,
                text
            );
            prop_assert_eq!(&x.2, &y.2, "{} keeps different offers\n{}", x.0, text);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn shuffled_lines_pay_the_same(
        offers in prop::collection::vec((0..12usize, any::<u8>(), prop::bool::weighted(0.15), -1..2i8), 2..=10),
        lines in prop::collection::vec((500..40_000i64, 1..4u32), 1..=20),
        max in 1..3u8,
        seed in any::<u64>(),
    ) {
        shuffled_case(&offers, &lines, max, seed)?;
    }
}

/// Found by this file's proptest (random seed) once the one-stage DP decided contests:
/// in cart order its walk for the first choice in the last tie-break order finished and
/// proved 974.79; shuffled, the walk (then one pass in cart order) ran out and the branch
/// and bound answered 975.79. Now the lowest key is searched in content order and only the
/// tie-break depends on the cart's order: both orders prove 974.79.
#[test]
fn a_walk_cut_short_in_one_order_does_not_change_the_payable() {
    let offers = [
        (0, 49, false, 0),
        (3, 82, false, 0),
        (2, 32, false, 0),
        (4, 32, false, 1),
        (11, 113, false, 1),
        (0, 29, false, 0),
        (9, 151, false, 1),
        (8, 29, false, 0),
    ];
    let lines = [
        (500, 1),
        (15040, 3),
        (14100, 3),
        (4240, 1),
        (1980, 1),
        (18060, 3),
        (26020, 1),
        (5260, 3),
        (500, 1),
        (3460, 2),
        (7900, 2),
        (500, 1),
        (12300, 1),
    ];
    shuffled_case(&offers, &lines, 2, 797297210915268646).unwrap();
}

/// Found by this file's proptest: both quotes ran out of budget and paid the same
/// 1,908.69, yet L8 was kept by o1 and o6 in one order and by o1 and o4 in the other (the
/// searches compared near-equal choices a remainder cent apart, and the cent went to the
/// earlier line). An unproven choice is now made again on the lines in ID order and applied
/// in the cart's order. (Another such case, from a run with a random seed: offers
/// `[(4, 177, false, 0), (5, 54, false, 1), (0, 42, false, 0), (0, 0, false, 0),
/// (1, 0, false, 0), (0, 0, false, 0)]`, 15 lines, `max 2`, L2 kept by o1 and o2 or by o0
/// and o2 for the same 459.39.)
#[test]
fn unproven_search_keeps_the_same_offers_in_any_line_order() {
    let offers = [
        (1, 225, false, 0),
        (0, 2, false, -1),
        (1, 0, false, 0),
        (7, 11, true, 0),
        (4, 77, false, 0),
        (0, 145, false, 0),
        (5, 108, false, 0),
        (4, 47, false, 0),
        (3, 52, false, 0),
        (7, 79, false, 0),
    ];
    let lines = [
        (1720, 1),
        (4020, 1),
        (14817, 2),
        (958, 2),
        (28285, 3),
        (14765, 2),
        (16942, 1),
        (1996, 3),
        (832, 1),
        (19876, 2),
        (36617, 3),
        (8962, 3),
        (1711, 1),
    ];
    shuffled_case(&offers, &lines, 2, 4253329163719553239).unwrap();
}

/// Found by this file's proptest while the second search in ID order was being built:
/// when the deadline cut it, its poor best (2,989.81) replaced the first search's
/// (1,738.09). Now a second search cut by the deadline (or without time for it) leaves
/// the first choice standing; here, with time for both, both orders agree.
#[test]
fn a_second_search_cut_by_the_deadline_keeps_the_first_choice() {
    let offers = [
        (4, 192, false, 0),
        (10, 202, true, 0),
        (7, 158, false, 0),
        (6, 245, false, -1),
        (2, 237, false, 0),
        (8, 54, false, -1),
        (6, 35, true, 1),
        (0, 208, true, -1),
    ];
    let lines = [
        (37185, 3),
        (14909, 1),
        (35076, 1),
        (19830, 2),
        (2759, 1),
        (5739, 2),
        (3087, 2),
        (39298, 1),
        (33111, 3),
        (15638, 1),
    ];
    shuffled_case(&offers, &lines, 2, 17413383917430787178).unwrap();
}

/// Found with the one above (random seed), the same failure on another cart.
#[test]
fn a_second_search_cut_by_the_deadline_keeps_the_first_choice_2() {
    let offers = [
        (3, 124, false, 0),
        (4, 197, false, -1),
        (11, 246, false, 1),
        (3, 28, false, -1),
        (11, 117, false, 0),
        (0, 53, true, -1),
        (1, 93, false, 0),
        (9, 130, false, 1),
    ];
    let lines = [
        (5200, 3),
        (25503, 2),
        (35629, 3),
        (2220, 3),
        (18649, 2),
        (37241, 3),
        (8046, 3),
        (14787, 3),
        (28116, 2),
        (23788, 3),
    ];
    shuffled_case(&offers, &lines, 2, 11797612575333681736).unwrap();
}
