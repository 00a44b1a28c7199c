#!/usr/bin/env bash
# ci-test.sh - end-to-end test of contrib/slurm on a throwaway single-node Slurm cluster.
#
# 1. installs Debian's slurm-wlm and munge if they are missing (root, Debian/Ubuntu);
# 2. starts munged, slurmctld and slurmd by hand on 127.0.0.1, with slurm.conf, state, spool and
#    logs in a fresh temp dir (nothing in /etc/slurm is read or written; no systemd needed);
# 3. runs submit.sh on example-sweep.toml with 3 shards (8 points: shards of 3, 3 and 2) and
#    submit-compare.sh on the default scenario with 3 shards (40 runs: 14, 13 and 13), and,
#    while the cluster works, the same sweep and comparison locally without shards;
# 4. waits for both arrays and both merge jobs, checks that every task is COMPLETED, and compares
#    each OUT_ROOT/merged with the local output byte for byte (diff -r);
# 5. stops every daemon it started, by PID, on any exit (trap), and removes the temp dir.
# Exit status 0 only if all of that passed; the last line says PASS or FAIL.
#
# It builds nothing: build first, then run it from anywhere, as root:
#   cargo build --release && contrib/slurm/ci-test.sh
#
# Environment:
#   DOMINO=PATH         the domino binary (default: <repo>/target/release/domino)
#   SHARDS=3            number of shards
#   WAIT_TIMEOUT=300    seconds to wait for the jobs before cancelling them and failing
#   KEEP_RUN_DIR=1      keep the temp dir (slurm.conf, daemon and job logs, outputs)
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"   # slurmctld, slurmd, munged live in sbin

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DOMINO=${DOMINO:-$REPO/target/release/domino}
SWEEP=$HERE/example-sweep.toml
SHARDS=${SHARDS:-3}
WAIT_TIMEOUT=${WAIT_TIMEOUT:-300}

T0=$EPOCHREALTIME
secs() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[slurm-ci %5ss] %s\n' "$(secs "$T0")" "$*"; }
die() { log "FAIL: $*"; exit 1; }

# ------------------------------------------------------------------ 0. preconditions
[ -x "$DOMINO" ] || die "no domino binary at $DOMINO: run 'cargo build --release' first, or set DOMINO"
DOMINO=$(cd "$(dirname "$DOMINO")" && pwd)/$(basename "$DOMINO")
"$DOMINO" sweep --help >/dev/null 2>&1 || die "$DOMINO has no working 'sweep' subcommand"
[ "$(id -u)" = 0 ] || die "must run as root (it installs packages and starts munged/slurmd)"
export DOMINO

