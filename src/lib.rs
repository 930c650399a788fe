//! # youhui (优惠)
//!
//! Promotion rules for e-commerce, written once in a small text language and answered
//! deterministically. Rule text is parsed by a pest grammar ([`language::GRAMMAR`]) into an AST,
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
//! ## Queries
//!
//! | method | question |
//! | --- | --- |
//! | [`RuleSet::quote`] | 我最后付多少? what does this cart pay, what applied, what did not and why |
//! | [`RuleSet::totals`] | the same totals without detail: the fastest price check |
//! | [`RuleSet::eligibility`] | can I use this offer, and if not, why |
//! | [`RuleSet::can_stack`] | 能叠加吗? which rule decides, and does it happen on this cart |
//! | [`RuleSet::best`] | 用哪几张券最划算? |
//! | [`RuleSet::gap`] | 还差多少能再减? |
//! | [`RuleSet::refund`] | 退一件退多少钱? |
//! | [`RuleSet::equivalent`] | 买一送一和第二件半价一样吗? |
//! | [`RuleSet::answer`] | the `ask` JSON protocol, for bots |
//!
//! The [`guide`] walks through the rule language with one worked example per benefit kind.
//!
//! ## In a service
//! A [`RuleSet`] is immutable and cheap to share (`Arc` inside). [`SharedRules`] holds the
//! current one for worker threads and swaps it whole when the rule file changes: each request
//! answers from its own snapshot, and a new file that does not compile is refused while the
//! old rules keep answering. `youhui serve` (feature `serve`) is the ready-made HTTP service;
//! `examples/service.rs` shows one pricing route in your own axum app.
//!
//! ## Limits and deadlines
//! Every query has a deadline ([`limits::DEFAULT_DEADLINE`], 1 s; [`RuleSet::with_deadline`]
//! changes it): `best`, `gap` and `equivalent` answer `budget_exceeded` when it passes, a
//! quote answers its best choice found with `"optimal": false`. Searches are bounded in
//! steps first, so in practice the deadline only guards against an overloaded machine. The
//! sizes that bound memory and time (audience operators, stages, diagnostics, wallet size,
//! lines × offers, ...) are in [`limits`].
//!
//! ## Features
//! None by default: the engine alone (pest, rust_decimal, serde, chrono, thiserror).
//! - `json`: the JSON protocol (`RuleSet::answer_line`: one request line in, one answer
//!   out, as every front end answers) and `tools`, LLM tool definitions generated from the
//!   loaded rules (OpenAI strict mode, Anthropic, MCP).
//! - `schema`: `request_schema()` and `answer_schema()`, the JSON Schemas of the protocol
//!   derived from the serde types (`schemars`).
//! - `cli`: the `youhui` binary (clap, and rmcp with tokio for `youhui mcp`);
//!   `cargo install youhui --features serve` installs it with the service.
//! - `serve`: `youhui serve`, the HTTP service (axum, hyper, tower-http, notify, tracing,
//!   prometheus-client).
//!
//! ## Behaviour in detail
//! (`docs/language.md` in the repository is the full reference of the language and of how
//! a cart is priced.)
//! - `N折` with three or more digits before the point is an error (`bad_rate`).
//! - An offer's title is optional; it defaults to the ID. An offer may add `title_en "..."`,
//!   the title English sentences use (Chinese ones use the title); it is part of the
//!   canonical text, so it counts in the fingerprint.
//! - Rates keep at most two decimals of a percent (`95.5折` is fine, `pct_off 1.234` is not).
//! - A presale needs both windows, and its balance window must open after its deposit window
//!   closes; `deposit_window`/`balance_window`/`group_hours` need the matching benefit.
//! - `excludes` is symmetric: the compiled form lists it on both offers, so the canonical
//!   text and the fingerprint do not depend on which side declared it.
//! - The `WindowFarAway` warning is given to every offer whose window is more than 365 days
//!   from all other offers' windows (with two such offers, both are warned).
//! - Timezone offsets go up to ±14:00; `Z` and `UTC` are accepted for +00:00.
//! - A line whose amount is not a multiple of its quantity (after an earlier discount was
//!   apportioned to it) has units one cent apart: the first `amount % qty` units cost one
//!   cent more. Per-unit benefits and group benefits use those unit prices.
//! - `limit per_user_qty` limits per-unit benefits (`unit_price`, `unit_off`, `pct_off`, group
//!   price, deposit); group benefits (`nth`, `buy get`, `bundle`) ignore it. When the units
//!   already bought reach the limit the offer is `limit_reached`.
//! - A free-shipping offer that applies is listed in `applied` with the fee it waived; a gift
//!   with `0.00` and in `gifts`. An offer that applies but gives nothing (a `unit_price`
//!   above the current price) is listed in `applied` with `0.00`.
//! - Presale: `now` between the deposit window's end and the balance window's start is
//!   `not_started` (with the balance window's start).
//! - `context.wallet` (optional): the coupons the user holds; a selected coupon not in it is
//!   `not_held`. Without it, every selected coupon is held.
//! - Group buy: no state in the context means `open`.
//! - `can_stack` with a cart: `both_apply` is true when both apply and share a line (or one
//!   has no price effect); `why_not` is `disjoint_scopes` or the reason one did not apply.
//! - `gap` without `offer` ranks steps by extra discount per yuan of shortfall (amount steps
//!   before item steps), then the smaller shortfall, then declaration order. An item step
//!   prices the added items at the scope's average unit price.
//! - `refund`: `balance_paid: false` refunds nothing for a presale (the deposit is kept); an
//!   order with a group-buy offer whose group failed is refunded in full, shipping included.
//! - The stacking choice tries every combination of keepers up to 64 per conflict-free set
//!   (ties broken by keepers in cart order). Beyond, a branch and bound
//!   finds the lowest key (payable, then priority sum, then fewer applied offers) searching
//!   lines in an order fixed by the cart's content, then, with the key proven, the first
//!   choice with that key in cart order (the last tie-break). Its budget is counted
//!   in bounds, not time (60,000 bounds for 8 lines under 8 candidates, less in proportion
//!   above, at least 1,000), so the same request always gets the same answer. A choice
//!   whose search ran out of budget (or, as a safety net, past the deadline) is the best
//!   found, the same whatever the order of the cart's lines, and the quote says
//!   `"optimal": false`. Up to 256 contested lines per conflict-free set are searched; beyond,
//!   lines with identical offers choose alike and then each line is improved alone,
//!   visiting lines by ID. `best` needs proof, so there it answers `budget_exceeded`.
//! - `best` is exact at every wallet size (an admissible lower bound; `youhui::bound`'s
//!   docs in the source explain it). Its cost depends on the contests, not the wallet size:
//!   a realistic wallet (one shop coupon per shop, one platform coupon per order) of 30
//!   coupons on 50 lines takes a few thousand steps, but several same-stage coupons that
//!   may split one order's lines between them make it a bin-covering search that can hit
//!   the budget (`benches/README.md` has both).
//! - `nth`, `buy N get M` and `bundle` with fewer units in scope than one full group are
//!   `threshold_not_met` with the units short (`还差1件可享第2件半价`), so a return that breaks
//!   a 第二件半价 lists it in `lost`; `gap` gives the units that complete the next full group
//!   (`unit: items`), its extra discount priced at the scope's average unit price.
//! - `best` explains a wallet coupon that fails its threshold only because a chosen coupon
//!   took its lines as `conflict` with that coupon; one that fails on its own reports the
//!   shortfall on its whole scope.
//! - Explanations print times as `2026-11-11 00:59:59` in the rule set's timezone (the
//!   reason's data keeps RFC 3339) and `audience` conditions in words.
//! - Cart order: a tied remainder cent goes to the earlier line, so when two lines
//!   tie, an offer applied later over only one of them can differ by that cent in another
//!   cart order (see `tests/eval_props.rs`).
//!
//! - `payable` is the lines' payable plus shipping: a request with a `shipping_fee` and no
//!   free-shipping offer that applies answers that fee in `shipping` and adds it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// pest_derive without `std` (no per-rule stack probe: nesting is bounded before parsing)
// generates code that names `alloc`.
extern crate alloc;

