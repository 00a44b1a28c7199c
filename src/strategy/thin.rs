//! Thin-spread: the term's budget split evenly over every eligible school ("a thin coat of
//! something good spread everywhere", Sutton & Rao via seed 000).

use super::{fund_coaches, Plan, Strategy, TermView};
use crate::model::{Stage, World};
use crate::scenario::{StrategyConfig, StrategyKind};

/// Builds a thin-spread strategy (the registry's constructor).
pub fn build(cfg: &StrategyConfig, world: &World, budget: f64) -> Box<dyn Strategy> {
    Box::new(ThinSpread::new(cfg, world, budget))
}

/// Splits the budget evenly over all eligible schools: implementing schools receive their share
/// now; schools that can start are offered a place ([`TermView::offer`]): recruited under a
/// mandate, recruited if they accept under opt-in, and their share is held this term either way.
/// O(n) per term.
#[derive(Debug, Clone)]
pub struct ThinSpread {
    takers: Vec<u32>,
    coach_spend: f64,
}

impl ThinSpread {
    /// A thin-spread strategy for `world` with `budget` SU per term.
    pub fn new(cfg: &StrategyConfig, world: &World, budget: f64) -> Self {
        Self {
            takers: Vec::with_capacity(world.len()),
            coach_spend: super::coach_share(cfg, StrategyKind::ThinSpread) * budget,
        }
    }
}

impl Strategy for ThinSpread {
    fn prepare(&mut self, view: &TermView, plan: &mut Plan) {
        fund_coaches(view, plan, self.coach_spend);
    }

    fn allocate(&mut self, view: &TermView, plan: &mut Plan) {
        let s = view.state;
        self.takers.clear();
        for i in 0..view.world.len() {
            let take = match s.stage[i] {
                Stage::Implementing => true,
                _ => s.can_start(view.world, i),
            };
            if take {
                self.takers.push(i as u32);
            }
        }
        if self.takers.is_empty() {
            return;
        }
        let share = plan.remaining() / self.takers.len() as f64;
        for &i in &self.takers {
            let i = i as usize;
            if s.stage[i] == Stage::Implementing {
                plan.give(i, share);
            } else {
                view.offer(plan, i, share.min(plan.remaining()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Params, State};
    use crate::network::{Edge, Network};
    use crate::rng::RunSeeds;
    use crate::scenario::ScenarioConfig;
    use crate::school::Population;

    /// Thin-spread pays no coach by default (its kind's coach share is 0), and with a coach share
    /// set it pays that share of the budget to a pocket that has a neighbour to coach.
    #[test]
    fn thin_spread_pays_its_coach_share_to_pockets() {
        let cfg = ScenarioConfig::default();
        let n = 2;
        let edges = vec![Edge {
            a: 0,
            b: 1,
            weight: 0.5,
        }];
        let world = World::from_parts(
            Network::from_edges(n, edges),
            Population::identical(n),
            &cfg,
        );
        let budget = 2.0;
        let coach_paid = |coach_share: Option<f64>| {
            let strategy = StrategyConfig {
                coach_share,
                ..StrategyConfig::default()
            };
            let params = Params::new(&cfg, &strategy);
            assert!(params.coaching);
            let draws = RunSeeds::new(1, 0).draws();
            let mut state = State::default();
            state.reset(&world, &params);
            // School 0 is a pocket, school 1 implementing next to it.
            state.stage = vec![Stage::Sustained, Stage::Implementing];
            state.pocket[0] = true;
            let mut plan = Plan::default();
            plan.reset(n, budget);
            let view = TermView {
                step: 0,
                budget,
                world: &world,
                state: &state,
                params: &params,
                draws: &draws,
            };
            ThinSpread::new(&strategy, &world, budget).prepare(&view, &mut plan);
            plan.coach
        };
        assert_eq!(coach_paid(None), [0.0, 0.0]);
        assert_eq!(coach_paid(Some(0.25)), [0.25 * budget, 0.0]);
    }
}
