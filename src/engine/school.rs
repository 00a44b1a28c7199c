//! The school model on the engine: [`simulate`] runs one strategy once, [`term`] is the core loop,
//! and [`SchoolModel`] runs every strategy of a scenario in the same world (common random numbers)
//! for the ensemble.
//!
//! All buffers live in [`Buffers`] and are reused, so the loop does not allocate per term.

use super::{invalid, ArmRun, Cell, Model, RunFigures, SchoolRun, Scratch, TraceSink};
use crate::error::InputError;
use crate::metrics::{Measures, Recorder, RunMetric, RunSummary};
use crate::model::{advance, compute_fields, Params, State, World, NO_SOURCE};
use crate::network::Network;
use crate::rng::{Draws, RunSeeds};
use crate::scenario::Scenario;
use crate::strategy::{self, Plan, Strategy, TermView};
use std::io;
use std::sync::Arc;

/// Reusable per-thread buffers for runs.
#[derive(Debug, Default)]
pub struct Buffers {
    /// Model state.
    pub state: State,
    /// The term's allocation.
    pub plan: Plan,
    /// Per-term figures.
    pub recorder: Recorder,
}

/// Runs strategy `strategy` of `scenario` once in `world`, calling `observe(step, state, plan)` at
/// the start (step 0, empty plan) and after every term (step t + 1, with the plan of term t).
/// Returns the run's summary. O(steps * (n + adopters' ties)).
///
/// It uses the scenario's values as given: a field written as a distribution is at its centre,
/// not at run k's draw. To reproduce run k of an ensemble use [`watch`], or simulate
/// `scenario.for_run(k)?` in run k's world.
///
/// # Panics
///
/// If `strategy` is not the index of one of the scenario's strategies.
pub fn simulate(
    scenario: &Scenario,
    strategy: usize,
    world: &World,
    seeds: &RunSeeds,
    buf: &mut Buffers,
    mut observe: impl FnMut(u32, &State, &Plan),
) -> RunSummary {
    let cfg = &scenario.config;
    let scfg = &cfg.strategies[strategy];
    let params = Params::new(cfg, scfg);
    let budget = scenario.budget_per_term();
    let draws = seeds.draws();
    let mut strat = strategy::build(scfg, world, budget);
    let Buffers {
        state,
        plan,
        recorder,
    } = buf;
    state.reset(world, &params);
    plan.reset(world.len(), budget);
    recorder.reset(world);
    recorder.observe(world, &params, state, 0, 0.0, budget);
    observe(0, state, plan);
    for step in 0..cfg.steps {
        term(
            world,
            &params,
            strat.as_mut(),
            state,
            plan,
            &draws,
            budget,
            step,
        );
        recorder.observe(world, &params, state, step + 1, plan.spent(), budget);
        observe(step + 1, state, plan);
    }
    recorder.summary()
}

/// One term t of the school model: the strategy funds hubs and coaches, the fields are computed from the
/// state at t, the strategy fills `plan`, and every school advances to t + 1. Allocation-free once
/// the buffers have their size. O(n + sum of adopters' degrees).
#[allow(clippy::too_many_arguments)]
pub fn term(
    world: &World,
    params: &Params,
    strategy: &mut dyn Strategy,
    state: &mut State,
    plan: &mut Plan,
    draws: &Draws,
    budget: f64,
    step: u32,
) {
    plan.reset(world.len(), budget);
    let view = TermView {
        step,
        budget,
        world,
        state,
        params,
        draws,
    };
    strategy.prepare(&view, plan);
    compute_fields(world, params, state, &plan.hubs, &plan.coach);
    let view = TermView {
        step,
        budget,
        world,
        state,
        params,
        draws,
    };
    strategy.allocate(&view, plan);
    advance(world, params, state, plan.decisions(), draws, step);
}

