//! What a run costs: [`Footprint`] estimates the memory and the work a validated scenario needs,
//! so that a job that cannot fit is refused before anything is allocated (exit code 2, with the
//! estimate), and a long one can say roughly how long it will take before it starts.
//!
//! The estimate is deliberately coarse (bytes per school, per tie, per aggregate cell) and errs
//! on the high side; its point is to tell a run that needs 6 TB from one that needs 60 MB.

use super::config::{NetworkConfig, NetworkKind, ScenarioConfig};
use crate::error::InputError;

/// Most memory a run may need, bytes (16 GiB): more than a laptop has, less than the terabytes a
/// mistyped `schools` or `kind = "complete"` asks for.
pub const MAX_MEMORY: u64 = 16 << 30;

/// Most ties a network may have: CSR offsets are `u32` and count both directions of each tie.
pub const MAX_TIES: u64 = (u32::MAX / 2) as u64;

/// Bytes per school in one run's world: attributes, model state and per-term buffers (about 25
/// `f64` and `u32` columns), rounded up.
const BYTES_PER_SCHOOL: u64 = 400;

/// Bytes per tie: both CSR directions (target `u32`, weight `f32`), plus the edge list and
/// degree counts the generators build first.
const BYTES_PER_TIE: u64 = 48;

/// Series aggregated per arm and term (the school model's; the classic models have fewer).
/// `metrics` (a higher layer, which this module may not use) checks at compile time that it is
/// its `Series::COUNT`.
pub(crate) const SERIES: u64 = 13;

/// Histogram bins per aggregated cell; `metrics` checks at compile time that it is its `BINS`.
pub(crate) const HISTOGRAM_BINS: u64 = 1000;

/// Bytes per aggregated (arm, term, series) cell: a `u32` histogram plus count, mean, min and
/// max.
const BYTES_PER_SERIES_CELL: u64 = 4 * HISTOGRAM_BINS + 32;

/// Run metrics kept per (arm, run) for percentiles and paired comparisons, with their overhead.
const BYTES_PER_RUN_SUMMARY: u64 = 32 * 8 + 64;

/// Rough speed of the school model, school-terms per second per thread, for time estimates only.
pub const SCHOOL_TERMS_PER_SECOND: f64 = 2e7;

/// The estimated cost of running a scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Footprint {
    /// Schools in one world.
    pub schools: u64,
    /// Ties in one world (an upper estimate for random generators).
    pub ties: u64,
    /// Peak memory, bytes, with `threads` worlds alive at once: the sum of the three parts below.
    pub bytes: u64,
    /// Memory of the worlds alive at once (one per thread), bytes.
    pub world_bytes: u64,
    /// Memory of the per-term series aggregates, bytes.
    pub aggregate_bytes: u64,
    /// Memory of the per-run summaries kept for percentiles, bytes.
    pub summary_bytes: u64,
    /// School-terms simulated in all: schools x steps x arms x runs.
    pub work: f64,
    /// Worker threads assumed.
    pub threads: u64,
}

/// Expected ties of a network section with `schools` schools.
pub fn ties(n: &NetworkConfig, schools: u64) -> u64 {
    let n_f = schools as f64;
    let pairs = n_f * (n_f - 1.0) / 2.0;
    let estimate = match n.kind {
        NetworkKind::Complete => pairs,
        NetworkKind::Configuration => match &n.degrees {
            Some(d) => d.iter().map(|&k| k as f64).sum::<f64>() / 2.0,
            None => {
                let hi = if n.degree_max == 0 {
                    n_f.sqrt().floor()
                } else {
                    n.degree_max as f64
                };
                let lo = n.degree_min as f64;
                n_f * power_law_mean(lo, hi.max(lo), n.degree_exponent) / 2.0
            }
        },
        // Generators aim at mean_degree; scale-free and small-world round it up per school.
        _ => n_f * (n.mean_degree.ceil() + 1.0) / 2.0,
    };
    estimate.min(pairs).max(0.0).ceil() as u64
}

/// Mean of P(k) ∝ k^-gamma on [lo, hi], by the continuous approximation (an overestimate for
/// small lo, which is the safe side here).
fn power_law_mean(lo: f64, hi: f64, gamma: f64) -> f64 {
    let integral = |s: f64| {
        if (s - 1.0).abs() < 1e-9 {
            libm::log(hi / lo)
        } else {
            (libm::pow(hi, 1.0 - s) - libm::pow(lo, 1.0 - s)) / (1.0 - s)
        }
    };
    if hi <= lo {
        return lo;
    }
    integral(gamma - 1.0) / integral(gamma)
}

