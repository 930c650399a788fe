//! Money as integer cents, rates as basis points, and the rounding modes.
//!
//! The evaluator never touches a float: an amount is an `i64` count of cents (`Money`), a
//! rate is an integer count of hundredths of a percent (`Rate`), and every product of the
//! two is rounded to the cent with the rule set's [`Rounding`] mode in `i128` arithmetic.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};

/// An amount of money in cents (`12345` is `123.45`).
///
/// Serialised as a string with two decimals (`"123.45"`), as the interface requires.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

/// The largest amount youhui accepts anywhere: 10^15 cents, i.e. ten trillion yuan.
///
/// Keeping every amount this far below `i64::MAX` lets sums of many lines and products
/// with quantities be computed with checked arithmetic that only fails on absurd input.
pub const MAX_MONEY_CENTS: i64 = 1_000_000_000_000_000;

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// Whole yuan: `Money::yuan(300)` is `300.00`.
    pub const fn yuan(y: i64) -> Money {
        Money(y * 100)
    }

    /// The amount in cents.
    pub fn cents(self) -> i64 {
        self.0
    }

    /// Converts a decimal amount with at most two decimals into cents.
    ///
    /// Returns `None` for more than two decimals or an amount beyond [`MAX_MONEY_CENTS`].
    pub fn from_decimal(d: Decimal) -> Option<Money> {
        let n = d.normalize();
        if n.scale() > 2 {
            return None;
        }
        let cents = n.checked_mul(Decimal::ONE_HUNDRED)?;
        let c: i64 = cents.trunc().try_into().ok()?;
        (c.abs() <= MAX_MONEY_CENTS).then_some(Money(c))
    }

    /// The amount as a `Decimal` with two decimals.
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Digits written by hand into a stack buffer: answers print many amounts, and the
        // general integer formatting machinery is several times slower.
        let mut buf = [0u8; 24];
        let mut i = buf.len();
        let mut abs = self.0.unsigned_abs();
        let mut push = |b: u8, i: &mut usize| {
            *i -= 1;
            buf[*i] = b;
        };
        push(b'0' + (abs % 10) as u8, &mut i);
        push(b'0' + (abs / 10 % 10) as u8, &mut i);
        push(b'.', &mut i);
        abs /= 100;
        loop {
            push(b'0' + (abs % 10) as u8, &mut i);
            abs /= 10;
            if abs == 0 {
                break;
            }
        }
        if self.0 < 0 {
            push(b'-', &mut i);
        }
        // Only ASCII digits, '.' and '-' were written.
        f.write_str(std::str::from_utf8(&buf[i..]).unwrap_or_default())
    }
}

/// Why a text is not an amount of money ([`Money`]'s `FromStr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MoneyParseError {
    /// Not a decimal number (`"12元"`, `""`, `"1e3"`).
    #[error("not a decimal number")]
    NotANumber,
    /// More than two decimals (`"0.001"`).
    #[error("more than two decimals")]
    TooManyDecimals,
    /// Beyond the largest amount youhui counts ([`MAX_MONEY_CENTS`]).
    #[error("too large")]
    TooLarge,
}

impl FromStr for Money {
    type Err = MoneyParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d = Decimal::from_str(s).map_err(|_| MoneyParseError::NotANumber)?;
        if d.normalize().scale() > 2 {
            return Err(MoneyParseError::TooManyDecimals);
        }
        Money::from_decimal(d).ok_or(MoneyParseError::TooLarge)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        if generator.contract().is_deserialize() {
            // What `parse_price` accepts: a decimal string or a number, at most two
            // decimals, not negative.
            schemars::json_schema!({
                "description": "An amount in yuan: a decimal string (\"399.00\") or a number, at most two decimals, not negative.",
                "anyOf": [
                    {"type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$"},
                    {"type": "number", "minimum": 0}
                ]
            })
        } else {
            schemars::json_schema!({
                "description": "An amount in yuan with two decimals (\"399.00\").",
                "type": "string",
                "pattern": "^-?[0-9]+\\.[0-9]{2}$"
            })
        }
    }
}

/// A rate of discount in hundredths of a percent: `Rate(2000)` is 20% off (`8折`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(pub u32);

impl Rate {
    /// 100% off: free.
    pub const FREE: Rate = Rate(10_000);

    /// Converts a percentage (`20`, `4.5`) into a rate; `None` when it has more than two
    /// decimals or lies outside 0..=100.
    pub fn from_percent(p: Decimal) -> Option<Rate> {
        let bp = p.checked_mul(Decimal::ONE_HUNDRED)?.normalize();
        if bp.scale() > 0 || bp.is_sign_negative() || bp > Decimal::from(10_000) {
            return None;
        }
        u32::try_from(bp).ok().map(Rate)
    }

    /// The percentage off as a normalised decimal (`20`, `4.5`).
    pub fn percent(self) -> Decimal {
        Decimal::new(i64::from(self.0), 2).normalize()
    }

    /// The discount this rate gives on `amount`, rounded to the cent with `mode`.
    pub fn discount_on(self, amount: Money, mode: Rounding) -> Money {
        Money(mode.div_round(i128::from(amount.0) * i128::from(self.0), 10_000) as i64)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.percent())
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// How a computed discount is rounded to the cent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Half away from zero (四舍五入), the default.
    #[default]
    HalfUp,
    /// Half to even (banker's rounding).
    HalfEven,
    /// Toward zero.
    Down,
    /// Away from zero.
    Up,
}

