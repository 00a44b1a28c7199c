//! Checks of the classic models against published results, shared by `tests/validation.rs`
//! (which asserts them, and asserts that deliberately broken models fail them) and by
//! `examples/validation.rs` (which writes `docs/validation.md`).
//!
//! Each check runs domino's own ensemble on a scenario it writes, so what is validated is the
//! whole path a user takes: scenario, generator, seeding, model, ensemble and metrics. A check
//! can be run with a [`Skew`]: a parameter of the simulation deliberately off the one theory is
//! evaluated at. That is how the tests show that each check can catch a model that is wrong.
//!
//! Every statistical tolerance is [`STANDARD_ERRORS`] standard errors of the simulated figure
//! plus a stated allowance for a known bias (finite size). The standard error is always the
//! measured run-to-run spread of the figure that is averaged (sample standard deviation over
//! runs, divided by the square root of their number), never one assumed from a model of the
//! noise.

use crate::classic::{
    models::Buffers, seeding, simulate, theory, ClassicMetric, ClassicSeries, RunNetworks,
};
use crate::engine::{run_ensemble, Ensemble};
use crate::rng::RunSeeds;
use crate::Scenario;

/// Standard errors in every statistical tolerance. With fixed seeds each test is deterministic;
/// four standard errors keep a correct model passing (a chance of about 6e-5 per check of
/// failing by noise alone) if a seed or the number of runs is changed.
pub const STANDARD_ERRORS: f64 = 4.0;

/// How a check compares the simulated figure with the reference figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Passes when |simulated - theory| <= tolerance: the simulation matches the prediction.
    Matches,
    /// Passes when simulated <= theory - tolerance: the simulation is below the reference by more
    /// than the tolerance (an upper bound that holds, or a figure that is reliably smaller).
    Below,
}

/// One comparison of a simulated figure with theory.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What is compared, with the parameters theory is evaluated at.
    pub name: String,
    /// Network size, runs, seed and seeding; and the skew, if the simulation is deliberately off.
    pub setup: String,
    /// The simulated figure.
    pub simulated: f64,
    /// Its standard error: the measured spread over runs divided by the square root of their
    /// number (0 for a deterministic figure).
    pub standard_error: f64,
    /// The theoretical figure (or, for [`Relation::Below`], the reference to be below).
    pub theory: f64,
    /// Allowance for a stated bias (finite size), added to [`STANDARD_ERRORS`] standard errors.
    pub allowance: f64,
    /// `STANDARD_ERRORS * standard_error + allowance`; 0 for an exact check.
    pub tolerance: f64,
    /// How simulated and theory are compared.
    pub relation: Relation,
    /// Where the theory comes from.
    pub source: &'static str,
}

impl Check {
    /// True when the simulation satisfies the check; false for a NaN figure.
    pub fn passes(&self) -> bool {
        match self.relation {
            Relation::Matches => (self.simulated - self.theory).abs() <= self.tolerance,
            Relation::Below => self.simulated <= self.theory - self.tolerance,
        }
    }
}

/// How much is simulated: nodes per network, paired runs and the master seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Nodes per network.
    pub nodes: u32,
    /// Runs.
    pub runs: u32,
    /// Master seed of the scenario.
    pub seed: u64,
}

impl Sample {
    /// The same sample with the seed moved on by `k`: one seed per grid point.
    pub const fn nth(self, k: u64) -> Self {
        Self {
            seed: self.seed + k,
            ..self
        }
    }

    fn describe(&self) -> String {
        format!("{} runs, seed {}", self.runs, self.seed)
    }
}

/// The samples `tests/validation.rs` asserts and `examples/validation.rs` reports, kept here so
/// both use the same ones.
pub mod samples {
    use super::Sample;

    /// [`super::percolation`]: 1,000 runs make the frequency check's SE about 0.016, small
    /// enough to see T 10 % off near the threshold.
    pub const PERCOLATION: Sample = Sample {
        nodes: 5_000,
        runs: 1_000,
        seed: 100,
    };
    /// [`super::small_outbreaks`].
    pub const SMALL_OUTBREAKS: Sample = Sample {
        nodes: 20_000,
        runs: 20_000,
        seed: 200,
    };
    /// [`super::watts`].
    pub const WATTS: Sample = Sample {
        nodes: 10_000,
        runs: 300,
        seed: 300,
    };
    /// [`super::bass`].
    pub const BASS: Sample = Sample {
        nodes: 1_000,
        runs: 1_000,
        seed: 400,
    };
    /// [`super::ring_front`]: every run is the same up to a rotation, so a few suffice.
    pub const RING: Sample = Sample {
        nodes: 1_000,
        runs: 20,
        seed: 500,
    };
    /// [`super::rewiring_speeds`] and [`super::full_rewiring_stops`].
    pub const REWIRING: Sample = Sample {
        nodes: 1_000,
        runs: 500,
        seed: 510,
    };
}

