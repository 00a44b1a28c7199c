//! Cluster: one region at a time, with a hub that coordinates it (Porter's clusters as Horn applies
//! them to blended learning, seed 004; Bryk's improvement hubs, seed 003).

use super::cohort::Cohort;
use super::{Plan, Strategy, TermView};
use crate::model::{Hub, Stage, World};
use crate::scenario::{StrategyConfig, Targeting};

/// See the module docs. The first region is the one with the best mean targeting score; a region
/// is done when `region_done_share` of its schools are sustained or none is eligible; the next
/// region is the one with the most tie weight to the regions done (ties: better score, then
/// lower index). A share of the budget funds the current region's hub; the rest supports schools
/// in the region at the effective dose. Schools stay supported until sustained or abandoned, even
/// after their region is done.
#[derive(Debug, Clone)]
pub struct Cluster {
    cohort: Cohort,
    members: Vec<Vec<u32>>,
    ties: Vec<f64>,
    region_score: Vec<f64>,
    done: Vec<bool>,
    current: Option<u32>,
    started: bool,
    hub_spend: f64,
    done_share: f64,
}

impl Cluster {
    /// A cluster strategy for `world` with `budget` SU per term.
    pub fn new(cfg: &StrategyConfig, world: &World, budget: f64) -> Self {
        let r = world.schools.n_regions;
        let mut members = vec![Vec::new(); r];
        for (i, &reg) in world.schools.region.iter().enumerate() {
            members[reg as usize].push(i as u32);
        }
        let mut ties = vec![0.0; r * r];
        for e in world.network.edges() {
            let (a, b) = (
                world.schools.region[e.a as usize] as usize,
                world.schools.region[e.b as usize] as usize,
            );
            if a != b {
                ties[a * r + b] += e.weight as f64;
                ties[b * r + a] += e.weight as f64;
            }
        }
        let region_score = members
            .iter()
            .map(|m| {
                let sum: f64 = m
                    .iter()
                    .map(|&i| region_target(world, cfg.targeting, i))
                    .sum();
                if m.is_empty() {
                    f64::NEG_INFINITY
                } else {
                    sum / m.len() as f64
                }
            })
            .collect();
        Self {
            cohort: Cohort::new(world.len(), cfg),
            members,
            ties,
            region_score,
            done: vec![false; r],
            current: None,
            started: false,
            hub_spend: cfg.hub_share * budget,
            done_share: cfg.region_done_share,
        }
    }

    fn is_done(&self, view: &TermView, region: usize) -> bool {
        let m = &self.members[region];
        let mut sustained = 0usize;
        let mut eligible = false;
        for &i in m {
            let i = i as usize;
            sustained += (view.state.stage[i] == Stage::Sustained) as usize;
            eligible |= view.state.eligible(view.world, i);
        }
        sustained as f64 >= self.done_share * m.len() as f64 || !eligible
    }

    fn next_region(&self) -> Option<u32> {
        let r = self.members.len();
        let mut best: Option<(f64, f64, usize)> = None;
        for cand in (0..r).filter(|&c| !self.done[c] && !self.members[c].is_empty()) {
            let tie: f64 = (0..r)
                .filter(|&d| self.done[d])
                .map(|d| self.ties[cand * r + d])
                .sum();
            let key = (tie, self.region_score[cand], cand);
            let better = match best {
                None => true,
                Some((t, s, _)) => tie > t || (tie == t && self.region_score[cand] > s),
            };
            if better {
                best = Some(key);
            }
        }
        best.map(|(_, _, c)| c as u32)
    }
}

/// A school's contribution to its region's targeting score; random targeting ranks regions by the
/// mean of per-school random scores, i.e. at random.
fn region_target(world: &World, rule: Targeting, i: u32) -> f64 {
    world.target_score(rule, i as usize)
}

impl Strategy for Cluster {
    fn hub(&mut self, view: &TermView) -> Option<Hub> {
        if !self.started {
            self.started = true;
            self.current = self.next_region();
        }
        while let Some(r) = self.current {
            if !self.is_done(view, r as usize) {
                break;
            }
            self.done[r as usize] = true;
            self.current = self.next_region();
        }
        let region = self.current?;
        (view.params.hub && self.hub_spend > 0.0).then_some(Hub {
            region,
            spend: self.hub_spend.min(view.budget),
        })
    }

    fn allocate(&mut self, view: &TermView, plan: &mut Plan) {
        self.cohort.prune(view);
        self.cohort.fund(view, plan);
        let Some(region) = self.current else { return };
        if self.cohort.pace_allows(view) {
            let reg = &view.world.schools.region;
            self.cohort.grow(view, plan, |i| reg[i] == region);
        }
    }
}
