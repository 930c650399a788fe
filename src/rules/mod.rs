//! The compiled, immutable rule set and how it is made: the checks a parsed file must pass
//! (`check`), compilation into the model (`compile`, `ir`), the canonical rule text and its
//! fingerprint (`canonical`), the per-dimension index of scopes (`scope_index`), the entry
//! points that parse a file (`ruleset`) and a rule set shared by a service and swapped on
//! reload (`shared`).
//!
//! Uses `lang` (the syntax tree and diagnostics) and the base modules; never evaluation,
//! queries or text.

pub(crate) mod canonical;
pub(crate) mod check;
pub(crate) mod compile;
pub(crate) mod ir;
pub(crate) mod ruleset;
pub(crate) mod scope_index;
pub(crate) mod shared;