/// A deliberate error in what is simulated: each factor multiplies one parameter of the
/// simulation, while theory stays at the stated value. Each check applies the factors of the
/// parameters it has and ignores the others.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Skew {
    /// Independent cascade: the transmission chance T.
    pub transmission: f64,
    /// Threshold model: the fractional threshold phi.
    pub threshold: f64,
    /// Random networks: the mean degree z.
    pub mean_degree: f64,
    /// Bass: the imitation rate q.
    pub imitation: f64,
}

impl Skew {
    /// No error: the simulation runs at the parameters theory is evaluated at.
    pub const NONE: Skew = Skew {
        transmission: 1.0,
        threshold: 1.0,
        mean_degree: 1.0,
        imitation: 1.0,
    };

    /// Transmission times `factor`.
    pub fn transmission(factor: f64) -> Self {
        Self {
            transmission: factor,
            ..Self::NONE
        }
    }

    /// Threshold times `factor`.
    pub fn threshold(factor: f64) -> Self {
        Self {
            threshold: factor,
            ..Self::NONE
        }
    }

    /// Mean degree times `factor`.
    pub fn mean_degree(factor: f64) -> Self {
        Self {
            mean_degree: factor,
            ..Self::NONE
        }
    }

    /// Imitation times `factor`.
    pub fn imitation(factor: f64) -> Self {
        Self {
            imitation: factor,
            ..Self::NONE
        }
    }

    /// "; simulated with T = 0.45 (x 0.9)" for each skewed parameter among `names`.
    fn describe(&self, names: &[(&str, f64, f64)]) -> String {
        let parts: Vec<String> = names
            .iter()
            .filter(|&&(_, _, factor)| factor != 1.0)
            .map(|&(name, value, factor)| {
                format!("{name} = {} (x {})", short(value * factor), short(factor))
            })
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("; **simulated with {}**", parts.join(", "))
        }
    }
}

/// A parameter as a scenario file and a table show it: at most 6 decimals, no trailing zeros.
fn short(x: f64) -> String {
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

const NEWMAN: &str = "Newman (2002), Phys. Rev. E 66, 016128: bond percolation on random graphs";
const WATTS: &str = "Watts (2002), PNAS 99, 5766: cascade condition; extended vulnerable cluster";
const GLEESON: &str =
    "Gleeson & Cahalane (2007), Phys. Rev. E 75, 056103: cascade size on tree-like graphs";
const BASS: &str = "Bass (1969), Management Science 15, 215: F(t) closed form";
const CENTOLA: &str =
    "Centola & Macy (2007), AJS 113(3), 702-734: complex contagion on ring lattices";

/// Upper bound on the rounds of the discrete models' runs. Runs stop by themselves long before
/// (outbreaks below the threshold within tens of rounds, large ones within about a hundred);
/// [`finished`] makes sure. A tighter bound keeps the per-round series the ensemble aggregates
/// short, which is most of the cost of 20,000 small outbreaks.
const STEPS: u32 = 1_000;

/// The checks' scenarios are written here and have no uncertain fields, so no run can fail.
const FIXED: &str = "a validation scenario has no uncertain fields";

fn scenario(text: &str) -> Scenario {
    Scenario::from_toml(text, None).expect("validation scenarios are valid")
}

/// The per-run column `metric` of the first seeding rule, after checking that every run
/// stopped changing before the scenario's last step, so that no figure is cut short.
fn finished(result: &Ensemble, scn: &Scenario, metric: ClassicMetric) -> Vec<f64> {
    let last = result.column(0, ClassicMetric::LastChange as usize);
    assert!(
        last.iter().all(|&t| t < scn.config.steps as f64),
        "a validation run was cut short at step {}",
        scn.config.steps
    );
    result.column(0, metric as usize)
}

/// Mean and standard error (measured spread over runs / sqrt(runs)) of `values`. An infinite
/// value (a time never reached) makes the mean infinite and the error NaN, so that a check on it
/// fails: unlike `Summary::of`, which leaves such runs out of the mean.
fn mean_and_se(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.into_iter().collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 || !mean.is_finite() {
        return (mean, f64::NAN);
    }
    let variance = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (variance / n).sqrt())
}

