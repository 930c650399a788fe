//! `youhui tools`: the tool definitions pass a validator of the providers' documented rules,
//! and real requests (the golden cases), written as a model fills a strict schema, validate
//! against them and get the golden answers through `tools::call`.
//!
//! The rules checked (OpenAI function calling in strict mode, Anthropic tool use, MCP
//! `tools/list`), as documented by the providers in 2026:
//! - tool names match `^[a-zA-Z0-9_-]{1,64}$`; descriptions are at most 1,024 characters;
//!   at most 128 tools (we keep to 20, Anthropic's strict-mode limit);
//! - the root of a schema is `type: object`, with no `anyOf` / `oneOf` / `allOf` / `not`;
//! - every object is closed (`additionalProperties: false`) and lists every property in
//!   `required` (optional fields are unions with `null`);
//! - only the supported keywords occur: no `$ref`, `allOf`, `oneOf`, `not`, `if`,
//!   `patternProperties`, length or range keywords, and `format` only from the supported set;
//! - at most 10 levels of nesting, 5,000 properties, 1,000 enum values, and 120,000
//!   characters of property names and enum values.
#![cfg(feature = "json")]

use std::fs;
use std::path::Path;

use serde_json::{Map, Value};

mod common;

const PROMO: &str = "examples/double11.promo";

fn rules(path: &str) -> youhui::RuleSet {
    let text = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    youhui::RuleSet::parse(&text).unwrap()
}

const KEYWORDS: [&str; 9] = [
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "description",
    "anyOf",
    "format",
];
const FORMATS: [&str; 9] = [
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];

#[derive(Default)]
struct Tally {
    properties: usize,
    enum_values: usize,
    chars: usize,
}

/// Every rule of the strict subset for one schema node; `depth` counts objects and arrays.
fn check_node(node: &Value, at: &str, depth: usize, t: &mut Tally, errs: &mut Vec<String>) {
    let Some(obj) = node.as_object() else {
        errs.push(format!("{at}: a schema is an object"));
        return;
    };
    for k in obj.keys() {
        if !KEYWORDS.contains(&k.as_str()) {
            errs.push(format!("{at}: keyword `{k}` is not in the strict subset"));
        }
    }
    if let Some(f) = obj.get("format").and_then(Value::as_str) {
        if !FORMATS.contains(&f) {
            errs.push(format!("{at}: format `{f}` is not supported"));
        }
    }
    let types: Vec<&str> = match obj.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if obj.get("type").is_none() && obj.get("anyOf").is_none() {
        errs.push(format!("{at}: neither `type` nor `anyOf`"));
    }
    if let Some(values) = obj.get("enum").and_then(Value::as_array) {
        t.enum_values += values.len();
        t.chars += values
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.chars().count())
            .sum::<usize>();
        if types.contains(&"null") && !values.contains(&Value::Null) {
            errs.push(format!("{at}: a nullable enum must list null"));
        }
    }
    if let Some(branches) = obj.get("anyOf").and_then(Value::as_array) {
        for (i, b) in branches.iter().enumerate() {
            check_node(b, &format!("{at}/anyOf/{i}"), depth, t, errs);
        }
    }
    let nested = types.contains(&"object") || types.contains(&"array");
    let depth = depth + usize::from(nested);
    if depth > 10 {
        errs.push(format!("{at}: nested deeper than 10 levels"));
    }
    if types.contains(&"object") {
        if obj.get("additionalProperties") != Some(&Value::Bool(false)) {
            errs.push(format!("{at}: an object needs additionalProperties: false"));
        }
        let props = obj.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match props {
            None => errs.push(format!("{at}: an object lists its properties")),
            Some(props) => {
                for (name, p) in props {
                    t.properties += 1;
                    t.chars += name.chars().count();
                    if !required.contains(&name.as_str()) {
                        errs.push(format!("{at}: property `{name}` is not in required"));
                    }
                    check_node(p, &format!("{at}/{name}"), depth, t, errs);
                }
                if required.len() != props.len() {
                    errs.push(format!(
                        "{at}: required names a property that is not listed"
                    ));
                }
            }
        }
    }
    if types.contains(&"array") {
        match obj.get("items") {
            Some(items) => check_node(items, &format!("{at}/items"), depth, t, errs),
            None => errs.push(format!("{at}: an array says what its items are")),
        }
    }
}

