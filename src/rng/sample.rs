//! Portable samplers of the continuous distributions the model draws from.
//!
//! `rand_distr`'s samplers call the platform's `ln`, `exp` and `powf`, whose last bits may differ
//! between maths libraries (glibc even picks an FMA or a non-FMA version at run time), so the same
//! seed could draw different schools on two machines. These samplers implement the same
//! [`Distribution`] trait on the `libm` crate, which is pure Rust and gives the same bits
//! everywhere; `sqrt` and the arithmetic operators are exactly rounded by IEEE 754.
//!
//! The methods are the standard ones: Marsaglia's polar method for the normal (Marsaglia & Bray
//! 1964), Marsaglia & Tsang (2000) for the gamma, with the `U^(1/a)` boost for shapes below 1, and
//! the ratio of two gammas for the beta, computed in log space so that small shapes cannot
//! underflow to `0 / 0`.
//!
//! ```
//! use domino::rng::sample::{Beta, Distribution};
//! use rand::SeedableRng;
//! let mut rng = domino::rng::Pcg64Mcg::seed_from_u64(1);
//! let beta = Beta::new(2.0, 3.0).unwrap();
//! let x = beta.sample(&mut rng);
//! assert!((0.0..=1.0).contains(&x));
//! ```

use crate::maths::exp;
use rand::Rng;
pub use rand_distr::Distribution;

/// A distribution's parameters are outside its domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadParameter(pub &'static str);

/// A standard normal draw (Marsaglia's polar method): about 1.27 pairs of uniforms per draw.
pub(crate) fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    loop {
        let u = 2.0 * rng.random::<f64>() - 1.0;
        let v = 2.0 * rng.random::<f64>() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * libm::log(s) / s).sqrt();
        }
    }
}

/// Normal(mean, sd).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normal {
    mean: f64,
    sd: f64,
}

impl Normal {
    /// Normal with `mean` and standard deviation `sd >= 0` (both finite).
    pub fn new(mean: f64, sd: f64) -> Result<Self, BadParameter> {
        if !(mean.is_finite() && sd.is_finite() && sd >= 0.0) {
            return Err(BadParameter("normal: mean and sd must be finite, sd >= 0"));
        }
        Ok(Self { mean, sd })
    }
}

impl Distribution<f64> for Normal {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.mean + self.sd * standard_normal(rng)
    }
}

/// Log-normal: `exp(mu + sigma Z)`, so `exp(mu)` is the median.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogNormal {
    mu: f64,
    sigma: f64,
}

impl LogNormal {
    /// Log-normal with log-scale location `mu` and log-scale sd `sigma >= 0`.
    pub fn new(mu: f64, sigma: f64) -> Result<Self, BadParameter> {
        if !(mu.is_finite() && sigma.is_finite() && sigma >= 0.0) {
            return Err(BadParameter(
                "log-normal: mu and sigma must be finite, sigma >= 0",
            ));
        }
        Ok(Self { mu, sigma })
    }
}

impl Distribution<f64> for LogNormal {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        exp(self.mu + self.sigma * standard_normal(rng))
    }
}

/// A Gamma(shape, 1) law in log form, with the constants of Marsaglia & Tsang's method worked
/// out once: a beta law is drawn for every school of every run's world, and the per-draw `sqrt`
/// and `log` of the shape cost about 2 % of building a national world (its profile's `log` share
/// fell from 10.3 % to 8.8 %).
#[derive(Debug, Clone, Copy, PartialEq)]
struct LnGamma {
    shape: f64,
    /// Shapes below 1 draw at `shape + 1` and scale by `U^(1/shape)`.
    boosted: bool,
    d: f64,
    c: f64,
    ln_d: f64,
}

impl LnGamma {
    fn new(shape: f64) -> Self {
        let boosted = shape < 1.0;
        let d = if boosted { shape + 1.0 } else { shape } - 1.0 / 3.0;
        Self {
            shape,
            boosted,
            d,
            c: 1.0 / (9.0 * d).sqrt(),
            ln_d: libm::log(d),
        }
    }

    /// The natural log of a Gamma(shape, 1) draw. Working in logs keeps tiny shapes (whose
    /// draws underflow to 0) usable by [`Beta`].
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if self.boosted {
            // Gamma(a) = Gamma(a + 1) * U^(1/a) (Marsaglia & Tsang 2000, section 6).
            let u = 1.0 - rng.random::<f64>(); // (0, 1]
            return self.at_least_one(rng) + libm::log(u) / self.shape;
        }
        self.at_least_one(rng)
    }

    /// Marsaglia & Tsang's squeeze and rejection for a shape of at least 1 (`self.d + 1/3`).
    fn at_least_one<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let (d, c) = (self.d, self.c);
        loop {
            let x = standard_normal(rng);
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = rng.random::<f64>();
            let x2 = x * x;
            if u < 1.0 - 0.0331 * x2 * x2
                || (u > 0.0 && libm::log(u) < 0.5 * x2 + d * (1.0 - v + libm::log(v)))
            {
                return self.ln_d + libm::log(v);
            }
        }
    }
}

/// Gamma(shape, scale): mean `shape * scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gamma {
    shape: LnGamma,
    scale: f64,
}

impl Gamma {
    /// Gamma with `shape > 0` and `scale > 0`, both finite.
    pub fn new(shape: f64, scale: f64) -> Result<Self, BadParameter> {
        if !(shape.is_finite() && scale.is_finite() && shape > 0.0 && scale > 0.0) {
            return Err(BadParameter(
                "gamma: shape and scale must be finite and above 0",
            ));
        }
        Ok(Self {
            shape: LnGamma::new(shape),
            scale,
        })
    }
}

