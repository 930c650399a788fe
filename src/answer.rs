//! Answers: the serde types every query returns (their JSON is the `ask` protocol).

use serde::{Serialize, Serializer};

pub use crate::lang::ast::StackRule;
use crate::money::Money;
use crate::rules::ir::TierAt;

/// Why an offer did not apply. Serialised as `{"code": "...", ...data}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The request time is before the offer starts.
    NotStarted {
        /// Start, RFC 3339 in the rule set's timezone.
        starts: String,
    },
    /// The request time is after the offer ended.
    Ended {
        /// End, RFC 3339 in the rule set's timezone.
        ended: String,
    },
    /// The `audience` predicate does not hold.
    Audience {
        /// The predicate, as rule text.
        predicate: String,
    },
    /// The per-user limit is used up.
    LimitReached {
        /// The limit.
        limit: u32,
    },
    /// No stock left.
    SoldOut,
    /// No cart line is in scope.
    NoLineInScope,
    /// The threshold is not reached on the offer's effective scope.
    ThresholdNotMet {
        /// How much more is needed (money string, or a unit count).
        shortfall: Shortfall,
        /// The benefit reached at that point (`满300减50`).
        next_benefit: String,
    },
    /// A coupon the user does not hold.
    NotHeld,
    /// Lost to another offer.
    Conflict {
        /// The offer it lost to.
        with: String,
        /// The deciding rule: `excludes`, `exclusive`, `only_with` or `stage_max`.
        rule: StackRule,
    },
    /// The group buy failed.
    GroupFailed,
    /// `best` only: the coupon could apply, but the cheapest selection does without it.
    AddsNothing {
        /// How much more the cart would pay with it (it breaks another offer's step).
        #[serde(skip_serializing_if = "Option::is_none")]
        costs_more: Option<Money>,
        /// The offer that would give less with it, when one does.
        #[serde(skip_serializing_if = "Option::is_none")]
        shrinks: Option<String>,
    },
}

impl Reason {
    /// The code (`threshold_not_met`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NotStarted { .. } => "not_started",
            Reason::Ended { .. } => "ended",
            Reason::Audience { .. } => "audience",
            Reason::LimitReached { .. } => "limit_reached",
            Reason::SoldOut => "sold_out",
            Reason::NoLineInScope => "no_line_in_scope",
            Reason::ThresholdNotMet { .. } => "threshold_not_met",
            Reason::NotHeld => "not_held",
            Reason::Conflict { .. } => "conflict",
            Reason::GroupFailed => "group_failed",
            Reason::AddsNothing { .. } => "adds_nothing",
        }
    }
}

/// What a next step counts: money in scope or units in scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepUnit {
    /// Money (`shortfall` is an amount).
    Amount,
    /// Units (`shortfall` is a count).
    Items,
}

/// A shortfall: money (`"2.00"`) or units (`1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// Money in scope.
    Amount(Money),
    /// Units in scope.
    Items(u64),
}

impl Serialize for Shortfall {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Shortfall::Amount(m) => m.serialize(s),
            Shortfall::Items(n) => s.serialize_u64(*n),
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Shortfall {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Shortfall".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let money = generator.subschema_for::<Money>();
        schemars::json_schema!({
            "description": "How much more is needed: an amount (money string) or a number of units.",
            "anyOf": [money, {"type": "integer", "minimum": 0}]
        })
    }
}

/// One offer's share of a line's discount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Share {
    /// Offer ID.
    pub offer: String,
    /// Amount off this line.
    pub amount: Money,
}

/// One line of a quote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LineQuote {
    /// Line ID.
    pub id: String,
    /// Unit price × quantity.
    pub original: Money,
    /// What the line pays.
    pub payable: Money,
    /// Every offer's share on this line, in application order.
    pub discounts: Vec<Share>,
}

/// How an applied offer reached its discount (data for explanations).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Detail {
    /// A threshold benefit: the base it was tested on and what was reached.
    Threshold {
        /// The threshold base over the effective scope.
        base: Money,
        /// Units in the effective scope.
        units: u64,
        /// The tier reached.
        reached: TierAt,
    },
    /// An every-N benefit.
    EveryN {
        /// The threshold base over the effective scope.
        base: Money,
        /// The multiple.
        step: Money,
        /// Full multiples reached.
        times: i64,
        /// Whether the cap limited it.
        capped: bool,
    },
    /// A per-unit or group benefit.
    Units {
        /// Units that got a benefit.
        units: u64,
    },
    /// Shipping waived.
    Shipping,
    /// A gift.
    Gift,
}

