//! `refund` (退一件退多少钱): what returning units of a previous order gives back.
//!
//! - `apportioned` (default): each line's payable is split over its units by largest
//!   remainder (ties: earlier unit); the returned units are the line's last units.
//! - `recompute`: what was paid minus the payable of the remaining units with the same
//!   selection, both without shipping; never more than the apportioned refund, never below 0.
//!
//! Either way `lost` lists the offers that applied to the order but not to what remains,
//! with their whole discount in the order and why. Shipping is never refunded by these
//! rules, except that an order placed in a failed group buy is refunded in full; a presale
//! whose balance was never paid refunds nothing (the deposit is kept).

use serde::{Deserialize, Serialize};

use crate::answer::Reason;
use crate::cart::{Cart, Context, GroupState};
use crate::error::{Error, EvalError};
use crate::lang::ast::{OfferKind, RefundPolicy};
use crate::money::Money;
use crate::rules::ir::*;

/// A field of a quote answer a refund does not read: accepted (an order is a pasted quote
/// answer), never looked at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Unread;

impl<'de> Deserialize<'de> for Unread {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| Unread)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Unread {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Unread".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"description": "Part of the quote answer; not read."})
    }
}

/// A previous `quote` answer, as much of it as a refund needs. The other fields of a quote
/// answer are accepted and not read; any other field is refused, so a misspelt `applied`
/// is a `bad_request`, not a silently different order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// What was paid, shipping included.
    #[serde(deserialize_with = "crate::cart::de_money")]
    pub payable: Money,
    /// Shipping paid.
    #[serde(default, deserialize_with = "crate::cart::de_money")]
    pub shipping: Money,
    /// Lines with what each paid.
    pub lines: Vec<OrderLine>,
    /// Offers that applied.
    #[serde(default)]
    pub applied: Vec<OrderApplied>,
    /// Deposit and balance, for a presale.
    #[serde(default)]
    pub presale: Option<OrderPresale>,
    /// The rule set that answered the order. When it is the loaded one, the order is
    /// quoted again and must match (else `order_mismatch`).
    #[serde(default)]
    pub rules: Option<crate::rules::ruleset::RulesId>,
    /// The rest of a quote answer, not read.
    #[serde(default, rename = "original")]
    pub _original: Option<Unread>,
    /// Not read.
    #[serde(default, rename = "discount")]
    pub _discount: Option<Unread>,
    /// Not read.
    #[serde(default, rename = "not_applied")]
    pub _not_applied: Option<Unread>,
    /// Not read.
    #[serde(default, rename = "gifts")]
    pub _gifts: Option<Unread>,
    /// Not read.
    #[serde(default, rename = "optimal")]
    pub _optimal: Option<Unread>,
    /// Not read.
    #[serde(default, rename = "summary")]
    pub _summary: Option<Unread>,
    /// Not read.
    #[serde(default, rename = "explain")]
    pub _explain: Option<Unread>,
    /// Not read.
    #[serde(default, rename = "id")]
    pub _id: Option<Unread>,
}

/// One line of a previous order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    /// Line ID (as in the cart).
    pub id: String,
    /// What the line paid.
    #[serde(deserialize_with = "crate::cart::de_money")]
    pub payable: Money,
    /// Not read.
    #[serde(default, rename = "original")]
    pub _original: Option<Unread>,
    /// Not read.
    #[serde(default, rename = "discounts")]
    pub _discounts: Option<Unread>,
}

/// One applied offer of a previous order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderApplied {
    /// Offer ID.
    pub offer: String,
    /// Its whole discount.
    #[serde(deserialize_with = "crate::cart::de_money")]
    pub amount: Money,
    /// Not read.
    #[serde(default, rename = "stage")]
    pub _stage: Option<Unread>,
}

/// A previous order's presale figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderPresale {
    /// Deposit paid.
    #[serde(deserialize_with = "crate::cart::de_money")]
    pub deposit: Money,
    /// Balance.
    #[serde(deserialize_with = "crate::cart::de_money")]
    pub balance: Money,
}

/// Units returned from one line.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Return {
    /// Line ID.
    pub line: String,
    /// Units returned.
    pub qty: u32,
}

/// An offer lost by a return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Lost {
    /// Offer ID.
    pub offer: String,
    /// Its whole discount in the order.
    pub amount: Money,
    /// Why it no longer applies to what remains.
    pub reason: Reason,
}

/// The special rule that decided a refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundRule {
    /// The group buy failed: the whole payable comes back.
    GroupFailed,
    /// The presale balance was never paid: the deposit is kept.
    DepositKept,
}

/// The answer to `refund`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Refund {
    /// Money returned.
    pub refund: Money,
    /// Offers that applied to the order but not to what remains.
    pub lost: Vec<Lost>,
    /// The policy used: `apportioned` or `recompute`.
    pub policy: RefundPolicy,
    /// Why the refund is what it is, when a special rule decided it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<RefundRule>,
    /// The apportioned refund (the ceiling of a recomputed one).
    #[serde(skip)]
    pub apportioned: Money,
    /// Every unit of the order is returned.
    #[serde(skip)]
    pub whole_order: bool,
}

