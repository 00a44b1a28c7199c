#!/usr/bin/env bash
# compare-local.sh - the Slurm compare pipeline without Slurm: runs compare.sbatch for every array
# task (as Slurm would, with SLURM_ARRAY_TASK_ID set; in reverse order, threads alternating 1 and
# 2), then merge.sbatch, then the same comparison unsharded, and checks them with
# check-compare-shards.sh. Tests the scripts' logic on a machine without a cluster.
#
#   contrib/slurm/compare-local.sh N OUT_ROOT [COMPARE_ARGUMENT...]
#
# DOMINO picks the binary (default: this checkout's target/release/domino). OUT_ROOT must not
# exist yet or be a folder this script made; it receives shard-1 .. shard-N, merged/, local/ and
# logs/.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
[ $# -ge 2 ] || { sed -n '7,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
N=$1 ROOT=$2
shift 2
export DOMINO=${DOMINO:-$REPO/target/release/domino}
mkdir -p "$ROOT/logs"
for ((i = N; i >= 1; i--)); do
  SLURM_ARRAY_TASK_ID=$i SLURM_CPUS_PER_TASK=$((i % 2 + 1)) SLURM_SUBMIT_DIR=$PWD \
    "$HERE/compare.sbatch" "$ROOT" "$N" "$@" >>"$ROOT/logs/compare-$i.out" 2>&1 \
    || { cat "$ROOT/logs/compare-$i.out" >&2; exit 1; }
done
SLURM_JOB_ID=local "$HERE/merge.sbatch" "$ROOT" "$N" >>"$ROOT/logs/merge.out" 2>&1 \
  || { cat "$ROOT/logs/merge.out" >&2; exit 1; }
# As compare.sbatch does: --quiet is added here, so a given -q/--quiet is dropped, not doubled.
LOCAL_ARGS=()
for a in "$@"; do
  case $a in -q|--quiet) ;; *) LOCAL_ARGS+=("$a") ;; esac
done
"$DOMINO" compare "${LOCAL_ARGS[@]}" --out "$ROOT/local" --quiet >/dev/null
"$HERE/check-compare-shards.sh" "$ROOT" "$N" "$ROOT/local"
