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
    use crate::scenario::{Pace, ScenarioConfig};
    use crate::school::Population;

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
        assert!((support - 1.0).abs() < 1e-12, "the new pilot has the budget");
        let (pilots, _) = pilots_of_term_two(true);
        assert_eq!(pilots, [1, 0, 0], "no new pilot while a pocket stands");
    }
}