/// What the last `k` of `qty` units paid when `payable` is split by largest remainder
/// (ties: earlier unit, so the extra cents sit on the first units).
pub(crate) fn last_units_share(payable: i64, qty: u32, k: u32) -> i64 {
    let q = i64::from(qty.max(1));
    let k = i64::from(k.min(qty));
    let (base, extra) = (payable.div_euclid(q), payable.rem_euclid(q));
    let extra_in_last = (extra - (q - k)).max(0);
    base * k + extra_in_last
}

impl RuleSet {
    /// The refund for returning `returns` from `order` (a previous quote of `cart` and
    /// `ctx`), by the rule set's refund policy. `balance_paid` is false for a presale whose
    /// balance was never paid.
    pub fn refund(
        &self,
        order: &Order,
        cart: &Cart,
        ctx: &Context,
        returns: &[Return],
        balance_paid: bool,
    ) -> Result<Refund, Error> {
        let rules = &self.inner;
        cart.validate()?;
        // Returned units per cart line, validated.
        let mut back = vec![0u32; cart.lines.len()];
        if returns.is_empty() {
            return Err(EvalError::bad(
                "returns",
                "name at least one line to return ([{\"line\": \"L1\", \"qty\": 1}])".into(),
            )
            .into());
        }
        for r in returns {
            let Some(i) = cart.lines.iter().position(|l| l.id == r.line) else {
                return Err(EvalError::bad(
                    "returns.line",
                    format!("no line \"{}\" in the cart", r.line),
                )
                .into());
            };
            back[i] = back[i].saturating_add(r.qty);
            if r.qty == 0 || back[i] > cart.lines[i].qty {
                return Err(EvalError::bad(
                    "returns.qty",
                    format!(
                        "line \"{}\" has {} units; cannot return {}",
                        r.line, cart.lines[i].qty, back[i]
                    ),
                )
                .into());
            }
        }
        self.verify_order(order, cart, ctx)?;
        let line_paid = |id: &str| -> Result<Money, EvalError> {
            order
                .lines
                .iter()
                .find(|l| l.id == id)
                .map(|l| l.payable)
                .ok_or_else(|| {
                    EvalError::bad("order.lines", format!("the order has no line \"{id}\""))
                })
        };
        let mut apportioned = 0i64;
        for (i, l) in cart.lines.iter().enumerate() {
            if back[i] > 0 {
                apportioned += last_units_share(line_paid(&l.id)?.0, l.qty, back[i]);
            }
        }
        let policy = rules.refund;
        let group_failed = order.applied.iter().any(|a| {
            self.offer(&a.offer)
                .is_some_and(|o| matches!(o.benefit, Benefit::GroupBuy(GroupBuy { .. })))
                && ctx.group.get(&a.offer) == Some(&GroupState::Failed)
        });
        if group_failed {
            return Ok(Refund {
                refund: order.payable,
                lost: Vec::new(),
                policy,
                rule: Some(RefundRule::GroupFailed),
                apportioned: Money(apportioned),
                whole_order: false,
            });
        }
        if order.presale.is_some() && !balance_paid {
            return Ok(Refund {
                refund: Money::ZERO,
                lost: Vec::new(),
                policy,
                rule: Some(RefundRule::DepositKept),
                apportioned: Money(apportioned),
                whole_order: false,
            });
        }
        // What remains, priced again with the same selection.
        let mut remaining = cart.clone();
        for (i, l) in remaining.lines.iter_mut().enumerate() {
            l.qty -= back[i];
        }
        remaining.lines.retain(|l| l.qty > 0);
        let coupons = self.order_coupons(order);
        let (remaining_goods, requote) = if remaining.lines.is_empty() {
            (0, None)
        } else {
            let q = self.quote(&remaining, ctx, &coupons)?;
            (q.payable.0 - q.shipping.0, Some(q))
        };
        let mut lost = Vec::new();
        for a in &order.applied {
            let still = requote
                .as_ref()
                .is_some_and(|q| q.applied.iter().any(|x| x.offer == a.offer));
            if still {
                continue;
            }
            let reason = requote
                .as_ref()
                .and_then(|q| q.not_applied.iter().find(|n| n.offer == a.offer))
                .map(|n| n.reason.clone())
                .unwrap_or(Reason::NoLineInScope);
            lost.push(Lost {
                offer: a.offer.clone(),
                amount: a.amount,
                reason,
            });
        }
        let paid_goods = order.payable.0 - order.shipping.0;
        let refund = match policy {
            RefundPolicy::Apportioned => apportioned,
            RefundPolicy::Recompute => (paid_goods - remaining_goods).clamp(0, apportioned.max(0)),
        }
        .min(paid_goods);
        Ok(Refund {
            refund: Money(refund.max(0)),
            lost,
            policy,
            rule: None,
            apportioned: Money(apportioned),
            whole_order: remaining.lines.is_empty(),
        })
    }
}

