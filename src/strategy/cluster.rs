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
    /// Tie weight between regions, as adjacency lists: memory grows with the ties that cross
    /// regions, never with the square of the number of regions.
    region_ties: Vec<Vec<(u32, f64)>>,
    /// Tie weight from each region to the regions done so far.
    ties_to_done: Vec<f64>,
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
        let region = &world.schools.region;
        let mut crossing: Vec<(u32, u32, f64)> = world
            .network
            .edges()
            .filter_map(|e| {
                let (a, b) = (region[e.a as usize], region[e.b as usize]);
                (a != b).then(|| (a.min(b), a.max(b), e.weight as f64))
            })
            .collect();
        // Summed in (region, region, school order), so the sums do not depend on hashing.
        crossing.sort_by_key(|x| (x.0, x.1));
        let mut region_ties = vec![Vec::new(); r];
        for group in crossing.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
            let (a, b) = (group[0].0, group[0].1);
            let w: f64 = group.iter().map(|g| g.2).sum();
            region_ties[a as usize].push((b, w));
            region_ties[b as usize].push((a, w));
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
            region_ties,
            ties_to_done: vec![0.0; r],
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

    fn mark_done(&mut self, region: usize) {
        self.done[region] = true;
        for &(other, w) in &self.region_ties[region] {
            self.ties_to_done[other as usize] += w;
        }
    }

    fn next_region(&self) -> Option<u32> {
        let r = self.members.len();
        let mut best: Option<(f64, f64, usize)> = None;
        for cand in (0..r).filter(|&c| !self.done[c] && !self.members[c].is_empty()) {
            let tie = self.ties_to_done[cand];
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
    fn prepare(&mut self, view: &TermView, plan: &mut Plan) {
        if !self.started {
            self.started = true;
            self.current = self.next_region();
        }
        while let Some(r) = self.current {
            if !self.is_done(view, r as usize) {
                break;
            }
            self.mark_done(r as usize);
            self.current = self.next_region();
        }
        let Some(region) = self.current else { return };
        if view.params.hub && self.hub_spend > 0.0 {
            plan.fund_hub(Hub {
                region,
                spend: self.hub_spend.min(view.budget),
            });
        }
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
