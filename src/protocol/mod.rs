//! The protocol every front end speaks: a request ([`request::Request`]) in, an answer
//! ([`response::Response`]) out, with its summary, explanation, `id` and the rules that
//! answered. `lines` reads a request line and serves JSON lines (feature `json`), `tools`
//! makes LLM tool definitions from the rules, `schema` the JSON Schemas (feature `schema`).
//!
//! The top of the pipeline: may use every other module.

pub(crate) mod dispatch;
#[cfg(feature = "json")]
pub(crate) mod lines;
pub(crate) mod request;
pub(crate) mod response;
#[cfg(feature = "schema")]
pub(crate) mod schema;
#[cfg(feature = "json")]
pub mod tools;
