#!/usr/bin/env python3
"""domino calibrate against pyabc on the same synthetic problem (not run in CI).

The problem: scenarios/calibrate-example.toml (120 schools, 12 terms, pilot-then-cascade) and
its synthetic rollout scenarios/rollout-example.csv, simulated from the scenario's own values,
which are therefore the truth. Both tools fit the same three fields with the same priors, the
same summaries (adoption, sustain and abandon curves for the district, each region and each
need tertile) and the
same distance (the root of the count-weighted mean squared difference, as
src/calibrate/observed.rs defines it), with the same population size and number of generations.

pyabc's simulator is domino itself: each simulation is one `domino calibrate SCENARIO --simulate
FILE --run K --set FIELD=VALUE ...` subprocess, whose rollout is summarised here. So pyabc's
time includes a process start and a CSV round trip per simulation; the comparison of time is of
the two tools as a user would run them, and the comparison of accuracy is of the two ABC-SMC
implementations on identical models.

Usage (from the repository root, after `cargo build --release`):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install pyabc
    /tmp/venv/bin/python benches/pyabc/compare.py [--particles 100] [--generations 5]
Prints one line per tool and field: posterior median, 90 % interval, whether it covers the
truth, and the wall time; and the simulations each spent.
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOMINO = os.path.join(ROOT, "target", "release", "domino")
SCENARIO = os.path.join(ROOT, "scenarios", "calibrate-example.toml")
OBSERVED = os.path.join(ROOT, "scenarios", "rollout-example.csv")

# The fields, their priors (as in the scenario's [calibrate.priors]) and the truth (the
# scenario's own values, from which the rollout was simulated).
FIELDS = {
    "innovation.learning_rate": ("uniform", 0.1, 0.6, 0.3),
    "mechanisms.contagion.outside_rate": ("log-uniform", 0.0005, 0.05, 0.005),
    "mechanisms.sustain.turnover_rate": ("uniform", 0.0, 0.15, 0.05),
}
CURVES = ("adopting", "sustained", "abandoned")


def groups():
    """School id -> its groups: region and need tertile (ties by row, as src/school does)."""
    path = os.path.join(ROOT, "scenarios", "calibrate-example", "nodes.csv")
    with open(path) as f:
        rows = list(csv.DictReader([l for l in f if not l.startswith("#")]))
    n = len(rows)
    order = sorted(range(n), key=lambda i: (float(rows[i]["need"]), i))
    tertile = {}
    for rank, i in enumerate(order):
        tertile[i] = "low" if rank < n // 3 else ("high" if rank >= n - n // 3 else "middle")
    return {r["id"]: ("region:" + r["region"], "need:" + tertile[i]) for i, r in enumerate(rows)}


GROUPS = groups()


def summaries(path):
    """Cell (curve, group, term) -> (share, schools) of a rollout CSV."""
    counts, sums = {}, {}
    with open(path) as f:
        rows = [l for l in f if not l.startswith("#")]
    for r in csv.DictReader(rows):
        stage, term = r["stage"], int(r["term"])
        values = (
            stage in ("implementing", "sustained"),
            stage == "sustained",
            stage == "abandoned",
        )
        for group in ("all",) + GROUPS[r["school"]]:
            for curve, v in zip(CURVES, values):
                key = (curve, group, term)
                counts[key] = counts.get(key, 0) + 1
                sums[key] = sums.get(key, 0) + float(v)
    return {k: (sums[k] / counts[k], counts[k]) for k in counts}


OBS = summaries(OBSERVED)
KEYS = sorted(OBS)


def as_vector(s):
    return {str(i): s[k][0] for i, k in enumerate(KEYS)}


WEIGHTS = np.array([OBS[k][1] for k in KEYS], dtype=float)


def distance(x, y):
    a = np.array([x[str(i)] for i in range(len(KEYS))])
    b = np.array([y[str(i)] for i in range(len(KEYS))])
    return float(np.sqrt(np.sum(WEIGHTS * (a - b) ** 2) / np.sum(WEIGHTS)))


COUNTER = [0]


def simulate(params):
    COUNTER[0] += 1
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.csv")
        args = [DOMINO, "calibrate", SCENARIO, "--simulate", out, "--run", str(1000 + COUNTER[0])]
        for name in FIELDS:
            args += ["--set", f"{name}={params[name.replace('.', '_')]}"]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        return as_vector(summaries(out))


def run_pyabc(particles, generations):
    import pyabc

    priors = {}
    for name, (law, lo, hi, _) in FIELDS.items():
        key = name.replace(".", "_")
        if law == "uniform":
            priors[key] = pyabc.RV("uniform", lo, hi - lo)
        else:
            priors[key] = pyabc.RV("loguniform", lo, hi)
    abc = pyabc.ABCSMC(
        simulate,
        pyabc.Distribution(**priors),
        distance,
        population_size=particles,
        eps=pyabc.MedianEpsilon(),
        sampler=pyabc.sampler.MulticoreEvalParallelSampler(n_procs=2),
    )
    db = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "pyabc.db")
    abc.new(db, as_vector(OBS))
    start = time.time()
    # pyabc filters its first population already (its epsilon is the median distance of a
    # prior sample), where domino's generation 0 is that prior sample: generations - 1
    # populations of pyabc are domino's generations 1 to generations - 1.
    history = abc.run(max_nr_populations=generations - 1)
    elapsed = time.time() - start
    df, w = history.get_distribution()
    out = {}
    for name in FIELDS:
        x = df[name.replace(".", "_")].to_numpy()
        out[name] = weighted_quantiles(x, w)
    sims = int(history.get_all_populations()["samples"].sum())
    return out, elapsed, sims


def weighted_quantiles(x, w):
    order = np.argsort(x)
    x, w = x[order], np.asarray(w)[order]
    c = np.cumsum(w) / np.sum(w)
    return tuple(float(x[np.searchsorted(c, q)]) for q in (0.05, 0.5, 0.95))


def run_domino(particles, generations):
    out_dir = tempfile.mkdtemp()
    # The same three fields: the scenario without its fourth prior (topple_ratio), written
    # beside the original so that its network paths still resolve.
    scenario = os.path.join(ROOT, "scenarios", ".compare-pyabc.toml")
    with open(SCENARIO) as f, open(scenario, "w") as g:
        g.writelines(l for l in f if not l.startswith("mechanisms.contagion.topple_ratio ="))
    # The same summaries as pyabc's: the stage column only.
    obs = os.path.join(out_dir, "stages.csv")
    with open(OBSERVED) as f, open(obs, "w") as g:
        for line in f:
            g.write(",".join(line.rstrip("\n").split(",")[:3]) + "\n")
    args = [DOMINO, "calibrate", scenario, "--observed", obs, "--out", os.path.join(out_dir, "o"),
            "--threads", "2", "--quiet",
            "--set", f"calibrate.particles={particles}",
            "--set", f"calibrate.generations={generations}",
            "--set", "calibrate.simulations=10000000"]
    start = time.time()
    try:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    finally:
        os.remove(scenario)
    elapsed = time.time() - start
    out = {}
    with open(os.path.join(out_dir, "o", "summary.csv")) as f:
        for r in csv.DictReader(f):
            if r["parameter"] in FIELDS:
                out[r["parameter"]] = (float(r["p5"]), float(r["median"]), float(r["p95"]))
    with open(os.path.join(out_dir, "o", "generations.csv")) as f:
        sims = sum(int(r["simulations"]) for r in csv.DictReader(f))
    return out, elapsed, sims


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--particles", type=int, default=100)
    p.add_argument("--generations", type=int, default=5)
    p.add_argument("--skip-pyabc", action="store_true")
    a = p.parse_args()
    results = [("domino", *run_domino(a.particles, a.generations))]
    if not a.skip_pyabc:
        results.append(("pyabc", *run_pyabc(a.particles, a.generations)))
    print(f"{a.particles} particles, {a.generations} generations, 2 cores")
    print(f"{'tool':<8} {'field':<36} {'truth':>8} {'median':>9} {'90 % interval':>22} covers")
    for tool, fields, elapsed, sims in results:
        for name, (_, _, _, truth) in FIELDS.items():
            lo, med, hi = fields[name]
            print(f"{tool:<8} {name:<36} {truth:>8.4g} {med:>9.4g} {lo:>10.4g} to {hi:<9.4g} {lo <= truth <= hi}")
        print(f"{tool:<8} {elapsed:.1f} s wall, {sims} simulations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