/// An offer that applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Applied {
    /// Offer ID.
    pub offer: String,
    /// Its stage.
    pub stage: String,
    /// Its whole discount (for free shipping: the fee waived).
    pub amount: Money,
    /// How it was reached.
    #[serde(skip)]
    pub detail: Detail,
    /// Whether it was cut down to what remained of its lines.
    #[serde(skip)]
    pub clamped: bool,
}

/// An offer that did not apply, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotApplied {
    /// Offer ID.
    pub offer: String,
    /// Why.
    pub reason: Reason,
    /// Whether its scope covers a line of the cart. An activity that touches no line stays
    /// in the data but is not worth a sentence to the customer.
    #[serde(skip)]
    pub in_cart: bool,
    /// For a threshold not met: an offer that kept lines of its scope it cannot share
    /// (`exclusive`, `excludes`, `only_with`), with the rule, so the explanation names why
    /// the base is smaller than the cart.
    #[serde(skip)]
    pub taken_by: Option<TakenBy>,
}

/// An offer that kept lines another offer cannot share, and the rule deciding it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TakenBy {
    /// The offer keeping the lines.
    pub offer: String,
    /// `exclusive`, `excludes` or `only_with`.
    pub rule: StackRule,
}

/// A gift granted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct GiftGranted {
    /// Offer ID.
    pub offer: String,
    /// The gift.
    pub gift: String,
}

/// A presale's two payments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Presale {
    /// Paid in the deposit window.
    pub deposit: Money,
    /// Paid in the balance window (`payable − deposit`).
    pub balance: Money,
}

/// The answer to `quote`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Quote {
    /// Sum of the lines' originals.
    pub original: Money,
    /// `original − (payable − shipping)`.
    pub discount: Money,
    /// Shipping fee after free-shipping offers.
    pub shipping: Money,
    /// What the customer pays, shipping included.
    pub payable: Money,
    /// Per line.
    pub lines: Vec<LineQuote>,
    /// Offers that applied, in application order.
    pub applied: Vec<Applied>,
    /// Activities and selected coupons that did not apply, in declaration order.
    pub not_applied: Vec<NotApplied>,
    /// Gifts granted.
    pub gifts: Vec<GiftGranted>,
    /// Deposit and balance when a presale applied.
    pub presale: Option<Presale>,
    /// The shipping fee before free shipping (for explanations).
    #[serde(skip)]
    pub shipping_before: Money,
    /// Whether the stacking choice is proven the documented one (lowest payable, then its
    /// tie-breaks). Only a choice whose search ran out of time or budget is not; the answer
    /// then carries `"optimal": false` (the field is absent when true).
    #[serde(skip_serializing_if = "is_true")]
    pub optimal: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

/// The totals of a quote, without detail ([`RuleSet::totals`](crate::RuleSet::totals)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Sum of the lines' originals.
    pub original: Money,
    /// `original − (payable − shipping)`.
    pub discount: Money,
    /// Shipping fee after free-shipping offers.
    pub shipping: Money,
    /// What the customer pays, shipping included.
    pub payable: Money,
}

/// The answer to `can_stack`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Stacking {
    /// Whether the declarations allow the two offers together.
    pub stack: bool,
    /// The deciding rule: `excludes`, `exclusive`, `only_with`, `stage_max` or `ok`.
    pub rule: StackRule,
    /// The rule in words (`plat excludes shop20`).
    pub detail: String,
    /// With a cart: whether both really apply to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub both_apply: Option<bool>,
    /// With a cart, when not both apply: why (`{"offer": ..., "reason": {...}}` or a
    /// `disjoint_scopes` code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<WhyNot>,
}

/// Why two offers that may stack do not both apply to a cart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum WhyNot {
    /// No line is in both scopes (each may still apply alone).
    DisjointScopes,
    /// One of them did not apply, for this reason (not a candidate, lost a contest,
    /// threshold not met).
    NotApplied {
        /// The offer.
        offer: String,
        /// Its reason.
        reason: Reason,
    },
}

/// The answer to `eligibility`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Eligibility {
    /// Whether the offer is eligible.
    pub eligible: bool,
    /// Why not.
    pub reason: Option<Reason>,
    /// The offer asked about.
    #[serde(skip)]
    pub offer: String,
}

/// A wallet coupon `best` did not choose, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NotChosen {
    /// Coupon ID.
    pub coupon: String,
    /// Why: ineligible (its reason), `conflict` with a chosen coupon, or `adds_nothing`.
    pub reason: Reason,
}

/// The answer to `best`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Best {
    /// The chosen coupons (those that apply), in declaration order.
    pub coupons: Vec<String>,
    /// The quote with them selected.
    pub quote: Quote,
    /// Every wallet coupon not chosen, in wallet order.
    pub not_chosen: Vec<NotChosen>,
    /// How many steps the search took (bounds computed, stacking choices included).
    #[serde(skip)]
    pub evaluated: usize,
}
