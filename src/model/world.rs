//! The world of one run: network, schools, and the per-school factors derived from them.
//! Built once per run and shared, read-only, by every strategy (common random numbers).

use crate::network::generate::generate;
use crate::network::{stats, Network};
use crate::rng::RunSeeds;
use crate::scenario::{Scenario, Targeting};
use crate::school::Population;
use rand::Rng;
use std::sync::OnceLock;

/// Everything fixed during a run.
#[derive(Debug, Clone)]
pub struct World {
    /// The ties between schools.
    pub network: Network,
    /// School attributes.
    pub schools: Population,
    /// `(size / schools.size_median) ^ resistance_exponent`: the configured median is the size at
    /// which resistance and influence are 1, also for schools read from a node table.
    pub resistance: Vec<f64>,
    /// `(size / schools.size_median) ^ influence_exponent`.
    pub influence: Vec<f64>,
    /// `1 / (size / schools.size_median) ^ dose_exponent`: multiplies the dose a school feels.
    pub dose_scale: Vec<f64>,
    /// Sum of tie weights to schools in the same region (hub know-how is shared by this).
    pub region_strength: Vec<f64>,
    /// A uniform number per school, drawn per run, for random targeting.
    pub random_score: Vec<f64>,
    /// Eigenvector centrality, computed only when a strategy targets by centrality.
    pub centrality: Option<Vec<f64>>,
    /// `region_members[region_start[r]..region_start[r + 1]]`: the schools of region r, in index
    /// order.
    region_start: Vec<u32>,
    region_members: Vec<u32>,
    /// Each targeting rule's ranking of the schools, built on first use.
    rankings: [OnceLock<Ranking>; 4],
}

impl World {
    /// Builds run `run`'s world. Regions come first (node table or contiguous blocks), then school
    /// attributes (which depend on region), then the network (the regional generator uses context).
    pub fn build(scenario: &Scenario, seeds: &RunSeeds) -> Self {
        let cfg = &scenario.config;
        let mut rng = seeds.world_rng();
        let n = scenario.schools();
        let table = scenario.files.as_ref().and_then(|f| f.nodes.as_ref());
        let (region, n_regions) = crate::school::regions(scenario);
        let schools = Population::sample(
            &cfg.schools,
            &scenario.laws,
            region,
            n_regions,
            table,
            &mut rng,
        );
        let network = match &scenario.files {
            Some(files) => Network::from_edges(n, files.edges.edges.clone()),
            None => generate(&cfg.network, &schools.context, &mut rng),
        };
        let random_score = (0..n).map(|_| rng.random::<f64>()).collect();
        let needs_centrality = cfg
            .strategies
            .iter()
            .any(|s| s.targeting == Targeting::Centrality);
        let centrality = needs_centrality.then(|| stats::eigenvector_centrality(&network));
        Self::derive(network, schools, cfg, random_score, centrality)
    }

    /// A world from a given network and schools, for small hand-made fixtures (tests, teaching):
    /// the size factors come from `cfg`, random targeting scores are all zero and centrality is
    /// not computed.
    ///
    /// # Panics
    ///
    /// If `network` and `schools` do not have the same number of schools.
    pub fn from_parts(
        network: Network,
        schools: Population,
        cfg: &crate::scenario::ScenarioConfig,
    ) -> Self {
        let n = schools.len();
        assert_eq!(
            network.schools(),
            n,
            "World::from_parts: the network and the schools must have one entry per school"
        );
        Self::derive(network, schools, cfg, vec![0.0; n], None)
    }

