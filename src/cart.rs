//! What a query is asked about: the [`Cart`] (its [`Line`]s) and the [`Context`] (time,
//! user, channel, usage, stock, group state, shipping fee, wallet), as serde types.
//!
//! Validation happens while deserialising, so a bad value is refused with a message that
//! names the field (`price: at most two decimals`); what serde cannot see (repeated line IDs,
//! sums that overflow) is checked by [`Cart::validate`].

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::EvalError;
use crate::limits::{MAX_LINES, MAX_QTY};
use crate::money::{Money, MAX_MONEY_CENTS};

/// A shopping cart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cart {
    /// The lines, in cart order.
    pub lines: Vec<Line>,
}

/// One cart line: `qty` units of one SKU at `price` each.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Line {
    /// Unique within the cart.
    pub id: String,
    /// The SKU.
    #[serde(default)]
    pub sku: String,
    /// The shop.
    #[serde(default)]
    pub shop: String,
    /// The category.
    #[serde(default)]
    pub category: String,
    /// Tags (`双11`, ...).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Unit price.
    #[serde(deserialize_with = "de_price")]
    pub price: Money,
    /// Units.
    #[serde(deserialize_with = "de_qty")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 100_000)))]
    pub qty: u32,
}

impl Line {
    /// A line with the given ID, SKU, shop, unit price and quantity.
    pub fn new(id: &str, sku: &str, shop: &str, price: Money, qty: u32) -> Line {
        Line {
            id: id.into(),
            sku: sku.into(),
            shop: shop.into(),
            price,
            qty,
            ..Line::default()
        }
    }

    /// Adds a category.
    pub fn category(mut self, c: &str) -> Line {
        self.category = c.into();
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, t: &str) -> Line {
        self.tags.push(t.into());
        self
    }
}

impl Cart {
    /// Checks what deserialisation cannot: line count, unique IDs, and that every line's
    /// amount and the cart total stay within the money range.
    pub fn validate(&self) -> Result<(), EvalError> {
        if self.lines.len() > MAX_LINES {
            return Err(EvalError::bad(
                "cart.lines",
                format!("at most {MAX_LINES} lines"),
            ));
        }
        if let Some(id) = first_repeat(self.lines.iter().map(|l| l.id.as_str())) {
            return Err(EvalError::bad(
                "cart.lines.id",
                format!("line id \"{id}\" repeats"),
            ));
        }
        let mut total: i64 = 0;
        for l in &self.lines {
            if l.qty == 0 || l.qty > MAX_QTY {
                return Err(EvalError::bad(
                    "qty",
                    format!("qty must be an integer from 1 to {MAX_QTY}"),
                ));
            }
            if l.price.0 < 0 {
                return Err(EvalError::bad(
                    "price",
                    "a price must not be negative".into(),
                ));
            }
            let amount = l
                .price
                .0
                .checked_mul(i64::from(l.qty))
                .filter(|a| *a <= MAX_MONEY_CENTS);
            total = amount
                .and_then(|a| total.checked_add(a))
                .filter(|t| *t <= MAX_MONEY_CENTS)
                .ok_or_else(|| {
                    EvalError::bad("price", format!("line \"{}\": the amount overflows", l.id))
                })?;
        }
        Ok(())
    }
}

/// State of a group buy, from the request context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupState {
    /// The user joins or starts a group (the default).
    #[default]
    Open,
    /// The group has formed.
    Formed,
    /// The group failed: the group price does not apply.
    Failed,
}

