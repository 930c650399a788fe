//! Golden tests for the queries, driven by the files under `tests/golden/eval/`.
//!
//! Each folder holds one `rules.promo` and any number of cases: `CASE.request.json` (one
//! `ask` request) and `CASE.expected.json` (its answer). The answer is produced through the
//! same path every front end uses (`RuleSet::answer_line` → JSON) and compared
//! as JSON; it must also serialise to the same bytes twice. `BLESS=1` rewrites the expected
//! files after a reviewed change.
#![cfg(feature = "json")]

use std::fs;
use std::path::{Path, PathBuf};

fn dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/eval");
    let mut v: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn answer(rules: &youhui::RuleSet, request: &str) -> String {
    let response = rules.answer_line(request.as_bytes());
    serde_json::to_string_pretty(&response).unwrap() + "\n"
}

#[test]
fn every_case_answers_as_expected() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    let mut count = 0;
    for dir in dirs() {
        let text = fs::read_to_string(dir.join("rules.promo")).unwrap();
        let rules = youhui::RuleSet::parse_named("rules.promo", &text)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".request.json"))
            .collect();
        cases.sort();
        for case in cases {
            count += 1;
            let request = fs::read_to_string(&case).unwrap();
            let actual = answer(&rules, &request);
            assert_eq!(
                actual,
                answer(&rules, &request),
                "not deterministic: {}",
                case.display()
            );
            let expected_path = PathBuf::from(
                case.to_string_lossy()
                    .replace(".request.json", ".expected.json"),
            );
            if bless {
                fs::write(&expected_path, &actual).unwrap();
                continue;
            }
            let Ok(expected) = fs::read_to_string(&expected_path) else {
                failures.push(format!(
                    "{}: no expected file; actual:\n{actual}",
                    case.display()
                ));
                continue;
            };
            let e: serde_json::Value = serde_json::from_str(&expected).unwrap();
            let a: serde_json::Value = serde_json::from_str(&actual).unwrap();
            if e != a {
                failures.push(format!(
                    "{}:\n--- expected\n{expected}\n--- actual\n{actual}",
                    case.display()
                ));
            }
        }
    }
    assert!(count > 0, "no golden cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
