//! Ensembles of paired runs, in parallel and bit-reproducible.
//!
//! Run k builds one [`World`] from `(seed, k)` and runs every strategy in it (common random
//! numbers). Runs are processed in chunks: each chunk runs in parallel with rayon, its results are
//! collected in run order, then folded into the aggregates in that order, so every output byte is
//! the same for any thread count. Memory holds one [`RunSummary`] per run and strategy and the
//! fixed-size series aggregates; per-run series live only until their chunk is folded.

use super::{simulate, Buffers};
use crate::metrics::{Measures, RunSummary, SeriesAggregate, SeriesRow};
use crate::model::World;
use crate::rng::RunSeeds;
use crate::scenario::Scenario;
use rayon::prelude::*;

/// Runs per parallel chunk: large enough to keep both cores busy, small enough that buffered
/// per-run series stay a few megabytes.
const CHUNK: usize = 256;

/// The results of an ensemble.
#[derive(Debug, Clone)]
pub struct Ensemble {
    /// What was measured: names of the run metrics and series.
    pub measures: Measures,
    /// Strategy names (or seeding rules, for the classic models), in scenario order.
    pub strategies: Vec<String>,
    /// `runs[s][k]`: the summary of run k of strategy s.
    pub runs: Vec<Vec<RunSummary>>,
    /// `series[s]`: the aggregated time series of strategy s.
    pub series: Vec<SeriesAggregate>,
}

/// Called after each finished run (for progress bars); must be cheap and thread-safe.
pub trait Progress: Sync {
    /// One more run finished.
    fn run_done(&self);
}

impl Progress for () {
    fn run_done(&self) {}
}

impl Progress for indicatif::ProgressBar {
    fn run_done(&self) {
        self.inc(1);
    }
}

/// Runs every strategy of `scenario` for `scenario.config.runs` paired runs on the current rayon
/// pool. O(runs * strategies * steps * n) work, spread over the pool's threads. The classic
/// models have their own entry point, [`crate::classic::run_ensemble`].
pub fn run_ensemble(scenario: &Scenario, progress: &dyn Progress) -> Ensemble {
    let cfg = &scenario.config;
    let names = cfg.strategies.iter().map(|s| s.name.clone()).collect();
    let series = (0..cfg.strategies.len())
        .map(|_| SeriesAggregate::new(cfg.steps as usize))
        .collect();
    fold_runs(
        Measures::school(),
        names,
        series,
        cfg.runs as usize,
        progress,
        |k, buf: &mut Buffers| one_run(scenario, k as u64, buf),
    )
}

/// The ensemble loop shared by every model: runs `0..runs` in parallel chunks with per-thread
/// buffers `B`, each run returning one (summary, series rows) pair per strategy, and folds them
/// into the [`Ensemble`] in run order, so the result does not depend on the thread count.
pub fn fold_runs<B, R>(
    measures: Measures,
    strategies: Vec<String>,
    series: Vec<SeriesAggregate>,
    runs: usize,
    progress: &dyn Progress,
    run: impl Fn(usize, &mut B) -> Vec<(RunSummary, Vec<R>)> + Sync,
) -> Ensemble
where
    B: Default + Send,
    R: AsRef<[f64]> + Send,
{
    let n_strat = strategies.len();
    let mut out = Ensemble {
        measures,
        strategies,
        runs: vec![Vec::with_capacity(runs); n_strat],
        series,
    };
    for start in (0..runs).step_by(CHUNK) {
        let end = (start + CHUNK).min(runs);
        let chunk: Vec<Vec<(RunSummary, Vec<R>)>> = (start..end)
            .into_par_iter()
            .map_init(B::default, |buf, k| {
                let result = run(k, buf);
                progress.run_done();
                result
            })
            .collect();
        for per_strategy in chunk {
            for (s, (summary, rows)) in per_strategy.into_iter().enumerate() {
                out.runs[s].push(summary);
                out.series[s].add(&rows);
            }
        }
    }
    out
}

/// Run k of every strategy in one world.
pub fn one_run(
    scenario: &Scenario,
    k: u64,
    buf: &mut Buffers,
) -> Vec<(RunSummary, Vec<SeriesRow>)> {
    let seeds = RunSeeds::new(scenario.config.seed, k);
    let world = World::build(scenario, &seeds);
    (0..scenario.config.strategies.len())
        .map(|s| {
            let summary = simulate(scenario, s, &world, &seeds, buf, |_, _, _| {});
            (summary, buf.recorder.rows.clone())
        })
        .collect()
}