    fn derive(
        network: Network,
        schools: Population,
        cfg: &crate::scenario::ScenarioConfig,
        random_score: Vec<f64>,
        centrality: Option<Vec<f64>>,
    ) -> Self {
        let size = &cfg.mechanisms.size;
        let rel: Vec<f64> = schools
            .size
            .iter()
            .map(|s| s / cfg.schools.size_median)
            .collect();
        let pow = |e: f64| -> Vec<f64> {
            match e {
                0.0 => vec![1.0; rel.len()],
                1.0 => rel.clone(),
                0.5 => rel.iter().map(|r| r.sqrt()).collect(),
                _ => rel.iter().map(|&r| libm::pow(r, e)).collect(),
            }
        };
        let region_strength = (0..network.schools())
            .map(|i| {
                network
                    .neighbours(i)
                    .iter()
                    .zip(network.weights(i))
                    .filter(|(&j, _)| schools.region[j as usize] == schools.region[i])
                    .map(|(_, &w)| w as f64)
                    .sum()
            })
            .collect();
        let (region_start, region_members) = group_by_region(&schools.region, schools.n_regions);
        Self {
            region_start,
            region_members,
            resistance: pow(size.resistance_exponent),
            influence: pow(size.influence_exponent),
            dose_scale: pow(-size.dose_exponent),
            region_strength,
            random_score,
            centrality,
            network,
            schools,
            rankings: Default::default(),
        }
    }

    /// Number of schools.
    pub fn len(&self) -> usize {
        self.schools.len()
    }

    /// True when there are no schools.
    pub fn is_empty(&self) -> bool {
        self.schools.is_empty()
    }

    /// The schools of region `r`, in index order.
    pub fn members(&self, r: usize) -> &[u32] {
        &self.region_members[self.region_start[r] as usize..self.region_start[r + 1] as usize]
    }

    /// The score a targeting rule ranks school `i` by (higher first).
    #[inline]
    pub(crate) fn target_score(&self, rule: Targeting, i: usize) -> f64 {
        match rule {
            Targeting::Need => self.schools.need[i],
            Targeting::Readiness => self.schools.readiness[i],
            Targeting::Random => self.random_score[i],
            Targeting::Centrality => self.centrality.as_ref().map_or(0.0, |c| c[i]),
        }
    }

    /// All schools in targeting order: highest score first, equal scores by index. O(n log n) on
    /// first use per rule, then free.
    pub fn order(&self, rule: Targeting) -> &[u32] {
        &self.ranking(rule).order
    }

    /// The targeting order of `rule` with each rank's score and region beside it. O(n log n) on
    /// first use per rule, then free.
    pub(crate) fn ranking(&self, rule: Targeting) -> &Ranking {
        let slot = match rule {
            Targeting::Need => 0,
            Targeting::Readiness => 1,
            Targeting::Centrality => 2,
            Targeting::Random => 3,
        };
        self.rankings[slot].get_or_init(|| {
            let order = descending((0..self.len()).map(|i| self.target_score(rule, i)));
            let score = order
                .iter()
                .map(|&i| self.target_score(rule, i as usize))
                .collect();
            let region = order
                .iter()
                .map(|&i| self.schools.region[i as usize])
                .collect();
            Ranking {
                order,
                score,
                region,
            }
        })
    }
}

/// The schools of each region as one array (a counting sort by region, so each region's schools
/// stay in index order) and where each region starts in it, with a final end.
fn group_by_region(region: &[u32], n_regions: usize) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n_regions + 1];
    for &r in region {
        start[r as usize + 1] += 1;
    }
    for r in 0..n_regions {
        start[r + 1] += start[r];
    }
    let mut fill = start.clone();
    let mut members = vec![0u32; region.len()];
    for (i, &r) in region.iter().enumerate() {
        members[fill[r as usize] as usize] = i as u32;
        fill[r as usize] += 1;
    }
    (start, members)
}

/// The schools in one targeting rule's order, with each rank's score and region stored beside
/// it: a strategy's scan of the order reads three arrays front to back instead of jumping to each
/// school's row. At 1,500,000 schools those jumps were most of the cluster strategy's cost, whose
/// scan passes over every school outside its open regions each term.
#[derive(Debug, Clone)]
pub(crate) struct Ranking {
    /// School indices, highest score first, equal scores by index.
    pub order: Vec<u32>,
    /// `score[k]` is the score of school `order[k]`.
    pub score: Vec<f64>,
    /// `region[k]` is the region of school `order[k]`.
    pub region: Vec<u32>,
}