fn mismatch(detail: String) -> Error {
    EvalError::OrderMismatch { detail }.into()
}

impl RuleSet {
    /// The coupons an order used: the selection its refund is priced with again.
    fn order_coupons<'o>(&self, order: &'o Order) -> Vec<&'o str> {
        order
            .applied
            .iter()
            .filter(|a| {
                self.offer(&a.offer)
                    .is_some_and(|o| o.kind == OfferKind::Coupon)
            })
            .map(|a| a.offer.as_str())
            .collect()
    }

    /// Refuses an order that does not add up, or, when it names these rules by their
    /// fingerprint, that is not what they answer for its cart and context. Only then can
    /// a refund trust the amounts the client sent back.
    fn verify_order(&self, order: &Order, cart: &Cart, ctx: &Context) -> Result<(), Error> {
        if let Some(id) = crate::cart::first_repeat(order.lines.iter().map(|l| l.id.as_str())) {
            return Err(EvalError::bad(
                "order.lines.id",
                format!("line ID \"{id}\" appears twice in the order"),
            )
            .into());
        }
        if order.lines.len() != cart.lines.len() {
            return Err(mismatch(format!(
                "the order has {} lines, the cart {}",
                order.lines.len(),
                cart.lines.len()
            )));
        }
        let mut goods = 0i64;
        for l in &cart.lines {
            let Some(ol) = order.lines.iter().find(|o| o.id == l.id) else {
                return Err(mismatch(format!("the order has no line \"{}\"", l.id)));
            };
            let original = l.price.0.saturating_mul(i64::from(l.qty));
            if ol.payable.0 > original {
                return Err(mismatch(format!(
                    "line \"{}\" paid {} but costs {} before discounts",
                    l.id,
                    ol.payable,
                    Money(original)
                )));
            }
            goods += ol.payable.0;
        }
        if goods.checked_add(order.shipping.0) != Some(order.payable.0) {
            return Err(mismatch(format!(
                "payable {} is not the lines' {} plus shipping {}",
                order.payable,
                Money(goods),
                order.shipping
            )));
        }
        if let Some(p) = &order.presale {
            if p.deposit.0 + p.balance.0 != order.payable.0 {
                return Err(mismatch(format!(
                    "deposit {} and balance {} do not add up to payable {}",
                    p.deposit, p.balance, order.payable
                )));
            }
        }
        let ours = order
            .rules
            .as_ref()
            .is_some_and(|r| r.fingerprint == self.fingerprint_hex());
        if !ours {
            // Other (older) rules answered it: its amounts cannot be checked again here.
            return Ok(());
        }
        let coupons = self.order_coupons(order);
        // The order was placed while its group buys were open; that one has failed since
        // is what the refund is about, not a difference.
        let mut placed = ctx.clone();
        for state in placed.group.values_mut() {
            if *state == GroupState::Failed {
                *state = GroupState::Open;
            }
        }
        let q = self.quote(cart, &placed, &coupons)?;
        if q.payable != order.payable || q.shipping != order.shipping {
            return Err(mismatch(format!(
                "these rules answer payable {} (shipping {}) for this cart, the order says {} (shipping {})",
                q.payable, q.shipping, order.payable, order.shipping
            )));
        }
        for l in &q.lines {
            let said = order.lines.iter().find(|o| o.id == l.id).map(|o| o.payable);
            if said != Some(l.payable) {
                return Err(mismatch(format!(
                    "line \"{}\" pays {} under these rules, the order says {}",
                    l.id,
                    l.payable,
                    said.map_or_else(|| "nothing".to_string(), |m| m.to_string())
                )));
            }
        }
        let mut said: Vec<(&str, Money)> = order
            .applied
            .iter()
            .map(|a| (a.offer.as_str(), a.amount))
            .collect();
        let mut ours: Vec<(&str, Money)> = q
            .applied
            .iter()
            .map(|a| (a.offer.as_str(), a.amount))
            .collect();
        said.sort_unstable();
        ours.sort_unstable();
        if said != ours {
            let show = |v: &[(&str, Money)]| {
                v.iter()
                    .map(|(o, m)| format!("{o} {m}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(mismatch(format!(
                "these rules apply [{}], the order says [{}]",
                show(&ours),
                show(&said)
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::last_units_share;

    #[test]
    fn last_units_get_the_base_share() {
        // 100.00 over 3 units: 33.34, 33.33, 33.33.
        assert_eq!(last_units_share(10_000, 3, 1), 3333);
        assert_eq!(last_units_share(10_000, 3, 2), 6666);
        assert_eq!(last_units_share(10_000, 3, 3), 10_000);
        // 0.05 over 3 units: 0.02, 0.02, 0.01.
        assert_eq!(last_units_share(5, 3, 1), 1);
        assert_eq!(last_units_share(5, 3, 2), 3);
    }
}
