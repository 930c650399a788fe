//! What every answer of the protocol is wrapped in: the query's own fields or an error,
//! the one-sentence summary, the explanation, the request's `id` and the rule set that
//! answered.

use serde::Serialize;

use crate::answer::{Best, Eligibility, Quote, Stacking};
use crate::error::{Error, EvalError};
use crate::explain::summary::{self, Summary};
use crate::explain::Explanation;
use crate::rules::ir::RuleSet;
pub use crate::rules::ruleset::RulesId;

/// The `id` a request may carry (a string or a number), echoed in its answer so a client
/// with several requests in flight can match them up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum RequestId {
    /// A string ID.
    Text(String),
    /// An integer ID.
    Number(i64),
    /// Any other JSON number, echoed exactly as written.
    #[cfg(feature = "json")]
    #[cfg_attr(feature = "schema", schemars(with = "f64"))]
    Decimal(serde_json::Number),
}

/// The body of an answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Body"))]
#[serde(untagged)]
#[non_exhaustive]
pub enum AnswerBody {
    /// `quote`.
    Quote(Quote),
    /// `eligibility`.
    Eligibility(Eligibility),
    /// `can_stack`.
    Stacking(Stacking),
    /// `best`.
    Best(Best),
    /// `gap`.
    Gap(crate::queries::gap::Gap),
    /// `refund`.
    Refund(crate::queries::refund::Refund),
    /// `equivalent`.
    Equivalent(crate::queries::equivalent::Equivalence),
    /// `offers`.
    Offers(crate::queries::offers::OfferList),
    /// `explain`: text only.
    Empty {},
    /// An error.
    Error {
        /// What went wrong.
        error: ErrorBody,
    },
}

impl AnswerBody {
    /// The query that gave this body (`quote`, `can_stack`, ..., `explain`), or `None` for
    /// an error: a name a service can use as a metrics label.
    pub fn query(&self) -> Option<&'static str> {
        Some(match self {
            AnswerBody::Quote(_) => "quote",
            AnswerBody::Eligibility(_) => "eligibility",
            AnswerBody::Stacking(_) => "can_stack",
            AnswerBody::Best(_) => "best",
            AnswerBody::Gap(_) => "gap",
            AnswerBody::Refund(_) => "refund",
            AnswerBody::Equivalent(_) => "equivalent",
            AnswerBody::Offers(_) => "offers",
            AnswerBody::Empty {} => "explain",
            AnswerBody::Error { .. } => return None,
        })
    }

    /// The error, when the body is one.
    pub fn error(&self) -> Option<&ErrorBody> {
        match self {
            AnswerBody::Error { error } => Some(error),
            _ => None,
        }
    }
}

/// `{"code": ..., "message": ..., "field"?, "line"?, "column"?}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    /// `bad_request`, `unknown_offer`, `conflict`, ...
    pub code: String,
    /// Plain words.
    pub message: String,
    /// The request field at fault, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 1-based line, where it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, where it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What was probably meant: the closest field names or offer IDs, closest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
}

impl ErrorBody {
    /// The error body for an error.
    pub fn from_error(e: &Error) -> ErrorBody {
        let (code, field) = match e {
            Error::Eval(ev) => (
                ev.code(),
                match ev {
                    EvalError::BadRequest { field, .. } => Some(field.clone()),
                    _ => None,
                },
            ),
            Error::Rules(_) => ("rules", None),
        };
        let suggestions = match e {
            Error::Eval(EvalError::UnknownOffer { suggestions, .. }) => {
                suggestions.iter().map(|s| s.id.clone()).collect()
            }
            _ => Vec::new(),
        };
        ErrorBody {
            code: code.to_string(),
            message: e.to_string(),
            field,
            line: None,
            column: None,
            suggestions,
        }
    }

    /// A `bad_request` error with a position (as from a JSON parser).
    pub fn bad_request(message: String, line: Option<usize>, column: Option<usize>) -> ErrorBody {
        ErrorBody {
            code: "bad_request".into(),
            message,
            field: None,
            line,
            column,
            suggestions: Vec::new(),
        }
    }
}

/// One answer of the `ask` protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Response"))]
pub struct Answer {
    /// The request's `id`, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<RequestId>,
    /// The answer's own fields.
    #[serde(flatten)]
    pub body: AnswerBody,
    /// The headline: one sentence a bot can send as it is (errors included).
    pub summary: Summary,
    /// Chinese and English sentences (absent on errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
    /// Which rule set answered.
    pub rules: RulesId,
}

impl RuleSet {
    /// An error answer naming this rule set (for requests that could not be read).
    pub fn error_response(&self, error: ErrorBody) -> Answer {
        Answer {
            id: None,
            summary: summary::code(&error.code),
            body: AnswerBody::Error { error },
            explain: None,
            rules: self.rules_id(),
        }
    }
}