/// School indices by score, highest first, equal scores by index. `-0` and `0` are equal (a node
/// table may write `-0`): raw bit patterns would put `-0` above every positive score.
fn descending(scores: impl Iterator<Item = f64>) -> Vec<u32> {
    let mut keyed: Vec<(f64, u32)> = scores.zip(0u32..).map(|(v, i)| (v + 0.0, i)).collect();
    keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ScenarioConfig;

    #[test]
    fn minus_zero_ranks_as_zero() {
        let order = descending([0.0, -0.0, 0.5, 0.2].into_iter());
        assert_eq!(order, vec![2, 3, 0, 1]);
        // Equal, so by index: a `-0` first stays first.
        assert_eq!(descending([-0.0, 0.0].into_iter()), vec![0, 1]);
    }

    /// Each targeting rule's order ranks schools by that rule's score, highest first and equal
    /// scores by index; the ranking keeps each rank's score and region beside it.
    /// A mismatch was an index out of bounds somewhere in `derive` or later (§5).
    #[test]
    #[should_panic(expected = "one entry per school")]
    fn from_parts_refuses_a_network_of_another_size() {
        let pop = crate::school::Population::identical(3);
        World::from_parts(
            Network::from_edges(4, Vec::new()),
            pop,
            &ScenarioConfig::default(),
        );
    }

    #[test]
    fn a_targeting_order_ranks_schools_by_the_rule_s_score() {
        let mut pop = crate::school::Population::identical(4);
        pop.need = vec![0.2, 0.9, 0.2, 0.5];
        pop.readiness = vec![0.3, 0.1, 0.8, 0.3];
        pop.region = vec![0, 1, 1, 0];
        pop.n_regions = 2;
        let cfg = ScenarioConfig::default();
        let world = World::from_parts(Network::from_edges(4, Vec::new()), pop, &cfg);
        assert_eq!(world.order(Targeting::Need), [1, 3, 0, 2]);
        assert_eq!(world.order(Targeting::Readiness), [2, 0, 3, 1]);
        let ranking = world.ranking(Targeting::Need);
        assert_eq!(ranking.score, [0.9, 0.5, 0.2, 0.2]);
        assert_eq!(ranking.region, [1, 0, 0, 1]);
    }

    #[test]
    fn size_factors_are_one_at_the_median_and_follow_their_exponents() {
        let mut cfg = ScenarioConfig::default();
        let size = &mut cfg.mechanisms.size;
        (
            size.resistance_exponent,
            size.influence_exponent,
            size.dose_exponent,
        ) = (0.5, 1.0, 2.0);
        let median = cfg.schools.size_median;
        let mut pop = crate::school::Population::identical(2);
        pop.size = vec![median, 4.0 * median];
        let world = World::from_parts(Network::from_edges(2, Vec::new()), pop, &cfg);
        assert_eq!(world.resistance, [1.0, 2.0]);
        assert_eq!(world.influence, [1.0, 4.0]);
        assert_eq!(world.dose_scale, [1.0, 1.0 / 16.0]);
        assert!(!world.is_empty());
        let none = crate::school::Population::identical(0);
        let empty = World::from_parts(Network::from_edges(0, Vec::new()), none, &cfg);
        assert!(empty.is_empty());
    }

    #[test]
    fn centrality_is_computed_only_when_a_strategy_targets_by_it() {
        let world = |targeting: &str| {
            let toml = format!(
                "[network]\nschools = 30\nregions = 2\n[[strategies]]\nname = \"cluster\"\n\
                 targeting = \"{targeting}\"\n"
            );
            let scn = Scenario::from_toml(&toml, None).unwrap();
            World::build(&scn, &RunSeeds::new(1, 0))
        };
        assert!(world("centrality").centrality.is_some());
        assert!(world("need").centrality.is_none());
    }
}
