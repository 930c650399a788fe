//! The compiled, immutable rule set: the canonical form every query works on.
//!
//! Benefits are normalised (`半价` = `5折` = `pct_off 50`; `买一送一` = `buy 1 get 1`),
//! money is in cents, rates in hundredths of a percent, stages and offer IDs are indices,
//! times are Unix seconds, and scopes are sorted value lists ready for binary search.
//! Serialising it (serde) gives the canonical JSON form.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::lang::ast::{CmpOp, Dim, OfferKind, RefundPolicy};
use crate::lang::diagnostic::Diagnostic;
use crate::money::Rounding;

pub use crate::rules::benefit::*;

/// Index of an offer in declaration order.
pub type OfferIdx = usize;
/// Index of a stage in application order.
pub type StageIdx = usize;

/// A compiled rule set: immutable, `Send + Sync`, and cheap to clone (one `Arc`).
#[derive(Clone, Debug)]
pub struct RuleSet {
    pub(crate) inner: Arc<RuleSetData>,
    /// How long one query may take ([`crate::limits::DEFAULT_DEADLINE`] by default).
    pub(crate) deadline: std::time::Duration,
}

/// What a [`RuleSet`] holds.
#[derive(Debug, Serialize)]
pub(crate) struct RuleSetData {
    pub name: String,
    pub currency: String,
    /// Offset east of UTC in seconds.
    #[serde(serialize_with = "ser_offset")]
    pub timezone: i32,
    pub rounding: Rounding,
    pub stages: Vec<Stage>,
    pub refund: RefundPolicy,
    pub threshold_base: ThresholdBase,
    pub offers: Vec<Offer>,
    #[serde(skip)]
    pub index: BTreeMap<String, OfferIdx>,
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
    #[serde(skip)]
    pub fingerprint: u64,
    /// Offers by the scope values they name.
    #[serde(skip)]
    pub scope_index: crate::rules::scope_index::ScopeIndex,
}

impl RuleSetData {
    /// The offer with this ID (through the ID index).
    pub fn offer(&self, id: &str) -> Option<&Offer> {
        self.index.get(id).and_then(|&i| self.offers.get(i))
    }
}

fn ser_offset<S: Serializer>(secs: &i32, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&crate::time::format_offset(*secs))
}

/// A stage of application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// Its name.
    pub name: String,
    /// How many offers of this stage may apply to one line.
    pub max: u32,
}

/// Which amounts an offer tests its threshold on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdBase {
    /// After all earlier stages.
    Sequential,
    /// Before any offer.
    Original,
    /// Right after the stage with this index.
    After(StageIdx),
}

/// A time window, both ends inclusive, in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First second.
    pub start: i64,
    /// Last second.
    pub end: i64,
    /// The rule set's offset east of UTC in seconds, for display.
    pub offset: i32,
}

impl Window {
    /// Whether `t` (Unix seconds) lies inside, both ends included.
    pub fn contains(&self, t: i64) -> bool {
        self.start <= t && t <= self.end
    }
}

impl Serialize for Window {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Window", 2)?;
        st.serialize_field("start", &crate::time::rfc3339(self.start, self.offset))?;
        st.serialize_field("end", &crate::time::rfc3339(self.end, self.offset))?;
        st.end()
    }
}

/// One compiled offer.
#[derive(Clone, Debug, Serialize)]
pub struct Offer {
    /// Unique ID.
    pub id: String,
    /// Title as written.
    pub title: String,
    /// The title English sentences use (`title_en`), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// Activity or coupon.
    pub kind: OfferKind,
    /// Stage index.
    #[serde(skip)]
    pub stage: StageIdx,
    /// Stage name (for the JSON form).
    #[serde(rename = "stage")]
    pub stage_name: String,
    /// The canonical benefit.
    pub benefit: Benefit,
    /// Which lines it covers.
    pub scope: Scope,
    /// When it is valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid: Option<Window>,
    /// Who may use it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<Predicate>,
    /// Uses per user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_per_user: Option<u32>,
    /// Units per user at the benefit price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_per_user_qty: Option<u32>,
    /// Whether stock is limited (the request gives it).
    pub stock: bool,
    /// 独享: shares its lines with no other offer.
    pub exclusive: bool,
    /// 互斥 offers (symmetric closure), sorted by index.
    #[serde(skip)]
    pub excludes: Vec<OfferIdx>,
    /// The same, by ID (for the JSON form).
    #[serde(rename = "excludes", skip_serializing_if = "Vec::is_empty")]
    pub excludes_ids: Vec<String>,
    /// 仅可与…叠加, sorted by index; `None` when unrestricted.
    #[serde(skip)]
    pub only_with: Option<Vec<OfferIdx>>,
    /// The same, by ID (for the JSON form).
    #[serde(rename = "only_with", skip_serializing_if = "Option::is_none")]
    pub only_with_ids: Option<Vec<String>>,
    /// The first step of the benefit in Chinese (`满300减50`), the `next_benefit` of an unmet
    /// threshold; built once here so answers only copy it.
    #[serde(skip)]
    pub first_step_zh: String,
    /// Higher applies first within a stage.
    pub priority: i64,
    /// This offer's threshold base.
    pub threshold: ThresholdBase,
    /// Presale deposit window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposit_window: Option<Window>,
    /// Presale balance window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_window: Option<Window>,
    /// Group-buy time limit in hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_hours: Option<u32>,
    /// Declaration index.
    #[serde(skip)]
    pub order: OfferIdx,
}

/// One `scope`/`exclude` term: a dimension and its sorted, de-duplicated values.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScopeTerm {
    /// Which attribute of a line.
    pub dim: Dim,
    /// Accepted values, sorted.
    pub values: Vec<String>,
}

/// Which lines an offer covers: the union of `include` (all lines when `None`) minus the
/// union of `exclude`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// `None` = `scope all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<ScopeTerm>>,
    /// Removed from the scope; `exclude all` empties it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<ScopeTerm>,
    /// `exclude all` was written.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exclude_all: bool,
}

/// A compiled `audience` predicate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Predicate {
    /// Either holds.
    Or(Box<Predicate>, Box<Predicate>),
    /// Both hold.
    And(Box<Predicate>, Box<Predicate>),
    /// Does not hold.
    Not(Box<Predicate>),
    /// `user.level OP n`.
    Level(CmpOp, i64),
    /// `user.new == b`.
    New(bool),
    /// `user.tags has "t"`.
    Tag(String),
    /// `channel == "c"` (or `!=`).
    Channel(CmpOp, String),
}
