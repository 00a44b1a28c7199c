#!/usr/bin/env bash
# Peer benchmark: domino's independent cascade and Watts threshold workloads against NDlib, EoN,
# Mesa and a vectorised numpy/scipy.sparse implementation, on the same graphs
# (benches/peers/README.md). Not part of CI. Run from anywhere:
#
#   benches/peers/run.sh
#
# It creates benches/peers/.venv (pinned requirements.txt) if missing, builds domino
# (cargo build --release), and for each size exports run 0's network with `domino network`,
# times domino (`domino compare --threads 1`) and peers.py on it for both workloads, then prints
# a markdown table and writes it to benches/peers/results.md.
#
# Knobs (environment variables):
#   PEERS_SIZES        node counts                      (default "10000 100000")
#   PEERS_RUNS         timed runs per Python tool       (default 20)
#   PEERS_MAX_SECONDS  time budget per Python tool and workload; stops early but keeps >= 1 run
#                                                       (default 30)
#   PEERS_TOOLS        peers.py --tools                 (default all: numpy,eon,ndlib,mesa,mesa-grid)
#   DOMINO_RUNS_<N>    domino runs timed at size N      (default 2000 at 10000, 200 above)
#   DOMINO_REPEATS     domino timings repeated, best kept (default 3)
#   DOMINO_BIN         use this domino binary instead of building one
#   PEERS_RESULTS      where to write the markdown     (default benches/peers/results.md)
#   PYTHON             interpreter that creates the venv (default python3; CPython 3.11 tested)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
WORK="$HERE/.work"
OUT_MD="${PEERS_RESULTS:-$HERE/results.md}"
SIZES="${PEERS_SIZES:-10000 100000}"
PY_RUNS="${PEERS_RUNS:-20}"
PY_BUDGET="${PEERS_MAX_SECONDS:-30}"
PY_TOOLS="${PEERS_TOOLS:-numpy,eon,ndlib,mesa,mesa-grid}"
REPEATS="${DOMINO_REPEATS:-3}"

NPROC="$(nproc)" # before OMP_NUM_THREADS is set below: nproc obeys it

# One thread everywhere: domino gets --threads 1; numpy/scipy must not fan out either.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMEXPR_NUM_THREADS=1

log() { printf '[peers] %s\n' "$*" >&2; }

# --- Python environment -------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV"
    "${PYTHON:-python3}" -m venv "$VENV"
fi
# Every time, so the venv follows requirements.txt; a no-op taking a second when it already does.
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
PY="$VENV/bin/python"

# --- domino -------------------------------------------------------------------------------
if [[ -n "${DOMINO_BIN:-}" ]]; then
    DOMINO="$DOMINO_BIN"
else
    log "cargo build --release"
    (cd "$ROOT" && cargo build --release --quiet)
    DOMINO="$ROOT/target/release/domino"
fi
# The commit measured (others may commit while this runs): taken once, "-dirty" if edited.
DOMINO_VERSION="domino-$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"

rm -rf "$WORK"
mkdir -p "$WORK"
RESULTS="$WORK/results.csv"
echo "tool,workload,nodes,runs,seconds_per_run,mean_final_fraction,sd_final_fraction,version" >"$RESULTS"
AGREEMENT=()
DOMINO_SETTINGS=()

now() { date +%s.%N; }

# Wall seconds of one `domino compare` with R runs, best of $REPEATS.
domino_wall() { # scenario runs outdir
    local best="" t0 t1 dt
    for _ in $(seq "$REPEATS"); do
        t0=$(now)
        "$DOMINO" compare "$1" --threads 1 --runs "$2" --quiet --out "$3" >/dev/null
        t1=$(now)
        dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
        if [[ -z "$best" ]] || awk -v x="$dt" -v y="$best" 'BEGIN { exit !(x < y) }'; then best=$dt; fi
    done
    echo "$best"
}

