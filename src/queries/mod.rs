//! The questions a bot asks, each built on the evaluator: `quote` (what do I pay),
//! `totals`, `eligibility` and `can_stack` (`quote`), `best` (which coupons), `gap` (how much
//! more for the next discount), `refund` (what a return gives back), `equivalent` (do two
//! benefits price every cart alike) and `offers` (every offer in words).
//!
//! Uses `eval`, `rules` and the base modules; never `explain` or `protocol`.

pub(crate) mod best;
pub(crate) mod equivalent;
pub(crate) mod gap;
pub(crate) mod offers;
pub(crate) mod quote;
pub(crate) mod refund;
