//! JSON Schemas of the `ask` protocol, derived from the serde types (feature `schema`).
//!
//! The schemas are generated from the same types that read requests and write answers, so
//! they cannot drift from the code. LLM tool definitions are in [`crate::protocol::tools`]: one
//! strict-mode tool per query, generated from the loaded rules.

use schemars::generate::SchemaSettings;
use schemars::Schema;

use crate::protocol::request::Request;
use crate::protocol::response::Answer;

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
    // The protocol takes `id` out before reading the query, so every variant allows it.
    if let Some(serde_json::Value::Array(variants)) = s.get_mut("oneOf") {
        for v in variants {
            if let Some(serde_json::Value::Object(props)) = v.get_mut("properties") {
                props.insert(
                    "id".into(),
                    serde_json::json!({
                        "description": "Echoed in the answer, so concurrent requests can be matched up.",
                        "type": ["string", "number"]
                    }),
                );
            }
        }
    }
    s.insert(
        "description".into(),
        "One question to youhui's JSON protocol: the `query` field names it (quote, eligibility, can_stack, best, gap, refund, equivalent, offers, explain); an optional `id` is echoed in the answer. Money is a decimal string in yuan (\"399.00\").".into(),
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
        .into_root_schema_for::<Answer>();
    s.insert(
        "description".into(),
        "One answer of youhui's `ask` protocol: the query's own fields (or `error`), `explain.zh` / `explain.en` sentences a bot can quote, and the rule set that answered.".into(),
    );
    to_text(&s)
}