fn valid_name(n: &str) -> bool {
    (1..=64).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The checks every provider shares, on (name, description, schema) triples.
fn check_tools(tools: &[(String, String, Value)]) -> Vec<String> {
    let mut errs = Vec::new();
    if tools.is_empty() || tools.len() > 20 {
        errs.push(format!("{} tools (1 to 20)", tools.len()));
    }
    let mut tally = Tally::default();
    for (name, description, schema) in tools {
        if !valid_name(name) {
            errs.push(format!("{name}: invalid tool name"));
        }
        if description.is_empty() || description.chars().count() > 1024 {
            errs.push(format!(
                "{name}: description of {} characters",
                description.chars().count()
            ));
        }
        if schema["type"] != "object" {
            errs.push(format!("{name}: the root is not type object"));
        }
        for k in ["anyOf", "oneOf", "allOf", "not", "$ref"] {
            if schema.get(k).is_some() {
                errs.push(format!("{name}: `{k}` at the root"));
            }
        }
        check_node(schema, name, 0, &mut tally, &mut errs);
    }
    if tally.properties > 5000 {
        errs.push(format!("{} properties in all (5,000)", tally.properties));
    }
    if tally.enum_values > 1000 {
        errs.push(format!("{} enum values in all (1,000)", tally.enum_values));
    }
    if tally.chars > 120_000 {
        errs.push(format!(
            "{} characters of names and enum values (120,000)",
            tally.chars
        ));
    }
    errs
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn openai_tools(rules: &youhui::RuleSet) -> Vec<(String, String, Value)> {
    let v = youhui::tools::openai(rules);
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["type"], "function");
            let keys: Vec<&String> = t.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["function", "type"], "OpenAI tool shape");
            let f = &t["function"];
            assert_eq!(f["strict"], true, "strict mode");
            (
                text(&f["name"]),
                text(&f["description"]),
                f["parameters"].clone(),
            )
        })
        .collect()
}

#[test]
fn the_three_formats_pass_the_providers_rules() {
    for path in [PROMO, "examples/spec_example.promo"] {
        let r = rules(path);
        let errs = check_tools(&openai_tools(&r));
        assert!(errs.is_empty(), "{path} openai:\n{}", errs.join("\n"));

        let anthropic: Vec<(String, String, Value)> = youhui::tools::anthropic(&r)
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let mut keys: Vec<&String> = t.as_object().unwrap().keys().collect();
                keys.sort();
                assert_eq!(
                    keys,
                    ["description", "input_schema", "name"],
                    "Anthropic shape"
                );
                (
                    text(&t["name"]),
                    text(&t["description"]),
                    t["input_schema"].clone(),
                )
            })
            .collect();
        let errs = check_tools(&anthropic);
        assert!(errs.is_empty(), "{path} anthropic:\n{}", errs.join("\n"));

        let mcp = youhui::tools::mcp(&r);
        let list: Vec<(String, String, Value)> = mcp["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    text(&t["name"]),
                    text(&t["description"]),
                    t["inputSchema"].clone(),
                )
            })
            .collect();
        let errs = check_tools(&list);
        assert!(errs.is_empty(), "{path} mcp:\n{}", errs.join("\n"));

        // One tool per query; the same schema in every format.
        let names: Vec<&str> = list.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(names, youhui::tools::TOOL_NAMES);
        for ((a, b), c) in openai_tools(&r).iter().zip(&anthropic).zip(&list) {
            assert!(
                a.2 == b.2 && b.2 == c.2,
                "{}: schemas differ between formats",
                a.0
            );
        }
        // Every schema is a valid JSON Schema.
        for t in &list {
            jsonschema::validator_for(&t.2).unwrap_or_else(|e| panic!("{}: {e}", t.0));
        }
    }
}

/// A catalog too big to list: IDs are plain strings (OpenAI allows 1,000 enum values per
/// schema), and the tools still pass.
#[test]
fn a_big_catalog_passes_without_enums() {
    let mut text = String::from("ruleset \"big\" { stages 店铺 }\n");
    for i in 0..(youhui::tools::MAX_LISTED_OFFERS + 50) {
        text += &format!(
            "coupon c{i} \"券{i}\" {{ stage 店铺 benefit 满{}减10 limit per_user 1 }}\n",
            100 + i
        );
    }
    let r = youhui::RuleSet::parse(&text).unwrap();
    let errs = check_tools(&openai_tools(&r));
    assert!(errs.is_empty(), "{}", errs.join("\n"));
    let v = youhui::tools::openai(&r).to_string();
    assert!(!v.contains("\"enum\":[\"c0\""), "IDs listed as an enum");
    assert!(v.len() < 64 * 1024, "{} bytes", v.len());
}