for N in $SIZES; do
    case "$N" in
        10000) tag=10k ;;
        100000) tag=100k ;;
        *) log "no scenario files for $N nodes (have 10000 and 100000)"; exit 2 ;;
    esac
    var="DOMINO_RUNS_$N"
    if [[ "$N" -le 10000 ]]; then R="${!var:-2000}"; else R="${!var:-200}"; fi
    DOMINO_SETTINGS+=("$R runs at $N nodes")

    # Both workloads use the same network (same seed and generator): export it once.
    edges="$WORK/graph-$tag.csv"
    "$DOMINO" network "$HERE/ic-$tag.toml" --run 0 --out "$edges" >/dev/null
    log "$N nodes: $(($(wc -l <"$edges") - 1)) ties exported to $edges"

    for workload in ic threshold; do
        scenario="$HERE/$workload-$tag.toml"
        # domino's seconds per run: a `compare` pays a fixed cost (process start, reading the
        # scenario, building the fixed network once, writing the output files) on top of its
        # runs. Timing R + 1 runs and 1 run and dividing the difference by R cancels that fixed
        # cost, leaving the cost of R runs (each best of DOMINO_REPEATS, to shed noise).
        log "domino $workload $N: timing 1 and $((R + 1)) runs, best of $REPEATS"
        t1=$(domino_wall "$scenario" 1 "$WORK/domino-$workload-$tag-1")
        tR=$(domino_wall "$scenario" $((R + 1)) "$WORK/domino-$workload-$tag")
        per_run=$(awk -v a="$t1" -v b="$tR" -v r="$R" 'BEGIN { printf "%.6g", (b - a) / r }')
        frac=$(awk -F, '$2 == "final_active_share" { printf "%.5f", $4; exit }' \
            "$WORK/domino-$workload-$tag/summary.csv")
        sd=$(awk -F, '$2 == "final_active_share" { printf "%.5f", $5; exit }' \
            "$WORK/domino-$workload-$tag/summary.csv")
        echo "domino,$workload,$N,$R,$per_run,$frac,$sd,$DOMINO_VERSION" >>"$RESULTS"
        log "domino $workload $N: $per_run s per run (1 run: $t1 s, $((R + 1)) runs: $tR s)"

        log "peers $workload $N: up to $PY_RUNS runs or ${PY_BUDGET} s per tool"
        rc=0
        "$PY" "$HERE/peers.py" --edges "$edges" --nodes "$N" --workload "$workload" \
            --runs "$PY_RUNS" --max-seconds "$PY_BUDGET" --seed 1 --tools "$PY_TOOLS" --no-header \
            >>"$RESULTS" 2>"$WORK/peers-$workload-$tag.log" || rc=$?
        cat "$WORK/peers-$workload-$tag.log" >&2
        if [[ $rc -ne 0 ]]; then
            AGREEMENT+=("$workload, $N nodes: peers.py exited $rc (see .work/peers-$workload-$tag.log)")
        else
            AGREEMENT+=("$workload, $N nodes: $(sed -n 's/^# agreement: //p' "$WORK/peers-$workload-$tag.log")")
        fi
    done
done

# --- Table --------------------------------------------------------------------------------
CPU="$(lscpu 2>/dev/null | grep 'Model name' | head -1 | sed 's/^Model name:[[:space:]]*//')"
export PEERS_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
export PEERS_MACHINE="$NPROC cores, ${CPU:-unknown CPU}, $(uname -sr)"
export PEERS_RUSTC="$(rustc --version 2>/dev/null || echo 'rustc ?')"
export PEERS_PYTHON="$("$PY" -c 'import platform; print(platform.python_implementation(), platform.python_version())')"
export PEERS_SETTINGS="Python tools: up to $PY_RUNS timed runs or ${PY_BUDGET} s per tool and workload, after 1 warm-up run; domino: $(IFS=,; echo "${DOMINO_SETTINGS[*]}" | sed 's/,/, /g'), best of $REPEATS timings"
export PEERS_AGREEMENT="$(printf '%s\n' "${AGREEMENT[@]}")"

"$PY" - "$RESULTS" "$OUT_MD" <<'PYEOF'
import csv, os, sys

