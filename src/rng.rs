//! Randomness: seed derivation, counter-based draws and portable samplers.
//!
//! This is a leaf module: everything may use it, and it uses nothing of the crate but the
//! elementary functions of [`crate::maths`]. Every random number in a run is a pure function of
//! `(master seed, run index, purpose, ...)`, so results never depend on thread count, scheduling
//! or the order schools are visited:
//!
//! - the *world* of a run (network and school draws) comes from a [`Pcg64Mcg`] seeded by
//!   [`RunSeeds::world_rng`]; every strategy of run k sees the same world (common random numbers);
//! - per-school, per-term draws (leader turnover, peer adoption, opt-in, measurement noise, the
//!   review's drop, the stop after a withdrawal) come from
//!   [`Draws::uniform`], a counter-based generator keyed by `(run, step, school, purpose)`. The same
//!   school in the same term of the same run gets the same number under every strategy, which keeps
//!   paired comparisons tight, and no generator state has to be carried through the hot loop.
//! - continuous distributions (normal, log-normal, gamma, beta, triangular) are sampled by the
//!   functions in [`sample`], written on the `libm` crate's correctly-rounded-or-close, pure-Rust
//!   `log` and its `exp` (through [`crate::maths::exp`], the same bits) and IEEE's exactly
//!   rounded `sqrt`, so that a seed gives the same numbers on every platform (the
//!   platform's maths library may differ in the last bit between machines).
//!
//! The mixing function is SplitMix64's finaliser (Steele, Lea & Flood 2014): a uniform draw keys
//! the purpose's stream with it, then mixes the counter and the result; its outputs pass BigCrush
//! when fed a counter, which is exactly how it is used here.

pub mod sample;

use rand::SeedableRng;
pub use rand_pcg::Pcg64Mcg;

/// SplitMix64's output function: a bijective 64-bit mixer.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Maps 64 random bits to a uniform `f64` in `[0, 1)` with 53 bits of precision.
#[inline]
pub(crate) fn unit_f64(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// What a per-school draw is used for; each purpose is an independent stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Leader turnover (implementing and sustained schools).
    Turnover = 1,
    /// Peer adoption under simple contagion, or the outside rate.
    Adoption = 2,
    /// Whether an opt-in school accepts support this term.
    OptIn = 3,
    /// Classic models: the coin of a directed tie (independent cascade).
    Tie = 4,
    /// Classic models: a node's threshold.
    Threshold = 5,
    /// Classic models: choosing seeds, and the event stream of the Bass model.
    Seeding = 6,
    /// The noise of an observed school effect (first uniform of a normal draw).
    Measurement = 10,
    /// The noise of an observed school effect (second uniform of a normal draw).
    MeasurementAngle = 11,
    /// Whether a review without an observed benefit drops the innovation.
    Review = 12,
    /// Whether a school whose support was withdrawn stops implementing.
    Withdrawal = 13,
}

/// The seeds of one run, derived from the master seed and the run index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSeeds {
    run_key: u64,
}

impl RunSeeds {
    /// Derives the seeds of run `run` of an ensemble with master seed `seed`.
    pub fn new(seed: u64, run: u64) -> Self {
        Self {
            run_key: mix64(mix64(seed) ^ mix64(run.wrapping_mul(0xd1b5_4a32_d192_ed03))),
        }
    }

    /// The generator for the run's world: network and school draws.
    pub fn world_rng(&self) -> Pcg64Mcg {
        Pcg64Mcg::seed_from_u64(mix64(self.run_key ^ 0x5745_4f52_4c44))
    }

    /// The generator of an uncertain scenario field's value in this run, one stream per `key`
    /// (a hash of the field's path): separate from the world's and the dynamics' streams, so a
    /// scenario without uncertain fields draws exactly what it drew before they existed, and
    /// one with them keeps the same worlds.
    pub fn parameter_rng(&self, key: u64) -> Pcg64Mcg {
        Pcg64Mcg::seed_from_u64(mix64(mix64(self.run_key ^ 0x5041_5241_4d53) ^ mix64(key)))
    }

    /// The counter-based draws for the run's dynamics.
    pub fn draws(&self) -> Draws {
        Draws {
            key: mix64(self.run_key ^ 0x4459_4e41_4d49_4353),
        }
    }
}

/// Counter-based uniform draws keyed by `(step, school, purpose)`; see the module docs.
#[derive(Debug, Clone, Copy)]
pub struct Draws {
    key: u64,
}

impl Draws {
    /// A uniform number in `[0, 1)` for `school` in term `step`, for `purpose`.
    #[inline]
    pub fn uniform(&self, step: u32, school: u32, purpose: Purpose) -> f64 {
        let counter = ((step as u64) << 32) | school as u64;
        let h = mix64(self.key ^ (purpose as u64).wrapping_mul(0xa076_1d64_78bd_642f));
        unit_f64(mix64(h ^ mix64(counter)))
    }

