#!/usr/bin/env python3
"""Time domino's two classic workloads in its Python peers (benches/peers/README.md).

Reads an undirected edge list (CSV `source,target,weight`, node ids 0..n-1, as written by
`domino network`), builds the graph once per tool (not timed), then times runs of

  ic         independent cascade (Kempe, Kleinberg & Tardos 2003): each newly active node gets
             one chance, in the next round, to activate each inactive neighbour with
             probability T (default 0.25);
  threshold  Watts (2002) fractional threshold: an inactive node activates in round t + 1 once
             (active neighbours at t) / degree >= phi (default 0.18); synchronous rounds;
             degree-0 nodes never activate;

each run seeded with round(share * n) nodes drawn uniformly at random (default 1 %) and run
until nothing changes, in:

  ndlib   NDlib's IndependentCascadesModel (edge 'threshold' = T on every edge) and
          ThresholdModel (node 'threshold' = phi on every node), stepped with
          model.iteration() until no node is left to spread (IC) or no node changed (threshold);
  eon     EoN.basic_discrete_SIR(G, T, initial_infecteds=...): exactly IC (discrete-time SIR
          with a one-step infectious period). EoN has no synchronous fractional threshold
          model (its complex contagion is continuous-time Gillespie), so threshold is n/a;
  mesa    a Mesa model written like the installed Mesa's virus-on-network example: one
          FixedAgent per node on a mesa.discrete_space.Network, model.step() =
          agents.shuffle_do("step"); activations found in a step take effect after it
          (synchronous rounds);
  mesa-grid  the same model on the legacy mesa.space.NetworkGrid with grid.get_neighbors();
  numpy   vectorised numpy / scipy.sparse on a CSR adjacency: IC draws one Bernoulli per
          out-tie of the frontier at once; threshold is a sparse mat-vec of the active vector
          per round, compared with each node's number of active neighbours needed.

Output, on stdout, one CSV line per tool (after a header):

  tool,workload,nodes,runs,seconds_per_run,mean_final_fraction,sd_final_fraction,version

seconds_per_run is the mean wall time of the timed runs (one untimed warm-up run first);
mean_final_fraction is the mean over those runs of the share of all n nodes ever active,
seeds included. Run r uses the same seed set in every tool, so the threshold model, which is
deterministic given its seeds, must end with exactly the same active count in every tool;
IC means must agree within sampling error. Both checks are reported on stderr and fail the
script (exit 3) when violated.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from importlib import metadata

import numpy as np

TOOLS = ("numpy", "eon", "ndlib", "mesa", "mesa-grid")


# --------------------------------------------------------------------------------------------
# Graph input


def read_edges(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Source and target columns of a `source,target[,weight]` CSV (header line skipped)."""
    data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 1), dtype=np.int64, ndmin=2)
    return data[:, 0], data[:, 1]


