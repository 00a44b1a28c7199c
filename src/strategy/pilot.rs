//! Pilot-then-cascade: concentrate the whole budget on a few pilots until they are pockets of
//! excellence, then support waves of schools at the strategy's pace (Sutton & Rao's domino chain
//! and the Wyeth "minitransformations", seed 000): on a fixed schedule the next schools in
//! targeting order join as the budget allows; at a proven pace only schools with a pocket to learn
//! from, until the whole wave is proven.

use super::cohort::{Cohort, Flow, GrowEnd};
use super::{fund_coaches, Offer, Plan, Strategy, TermView};
use crate::model::World;
use crate::scenario::{StrategyConfig, StrategyKind};

/// Builds a pilot-then-cascade strategy (the registry's constructor).
pub fn build(cfg: &StrategyConfig, world: &World, budget: f64) -> Box<dyn Strategy> {
    Box::new(PilotThenCascade::new(cfg, world, budget))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Choose pilots this term.
    Start,
    /// Pilots get the whole budget until they are all pockets or the period ends at this term.
    Pilot { ends: u32 },
    /// Waves at the strategy's pace.
    Waves,
}

/// See the module docs. Per term: O(n + pockets' degrees) for coaching, O(cohort) for top-ups,
/// and one scan of the targeting order (two in a term that chooses its pilots by the budget).
#[derive(Debug, Clone)]
pub struct PilotThenCascade {
    cohort: Cohort,
    phase: Phase,
    /// Pilots per start; 0: as many as the budget funds at the effective dose.
    pilots: u32,
    /// The named first pilots (`pilot_ids`), by index; empty once used, or when none were named.
    named: Vec<u32>,
    pilot_terms: u32,
    waves: bool,
    coach_spend: f64,
}

impl PilotThenCascade {
    /// A pilot-then-cascade strategy for `world` with `budget` SU per term.
    pub fn new(cfg: &StrategyConfig, world: &World, budget: f64) -> Self {
        Self {
            cohort: Cohort::new(world.len(), cfg),
            phase: Phase::Start,
            pilots: cfg.pilots.min(world.len() as u32),
            named: cfg.pilot_index.clone(),
            pilot_terms: cfg.pilot_terms,
            waves: cfg.waves,
            coach_spend: super::coach_share(cfg, StrategyKind::PilotThenCascade) * budget,
        }
    }

    /// Could school `i` be offered a pilot place this term (available, and implementing or able
    /// to start)? Under opt-in a school may still refuse the offer.
    fn candidate(cohort: &Cohort, view: &TermView, i: usize) -> bool {
        cohort.available(i) && (view.implementing(i) || view.state.can_start(view.world, i))
    }

    /// Pilots this start: the explicit number, or (`pilots = 0`) the candidates, in targeting
    /// order, that `money` funds at the full effective dose each, at least one. The full dose,
    /// not the top-up left after a school's own resources: a pilot is meant to reach the dose on
    /// the strategy's money alone, and the cost is then never zero.
    fn pilot_count(&mut self, view: &TermView, money: f64) -> u32 {
        if self.pilots > 0 {
            return self.pilots;
        }
        let slack = super::RELATIVE_SLACK * money;
        let (mut count, mut cost) = (0u32, 0.0);
        self.cohort.scan(view, |cohort, i| {
            if !Self::candidate(cohort, view, i) {
                return Flow::Continue;
            }
            cost += view.full_dose_cost(i);
            if cost > money + slack {
                return Flow::Stop;
            }
            count += 1;
            Flow::Continue
        });
        count.max(1)
    }