/// Independent cascade from one random seed on Erdos-Renyi graphs (a new graph per run) with
/// mean degree `z` and transmission `t`, compared with bond percolation: the mean size of large
/// outbreaks (above 5 % of the nodes) and the share of runs with one should both equal the
/// giant-cluster fraction S(z T). Returns `[size, frequency]`.
pub fn percolation(z: f64, t: f64, sample: Sample, skew: Skew) -> [Check; 2] {
    let Sample { nodes, runs, seed } = sample;
    let (z_sim, t_sim) = (z * skew.mean_degree, t * skew.transmission);
    let scn = scenario(&format!(
        "model = \"independent-cascade\"\nseed = {seed}\nruns = {runs}\nsteps = {STEPS}\n\
         [network]\nkind = \"random\"\nschools = {nodes}\nmean_degree = {z_sim}\n\
         [classic]\ntransmission = {t_sim}\ncascade_share = 0.05\n\
         [[seedings]]\nname = \"one\"\ncount = 1\n"
    ));
    let result = run_ensemble(&scn, &()).expect(FIXED);
    let finals = finished(&result, &scn, ClassicMetric::FinalShare);
    let s = theory::percolation_giant_fraction(z, t);
    let (size, size_se) = mean_and_se(finals.iter().copied().filter(|&f| f > 0.05));
    let (freq, freq_se) = mean_and_se(finals.iter().map(|&f| (f > 0.05) as u8 as f64));
    let setup = format!(
        "Erdos-Renyi, {nodes} nodes; {}; one random seed{}",
        sample.describe(),
        skew.describe(&[("T", t, skew.transmission), ("z", z, skew.mean_degree)])
    );
    // The giant cluster of a finite graph differs from the limit by O(1/n): measured below
    // 0.0011 at 5,000 nodes (1,000 runs at each z T of the tests), hence 0.002.
    let size_allowance = 0.002;
    // Whether one seed's outbreak is large has a finite-size bias too small to measure at these
    // runs (every deviation within 1 SE); 0.01 is a stated margin, not a measurement.
    let freq_allowance = 0.01;
    [
        Check {
            name: format!("IC: mean size of large outbreaks, z = {z}, T = {t}"),
            setup: setup.clone(),
            simulated: size,
            standard_error: size_se,
            theory: s,
            allowance: size_allowance,
            tolerance: STANDARD_ERRORS * size_se + size_allowance,
            relation: Relation::Matches,
            source: NEWMAN,
        },
        Check {
            name: format!("IC: share of runs with a large outbreak, z = {z}, T = {t}"),
            setup,
            simulated: freq,
            standard_error: freq_se,
            theory: s,
            allowance: freq_allowance,
            tolerance: STANDARD_ERRORS * freq_se + freq_allowance,
            relation: Relation::Matches,
            source: NEWMAN,
        },
    ]
}

/// Independent cascade below the epidemic threshold (z T < 1) from one random seed on one fixed
/// Erdos-Renyi graph: the mean outbreak size, seed included, should be 1 / (1 - z T).
pub fn small_outbreaks(z: f64, t: f64, sample: Sample, skew: Skew) -> Check {
    let Sample { nodes, runs, seed } = sample;
    let (z_sim, t_sim) = (z * skew.mean_degree, t * skew.transmission);
    let scn = scenario(&format!(
        "model = \"independent-cascade\"\nseed = {seed}\nruns = {runs}\nsteps = {STEPS}\n\
         [network]\nkind = \"random\"\nschools = {nodes}\nmean_degree = {z_sim}\nfixed = true\n\
         [classic]\ntransmission = {t_sim}\n\
         [[seedings]]\nname = \"one\"\ncount = 1\n"
    ));
    let result = run_ensemble(&scn, &()).expect(FIXED);
    let (size, se) = mean_and_se(
        finished(&result, &scn, ClassicMetric::FinalShare)
            .into_iter()
            .map(|f| f * nodes as f64),
    );
    let want = theory::mean_outbreak_size(z, t).expect("below threshold");
    // One fixed graph: its own second degree moment differs from the Poisson one by about
    // 1/sqrt(n), which the mean outbreak size amplifies by z T / (1 - z T); 2 % covers it.
    let allowance = 0.02 * want;
    Check {
        name: format!("IC: mean outbreak size below threshold, z = {z}, T = {t}"),
        setup: format!(
            "one Erdos-Renyi graph, {nodes} nodes; {}; one random seed{}",
            sample.describe(),
            skew.describe(&[("T", t, skew.transmission), ("z", z, skew.mean_degree)])
        ),
        simulated: size,
        standard_error: se,
        theory: want,
        allowance,
        tolerance: STANDARD_ERRORS * se + allowance,
        relation: Relation::Matches,
        source: NEWMAN,
    }
}

