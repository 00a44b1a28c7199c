#!/usr/bin/env bash
# Runs every fuzz target for a short time and fails on the first crash, hang or leak.
#
#   scripts/fuzz-smoke.sh [SECONDS]     # per target, default 60
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`). Each target
# starts from its committed corpus in fuzz/corpus/<target>; new inputs go to a scratch copy, so
# the committed corpus stays small. A crash leaves its input in fuzz/artifacts/<target>/: add it
# to tests/inputs.rs as a regression test before fixing it.
set -euo pipefail

seconds="${1:-60}"
cd "$(dirname "$0")/.."
targets=(scenario sweep nodes edges)

cargo +nightly fuzz build --release

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t"
    echo "fuzz $t for ${seconds}s"
    # -rss_limit_mb: no input may allocate beyond what validation allows; -timeout: no hang (30 s
    # leaves room for a busy machine: loading the shipped 100-point sweep validates every point).
    status=0
    cargo +nightly fuzz run --release "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -print_final_stats=1 \
        >"$scratch/$t.log" 2>&1 || status=$?
    grep -E '^#[0-9]+ +DONE|ERROR|SUMMARY|panicked' "$scratch/$t.log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$scratch/$t.log" >&2
        echo "fuzz target $t failed (exit $status): see fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
echo "fuzz smoke: all targets ran ${seconds}s without a crash"