    fn start_pilots(&mut self, view: &TermView, plan: &mut Plan) {
        // Named pilots are the first start's: those of them that can pilot now share the budget.
        // A later start (the cascade died out) chooses by the targeting rule.
        let named = std::mem::take(&mut self.named);
        let named: Vec<usize> = named
            .into_iter()
            .map(|i| i as usize)
            .filter(|&i| Self::candidate(&self.cohort, view, i))
            .collect();
        if !named.is_empty() {
            let share = plan.remaining() / named.len() as f64;
            for i in named {
                if view.implementing(i) {
                    plan.give(i, share);
                } else if !plan.recruit(i, share.min(plan.remaining())) {
                    break;
                }
                plan.pilot[i] = true;
                self.cohort.add(i, view.state.practice[i]);
            }
            self.phase = Phase::Pilot {
                ends: view.step + self.pilot_terms.max(1),
            };
            return;
        }
        let pilots = self.pilot_count(view, plan.remaining());
        let share = plan.remaining() / pilots as f64;
        let mut chosen = 0;
        self.cohort.scan(view, |cohort, i| {
            if chosen >= pilots {
                return Flow::Stop;
            }
            if !Self::candidate(cohort, view, i) {
                return Flow::Continue;
            }
            if view.implementing(i) {
                plan.give(i, share);
            } else {
                match view.offer(plan, i, share.min(plan.remaining())) {
                    Offer::Accepted => {}
                    // The place stays empty this term; a cascade with no pilot starts again.
                    Offer::Refused => {
                        chosen += 1;
                        return Flow::Continue;
                    }
                    Offer::Unaffordable => return Flow::Stop,
                }
            }
            plan.pilot[i] = true;
            cohort.add(i, view.state.practice[i]);
            chosen += 1;
            Flow::Continue
        });
        self.phase = Phase::Pilot {
            ends: view.step + self.pilot_terms.max(1),
        };
    }
}

impl Strategy for PilotThenCascade {
    fn prepare(&mut self, view: &TermView, plan: &mut Plan) {
        fund_coaches(view, plan, self.coach_spend);
    }

