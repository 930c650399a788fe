//! Golden tests for the rule language, driven by the files under `tests/golden/language/`.
//!
//! - `ok/NAME.promo` must check without errors; its canonical JSON must equal `ok/NAME.json`
//!   and its warnings (if any) `ok/NAME.warnings`. Its canonical text must parse back to the
//!   same JSON.
//! - `err/NAME.promo` must fail; the rendered report must equal `err/NAME.txt`.
//!
//! Run with `BLESS=1` to (re)write the expected files after reviewing a change.

use std::fs;
use std::path::{Path, PathBuf};

fn cases(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/language")
        .join(dir);
    let mut v: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "promo"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no cases in {}", dir.display());
    v
}

fn expect(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("BLESS").is_some() {
        fs::write(path, actual).unwrap();
        return;
    }
    match fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{}: differs\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(_) => failures.push(format!("{}: missing; actual:\n{actual}", path.display())),
    }
}

fn name(p: &Path) -> String {
    format!("{}.promo", p.file_stem().unwrap().to_string_lossy())
}

#[test]
fn ok_files_compile_to_their_canonical_json() {
    let mut failures = Vec::new();
    for path in cases("ok") {
        let text = fs::read_to_string(&path).unwrap();
        let checked = youhui::check_rules(&name(&path), &text);
        let Some(rules) = checked.rules else {
            failures.push(format!(
                "{}: unexpected errors\n{}",
                path.display(),
                checked.report
            ));
            continue;
        };
        let json = serde_json::to_string_pretty(&rules).unwrap() + "\n";
        expect(&path.with_extension("json"), &json, &mut failures);
        let warnings: String = checked
            .report
            .warnings()
            .map(|w| w.render(&name(&path)) + "\n")
            .collect();
        let wpath = path.with_extension("warnings");
        if !warnings.is_empty() || wpath.exists() {
            expect(&wpath, &warnings, &mut failures);
        }
        // Canonical text round-trips to the same rule set.
        let again = youhui::RuleSet::parse(&rules.to_rule_text()).unwrap();
        assert_eq!(
            serde_json::to_string_pretty(&again).unwrap() + "\n",
            json,
            "{}",
            path.display()
        );
        assert_eq!(
            again.fingerprint(),
            rules.fingerprint(),
            "{}",
            path.display()
        );
        assert_eq!(again.to_rule_text(), rules.to_rule_text());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn err_files_report_every_error_with_position() {
    let mut failures = Vec::new();
    for path in cases("err") {
        let text = fs::read_to_string(&path).unwrap();
        let checked = youhui::check_rules(&name(&path), &text);
        if checked.rules.is_some() {
            failures.push(format!("{}: expected errors, got none", path.display()));
            continue;
        }
        expect(
            &path.with_extension("txt"),
            &(checked.report.to_string() + "\n"),
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
