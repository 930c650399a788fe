//! The crate's shape, checked: imports between the top-level modules of `src/` point one
//! way (no cycle), the crate root re-exports at most 30 names, no source file is over
//! 800 lines, and benefit forms are told apart only where the algebra, the grammar and the
//! texts live.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Top-level module name → its files (the binary is not part of the library).
fn top_modules() -> BTreeMap<String, Vec<PathBuf>> {
    let mut tops = BTreeMap::new();
    for entry in std::fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "bin" {
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            rust_files(&path, &mut files);
        } else {
            files.push(path);
        }
        tops.entry(name).or_insert_with(Vec::new).extend(files);
    }
    tops
}

/// The top-level modules a file's code (not its tests) names as `crate::m` or
/// `use crate::{m, ...}`.
fn uses(text: &str, tops: &BTreeMap<String, Vec<PathBuf>>) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let group = rest
            .strip_prefix('{')
            .map(|g| &g[..g.find('}').unwrap_or(g.len())]);
        let names: Vec<&str> = match group {
            Some(g) => g
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .collect(),
            None => vec![rest
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")],
        };
        for n in names {
            if tops.contains_key(n) {
                found.insert(n.to_string());
            }
        }
    }
    found
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let tops = top_modules();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, files) in &tops {
        let deps = graph.entry(name.clone()).or_default();
        for f in files {
            for d in uses(&std::fs::read_to_string(f).unwrap(), &tops) {
                if &d != name {
                    deps.insert(d);
                }
            }
        }
    }
    // Every module reachable from `m` must not reach `m` again.
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((m, path)) = stack.pop() {
            for d in &graph[&m] {
                assert!(d != start, "import cycle: {} -> {start}", path.join(" -> "));
                if seen.insert(d.clone()) {
                    let mut p = path.clone();
                    p.push(d.clone());
                    stack.push((d.clone(), p));
                }
            }
        }
    }
    // The check sees real edges (a parser that found none would pass vacuously).
    assert!(graph["queries"].contains("eval") && graph["protocol"].contains("queries"));
}

#[test]
fn the_crate_root_exports_at_most_30_names() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let mut names = BTreeSet::new();
    let mut depth = 0usize;
    for line in lib.lines() {
        let t = line.trim();
        // Only the root's own `pub use` items, not those inside `pub mod x { ... }`.
        if depth == 0 && t.starts_with("pub use ") {
            let item = t.trim_start_matches("pub use ").trim_end_matches(';');
            let inner = match (item.find('{'), item.rfind('}')) {
                (Some(a), Some(b)) => item[a + 1..b].to_string(),
                (Some(a), None) => {
                    // A multi-line list: the rest of the braces follow.
                    let after = &lib[lib.find(line).unwrap() + line.len()..];
                    item[a + 1..].to_string() + &after[..after.find('}').unwrap()]
                }
                _ => item.rsplit("::").next().unwrap().to_string(),
            };
            for n in inner.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                names.insert(n.rsplit("::").next().unwrap().to_string());
            }
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
    }
    assert!(
        names.contains("RuleSet") && names.contains("Quote"),
        "{names:?}"
    );
    assert!(names.len() <= 30, "{} root names: {names:?}", names.len());
}

#[test]
fn source_files_stay_under_800_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    assert!(files.len() > 30);
    for f in files {
        let lines = std::fs::read_to_string(&f).unwrap().lines().count();
        let rel = f
            .strip_prefix(src())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        assert!(lines <= 800, "src/{rel} has {lines} lines");
    }
}

/// A benefit's arithmetic lives in `src/eval/benefit/` (one file per form). Besides it, only
/// the files that read, check, compile or word a benefit, and the few that ask which form an
/// offer has (a group buy's state, `equivalent`'s rewriting of one form into another), may
/// match on `Benefit::` variants: a new query computing a benefit itself fails here.
#[test]
fn benefit_forms_are_matched_only_by_the_algebra_grammar_and_texts() {
    let allowed = [
        "eval/benefit/mod.rs",
        "eval/prepare.rs",
        "explain/mod.rs",
        "lang/syntax/build.rs",
        "protocol/tools.rs",
        "queries/equivalent.rs",
        "queries/quote.rs",
        "queries/refund.rs",
        "rules/canonical.rs",
        "rules/check.rs",
        "rules/compile.rs",
        "rules/offer_words.rs",
        "rules/words.rs",
    ];
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut offenders = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(src())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&f).unwrap();
        if text.contains("Benefit::") && !allowed.contains(&rel.as_str()) {
            offenders.push(rel);
        }
    }
    assert!(
        offenders.is_empty(),
        "these files match on benefit forms; call the benefit algebra (src/eval/benefit) instead: {offenders:?}"
    );
}