/// The Watts threshold model with uniform threshold `phi` on Erdos-Renyi graphs with mean degree
/// `z` (a new graph per run) from one random seed: the share of runs that become global
/// cascades (above 20 % of the nodes) against the extended vulnerable cluster, and the mean size
/// of those cascades against the tree-like analytic size. Returns `[frequency, size]`; the size
/// check's theory is NaN where no global cascade is predicted.
pub fn watts(z: f64, phi: f64, sample: Sample, skew: Skew) -> [Check; 2] {
    let Sample { nodes, runs, seed } = sample;
    let (z_sim, phi_sim) = (z * skew.mean_degree, phi * skew.threshold);
    let scn = scenario(&format!(
        "model = \"threshold\"\nseed = {seed}\nruns = {runs}\nsteps = {STEPS}\n\
         [network]\nkind = \"random\"\nschools = {nodes}\nmean_degree = {z_sim}\n\
         [classic]\nthreshold = {phi_sim}\ncascade_share = 0.2\n\
         [[seedings]]\nname = \"one\"\ncount = 1\n"
    ));
    let result = run_ensemble(&scn, &()).expect(FIXED);
    let finals = finished(&result, &scn, ClassicMetric::FinalShare);
    let (freq, freq_se) = mean_and_se(finals.iter().map(|&f| (f > 0.2) as u8 as f64));
    let (size, size_se) = mean_and_se(finals.iter().copied().filter(|&f| f > 0.2));
    let p = theory::watts_cascade_probability(z, phi);
    let want_size = if p > 0.0 {
        theory::watts_cascade_size(z, phi, 1.0 / nodes as f64)
    } else {
        f64::NAN
    };
    let setup = format!(
        "Erdos-Renyi, {nodes} nodes; {}; one random seed{}",
        sample.describe(),
        skew.describe(&[("phi", phi, skew.threshold), ("z", z, skew.mean_degree)])
    );
    // Finite graphs round the window's edges (Watts 2002, fig. 1); inside it, 2,000 runs at
    // 10,000 nodes put the frequency within 0.011 (about 1 SE) of theory at z = 2 to 5.
    let freq_allowance = 0.03;
    // The same 2,000 runs put the mean cascade size within 1e-4 of the tree-like size.
    let size_allowance = 0.002;
    [
        Check {
            name: format!("Threshold: share of runs with a global cascade, z = {z}, phi = {phi}"),
            setup: setup.clone(),
            simulated: freq,
            standard_error: freq_se,
            theory: p,
            allowance: freq_allowance,
            tolerance: STANDARD_ERRORS * freq_se + freq_allowance,
            relation: Relation::Matches,
            source: WATTS,
        },
        Check {
            name: format!("Threshold: mean size of global cascades, z = {z}, phi = {phi}"),
            setup,
            simulated: size,
            standard_error: size_se,
            theory: want_size,
            allowance: size_allowance,
            tolerance: STANDARD_ERRORS * size_se + size_allowance,
            relation: Relation::Matches,
            source: GLEESON,
        },
    ]
}

/// Active counts after every step of every run of `scn`'s first seeding rule, run exactly as
/// [`run_ensemble`] runs them (same networks, seeds and draws), for figures whose spread over
/// runs the aggregated series do not keep.
fn replay_curves(scn: &Scenario) -> Vec<Vec<u32>> {
    let cfg = &scn.config;
    let classic = cfg.classic.clone().unwrap_or_default();
    let networks = RunNetworks::new(scn);
    let mut buf = Buffers::default();
    (0..cfg.runs as u64)
        .map(|k| {
            let run_seeds = RunSeeds::new(cfg.seed, k);
            let net = networks.get(scn, &run_seeds);
            let seeds = seeding::choose(&cfg.seedings[0], &net, &run_seeds.draws(), &mut None);
            simulate(
                cfg.model, &classic, &net, &run_seeds, &seeds, cfg.steps, &mut buf,
            );
            std::mem::take(&mut buf.curve)
        })
        .collect()
}