#[test]
fn the_validator_catches_what_providers_refuse() {
    let bad = |schema: Value| check_tools(&[("t".into(), "d".into(), schema)]);
    let ok = serde_json::json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false});
    assert!(bad(ok.clone()).is_empty());
    assert!(
        !bad(serde_json::json!({"oneOf": [ok.clone()]})).is_empty(),
        "root combinator"
    );
    assert!(!bad(serde_json::json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": [], "additionalProperties": false})).is_empty(), "optional property");
    assert!(
        !bad(serde_json::json!({"type": "object", "properties": {}, "required": []})).is_empty(),
        "open object"
    );
    assert!(!bad(serde_json::json!({"type": "object", "properties": {"a": {"type": "integer", "minimum": 1}}, "required": ["a"], "additionalProperties": false})).is_empty(), "range keyword");
    assert!(
        !check_tools(&[("quote.v1".into(), "d".into(), ok)]).is_empty(),
        "name with a dot"
    );
}

#[test]
fn offer_ids_are_enums_with_titles_in_the_descriptions() {
    let r = rules(PROMO);
    let tools = youhui::tools::mcp(&r);
    let quote = &tools["tools"][0]["inputSchema"]["properties"]["coupons"];
    let ids: Vec<&str> = quote["items"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let coupons: Vec<&str> = r
        .offers()
        .iter()
        .filter(|o| o.kind == youhui::model::OfferKind::Coupon)
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(ids, coupons);
    let description = quote["description"].as_str().unwrap();
    for o in r
        .offers()
        .iter()
        .filter(|o| o.kind == youhui::model::OfferKind::Coupon)
    {
        assert!(
            description.contains(&format!("{} = {}", o.id, o.title)),
            "{description}"
        );
    }
}

/// The golden requests as a model sends them under a strict schema: every optional field
/// present (null when absent), nothing undeclared, amounts as strings, offers by ID (the
/// enums list IDs; the protocol also takes titles).
fn as_model_sends(value: &Value, schema: &Value, r: &youhui::RuleSet) -> Value {
    let schema = match schema.get("anyOf").and_then(Value::as_array) {
        Some(branches) => branches
            .iter()
            .find(|b| b["type"] != "null")
            .unwrap_or(schema),
        None => schema,
    };
    match value {
        Value::Object(m) => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, s) in props {
                    out.insert(
                        k.clone(),
                        m.get(k).map_or(Value::Null, |v| as_model_sends(v, s, r)),
                    );
                }
            }
            // A strict model sends only the declared fields (a pasted quote answer loses
            // the fields a refund does not read).
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| as_model_sends(v, &schema["items"], r))
                .collect(),
        ),
        Value::Number(n) if schema["type"] == "string" || schema["type"][0] == "string" => {
            Value::String(n.to_string())
        }
        Value::String(name) if schema.get("enum").is_some() => {
            let id = r
                .offers()
                .iter()
                .find(|o| &o.title == name)
                .map(|o| o.id.clone());
            Value::String(id.unwrap_or_else(|| name.clone()))
        }
        v => v.clone(),
    }
}

#[test]
fn golden_requests_sent_as_tool_calls_get_the_golden_answers() {
    let (mut called, mut failures) = (0, Vec::new());
    for case in common::golden_cases() {
        let dir = case.parent().unwrap();
        let r =
            youhui::RuleSet::parse(&fs::read_to_string(dir.join("rules.promo")).unwrap()).unwrap();
        let request: Value = serde_json::from_str(&fs::read_to_string(&case).unwrap()).unwrap();
        let expected: Value = serde_json::from_str(
            &fs::read_to_string(
                case.to_string_lossy()
                    .replace(".request.json", ".expected.json"),
            )
            .unwrap(),
        )
        .unwrap();
        let Some(query) = request["query"].as_str() else {
            continue;
        };
        if !youhui::tools::TOOL_NAMES.contains(&query) || expected.get("error").is_some() {
            continue;
        }
        let tools = youhui::tools::mcp(&r);
        let schema = tools["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == query)
            .unwrap()["inputSchema"]
            .clone();
        let mut args = request.clone();
        args.as_object_mut().unwrap().remove("query");
        let args = as_model_sends(&args, &schema, &r);
        let v = jsonschema::validator_for(&schema).unwrap();
        let errs: Vec<String> = v
            .iter_errors(&args)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        if !errs.is_empty() {
            failures.push(format!("{}: {}", case.display(), errs.join("; ")));
            continue;
        }
        let answer = serde_json::to_value(youhui::tools::call(&r, query, args)).unwrap();
        if answer != expected {
            failures.push(format!(
                "{}: answer differs from the golden one",
                case.display()
            ));
        }
        called += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        called >= 100,
        "only {called} golden cases went through the tools"
    );
}

#[test]
fn a_tool_call_with_an_unknown_name_or_bad_arguments_is_a_bad_request() {
    let r = rules(PROMO);
    let a = serde_json::to_value(youhui::tools::call(&r, "qoute", Value::Null)).unwrap();
    assert_eq!(a["error"]["code"], "bad_request");
    let a = serde_json::to_value(youhui::tools::call(&r, "offers", Value::Array(vec![]))).unwrap();
    assert_eq!(a["error"]["code"], "bad_request");
    let a = serde_json::to_value(youhui::tools::call(&r, "offers", Value::Null)).unwrap();
    assert_eq!(a["offers"].as_array().unwrap().len(), r.offers().len());
}
