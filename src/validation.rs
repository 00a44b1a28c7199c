//! Checks of the classic models against published results, shared by `tests/validation.rs`
//! (which asserts them, and asserts that a deliberately broken model fails them) and by
//! `examples/validation.rs` (which writes `docs/validation.md`).
//!
//! Each check runs domino's own ensemble on a scenario it writes, so what is validated is the
//! whole path a user takes: scenario, generator, seeding, model, ensemble and metrics. A check
//! can be run with a *simulated* parameter different from the *theory* parameter; that is how
//! the tests show that each check has the power to catch a model that is off.

use crate::classic::{theory, ClassicMetric, ClassicSeries};
use crate::engine::run_ensemble;
use crate::metrics::stats::Summary;

use crate::Scenario;

/// One comparison of a simulated figure with theory.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What is compared, with the parameters.
    pub name: String,
    /// Network size, runs and seeding.
    pub setup: String,
    /// The simulated figure.
    pub simulated: f64,
    /// Its standard error over runs.
    pub standard_error: f64,
    /// The theoretical figure.
    pub theory: f64,
    /// Largest accepted |simulated - theory|.
    pub tolerance: f64,
    /// Where the theory comes from.
    pub source: &'static str,
}

impl Check {
    /// True when the simulation is within tolerance of theory.
    pub fn passes(&self) -> bool {
        (self.simulated - self.theory).abs() <= self.tolerance
    }
}

const NEWMAN: &str = "Newman (2002), Phys. Rev. E 66, 016128: bond percolation on random graphs";
const WATTS: &str = "Watts (2002), PNAS 99, 5766: cascade condition; extended vulnerable cluster";
const GLEESON: &str =
    "Gleeson & Cahalane (2007), Phys. Rev. E 75, 056103: cascade size on tree-like graphs";
const BASS: &str = "Bass (1969), Management Science 15, 215: F(t) closed form";

fn scenario(text: &str) -> Scenario {
    Scenario::from_toml(text, None).expect("validation scenarios are valid")
}

/// Independent cascade from one random seed on Erdos-Renyi graphs (n nodes, mean degree z, a new
/// graph per run), simulated with transmission `t_sim`, compared with bond percolation at
/// `t_theory`: the share of runs with a large outbreak (above 5 % of the nodes) and the mean size
/// of large outbreaks should both equal the giant-cluster fraction S(z T).
pub fn percolation(z: f64, t_sim: f64, t_theory: f64, n: u32, runs: u32, seed: u64) -> [Check; 2] {
    let scn = scenario(&format!(
        "model = \"independent-cascade\"\nseed = {seed}\nruns = {runs}\nsteps = 10000\n\
         [network]\nkind = \"random\"\nschools = {n}\nmean_degree = {z}\n\
         [classic]\ntransmission = {t_sim}\ncascade_share = 0.05\n\
         [[seedings]]\nname = \"one\"\ncount = 1\n"
    ));
    let result = run_ensemble(&scn, &());
    let finals = result.column(0, ClassicMetric::FinalShare as usize);
    let large: Vec<f64> = finals.iter().copied().filter(|&f| f > 0.05).collect();
    let s = theory::percolation_giant_fraction(z, t_theory);
    let p_large = large.len() as f64 / finals.len() as f64;
    let size = Summary::of(large.iter().copied());
    let setup =
        format!("Erdos-Renyi, {n} nodes, mean degree {z}; {runs} runs from one random seed");
    let se_p = (s * (1.0 - s) / finals.len() as f64).sqrt();
    [
        Check {
            name: format!("IC: mean size of large outbreaks, z = {z}, T = {t_theory}"),
            setup: setup.clone(),
            simulated: size.mean,
            standard_error: size.sd / (size.n.max(1) as f64).sqrt(),
            theory: s,
            // Finite-size bias of the giant cluster is O(1/sqrt(n)) near threshold and much
            // smaller here (z T >= 1.5); 0.015 is several standard errors for these runs.
            tolerance: 0.015,
            source: NEWMAN,
        },
        Check {
            name: format!("IC: share of runs with a large outbreak, z = {z}, T = {t_theory}"),
            setup,
            simulated: p_large,
            standard_error: se_p,
            theory: s,
            // Binomial: 4 standard errors, plus 0.01 for finite size.
            tolerance: 4.0 * se_p + 0.01,
            source: NEWMAN,
        },
    ]
}

/// Independent cascade below the epidemic threshold (z T < 1) from one random seed on one fixed
/// Erdos-Renyi graph: the mean outbreak size, seed included, should be 1 / (1 - z T).
pub fn small_outbreaks(z: f64, t_sim: f64, t_theory: f64, n: u32, runs: u32, seed: u64) -> Check {
    let scn = scenario(&format!(
        "model = \"independent-cascade\"\nseed = {seed}\nruns = {runs}\nsteps = 10000\n\
         [network]\nkind = \"random\"\nschools = {n}\nmean_degree = {z}\nfixed = true\n\
         [classic]\ntransmission = {t_sim}\n\
         [[seedings]]\nname = \"one\"\ncount = 1\n"
    ));
    let result = run_ensemble(&scn, &());
    let sizes = result
        .column(0, ClassicMetric::FinalShare as usize)
        .into_iter()
        .map(|f| f * n as f64);
    let size = Summary::of(sizes);
    let want = theory::mean_outbreak_size(z, t_theory).expect("below threshold");
    let se = size.sd / (size.n as f64).sqrt();
    Check {
        name: format!("IC: mean outbreak size below threshold, z = {z}, T = {t_theory}"),
        setup: format!(
            "one Erdos-Renyi graph, {n} nodes, mean degree {z}; {runs} runs from one random seed"
        ),
        simulated: size.mean,
        standard_error: se,
        theory: want,
        // 4 standard errors plus 2 % for the finite graph (its loops and degree sampling).
        tolerance: 4.0 * se + 0.02 * want,
        source: NEWMAN,
    }
}