impl Rounding {
    /// The keyword used in rule text.
    pub fn keyword(self) -> &'static str {
        match self {
            Rounding::HalfUp => "half_up",
            Rounding::HalfEven => "half_even",
            Rounding::Down => "down",
            Rounding::Up => "up",
        }
    }

    /// `num / den` rounded to an integer with this mode (`den > 0`).
    pub fn div_round(self, num: i128, den: i128) -> i128 {
        // Most products fit in i64, whose division is several times faster than i128's.
        if let (Ok(n), Ok(d)) = (i64::try_from(num), i64::try_from(den)) {
            return i128::from(self.div_round_i64(n, d));
        }
        self.div_round_i128(num, den)
    }
}

/// `num / den` rounded with a mode, for one integer width: the same code serves the i64 fast
/// path and the i128 fallback. `|r| < den`, so `2|r|` fits in the unsigned type.
macro_rules! div_round_in {
    ($name:ident, $t:ty) => {
        impl Rounding {
            fn $name(self, num: $t, den: $t) -> $t {
                let (q, r) = (num / den, num % den);
                if r == 0 {
                    return q;
                }
                let away = if num < 0 { -1 } else { 1 };
                let (twice, den_u) = (2 * r.unsigned_abs(), den.unsigned_abs());
                let bump = match self {
                    Rounding::Down => false,
                    Rounding::Up => true,
                    Rounding::HalfUp => twice >= den_u,
                    Rounding::HalfEven => twice > den_u || (twice == den_u && q % 2 != 0),
                };
                if bump {
                    q + away
                } else {
                    q
                }
            }
        }
    };
}

div_round_in!(div_round_i64, i64);
div_round_in!(div_round_i128, i128);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_prints_two_decimals() {
        for (cents, text) in [
            (0, "0.00"),
            (5, "0.05"),
            (100, "1.00"),
            (12_345, "123.45"),
            (-7, "-0.07"),
            (-12_345, "-123.45"),
            (i64::MAX, "92233720368547758.07"),
            (i64::MIN, "-92233720368547758.08"),
        ] {
            assert_eq!(Money(cents).to_string(), text);
        }
    }

    /// The i64 fast path rounds exactly as the i128 arithmetic does.
    #[test]
    fn narrow_division_matches_wide() {
        let wide = |mode: Rounding, num: i128, den: i128| {
            let (q, r) = (num / den, num % den);
            if r == 0 {
                return q;
            }
            let away = if num < 0 { -1 } else { 1 };
            let twice = 2 * r.abs();
            let bump = match mode {
                Rounding::Down => false,
                Rounding::Up => true,
                Rounding::HalfUp => twice >= den,
                Rounding::HalfEven => twice > den || (twice == den && q % 2 != 0),
            };
            q + if bump { away } else { 0 }
        };
        for mode in [
            Rounding::Down,
            Rounding::Up,
            Rounding::HalfUp,
            Rounding::HalfEven,
        ] {
            for num in (-2_500i64..2_500).chain([i64::MAX, i64::MIN + 1, 33_330_000]) {
                for den in [1i64, 2, 3, 7, 100, 10_000, i64::MAX] {
                    assert_eq!(
                        i128::from(mode.div_round_i64(num, den)),
                        wide(mode, num.into(), den.into()),
                        "{mode:?} {num} / {den}"
                    );
                }
            }
            // Beyond i64: the wide instance of the same code.
            for k in -50i128..50 {
                let num = i128::from(i64::MAX) * 7 + k * 1_000_003;
                for den in [3i128, 10_000, i128::from(i64::MAX) * 2] {
                    for n in [num, -num] {
                        assert_eq!(
                            mode.div_round(n, den),
                            wide(mode, n, den),
                            "{mode:?} {n} / {den}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn money_parses_and_prints_with_two_decimals() {
        assert_eq!("300".parse::<Money>(), Ok(Money(30000)));
        assert_eq!("300.5".parse::<Money>(), Ok(Money(30050)));
        assert_eq!("0.01".parse::<Money>(), Ok(Money(1)));
        assert_eq!(
            "0.001".parse::<Money>(),
            Err(MoneyParseError::TooManyDecimals)
        );
        assert_eq!("12元".parse::<Money>(), Err(MoneyParseError::NotANumber));
        assert_eq!(
            "99999999999999999999".parse::<Money>(),
            Err(MoneyParseError::TooLarge)
        );
        assert_eq!(Money(30050).to_string(), "300.50");
        assert_eq!(Money(-5).to_string(), "-0.05");
    }

    #[test]
    fn rates_from_percent() {
        assert_eq!(Rate::from_percent(Decimal::new(45, 1)), Some(Rate(450)));
        assert_eq!(Rate::from_percent(Decimal::from(101)), None);
        assert_eq!(Rate::from_percent(Decimal::new(12345, 3)), None);
        assert_eq!(Rate(450).to_string(), "4.5");
    }

    #[test]
    fn rounding_modes() {
        // 85折 on 33.33: 15% off is 4.9995 → 5.00 with half_up.
        assert_eq!(
            Rate(1500).discount_on(Money(3333), Rounding::HalfUp),
            Money(500)
        );
        assert_eq!(
            Rate(1500).discount_on(Money(3333), Rounding::Down),
            Money(499)
        );
        assert_eq!(Rounding::HalfEven.div_round(25, 10), 2);
        assert_eq!(Rounding::HalfEven.div_round(35, 10), 4);
        assert_eq!(Rounding::HalfUp.div_round(25, 10), 3);
        assert_eq!(Rounding::Up.div_round(21, 10), 3);
        assert_eq!(Rounding::Down.div_round(29, 10), 2);
    }
}
