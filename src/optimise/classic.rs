//! Greedy seeds for the classic diffusion models: [`greedy_seeds`] chooses k seed nodes by CELF
//! ([`super::celf`]) on paired runs, the influence-maximisation greedy of Kempe, Kleinberg &
//! Tardos (2003) with the lazy evaluation of Leskovec et al. (2007).
//!
//! A set's value is its mean final active share over the runs `ks`, every set facing run k's
//! network, coins and thresholds (common random numbers), so the comparison between two sets is
//! paired. With `network.fixed = true` node i is the same node in every run, which is what makes
//! "which nodes" a question with one answer.

use super::celf::{celf, Selection, Until};
use crate::classic::ClassicMetric;
use crate::engine::{classic::ClassicModel, ensemble};
use crate::error::InputError;
use crate::scenario::{Scenario, SeedRule, SeedingConfig};

/// The mean final active share of each seed set in `sets` over the runs `ks` of `scenario` (a
/// classic model). Runs are simulated in parallel and folded in run order.
pub fn spread(scenario: &Scenario, sets: &[Vec<u32>], ks: &[u64]) -> Result<Vec<f64>, InputError> {
    let mut sc = scenario.clone();
    sc.config.seedings = sets
        .iter()
        .enumerate()
        .map(|(i, set)| SeedingConfig {
            name: format!("set-{i}"),
            rule: SeedRule::List,
            nodes: set.clone(),
            ..SeedingConfig::default()
        })
        .collect();
    let model = ClassicModel::new(&sc);
    let mut sums = vec![0.0; sets.len()];
    ensemble::each(&model, ks.iter().map(|&k| k as usize), &(), |_, per_arm| {
        for (sum, arm) in sums.iter_mut().zip(per_arm) {
            *sum += arm.summary.at(ClassicMetric::FinalShare as usize);
        }
    })?;
    Ok(sums.iter().map(|s| s / ks.len().max(1) as f64).collect())
}

/// Chooses `k` seeds of `scenario` (a classic model) among all its nodes by CELF on the runs
/// `ks`. O(nodes + re-evaluations) set evaluations of `ks.len()` runs each. Fails as
/// [`crate::engine::Model::run`] does.
pub fn greedy_seeds(scenario: &Scenario, k: usize, ks: &[u64]) -> Result<Selection, InputError> {
    let pool: Vec<u32> = (0..scenario.schools() as u32).collect();
    // Influence spread is monotone and submodular: k seeds, as the reference greedy takes.
    celf::<InputError>(&pool, k, Until::K, |sets| spread(scenario, sets, ks))
}
