//! `youhui schema` against the golden data: every golden request that is not refused as a bad
//! request validates against the request schema, every expected answer (errors included)
//! against the answer schema, and the requests `examples/double11.jsonl` sends too.
#![cfg(feature = "schema")]

use std::fs;
use std::path::Path;

use serde_json::Value;

mod common;

fn validator(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn expected_of(request: &Path) -> Value {
    let p = request
        .to_string_lossy()
        .replace(".request.json", ".expected.json");
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn golden_requests_and_answers_validate() {
    let requests = validator(&youhui::protocol::request_schema());
    let answers = validator(&youhui::protocol::answer_schema());
    let mut failures = Vec::new();
    let (mut checked, mut refused) = (0, 0);
    for case in common::golden_cases() {
        let request: Value = serde_json::from_str(&fs::read_to_string(&case).unwrap()).unwrap();
        let expected = expected_of(&case);
        let bad_request = expected["error"]["code"] == "bad_request";
        let errs = errors(&requests, &request);
        if bad_request {
            // The schema cannot see everything (repeated line IDs), so a refused request may
            // still be schema-valid; count the ones the schema refuses as well.
            refused += usize::from(!errs.is_empty());
        } else if !errs.is_empty() {
            failures.push(format!("{}: request: {}", case.display(), errs.join("; ")));
        }
        let errs = errors(&answers, &expected);
        if !errs.is_empty() {
            failures.push(format!("{}: answer: {}", case.display(), errs.join("; ")));
        }
        checked += 1;
    }
    assert!(checked >= 100, "only {checked} golden cases");
    assert!(refused > 0, "the schema refuses none of the bad requests");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn example_requests_validate() {
    let requests = validator(&youhui::protocol::request_schema());
    let text = fs::read_to_string("examples/double11.jsonl").unwrap();
    let mut refused = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        // The example shows a misspelt field (`coupon`) being refused; so does the schema.
        if v.get("coupon").is_some() {
            refused += usize::from(!requests.is_valid(&v));
            continue;
        }
        assert_eq!(errors(&requests, &v), Vec::<String>::new(), "{line}");
    }
    assert_eq!(refused, 1);
}

#[test]
fn schema_refuses_what_the_parser_refuses() {
    let requests = validator(&youhui::protocol::request_schema());
    let bad = [
        r#"{"query": "quote"}"#,
        r#"{"query": "price", "cart": {"lines": []}}"#,
        r#"{"query": "quote", "cart": {"lines": [{"id": "L1", "price": "1.001", "qty": 1}]}}"#,
        r#"{"query": "quote", "cart": {"lines": [{"id": "L1", "price": "-1", "qty": 1}]}}"#,
        r#"{"query": "quote", "cart": {"lines": [{"id": "L1", "price": "1", "qty": 0}]}}"#,
    ];
    for b in bad {
        let v: Value = serde_json::from_str(b).unwrap();
        assert!(!requests.is_valid(&v), "schema accepts {b}");
        assert!(
            serde_json::from_str::<youhui::protocol::Request>(b).is_err(),
            "parser accepts {b}"
        );
    }
}
