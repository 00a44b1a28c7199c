//! Cluster: region by region, with a hub that coordinates each region worked on (Porter's
//! clusters as Horn applies them to blended learning, seed 004; Bryk's improvement hubs, seed 003).
//! Several regions are open at once when one region cannot absorb the term's budget.

use super::cohort::{Cohort, GrowEnd};
use super::{fund_coaches, Plan, Strategy, TermView};
use crate::model::{Hub, Stage, World};
use crate::scenario::{StrategyConfig, StrategyKind, Targeting};

/// Builds a cluster strategy (the registry's constructor).
pub fn build(cfg: &StrategyConfig, world: &World, budget: f64) -> Box<dyn Strategy> {
    Box::new(Cluster::new(cfg, world, budget))
}

/// See the module docs. The first region is the one with the best mean targeting score. A region
/// opens when no region is open, or when the open regions cannot absorb the term's budget (the
/// scan of their schools ends with money left and no one left to fund at the effective dose);
/// at most `max_regions` are open at once (0: no limit). The next region is the one with the most
/// tie weight to the regions opened so far, done or not (ties: better score, then lower index).
/// A region is done when `region_done_share` of its schools are sustained or none is eligible.
///
/// The hub share of the budget is split evenly over the open regions' hubs rather than paid per
/// region: the knob keeps its meaning (the share of the budget that goes to coordination), and
/// opening a region never takes money from the schools already supported. A region opened during
/// a term's allocation gets its hub from the next term (hubs are funded before the fields).
/// Schools stay supported until sustained or abandoned, even after their region is done.
#[derive(Debug, Clone)]
pub struct Cluster {
    cohort: Cohort,
    /// Tie weight between regions, as adjacency lists: memory grows with the ties that cross
    /// regions, never with the square of the number of regions.
    region_ties: Vec<Vec<(u32, f64)>>,
    /// Tie weight from each region to the regions opened so far.
    ties_to_taken: Vec<f64>,
    region_score: Vec<f64>,
    /// Opened at some point (open now or done).
    taken: Vec<bool>,
    /// Open now, indexed by region (the filter of the scan).
    is_open: Vec<bool>,
    /// Open regions, in the order they opened.
    open: Vec<u32>,
    max_regions: usize,
    hub_spend: f64,
    coach_spend: f64,
    done_share: f64,
}

