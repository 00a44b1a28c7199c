//! Per-school and per-region tallies of an ensemble: how often each school was funded, piloted,
//! sustained and benefiting, and when it first sustained (`schools.csv` and `regions.csv`).
//!
//! A run records one [`SchoolRun`] per arm (a flag byte and a first-sustain step per school);
//! the ensemble folds them, in run order, into a [`SchoolTally`] of counts. Memory is flat in
//! the number of runs: the tally holds a few counters per (arm, school) and per (arm, region),
//! never a per-run vector. Every counter but one is an integer (so its sums are exact), and the
//! one floating-point running mean (a region's mean terms to sustain) is folded in run order: the bytes written do not depend
//! on the thread count.
//!
//! Only meaningful when school i is the same school in every run, i.e. a network read from
//! files: see [`SchoolTally`]'s users in [`crate::output`].

use crate::model::{Params, Stage, State};
use crate::strategy::Plan;

/// Flag: the strategy supported or recruited the school in some term.
pub const FUNDED: u8 = 1;
/// Flag: the strategy made the school a pilot in some term.
pub const PILOTED: u8 = 2;
/// Flag: the school was sustained at the horizon.
pub const SUSTAINED: u8 = 4;
/// Flag: the school's students benefited at the horizon ([`State::benefits`], the objective's
/// definition).
pub const BENEFITS: u8 = 8;
/// `first_sustain` of a school never sustained.
pub const NEVER: u32 = u32::MAX;

/// What happened to each school in one run of one arm.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchoolRun {
    /// [`FUNDED`], [`PILOTED`], [`SUSTAINED`] and [`BENEFITS`] bits per school.
    pub flags: Vec<u8>,
    /// The first step at which the school was sustained, or [`NEVER`].
    pub first_sustain: Vec<u32>,
}

impl SchoolRun {
    /// An empty record for `n` schools.
    pub fn new(n: usize) -> Self {
        Self {
            flags: vec![0; n],
            first_sustain: vec![NEVER; n],
        }
    }

    /// Records step `step` (the plan is that of the term just run; empty at step 0). O(n), no
    /// allocation.
    pub fn observe(&mut self, step: u32, state: &State, plan: &Plan) {
        let funded = plan.support.iter().zip(&plan.recruit);
        for (i, ((&support, &recruit), &pilot)) in funded.zip(&plan.pilot).enumerate() {
            let f = &mut self.flags[i];
            if support > 0.0 || recruit {
                *f |= FUNDED;
            }
            if pilot {
                *f |= PILOTED;
            }
            if state.stage[i] == Stage::Sustained && self.first_sustain[i] == NEVER {
                self.first_sustain[i] = step;
            }
        }
    }

    /// Records the state at the horizon, under the run's parameters `p` (for the benefit bar).
    pub fn finish(&mut self, state: &State, p: &Params) {
        for (i, f) in self.flags.iter_mut().enumerate() {
            if state.stage[i] == Stage::Sustained {
                *f |= SUSTAINED;
            }
            if state.benefits(i, p) {
                *f |= BENEFITS;
            }
        }
    }
}

/// A running mean and variance over runs of one per-run figure (Welford's update, so that
/// values that hardly vary do not lose their variance to cancellation).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    /// Number of values added.
    pub n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds one value.
    pub fn add(&mut self, v: f64) {
        self.n += 1;
        let d = v - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (v - self.mean);
    }

    /// The mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.mean
        }
    }

    /// The standard error of the mean: sample SD / sqrt(n) (NaN below two values).
    pub fn se(&self) -> f64 {
        if self.n < 2 {
            return f64::NAN;
        }
        let n = self.n as f64;
        (self.m2.max(0.0) / (n - 1.0) / n).sqrt()
    }
}

/// Sums over runs of a whole-number per-run figure, exact: a count of schools, or a step.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Number of values added.
    pub n: u64,
    /// Their sum.
    pub sum: u64,
    /// The sum of their squares.
    pub sum_sq: u64,
}

