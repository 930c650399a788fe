#!/usr/bin/env bash
# Runs fuzz targets one after the other, SECONDS (default 120) each:
#
#   fuzz/run.sh [SECONDS] [TARGET...]        # no TARGET: every target
#
# Installs cargo-fuzz if needed and uses the stable toolchain with RUSTC_BOOTSTRAP=1
# (cargo-fuzz needs nightly flags). Each target runs as one libFuzzer process at the lowest
# CPU priority, without a sanitizer (the crate has no unsafe code; without AddressSanitizer
# the time bounds of the hostile targets mean the same as in `cargo test --release`), with
# debug assertions and overflow checks (cargo-fuzz's default). Extra libFuzzer flags can be
# given in FUZZ_FLAGS, e.g. FUZZ_FLAGS="-fork=1 -ignore_crashes=1" to go on after a crash.
#
# New crashers land in fuzz/artifacts/TARGET/; copy each into tests/fuzz/regressions/TARGET/ so
# that `cargo test` (tests/fuzz_regressions.rs) replays it in CI.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-120}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(rules_text ask_request quote_invariants hostile_rules hostile_requests permutation)
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1

# Longest input per target: rule files and hostile generators get 64 KiB (a generator turns
# a few bytes into megabytes, the rest of the input is spliced in), request lines 16 KiB,
# the byte-driven generators far more than they read.
max_len() {
    case "$1" in
        rules_text | hostile_rules) echo 65536 ;;
        ask_request | hostile_requests) echo 16384 ;;
        *) echo 4096 ;;
    esac
}

status=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target"
    cp -n ../tests/fuzz/regressions/"$target"/* "corpus/$target/" 2>/dev/null || true
    echo "== $target (max_len $(max_len "$target"))"
    # INITED shows the coverage the saved corpus already reaches, DONE what this run added;
    # the stat:: lines count the executions. -timeout: one input may take 10 s at most;
    # -rss_limit_mb: the process may use 512 MB at most.
    # shellcheck disable=SC2086
    nice -n 19 cargo fuzz run --sanitizer none "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
        -rss_limit_mb=512 -print_final_stats=1 ${FUZZ_FLAGS:-} 2>&1 |
        grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|^Done|panicked|SUMMARY|artifact|stat::number_of_executed_units|ERROR" ||
        status=1
done
exit "$status"