impl Cluster {
    /// A cluster strategy for `world` with `budget` SU per term.
    pub fn new(cfg: &StrategyConfig, world: &World, budget: f64) -> Self {
        let r = world.schools.n_regions;
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
        let region_score = (0..r)
            .map(|region| {
                let m = world.members(region);
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
            region_ties,
            ties_to_taken: vec![0.0; r],
            region_score,
            taken: vec![false; r],
            is_open: vec![false; r],
            open: Vec::with_capacity(r),
            max_regions: if cfg.max_regions == 0 {
                usize::MAX
            } else {
                cfg.max_regions as usize
            },
            hub_spend: cfg.hub_share * budget,
            coach_spend: super::coach_share(cfg, StrategyKind::Cluster) * budget,
            done_share: cfg.region_done_share,
        }
    }

    fn is_done(&self, view: &TermView, region: usize) -> bool {
        let m = view.world.members(region);
        let mut sustained = 0usize;
        let mut eligible = false;
        for &i in m {
            let i = i as usize;
            sustained += (view.state.stage[i] == Stage::Sustained) as usize;
            eligible |= view.state.eligible(view.world, i);
        }
        sustained as f64 >= self.done_share * m.len() as f64 || !eligible
    }

    /// Opens the next region, if any is left and the limit allows; returns whether one opened.
    fn open_next(&mut self, world: &World) -> bool {
        if self.open.len() >= self.max_regions {
            return false;
        }
        let Some(region) = self.next_region(world) else {
            return false;
        };
        let region = region as usize;
        self.taken[region] = true;
        self.is_open[region] = true;
        self.open.push(region as u32);
        for &(other, w) in &self.region_ties[region] {
            self.ties_to_taken[other as usize] += w;
        }
        true
    }

    /// Closes the open regions that are done, keeping the others in their order.
    fn close_done(&mut self, view: &TermView) {
        let mut k = 0;
        while k < self.open.len() {
            let region = self.open[k] as usize;
            if self.is_done(view, region) {
                self.is_open[region] = false;
                self.open.remove(k);
            } else {
                k += 1;
            }
        }
    }

    fn next_region(&self, world: &World) -> Option<u32> {
        let r = self.taken.len();
        let mut best: Option<(f64, f64, usize)> = None;
        for cand in (0..r).filter(|&c| !self.taken[c] && !world.members(c).is_empty()) {
            let tie = self.ties_to_taken[cand];
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
        self.close_done(view);
        // A region that opens already done (nothing eligible) closes at once; the loop ends
        // because every region opens at most once.
        while self.open.is_empty() && self.open_next(view.world) {
            self.close_done(view);
        }
        if view.params.hub && self.hub_spend > 0.0 && !self.open.is_empty() {
            let each = self.hub_spend.min(view.budget) / self.open.len() as f64;
            for &region in &self.open {
                plan.fund_hub(Hub {
                    region,
                    spend: each,
                });
            }
        }
        fund_coaches(view, plan, self.coach_spend);
    }

    fn allocate(&mut self, view: &TermView, plan: &mut Plan) {
        self.cohort.prune(view, plan);
        self.cohort.fund(view, plan);
        if self.open.is_empty() {
            return;
        }
        let pace = self.cohort.pace(view);
        if !pace.wave_proven() {
            // Proven pace, wave not proven yet: no new region opens; in the open ones only
            // schools tied to a pocket join, and the rest deepens the waiting members' support.
            let is_open = &self.is_open;
            self.cohort
                .grow(view, plan, |i, r| is_open[r as usize] && pace.allows(i));
            self.cohort.deepen(view, plan);
            return;
        }
        loop {
            let is_open = &self.is_open;
            let end = self.cohort.grow(view, plan, |_, r| is_open[r as usize]);
            if end != GrowEnd::Exhausted || plan.remaining() <= 0.0 {
                break;
            }
            // Money left and no one left to fund in the open regions: open, in order, as many
            // regions as the rest of the budget could fund (at least one: money is left), each
            // school at its full-dose cost, an upper bound of what it will be paid, so that one
            // more scan of the targeting order serves them all. One region per scan made a term
            // cost O(regions opened x schools): 85 CPU-s for one term at 1,000,000 schools in
            // 20,000 regions (benches/perf.toml, regions-20k).
            let mut room = plan.remaining();
            let mut opened = false;
            while room > 0.0 && self.open_next(view.world) {
                opened = true;
                if let Some(&r) = self.open.last() {
                    let members = view.world.members(r as usize);
                    room -= members
                        .iter()
                        .map(|&i| view.full_dose_cost(i as usize))
                        .sum::<f64>();
                }
            }
            if !opened {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Params, State};
    use crate::network::Network;
    use crate::rng::RunSeeds;
    use crate::scenario::ScenarioConfig;
    use crate::school::Population;
    use Stage::{Abandoned, Implementing, NotAdopted, Sustained};

    /// Runs a cluster strategy on four schools in two regions, 0 and 1 in region 0 (the readier,
    /// so it opens first), 2 and 3 in region 1, with the schools' stages set by hand before each
    /// term; returns the regions that get a hub at each term, i.e. the regions open then.
    fn hubs_by_term(max_regions: u32, budget: f64, stages: &[[Stage; 4]]) -> Vec<Vec<u32>> {
        let cfg = ScenarioConfig::default();
        let n = 4;
        let mut pop = Population::identical(n);
        pop.region = vec![0, 0, 1, 1];
        pop.n_regions = 2;
        pop.readiness = vec![0.9, 0.9, 0.3, 0.3];
        let world = World::from_parts(Network::from_edges(n, Vec::new()), pop, &cfg);
        let strategy = StrategyConfig {
            max_regions,
            region_done_share: 0.5,
            ..StrategyConfig::default()
        };
        let params = Params::new(&cfg, &strategy);
        assert!(params.hub);
        let draws = RunSeeds::new(1, 0).draws();
        let mut state = State::default();
        state.reset(&world, &params);
        let mut cluster = Cluster::new(&strategy, &world, budget);
        let mut plan = Plan::default();
        let mut hubs = Vec::new();
        for (step, stages) in stages.iter().enumerate() {
            state.stage = stages.to_vec();
            plan.reset(n, budget);
            let view = TermView {
                step: step as u32,
                budget,
                world: &world,
                state: &state,
                params: &params,
                draws: &draws,
            };
            cluster.prepare(&view, &mut plan);
            hubs.push(plan.hubs.iter().map(|h| h.region).collect());
            cluster.allocate(&view, &mut plan);
        }
        hubs
    }

    /// A region is done, and gives way to the next, once `region_done_share` of its schools are
    /// sustained (the share reached exactly counts), even while others in it could still start;
    /// and once none of its schools is eligible, even with none sustained. One region open at a
    /// time, so the hub shows which one is open.
    #[test]
    fn a_region_is_done_at_its_sustained_share_or_when_none_is_eligible() {
        // Half of region 0 sustained, the other half still able to start: done at 0.5.
        let half_sustained = hubs_by_term(
            1,
            1.0,
            &[
                [Implementing, NotAdopted, NotAdopted, NotAdopted],
                [Sustained, NotAdopted, NotAdopted, NotAdopted],
            ],
        );
        assert_eq!(
            half_sustained,
            [vec![0], vec![1]],
            "region 0, then region 1"
        );
        // Below the share (none sustained, both still eligible): region 0 stays open.
        let below = hubs_by_term(
            1,
            1.0,
            &[
                [Implementing, NotAdopted, NotAdopted, NotAdopted],
                [Implementing, Implementing, NotAdopted, NotAdopted],
            ],
        );
        assert_eq!(below, [vec![0], vec![0]], "region 0 stays open");
        // Both abandoned and cooling down (4 terms): none eligible, none sustained: done.
        let none_eligible = hubs_by_term(
            1,
            1.0,
            &[
                [Implementing, Implementing, NotAdopted, NotAdopted],
                [Abandoned, Abandoned, NotAdopted, NotAdopted],
            ],
        );
        assert_eq!(none_eligible, [vec![0], vec![1]], "region 0, then region 1");
    }

    /// With several regions open, a done region closes wherever it stands in the opening order,
    /// and the others stay open: here the budget is more than region 0 absorbs, so region 1
    /// opens too, and it is the one that is done next term.
    #[test]
    fn a_done_region_closes_behind_one_still_open() {
        let hubs = hubs_by_term(
            0,
            1000.0,
            &[
                [NotAdopted; 4],
                [Implementing, Implementing, Sustained, Sustained],
            ],
        );
        // Region 1 opened during term 0's allocation: its hub comes from term 1, if still open.
        assert_eq!(hubs, [vec![0], vec![0]], "region 1 closed, region 0 kept");
        let both_open = hubs_by_term(
            0,
            1000.0,
            &[
                [NotAdopted; 4],
                [Implementing, Implementing, Implementing, NotAdopted],
            ],
        );
        assert_eq!(both_open, [vec![0], vec![0, 1]], "both regions open");
    }
}
