#!/usr/bin/env bash
# check-compare-shards.sh - check a sharded `domino compare` against an unsharded one.
#
#   contrib/slurm/check-compare-shards.sh OUT_ROOT N LOCAL
#
# OUT_ROOT holds shard-1 .. shard-N (compare shard folders) and merged/ (their merge); LOCAL is
# the folder of the same comparison run unsharded. Checks that every shard holds its share of the
# runs (shard.json: shard I/N, the runs whose index is I-1 modulo N, adding up to the
# comparison's) and that merged/ and LOCAL hold the same files with the same bytes (diff -r). Used by
# ci-test.sh after the Slurm jobs, and by compare-local.sh without Slurm. Exit 0 only if all hold.
set -euo pipefail
[ $# = 3 ] || { sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
ROOT=$1 N=$2 LOCAL=$3
fail() { echo "check-compare-shards.sh: FAIL: $*" >&2; exit 1; }
field() { sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$2"; }

sum=0 sizes="" total=""
for ((i = 1; i <= N; i++)); do
  info=$ROOT/shard-$i/shard.json
  [ -f "$info" ] || fail "missing $info"
  [ "$(field shard "$info")" = "$i/$N" ] || fail "$info is not shard $i/$N"
  runs=$(field runs "$info") n=$(field shard_runs "$info")
  [ -z "$total" ] || [ "$runs" = "$total" ] || fail "$info: $runs runs, shard-1 says $total"
  total=$runs
  # Shard I holds the runs whose index is I-1 modulo N: with fewer runs than shards, shard 1
  # rightly holds them all and the last shards none.
  want=$(( total > i - 1 ? (total - i + N) / N : 0 ))
  [ "$n" = "$want" ] || fail "shard-$i ran $n of the $total runs, not its share of $want (runs $((i - 1)), $((i - 1 + N)), ...)"
  sizes+="${sizes:+ + }$n"; sum=$((sum + n))
done
[ "$sum" = "$total" ] || fail "shards hold $sizes = $sum runs, the comparison $total"
[ -d "$ROOT/merged" ] || fail "missing $ROOT/merged"
[ -n "$(ls -A "$LOCAL")" ] || fail "$LOCAL is empty"
if ! diff -r "$LOCAL" "$ROOT/merged" >&2; then
  fail "merged compare differs from the unsharded one in $LOCAL"
fi
echo "compare shards hold $sizes = $total runs; merged == unsharded: $(find "$LOCAL" -type f | wc -l) files identical (diff -r)"
