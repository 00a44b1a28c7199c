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