/// The Bass model on the complete graph, no seeds, with innovation `p` and imitation `q`: for
/// each whole time t = 1..=horizon, the mean adoption share over runs against the closed-form
/// F(t). Returns one check per time.
pub fn bass(p: f64, q: f64, horizon: u32, sample: Sample, skew: Skew) -> Vec<Check> {
    let Sample { nodes, runs, seed } = sample;
    let q_sim = q * skew.imitation;
    let scn = scenario(&format!(
        "model = \"bass\"\nseed = {seed}\nruns = {runs}\nsteps = {horizon}\n\
         [network]\nkind = \"complete\"\nschools = {nodes}\nweight_min = 1.0\nweight_max = 1.0\n\
         [classic]\nbass_p = {p}\nbass_q = {q_sim}\ntime_step = 1.0\n\
         [[seedings]]\nname = \"none\"\nshare = 0.0\n"
    ));
    let result = run_ensemble(&scn, &()).expect(FIXED);
    // The aggregated series keep means, not spreads: replay the same runs for the spread, and
    // make sure they are the same runs.
    let curves = replay_curves(&scn);
    let n = nodes as f64;
    // A finite population's mean curve departs from the mean-field F(t) by O(1/n): 10,000 runs
    // at 1,000 nodes measured at most 0.0016, hence 3 / n.
    let allowance = 3.0 / n;
    (1..=horizon as usize)
        .map(|t| {
            let (mean, se) = mean_and_se(curves.iter().map(|c| c[t] as f64 / n));
            let aggregated = result.series[0]
                .point_at(t, ClassicSeries::Active as usize)
                .mean;
            assert!(
                (mean - aggregated).abs() <= 1e-12,
                "the replayed runs must be the ensemble's: F({t}) {mean} vs {aggregated}"
            );
            Check {
                name: format!("Bass: F({t}), p = {p}, q = {q}"),
                setup: format!(
                    "complete graph, {nodes} nodes, no seeds; {}; exact continuous time{}",
                    sample.describe(),
                    skew.describe(&[("q", q, skew.imitation)])
                ),
                simulated: aggregated,
                standard_error: se,
                theory: theory::bass_cumulative(p, q, t as f64),
                allowance,
                tolerance: STANDARD_ERRORS * se + allowance,
                relation: Relation::Matches,
                source: BASS,
            }
        })
        .collect()
}

/// Ties on each side of a node in the Centola-Macy checks: `mean_degree = 6` on the ring
/// generator, which ties each node to the round(6 / 2) = 3 nearest on either side.
pub const RING_K: u32 = 3;

/// Per-run figures of the count-threshold model from the neighbourhood seed rule (one random
/// node and all its neighbours) on a ring lattice (`rewire` = 0) or a small world with that
/// share of ties rewired, mean degree 2 [`RING_K`]: `(time to 50 %, final share)` per run, the
/// time infinite in a run that never gets there.
pub fn count_threshold_runs(count: u32, rewire: f64, sample: Sample) -> (Vec<f64>, Vec<f64>) {
    let Sample { nodes, runs, seed } = sample;
    // The ring reads no `rewire` (and refuses one written).
    let kind = if rewire > 0.0 {
        format!("kind = \"small-world\"\nrewire = {rewire}\n")
    } else {
        "kind = \"ring\"\n".to_string()
    };
    let scn = scenario(&format!(
        "model = \"threshold\"\nseed = {seed}\nruns = {runs}\nsteps = {nodes}\n\
         [network]\n{kind}schools = {nodes}\nmean_degree = {}\n\
         weight_min = 1.0\nweight_max = 1.0\n\
         [classic]\nthreshold_count = {count}\n\
         [[seedings]]\nname = \"neighbourhood\"\nrule = \"neighbourhood\"\n",
        2 * RING_K
    ));
    let result = run_ensemble(&scn, &()).expect(FIXED);
    (
        finished(&result, &scn, ClassicMetric::TimeTo50),
        finished(&result, &scn, ClassicMetric::FinalShare),
    )
}

