//! [`Evaluator`]: candidate strategies run on paired worlds (common random numbers), each
//! (candidate, run) simulated once and remembered.
//!
//! The value of candidate c in run k is a pure function of the scenario, c and k: run k's world
//! and draws are built from `(seed, k)` ([`RunSeeds`]) with run k's values of the uncertain fields
//! ([`Scenario::for_run`]), whatever else is evaluated beside it. So every candidate meets the
//! same worlds, a value can be cached and read back from a checkpoint, and the order in which
//! work is done (or the thread count) changes nothing. Runs are simulated in parallel, one world
//! per task, and their results are taken in the order of the runs asked for.

use super::checkpoint::Checkpoint;
use crate::engine::school::{simulate, Buffers};
use crate::engine::Progress;
use crate::error::{InputError, Result};
use crate::metrics::RunMetric;
use crate::model::{Params, World};
use crate::rng::RunSeeds;
use crate::scenario::{Goal, Scenario, StrategyConfig};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// The figures of one candidate in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Values {
    /// The objective being maximised (one of the figures below).
    pub objective: f64,
    /// Students benefiting, as a share of all students.
    pub benefiting: f64,
    /// Share of schools sustained at the horizon.
    pub sustained: f64,
    /// Students benefiting weighted by `1 + equity_weight x need`, as a share of all students
    /// weighted alike.
    pub equity: f64,
    /// Students benefiting per SU spent (0 when nothing was spent).
    pub per_su: f64,
}

impl Values {
    /// Number of figures, as [`Values::to_array`] lists them.
    pub(crate) const LEN: usize = 5;

    /// The figures in a fixed order (the checkpoint's columns).
    pub fn to_array(self) -> [f64; Self::LEN] {
        [
            self.objective,
            self.benefiting,
            self.sustained,
            self.equity,
            self.per_su,
        ]
    }

    /// The inverse of [`Values::to_array`].
    pub(crate) fn from_array(a: [f64; Self::LEN]) -> Self {
        Self {
            objective: a[0],
            benefiting: a[1],
            sustained: a[2],
            equity: a[3],
            per_su: a[4],
        }
    }
}

/// A candidate's identity for caching: a hash of its strategy as TOML, without its name (two
/// candidates with the same knobs are the same candidate).
pub fn key(strategy: &StrategyConfig) -> u64 {
    let mut s = strategy.clone();
    s.name.clear();
    let text = toml::to_string(&s).expect("a strategy always serialises");
    let hex = crate::output::sha256_hex(text.as_bytes());
    u64::from_str_radix(&hex[..16], 16).expect("hex digits")
}

/// Runs candidates on paired worlds and remembers every (candidate, run) value.
pub struct Evaluator<'a> {
    scenario: &'a Scenario,
    goal: Goal,
    equity_weight: f64,
    cache: HashMap<(u64, u64), Values>,
    /// Pairs read from the checkpoint and not yet asked for.
    restored: HashSet<(u64, u64)>,
    checkpoint: Option<Checkpoint>,
    progress: &'a dyn Progress,
    /// Simulations run by this evaluator (not read back).
    pub simulated: u64,
    /// Values read back from the checkpoint and used.
    pub reused: u64,
}

impl<'a> Evaluator<'a> {
    /// An evaluator of strategies in `scenario` maximising `goal`; values already in
    /// `checkpoint` are used instead of simulating again, and new ones are appended to it.
    pub fn new(
        scenario: &'a Scenario,
        goal: Goal,
        equity_weight: f64,
        checkpoint: Option<Checkpoint>,
        progress: &'a dyn Progress,
    ) -> Self {
        let cache = checkpoint
            .as_ref()
            .map(|c| c.values().clone())
            .unwrap_or_default();
        Self {
            scenario,
            goal,
            equity_weight,
            restored: cache.keys().copied().collect(),
            cache,
            checkpoint,
            progress,
            simulated: 0,
            reused: 0,
        }
    }

    /// Simulations this optimisation has cost: run now or read back from a checkpoint.
    pub fn spent(&self) -> u64 {
        self.simulated + self.reused
    }

    /// The checkpoint, if any (to remove it once the results are written).
    pub(crate) fn into_checkpoint(self) -> Option<Checkpoint> {
        self.checkpoint
    }

