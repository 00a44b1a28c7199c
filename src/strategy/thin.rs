//! Thin-spread: the term's budget split evenly over every eligible school ("a thin coat of
//! something good spread everywhere", Sutton & Rao via seed 000).

use super::{Plan, Strategy, TermView};
use crate::model::{Stage, World};

/// Splits the budget evenly over all eligible schools: implementing schools receive their share
/// now; schools that can start are recruited (mandate) or recruited if they accept (opt-in), and
/// their share is held for them this term. O(n) per term.
#[derive(Debug, Clone)]
pub struct ThinSpread {
    takers: Vec<u32>,
}

impl ThinSpread {
    /// A thin-spread strategy for `world`.
    pub fn new(world: &World) -> Self {
        Self {
            takers: Vec::with_capacity(world.len()),
        }
    }
}

impl Strategy for ThinSpread {
    fn allocate(&mut self, view: &TermView, plan: &mut Plan) {
        let s = view.state;
        self.takers.clear();
        for i in 0..view.world.len() {
            let take = match s.stage[i] {
                Stage::Implementing => true,
                _ => s.can_start(view.world, i) && view.accepts(i),
            };
            if take {
                self.takers.push(i as u32);
            }
        }
        if self.takers.is_empty() {
            return;
        }
        let share = view.budget / self.takers.len() as f64;
        for &i in &self.takers {
            let i = i as usize;
            if s.stage[i] == Stage::Implementing {
                plan.give(i, share);
            } else {
                plan.recruit(i, share.min(plan.remaining()));
            }
        }
    }
}
