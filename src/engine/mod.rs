//! Running models: the [`Model`] abstraction, its two implementations, and ensembles of paired
//! runs in parallel.
//!
//! Everything that runs a scenario goes through [`model`], the one place that looks at which
//! model a scenario names: the school model ([`school::SchoolModel`], strategies allocating a
//! budget) or a classic diffusion model ([`classic::ClassicModel`], seeding rules). A [`Model`]
//! says what it measures ([`Measures`]), which *arms* it compares (strategies or seeding rules)
//! and runs run k of every arm in the same world (common random numbers); [`ensemble`] folds many
//! runs, in parallel and bit-reproducibly, into an [`Ensemble`]. The command line, the report and
//! the sweeps run every model through a `dyn Model` and read an `Ensemble`; they still ask
//! whether the scenario's model is a classic one ([`crate::scenario::ModelKind::is_classic`]) for
//! wording (schools or nodes), for report sections only the school model has, and to refuse
//! commands that need the school model (optimise, calibrate). A model may also record what
//! happened to each school in each run ([`tally`]); the ensemble folds those records into
//! per-school and per-region counts.
//!
//! The core loop of the school model is [`school::term`]: the strategy funds hubs and coaches, the fields
//! are computed from the state at t, the strategy allocates the budget, and every school advances
//! to t + 1.

pub mod classic;
pub mod ensemble;
pub mod school;
pub mod tally;

pub use ensemble::{run_ensemble, Ensemble, Progress};
pub use school::{simulate, term, watch, Buffers};
pub use tally::{SchoolRun, SchoolTally};

use crate::error::InputError;
use crate::metrics::{Measures, RunSummary};
use crate::network::Network;
use crate::scenario::{ModelKind, Scenario};
use std::io;
use std::sync::Arc;

/// The result of one run of one arm: its summary and its series, row-major (one row of
/// `measures.series.len()` figures per step, from step 0 to the horizon).
#[derive(Debug, Clone, PartialEq)]
pub struct ArmRun {
    /// The run's figures at the horizon.
    pub summary: RunSummary,
    /// The per-step series, flattened.
    pub series: Vec<f64>,
    /// What happened to each school, when the model records it ([`Model::school_regions`]).
    pub schools: Option<SchoolRun>,
}

/// Reusable per-thread buffers for every model, so that runs do not allocate per step.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) school: school::Buffers,
    pub(crate) classic: crate::classic::models::Buffers,
}

/// Named figures of one run, for a person to read (`domino run`).
pub type RunFigures = Vec<(&'static str, f64)>;

/// One cell of a trace row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// Text, written as is.
    Text(&'a str),
    /// A number (NaN: empty; a time never reached is written as NaN by the model).
    Num(f64),
    /// A whole number.
    Int(u64),
}

/// Where a trace goes: a header, then rows (the CSV writer in [`crate::output`]).
pub trait TraceSink {
    /// The column names, once, before any row.
    fn header(&mut self, columns: &[&str]) -> io::Result<()>;
    /// One row, with one cell per column.
    fn row(&mut self, cells: &[Cell]) -> io::Result<()>;
}

/// A model the engine can run: see the module docs.
pub trait Model: Sync {
    /// What the model measures, and which figures headline a comparison.
    fn measures(&self) -> &Measures;
    /// The names of the arms compared (strategies, or seeding rules), in scenario order.
    fn arms(&self) -> &[String];
    /// One line describing the setting, for the top of the comparison table.
    fn describe(&self) -> String;
    /// The dotted paths of the scenario's uncertain fields (none by default).
    fn uncertain(&self) -> Vec<String> {
        Vec::new()
    }
    /// The values of the uncertain fields drawn for run `k`, in [`Model::uncertain`]'s order.
    fn drawn(&self, _k: u64) -> Vec<f64> {
        Vec::new()
    }
    /// Run `k` of every arm, in the same world. Fails only when run k's draws of the uncertain
    /// fields make an invalid scenario ([`Scenario::for_run`]).
    fn run(&self, k: u64, scratch: &mut Scratch) -> Result<Vec<ArmRun>, InputError>;
    /// The network of run `k` (fails as [`Model::run`] does).
    fn network(&self, k: u64) -> Result<Arc<Network>, InputError>;
    /// When the model records what happened to each school in every run ([`ArmRun::schools`]):
    /// the region of each school and the number of regions. `None` (the default): it does not.
    fn school_regions(&self) -> Option<(Vec<u32>, usize)> {
        None
    }
    /// Writes the per-school (or per-node) trace of run `k` of `arm` to `sink` and returns the
    /// run's figures.
    fn trace(&self, arm: usize, k: u64, sink: &mut dyn TraceSink) -> io::Result<RunFigures>;
}

/// An invalid run's error ([`Model::run`]) where an I/O result is expected (traces).
pub(crate) fn invalid(e: InputError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, e)
}

/// The model `scenario` names: the one dispatch point between the school model and the classic
/// models.
pub fn model(scenario: &Scenario) -> Box<dyn Model + '_> {
    match scenario.config.model {
        ModelKind::School => Box::new(school::SchoolModel::new(scenario)),
        _ => Box::new(classic::ClassicModel::new(scenario)),
    }
}
