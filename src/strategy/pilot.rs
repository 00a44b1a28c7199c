//! Pilot-then-cascade: concentrate the whole budget on a few pilots until they are pockets of
//! excellence, then support waves of schools tied to pockets (Sutton & Rao's domino chain and the
//! Wyeth "minitransformations", seed 000).

use super::cohort::{Cohort, Flow};
use super::{Plan, Strategy, TermView};
use crate::model::World;
use crate::scenario::StrategyConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Choose pilots this term.
    Start,
    /// Pilots get the whole budget until they are all pockets or the period ends at this term.
    Pilot { ends: u32 },
    /// Waves to schools tied to pockets.
    Waves,
}

/// See the module docs. Per term: O(cohort) for top-ups plus one scan of the targeting order.
#[derive(Debug, Clone)]
pub struct PilotThenCascade {
    cohort: Cohort,
    phase: Phase,
    pilots: u32,
    pilot_terms: u32,
    waves: bool,
}

impl PilotThenCascade {
    /// A pilot-then-cascade strategy for `world`.
    pub fn new(cfg: &StrategyConfig, world: &World) -> Self {
        Self {
            cohort: Cohort::new(world.len(), cfg),
            phase: Phase::Start,
            pilots: cfg.pilots.min(world.len() as u32),
            pilot_terms: cfg.pilot_terms,
            waves: cfg.waves,
        }
    }

    fn start_pilots(&mut self, view: &TermView, plan: &mut Plan) {
        let share = view.budget / self.pilots as f64;
        let mut chosen = 0;
        let pilots = self.pilots;
        self.cohort.scan(view, |cohort, i| {
            if chosen >= pilots {
                return Flow::Stop;
            }
            if !cohort.available(i) {
                return Flow::Continue;
            }
            if view.implementing(i) {
                plan.give(i, share);
            } else if view.state.can_start(view.world, i) && view.accepts(i) {
                if !plan.recruit(i, share.min(plan.remaining())) {
                    return Flow::Stop;
                }
            } else {
                return Flow::Continue;
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
    fn allocate(&mut self, view: &TermView, plan: &mut Plan) {
        self.cohort.prune(view);
        if let Phase::Pilot { ends } = self.phase {
            let active = self.cohort.members().len();
            if view.step >= ends || active == 0 || self.cohort.all_pockets(view) {
                self.phase = Phase::Waves;
            } else {
                // The whole budget, split over the pilots still implementing.
                let share = view.budget / active as f64;
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
        let mut added = 0;
        if self.waves && self.cohort.pace_allows(view) {
            let ties = &view.state.pocket_ties;
            added = self.cohort.grow(view, plan, |i| ties[i] > 0.0);
        }
        // The cascade died out (no one supported, no one added, no pocket left anywhere to build
        // on): pilot again next term. While a pocket stands, the strategy waits for peers.
        if self.cohort.members().is_empty() && added == 0 && !view.state.pocket.contains(&true) {
            self.phase = Phase::Start;
        }
    }
}
