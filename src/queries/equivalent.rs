//! `equivalent` (买一送一和第二件半价一样吗?): whether two benefits give the same price on
//! every cart, decided on their canonical forms, with a smallest cart that shows the
//! difference when they do not.
//!
//! Two benefits are equivalent when their canonical forms are equal after these identities:
//! `buy N get 1` ≡ `nth N+1 pct_off 100` (`买一送一` ≡ `第2件0元`), `bundle 1 for P` ≡
//! `unit_price P`, `every S off X cap C` with `C ≤ X` ≡ `spend S off C`, and every benefit
//! that can never take anything off (`pct_off 0`, `nth N pct_off 0`) is the same as any
//! other. Offers compared by ID must also have the same scope; a phrase compared with an
//! offer takes the offer's scope. When they differ, carts are
//! tried in order of size (fewest units, then fewest lines, then lowest total) with prices
//! taken from the benefits' own numbers, until one prices differently.

use serde::Serialize;

use crate::cart::{Cart, Context, Line};
use crate::error::{Error, EvalError};
use crate::money::{Money, Rate};
use crate::rules::ir::*;

/// A cart on which two benefits give different prices.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Counterexample {
    /// The cart.
    pub cart: Cart,
    /// What it pays with the first.
    pub a_payable: Money,
    /// What it pays with the second.
    pub b_payable: Money,
}

/// The answer to `equivalent`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Equivalence {
    /// Whether they give the same price on every cart.
    pub equivalent: bool,
    /// A smallest cart that shows the difference (`None` when equivalent).
    pub counterexample: Option<Counterexample>,
    /// The two canonical forms compared.
    #[serde(skip)]
    pub forms: (String, String),
}

/// A benefit with its scope, ready to be priced alone.
struct Side {
    benefit: Benefit,
    scope: Scope,
    text: String,
}

fn normalise(b: &Benefit) -> Benefit {
    match b {
        Benefit::BuyGet(BuyGet { buy, get: 1 }) => Benefit::Nth(Nth {
            n: buy + 1,
            rate: Rate::FREE,
        }),
        Benefit::Bundle(Bundle { n: 1, price }) => Benefit::UnitPrice(UnitPrice { price: *price }),
        Benefit::EveryN(EveryN {
            step,
            off,
            cap: Some(c),
        }) if c <= off => Benefit::Tiered(Tiered {
            tiers: vec![Tier {
                at: TierAt::Spend(*step),
                reward: Reward::Off(*c),
            }],
        }),
        Benefit::PctOff(PctOff { rate: Rate(0) }) | Benefit::Nth(Nth { rate: Rate(0), .. }) => {
            Benefit::PctOff(PctOff { rate: Rate(0) })
        }
        other => other.clone(),
    }
}

impl RuleSet {
    /// An offer's benefit and scope, or a phrase's benefit (scope `None`: it takes the other
    /// side's scope).
    fn side(&self, spec: &str) -> Result<(Side, bool), Error> {
        // An offer by ID or exact title; anything else is read as a benefit phrase.
        if let Some(o) = self.index_of(spec).ok().map(|i| &self.inner.offers[i]) {
            return Ok((
                Side {
                    benefit: o.benefit.clone(),
                    scope: o.scope.clone(),
                    text: o.benefit_text(),
                },
                true,
            ));
        }
        let checked = crate::rules::ruleset::benefit_rules(spec);
        match checked.rules.ok_or(Error::Rules(checked.report)) {
            Ok(r) => {
                let o = &r.offers()[0];
                Ok((
                    Side {
                        benefit: o.benefit.clone(),
                        scope: Scope::default(),
                        text: o.benefit_text(),
                    },
                    false,
                ))
            }
            Err(Error::Rules(report)) => {
                let msg = report
                    .errors()
                    .next()
                    .map_or_else(|| "not a benefit phrase".to_string(), |d| d.message());
                // A hostile phrase may be long: name it by its start only.
                let shown: String = spec.chars().take(40).collect();
                let more = if shown.len() < spec.len() { "…" } else { "" };
                Err(EvalError::bad(
                    "a",
                    format!("\"{shown}{more}\" is neither an offer ID nor a benefit phrase: {msg}"),
                )
                .into())
            }
            Err(e) => Err(e),
        }
    }