/// The user asking.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct User {
    /// User ID.
    #[serde(default)]
    pub id: String,
    /// Membership level.
    #[serde(default)]
    pub level: i64,
    /// New customer.
    #[serde(default)]
    pub new: bool,
    /// Tags (`vip`, ...).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Everything about the request besides the cart. Missing fields take safe defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Context {
    /// The time of the request: RFC 3339 with an offset (`2026-11-11T10:00:00+08:00`);
    /// absent, the current time. Held as Unix seconds.
    #[serde(default, deserialize_with = "de_now", serialize_with = "ser_now")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date-time")))]
    pub now: Option<i64>,
    /// The user.
    #[serde(default)]
    pub user: User,
    /// Sales channel (`app`, ...).
    #[serde(default)]
    pub channel: String,
    /// Times each offer was already used by this user.
    #[serde(default)]
    pub usage: BTreeMap<String, u32>,
    /// Units already bought at the benefit price, per offer.
    #[serde(default)]
    pub bought: BTreeMap<String, u32>,
    /// Remaining stock per offer (absent = sold out, for offers that declare `stock`).
    #[serde(default)]
    pub stock: BTreeMap<String, u32>,
    /// Group-buy state per offer.
    #[serde(default)]
    pub group: BTreeMap<String, GroupState>,
    /// Shipping fee.
    #[serde(default, deserialize_with = "de_shipping")]
    pub shipping_fee: Money,
    /// The coupons the user holds, when known. A selected coupon not in it is reported
    /// `not_held` (after the other checks). Absent: every selected coupon is held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wallet: Option<Vec<String>>,
}

impl Context {
    /// The request time, defaulting to the current time.
    pub fn now_or_current(&self) -> i64 {
        self.now.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        })
    }
}

// ------------------------------------------------------------------ field deserialisers

/// An ID that occurs more than once (the smallest such), found by sorting: a 1,000-line
/// cart costs n log n, not n².
pub(crate) fn first_repeat<'a>(ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    ids.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
}

/// Parses a money amount from request text: a plain decimal (`399`, `399.5`, `399.00`),
/// digits only with at most two decimals and at most [`crate::limits::MAX_AMOUNT_DIGITS`] before the point,
/// not negative, within range. Signs, spaces, `_`, exponents and other spellings are
/// refused, so no amount is ever rounded or read differently than written.
pub fn parse_price(s: &str) -> Result<Money, String> {
    let shown: String = s.chars().take(40).collect();
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if s.starts_with('-') && digits(&int[1..]) && frac.is_none_or(digits) {
        return Err(format!("{shown} is negative"));
    }
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(format!(
            "\"{shown}\" is not a plain decimal amount (digits, optionally a point and up to two decimals)"
        ));
    }
    let frac = frac.unwrap_or("");
    if frac.len() > 2 {
        return Err(format!("{shown} has more than two decimals"));
    }
    let int = int.trim_start_matches('0');
    if int.len() > crate::limits::MAX_AMOUNT_DIGITS {
        return Err(format!("{shown} overflows"));
    }
    let yuan: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| format!("{shown} overflows"))?
    };
    let cents: i64 = format!("{frac:0<2}")
        .parse()
        .map_err(|_| format!("{shown} is not a decimal amount"))?;
    yuan.checked_mul(100)
        .and_then(|c| c.checked_add(cents))
        .filter(|&c| c <= crate::money::MAX_MONEY_CENTS)
        .map(Money)
        .ok_or_else(|| format!("{shown} overflows"))
}

/// The map key under which `serde_json` (with its `arbitrary_precision` feature) hands over
/// a number's exact text.
const JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// The exact text of a JSON number given as a map by `serde_json` with
/// `arbitrary_precision` (the JSON front ends enable it, so `1.0000000000000001` is read as
/// written, never through an `f64`).
fn json_number_text<'de, A: de::MapAccess<'de>>(mut map: A) -> Result<String, A::Error> {
    let key: Option<String> = map.next_key()?;
    if key.as_deref() != Some(JSON_NUMBER_TOKEN) {
        return Err(de::Error::custom(
            "expected a number or a string, found an object",
        ));
    }
    let text: String = map.next_value()?;
    Ok(text)
}

