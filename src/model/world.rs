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
    /// School indices sorted by each targeting rule's score (highest first), built on first use.
    orders: [OnceLock<Vec<u32>>; 4],
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
    pub fn from_parts(
        network: Network,
        schools: Population,
        cfg: &crate::scenario::ScenarioConfig,
    ) -> Self {
        let n = schools.len();
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
        Self {
            resistance: pow(size.resistance_exponent),
            influence: pow(size.influence_exponent),
            dose_scale: pow(-size.dose_exponent),
            region_strength,
            random_score,
            centrality,
            network,
            schools,
            orders: Default::default(),
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
        let slot = match rule {
            Targeting::Need => 0,
            Targeting::Readiness => 1,
            Targeting::Centrality => 2,
            Targeting::Random => 3,
        };
        self.orders[slot]
            .get_or_init(|| descending((0..self.len()).map(|i| self.target_score(rule, i))))
    }
}

/// School indices by score, highest first, equal scores by index. `-0` and `0` are equal (a node
/// table may write `-0`): raw bit patterns would put `-0` above every positive score.
fn descending(scores: impl Iterator<Item = f64>) -> Vec<u32> {
    let mut keyed: Vec<(f64, u32)> = scores.zip(0u32..).map(|(v, i)| (v + 0.0, i)).collect();
    keyed.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod order_tests {
    #[test]
    fn minus_zero_ranks_as_zero() {
        let order = super::descending([0.0, -0.0, 0.5, 0.2].into_iter());
        assert_eq!(order, vec![2, 3, 0, 1]);
    }
}
