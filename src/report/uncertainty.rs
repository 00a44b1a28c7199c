//! How often each arm wins across runs, and which uncertain parameters decide the winner.
//!
//! Each run of an ensemble is one world: with uncertain scenario fields, one draw of them, shared
//! by every arm (common random numbers). [`crate::metrics::stats::wins`] counts, run by run,
//! which arm has the best headline figure (ties split). [`deciding`] relates, for every pair of
//! arms, the paired difference of the headline in run k to the values drawn for run k:
//! Spearman's rank correlation, with a 95 % interval from Fisher's z with Fieller, Hartley &
//! Pearson's (1957) variance `1.06 / (n - 3)`. A parameter with `|rho|` near 1 decides which of
//! the two arms wins; one near 0 does not matter to it.

use crate::engine::Ensemble;
use crate::metrics::stats::spearman;
use crate::output::{csv_writer, num};
use std::io::{self, Write};

/// The 95 % interval of a Spearman correlation `rho` over `n` pairs (Fisher's z, variance
/// `1.06 / (n - 3)`); NaN for `n < 4`.
pub(crate) fn rho_interval(rho: f64, n: usize) -> (f64, f64) {
    if n < 4 || rho.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    // `libm`, not std (the platform's maths library), so `uncertainty.csv` is the same bytes on
    // every machine.
    let z = libm::atanh(rho.clamp(-0.999_999, 0.999_999));
    let half = 1.96 * (1.06 / (n as f64 - 3.0)).sqrt();
    (libm::tanh(z - half), libm::tanh(z + half))
}

/// One row of `uncertainty.csv`: how the paired difference `arm_a - arm_b` of the headline
/// follows a drawn parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Deciding {
    /// The uncertain field's path.
    pub parameter: String,
    /// Index of the first arm.
    pub arm_a: usize,
    /// Index of the second arm.
    pub arm_b: usize,
    /// Spearman's rho of `headline(a) - headline(b)` with the parameter, over runs.
    pub rho: f64,
    /// Runs.
    pub n: usize,
    /// 95 % interval of rho.
    pub ci: (f64, f64),
}

/// For arms `a` and `b`, every drawn parameter's rank correlation with the paired difference of
/// the headline, in parameter order.
pub(crate) fn deciding_pair(result: &Ensemble, a: usize, b: usize) -> Vec<Deciding> {
    let h = result.measures.headline;
    let (xa, xb) = (result.column(a, h), result.column(b, h));
    let diff: Vec<f64> = xa.iter().zip(&xb).map(|(p, q)| p - q).collect();
    let n = diff.len().min(result.draws.len());
    result
        .parameters
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let drawn: Vec<f64> = result.draws.iter().take(n).map(|d| d[j]).collect();
            let rho = spearman(&diff[..n], &drawn);
            Deciding {
                parameter: p.clone(),
                arm_a: a,
                arm_b: b,
                rho,
                n,
                ci: rho_interval(rho, n),
            }
        })
        .collect()
}

/// Every pair of arms (a before b in scenario order) with every parameter: the rows of
/// `uncertainty.csv`.
pub fn deciding(result: &Ensemble) -> Vec<Deciding> {
    let k = result.strategies.len();
    let mut out = Vec::new();
    for a in 0..k {
        for b in a + 1..k {
            out.extend(deciding_pair(result, a, b));
        }
    }
    out
}

/// `rows` sorted by decreasing `|rho|` (undefined last, then parameter order).
pub(crate) fn by_strength(mut rows: Vec<Deciding>) -> Vec<Deciding> {
    let key = |d: &Deciding| if d.rho.is_nan() { -1.0 } else { d.rho.abs() };
    rows.sort_by(|x, y| key(y).total_cmp(&key(x)));
    rows
}

/// The columns of `uncertainty.csv`, written here and read back by the report.
pub const HEADER: [&str; 7] = [
    "parameter",
    "arm_a",
    "arm_b",
    "rho",
    "n",
    "rho_ci_low",
    "rho_ci_high",
];

/// Writes `uncertainty.csv` ([`HEADER`]).
pub(crate) fn write_csv(w: &mut dyn Write, result: &Ensemble) -> io::Result<()> {
    let mut out = csv_writer(w);
    out.write_record(HEADER)?;
    for d in deciding(result) {
        out.write_record([
            d.parameter.clone(),
            result.strategies[d.arm_a].clone(),
            result.strategies[d.arm_b].clone(),
            num(d.rho),
            d.n.to_string(),
            num(d.ci.0),
            num(d.ci.1),
        ])?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The interval is `libm`'s `atanh` and `tanh` to the bit (pinned here), not the
    /// platform's: glibc's `tanh` gives 0x3fd0_46c0_9b2c_86f3 and 0x3fde_6a62_f9f8_fbf5.
    #[test]
    fn rho_interval_is_libms_to_the_bit() {
        let (lo, hi) = rho_interval(0.37, 250);
        assert_eq!(
            (lo.to_bits(), hi.to_bits()),
            (0x3fd0_46c0_9b2c_86f4, 0x3fde_6a62_f9f8_fbf7),
            "{lo} {hi}"
        );
    }

    #[test]
    fn rho_interval_holds_its_estimate() {
        let (lo, hi) = rho_interval(0.5, 100);
        assert!(lo < 0.5 && 0.5 < hi && lo > 0.3 && hi < 0.7);
        assert!(rho_interval(0.5, 3).0.is_nan());
    }
}