rows = list(csv.DictReader(open(sys.argv[1])))
dom = {(r["workload"], r["nodes"]): float(r["seconds_per_run"]) for r in rows if r["tool"] == "domino"}
order = {"domino": 0, "numpy": 1, "eon": 2, "ndlib": 3, "mesa": 4, "mesa-grid": 5}
label = {
    "domino": "domino (Rust, 1 thread)",
    "numpy": "numpy/scipy.sparse (vectorised)",
    "eon": "EoN basic_discrete_SIR",
    "ndlib": "NDlib",
    "mesa": "Mesa (discrete_space.Network)",
    "mesa-grid": "Mesa (space.NetworkGrid)",
}
rows.sort(key=lambda r: (r["workload"], int(r["nodes"]), order.get(r["tool"], 9)))

def secs(s):
    if s == "n/a":
        return "n/a"
    x = float(s)
    return f"{x * 1e3:.3g} ms" if x < 1 else f"{x:.3g} s"

lines = [
    "| workload | nodes | tool | version | runs | seconds per run | final active | domino speed-up (tool / domino) |",
    "|---|---:|---|---|---:|---:|---:|---:|",
]
for r in rows:
    d = dom.get((r["workload"], r["nodes"]))
    if r["seconds_per_run"] == "n/a":
        ratio = "n/a"
    elif r["tool"] == "domino":
        ratio = "1"
    elif d and d > 0:
        ratio = f"{float(r['seconds_per_run']) / d:,.1f}x"
    else:
        ratio = "?"
    frac = r["mean_final_fraction"]
    frac = "n/a" if frac == "n/a" else f"{float(frac):.4f}"
    work = "independent cascade" if r["workload"] == "ic" else "Watts threshold"
    lines.append(
        f"| {work} | {int(r['nodes']):,} | {label.get(r['tool'], r['tool'])} | {r['version']} | "
        f"{r['runs']} | {secs(r['seconds_per_run'])} | {frac} | {ratio} |"
    )
table = "\n".join(lines)
print()
print(table)
print()
print(f"{os.environ['PEERS_DATE']}; {os.environ['PEERS_MACHINE']}")

env = os.environ
agreement = "\n".join(f"- {a}" for a in env["PEERS_AGREEMENT"].splitlines() if a)
with open(sys.argv[2], "w") as f:
    f.write(f"""# Peer benchmark results

Written by `benches/peers/run.sh` (see `benches/peers/README.md`); do not edit by hand.

- Date: {env['PEERS_DATE']}
- Machine: {env['PEERS_MACHINE']}
- Toolchains: {env['PEERS_RUSTC']}; {env['PEERS_PYTHON']}
- Settings: {env['PEERS_SETTINGS']}

Workloads: Erdos-Renyi G(n, m) with mean degree 6 (run 0's network of the `benches/peers/*.toml`
scenarios, exported by `domino network` and read by every Python tool), 1 % of nodes seeded
uniformly at random, each run until nothing changes. Independent cascade: T = 0.25 per tie.
Watts threshold: phi = 0.18, synchronous rounds.

{table}

Seconds per run are wall-clock, single-threaded. "final active" is the mean share of all nodes
ever active at the end of a run (seeds included): equal figures show the tools do the same work.

Cross-tool agreement (peers.py; every Python tool gets the same seed set in run r):

{agreement}

Fairness notes:

- domino runs with `network.fixed = true`: the network is built once (run 0's, the one the
  Python tools read) and every run reuses it, so neither side pays for building the graph per
  run. Its figure is (wall time of R + 1 runs - wall time of 1 run) / R of
  `domino compare --threads 1 --quiet`, which cancels start-up, scenario parsing, the one
  network build and file output; what remains still includes domino's per-run bookkeeping
  (per-round time series, summary statistics), which the Python tools do not do.
- domino draws its own seeds and coins; the Python tools share seed sets with each other
  (not with domino), so domino's final share agrees in distribution, not run by run.
- Python tools: graph loading and model construction are not timed, one warm-up run is not
  timed, and each timed run includes resetting the model to the run's seeds.
- EoN has no synchronous fractional threshold model, hence n/a.
""")
print(f"\nwrote {sys.argv[2]}", file=sys.stderr)
PYEOF
