//! The evaluator: candidates, the stacking choice, and applying benefits stage by stage.
//!
//! Money is integer cents throughout. One quote runs in three steps:
//! 1. **Candidates** (`Prepared::until`): each offer's scope is resolved to the set of cart
//!    lines once, and the eligibility checks run in the documented order.
//! 2. **Choice** (`choose`): among the candidates, the conflict-free sets (`excludes`, from
//!    `conflict`) and, for every contested line, the keeper sets (compatibility, stage
//!    `max`, from `keepers`) are enumerated;
//!    every choice is applied and the cheapest wins, with the documented tie-breaks
//!    (`stage_dp`'s DP over the offers first, then every choice priced when there are few
//!    enough, else `assign`'s branch and bound,
//!    which prunes with `bound`'s lower bounds).
//! 3. **Application** (`apply`): stages in order, offers by priority then declaration;
//!    same-stage offers see the amounts at the stage's start; discounts are clamped to what
//!    remains and order-level ones apportioned by largest remainder.
//!
//! What a benefit gives is never computed here: every step asks the benefit algebra
//! (`benefit`, one file per form). Each query's buffers live in its `Prepared` cart
//! (`scratch`), not in thread-locals.

mod apply;
pub(crate) mod apportion;
pub(crate) mod assign;
pub(crate) mod benefit;
pub(crate) mod bound;
mod choose;
mod conflict;
mod keepers;
mod lines;
mod prepare;
pub(crate) mod scratch;
mod stage_dp;

pub(crate) use apply::*;
pub(crate) use choose::*;
use conflict::{conflict_free_sets, ConflictFreeSets};
pub(crate) use keepers::*;
pub(crate) use lines::*;
pub(crate) use prepare::*;
use stage_dp::{Contest, StageDp};

use std::cmp::Ordering;
use std::time::{Duration, Instant};

use crate::answer::*;
use crate::cart::{Cart, Context, GroupState};
use crate::error::EvalError;
use crate::eval::apportion::apportion;
use crate::lang::ast::CmpOp;
use crate::limits::{MAX_CART_UNITS, MAX_CHOICES, MAX_LINE_OFFERS};
use crate::rules::canonical::predicate_text;
use crate::rules::ir::*;
use crate::time::rfc3339;

impl crate::RuleSet {
    /// A cart prepared for one query, its deadline starting now.
    pub(crate) fn prepare<'a>(
        &'a self,
        cart: &'a Cart,
        ctx: &'a Context,
    ) -> Result<Prepared<'a>, EvalError> {
        Prepared::until(&self.inner, cart, ctx, Deadline::after(self.deadline()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::Line;
    use crate::money::Money;

    #[test]
    fn scope_index_agrees_with_direct_tests() {
        let rules = crate::RuleSet::parse(
            r#"ruleset "t" { stages s }
            activity all "a" { stage s benefit 直降1 }
            activity shop "b" { stage s benefit 直降1 scope shop "x", "y" exclude sku "s1" }
            activity tag "c" { stage s benefit 直降1 scope tag "t1" scope category "c1" exclude tag "t2" }
            activity none "d" { stage s benefit 直降1 exclude all }
            activity allx "e" { stage s benefit 直降1 exclude shop "y" exclude tag "t1" }
            activity sku "f" { stage s benefit 直降1 scope sku "s1", "s2" }"#,
        )
        .unwrap();
        let mut lines = Vec::new();
        for (i, (shop, sku, cat, tags)) in [
            ("x", "s1", "c1", vec!["t1"]),
            ("y", "s2", "c2", vec!["t2"]),
            ("z", "s3", "c1", vec!["t1", "t2"]),
            ("x", "s3", "", vec![]),
            ("", "s2", "c1", vec!["t3", "t1"]),
        ]
        .into_iter()
        .enumerate()
        {
            let mut l = Line::new(&format!("L{i}"), sku, shop, Money(100), 1).category(cat);
            for t in tags {
                l = l.tag(t);
            }
            lines.push(l);
        }
        // Enough lines to use the words past the first 64.
        for i in 0..70 {
            lines.push(Line::new(&format!("M{i}"), "s2", "y", Money(100), 1).tag("t1"));
        }
        let cart = Cart { lines };
        let ctx = Context::default();
        let p = Prepared::new(&rules.inner, &cart, &ctx).unwrap();
        for (o, offer) in rules.inner.offers.iter().enumerate() {
            for (i, l) in cart.lines.iter().enumerate() {
                assert_eq!(
                    p.scope[o].get(i),
                    in_scope(&offer.scope, l),
                    "{} {}",
                    offer.id,
                    l.id
                );
            }
        }
    }
}

#[cfg(test)]
mod apply_from_tests {
    use super::*;
    use crate::cart::Line;
    use crate::money::Money;

    /// Copying the stages before a change gives exactly what applying everything gives.
    #[test]
    fn apply_from_matches_a_full_application() {
        let rules = crate::RuleSet::parse(
            r#"ruleset "t" { stages 单品, 店铺, 平台 stage 店铺 max 2 }
            activity drop "直降" { stage 单品 benefit 直降5 scope sku "A" }
            activity shop "满减" { stage 店铺 benefit 每满100减10 scope shop "s" }
            activity ship "包邮" { stage 平台 benefit 满50包邮 }
            coupon p1 "平台券1" { stage 平台 benefit 满100减20 }
            coupon p2 "平台券2" { stage 平台 benefit 满50减8 }"#,
        )
        .unwrap();
        let cart = Cart {
            lines: (0..5)
                .map(|i| {
                    Line::new(
                        &format!("L{i}"),
                        if i % 2 == 0 { "A" } else { "B" },
                        "s",
                        Money(4_000 + 1_000 * i),
                        1 + i as u32 % 2,
                    )
                })
                .collect(),
        };
        let ctx = Context {
            shipping_fee: Money(1_000),
            ..Context::default()
        };
        let p = Prepared::new(&rules.inner, &cart, &ctx).unwrap();
        let applier = Applier::new(&p);
        let mut parts: Vec<OfferIdx> = (0..rules.inner.offers.len()).collect();
        parts.sort_by(|&a, &b| app_order(&rules.inner, a, b));
        let (p1, p2) = (
            parts
                .iter()
                .position(|&o| rules.inner.offers[o].id == "p1")
                .unwrap(),
            parts
                .iter()
                .position(|&o| rules.inner.offers[o].id == "p2")
                .unwrap(),
        );
        let mut keeps: Vec<Lines> = parts.iter().map(|&o| p.scope[o].clone()).collect();
        // The two platform coupons split the lines: p1 the even ones, p2 the odd ones.
        for l in 0..5 {
            if l % 2 == 0 {
                keeps[p2].clear(l)
            } else {
                keeps[p1].clear(l)
            }
        }
        let prev = applier.apply(&parts, &keeps);
        // Line 0 moves from p1 to p2: only the platform stage (2) changes.
        keeps[p1].clear(0);
        keeps[p2].set(0);
        let full = applier.apply(&parts, &keeps);
        let from = applier.apply_from(&parts, &keeps, Some(&prev), 2);
        assert_eq!(full.amount, from.amount);
        assert_eq!(full.shares, from.shares);
        assert_eq!(full.applied, from.applied);
        assert_eq!(full.unmet, from.unmet);
        assert_eq!(full.gifts, from.gifts);
        assert_eq!(full.bases, from.bases);
        assert_eq!(full.after_stage, from.after_stage);
        assert_eq!((full.shipping, full.deposit), (from.shipping, from.deposit));
        assert_ne!(
            prev.amount, full.amount,
            "the change must matter for the test to mean anything"
        );
    }
}
