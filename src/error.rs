//! The errors a caller sees: [`EvalError`] (a query could not be answered) and the
//! top-level [`Error`], which wraps it and a rule file's [`Report`]. The rule file's own
//! errors are in `lang::error`.

use thiserror::Error;

use crate::lang::diagnostic::Report;

/// A query could not be answered (stage `eval`).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EvalError {
    /// The request is malformed; `field` names what is wrong.
    #[error("{message}")]
    BadRequest {
        /// The field at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// An offer or coupon the rule set does not know, by ID or by title.
    #[error("unknown offer \"{id}\"{}", did_you_mean(suggestions))]
    UnknownOffer {
        /// The name as given.
        id: String,
        /// The closest offers, closest first.
        suggestions: Vec<OfferSuggestion>,
    },
    /// Two selected coupons that cannot be used together.
    #[error("coupons \"{a}\" and \"{b}\" cannot be used together ({rule}); choose one")]
    Conflict {
        /// One coupon.
        a: String,
        /// The other.
        b: String,
        /// The deciding rule (`excludes`).
        rule: crate::lang::ast::StackRule,
    },
    /// A search would exceed its work budget.
    #[error(
        "the search for the best coupons would take more than {limit} steps; choose fewer coupons"
    )]
    Budget {
        /// The budget.
        limit: usize,
    },
    /// A `refund` order that is not what these rules answered for its cart and context (or
    /// does not add up): an edited or foreign order is refused, never refunded.
    #[error("the order does not match its cart and context: {detail}")]
    OrderMismatch {
        /// The first difference found, in plain words.
        detail: String,
    },
    /// The query did not finish within its deadline ([`crate::RuleSet::with_deadline`]).
    #[error(
        "the answer would take longer than {ms} ms; ask about fewer coupons or a smaller cart"
    )]
    Deadline {
        /// The deadline, in milliseconds.
        ms: u64,
    },
    /// An amount left the money range while computing.
    #[error("an amount overflows: {what}")]
    Overflow {
        /// Where.
        what: String,
    },
}

/// An offer close to a name the rule set does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OfferSuggestion {
    /// Its ID.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// `; did you mean shop20 (店铺20元券)?` (nothing without suggestions).
fn did_you_mean(s: &[OfferSuggestion]) -> String {
    let names: Vec<String> = s
        .iter()
        .map(|o| {
            if o.title == o.id {
                o.id.clone()
            } else {
                format!("{} ({})", o.id, o.title)
            }
        })
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", names.join(" or "))
    }
}

impl EvalError {
    /// A `bad_request` error.
    pub fn bad(field: &str, message: String) -> Self {
        EvalError::BadRequest {
            field: field.to_string(),
            message,
        }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::BadRequest { .. } => "bad_request",
            EvalError::UnknownOffer { .. } => "unknown_offer",
            EvalError::Conflict { .. } => "conflict",
            EvalError::Overflow { .. } => "overflow",
            EvalError::Budget { .. } | EvalError::Deadline { .. } => "budget_exceeded",
            EvalError::OrderMismatch { .. } => "order_mismatch",
        }
    }
}

/// Every error youhui returns.
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// The rule text has errors; the report lists all of them (and the warnings).
    #[error("{0}")]
    Rules(Report),
    /// A query could not be answered.
    #[error("{0}")]
    Eval(#[from] EvalError),
}
