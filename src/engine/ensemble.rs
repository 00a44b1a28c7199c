//! Ensembles of paired runs, in parallel and bit-reproducible.
//!
//! Run k of every arm runs in one world built from `(seed, k)` (common random numbers). Runs are
//! processed in chunks: each chunk runs in parallel with rayon, its results are collected in run
//! order, then folded into the aggregates in that order, so every output byte is the same for any
//! thread count. Memory holds one [`RunSummary`] per run and arm and the fixed-size series
//! aggregates (and, for models that record them, the per-school counts of [`SchoolTally`]);
//! per-run series and per-school records live only until their chunk is folded.

use super::{model, ArmRun, Model, SchoolTally, Scratch};
use crate::error::InputError;
use crate::metrics::stats::Summary;
use crate::metrics::{Measures, RunSummary, SeriesAggregate};
use crate::scenario::Scenario;
use rayon::prelude::*;

/// Runs per parallel chunk: large enough to keep every core busy (256 runs over a few cores),
/// small enough that buffered per-run series stay a few megabytes.
const CHUNK: usize = 256;

/// Bytes of per-school records a chunk may buffer: for large networks read from files, chunks
/// are shortened so that the buffered records stay near this size.
const CHUNK_RECORD_BYTES: usize = 64 << 20;

/// Runs per chunk, for runs that buffer `record_bytes` of per-school records each (`None`: no
/// records): as many as fit in [`CHUNK_RECORD_BYTES`], but at least one per thread so that no
/// core idles, and never more than [`CHUNK`]. With more threads than [`CHUNK`] (`--threads`
/// goes to 1024) the chunk stays at [`CHUNK`]: a longer one would only buffer more records.
fn chunk_len(record_bytes: Option<usize>, threads: usize) -> usize {
    match record_bytes {
        Some(per_run) => {
            let at_least = threads.clamp(1, CHUNK);
            (CHUNK_RECORD_BYTES / per_run.max(1)).clamp(at_least, CHUNK)
        }
        None => CHUNK,
    }
}

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
    /// The dotted paths of the scenario's uncertain fields (empty without distributions).
    pub parameters: Vec<String>,
    /// `draws[k]`: the values drawn for run k, one per parameter (empty without distributions).
    pub draws: Vec<Vec<f64>>,
    /// Per-school and per-region counts, when the model records them
    /// ([`Model::school_regions`]).
    pub schools: Option<SchoolTally>,
}

impl Ensemble {
    /// Run metric `m` of strategy `s`, run by run.
    pub fn column(&self, s: usize, m: usize) -> Vec<f64> {
        self.runs[s].iter().map(|r| r.at(m)).collect()
    }

    /// Summary of run metric `m` of arm `s` over its runs, its interval clipped to the values the
    /// metric can take: the one place `summary.csv`, the table and a sweep's points get it from.
    pub fn summary(&self, s: usize, m: usize) -> Summary {
        Summary::of(self.column(s, m)).within(self.measures.run_metrics[m].bounds)
    }
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

/// Runs every arm of `scenario` (strategies, or seeding rules) for `scenario.config.runs` paired
/// runs on the current rayon pool. O(runs * arms * steps * n) work, spread over the pool's threads.
///
/// ```
/// use domino::{engine::run_ensemble, Scenario};
/// let scenario = Scenario::from_toml("runs = 4\nsteps = 5\n[network]\nschools = 40\n", None).unwrap();
/// let result = run_ensemble(&scenario, &()).unwrap();
/// assert_eq!(result.runs[1].len(), 4);
/// ```
pub fn run_ensemble(scenario: &Scenario, progress: &dyn Progress) -> Result<Ensemble, InputError> {
    let m = model(scenario);
    fold(
        &*m,
        scenario.config.runs as usize,
        scenario.config.steps,
        progress,
    )
}

/// Runs `0..runs` of `model` in parallel chunks with per-thread [`Scratch`] buffers and folds
/// them into an [`Ensemble`] in run order, so the result does not depend on the thread count.
/// Fails as [`Model::run`] does.
pub fn fold(
    model: &dyn Model,
    runs: usize,
    steps: u32,
    progress: &dyn Progress,
) -> Result<Ensemble, InputError> {
    let mut folder = Folder::new(model, runs, steps);
    each(model, 0..runs, progress, |k, per_arm| {
        folder.add(k, per_arm)
    })?;
    Ok(folder.finish())
}

/// Runs the runs `ks` (in increasing order) of `model` in parallel chunks with per-thread
/// [`Scratch`] buffers and hands each run's results to `take`, in the order of `ks`, whatever
/// the thread count. Memory holds one chunk of runs at a time. Stops at the first chunk with a
/// failed run ([`Model::run`]) and returns the error of its lowest-numbered failed run, so the
/// error too is the same for any thread count.
pub fn each(
    model: &dyn Model,
    ks: impl IntoIterator<Item = usize>,
    progress: &dyn Progress,
    mut take: impl FnMut(usize, Vec<ArmRun>),
) -> Result<(), InputError> {
    // A record is 5 bytes per school and arm; the chunk length does not change any result.
    let record_bytes = model
        .school_regions()
        .map(|(region, _)| 5 * region.len() * model.arms().len());
    let chunk_len = chunk_len(record_bytes, rayon::current_num_threads());
    let mut ks = ks.into_iter().peekable();
    let mut batch = Vec::with_capacity(chunk_len);
    while ks.peek().is_some() {
        batch.clear();
        batch.extend(ks.by_ref().take(chunk_len));
        let chunk: Vec<Result<Vec<ArmRun>, InputError>> = batch
            .par_iter()
            .map_init(Scratch::default, |scratch, &k| {
                let result = model.run(k as u64, scratch);
                progress.run_done();
                result
            })
            .collect();
        let chunk: Vec<Vec<ArmRun>> = chunk.into_iter().collect::<Result<_, _>>()?;
        for (&k, per_arm) in batch.iter().zip(chunk) {
            take(k, per_arm);
        }
    }
    Ok(())
}

/// Folds runs, handed to it in run order (0, 1, 2, ...), into an [`Ensemble`]: the one place
/// that adds a run to the aggregates, used by [`fold`] and by the merge of compare shards
/// (which replays runs read from disk), so both give the same bytes.
pub struct Folder<'m> {
    model: &'m dyn Model,
    width: usize,
    next: usize,
    out: Ensemble,
}