/// Runs strategy `arm` of run `k` of `scenario` exactly as a comparison runs it (run k's world,
/// draws and uncertain values), calling `observe(world, step, state, plan)` as [`simulate`] does.
/// What `domino run --trace` writes and what `domino show` plays are both read through here, so
/// they cannot disagree. An `arm` that is not one of the scenario's strategies is an error.
pub fn watch(
    scenario: &Scenario,
    arm: usize,
    k: u64,
    mut observe: impl FnMut(&World, u32, &State, &Plan),
) -> Result<RunSummary, InputError> {
    let arms = scenario.config().strategies.len();
    if arm >= arms {
        return Err(InputError::msg(format!(
            "strategy {arm} does not exist: the scenario has {arms} (0 to {})",
            arms.saturating_sub(1)
        )));
    }
    let scenario = scenario.for_run(k)?;
    let (seeds, world) = SchoolModel::world(&scenario, k);
    let mut buf = Buffers::default();
    Ok(simulate(
        &scenario,
        arm,
        &world,
        &seeds,
        &mut buf,
        |step, state, plan| observe(&world, step, state, plan),
    ))
}

/// The school model of a scenario: every strategy, run k in run k's world.
pub struct SchoolModel<'a> {
    scenario: &'a Scenario,
    measures: Measures,
    arms: Vec<String>,
    /// Record each school's run ([`SchoolRun`]): only when school i is the same school in every
    /// run, i.e. the network and the school ids come from files.
    per_school: bool,
}

impl<'a> SchoolModel<'a> {
    /// The school model of `scenario`.
    pub fn new(scenario: &'a Scenario) -> Self {
        Self {
            scenario,
            measures: Measures::school(scenario.config.objective),
            arms: scenario
                .config
                .strategies
                .iter()
                .map(|s| s.name.clone())
                .collect(),
            per_school: scenario.files.is_some(),
        }
    }

    /// Run k's world, built from run k's scenario (`scenario`, [`Scenario::for_run`]).
    fn world(scenario: &Scenario, k: u64) -> (RunSeeds, World) {
        let seeds = RunSeeds::new(scenario.config.seed, k);
        let world = World::build(scenario, &seeds);
        (seeds, world)
    }
}

