//! The abstract syntax tree: what the rule text says, with spans, before any checking.
//!
//! Fields are kept as written, in order, so the check pass can report duplicates and
//! missing fields at their positions. Numbers are kept as decimals with their spans; only
//! `compile` turns them into cents and rates.

use rust_decimal::Decimal;

use crate::lang::diagnostic::{Span, Spanned};
use crate::money::Rounding;

/// A number as written (`300`, `300.5`; `¥`/`元` stripped) with its span.
pub type Num = Spanned<Decimal>;
/// A count (digits or Chinese numerals) with its span.
pub type Count = Spanned<u64>;
/// A name (stage or offer ID) with its span.
pub type Name = Spanned<String>;

/// A whole rule file.
#[derive(Clone, Debug, Default)]
pub struct File {
    /// The `ruleset` header, if it parsed.
    pub header: Option<Header>,
    /// The offers that parsed, in file order.
    pub offers: Vec<Offer>,
}

/// `ruleset NAME { ... }`.
#[derive(Clone, Debug)]
pub struct Header {
    /// The rule set's name.
    pub name: Spanned<String>,
    /// Fields in file order.
    pub fields: Vec<Spanned<HeaderField>>,
}

/// One header field.
#[derive(Clone, Debug)]
pub enum HeaderField {
    /// `currency CNY`.
    Currency(String),
    /// `timezone +08:00`, as written.
    Timezone(String),
    /// `rounding half_up`.
    Rounding(Rounding),
    /// `stages a, b, c`.
    Stages(Vec<Name>),
    /// `stage NAME max N`.
    StageMax(Name, Count),
    /// `refund apportioned|recompute`.
    Refund(RefundPolicy),
    /// `threshold_base sequential|after STAGE|original`.
    ThresholdBase(ThresholdMode),
}

impl HeaderField {
    /// The keyword, for duplicate reports.
    pub fn keyword(&self) -> &'static str {
        match self {
            HeaderField::Currency(_) => "currency",
            HeaderField::Timezone(_) => "timezone",
            HeaderField::Rounding(_) => "rounding",
            HeaderField::Stages(_) => "stages",
            HeaderField::StageMax(..) => "stage max",
            HeaderField::Refund(_) => "refund",
            HeaderField::ThresholdBase(_) => "threshold_base",
        }
    }
}

/// How refunds are computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundPolicy {
    /// What the returned units paid, from the order's apportionment.
    #[default]
    Apportioned,
    /// Paid minus the payable of the remaining units.
    Recompute,
}

impl RefundPolicy {
    /// The keyword used in rule text.
    pub fn keyword(self) -> &'static str {
        match self {
            RefundPolicy::Apportioned => "apportioned",
            RefundPolicy::Recompute => "recompute",
        }
    }
}

/// Which amounts a threshold is tested on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ThresholdMode {
    /// After all earlier stages.
    Sequential,
    /// Before any offer.
    Original,
    /// Right after the named stage.
    After(Name),
}

/// `activity ID "TITLE" { ... }` or `coupon ID "TITLE" { ... }`.
#[derive(Clone, Debug)]
pub struct Offer {
    /// Activity or coupon.
    pub kind: OfferKind,
    /// The unique ID.
    pub id: Name,
    /// The title (the ID when none is written).
    pub title: String,
    /// Fields in file order.
    pub fields: Vec<Spanned<OfferField>>,
    /// The whole offer.
    pub span: Span,
}

/// Whether an offer applies by itself or must be selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// Applies automatically when eligible.
    Activity,
    /// Applies only when selected or held.
    Coupon,
}

impl OfferKind {
    /// The keyword used in rule text.
    pub fn keyword(self) -> &'static str {
        match self {
            OfferKind::Activity => "activity",
            OfferKind::Coupon => "coupon",
        }
    }
}

/// The rule of the language deciding whether two offers may stack, as answers name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StackRule {
    /// Nothing keeps them apart.
    Ok,
    /// One `excludes` the other (互斥).
    Excludes,
    /// One is `exclusive` (独享) and they meet on a line.
    Exclusive,
    /// One's `only_with` list leaves the other out.
    OnlyWith,
    /// Their stage's `max` is reached (or it is one offer).
    StageMax,
}

impl StackRule {
    /// The name answers use (`excludes`, `stage_max`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            StackRule::Ok => "ok",
            StackRule::Excludes => "excludes",
            StackRule::Exclusive => "exclusive",
            StackRule::OnlyWith => "only_with",
            StackRule::StageMax => "stage_max",
        }
    }
}