// The pipeline, base first: each module uses only those above it in this list.
mod answer;
pub mod cart;
mod error;
mod eval;
mod explain;
pub mod guide;
mod lang;
pub mod limits;
pub mod money;
pub mod protocol;
mod queries;
mod rules;
mod time;
#[cfg(feature = "json")]
pub use protocol::tools;

/// The rule language: diagnostics of a rule file, its errors and warnings, the grammar and
/// `youhui fmt`'s layout.
pub mod language {
    pub use crate::lang::diagnostic::{
        Diagnostic, DiagnosticJson, DiagnosticKind, Report, Severity, Span, Spanned, SOURCE_WINDOW,
    };
    pub use crate::lang::error::{CheckError, CheckWarning, SyntaxError};
    pub use crate::lang::layout::layout_rule_text;
    pub use crate::lang::syntax::GRAMMAR;
    pub use crate::rules::ruleset::{check_rules, Checked};
}

/// The compiled rule set's model (offers, benefits, scopes, windows, stages), its canonical
/// text, and a rule set shared by a service and reloaded from its file.
pub mod model {
    pub use crate::lang::ast::{CmpOp, Dim, OfferKind, RefundPolicy};
    pub use crate::rules::benefit::{
        Bundle, BuyGet, Deposit, EveryN, FreeShipping, Gift, GroupBuy, Nth, PctOff, Tiered,
        UnitOff, UnitPrice,
    };
    pub use crate::rules::canonical::{benefit_text, predicate_text};
    pub use crate::rules::ir::{
        Benefit, Offer, OfferIdx, Predicate, Reward, RuleSet, Scope, ScopeTerm, Stage, StageIdx,
        ThresholdBase, Tier, TierAt, Window,
    };
    pub use crate::rules::ruleset::RulesId;
    pub use crate::rules::shared::{FileStatus, ReloadError, SharedRules, SETTLE};
}