    /// A standard normal number for `school` in term `step` (Box-Muller on the two measurement
    /// streams, with libm's portable `log`, `sqrt` and `cos`, so the bytes are the same on every
    /// machine).
    #[inline]
    pub(crate) fn measurement_noise(&self, step: u32, school: u32) -> f64 {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let u = 1.0 - self.uniform(step, school, Purpose::Measurement);
        let v = self.uniform(step, school, Purpose::MeasurementAngle);
        libm::sqrt(-2.0 * libm::log(u)) * libm::cos(std::f64::consts::TAU * v)
    }

    /// 64 random bits for item `index` (a node, or a tie's CSR slot) for `purpose`: the
    /// `index`-th output of wyrand (Wang Yi's generator: a Weyl sequence through one 64x64->128
    /// bit multiply-fold, which passes BigCrush and PractRand) started at a state keyed by the
    /// run and the purpose. Being a pure function of the index, it costs two multiplies per draw
    /// (the Weyl step and the fold; the stream's key is the same for every index, so a loop
    /// hoists it) and no state, cheap enough for a draw per tie visit.
    #[inline]
    pub fn bits(&self, purpose: Purpose, index: u64) -> u64 {
        const WEYL: u64 = 0xa076_1d64_78bd_642f;
        const FOLD: u64 = 0xe703_7ed1_a0b4_28db;
        let stream = mix64(self.key ^ purpose as u64);
        let x = stream.wrapping_add(index.wrapping_add(1).wrapping_mul(WEYL));
        let t = (x as u128).wrapping_mul((x ^ FOLD) as u128);
        (t >> 64) as u64 ^ t as u64
    }

    /// A uniform number in `[0, 1)` for item `index` and `purpose`; see [`Draws::bits`].
    #[inline]
    pub fn unit(&self, purpose: Purpose, index: u64) -> f64 {
        unit_f64(self.bits(purpose, index))
    }

    /// A generator seeded for `purpose` in this run, for sequential draws (seed choice, events).
    pub fn rng(&self, purpose: Purpose) -> Pcg64Mcg {
        Pcg64Mcg::seed_from_u64(self.bits(purpose, u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_get_different_seeds_and_same_run_same_seed() {
        assert_eq!(RunSeeds::new(7, 3), RunSeeds::new(7, 3));
        assert_ne!(RunSeeds::new(7, 3), RunSeeds::new(7, 4));
        assert_ne!(RunSeeds::new(7, 3), RunSeeds::new(8, 3));
    }

    #[test]
    fn indexed_bits_look_uniform_and_differ_by_purpose_and_run() {
        let d = RunSeeds::new(1, 0).draws();
        let n = 200_000u64;
        let (mut sum, mut same, mut low_bit) = (0.0, 0u64, 0u64);
        for i in 0..n {
            let u = d.unit(Purpose::Tie, i);
            sum += u;
            same += ((u < 0.5) == (d.unit(Purpose::Threshold, i) < 0.5)) as u64;
            low_bit += d.bits(Purpose::Tie, i) & 1;
        }
        // Same tolerances as below: 5 standard errors.
        assert!((sum / n as f64 - 0.5).abs() < 0.0033);
        assert!((same as i64 - 100_000).abs() < 1_120);
        assert!((low_bit as i64 - 100_000).abs() < 1_120);
        assert_ne!(
            d.bits(Purpose::Tie, 7),
            RunSeeds::new(1, 1).draws().bits(Purpose::Tie, 7)
        );
    }

    #[test]
    fn counter_draws_look_uniform_and_independent_by_purpose() {
        let d = RunSeeds::new(1, 0).draws();
        let n = 200_000u32;
        let mut sum = 0.0;
        let mut below = 0u32;
        let mut same = 0u32;
        for i in 0..n {
            let u = d.uniform(i % 50, i, Purpose::Turnover);
            assert!((0.0..1.0).contains(&u));
            sum += u;
            below += (u < 0.1) as u32;
            let v = d.uniform(i % 50, i, Purpose::Adoption);
            same += ((u < 0.5) == (v < 0.5)) as u32;
        }
        // Standard error of the mean of U(0,1) over 2e5 draws is 6.5e-4; allow 5 SE.
        assert!((sum / n as f64 - 0.5).abs() < 0.0033);
        // Binomial(2e5, 0.1): sd 134; allow 5 sd.
        assert!((below as i64 - 20_000).abs() < 670);
        // Agreement of two independent fair coins: Binomial(2e5, 0.5), sd 224.
        assert!((same as i64 - 100_000).abs() < 1_120);
    }
}
