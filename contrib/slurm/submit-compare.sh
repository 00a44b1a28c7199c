#!/usr/bin/env bash
# submit-compare.sh - run one domino comparison on a Slurm cluster: N array tasks (one shard of
# the runs each), then a merge.
#
#   contrib/slurm/submit-compare.sh N OUT_ROOT [SBATCH_OPTION...] -- [COMPARE_ARGUMENT...]
#
# Submits
#   1. compare.sbatch as a job array 1-N: task I runs
#      `domino compare COMPARE_ARGUMENTS --shard I/N` into OUT_ROOT/shard-I;
#   2. merge.sbatch (the same merge as for sweeps), which starts only when every task has
#      succeeded (--dependency=afterok:ARRAY --kill-on-invalid-dep=yes), and writes
#      OUT_ROOT/merged: the bytes an unsharded `domino compare COMPARE_ARGUMENTS` writes when run
#      from this directory;
# and prints both job ids and where the results land. Job logs go to OUT_ROOT/logs/.
#
# COMPARE_ARGUMENTS are the scenario file (none: the built-in default) and --runs, --seed,
# --steps, --set ...; the jobs run in this directory, so relative paths work. The cluster settings
# are those of submit.sh: SBATCH_* variables, SHARD_SBATCH_ARGS, MERGE_SBATCH_ARGS, ARRAY_LIMIT,
# DOMINO (see README.md).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

usage() {
  sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  echo "see $HERE/README.md" >&2
  exit 2
}
fail() { echo "submit-compare.sh: $*" >&2; exit 2; }

[ $# -ge 2 ] || usage
N=$1 OUT_ROOT=$2
shift 2
EXTRA=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do EXTRA+=("$1"); shift; done
[ $# -gt 0 ] || fail "missing '--' before the compare arguments (write '--' alone for the default scenario)"
shift
COMPARE=("$@")

[[ "$N" =~ ^[1-9][0-9]*$ ]] || fail "N must be a positive number of shards, not '$N'"
command -v sbatch >/dev/null || fail "sbatch not found: run this on a Slurm login node"
for a in "${COMPARE[@]}"; do
  case $a in
    --out|--out=*|--shard|--shard=*|--threads|--threads=*|--ablate)
      fail "$a is set by compare.sbatch (or cannot be sharded): leave it out" ;;
  esac
done

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

# Bad compare arguments fail here, on the login node, not in N tasks: `domino check` validates the
# scenario with its --set changes (--runs, --seed and --steps are checked by the tasks).
CHECK=()
skip=0
for a in "${COMPARE[@]}"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  case $a in
    --runs|--seed|--steps) skip=1 ;;
    --runs=*|--seed=*|--steps=*|-q|--quiet) ;;
    *) CHECK+=("$a") ;;
  esac
done
if ! checked=$("$DOMINO" check "${CHECK[@]}" 2>&1); then
  echo "$checked" >&2
  fail "domino check rejected the scenario (see above)"
fi

read -r -a SHARD_ARGS <<<"${SHARD_SBATCH_ARGS:-}"
read -r -a MERGE_ARGS <<<"${MERGE_SBATCH_ARGS:-}"
ARRAY_SPEC="1-$N${ARRAY_LIMIT:+%$ARRAY_LIMIT}"

# --parsable prints "jobid" or "jobid;cluster".
ARRAY_JOB=$(sbatch --parsable --array="$ARRAY_SPEC" \
  --output="$OUT_ROOT/logs/compare-%A_%a.out" \
  "${EXTRA[@]}" "${SHARD_ARGS[@]}" \
  "$HERE/compare.sbatch" "$OUT_ROOT" "$N" "${COMPARE[@]}")
ARRAY_JOB=${ARRAY_JOB%%;*}

if ! MERGE_JOB=$(sbatch --parsable --dependency="afterok:$ARRAY_JOB" --kill-on-invalid-dep=yes \
  --output="$OUT_ROOT/logs/merge-%j.out" \
  "${EXTRA[@]}" "${MERGE_ARGS[@]}" \
  "$HERE/merge.sbatch" "$OUT_ROOT" "$N"); then
  scancel "$ARRAY_JOB" 2>/dev/null || true     # no shards without their merge
  fail "submitting the merge job failed; cancelled the compare array $ARRAY_JOB"
fi
MERGE_JOB=${MERGE_JOB%%;*}

cat <<EOT
compare job: $ARRAY_JOB (array $ARRAY_SPEC: task I runs shard I/$N of: domino compare ${COMPARE[*]})
merge job: $MERGE_JOB (starts when every task has succeeded)
shards:    $OUT_ROOT/shard-1 .. $OUT_ROOT/shard-$N
results:   $OUT_ROOT/merged
logs:      $OUT_ROOT/logs/
watch:     squeue -j $ARRAY_JOB,$MERGE_JOB
EOT
