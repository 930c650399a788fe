//! Helpers shared by the tests: driving example binaries, comparing quotes.

pub mod outcome;

use std::path::PathBuf;
use std::process::Command;

/// The example binary `name` next to this test's own binary; built on demand when only the
/// test target was compiled (`cargo test --test ask_cli`).
#[allow(dead_code)] // not every test crate that includes `common` drives an example
pub fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let bin = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    static BUILD: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == name) {
        let release = profile_dir.ends_with("release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "--example", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if release {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "building the {name} example failed");
        built.push(name.to_string());
    }
    assert!(bin.exists(), "{} not built", bin.display());
    bin
}

/// Every golden request file under `tests/golden/eval/*/`, sorted.
#[allow(dead_code)] // not every test crate that includes `common` reads the golden cases
pub fn golden_cases() -> Vec<PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/eval");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        for f in std::fs::read_dir(&dir).unwrap() {
            let p = f.unwrap().path();
            if p.to_string_lossy().ends_with(".request.json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
