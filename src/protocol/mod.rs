//! The protocol every front end speaks: a [`Request`] in, an [`Answer`] out, with its summary, explanation, `id` and the rules that
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

pub use crate::rules::ruleset::RulesId;
#[cfg(feature = "json")]
pub use lines::{answer_json, read_line, read_request, serve_lines, serve_lines_until, Refused};
pub use request::Request;
pub use response::{Answer, AnswerBody, ErrorBody, RequestId};
#[cfg(feature = "schema")]
pub use schema::{answer_schema, request_schema};
