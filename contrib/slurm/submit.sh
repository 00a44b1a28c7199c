#!/usr/bin/env bash
# submit.sh - run a domino sweep on a Slurm cluster: N array tasks (one shard each), then a merge.
#
#   contrib/slurm/submit.sh SWEEP.toml N OUT_ROOT [SBATCH_OPTION...]
#
# Submits
#   1. sweep.sbatch as a job array 1-N: task I runs `domino sweep SWEEP --shard I/N` into
#      OUT_ROOT/shard-I;
#   2. merge.sbatch, which starts only when every task has succeeded
#      (--dependency=afterok:ARRAY --kill-on-invalid-dep=yes: if a task fails, the merge is
#      cancelled instead of waiting forever), and writes OUT_ROOT/merged;
# and prints both job ids and where the results land. Job logs go to OUT_ROOT/logs/.
#
# Cluster settings:
#   - Options after OUT_ROOT go to both sbatch calls, e.g. --partition=short --account=proj42.
#   - sbatch's own environment variables work too and apply to both jobs:
#     SBATCH_PARTITION, SBATCH_ACCOUNT, SBATCH_TIMELIMIT, SBATCH_QOS, ...
#   - SHARD_SBATCH_ARGS / MERGE_SBATCH_ARGS: extra options for one of the two jobs only,
#     e.g. SHARD_SBATCH_ARGS="--cpus-per-task=8 --time=02:00:00" (split on spaces).
#   - ARRAY_LIMIT=M: run at most M tasks at once (--array=1-N%M).
#   - DOMINO: the domino binary. Default: this checkout's target/release/domino, else `domino`
#     on PATH. It must be on a file system the compute nodes can see (home or project space).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() {
  sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "see $HERE/README.md" >&2
  exit 2
}
fail() { echo "submit.sh: $*" >&2; exit 2; }

[ $# -ge 3 ] || usage
SWEEP=$1 N=$2 OUT_ROOT=$3
shift 3
EXTRA=("$@")

[ -f "$SWEEP" ] || fail "no such sweep file: $SWEEP"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || fail "N must be a positive number of shards, not '$N'"
command -v sbatch >/dev/null || fail "sbatch not found: run this on a Slurm login node"

# Absolute paths: the jobs may start in another directory, on another node.
SWEEP=$(cd "$(dirname "$SWEEP")" && pwd)/$(basename "$SWEEP")
mkdir -p "$OUT_ROOT/logs"
OUT_ROOT=$(cd "$OUT_ROOT" && pwd)

if [ -z "${DOMINO:-}" ]; then
  if [ -x "$REPO/target/release/domino" ]; then
    DOMINO=$REPO/target/release/domino
  else
    DOMINO=$(command -v domino) || fail "no domino binary: build it (cargo build --release) or set DOMINO"
  fi
fi
[ -x "$DOMINO" ] || fail "DOMINO is not an executable file: $DOMINO"
DOMINO=$(cd "$(dirname "$DOMINO")" && pwd)/$(basename "$DOMINO")
export DOMINO   # sbatch passes the submitting environment to the jobs (--export=ALL)

read -r -a SHARD_ARGS <<<"${SHARD_SBATCH_ARGS:-}"
read -r -a MERGE_ARGS <<<"${MERGE_SBATCH_ARGS:-}"
ARRAY_SPEC="1-$N${ARRAY_LIMIT:+%$ARRAY_LIMIT}"

# --parsable prints "jobid" or "jobid;cluster".
ARRAY_JOB=$(sbatch --parsable --array="$ARRAY_SPEC" \
  --output="$OUT_ROOT/logs/sweep-%A_%a.out" \
  "${EXTRA[@]}" "${SHARD_ARGS[@]}" \
  "$HERE/sweep.sbatch" "$SWEEP" "$OUT_ROOT" "$N")
ARRAY_JOB=${ARRAY_JOB%%;*}

if ! MERGE_JOB=$(sbatch --parsable --dependency="afterok:$ARRAY_JOB" --kill-on-invalid-dep=yes \
  --output="$OUT_ROOT/logs/merge-%j.out" \
  "${EXTRA[@]}" "${MERGE_ARGS[@]}" \
  "$HERE/merge.sbatch" "$OUT_ROOT" "$N"); then
  scancel "$ARRAY_JOB" 2>/dev/null || true     # no sweep without its merge
  fail "submitting the merge job failed; cancelled the sweep array $ARRAY_JOB"
fi
MERGE_JOB=${MERGE_JOB%%;*}

cat <<EOF
sweep job: $ARRAY_JOB (array $ARRAY_SPEC: task I runs shard I/$N of $SWEEP)
merge job: $MERGE_JOB (starts when every task has succeeded)
shards:    $OUT_ROOT/shard-1 .. $OUT_ROOT/shard-$N
results:   $OUT_ROOT/merged
logs:      $OUT_ROOT/logs/
watch:     squeue -j $ARRAY_JOB,$MERGE_JOB
EOF