/// Everything a query answers with: the quote and its parts, eligibility, stacking, the
/// best coupons, gaps, refunds (and the order a refund takes), equivalence, the offers in
/// words, and the explanation and summary sentences.
pub mod answers {
    pub use crate::answer::{
        Applied, Best, Detail, Eligibility, GiftGranted, LineQuote, NotApplied, NotChosen, Presale,
        Quote, Reason, Share, Shortfall, StackRule, Stacking, StepUnit, TakenBy, Totals, WhyNot,
    };
    pub use crate::explain::summary::Summary;
    pub use crate::explain::Explanation;
    pub use crate::queries::equivalent::{Counterexample, Equivalence};
    pub use crate::queries::gap::{Gap, GapStep};
    pub use crate::queries::offers::{OfferInfo, OfferList, WindowWords, Words};
    pub use crate::queries::refund::{
        Lost, Order, OrderApplied, OrderLine, OrderPresale, Refund, RefundRule, Return,
    };
}

pub use answers::{
    Best, Eligibility, Equivalence, Explanation, Gap, Order, Quote, Refund, Return, Stacking,
    Summary, Totals,
};
pub use cart::{Cart, Context, Line, User};
pub use error::{Error, EvalError, OfferSuggestion};
pub use language::{check_rules, Checked, Diagnostic, Report};
pub use model::{RuleSet, SharedRules};
pub use money::{Money, Rate};

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RuleSet>();
    assert_send_sync::<SharedRules>();
};