    /// `out[c][j]`: candidate `c` in run `ks[j]`. Runs not yet known are simulated in parallel,
    /// one task per run; O(missing pairs x one simulation).
    pub fn evaluate(&mut self, cands: &[&StrategyConfig], ks: &[u64]) -> Result<Vec<Vec<Values>>> {
        let keys: Vec<u64> = cands.iter().map(|s| key(s)).collect();
        // Per run, the distinct candidates still unknown in it.
        let mut jobs: Vec<(u64, Vec<usize>)> = Vec::new();
        for &k in ks {
            let mut todo: Vec<usize> = Vec::new();
            for (c, &key) in keys.iter().enumerate() {
                let known = self.cache.contains_key(&(key, k));
                if known && self.restored.remove(&(key, k)) {
                    // Read back from the checkpoint: it counts as spent once, as it did when it
                    // was simulated, so a resumed search takes the same decisions.
                    self.reused += 1;
                }
                if !known && !todo.iter().any(|&d| keys[d] == key) {
                    todo.push(c);
                }
            }
            if !todo.is_empty() {
                jobs.push((k, todo));
            }
        }
        let results: Vec<std::result::Result<Vec<Values>, InputError>> = jobs
            .par_iter()
            .map_init(Buffers::default, |buf, (k, todo)| {
                let strategies: Vec<StrategyConfig> =
                    todo.iter().map(|&c| cands[c].clone()).collect();
                self.run_world(*k, strategies, buf)
            })
            .collect();
        // In run order, so the error reported is the same for any thread count.
        let results: Vec<Vec<Values>> =
            results.into_iter().collect::<std::result::Result<_, _>>()?;
        let mut fresh = Vec::new();
        for ((k, todo), values) in jobs.iter().zip(results) {
            for (&c, v) in todo.iter().zip(values) {
                self.cache.insert((keys[c], *k), v);
                fresh.push((keys[c], *k, v));
                self.simulated += 1;
            }
        }
        if let Some(cp) = &mut self.checkpoint {
            cp.append(&fresh)?;
        }
        Ok(keys
            .iter()
            .map(|key| {
                ks.iter()
                    .map(|k| {
                        *self
                            .cache
                            .get(&(*key, *k))
                            .expect("every pair was evaluated")
                    })
                    .collect()
            })
            .collect())
    }

    /// True when run `k` of `strategy` is known without simulating.
    pub fn known(&self, strategy: &StrategyConfig, k: u64) -> bool {
        self.cache.contains_key(&(key(strategy), k))
    }

    /// Runs every strategy of `strategies` in run `k`'s world.
    fn run_world(
        &self,
        k: u64,
        strategies: Vec<StrategyConfig>,
        buf: &mut Buffers,
    ) -> std::result::Result<Vec<Values>, InputError> {
        // The candidates come from the search space, whose values the [optimise] table's
        // validation bounded; they replace the scenario's strategies in this crate-internal copy.
        let mut scenario = self.scenario.for_run(k)?.into_owned();
        scenario.config.strategies = strategies;
        let seeds = RunSeeds::new(scenario.config.seed, k);
        let world = World::build(&scenario, &seeds);
        let steps = scenario.config.steps;
        let weight: Vec<f64> = world
            .schools
            .need
            .iter()
            .zip(&world.schools.size)
            .map(|(need, size)| size * (1.0 + self.equity_weight * need))
            .collect();
        let total_weight: f64 = weight.iter().sum();
        let values = (0..scenario.config.strategies.len())
            .map(|s| {
                let params = Params::new(&scenario.config, &scenario.config.strategies[s]);
                let mut equity = 0.0;
                let summary = simulate(&scenario, s, &world, &seeds, buf, |step, state, _| {
                    if step != steps {
                        return;
                    }
                    // Benefiting as the recorder counts it: practising, true effect at the bar.
                    let mut ok = 0.0;
                    for (i, w) in weight.iter().enumerate() {
                        if state.stage[i].is_adopter()
                            && state.practice[i] >= params.visibility_bar
                            && state.effect[i] >= params.benefit_bar
                        {
                            ok += w;
                        }
                    }
                    equity = if total_weight > 0.0 {
                        ok / total_weight
                    } else {
                        0.0
                    };
                });
                self.progress.run_done();
                let spend = summary.get(RunMetric::Spend);
                let students = summary.get(RunMetric::StudentsBenefiting);
                let mut v = Values {
                    objective: 0.0,
                    benefiting: summary.get(RunMetric::StudentsBenefitingShare),
                    sustained: summary.get(RunMetric::SustainedShare),
                    equity,
                    per_su: if spend > 0.0 { students / spend } else { 0.0 },
                };
                v.objective = match self.goal {
                    Goal::StudentsBenefiting => v.benefiting,
                    Goal::Sustained => v.sustained,
                    Goal::Equity => v.equity,
                    Goal::CostPerStudent => v.per_su,
                };
                v
            })
            .collect();
        Ok(values)
    }
}
