//! Experimental designs: which parameter values each point of a sweep gets.
//!
//! Every design is a pure function of the sweep's seed, so the points (and their order, which
//! fixes their ids) are the same on every machine and for every shard.

use crate::rng::mix64;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// The range a parameter is sampled from by the random and Latin hypercube designs.
#[derive(Debug, Clone, PartialEq)]
pub enum Range {
    /// Uniform on [min, max].
    Linear(f64, f64),
    /// Log-uniform on [min, max], 0 < min.
    Log(f64, f64),
    /// One of `n` listed values, equally likely.
    Choice(usize),
}

impl Range {
    /// The value at quantile `u` in [0, 1): a number, or (for a choice) the index as a number.
    pub fn at(&self, u: f64) -> f64 {
        match *self {
            Range::Linear(lo, hi) => lo + u * (hi - lo),
            // libm's log and exp: the same values on every machine.
            Range::Log(lo, hi) => {
                let (a, b) = (libm::log(lo), libm::log(hi));
                libm::exp(a + u * (b - a)).clamp(lo, hi)
            }
            Range::Choice(n) => ((u * n as f64) as usize).min(n - 1) as f64,
        }
    }
}

/// The full factorial of `levels[j]` levels per parameter: point p's level indices, the last
/// parameter varying fastest.
pub fn grid(levels: &[usize]) -> Vec<Vec<usize>> {
    let total: usize = levels.iter().product();
    (0..total)
        .map(|mut p| {
            let mut idx = vec![0; levels.len()];
            for j in (0..levels.len()).rev() {
                idx[j] = p % levels[j];
                p /= levels[j];
            }
            idx
        })
        .collect()
}

fn rng(seed: u64) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(mix64(seed ^ 0x0053_5745_4550))
}

/// `n` points drawn independently: quantiles uniform in [0, 1) per parameter.
pub fn random(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut r = rng(seed);
    (0..n)
        .map(|_| (0..dims).map(|_| r.random::<f64>()).collect())
        .collect()
}

/// A Latin hypercube of `n` points (McKay, Beckman & Conover 1979): per parameter, [0, 1) is cut
/// into n equal strata and each stratum is used by exactly one point, at a uniform position
/// inside it; the strata are matched across parameters by independent random permutations.
pub(crate) fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut r = rng(seed);
    let mut points = vec![vec![0.0; dims]; n];
    for j in 0..dims {
        let mut strata: Vec<usize> = (0..n).collect();
        strata.shuffle(&mut r);
        for (point, &stratum) in points.iter_mut().zip(&strata) {
            point[j] = (stratum as f64 + r.random::<f64>()) / n as f64;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn grid_is_the_full_factorial_in_order() {
        let g = grid(&[2, 3]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0, 0]);
        assert_eq!(g[1], vec![0, 1]);
        assert_eq!(g[5], vec![1, 2]);
        let mut sorted = g.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), 6, "no point twice");
    }

    proptest! {
        #[test]
        fn latin_hypercube_hits_every_stratum_once(n in 1usize..60, dims in 1usize..6, seed in any::<u64>()) {
            let pts = latin_hypercube(n, dims, seed);
            prop_assert_eq!(pts.len(), n);
            for j in 0..dims {
                let mut hit = vec![0; n];
                for p in &pts {
                    prop_assert!((0.0..1.0).contains(&p[j]));
                    hit[(p[j] * n as f64) as usize] += 1;
                }
                prop_assert!(hit.iter().all(|&h| h == 1), "parameter {}: {:?}", j, hit);
            }
        }

        #[test]
        fn random_designs_stay_in_range(n in 1usize..50, lo in -5.0f64..5.0, width in 0.0f64..10.0, seed in any::<u64>()) {
            let range = Range::Linear(lo, lo + width);
            let log = Range::Log(0.01, 0.01 + width + 0.01);
            for p in random(n, 2, seed) {
                let v = range.at(p[0]);
                prop_assert!(v >= lo && v <= lo + width);
                let w = log.at(p[1]);
                prop_assert!(w >= 0.01 * (1.0 - 1e-12) && w <= (0.02 + width) * (1.0 + 1e-12));
            }
        }
    }

    #[test]
    fn choices_are_spread_evenly_by_a_latin_hypercube() {
        let pts = latin_hypercube(9, 1, 3);
        let mut count = [0; 3];
        for p in pts {
            count[Range::Choice(3).at(p[0]) as usize] += 1;
        }
        assert_eq!(count, [3, 3, 3]);
    }
}