/// The Watts threshold model with uniform threshold on Erdos-Renyi graphs (a new graph per run)
/// from one random seed, simulated with `phi_sim`, compared at `phi_theory`: the share of runs
/// that become global cascades (above 20 % of the nodes) against the extended vulnerable
/// cluster, and the mean size of those cascades against the tree-like analytic size.
pub fn watts(z: f64, phi_sim: f64, phi_theory: f64, n: u32, runs: u32, seed: u64) -> [Check; 2] {
    let scn = scenario(&format!(
        "model = \"threshold\"\nseed = {seed}\nruns = {runs}\nsteps = 10000\n\
         [network]\nkind = \"random\"\nschools = {n}\nmean_degree = {z}\n\
         [classic]\nthreshold = {phi_sim}\ncascade_share = 0.2\n\
         [[seedings]]\nname = \"one\"\ncount = 1\n"
    ));
    let result = run_ensemble(&scn, &());
    let finals = result.column(0, ClassicMetric::FinalShare as usize);
    let cascades: Vec<f64> = finals.iter().copied().filter(|&f| f > 0.2).collect();
    let freq = cascades.len() as f64 / finals.len() as f64;
    let p = theory::watts_cascade_probability(z, phi_theory);
    let se_p = (p * (1.0 - p) / finals.len() as f64).sqrt();
    let size = Summary::of(cascades.iter().copied());
    let want_size = if p > 0.0 {
        theory::watts_cascade_size(z, phi_theory, 1.0 / n as f64)
    } else {
        f64::NAN
    };
    let setup =
        format!("Erdos-Renyi, {n} nodes, mean degree {z}; {runs} runs from one random seed");
    [
        Check {
            name: format!(
                "Threshold: share of runs with a global cascade, z = {z}, phi = {phi_theory}"
            ),
            setup: setup.clone(),
            simulated: freq,
            standard_error: se_p,
            theory: p,
            // Binomial: 4 standard errors, plus 0.03 for finite size (the vulnerable cluster
            // of a finite graph is smaller near the window's edges).
            tolerance: 4.0 * se_p + 0.03,
            source: WATTS,
        },
        Check {
            name: format!("Threshold: mean size of global cascades, z = {z}, phi = {phi_theory}"),
            setup,
            simulated: if cascades.is_empty() {
                f64::NAN
            } else {
                size.mean
            },
            standard_error: size.sd / (size.n.max(1) as f64).sqrt(),
            theory: want_size,
            tolerance: 0.03,
            source: GLEESON,
        },
    ]
}

/// The Bass model on the complete graph of `n` nodes, no seeds, simulated with imitation
/// `q_sim`, compared with the closed form at `q_theory`: for each whole time t = 1..=horizon, the
/// mean adoption share over runs against F(t). Returns one check per time.
pub fn bass(
    p: f64,
    q_sim: f64,
    q_theory: f64,
    n: u32,
    runs: u32,
    horizon: u32,
    seed: u64,
) -> Vec<Check> {
    let scn = scenario(&format!(
        "model = \"bass\"\nseed = {seed}\nruns = {runs}\nsteps = {horizon}\n\
         [network]\nkind = \"complete\"\nschools = {n}\nweight_min = 1.0\nweight_max = 1.0\n\
         [classic]\nbass_p = {p}\nbass_q = {q_sim}\ntime_step = 1.0\n\
         [[seedings]]\nname = \"none\"\nshare = 0.0\n"
    ));
    let result = run_ensemble(&scn, &());
    (1..=horizon as usize)
        .map(|t| {
            let point = result.series[0].point_at(t, ClassicSeries::Active as usize);
            let want = theory::bass_cumulative(p, q_theory, t as f64);
            // The spread of F(t) over runs is at most that of a binomial share, sqrt(1/(4n)),
            // and in fact smaller late; the mean of `runs` runs has at most that / sqrt(runs).
            let se = (0.25 / n as f64).sqrt() / (runs as f64).sqrt();
            Check {
                name: format!("Bass: F({t}), p = {p}, q = {q_theory}"),
                setup: format!(
                    "complete graph, {n} nodes, no seeds; {runs} runs, exact continuous time"
                ),
                simulated: point.mean,
                standard_error: se,
                theory: want,
                // 4 standard errors plus 1/n for the discreteness of n adopters.
                tolerance: 4.0 * se + 1.0 / n as f64 + 0.002,
                source: BASS,
            }
        })
        .collect()
}
