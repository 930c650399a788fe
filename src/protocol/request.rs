//! The queries of the protocol as serde types: one [`Request`] per line of `youhui ask`,
//! a tool call or a `POST /v1/ask`. Unknown fields are refused while reading.

use serde::Deserialize;

use crate::cart::{Cart, Context};
use crate::error::EvalError;

/// One request of the `ask` protocol (`{"query": "quote", ...}`).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "query", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Request {
    /// Price the cart with the selected coupons.
    Quote {
        /// The cart.
        cart: Cart,
        /// The context.
        #[serde(default)]
        context: Context,
        /// Selected coupon IDs.
        #[serde(default)]
        coupons: Vec<String>,
    },
    /// Whether one offer is eligible, and why not.
    Eligibility {
        /// The offer ID.
        offer: String,
        /// The cart.
        cart: Cart,
        /// The context.
        #[serde(default)]
        context: Context,
    },
    /// Whether two offers can be used together.
    CanStack {
        /// First offer.
        a: String,
        /// Second offer.
        b: String,
        /// Optional cart to test on.
        #[serde(default)]
        cart: Option<Cart>,
        /// The context.
        #[serde(default)]
        context: Context,
    },
    /// The coupons from a wallet that minimise payable.
    Best {
        /// The cart.
        cart: Cart,
        /// The context.
        #[serde(default)]
        context: Context,
        /// The coupon IDs the user holds.
        #[serde(default)]
        wallet: Vec<String>,
    },
    /// The shortfall to an offer's next step (凑单), or the best next step of the cart.
    Gap {
        /// The offer (absent: every offer, best first).
        #[serde(default)]
        offer: Option<String>,
        /// The cart.
        cart: Cart,
        /// The context.
        #[serde(default)]
        context: Context,
        /// Selected coupons.
        #[serde(default)]
        coupons: Vec<String>,
    },
    /// What returning units of a previous order gives back.
    Refund {
        /// The previous `quote` answer.
        order: crate::queries::refund::Order,
        /// That quote's cart.
        cart: Cart,
        /// That quote's context.
        #[serde(default)]
        context: Context,
        /// Units returned.
        returns: Vec<crate::queries::refund::Return>,
        /// For a presale: whether the balance was paid (default true).
        #[serde(default = "yes")]
        balance_paid: bool,
        /// The order request's selection, accepted and ignored: the coupons that count
        /// are those in `order.applied`.
        #[serde(default)]
        coupons: Vec<String>,
    },
    /// Whether two benefit phrases or offers give the same price on every cart.
    Equivalent {
        /// An offer ID or a benefit phrase.
        a: String,
        /// An offer ID or a benefit phrase.
        b: String,
    },
    /// Every offer of the rule set, in words.
    Offers {},
    /// The explanation text of another query.
    Explain {
        /// The query to explain (defaults to a quote of the fields below).
        #[serde(default)]
        request: Option<Box<Request>>,
        /// Which query the fields below form (`quote` by default).
        #[serde(default, rename = "for")]
        of: Option<String>,
        /// The cart.
        #[serde(default)]
        cart: Option<Cart>,
        /// The context.
        #[serde(default)]
        context: Context,
        /// Selected coupons.
        #[serde(default)]
        coupons: Vec<String>,
        /// The wallet (for `best`).
        #[serde(default)]
        wallet: Option<Vec<String>>,
        /// An offer (for `eligibility`).
        #[serde(default)]
        offer: Option<String>,
        /// First offer (for `can_stack`).
        #[serde(default)]
        a: Option<String>,
        /// Second offer (for `can_stack`).
        #[serde(default)]
        b: Option<String>,
    },
}

impl Request {
    /// The query to explain, for an `explain` request; `None` for other requests.
    pub fn explained(&self) -> Option<Result<Request, EvalError>> {
        let Request::Explain {
            request,
            of,
            cart,
            context,
            coupons,
            wallet,
            offer,
            a,
            b,
        } = self
        else {
            return None;
        };
        if let Some(r) = request {
            // Either a whole request or a query's fields, never both (a stray field would be
            // silently ignored).
            let stray = [
                (of.is_some(), "for"),
                (cart.is_some(), "cart"),
                (*context != Context::default(), "context"),
                (!coupons.is_empty(), "coupons"),
                (wallet.is_some(), "wallet"),
                (offer.is_some(), "offer"),
                (a.is_some(), "a"),
                (b.is_some(), "b"),
            ]
            .into_iter()
            .find(|(set, _)| *set);
            if let Some((_, field)) = stray {
                return Some(Err(EvalError::bad(
                    field,
                    format!("`explain` takes either `request` or the fields of a query, not both (found `{field}`)"),
                )));
            }
            return Some(Ok((**r).clone()));
        }
        let need_cart = || {
            cart.clone()
                .ok_or_else(|| EvalError::bad("cart", "missing field `cart`".into()))
        };
        let context = context.clone();
        Some(match of.as_deref().unwrap_or("quote") {
            "quote" => need_cart().map(|cart| Request::Quote {
                cart,
                context,
                coupons: coupons.clone(),
            }),
            "best" => need_cart().map(|cart| Request::Best {
                cart,
                context,
                wallet: wallet.clone().unwrap_or_default(),
            }),
            "eligibility" => match offer {
                Some(offer) => need_cart().map(|cart| Request::Eligibility {
                    offer: offer.clone(),
                    cart,
                    context,
                }),
                None => Err(EvalError::bad("offer", "missing field `offer`".into())),
            },
            "can_stack" => match (a, b) {
                (Some(a), Some(b)) => Ok(Request::CanStack {
                    a: a.clone(),
                    b: b.clone(),
                    cart: cart.clone(),
                    context,
                }),
                _ => Err(EvalError::bad("a", "missing field `a` or `b`".into())),
            },
            other => Err(EvalError::bad(
                "for",
                format!("unknown query `{other}` to explain"),
            )),
        })
    }
}

fn yes() -> bool {
    true
}