impl std::fmt::Display for StackRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for StackRule {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One offer field.
#[derive(Clone, Debug)]
pub enum OfferField {
    /// `stage NAME`.
    Stage(Name),
    /// `benefit PHRASE`.
    Benefit(Benefit),
    /// `scope ...` (repeatable: a union).
    Scope(ScopeSel),
    /// `exclude ...` (repeatable).
    Exclude(ScopeSel),
    /// `valid T to T`.
    Valid(Window),
    /// `audience EXPR`.
    Audience(Expr),
    /// `limit per_user N`.
    LimitPerUser(Count),
    /// `limit per_user_qty N`.
    LimitPerUserQty(Count),
    /// `stock`.
    Stock,
    /// `exclusive`.
    Exclusive,
    /// `excludes ID, ...`.
    Excludes(Vec<Name>),
    /// `only_with ID, ...`.
    OnlyWith(Vec<Name>),
    /// `priority N`.
    Priority(i64),
    /// `threshold original|after STAGE|sequential`.
    Threshold(ThresholdMode),
    /// `deposit_window T to T`.
    DepositWindow(Window),
    /// `balance_window T to T`.
    BalanceWindow(Window),
    /// `group_hours N`.
    GroupHours(Count),
    /// `title_en "..."`: the title English sentences use.
    TitleEn(Spanned<String>),
}

impl OfferField {
    /// The keyword, for duplicate reports.
    pub fn keyword(&self) -> &'static str {
        match self {
            OfferField::Stage(_) => "stage",
            OfferField::Benefit(_) => "benefit",
            OfferField::Scope(_) => "scope",
            OfferField::Exclude(_) => "exclude",
            OfferField::Valid(_) => "valid",
            OfferField::Audience(_) => "audience",
            OfferField::LimitPerUser(_) => "limit per_user",
            OfferField::LimitPerUserQty(_) => "limit per_user_qty",
            OfferField::Stock => "stock",
            OfferField::Exclusive => "exclusive",
            OfferField::Excludes(_) => "excludes",
            OfferField::OnlyWith(_) => "only_with",
            OfferField::Priority(_) => "priority",
            OfferField::Threshold(_) => "threshold",
            OfferField::DepositWindow(_) => "deposit_window",
            OfferField::BalanceWindow(_) => "balance_window",
            OfferField::GroupHours(_) => "group_hours",
            OfferField::TitleEn(_) => "title_en",
        }
    }
}

/// `T to T`, as written (local time in the rule set's timezone).
#[derive(Clone, Debug)]
pub struct Window {
    /// Start, as written.
    pub start: Spanned<String>,
    /// End, as written.
    pub end: Spanned<String>,
}

/// A dimension a scope selects on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// The line's shop.
    Shop,
    /// The line's category.
    Category,
    /// The line's SKU.
    Sku,
    /// One of the line's tags.
    Tag,
}

impl Dim {
    /// The keyword used in rule text.
    pub fn keyword(self) -> &'static str {
        match self {
            Dim::Shop => "shop",
            Dim::Category => "category",
            Dim::Sku => "sku",
            Dim::Tag => "tag",
        }
    }
}

/// `all` or `DIM "v1", "v2"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeSel {
    /// Every line.
    All,
    /// Lines whose dimension has one of the values.
    Values(Dim, Vec<String>),
}

/// An `audience` expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `field OP value`.
    Compare(Name, CmpOp, Spanned<Value>),
    /// `field has "x"`.
    Has(Name, Spanned<String>),
    /// `field` alone (a boolean).
    Flag(Name),
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum CmpOp {
    /// `==`
    #[serde(rename = "==")]
    Eq,
    /// `!=`
    #[serde(rename = "!=")]
    Ne,
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
}

impl CmpOp {
    /// The operator that holds exactly when this one does not (`not (level >= 2)` is
    /// `level < 2`).
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A literal in an audience comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `"app"`.
    Str(String),
    /// `3`.
    Int(i64),
    /// `true` / `false`.
    Bool(bool),
}

/// A rate as written, already turned into a percentage off.
#[derive(Clone, Debug)]
pub struct RateAst {
    /// Percent off (`8折` → 20).
    pub pct_off: Decimal,
    /// The text as written, for messages.
    pub text: String,
    /// Where.
    pub span: Span,
    /// Set when the text is a malformed `N折` (three or more digits).
    pub bad_zhe: bool,
}

/// A benefit phrase, in either language.
#[derive(Clone, Debug)]
pub enum Benefit {
    /// `满300减50 / 满500减100`, `满3件打7折`, `spend 300 off 50`.
    Tiered(Vec<Tier>),
    /// `每满300减50 封顶150`.
    EveryN {
        /// The multiple.
        step: Num,
        /// Off per multiple.
        off: Num,
        /// Optional cap.
        cap: Option<Num>,
    },
    /// `8折`, `pct_off 20`: a rate on every unit.
    PctOff(RateAst),
    /// `直降20`.
    UnitOff(Num),
    /// `特价99`, `秒杀价99`.
    UnitPrice(Num),
    /// `第二件半价`.
    Nth(Count, RateAst),
    /// `买一送一`.
    BuyGet(Count, Count),
    /// `3件99元`.
    Bundle(Count, Num),
    /// `包邮`, `满99包邮`.
    FreeShipping(Option<Num>),
    /// `满300赠"保温杯"`.
    Gift(Option<Num>, String),
    /// `定金100抵200`.
    Deposit(Num, Num),
    /// `拼团价79 3人团`.
    GroupBuy(Num, Count),
}

/// One tier of a threshold benefit.
#[derive(Clone, Debug)]
pub struct Tier {
    /// What must be reached.
    pub at: TierAt,
    /// What it gives.
    pub reward: Reward,
    /// The whole tier.
    pub span: Span,
}

/// A tier's threshold.
#[derive(Clone, Debug)]
pub enum TierAt {
    /// An amount in scope.
    Amount(Num),
    /// A number of units in scope.
    Items(Count),
}

/// A tier's reward.
#[derive(Clone, Debug)]
pub enum Reward {
    /// A fixed amount off the scope.
    Off(Num),
    /// A rate on the scope.
    Rate(RateAst),
}