    /// Whether `a` and `b` (offer IDs or benefit phrases) give the same price on every cart.
    ///
    /// ```
    /// let rules = youhui::RuleSet::parse("ruleset \"x\" { }")?;
    /// assert!(rules.equivalent("买一送一", "第2件0元")?.equivalent);
    /// let e = rules.equivalent("买一送一", "第二件半价")?;
    /// assert!(!e.equivalent);
    /// let c = e.counterexample.unwrap();
    /// assert_eq!(c.cart.lines[0].qty, 2);
    /// # Ok::<(), youhui::Error>(())
    /// ```
    pub fn equivalent(&self, a: &str, b: &str) -> Result<Equivalence, Error> {
        let ((mut sa, a_offer), (mut sb, b_offer)) = (self.side(a)?, self.side(b)?);
        // A phrase is compared on the scope of the offer it is compared with.
        if a_offer && !b_offer {
            sb.scope = sa.scope.clone();
        } else if b_offer && !a_offer {
            sa.scope = sb.scope.clone();
        }
        let forms = (sa.text.clone(), sb.text.clone());
        if normalise(&sa.benefit) == normalise(&sb.benefit) && sa.scope == sb.scope {
            return Ok(Equivalence {
                equivalent: true,
                counterexample: None,
                forms,
            });
        }
        let ra = single_offer_rules(&sa)?.with_deadline(self.deadline);
        let rb = single_offer_rules(&sb)?.with_deadline(self.deadline);
        // A shipping fee only matters (and is only charged) when a side waives it.
        let ships = |s: &Side| matches!(s.benefit, Benefit::FreeShipping(FreeShipping { .. }));
        let fee = if ships(&sa) || ships(&sb) {
            Money(1000)
        } else {
            Money::ZERO
        };
        let ctx = Context {
            now: Some(0),
            shipping_fee: fee,
            ..Context::default()
        };
        let deadline = crate::eval::Deadline::after(self.deadline);
        for cart in candidate_carts(&sa, &sb) {
            deadline.check()?;
            let pa = ra.quote(&cart, &ctx, &[] as &[&str])?.payable;
            let pb = rb.quote(&cart, &ctx, &[] as &[&str])?.payable;
            if pa != pb {
                return Ok(Equivalence {
                    equivalent: false,
                    counterexample: Some(Counterexample {
                        cart,
                        a_payable: pa,
                        b_payable: pb,
                    }),
                    forms,
                });
            }
        }
        // No small cart tells them apart although the forms differ.
        Ok(Equivalence {
            equivalent: true,
            counterexample: None,
            forms,
        })
    }
}

/// A rule set holding just one activity with this benefit and scope.
fn single_offer_rules(s: &Side) -> Result<RuleSet, Error> {
    let mut text = format!(
        "ruleset \"side\" {{ stages s }}\nactivity x {{ stage s benefit {}\n",
        s.text
    );
    for line in crate::rules::canonical::scope_lines(&s.scope) {
        text += &format!("  {line}\n");
    }
    text += "}\n";
    RuleSet::parse(&text)
}

/// A line that falls in `scope` (or in none of its terms when `outside`).
fn line_in(scope: &Scope, id: &str, price: i64, qty: u32) -> Line {
    let mut line = Line::new(id, "SKU", "shop", Money(price), qty);
    if let Some(t) = scope.include.as_ref().and_then(|terms| terms.first()) {
        let v = t.values.first().cloned().unwrap_or_default();
        match t.dim {
            crate::lang::ast::Dim::Shop => line.shop = v,
            crate::lang::ast::Dim::Category => line.category = v,
            crate::lang::ast::Dim::Sku => line.sku = v,
            crate::lang::ast::Dim::Tag => line.tags.push(v),
        }
    }
    line
}

/// Candidate carts, smallest first: 1–6 units over one line, then two lines, with prices
/// around the benefits' own numbers. Both scopes are tried. At most
/// [`MAX_CANDIDATE_PRICES`] prices are used (evenly spread over the sorted candidates when
/// the benefits have many tiers), so the carts stay a few thousand whatever the phrases.
fn candidate_carts(a: &Side, b: &Side) -> Vec<Cart> {
    let mut prices: Vec<i64> = vec![100, 1000, 3333, 5000, 9900, 10000, 19900, 30000, 100_000];
    for n in a
        .benefit
        .landmarks()
        .into_iter()
        .chain(b.benefit.landmarks())
    {
        if n > 0 {
            prices.extend([n - 1, n, n + 1, n / 2, n.saturating_mul(2)]);
        }
    }
    prices.retain(|&p| p > 0 && p <= crate::money::MAX_MONEY_CENTS / 8);
    prices.sort_unstable();
    prices.dedup();
    if prices.len() > MAX_CANDIDATE_PRICES {
        let n = prices.len();
        prices = (0..MAX_CANDIDATE_PRICES)
            .map(|i| prices[i * (n - 1) / (MAX_CANDIDATE_PRICES - 1)])
            .collect();
    }
    let scopes = [&a.scope, &b.scope];
    let mut carts: Vec<(u32, usize, i64, Cart)> = Vec::new();
    for scope in scopes {
        for qty in 1..=6u32 {
            for &p in &prices {
                carts.push((
                    qty,
                    1,
                    p * i64::from(qty),
                    Cart {
                        lines: vec![line_in(scope, "L1", p, qty)],
                    },
                ));
            }
        }
        for &p1 in &prices {
            for &p2 in &prices {
                if p2 < p1 {
                    let lines = vec![line_in(scope, "L1", p1, 1), line_in(scope, "L2", p2, 1)];
                    carts.push((2, 2, p1 + p2, Cart { lines }));
                }
            }
        }
    }
    carts.sort_by_key(|c| (c.0, c.1, c.2));
    carts.into_iter().map(|c| c.3).collect()
}

/// Most distinct unit prices `equivalent` tries (2 × (6 × 48 + 48 × 47 / 2) = 2,832 carts
/// at most).
const MAX_CANDIDATE_PRICES: usize = 48;