/// The exact time to 50 % on the ring.
fn ring_t50(nodes: u32, count: u32) -> f64 {
    let seeds = 2 * RING_K as u64 + 1;
    theory::ring_time_to_half(nodes as u64, RING_K as u64, count as u64, seeds)
        .map_or(f64::INFINITY, |t| t as f64)
}

/// Complex contagion on the unrewired ring (k = 3 ties each side, degree 6) from a node and its
/// 6 neighbours, simulated with count threshold `count_sim`: the time to 50 % in every run must
/// equal the front's exact time for `count` ([`theory::ring_time_to_half`]). The simulated
/// figure is the mean over runs; the check also fails if any run differs (then the spread is
/// not 0).
pub fn ring_front(count: u32, count_sim: u32, sample: Sample) -> Check {
    let (t50, _) = count_threshold_runs(count_sim, 0.0, sample);
    let (mean, se) = mean_and_se(t50.iter().copied());
    let all_equal = t50.iter().all(|&t| t == t50[0]);
    let deviation = if all_equal { 0.0 } else { f64::NAN };
    Check {
        name: format!(
            "Count threshold {count}: rounds to 50 % on the ring, k = {RING_K} each side"
        ),
        setup: format!(
            "ring lattice, {} nodes, degree {}; {}; a random node and its neighbours seeded{}",
            sample.nodes,
            2 * RING_K,
            sample.describe(),
            if count_sim != count {
                format!("; **simulated with count {count_sim}**")
            } else {
                String::new()
            }
        ),
        simulated: mean + deviation,
        standard_error: se,
        theory: ring_t50(sample.nodes, count),
        allowance: 0.0,
        tolerance: 0.0,
        relation: Relation::Matches,
        source: CENTOLA,
    }
}

/// Rewiring a share `rewire` of the ring's ties speeds the contagion with count threshold
/// `count`: the mean time to 50 % over runs must be below the unrewired ring's exact time by
/// more than [`STANDARD_ERRORS`] standard errors. A run that never gets to 50 % makes the mean
/// infinite, and the check fail.
pub fn rewiring_speeds(count: u32, rewire: f64, sample: Sample) -> Check {
    let (t50, _) = count_threshold_runs(count, rewire, sample);
    let (mean, se) = mean_and_se(t50.iter().copied());
    Check {
        name: format!(
            "Count threshold {count}: mean rounds to 50 % with {}% of ties rewired, below the ring's",
            short(100.0 * rewire)
        ),
        setup: format!(
            "small world, {} nodes, degree {}; {}; a random node and its neighbours seeded",
            sample.nodes,
            2 * RING_K,
            sample.describe()
        ),
        simulated: mean,
        standard_error: se,
        theory: ring_t50(sample.nodes, count),
        allowance: 0.0,
        tolerance: STANDARD_ERRORS * se,
        relation: Relation::Below,
        source: CENTOLA,
    }
}

/// Share of the nodes beyond which a run counts as having spread in [`full_rewiring_stops`].
pub const SPREAD_SHARE: f64 = 0.05;

/// Share of runs allowed to spread in [`full_rewiring_stops`]: "nearly every run" stays small.
pub const SPREAD_RUNS_BOUND: f64 = 0.05;

/// With every tie rewired (a random graph of mean degree 6), complex contagion with count
/// threshold `count` from a node and its neighbours fails to spread: the share of runs whose
/// final active share exceeds [`SPREAD_SHARE`] must be below [`SPREAD_RUNS_BOUND`] by more than
/// [`STANDARD_ERRORS`] standard errors.
pub fn full_rewiring_stops(count: u32, sample: Sample) -> Check {
    let (_, finals) = count_threshold_runs(count, 1.0, sample);
    let (spread, se) = mean_and_se(finals.iter().map(|&f| (f > SPREAD_SHARE) as u8 as f64));
    Check {
        name: format!(
            "Count threshold {count}: share of runs above {}% active with every tie rewired",
            short(100.0 * SPREAD_SHARE)
        ),
        setup: format!(
            "small world, rewire = 1, {} nodes, mean degree {}; {}; a random node and its \
             neighbours seeded",
            sample.nodes,
            2 * RING_K,
            sample.describe()
        ),
        simulated: spread,
        standard_error: se,
        theory: SPREAD_RUNS_BOUND,
        allowance: 0.0,
        tolerance: STANDARD_ERRORS * se,
        relation: Relation::Below,
        source: CENTOLA,
    }
}