impl Footprint {
    /// The footprint of `config` with `schools` schools (the final count, after network files
    /// are read) and `ties` ties, on `threads` worker threads.
    pub fn of(config: &ScenarioConfig, schools: u64, ties: u64, threads: u64) -> Self {
        let threads = threads.max(1);
        let arms = if config.model.is_classic() {
            config.seedings.len().max(1)
        } else {
            config.strategies.len().max(1)
        } as u64;
        let steps = config.steps as u64 + 1;
        let world = schools
            .saturating_mul(BYTES_PER_SCHOOL)
            .saturating_add(ties.saturating_mul(BYTES_PER_TIE));
        let aggregates = arms
            .saturating_mul(steps)
            .saturating_mul(SERIES)
            .saturating_mul(BYTES_PER_SERIES_CELL);
        let summaries = arms
            .saturating_mul(config.runs as u64)
            .saturating_mul(BYTES_PER_RUN_SUMMARY);
        let world_bytes = world.saturating_mul(threads);
        Self {
            schools,
            ties,
            bytes: world_bytes
                .saturating_add(aggregates)
                .saturating_add(summaries),
            world_bytes,
            aggregate_bytes: aggregates,
            summary_bytes: summaries,
            work: schools as f64 * steps as f64 * arms as f64 * config.runs as f64,
            threads,
        }
    }

    /// Refuses a footprint beyond [`MAX_MEMORY`] or [`MAX_TIES`], naming the field most likely
    /// at fault and giving the estimate.
    pub fn check(&self, config: &ScenarioConfig) -> Result<(), InputError> {
        if self.ties > MAX_TIES {
            return Err(InputError::field(
                "network.schools",
                format!(
                    "the network would have about {} ties; at most {MAX_TIES} fit (lower \
                     network.schools or network.mean_degree, or choose another network.kind)",
                    self.ties
                ),
            ));
        }
        if self.bytes > MAX_MEMORY {
            // Name the field behind the largest part.
            let field = [
                (self.world_bytes, "network.schools"),
                (self.aggregate_bytes, "steps"),
                (self.summary_bytes, "runs"),
            ]
            .into_iter()
            .max_by_key(|&(b, _)| b)
            .map_or("network.schools", |(_, f)| f);
            return Err(InputError::field(
                field,
                format!(
                    "the run would need about {} of memory (at most {} is allowed): {} schools, \
                     {} ties, {} steps, {} runs",
                    gib(self.bytes),
                    gib(MAX_MEMORY),
                    self.schools,
                    self.ties,
                    config.steps,
                    config.runs
                ),
            ));
        }
        Ok(())
    }

    /// A rough wall-clock estimate, seconds, at [`SCHOOL_TERMS_PER_SECOND`] per thread.
    pub fn seconds(&self) -> f64 {
        self.work / (SCHOOL_TERMS_PER_SECOND * self.threads as f64)
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(f: impl FnOnce(&mut ScenarioConfig)) -> ScenarioConfig {
        let mut c = ScenarioConfig::default();
        f(&mut c);
        c
    }

    #[test]
    fn the_default_scenario_is_small() {
        let c = config(|_| {});
        let f = Footprint::of(&c, 400, ties(&c.network, 400), 2);
        assert!(f.bytes < 100 << 20, "{f:?}");
        assert!(f.check(&c).is_ok());
        assert!(f.seconds() < 60.0);
    }

    #[test]
    fn a_complete_network_of_a_million_is_refused_for_its_ties() {
        let c = config(|c| {
            c.network.kind = NetworkKind::Complete;
            c.network.schools = 1_000_000;
        });
        let t = ties(&c.network, 1_000_000);
        assert_eq!(t, 499_999_500_000);
        let e = Footprint::of(&c, 1_000_000, t, 1).check(&c).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("network.schools"));
        assert!(e.message.contains("ties"), "{e}");
    }

    #[test]
    fn long_or_many_runs_are_refused_by_memory() {
        let c = config(|c| c.runs = 10_000_000);
        // Three strategies: about 9 GiB of run summaries, allowed but hours of work.
        let f = Footprint::of(&c, 400, 2000, 1);
        assert!(f.check(&c).is_ok() && f.seconds() > 3600.0, "{f:?}");
        let c = config(|c| {
            c.runs = 10_000_000;
            c.strategies = (0..6)
                .map(|i| crate::scenario::StrategyConfig::named(&format!("s{i}")))
                .collect();
        });
        let e = Footprint::of(&c, 400, 2000, 1).check(&c).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("runs"), "{e}");
        assert!(e.message.contains("GiB"), "{e}");
        // 10,000 steps and ten strategies: about 6 GiB of histograms, allowed.
        let c = config(|c| {
            c.steps = 10_000;
            c.strategies = (0..10)
                .map(|i| crate::scenario::StrategyConfig::named(&format!("s{i}")))
                .collect();
        });
        let f = Footprint::of(&c, 400, 2000, 1);
        assert!(f.bytes > 4 << 30 && f.check(&c).is_ok(), "{f:?}");
    }

    #[test]
    fn configuration_degrees_bound_the_ties() {
        let c = config(|c| {
            c.network.kind = NetworkKind::Configuration;
            c.network.degree_min = 2;
            c.network.degree_max = 2;
        });
        assert_eq!(ties(&c.network, 1000), 1000);
        let c = config(|c| {
            c.network.kind = NetworkKind::Configuration;
            c.network.degrees = Some(vec![3, 3, 2]);
        });
        assert_eq!(ties(&c.network, 3), 3);
    }
}
