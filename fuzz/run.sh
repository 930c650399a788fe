#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 120) each. Installs cargo-fuzz if needed and
# uses the stable toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs nightly flags).
# New crashers land in fuzz/artifacts/TARGET/; copy each into fuzz/regressions/TARGET/ so
# that `cargo test` (tests/fuzz_regressions.rs) replays it in CI.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-120}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
for target in rules_text ask_request quote_invariants; do
    mkdir -p "corpus/$target"
    cp -n regressions/"$target"/* "corpus/$target/" 2>/dev/null || true
    echo "== $target"
    # INITED shows the coverage the saved corpus already reaches, DONE what this run added.
    cargo fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -max_len=4096 -timeout=10 2>&1 |
        grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|^Done|panicked|SUMMARY|artifact"
done