/// Reads a money amount, naming `self.0` in error messages.
struct PriceVisitor(&'static str);

impl<'de> Visitor<'de> for PriceVisitor {
    type Value = Money;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount: a string or number, at most two decimals, not negative")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
        parse_price(v).map_err(|m| E::custom(format!("{}: {m}", self.0)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
        self.visit_str(&v.to_string())
    }
    // A JSON tree with exact numbers hands integers beyond 64 bits over as 128-bit ones.
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Money, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Money, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
        if !v.is_finite() {
            return Err(E::custom(format!("{}: not a finite number", self.0)));
        }
        // Only reached through a JSON reader without exact numbers: Rust prints the shortest
        // text that reads back as the same f64 (`300.5`, `0.1`).
        self.visit_str(&v.to_string())
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Money, A::Error> {
        let text = json_number_text(map)?;
        self.visit_str(&text)
    }
}

fn de_price<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    d.deserialize_any(PriceVisitor("price"))
}

fn de_shipping<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    d.deserialize_any(PriceVisitor("shipping_fee"))
}

/// Reads a non-negative money amount (string or number, at most two decimals).
pub(crate) fn de_money<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
    d.deserialize_any(PriceVisitor("amount"))
}

struct QtyVisitor;

impl<'de> Visitor<'de> for QtyVisitor {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "qty: an integer from 1 to {MAX_QTY}")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        u32::try_from(v)
            .ok()
            .filter(|q| (1..=MAX_QTY).contains(q))
            .ok_or_else(|| E::custom(format!("qty: {v} is not an integer from 1 to {MAX_QTY}")))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        Err(E::custom(format!(
            "qty: {v} is not an integer from 1 to {MAX_QTY}"
        )))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<u32, E> {
        Err(E::custom(format!(
            "qty: {v} is not an integer from 1 to {MAX_QTY}"
        )))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<u32, E> {
        Err(E::custom(format!(
            "qty: {v} is not an integer from 1 to {MAX_QTY}"
        )))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
        Err(E::custom(format!(
            "qty: {v} is not an integer from 1 to {MAX_QTY}"
        )))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<u32, A::Error> {
        let text = json_number_text(map)?;
        Err(de::Error::custom(format!(
            "qty: {text} is not an integer from 1 to {MAX_QTY}"
        )))
    }
}

fn de_qty<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    d.deserialize_any(QtyVisitor)
}

/// Parses an RFC 3339 time with an offset into Unix seconds.
pub fn parse_now(s: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp())
        .map_err(|_| {
            format!(
                "now: \"{s}\" is not an RFC 3339 time with an offset (2026-11-11T10:00:00+08:00)"
            )
        })
}

fn de_now<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    s.map(|s| parse_now(&s).map_err(de::Error::custom))
        .transpose()
}

fn ser_now<S: serde::Serializer>(now: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match now {
        Some(t) => s.collect_str(&crate::time::rfc3339(*t, 0)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices() {
        assert_eq!(parse_price("399.00"), Ok(Money(39900)));
        assert_eq!(parse_price("0"), Ok(Money(0)));
        assert!(parse_price("-1").is_err());
        assert!(parse_price("1.001").is_err());
        assert!(parse_price("abc").is_err());
        assert!(parse_price("1e20").is_err());
        assert_eq!(parse_price("007.5"), Ok(Money(750)));
        for bad in [
            "1_000", " 1", "1 ", "+1", ".5", "5.", "1.2.3", "", "１２", "0x10", "1E2",
        ] {
            assert!(parse_price(bad).is_err(), "{bad:?}");
        }
        assert!(parse_price("-1.00").unwrap_err().contains("negative"));
        assert!(parse_price("1234567890123456789012345678901").is_err());
        assert_eq!(
            parse_price("10000000000000.00"),
            Ok(Money(crate::money::MAX_MONEY_CENTS))
        );
        assert!(parse_price("10000000000000.01").is_err());
    }

    #[test]
    fn now_needs_an_offset() {
        assert!(parse_now("2026-11-11T10:00:00+08:00").is_ok());
        assert!(parse_now("2026-11-11T10:00:00").is_err());
    }
}
