//! JSON Schemas of the `ask` protocol, derived from the serde types (feature `schema`).
//!
//! The schemas are generated from the same types that read requests and write answers, so
//! they cannot drift from the code. [`request_schema`] is usable as the parameters of an
//! LLM function / tool definition; [`tool_definition`] wraps it as one.

use schemars::generate::SchemaSettings;
use schemars::Schema;

use crate::query::Response;
use crate::request::Request;

fn settings() -> SchemaSettings {
    // Object defaults (an empty `context` spelled out in full) only cost a model tokens.
    SchemaSettings::draft2020_12().with_transform(schemars::transform::RecursiveTransform(
        |s: &mut Schema| {
            if s.get("default").is_some_and(|d| d.is_object()) {
                s.remove("default");
            }
        },
    ))
}

fn to_text(schema: &Schema) -> String {
    // A `Schema` is a JSON value: serialising it cannot fail.
    serde_json::to_string_pretty(schema).unwrap_or_default()
}

fn request() -> Schema {
    let mut s = settings()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<Request>();
    // Every variant is an object; tool-calling APIs want that said at the root.
    s.insert("type".into(), "object".into());
    s.insert(
        "description".into(),
        "One question to youhui's `ask` protocol: the `query` field names it (quote, eligibility, can_stack, best, gap, refund, equivalent, explain). Money is a decimal string in yuan (\"399.00\").".into(),
    );
    s
}

/// The JSON Schema (draft 2020-12) of one request line.
pub fn request_schema() -> String {
    to_text(&request())
}

/// The JSON Schema (draft 2020-12) of one answer line.
pub fn answer_schema() -> String {
    let mut s = settings()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Response>();
    s.insert(
        "description".into(),
        "One answer of youhui's `ask` protocol: the query's own fields (or `error`), `explain.zh` / `explain.en` sentences a bot can quote, and the rule set that answered.".into(),
    );
    to_text(&s)
}

/// A function / tool definition for LLM tool calling: `name`, `description`, and the
/// request schema as `parameters` (OpenAI) and `input_schema` (Anthropic).
pub fn tool_definition() -> String {
    let params = request();
    let tool = serde_json::json!({
        "name": "youhui_ask",
        "description": "Answers e-commerce promotion questions deterministically from the shop's rule set: the final price of a cart (quote), whether an offer applies (eligibility), whether two offers stack (can_stack), the best coupons from a wallet (best), how much more to spend for the next discount (gap), what returning units refunds (refund), and whether two benefits are the same (equivalent). Quote `explain.zh` or `explain.en` of the answer to the customer word for word.",
        "parameters": params,
        "input_schema": params,
    });
    serde_json::to_string_pretty(&tool).unwrap_or_default()
}