def clean_edges(src: np.ndarray, dst: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Undirected simple graph: drop self-loops and duplicate ties, check ids are in 0..n-1."""
    if len(src) and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        sys.exit(f"peers.py: node ids must be in 0..{n - 1} (pass --nodes N)")
    keep = src != dst
    lo, hi = np.minimum(src[keep], dst[keep]), np.maximum(src[keep], dst[keep])
    pairs = np.unique(lo * n + hi)
    return pairs // n, pairs % n


def seed_set(n: int, share: float, seed: int, run: int, warmup: bool = False) -> list[int]:
    """Run `run`'s seed nodes: round(share * n) (at least 1) uniformly without replacement.

    The same for every tool, so per-run results can be compared across tools.
    """
    k = max(1, int(round(share * n))) if share > 0 else 0
    rng = np.random.default_rng([seed, run, 0, int(warmup)])
    return sorted(int(i) for i in rng.choice(n, size=k, replace=False))


def coin_seed(seed: int, run: int, tool: str, warmup: bool = False) -> int:
    """A per-run, per-tool seed for the tool's own random coins (32 bits for legacy RNGs)."""
    ss = np.random.SeedSequence([seed, run, 1 + TOOLS.index(tool), int(warmup)])
    return int(ss.generate_state(1)[0])


def needed_neighbours(phi: float, degree: np.ndarray) -> np.ndarray:
    """Fewest active neighbours c with c / degree >= phi, by the same float division NDlib
    uses (so a share exactly at phi counts); a huge number for degree 0 (never activates)."""
    deg = degree.astype(np.int64)
    safe = np.maximum(deg, 1)
    need = np.ceil(phi * deg).astype(np.int64)
    need = np.clip(need, 0, deg)
    # Fix float rounding of phi * deg either way so that need is minimal under c / deg >= phi.
    lower = np.maximum(need - 1, 0)
    need = np.where((need > 0) & (lower / safe >= phi), lower, need)
    need = np.where(need / safe < phi, need + 1, need)
    return np.where(deg == 0, np.iinfo(np.int64).max // 2, need)


# --------------------------------------------------------------------------------------------
# Implementations. Each `setup_*` builds what a run needs from the graph (not timed) and
# returns run(seeds, coin_seed) -> number of nodes ever active.


def setup_numpy(n, src, dst, workload, T, phi):
    import scipy.sparse as sp

    ones = np.ones(2 * len(src), dtype=np.int32)
    adj = sp.csr_matrix(
        (ones, (np.concatenate([src, dst]), np.concatenate([dst, src]))), shape=(n, n)
    )
    adj.sort_indices()
    indptr, indices = adj.indptr.astype(np.int64), adj.indices
    degree = np.diff(indptr)

    if workload == "ic":

        def run(seeds, cseed):
            rng = np.random.default_rng(cseed)
            active = np.zeros(n, dtype=bool)
            frontier = np.asarray(seeds, dtype=np.int64)
            active[frontier] = True
            while frontier.size:
                counts = degree[frontier]
                total = int(counts.sum())
                if total == 0:
                    break
                # CSR slots of every out-tie of the frontier, without a Python loop.
                starts = indptr[frontier]
                first = np.repeat(starts - (np.cumsum(counts) - counts), counts)
                slots = first + np.arange(total)
                hit = indices[slots[rng.random(total) < T]]
                hit = hit[~active[hit]]
                frontier = np.unique(hit)
                active[frontier] = True
            return int(active.sum())

    else:
        need = needed_neighbours(phi, degree)

        def run(seeds, cseed):
            active = np.zeros(n, dtype=np.int32)
            active[np.asarray(seeds, dtype=np.int64)] = 1
            while True:
                new = (active == 0) & (adj @ active >= need)
                if not new.any():
                    break
                active[new] = 1
            return int(active.sum())

    return run


def networkx_graph(n, src, dst):
    import networkx as nx

    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(src.tolist(), dst.tolist()))
    return G


def setup_eon(n, src, dst, workload, T, phi):
    if workload != "ic":
        return None
    import EoN

    G = networkx_graph(n, src, dst)

    def run(seeds, cseed):
        t, S, I, R = EoN.basic_discrete_SIR(
            G, T, initial_infecteds=seeds, rng=np.random.default_rng(cseed)
        )
        return int(n - S[-1])

    return run


def setup_ndlib(n, src, dst, workload, T, phi):
    import ndlib.models.ModelConfig as mc
    import ndlib.models.epidemics as ep

    G = networkx_graph(n, src, dst)
    cfg = mc.Configuration()
    if workload == "ic":
        model = ep.IndependentCascadesModel(G)
        for e in G.edges():
            cfg.add_edge_configuration("threshold", e, T)
    else:
        model = ep.ThresholdModel(G)
        for i in G.nodes():
            cfg.add_node_configuration("threshold", i, phi)
    # A placeholder initial set; every run sets its own with model.reset(infected_nodes=...).
    cfg.add_model_initial_configuration("Infected", [0])
    model.set_initial_status(cfg)
    susceptible, infected = model.available_statuses["Susceptible"], model.available_statuses["Infected"]

    def run(seeds, cseed):
        np.random.seed(cseed)  # NDlib draws its coins from numpy's global RNG
        model.reset(infected_nodes=seeds)
        model.iteration(node_status=False)  # iteration 0 only reports the initial status
        while True:
            it = model.iteration(node_status=False)
            if workload == "ic":
                # Spent nodes move to Removed; the cascade is over when none is Infected.
                if it["node_count"][infected] == 0:
                    break
            elif it["status_delta"][infected] == 0:
                break
        return n - it["node_count"][susceptible]

    return run


def setup_mesa(n, src, dst, workload, T, phi):
    """Agents on mesa.discrete_space.Network, as in the installed Mesa's virus_on_network."""
    import mesa
    from mesa.discrete_space import FixedAgent, Network

    G = networkx_graph(n, src, dst)
    degree = np.array([d for _, d in sorted(G.degree())])
    need = needed_neighbours(phi, degree).tolist()
    INACTIVE, NEW, SPENT, ACTIVE = 0, 1, 2, 3  # IC: NEW -> SPENT; threshold: ACTIVE

    class Node(FixedAgent):
        def __init__(self, model, cell, need):
            super().__init__(model)
            self.cell = cell
            self.state = INACTIVE
            self.need = need

        def step_ic(self):
            # A newly active node gets one chance per inactive neighbour; whoever it reaches
            # becomes active after this step (model.pending), spreading in the next one.
            if self.state is not NEW:
                return
            for other in self.cell.neighborhood.agents:
                if other.state is INACTIVE and self.random.random() < T:
                    self.model.reached.add(other)
            self.state = SPENT

        def step_threshold(self):
            if self.state is ACTIVE:
                return
            active = 0
            for other in self.cell.neighborhood.agents:
                if other.state is ACTIVE:
                    active += 1
            if active >= self.need:
                self.model.pending.append(self)

    class Diffusion(mesa.Model):
        def __init__(self):
            super().__init__(seed=0)
            self.grid = Network(G, capacity=1, random=self.random)
            # Setting a FixedAgent's cell places it there, as in the virus_on_network example.
            self.nodes = [Node(self, self.grid._cells[i], need[i]) for i in range(n)]
            self.reached = set()
            self.pending = []

        def reset(self, seeds, cseed):
            self.random.seed(cseed)
            for a in self.nodes:
                a.state = INACTIVE
            for i in seeds:
                self.nodes[i].state = NEW if workload == "ic" else ACTIVE

        def step(self):
            if workload == "ic":
                self.reached = set()
                self.agents.shuffle_do("step_ic")
                for a in self.reached:
                    a.state = NEW
                self.running = bool(self.reached)
            else:
                self.pending = []
                self.agents.shuffle_do("step_threshold")
                for a in self.pending:
                    a.state = ACTIVE
                self.running = bool(self.pending)

    model = Diffusion()

    def run(seeds, cseed):
        model.reset(seeds, cseed)
        model.running = True
        while model.running:
            model.step()
        return sum(1 for a in model.nodes if a.state is not INACTIVE)

    return run


def setup_mesa_grid(n, src, dst, workload, T, phi):
    """The same model on the legacy mesa.space.NetworkGrid (Mesa 2's virus_on_network)."""
    import warnings

    import mesa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mesa.space import NetworkGrid

    G = networkx_graph(n, src, dst)
    degree = np.array([d for _, d in sorted(G.degree())])
    need = needed_neighbours(phi, degree).tolist()
    INACTIVE, NEW, SPENT, ACTIVE = 0, 1, 2, 3

    class Node(mesa.Agent):
        def __init__(self, model, need):
            super().__init__(model)
            self.state = INACTIVE
            self.need = need

        def step_ic(self):
            if self.state is not NEW:
                return
            for other in self.model.grid.get_neighbors(self.pos, include_center=False):
                if other.state is INACTIVE and self.random.random() < T:
                    self.model.reached.add(other)
            self.state = SPENT

        def step_threshold(self):
            if self.state is ACTIVE:
                return
            active = 0
            for other in self.model.grid.get_neighbors(self.pos, include_center=False):
                if other.state is ACTIVE:
                    active += 1
            if active >= self.need:
                self.model.pending.append(self)

    class Diffusion(mesa.Model):
        def __init__(self):
            super().__init__(seed=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.grid = NetworkGrid(G)
            self.nodes = []
            for i in range(n):
                a = Node(self, need[i])
                self.grid.place_agent(a, i)
                self.nodes.append(a)
            self.reached = set()
            self.pending = []

        def reset(self, seeds, cseed):
            self.random.seed(cseed)
            for a in self.nodes:
                a.state = INACTIVE
            for i in seeds:
                self.nodes[i].state = NEW if workload == "ic" else ACTIVE

        def step(self):
            if workload == "ic":
                self.reached = set()
                self.agents.shuffle_do("step_ic")
                for a in self.reached:
                    a.state = NEW
                self.running = bool(self.reached)
            else:
                self.pending = []
                self.agents.shuffle_do("step_threshold")
                for a in self.pending:
                    a.state = ACTIVE
                self.running = bool(self.pending)

    model = Diffusion()

    def run(seeds, cseed):
        model.reset(seeds, cseed)
        model.running = True
        while model.running:
            model.step()
        return sum(1 for a in model.nodes if a.state is not INACTIVE)

    return run


SETUP = {
    "numpy": setup_numpy,
    "eon": setup_eon,
    "ndlib": setup_ndlib,
    "mesa": setup_mesa,
    "mesa-grid": setup_mesa_grid,
}

DIST = {"numpy": "numpy", "eon": "EoN", "ndlib": "ndlib", "mesa": "mesa", "mesa-grid": "mesa"}


def version(tool: str) -> str:
    dist = DIST[tool]
    try:
        v = f"{dist}-{metadata.version(dist)}"
    except metadata.PackageNotFoundError:
        v = f"{dist}-?"
    if tool == "numpy":
        v += f"+scipy-{metadata.version('scipy')}"
    return v


# --------------------------------------------------------------------------------------------
# Driver


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--edges", required=True, help="edge list CSV: source,target,weight")
    p.add_argument("--nodes", type=int, help="number of nodes n (default: largest id + 1)")
    p.add_argument("--workload", choices=("ic", "threshold"), required=True)
    p.add_argument("--runs", type=int, default=10, help="timed runs per tool (default 10)")
    p.add_argument("--seed", type=int, default=1, help="master seed (default 1)")
    p.add_argument(
        "--max-seconds",
        type=float,
        default=math.inf,
        help="per-tool time budget for the timed runs: stop starting new runs once it is "
        "spent (at least one run is always timed)",
    )
    p.add_argument("--warmup", type=int, default=1, help="untimed warm-up runs per tool (default 1)")
    p.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    p.add_argument("--transmission", type=float, default=0.25, help="IC per-tie probability T")
    p.add_argument("--phi", type=float, default=0.18, help="fractional threshold phi")
    p.add_argument("--share", type=float, default=0.01, help="share of nodes seeded (default 0.01)")
    p.add_argument("--no-header", action="store_true", help="do not print the CSV header")
    a = p.parse_args(argv)

    tools = [t.strip() for t in a.tools.split(",") if t.strip()]
    for t in tools:
        if t not in TOOLS:
            p.error(f"unknown tool {t!r}; choose from {', '.join(TOOLS)}")
    if a.runs < 1:
        p.error("--runs must be at least 1")

    src, dst = read_edges(a.edges)
    n = a.nodes if a.nodes is not None else int(max(src.max(), dst.max())) + 1 if len(src) else 0
    src, dst = clean_edges(src, dst, n)
    log = lambda msg: print(f"# {msg}", file=sys.stderr, flush=True)  # noqa: E731
    log(f"{a.edges}: {n} nodes, {len(src)} ties (mean degree {2 * len(src) / max(n, 1):.2f}); "
        f"workload {a.workload}, T = {a.transmission}, phi = {a.phi}, seeds {a.share:.0%}")

    if not a.no_header:
        print("tool,workload,nodes,runs,seconds_per_run,mean_final_fraction,sd_final_fraction,version")
    finals: dict[str, list[int]] = {}
    for tool in tools:
        t0 = time.perf_counter()
        run = SETUP[tool](n, src, dst, a.workload, a.transmission, a.phi)
        if run is None:
            print(f"{tool},{a.workload},{n},0,n/a,n/a,n/a,{version(tool)}", flush=True)
            log(f"{tool}: no {a.workload} model")
            continue
        log(f"{tool}: set up in {time.perf_counter() - t0:.2f} s")
        for w in range(a.warmup):
            run(seed_set(n, a.share, a.seed, w, warmup=True), coin_seed(a.seed, w, tool, warmup=True))
        times, counts = [], []
        spent = 0.0
        for r in range(a.runs):
            seeds, cseed = seed_set(n, a.share, a.seed, r), coin_seed(a.seed, r, tool)
            t0 = time.perf_counter()
            active = run(seeds, cseed)
            dt = time.perf_counter() - t0
            times.append(dt)
            counts.append(active)
            spent += dt
            if spent >= a.max_seconds:
                break
        frac = np.array(counts) / n
        sd = float(frac.std(ddof=1)) if len(frac) > 1 else 0.0
        finals[tool] = counts
        print(f"{tool},{a.workload},{n},{len(times)},{np.mean(times):.6g},{frac.mean():.5f},{sd:.5f},"
              f"{version(tool)}", flush=True)
        log(f"{tool}: {len(times)} runs, {np.mean(times):.4g} s per run (min {min(times):.4g}), "
            f"final active {frac.mean():.4f}")

    return check_agreement(finals, a.workload, n, log)


def check_agreement(finals, workload, n, log) -> int:
    """Threshold: identical final counts run by run. IC: means within sampling error."""
    if len(finals) < 2:
        log(f"agreement: not checked, {len(finals)} tool(s) with a {workload} model ran")
        return 0
    ok = True
    if workload == "threshold":
        ref_tool, ref = next(iter(finals.items()))
        for tool, counts in finals.items():
            k = min(len(ref), len(counts))
            if counts[:k] != ref[:k]:
                ok = False
                log(f"DISAGREE: {tool} final counts {counts[:k]} != {ref_tool} {ref[:k]}")
        if ok:
            log(f"agreement: every tool ends each run with the same active count ({len(finals)} tools)")
    else:
        fr = {t: np.array(c) / n for t, c in finals.items()}
        pooled = np.concatenate(list(fr.values()))
        sd = float(pooled.std(ddof=1)) if len(pooled) > 1 else 0.0
        mean = float(pooled.mean())
        for tool, f in fr.items():
            # Allowed gap: 4 standard errors of this tool's mean, and at least 1 % of the mean.
            tol = max(4 * sd / math.sqrt(len(f)), 0.01 * mean)
            if abs(f.mean() - mean) > tol:
                ok = False
                log(f"DISAGREE: {tool} mean final {f.mean():.4f} vs pooled {mean:.4f} (tolerance {tol:.4f})")
        if ok:
            spread = max(f.mean() for f in fr.values()) - min(f.mean() for f in fr.values())
            log(f"agreement: mean final active fractions within {spread:.4f} of each other "
                f"(pooled {mean:.4f}, sd per run {sd:.4f})")
    return 0 if ok else 3


if __name__ == "__main__":
    sys.exit(main())