    fn allocate(&mut self, view: &TermView, plan: &mut Plan) {
        self.cohort.prune(view, plan);
        if let Phase::Pilot { ends } = self.phase {
            let active = self.cohort.members().len();
            if view.step >= ends || active == 0 || self.cohort.all_pockets(view) {
                self.phase = Phase::Waves;
            } else {
                // The whole budget (but for coaches), split over the pilots still implementing.
                let share = plan.remaining() / active as f64;
                for &i in self.cohort.members() {
                    if view.implementing(i as usize) {
                        plan.give(i as usize, share);
                        plan.pilot[i as usize] = true;
                    }
                }
                return;
            }
        }
        if self.phase == Phase::Start {
            self.start_pilots(view, plan);
            return;
        }
        self.cohort.fund(view, plan);
        if self.waves {
            let pace = self.cohort.pace(view);
            if self.cohort.grow(view, plan, |i, _| pace.allows(i)) == GrowEnd::Exhausted {
                self.cohort.deepen(view, plan);
            }
        }
        // The cascade died out (no one supported or added this term, no pocket left anywhere to
        // build on): pilot again next term. While a pocket stands, the strategy waits for peers.
        if self.cohort.members().is_empty() && !view.state.pocket.contains(&true) {
            self.phase = Phase::Start;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Params, Stage, State};
    use crate::network::Network;
    use crate::rng::RunSeeds;
    use crate::scenario::{Pace, ScenarioConfig, SupportMode};
    use crate::school::Population;

    /// What a term's allocation did, per school.
    struct TermPlan {
        pilot: Vec<bool>,
        recruit: Vec<bool>,
        support: Vec<f64>,
    }

    /// Runs `strategy` in `world` for `stages.len()` terms with `budget` SU a term, the schools'
    /// stages set by hand before each term (allocate only: no coaches are paid).
    fn run(
        cfg: &ScenarioConfig,
        strategy: &StrategyConfig,
        world: &World,
        budget: f64,
        stages: &[Vec<Stage>],
    ) -> Vec<TermPlan> {
        let params = Params::new(cfg, strategy);
        let draws = RunSeeds::new(1, 0).draws();
        let mut state = State::default();
        state.reset(world, &params);
        let mut pilot = PilotThenCascade::new(strategy, world, budget);
        let mut plan = Plan::default();
        let mut terms = Vec::new();
        for (step, stages) in stages.iter().enumerate() {
            state.stage.clone_from(stages);
            plan.reset(world.len(), budget);
            let view = TermView {
                step: step as u32,
                budget,
                world,
                state: &state,
                params: &params,
                draws: &draws,
            };
            pilot.allocate(&view, &mut plan);
            terms.push(TermPlan {
                pilot: plan.pilot.clone(),
                recruit: plan.recruit.clone(),
                support: plan.support.clone(),
            });
        }
        terms
    }

    /// `pilots = 0`: as many pilots as the money funds at the full effective dose each, that dose
    /// scaled by the school's size and grossed up for the share built into capacity. Ten schools
    /// four times the median size with dose exponent 0.5 feel half of what they are given, so a
    /// pilot costs 2 x effective dose / (1 - build share). Money for three such pilots, short by
    /// a rounding error (1e-10 of it), still buys three; short by 1e-6 of it, two.
    #[test]
    fn pilots_from_the_budget_are_as_many_as_it_funds_at_the_full_scaled_dose() {
        let mut cfg = ScenarioConfig::default();
        cfg.mechanisms.size.dose_exponent = 0.5;
        let n = 10;
        let mut pop = Population::identical(n);
        pop.size = vec![4.0 * cfg.schools.size_median; n];
        let world = World::from_parts(Network::from_edges(n, Vec::new()), pop, &cfg);
        let strategy = StrategyConfig {
            support: SupportMode::Build,
            ..StrategyConfig::default()
        };
        let params = Params::new(&cfg, &strategy);
        let b = params.build_share;
        assert!(b > 0.0 && b < 1.0);
        let per_pilot = 2.0 * params.effective_dose / (1.0 - b);
        let pilots = |budget: f64| {
            let terms = run(
                &cfg,
                &strategy,
                &world,
                budget,
                &[vec![Stage::NotAdopted; n]],
            );
            terms[0].pilot.iter().filter(|&&p| p).count()
        };
        assert_eq!(pilots(3.0 * per_pilot * (1.0 - 1e-10)), 3);
        assert_eq!(pilots(3.0 * per_pilot * (1.0 - 1e-6)), 2);
        // A budget that funds no pilot at the full dose still buys one.
        assert_eq!(pilots(0.5 * per_pilot), 1);
    }

    /// Pilots get the whole budget, split evenly, for `pilot_terms` terms from their start; then
    /// the waves begin and they are supported as members (no longer pilots). The same for pilots
    /// named by `pilot_ids`, who are chosen over readier schools.
    #[test]
    fn the_pilot_period_lasts_pilot_terms_and_splits_the_budget() {
        let cfg = ScenarioConfig::default();
        let n = 4;
        let mut pop = Population::identical(n);
        // School 0 is the readiest, school 3 the least ready.
        pop.readiness = vec![0.9, 0.8, 0.7, 0.6];
        let world = World::from_parts(Network::from_edges(n, Vec::new()), pop, &cfg);
        let budget = 1.0;
        let check = |strategy: StrategyConfig, pilots: [usize; 2]| {
            let mut stages = vec![vec![Stage::NotAdopted; n]];
            // The pilots implement from term 1.
            let mut implementing = vec![Stage::NotAdopted; n];
            for i in pilots {
                implementing[i] = Stage::Implementing;
            }
            stages.extend(std::iter::repeat_n(implementing, 4));
            let terms = run(&cfg, &strategy, &world, budget, &stages);
            for i in pilots {
                assert!(
                    terms[0].recruit[i] && terms[0].pilot[i],
                    "term 0: {i} recruited"
                );
            }
            for (t, term) in terms.iter().enumerate().skip(1) {
                let piloting = t < 3;
                for i in 0..n {
                    let is_pilot = pilots.contains(&i);
                    assert_eq!(term.pilot[i], piloting && is_pilot, "term {t}, school {i}");
                    if piloting {
                        let want = if is_pilot { budget / 2.0 } else { 0.0 };
                        assert!(
                            (term.support[i] - want).abs() < 1e-12,
                            "term {t}, school {i}"
                        );
                    }
                }
            }
        };
        let by_budget = StrategyConfig {
            pilots: 2,
            pilot_terms: 3,
            waves: false,
            ..StrategyConfig::default()
        };
        check(by_budget.clone(), [0, 1]);
        let named = StrategyConfig {
            pilot_index: vec![3, 2],
            ..by_budget
        };
        check(named, [3, 2]);
    }

    /// Only a school that could start (or is implementing) is made a pilot: not a sustained one,
    /// nor one cooling down after abandoning, however ready; the same for a named pilot.
    #[test]
    fn a_sustained_or_cooling_school_is_never_a_pilot() {
        let cfg = ScenarioConfig::default();
        let n = 4;
        let mut pop = Population::identical(n);
        pop.readiness = vec![0.9, 0.8, 0.7, 0.6];
        let world = World::from_parts(Network::from_edges(n, Vec::new()), pop, &cfg);
        // School 0, the readiest, is sustained; school 1 abandoned this term (cool-down 4).
        let stages = vec![
            Stage::Sustained,
            Stage::Abandoned,
            Stage::NotAdopted,
            Stage::NotAdopted,
        ];
        let by_budget = StrategyConfig {
            pilots: 1,
            ..StrategyConfig::default()
        };
        let terms = run(&cfg, &by_budget, &world, 1.0, std::slice::from_ref(&stages));
        assert_eq!(terms[0].pilot, [false, false, true, false]);
        let named = StrategyConfig {
            pilot_index: vec![0, 1, 3],
            ..by_budget
        };
        let terms = run(&cfg, &named, &world, 1.0, &[stages]);
        assert_eq!(terms[0].pilot, [false, false, false, true]);
    }

    /// Named pilots share the budget: one already implementing is given its share now, one that
    /// is not is recruited with its share held; both are pilots.
    #[test]
    fn named_pilots_share_the_budget_implementing_or_recruited() {
        let cfg = ScenarioConfig::default();
        let n = 3;
        let world = World::from_parts(
            Network::from_edges(n, Vec::new()),
            Population::identical(n),
            &cfg,
        );
        let strategy = StrategyConfig {
            pilot_index: vec![1, 2],
            ..StrategyConfig::default()
        };
        let stages = vec![Stage::NotAdopted, Stage::Implementing, Stage::NotAdopted];
        let terms = run(&cfg, &strategy, &world, 1.0, &[stages]);
        let term = &terms[0];
        assert_eq!(term.pilot, [false, true, true]);
        assert_eq!(term.recruit, [false, false, true]);
        assert!((term.support[1] - 0.5).abs() < 1e-12, "{}", term.support[1]);
    }

    /// A cascade that died out (its pilot abandoned, no pocket anywhere) pilots again; while a
    /// pocket stands elsewhere, the strategy waits for peers instead.
    #[test]
    fn a_cascade_that_died_out_pilots_again_unless_a_pocket_stands() {
        let cfg = ScenarioConfig::default();
        let n = 2;
        let world = World::from_parts(
            Network::from_edges(n, Vec::new()),
            Population::identical(n),
            &cfg,
        );
        let strategy = StrategyConfig {
            pilots: 1,
            pilot_terms: 1,
            pace: Pace::Proven,
            ..StrategyConfig::default()
        };
        let params = Params::new(&cfg, &strategy);
        let draws = RunSeeds::new(1, 0).draws();
        let pilots_of_term_two = |pocket_elsewhere: bool| {
            let mut state = State::default();
            state.reset(&world, &params);
            state.stage[0] = Stage::Implementing;
            state.stage[1] = Stage::Sustained;
            let mut strategy = PilotThenCascade::new(&strategy, &world, 1.0);
            let mut plan = Plan::default();
            let mut pilots = Vec::new();
            for step in 0..3 {
                match step {
                    // The pilot abandons and cannot start again for now; school 1 may be a
                    // pocket.
                    1 => {
                        state.stage[0] = Stage::Abandoned;
                        state.pocket[1] = pocket_elsewhere;
                    }
                    // It may start again.
                    2 => state.stage[0] = Stage::Implementing,
                    _ => {}
                }
                plan.reset(n, 1.0);
                let view = TermView {
                    step,
                    budget: 1.0,
                    world: &world,
                    state: &state,
                    params: &params,
                    draws: &draws,
                };
                strategy.allocate(&view, &mut plan);
                pilots.push(plan.pilot.iter().filter(|&&p| p).count());
            }
            (pilots, plan.support[0])
        };
        let (pilots, support) = pilots_of_term_two(false);
        assert_eq!(pilots, [1, 0, 1], "a pilot, none, a pilot again");
        assert!(
            (support - 1.0).abs() < 1e-12,
            "the new pilot has the budget"
        );
        let (pilots, _) = pilots_of_term_two(true);
        assert_eq!(pilots, [1, 0, 0], "no new pilot while a pocket stands");
    }
}
