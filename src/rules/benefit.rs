//! What a benefit says, in canonical form: one variant per benefit form, each holding a
//! named struct of its parameters (money in cents, rates in hundredths of a percent).
//!
//! This is data only. How each form applies, what it lacks for its next step and how much
//! it can give at most or surely gives (the benefit algebra) lives in
//! the evaluator's `benefit` module, one file per form; the texts live in `words`.

use serde::Serialize;

use crate::money::{Money, Rate};

/// A benefit in canonical form. Serialised with a `kind` tag and the form's fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Benefit {
    /// Thresholds with tiers (the highest tier reached applies).
    Tiered(Tiered),
    /// Amount off per full multiple, with an optional cap.
    EveryN(EveryN),
    /// A rate on every unit in scope.
    PctOff(PctOff),
    /// An amount off each unit.
    UnitOff(UnitOff),
    /// Each unit costs this (never raises a price).
    UnitPrice(UnitPrice),
    /// In each group of `n` units the cheapest gets `rate` off.
    Nth(Nth),
    /// In each group of `buy + get` units the `get` cheapest are free.
    BuyGet(BuyGet),
    /// Each group of `n` units costs `price`.
    Bundle(Bundle),
    /// Shipping becomes free (when the scope reaches `spend`).
    FreeShipping(FreeShipping),
    /// A gift; no price effect.
    Gift(Gift),
    /// Presale: pay `deposit` now, it counts as `worth`.
    Deposit(Deposit),
    /// Group buy: unit price when the group forms.
    GroupBuy(GroupBuy),
}

/// `满300减50 / 满500减100`, `满3件打8折`: the highest tier reached applies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tiered {
    /// Strictly increasing tiers.
    pub tiers: Vec<Tier>,
}

/// `每满300减50`, optionally `封顶150`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EveryN {
    /// The multiple.
    pub step: Money,
    /// Off per multiple.
    pub off: Money,
    /// Most it can give.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<Money>,
}

/// `8折`: a rate on every unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PctOff {
    /// Percent off.
    pub rate: Rate,
}

/// `直降20`: an amount off each unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct UnitOff {
    /// Off per unit.
    pub off: Money,
}

/// `特价99`: each unit costs this (never more than before).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct UnitPrice {
    /// The price.
    pub price: Money,
}

/// `第2件半价`: in each group of `n` units the cheapest gets `rate` off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Nth {
    /// Group size.
    pub n: u32,
    /// Rate on the cheapest unit.
    pub rate: Rate,
}

/// `买2送1`: in each group of `buy + get` units the `get` cheapest are free.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct BuyGet {
    /// Units bought.
    pub buy: u32,
    /// Units free.
    pub get: u32,
}

/// `3件99元`: each group of `n` units costs `price`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bundle {
    /// Group size.
    pub n: u32,
    /// Group price.
    pub price: Money,
}

/// `包邮`, `满99包邮`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FreeShipping {
    /// Threshold, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend: Option<Money>,
}

/// `满200赠保温杯`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gift {
    /// Threshold, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend: Option<Money>,
    /// The gift's name.
    pub gift: String,
}

/// `定金100抵200`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Deposit {
    /// Paid per unit in the deposit window.
    pub deposit: Money,
    /// What it counts for per unit.
    pub worth: Money,
}

/// `拼团价59 3人团`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct GroupBuy {
    /// Unit price.
    pub price: Money,
    /// Group size.
    pub size: u32,
}

/// One tier of a threshold benefit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Tier {
    /// What must be reached.
    pub at: TierAt,
    /// What it gives.
    pub reward: Reward,
}

/// A tier's threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TierAt {
    /// An amount in scope.
    Spend(Money),
    /// A number of units in scope.
    Items(u32),
}

/// A tier's reward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reward {
    /// A fixed amount off the scope.
    Off(Money),
    /// A rate on the scope.
    PctOff(Rate),
}