impl Counts {
    /// Adds one value.
    pub fn add(&mut self, v: u64) {
        self.n += 1;
        self.sum += v;
        self.sum_sq += v * v;
    }

    /// The mean of the values divided by `scale`, and its standard error (sample SD / sqrt(n)),
    /// from exact integer sums: NaN when empty, NaN SE below two values.
    pub(crate) fn mean_se(&self, scale: f64) -> (f64, f64) {
        if self.n == 0 {
            return (f64::NAN, f64::NAN);
        }
        let n = self.n as f64;
        let mean = self.sum as f64 / n / scale;
        if self.n < 2 {
            return (mean, f64::NAN);
        }
        // n^2 (n - 1) var = n * sum_sq - sum^2, exactly.
        let (nn, sum, sq) = (self.n as u128, self.sum as u128, self.sum_sq as u128);
        let scaled = (nn * sq - sum * sum) as f64;
        let var = scaled / (n * (n - 1.0)) / (scale * scale);
        (mean, (var / n).sqrt())
    }
}

/// The counts of one arm.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArmTally {
    /// Runs in which each school was funded.
    pub funded: Vec<u32>,
    /// Runs in which each school was piloted.
    pub piloted: Vec<u32>,
    /// Runs in which each school was sustained at the horizon.
    pub sustained: Vec<u32>,
    /// Runs in which each school's students benefited at the horizon.
    pub benefits: Vec<u32>,
    /// Runs in which each school was sustained at some step.
    pub ever: Vec<u32>,
    /// Per school, the sum over those runs of the first step at which it was sustained.
    pub terms_sum: Vec<u64>,
    /// Same, of its square.
    pub terms_sq: Vec<u64>,
    /// Per region, the number of the region's schools funded in a run, over runs.
    pub region_funded: Vec<Counts>,
    /// Same, piloted.
    pub region_piloted: Vec<Counts>,
    /// Same, sustained at the horizon.
    pub region_sustained: Vec<Counts>,
    /// Same, benefiting at the horizon.
    pub region_benefits: Vec<Counts>,
    /// Per region, the mean first-sustain step of the region's schools that sustained in a run,
    /// over the runs in which at least one did.
    pub region_terms: Vec<Moments>,
}

/// The per-school and per-region counts of an ensemble, folded over runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolTally {
    /// Runs folded.
    pub runs: u64,
    /// Region index of each school (the same in every run).
    pub region: Vec<u32>,
    /// Number of schools per region.
    pub region_size: Vec<u64>,
    /// One tally per arm.
    pub arms: Vec<ArmTally>,
    /// Scratch per region for one run: counts funded, piloted, sustained, ever; sum of steps;
    /// count benefiting.
    scratch: Vec<[u64; 6]>,
}

impl SchoolTally {
    /// An empty tally for `arms` arms over schools in regions `region` (`n_regions` of them).
    pub fn new(arms: usize, region: Vec<u32>, n_regions: usize) -> Self {
        let n = region.len();
        let mut region_size = vec![0u64; n_regions];
        for &r in &region {
            region_size[r as usize] += 1;
        }
        let arm = ArmTally {
            funded: vec![0; n],
            piloted: vec![0; n],
            sustained: vec![0; n],
            benefits: vec![0; n],
            ever: vec![0; n],
            terms_sum: vec![0; n],
            terms_sq: vec![0; n],
            region_funded: vec![Counts::default(); n_regions],
            region_piloted: vec![Counts::default(); n_regions],
            region_sustained: vec![Counts::default(); n_regions],
            region_benefits: vec![Counts::default(); n_regions],
            region_terms: vec![Moments::default(); n_regions],
        };
        Self {
            runs: 0,
            region,
            region_size,
            arms: vec![arm; arms],
            scratch: vec![[0; 6]; n_regions],
        }
    }

