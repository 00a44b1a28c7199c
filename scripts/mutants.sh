#!/usr/bin/env bash
# Mutation testing of the model and the strategies: cargo-mutants changes the code one small way
# at a time (a `+` to a `-`, a function body to a default value, a condition to `true`) and runs
# the tests; a mutant the tests do not notice ("missed") is a behaviour no test pins down.
#
#   scripts/mutants.sh [EXTRA cargo-mutants ARGS]     # e.g. --shard 0/4, or -f src/model/mod.rs
#
# Not run in CI: it builds and tests once per mutant (773 on 2026-12-03; CONTRIBUTING.md
# "Mutation testing" has the last run's figure). With the `mutants` profile (Cargo.toml:
# opt-level 1, incremental) a mutant costs 8 to 15 s to build and about 1 s to test on the
# 2-core machine; `-j 2` runs two at once (430 mutants took 47 minutes that way), so the
# whole run takes about 1 hour on a quiet machine. It can be split: `--shard K/N` runs the
# K-th of N parts, and `--iterate` skips mutants that an earlier run in mutants.out/ caught.
# Needs cargo-mutants (`cargo install cargo-mutants --locked`). Results go to mutants.out/;
# mutants.out/missed.txt lists the survivors. The target is at least 90 % of viable mutants
# caught (caught / (caught + missed); "unviable" mutants do not compile and do not count).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null || cargo install cargo-mutants --locked
# The fast behavioural suites that exercise src/model and src/strategy, plus the golden hashes
# (0.3 s), which notice any change of a number; the slow statistical suites (statements,
# validation, sweeps) would multiply the run time for few extra catches.
# The targets go to every cargo call (--cargo-arg), so that each mutant's build compiles these
# four test targets only, not all of them.
cargo mutants --profile mutants --timeout 120 \
    -f 'src/model/**/*.rs' -f 'src/strategy/**/*.rs' \
    --cargo-arg=--lib --cargo-arg=--test=mechanisms --cargo-arg=--test=strategies \
    --cargo-arg=--test=golden "$@"
caught=$(wc -l < mutants.out/caught.txt)
missed=$(wc -l < mutants.out/missed.txt)
echo "caught $caught, missed $missed: $(( 100 * caught / (caught + missed) )) % of viable mutants (this run's; --iterate leaves out what earlier runs caught)"
