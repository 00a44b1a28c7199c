//! Seeding rules: which nodes are active at the start of a classic-model run.
//!
//! A seeding rule is to the classic models what a strategy is to the school model. Every rule of
//! run k sees the same network and the same random draws (common random numbers), so `compare`
//! can pair them run by run.

use crate::network::{stats, Network};
use crate::rng::{Draws, Purpose};
use crate::scenario::{SeedRule, SeedingConfig};
use rand::seq::index;

/// Number of seeds a rule asks for in a network of `n` nodes: `count`, or `share` of the nodes
/// rounded (at least one unless the share is 0), never more than `n`.
pub(crate) fn seed_count(cfg: &SeedingConfig, n: usize) -> usize {
    let k = if cfg.count > 0 {
        cfg.count as usize
    } else if cfg.share > 0.0 {
        ((cfg.share * n as f64).round() as usize).max(1)
    } else {
        0
    };
    k.min(n)
}

/// The `k` nodes ranked highest by `score`, ties broken by the lower index.
fn top_k(score: &[f64], k: usize) -> Vec<u32> {
    let mut order: Vec<u32> = (0..score.len() as u32).collect();
    order.sort_by(|&a, &b| {
        score[b as usize]
            .total_cmp(&score[a as usize])
            .then(a.cmp(&b))
    });
    order.truncate(k);
    order
}

/// The seeds of rule `cfg` in `net` for a run with draws `draws`, sorted and distinct.
/// `centrality` is computed on demand and cached by the caller across rules of one run.
pub fn choose(
    cfg: &SeedingConfig,
    net: &Network,
    draws: &Draws,
    centrality: &mut Option<Vec<f64>>,
) -> Vec<u32> {
    let n = net.schools();
    let k = seed_count(cfg, n);
    let mut seeds: Vec<u32> = match cfg.rule {
        SeedRule::Random => {
            let mut rng = draws.rng(Purpose::Seeding);
            index::sample(&mut rng, n, k)
                .into_iter()
                .map(|i| i as u32)
                .collect()
        }
        SeedRule::List => cfg.nodes.clone(),
        SeedRule::Degree => {
            let degree: Vec<f64> = (0..n).map(|i| net.degree(i) as f64).collect();
            top_k(&degree, k)
        }
        SeedRule::Centrality => {
            let c = centrality.get_or_insert_with(|| stats::eigenvector_centrality(net));
            top_k(c, k)
        }
        SeedRule::Neighbourhood => {
            if n == 0 {
                Vec::new()
            } else {
                let centre = (draws.unit(Purpose::Seeding, 0) * n as f64) as u32;
                let centre = centre.min(n as u32 - 1);
                let mut s = net.neighbours(centre as usize).to_vec();
                s.push(centre);
                s
            }
        }
    };
    seeds.sort_unstable();
    seeds.dedup();
    seeds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Edge;
    use crate::rng::RunSeeds;

    fn star_plus_path() -> Network {
        // 0 is a hub tied to 1..=4; 5-6-7 is a path.
        let mut e: Vec<Edge> = (1..=4)
            .map(|b| Edge {
                a: 0,
                b,
                weight: 1.0,
            })
            .collect();
        e.push(Edge {
            a: 5,
            b: 6,
            weight: 1.0,
        });
        e.push(Edge {
            a: 6,
            b: 7,
            weight: 1.0,
        });
        Network::from_edges(8, e)
    }

    fn rule(rule: SeedRule, count: u32) -> SeedingConfig {
        SeedingConfig {
            name: "x".into(),
            rule,
            count,
            ..SeedingConfig::default()
        }
    }

    #[test]
    fn counts_follow_count_then_share() {
        let mut c = rule(SeedRule::Random, 0);
        c.share = 0.01;
        assert_eq!(seed_count(&c, 1000), 10);
        assert_eq!(
            seed_count(&c, 10),
            1,
            "a positive share seeds at least one node"
        );
        c.share = 0.0;
        assert_eq!(seed_count(&c, 1000), 0);
        c.count = 5000;
        assert_eq!(seed_count(&c, 1000), 1000);
    }

    #[test]
    fn degree_centrality_and_neighbourhood_pick_the_right_nodes() {
        let net = star_plus_path();
        let d = RunSeeds::new(1, 0).draws();
        let mut cache = None;
        assert_eq!(
            choose(&rule(SeedRule::Degree, 2), &net, &d, &mut cache),
            vec![0, 6]
        );
        assert_eq!(
            choose(&rule(SeedRule::Centrality, 1), &net, &d, &mut cache),
            vec![0]
        );
        let hood = choose(&rule(SeedRule::Neighbourhood, 0), &net, &d, &mut cache);
        let centre_ok = hood == vec![0, 1, 2, 3, 4]
            || hood == vec![5, 6]
            || hood == vec![5, 6, 7]
            || hood == vec![6, 7]
            || (hood.len() == 2 && hood.contains(&0));
        assert!(centre_ok, "{hood:?}");
    }

    #[test]
    fn random_seeds_are_distinct_and_the_same_for_the_same_run() {
        let net = star_plus_path();
        let d = RunSeeds::new(1, 0).draws();
        let c = rule(SeedRule::Random, 4);
        let a = choose(&c, &net, &d, &mut None);
        assert_eq!(a.len(), 4);
        assert_eq!(a, choose(&c, &net, &d, &mut None));
        let other: Vec<Vec<u32>> = (1..20)
            .map(|k| choose(&c, &net, &RunSeeds::new(1, k).draws(), &mut None))
            .collect();
        assert!(other.iter().any(|o| *o != a), "other runs draw other seeds");
    }
}