    /// Adds run `run` of arm `arm`. Call in run order (the region sums are floating point).
    pub fn add(&mut self, arm: usize, run: &SchoolRun) {
        if arm == 0 {
            self.runs += 1;
        }
        let t = &mut self.arms[arm];
        self.scratch.iter_mut().for_each(|c| *c = [0; 6]);
        for (i, (&f, &first)) in run.flags.iter().zip(&run.first_sustain).enumerate() {
            let c = &mut self.scratch[self.region[i] as usize];
            let bit = |b: u8| u32::from(f & b != 0);
            t.funded[i] += bit(FUNDED);
            t.piloted[i] += bit(PILOTED);
            t.sustained[i] += bit(SUSTAINED);
            t.benefits[i] += bit(BENEFITS);
            c[0] += u64::from(bit(FUNDED));
            c[1] += u64::from(bit(PILOTED));
            c[2] += u64::from(bit(SUSTAINED));
            c[5] += u64::from(bit(BENEFITS));
            if first != NEVER {
                t.ever[i] += 1;
                t.terms_sum[i] += u64::from(first);
                t.terms_sq[i] += u64::from(first) * u64::from(first);
                c[3] += 1;
                c[4] += u64::from(first);
            }
        }
        for (r, c) in self.scratch.iter().enumerate() {
            t.region_funded[r].add(c[0]);
            t.region_piloted[r].add(c[1]);
            t.region_sustained[r].add(c[2]);
            t.region_benefits[r].add(c[5]);
            if c[3] > 0 {
                t.region_terms[r].add(c[4] as f64 / c[3] as f64);
            }
        }
    }
}

/// A share of `runs` runs and its standard error, sqrt(p (1 - p) / runs).
pub fn share(count: u32, runs: u64) -> (f64, f64) {
    if runs == 0 {
        return (f64::NAN, f64::NAN);
    }
    let p = count as f64 / runs as f64;
    (p, (p * (1.0 - p) / runs as f64).sqrt())
}

/// The mean first-sustain step of a school sustained `ever` times with the given sums, and its
/// standard error (NaN when never sustained; NaN SE below two runs).
pub fn terms(ever: u32, sum: u64, sum_sq: u64) -> (f64, f64) {
    Counts {
        n: u64::from(ever),
        sum,
        sum_sq,
    }
    .mean_se(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_region_shares_add_up() {
        let mut t = SchoolTally::new(1, vec![0, 0, 1], 2);
        let run = |flags: Vec<u8>, first: Vec<u32>| SchoolRun {
            flags,
            first_sustain: first,
        };
        t.add(
            0,
            &run(vec![FUNDED, 0, FUNDED | PILOTED], vec![NEVER, 3, NEVER]),
        );
        t.add(
            0,
            &run(
                vec![FUNDED | SUSTAINED | BENEFITS, BENEFITS, 0],
                vec![5, NEVER, NEVER],
            ),
        );
        let a = &t.arms[0];
        assert_eq!(t.runs, 2);
        assert_eq!(a.funded, vec![2, 0, 1]);
        assert_eq!(a.piloted, vec![0, 0, 1]);
        assert_eq!(a.sustained, vec![1, 0, 0]);
        assert_eq!(a.ever, vec![1, 1, 0]);
        assert_eq!(a.benefits, vec![1, 1, 0]);
        // Region 0 benefited with both schools in the second run, none in the first.
        assert_eq!(a.region_benefits[0].mean_se(2.0).0, 0.5);
        assert_eq!(a.region_benefits[1].mean_se(1.0).0, 0.0);
        assert_eq!(share(a.funded[0], t.runs), (1.0, 0.0));
        assert_eq!(terms(a.ever[1], a.terms_sum[1], a.terms_sq[1]).0, 3.0);
        assert!(terms(0, 0, 0).0.is_nan());
        // Region 0 (two schools): funded shares 1/2 and 1/2; mean first step 3, then 5.
        assert_eq!(a.region_funded[0].mean_se(2.0), (0.5, 0.0));
        assert_eq!(a.region_terms[0].mean(), 4.0);
        assert_eq!(a.region_terms[1].n, 0);
    }
}