# ------------------------------------------------------------------ 1. packages
T_STEP=$EPOCHREALTIME
missing=()
for cmd in slurmctld slurmd sbatch munged; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing slurm-wlm and munge (missing: ${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists only when installing straight away fails (e.g. empty lists).
  if ! apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
  fi
fi
T_INSTALL=$(secs "$T_STEP")
log "$(slurmctld -V) (packages ${T_INSTALL}s)"

# ------------------------------------------------------------------ cleanup, armed before any daemon starts
RUN=$(mktemp -d /tmp/domino-slurm-ci.XXXXXX)
mkdir -p "$RUN/state" "$RUN/spool" "$RUN/log"    # the daemons log nowhere if their log dir is missing
MUNGED_PID="" CTLD_PID="" SLURMD_PID="" LOCAL_PID="" JOBS=()
OUT_ROOT=$RUN/slurm-out LOCAL=$RUN/local-out
CMP_ROOT=$RUN/slurm-compare LOCAL_CMP=$RUN/local-compare
# The comparison the test shards: the built-in default scenario, small.
COMPARE_ARGS=(--runs 40 --steps 12)

stop_pid() {   # stop_pid NAME PID: TERM one of our own children, KILL after 15 s, reap it
  local name=$1 pid=$2 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored SIGTERM: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  log "stopped $name (pid $pid)"
}

cleanup() {
  local rc=$? i f
  set +e
  trap - INT TERM
  if [ "$rc" != 0 ]; then
    # The daemons' *.out files repeat their *.log files: show the logs, the jobs' and ours.
    for f in "$RUN"/log/*.log "$RUN"/log/munged.out "$RUN"/log/local-*.out "$OUT_ROOT"/logs/* "$CMP_ROOT"/logs/*; do
      [ -f "$f" ] && [ -s "$f" ] && { echo "----- tail -n 20 $f"; tail -n 20 "$f"; }
    done
  fi
  if [ ${#JOBS[@]} -gt 0 ] && [ -n "$CTLD_PID" ]; then   # no job may outlive the cluster
    log "cancelling jobs ${JOBS[*]}"
    scancel "${JOBS[@]}" 2>/dev/null
    for ((i = 0; i < 100; i++)); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.1; done
  fi
  stop_pid "local reference run" "$LOCAL_PID"
  stop_pid slurmd "$SLURMD_PID"
  stop_pid slurmctld "$CTLD_PID"       # its child slurmscriptd exits with it
  stop_pid munged "$MUNGED_PID"        # empty if a munged was already running: that one stays
  if [ "${KEEP_RUN_DIR:-0}" = 1 ]; then log "kept $RUN"; else rm -rf "$RUN"; fi
  if [ "$rc" = 0 ]; then
    log "PASS: $SHARDS-shard Slurm sweep + merge == local unsharded sweep, and $SHARDS-shard Slurm compare + merge == local unsharded compare, byte for byte (${T_SUMMARY:-}total $(secs "$T0")s)"
  else
    log "FAIL: Slurm sweep/compare test failed with exit $rc (total $(secs "$T0")s)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ 2. munged
T_STEP=$EPOCHREALTIME
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "reusing the munged that is already running (it is left running)"
else
  # Without systemd nobody creates /run/munge; munged refuses to run as root.
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  # setpriv execs (runuser would fork), so $! is munged itself; -F keeps it in the foreground.
  setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F \
    </dev/null >"$RUN/log/munged.out" 2>&1 &
  MUNGED_PID=$!
  for ((i = 0; i < 50; i++)); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null || die "munged did not come up"
fi

# ------------------------------------------------------------------ 3. slurm.conf in the temp dir
NODE=$(hostname -s)      # slurmctld only acts as controller on the host named in SlurmctldHost
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=6817
while ! port_free "$PORT" || ! port_free "$((PORT + 1))"; do PORT=$((PORT + 2)); done
export SLURM_CONF=$RUN/slurm.conf    # read by every slurm command below, submit.sh's sbatch included
cat >"$SLURM_CONF" <<EOF
# Throwaway single-node cluster written by contrib/slurm/ci-test.sh; everything on 127.0.0.1.
ClusterName=domino-ci
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$RUN/state
SlurmdSpoolDir=$RUN/spool
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$RUN/log/slurmctld.log
SlurmdLogFile=$RUN/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups, no accounting database: plain process tracking is enough here.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
# Start a queued task on the next scheduler tick after a CPU frees (the default waits up to 3 s).
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Keep finished jobs' records long enough for scontrol to report every task's state.
MinJobAge=600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=ci Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

# ------------------------------------------------------------------ 4. slurmctld + slurmd
# -D: stay in the foreground as our child, so $! is the daemon's PID and `wait` reaps it.
# Output to files: a daemon holding CI's stdout would keep the CI step open.
slurmctld -D -f "$SLURM_CONF" </dev/null >"$RUN/log/slurmctld.out" 2>&1 &
CTLD_PID=$!
for ((i = 0; i < 100; i++)); do scontrol ping 2>/dev/null | grep -q 'is UP' && break; sleep 0.1; done
scontrol ping 2>/dev/null | grep -q 'is UP' || die "slurmctld did not come up"
slurmd -D -N "$NODE" -f "$SLURM_CONF" </dev/null >"$RUN/log/slurmd.out" 2>&1 &
SLURMD_PID=$!
for ((i = 0; i < 300; i++)); do [ "$(sinfo -h -n "$NODE" -o %T 2>/dev/null)" = idle ] && break; sleep 0.1; done
[ "$(sinfo -h -n "$NODE" -o %T 2>/dev/null)" = idle ] || die "node $NODE is not idle: $(sinfo -h -o '%T %E')"
T_CLUSTER=$(secs "$T_STEP")
log "cluster up in ${T_CLUSTER}s: munged ${MUNGED_PID:-(reused)}, slurmctld $CTLD_PID, slurmd $SLURMD_PID, port $PORT, $(nproc) CPUs"

# ------------------------------------------------------------------ 5. submit, run locally meanwhile
T_STEP=$EPOCHREALTIME
cd "$REPO"     # jobs start in the submit directory
SUBMIT_OUT=$("$HERE/submit.sh" "$SWEEP" "$SHARDS" "$OUT_ROOT" --time=10) || die "submit.sh failed"
while IFS= read -r line; do echo "    $line"; done <<<"$SUBMIT_OUT"
ARRAY_JOB=$(awk '$1 == "sweep" && $2 == "job:" { print $3 }' <<<"$SUBMIT_OUT")
MERGE_JOB=$(awk '$1 == "merge" && $2 == "job:" { print $3 }' <<<"$SUBMIT_OUT")
[[ "$ARRAY_JOB" =~ ^[0-9]+$ && "$MERGE_JOB" =~ ^[0-9]+$ ]] || die "could not read the job ids from submit.sh"
JOBS=("$ARRAY_JOB" "$MERGE_JOB")
CMP_SUBMIT_OUT=$("$HERE/submit-compare.sh" "$SHARDS" "$CMP_ROOT" --time=10 -- "${COMPARE_ARGS[@]}") \
  || die "submit-compare.sh failed"
while IFS= read -r line; do echo "    $line"; done <<<"$CMP_SUBMIT_OUT"
CMP_JOB=$(awk '$1 == "compare" && $2 == "job:" { print $3 }' <<<"$CMP_SUBMIT_OUT")
CMP_MERGE_JOB=$(awk '$1 == "merge" && $2 == "job:" { print $3 }' <<<"$CMP_SUBMIT_OUT")
[[ "$CMP_JOB" =~ ^[0-9]+$ && "$CMP_MERGE_JOB" =~ ^[0-9]+$ ]] || die "could not read the job ids from submit-compare.sh"
JOBS+=("$CMP_JOB" "$CMP_MERGE_JOB")

# slurmctld's first scheduling pass comes a few seconds after it starts: run the reference now.
# In the background and then `wait`, so that a signal to this script is handled at once.
T_LOCAL0=$EPOCHREALTIME
"$DOMINO" sweep "$SWEEP" --out "$LOCAL" --quiet </dev/null >"$RUN/log/local-sweep.out" 2>&1 &
LOCAL_PID=$!
rc=0; wait "$LOCAL_PID" || rc=$?
LOCAL_PID=""
[ "$rc" = 0 ] || die "local unsharded sweep failed (exit $rc)"
# The same comparison, unsharded, from the same directory (manifest.json records paths as given).
"$DOMINO" compare "${COMPARE_ARGS[@]}" --out "$LOCAL_CMP" --quiet </dev/null >"$RUN/log/local-compare.out" 2>&1 &
LOCAL_PID=$!
rc=0; wait "$LOCAL_PID" || rc=$?
LOCAL_PID=""
[ "$rc" = 0 ] || die "local unsharded compare failed (exit $rc)"
T_LOCAL=$(secs "$T_LOCAL0")
log "local unsharded sweep and compare done in ${T_LOCAL}s"

wait_job() {   # wait_job ID: until the job (every array task) has left the queue
  local id=$1 out rc deadline=$((SECONDS + WAIT_TIMEOUT))
  while :; do
    rc=0; out=$(squeue -h -j "$id" -o '%i %T' 2>&1) || rc=$?
    [ "$rc" = 0 ] && [ -z "$out" ] && return 0
    [ "$rc" != 0 ] && grep -q 'Invalid job id' <<<"$out" && return 0
    [ "$SECONDS" -lt "$deadline" ] || { log "timed out after ${WAIT_TIMEOUT}s waiting for job $id: $out"; return 1; }
    sleep 0.5
  done
}
job_states() {   # job_states ID: "COMPLETED x3" etc.; sacct needs slurmdbd, scontrol does not
  scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort | uniq -c \
    | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }'
}
all_completed() {   # all_completed ID N: exactly N records, all COMPLETED (exit code 0)
  local recs
  recs=$(scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*') || return 1
  [ "$(grep -c . <<<"$recs")" = "$2" ] && [ "$(grep -c '=COMPLETED$' <<<"$recs")" = "$2" ]
}

wait_job "$ARRAY_JOB" || die "sweep array did not finish in time"
wait_job "$MERGE_JOB" || die "merge job did not finish in time"
wait_job "$CMP_JOB" || die "compare array did not finish in time"
wait_job "$CMP_MERGE_JOB" || die "compare merge job did not finish in time"
JOBS=()
T_JOBS=$(secs "$T_STEP")
log "sweep array $ARRAY_JOB: $(job_states "$ARRAY_JOB"); merge $MERGE_JOB: $(job_states "$MERGE_JOB") (${T_JOBS}s from submit)"
# A merge cancelled because a task failed never ran (exit code 0:0): check states, not exit codes.
all_completed "$ARRAY_JOB" "$SHARDS" || die "not every sweep task COMPLETED"
all_completed "$MERGE_JOB" 1 || die "merge job did not COMPLETE"
log "compare array $CMP_JOB: $(job_states "$CMP_JOB"); merge $CMP_MERGE_JOB: $(job_states "$CMP_MERGE_JOB")"
all_completed "$CMP_JOB" "$SHARDS" || die "not every compare task COMPLETED"
all_completed "$CMP_MERGE_JOB" 1 || die "compare merge job did not COMPLETE"

# ------------------------------------------------------------------ 6. compare
for ((i = 1; i <= SHARDS; i++)); do
  [ -d "$OUT_ROOT/shard-$i" ] || die "missing shard folder shard-$i"
done
[ -d "$OUT_ROOT/merged" ] || die "missing $OUT_ROOT/merged"
# The shards must have split the points between them (not each run them all).
if [ -d "$LOCAL/points" ]; then
  total=$(find "$LOCAL/points" -type f | wc -l) sizes="" sum=0
  for ((i = 1; i <= SHARDS; i++)); do
    n=$(find "$OUT_ROOT/shard-$i/points" -type f 2>/dev/null | wc -l)
    sizes+="${sizes:+ + }$n"; sum=$((sum + n))
    [ "$n" -lt "$total" ] || [ "$SHARDS" = 1 ] || die "shard-$i holds all $total points"
  done
  [ "$sum" = "$total" ] || die "shards hold $sizes = $sum point files, the local run $total"
  log "shards hold $sizes = $total points"
fi
[ -n "$(ls -A "$LOCAL")" ] || die "local sweep wrote nothing"
if ! diff -r "$LOCAL" "$OUT_ROOT/merged" >"$RUN/log/diff.out" 2>&1; then
  head -n 40 "$RUN/log/diff.out"
  die "merged Slurm output differs from the local unsharded sweep"
fi
NFILES=$(find "$LOCAL" -type f | wc -l)
log "merged output == local output: $NFILES files identical (diff -r)"
"$HERE/check-compare-shards.sh" "$CMP_ROOT" "$SHARDS" "$LOCAL_CMP" || die "sharded compare check failed"
T_SUMMARY="packages ${T_INSTALL}s, cluster up ${T_CLUSTER}s, jobs ${T_JOBS}s, local runs ${T_LOCAL}s; "