impl Distribution<f64> for Gamma {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.scale * exp(self.shape.sample(rng))
    }
}

/// Beta(alpha, beta) on [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beta {
    alpha: LnGamma,
    beta: LnGamma,
}

impl Beta {
    /// Beta with shapes `alpha > 0` and `beta > 0`, both finite.
    pub fn new(alpha: f64, beta: f64) -> Result<Self, BadParameter> {
        if !(alpha.is_finite() && beta.is_finite() && alpha > 0.0 && beta > 0.0) {
            return Err(BadParameter("beta: shapes must be finite and above 0"));
        }
        Ok(Self {
            alpha: LnGamma::new(alpha),
            beta: LnGamma::new(beta),
        })
    }
}

impl Distribution<f64> for Beta {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // X / (X + Y) = 1 / (1 + Y / X), with the ratio taken in logs.
        let lx = self.alpha.sample(rng);
        let ly = self.beta.sample(rng);
        (1.0 / (1.0 + exp(ly - lx))).clamp(0.0, 1.0)
    }
}

/// Triangular on [low, high] with its peak at `mode`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triangular {
    low: f64,
    mode: f64,
    high: f64,
}

impl Triangular {
    /// Triangular with `low <= mode <= high`, `low < high`, all finite.
    pub fn new(low: f64, mode: f64, high: f64) -> Result<Self, BadParameter> {
        if !(low.is_finite() && high.is_finite() && low <= mode && mode <= high && low < high) {
            return Err(BadParameter(
                "triangular: needs finite min <= mode <= max and min < max",
            ));
        }
        Ok(Self { low, mode, high })
    }

    /// The inverse of the CDF at `u` in [0, 1].
    pub fn quantile(&self, u: f64) -> f64 {
        let (a, c, b) = (self.low, self.mode, self.high);
        let split = (c - a) / (b - a);
        if u < split {
            a + (u * (b - a) * (c - a)).sqrt()
        } else {
            b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
        }
    }
}

impl Distribution<f64> for Triangular {
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.quantile(rng.random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn moments(d: &impl Distribution<f64>, n: usize, seed: u64) -> (f64, f64) {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
        (m, v)
    }

    // Each check: 200,000 draws, mean within 5 standard errors of the exact mean, variance
    // within 5 % of the exact variance (its standard error is below 1 % for these shapes).
    const N: usize = 200_000;

    fn check(d: &impl Distribution<f64>, mean: f64, var: f64, seed: u64) {
        let (m, v) = moments(d, N, seed);
        let se = (var / N as f64).sqrt();
        assert!((m - mean).abs() < 5.0 * se, "mean {m} vs {mean} (se {se})");
        assert!((v / var - 1.0).abs() < 0.05, "variance {v} vs {var}");
    }

    #[test]
    fn normal_gamma_beta_lognormal_triangular_have_their_moments() {
        check(&Normal::new(1.0, 2.0).unwrap(), 1.0, 4.0, 1);
        for (k, theta) in [(0.5, 2.0), (1.0, 1.0), (4.0, 0.0625), (30.0, 0.1)] {
            check(
                &Gamma::new(k, theta).unwrap(),
                k * theta,
                k * theta * theta,
                2,
            );
        }
        for (a, b) in [(2.0, 3.0), (4.0, 4.0), (0.5, 0.5), (0.2, 3.0)] {
            let var = a * b / ((a + b) * (a + b) * (a + b + 1.0));
            check(&Beta::new(a, b).unwrap(), a / (a + b), var, 3);
        }
        let (mu, s): (f64, f64) = (0.0, 0.5);
        let mean = (mu + s * s / 2.0).exp();
        check(
            &LogNormal::new(mu, s).unwrap(),
            mean,
            ((s * s).exp() - 1.0) * mean * mean,
            4,
        );
        let (a, c, b): (f64, f64, f64) = (0.0, 0.2, 1.0);
        let var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
        check(
            &Triangular::new(a, c, b).unwrap(),
            (a + b + c) / 3.0,
            var,
            5,
        );
    }

    #[test]
    fn tiny_beta_shapes_stay_in_range_and_split_near_the_mean() {
        // Beta(0.01, 0.01) puts its mass at the ends; a ratio of underflowed gammas would be NaN.
        let d = Beta::new(0.01, 0.01).unwrap();
        let mut rng = Pcg64Mcg::seed_from_u64(9);
        let xs: Vec<f64> = (0..10_000).map(|_| d.sample(&mut rng)).collect();
        assert!(xs.iter().all(|x| (0.0..=1.0).contains(x)));
        let high = xs.iter().filter(|&&x| x > 0.5).count();
        assert!((high as i64 - 5_000).abs() < 250, "{high}");
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Beta::new(0.0, 1.0).is_err());
        assert!(Gamma::new(1.0, f64::INFINITY).is_err());
        assert!(Normal::new(f64::NAN, 1.0).is_err());
        assert!(Triangular::new(1.0, 0.5, 2.0).is_err());
    }

    #[test]
    fn same_seed_same_bits() {
        let d = Gamma::new(0.7, 1.3).unwrap();
        let a: Vec<u64> = {
            let mut rng = Pcg64Mcg::seed_from_u64(5);
            (0..100).map(|_| d.sample(&mut rng).to_bits()).collect()
        };
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        assert!((0..100).all(|k| d.sample(&mut rng).to_bits() == a[k]));
    }
}
