//! The rule language, up to a checked syntax tree: the pest grammar binding and the parser
//! with per-block error recovery and a Pratt parser for `audience` (`syntax`), the syntax
//! tree with spans (`ast`), positions and rustc-style reports (`diagnostic`), the errors
//! and warnings of a file (`error`), "did you mean" (`suggest`) and `youhui fmt`'s layout
//! (`layout`).
//!
//! Uses only `money` and `limits`; everything else builds on it.

pub mod ast;
pub(crate) mod diagnostic;
pub(crate) mod error;
pub(crate) mod layout;
pub(crate) mod suggest;
pub(crate) mod syntax;
