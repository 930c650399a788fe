//! # youhui (优惠)
//!
//! Promotion rules for e-commerce, written once in a small text language and answered
//! deterministically. Rule text is parsed by a pest grammar into an AST ([`syntax`]),
//! checked ([`check_rules`] collects every error and warning), and compiled into an
//! immutable, thread-safe [`RuleSet`].
//!
//! ```
//! let rules = youhui::RuleSet::parse(r#"
//! ruleset "天猫双11 示例店" {
//!   stages 单品, 店铺, 跨店, 平台券
//!   stage 店铺 max 2
//! }
//! activity shop300 "店铺每满300减50" {
//!   stage 店铺
//!   benefit 每满300减50 封顶150
//!   scope shop "nike"
//! }
//! "#)?;
//! assert_eq!(rules.offer("shop300").unwrap().benefit_text(), "every 300 off 50 cap 150");
//! # Ok::<(), youhui::Error>(())
//! ```
//!
//! ## Decisions where the spec is silent
//! - `N折` with three or more digits before the point is an error (`bad_rate`).
//! - An offer's title is optional; it defaults to the ID.
//! - Rates keep at most two decimals of a percent (`95.5折` is fine, `pct_off 1.234` is not).
//! - A presale needs both windows, and its balance window must open after its deposit window
//!   closes; `deposit_window`/`balance_window`/`group_hours` need the matching benefit.
//! - `excludes` is symmetric: the compiled form lists it on both offers, so the canonical
//!   text and the fingerprint do not depend on which side declared it.
//! - The `WindowFarAway` warning is given to every offer whose window is more than 365 days
//!   from all other offers' windows (with two such offers, both are warned).
//! - Timezone offsets go up to ±14:00; `Z` and `UTC` are accepted for +00:00.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod answer;
mod apportion;
pub mod ast;
mod best;
mod canonical;
mod check;
mod compile;
mod diagnostic;
mod equivalent;
mod error;
mod eval;
mod explain;
mod gap;
mod ir;
pub mod limits;
mod money;
mod query;
mod refund;
mod request;
mod ruleset;
mod syntax;

pub use answer::{
    Applied, Best, Detail, Eligibility, GiftGranted, LineQuote, NotApplied, NotChosen, Presale,
    Quote, Reason, Share, Shortfall, Stacking, WhyNot,
};
pub use canonical::{benefit_text, predicate_text};
pub use diagnostic::{Diagnostic, DiagnosticJson, DiagnosticKind, Report, Severity, Span, Spanned};
pub use equivalent::{Counterexample, Equivalence};
pub use error::{CheckError, CheckWarning, Error, EvalError, SyntaxError};
pub use explain::Explanation;
pub use gap::{Gap, GapStep};
pub use ir::{
    Benefit, Offer, OfferIdx, Predicate, Reward, RuleSet, Scope, ScopeTerm, Stage, StageIdx,
    ThresholdBase, Tier, TierAt, Window,
};
pub use money::{Money, Rate, Rounding, MAX_MONEY_CENTS};
pub use query::{Body, ErrorBody, Response, RulesId};
pub use refund::{Lost, Order, OrderApplied, OrderLine, OrderPresale, Refund, Return};
pub use request::{parse_now, parse_price, Cart, Context, GroupState, Line, Request, User};
pub use ruleset::{check_rules, Checked};
pub use syntax::GRAMMAR;

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RuleSet>();
};
