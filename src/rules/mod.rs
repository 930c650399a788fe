//! The compiled, immutable rule set and how it is made: the checks a parsed file must pass
//! (`check`), compilation into the model (`compile`, `ir`, with the benefits' data in
//! `benefit`), the canonical rule text and its
//! fingerprint (`canonical`), the per-dimension index of scopes (`scope_index`), the entry
//! points that parse a file (`ruleset`) and a rule set shared by a service and swapped on
//! reload (`shared`), and how an offer is said in words, zh and en (`words`: benefits,
//! scopes, audiences; `offer_words`: a whole offer, for the `offers` answer and the tools).
//!
//! Uses `lang` (the syntax tree and diagnostics) and the base modules; never evaluation,
//! queries, explanations of answers or the protocol.

pub(crate) mod benefit;
pub(crate) mod canonical;
pub(crate) mod check;
pub(crate) mod compile;
pub(crate) mod ir;
pub(crate) mod offer_words;
pub(crate) mod ruleset;
pub(crate) mod scope_index;
pub(crate) mod shared;
pub(crate) mod words;