impl Model for SchoolModel<'_> {
    fn measures(&self) -> &Measures {
        &self.measures
    }

    fn arms(&self) -> &[String] {
        &self.arms
    }

    fn describe(&self) -> String {
        let s = self.scenario;
        let n = s.schools();
        format!(
            "{}: {} schools, {} terms, {} paired runs, budget {}, seed {}",
            s.config.name,
            n,
            s.config.steps,
            s.config.runs,
            s.budget_words(),
            s.config.seed
        )
    }

    fn uncertain(&self) -> Vec<String> {
        self.scenario.uncertain.paths()
    }

    fn drawn(&self, k: u64) -> Vec<f64> {
        let s = self.scenario;
        s.uncertain.draw(s.config.seed, k)
    }

    fn run(&self, k: u64, scratch: &mut Scratch) -> Result<Vec<ArmRun>, InputError> {
        // Every strategy of run k runs with run k's draws of the uncertain fields.
        let scenario = self.scenario.for_run(k)?;
        let (seeds, world) = Self::world(&scenario, k);
        let buf = &mut scratch.school;
        let runs = (0..self.arms.len())
            .map(|s| {
                let mut schools = self.per_school.then(|| SchoolRun::new(world.len()));
                let summary = simulate(&scenario, s, &world, &seeds, buf, |t, state, plan| {
                    if let Some(r) = &mut schools {
                        r.observe(t, state, plan);
                    }
                });
                if let Some(r) = &mut schools {
                    let cfg = &scenario.config;
                    r.finish(&buf.state, &Params::new(cfg, &cfg.strategies[s]));
                }
                ArmRun {
                    summary,
                    series: buf.recorder.rows.iter().flatten().copied().collect(),
                    schools,
                }
            })
            .collect();
        Ok(runs)
    }

    fn school_regions(&self) -> Option<(Vec<u32>, usize)> {
        // Regions come from the node table or are blocks of rows: the same in every run.
        self.per_school
            .then(|| crate::school::regions(self.scenario))
    }

    fn network(&self, k: u64) -> Result<Arc<Network>, InputError> {
        // The school model draws the network with the schools (regional ties follow contexts).
        let scenario = self.scenario.for_run(k)?;
        Ok(Arc::new(Self::world(&scenario, k).1.network))
    }

    fn trace(&self, arm: usize, k: u64, sink: &mut dyn TraceSink) -> io::Result<RunFigures> {
        sink.header(&[
            "school", "name", "step", "stage", "practice", "fit", "effect", "support", "origin",
            "source",
        ])?;
        let mut failed = None;
        let summary = watch(self.scenario, arm, k, |_, step, state, plan| {
            if failed.is_some() {
                return;
            }
            for i in 0..state.stage.len() {
                let support = if step == 0 { 0.0 } else { plan.support[i] };
                // The node table's id and name, so rows join back to the district's data.
                let id = self.scenario.school_id(i);
                let source = match state.source[i] {
                    NO_SOURCE => "".into(),
                    j => self.scenario.school_id(j as usize),
                };
                let row = [
                    Cell::Text(&id),
                    Cell::Text(self.scenario.school_name(i)),
                    Cell::Int(step as u64),
                    Cell::Text(state.stage[i].name()),
                    Cell::Num(state.practice[i]),
                    Cell::Num(state.fit[i]),
                    Cell::Num(state.effect[i]),
                    Cell::Num(support),
                    Cell::Text(state.origin[i].name()),
                    Cell::Text(&source),
                ];
                if let Err(e) = sink.row(&row) {
                    failed = Some(e);
                    return;
                }
            }
        })
        .map_err(invalid)?;
        if let Some(e) = failed {
            return Err(e);
        }
        Ok(RunMetric::ALL
            .iter()
            .map(|&m| (m.name(), summary.get(m)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Stage;

    /// An index taken from another scenario was `cfg.strategies[arm]` out of bounds (§5).
    #[test]
    fn watch_refuses_a_strategy_index_the_scenario_does_not_have() {
        let s = small();
        let arms = s.config().strategies.len();
        let e = watch(&s, arms, 0, |_, _, _, _| {}).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(watch(&s, arms - 1, 0, |_, _, _, _| {}).is_ok());
    }

    fn small() -> Scenario {
        Scenario::from_toml(
            "runs = 4\nsteps = 12\n[network]\nschools = 120\nregions = 4\n",
            None,
        )
        .unwrap()
    }

    #[test]
    fn spend_never_exceeds_budget_and_counts_add_up() {
        let scn = small();
        let seeds = RunSeeds::new(scn.config.seed, 0);
        let world = World::build(&scn, &seeds);
        let budget = scn.budget_per_term();
        for k in 0..scn.config.strategies.len() {
            let mut buf = Buffers::default();
            simulate(&scn, k, &world, &seeds, &mut buf, |_, s, plan| {
                assert!(
                    plan.spent() <= budget * (1.0 + 1e-9),
                    "spent {} > {budget}",
                    plan.spent()
                );
                for (i, &sup) in plan.support.iter().enumerate() {
                    assert!(sup >= 0.0);
                    if sup > 0.0 {
                        // Support goes only to schools that were implementing in that term.
                        assert!(s.stage[i] != Stage::NotAdopted);
                    }
                }
            });
        }
    }

    /// A random small scenario: network kind, size, regions, mechanisms switched on or off and
    /// strategy knobs all drawn from `rng`, so the sparse update meets hubs, coaching, reviews,
    /// every contagion form and every targeting rule.
    fn random_scenario(rng: &mut impl rand::Rng) -> Scenario {
        let pick = |rng: &mut dyn rand::RngCore, xs: &[&'static str]| {
            xs[rand::Rng::random_range(rng, 0..xs.len())]
        };
        let kind = pick(rng, &["regional", "random", "small-world", "scale-free"]);
        let schools = rng.random_range(30..160);
        let regions = rng.random_range(1..7);
        let budget = [0.05, 0.1, 0.3, 1.0][rng.random_range(0..4)];
        let mut toml = format!(
            "seed = {}\nsteps = {}\n[network]\nkind = \"{kind}\"\nschools = {schools}\nregions = {regions}\n\
             [budget]\nper_school = {budget}\n",
            rng.random::<u32>(),
            rng.random_range(6..16),
        );
        toml += &format!(
            "[mechanisms.contagion]\nform = \"{}\"\noutside_rate = {}\n\
             [mechanisms.coaching]\nenabled = {}\n[mechanisms.know_how]\nenabled = {}\n\
             [mechanisms.evidence]\nenabled = {}\n[mechanisms.hub]\nenabled = {}\n",
            pick(rng, &["simple", "complex", "domino"]),
            [0.0, 0.002, 0.05][rng.random_range(0..3)],
            rng.random_bool(0.7),
            rng.random_bool(0.8),
            rng.random_bool(0.5),
            rng.random_bool(0.8),
        );
        for name in ["thin-spread", "pilot-then-cascade", "cluster"] {
            toml += &format!(
                "[[strategies]]\nname = \"{name}\"\ntargeting = \"{}\"\npace = \"{}\"\n\
                 adaptive = {}\nhub_share = {}\ncoach_share = {}\nmandate = {}\n",
                pick(rng, &["need", "readiness", "random", "centrality"]),
                pick(rng, &["fixed", "proven"]),
                rng.random_bool(0.3),
                [0.0, 0.2, 0.5][rng.random_range(0..3)],
                [0.0, 0.1, 0.3][rng.random_range(0..3)],
                rng.random_bool(0.3),
            );
        }
        Scenario::from_toml(&toml, None).unwrap_or_else(|e| panic!("{e}\n{toml}"))
    }

    #[test]
    fn the_sparse_update_writes_the_same_bytes_as_the_plain_one() {
        // Each term clears only the fields the last term wrote (sparse) or every school's
        // (dense). Every figure of every term, compared bit for bit, over 40 random scenarios.
        use rand::SeedableRng;
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(12);
        let mut compared = 0;
        for _ in 0..40 {
            let scn = random_scenario(&mut rng);
            let seeds = RunSeeds::new(scn.config.seed, 0);
            let world = World::build(&scn, &seeds);
            for k in 0..scn.config.strategies.len() {
                let run = |dense: bool| {
                    let mut buf = Buffers::default();
                    buf.state.set_dense(dense);
                    let mut stages = Vec::new();
                    let summary = simulate(&scn, k, &world, &seeds, &mut buf, |_, s, _| {
                        stages.extend(s.stage.iter().map(|&x| x as u8));
                    });
                    let rows: Vec<u64> = buf
                        .recorder
                        .rows
                        .iter()
                        .flatten()
                        .map(|x| x.to_bits())
                        .collect();
                    // Bits, so that NaN (a figure with no value, e.g. no school sustained) compares.
                    let summary: Vec<u64> = RunMetric::ALL
                        .iter()
                        .map(|&m| summary.get(m).to_bits())
                        .collect();
                    (summary, rows, stages)
                };
                let (sparse, dense) = (run(false), run(true));
                assert_eq!(sparse.1, dense.1, "series differ, strategy {k}");
                assert_eq!(sparse.2, dense.2, "stages differ, strategy {k}");
                assert_eq!(sparse.0, dense.0, "summaries differ, strategy {k}");
                compared += 1;
            }
        }
        assert_eq!(compared, 120);
    }

    #[test]
    fn same_seed_same_summary_and_strategies_differ() {
        let scn = small();
        let seeds = RunSeeds::new(3, 1);
        let world = World::build(&scn, &seeds);
        let mut buf = Buffers::default();
        let a = simulate(&scn, 1, &world, &seeds, &mut buf, |_, _, _| {});
        let b = simulate(&scn, 1, &world, &seeds, &mut buf, |_, _, _| {});
        assert_eq!(a, b);
        let c = simulate(&scn, 0, &world, &seeds, &mut buf, |_, _, _| {});
        assert_ne!(a, c);
    }
}