impl<'m> Folder<'m> {
    /// An empty ensemble of `model` for `runs` runs (a capacity hint) of `steps` terms.
    pub fn new(model: &'m dyn Model, runs: usize, steps: u32) -> Self {
        let measures = model.measures().clone();
        let ranges: Vec<(f64, f64)> = measures.series.iter().map(|s| s.range).collect();
        let width = ranges.len();
        let arms = model.arms().to_vec();
        let out = Ensemble {
            series: (0..arms.len())
                .map(|_| SeriesAggregate::with_ranges(steps as usize, ranges.clone()))
                .collect(),
            runs: vec![Vec::with_capacity(runs); arms.len()],
            schools: model
                .school_regions()
                .map(|(region, k)| SchoolTally::new(arms.len(), region, k)),
            strategies: arms,
            measures,
            parameters: model.uncertain(),
            draws: Vec::new(),
        };
        Self {
            model,
            width,
            next: 0,
            out,
        }
    }

    /// Runs folded so far: the index the next run must have.
    pub fn runs(&self) -> usize {
        self.next
    }

    /// Adds run `k` (which must be the next, [`Folder::runs`]) of every arm.
    ///
    /// # Panics
    ///
    /// If `k` is not the next run: folded out of order, the means would depend on the order and
    /// run k's drawn values would be recorded in another run's row. (Checked once per run, so in
    /// release builds too.)
    pub fn add(&mut self, k: usize, per_arm: Vec<ArmRun>) {
        assert_eq!(k, self.next, "runs are folded in run order");
        self.next += 1;
        if !self.out.parameters.is_empty() {
            // A pure function of the run: cheap, and the same on every thread.
            self.out.draws.push(self.model.drawn(k as u64));
        }
        for (s, arm) in per_arm.into_iter().enumerate() {
            self.out.series[s].add(arm.series.chunks(self.width.max(1)));
            self.out.runs[s].push(arm.summary);
            if let (Some(tally), Some(record)) = (&mut self.out.schools, &arm.schools) {
                tally.add(s, record);
            }
        }
    }

    /// The ensemble of the runs folded.
    pub fn finish(self) -> Ensemble {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_stops_the_ensemble_with_the_lowest_failed_run() {
        let s = crate::scenario::broken_uncertain();
        let e = run_ensemble(&s, &()).unwrap_err();
        assert!(e.message.contains("run 0"), "{e}");
        assert_eq!(e.field.as_deref(), Some("schools.patience_max"), "{e}");
    }

    #[test]
    fn a_chunk_holds_one_run_per_thread_up_to_the_chunk_cap() {
        // `--threads` above CHUNK made `clamp(threads, CHUNK)` panic (min > max).
        let huge = CHUNK_RECORD_BYTES; // one run's records fill the byte allowance
        for threads in [0, 1, 2, CHUNK - 1, CHUNK, CHUNK + 1, 300, 1024] {
            let len = chunk_len(Some(huge), threads);
            assert_eq!(len, threads.clamp(1, CHUNK), "{threads} threads");
        }
        assert_eq!(chunk_len(Some(5), 1024), CHUNK);
        assert_eq!(chunk_len(Some(0), 4), CHUNK);
        assert_eq!(chunk_len(None, 1024), CHUNK);
    }

    /// The order check was a `debug_assert`: a release build folded run 1 first, silently (§5).
    #[test]
    #[should_panic(expected = "runs are folded in run order")]
    fn folding_a_run_out_of_order_panics_in_every_build() {
        let s = crate::Scenario::from_toml("runs = 2\nsteps = 2\n[network]\nschools = 20\n", None)
            .unwrap();
        let model = crate::engine::model(&s);
        let mut folder = Folder::new(&*model, 2, 2);
        folder.add(1, Vec::new());
    }
}
