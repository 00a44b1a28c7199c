//! A fast, portable `exp` for the hot loop.
//!
//! The model evaluates `exp` for every tie an adopter teaches along and every implementing school,
//! each term. The platform's `exp` is a library call whose last bits may differ between CPUs
//! (glibc picks an FMA or a non-FMA version at run time), which would break bit-identical outputs
//! across machines. This version uses only additions, multiplications and bit operations, which
//! IEEE 754 defines exactly, and is inlined.

/// `e^x` for `x <= 0` (larger `x` is accepted and exact to the same relative error up to 700).
/// Relative error below 2e-11 (checked against `f64::exp` in the tests).
#[inline]
pub fn exp(x: f64) -> f64 {
    if x < -708.0 {
        return 0.0;
    }
    const LOG2_E: f64 = std::f64::consts::LOG2_E;
    // ln 2 split so that k * LN2_HI is exact for |k| < 2^11.
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // floor(t) by truncation and a correction: `f64::floor` is a library call without SSE4.1.
    let t = x * LOG2_E + 0.5;
    let mut k = t as i64 as f64;
    if k > t {
        k -= 1.0;
    }
    let r = x - k * LN2_HI - k * LN2_LO;
    // Taylor series of e^r on |r| <= ln2 / 2 to degree 9 (truncation error < 1e-11), evaluated
    // in Estrin's scheme to shorten the chain of dependent multiplications.
    let r2 = r * r;
    let r4 = r2 * r2;
    let p01 = 1.0 + r;
    let p23 = 0.5 + r * (1.0 / 6.0);
    let p45 = 1.0 / 24.0 + r * (1.0 / 120.0);
    let p67 = 1.0 / 720.0 + r * (1.0 / 5040.0);
    let p89 = 1.0 / 40_320.0 + r * (1.0 / 362_880.0);
    let p = (p01 + r2 * p23) + r4 * ((p45 + r2 * p67) + r4 * p89);
    let k = k as i64;
    if k < -1022 {
        // Subnormal result: scale in two steps.
        return p * f64::from_bits(((k + 1022 + 1023) as u64) << 52) * f64::from_bits(1u64 << 52);
    }
    p * f64::from_bits(((k + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn matches_std_exp(x in -745.0f64..50.0) {
            let (got, want) = (exp(x), x.exp());
            if want > 1e-300 {
                prop_assert!(((got - want) / want).abs() < 2e-11, "x = {}: {} vs {}", x, got, want);
            } else {
                prop_assert!(got < 1e-290);
            }
        }
    }

    #[test]
    fn exact_at_zero_and_monotone_near_it() {
        assert_eq!(exp(0.0), 1.0);
        assert!(exp(-1e-9) < 1.0);
        assert!((exp(-1.0) - (-1.0f64).exp()).abs() < 1e-11);
    }
}
