//! Running the model: one run of one strategy ([`simulate`]), and ensembles of paired runs in
//! parallel ([`ensemble`]).
//!
//! The core loop is [`simulate`]: for each term, the strategy picks a hub, the fields are
//! computed from the state at t, the strategy allocates the budget, and every school advances to
//! t + 1. All buffers live in [`Buffers`] and are reused, so the loop does not allocate per term.

pub mod ensemble;

use crate::metrics::{Recorder, RunSummary};
use crate::model::{advance, compute_fields, Params, State, World};
use crate::rng::{Draws, RunSeeds};
use crate::scenario::Scenario;
use crate::strategy::{self, Plan, Strategy, TermView};

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

/// One term t of the school model: the strategy picks a hub, the fields are computed from the
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
    if let Some(h) = strategy.hub(&view) {
        plan.fund_hub(h);
    }
    compute_fields(world, params, state, plan.hub);
    let view = TermView {
        step,
        budget,
        world,
        state,
        params,
        draws,
    };
    strategy.allocate(&view, plan);
    advance(
        world,
        params,
        state,
        &plan.support,
        &plan.recruit,
        draws,
        step,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Stage;

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
