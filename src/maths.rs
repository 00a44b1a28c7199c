//! Elementary functions for the hot loops, to the bit what the `libm` crate computes.
//!
//! domino computes with `libm` rather than the platform's maths library so that a seed gives the
//! same numbers on every machine (see [`crate::rng`]). The model's Gaussian kernels and the
//! samplers call `exp` hundreds of millions of times a run, so [`exp`] is `libm`'s own algorithm
//! inlined into the caller, and [`below_exp_neg`] decides a comparison with `exp` without it when
//! it can. Both give exactly the answers of the `libm` that `Cargo.lock` pins (0.2.16, whose
//! `exp` is FreeBSD's `e_exp.c` on every target with SSE2 or without x87); their tests compare
//! them with it on millions of arguments, so an update of `libm` that changed its `exp` fails
//! them. This module uses nothing of the crate.

/// Beyond this |x| [`exp`] hands over to `libm::exp`: below `e_exp.c`'s own special cases
/// (overflow and underflow, from |x| = 708.39) and far enough inside them that `2^k` and the
/// result are normal numbers (|k| <= 996), where scaling by `2^k` is one exact multiplication, as
/// `libm`'s `scalbn` does it.
const EXP_FAST_LIMIT: f64 = 690.0;

/// High words of |x| where `e_exp.c` changes its argument reduction.
mod reduction {
    /// Above this (|x| > ln2 / 2), x is reduced by k ln2 with k != 0.
    pub const HALF_LN2: u32 = 0x3fd6_2e42;
    /// From this on (|x| >= 1.5 ln2), k is x / ln2 rounded; below it, k is +-1.
    pub const THREE_HALVES_LN2: u32 = 0x3ff0_a2b2;
    /// At or below this (|x| <= 2^-28), exp(x) is taken as 1 + x.
    pub const TINY: u32 = 0x3e30_0000;
}

/// `libm::exp(x)`, to the bit.
///
/// ```
/// assert_eq!(domino::maths::exp(-0.5).to_bits(), libm::exp(-0.5).to_bits());
/// ```
///
/// It is the same algorithm (FreeBSD's `e_exp.c`, which `libm` ports): the same reduction,
/// polynomial and operations in the same order, so the same result. But it is inlined into the
/// loop that calls it and leaves out the special cases, sending NaN and every |x| from
/// 690 (`EXP_FAST_LIMIT`) on to `libm::exp`. Inlined, it took about 5 % off a national run, where it
/// is a tenth of the time.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // The constants of e_exp.c, by their bits as it gives them.
    const LN2HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const INVLN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
    const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e);
    const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93);
    const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c);
    const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1);
    const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0);
    if x.is_nan() || x.abs() >= EXP_FAST_LIMIT {
        return libm::exp(x);
    }
    let negative = x.is_sign_negative();
    // The high word of |x|, compared with the same thresholds as e_exp.c.
    let hx = ((x.to_bits() >> 32) as u32) & 0x7fff_ffff;
    let (hi, lo, k) = if hx > reduction::HALF_LN2 {
        // x = k ln2 + r with k rounded half away from zero (or +-1 near ln2), and k ln2 split
        // in two so that the high part is exact.
        let k = if hx >= reduction::THREE_HALVES_LN2 {
            (INVLN2 * x + if negative { -0.5 } else { 0.5 }) as i32
        } else if negative {
            -1
        } else {
            1
        };
        (x - k as f64 * LN2HI, k as f64 * LN2LO, k)
    } else if hx > reduction::TINY {
        (x, 0.0, 0)
    } else {
        // What e_exp.c returns for |x| <= 2^-28 (within one unit in the last place of e^x).
        return 1.0 + x;
    };
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    if k == 0 {
        y
    } else {
        y * f64::from_bits(((0x3ff + k) as u64) << 52)
    }
}

/// The margin kept between a uniform and the bounds of [`below_exp_neg`]. The bounds are a few
/// roundings of numbers below 2 wherever they can decide (an error under 1e-15), and `libm::exp`
/// is within one unit in the last place, so anything wider than about 1e-15 keeps the shortcut
/// exact; 1e-12 leaves a thousandfold room and sends only that sliver of draws to `exp`.
const EXP_BOUND_MARGIN: f64 = 1e-12;

/// Whether `u < exp(-x)`, with exactly the answer of comparing with `libm::exp(-x)`, but working
/// the exponential out only when cheap bounds cannot decide. For `x >= 0` Taylor's theorem gives
/// `1 - x + x^2/2 - x^3/6 <= e^-x <= 1 / (1 + x + x^2/2 + x^3/6)`; a draw clearly below the first
/// is accepted and one clearly above the second rejected, so an acceptance test such as the
/// network generator's homophily needs `exp` for only a few per cent of its draws.
///
/// ```
/// use domino::maths::{below_exp_neg, exp};
/// assert_eq!(below_exp_neg(0.3, 0.5), 0.3 < exp(-0.5)); // decided by the lower bound
/// assert_eq!(below_exp_neg(0.6065, 0.5), 0.6065 < exp(-0.5)); // between the bounds: exp
/// ```
#[inline]
pub fn below_exp_neg(u: f64, x: f64) -> bool {
    if x >= 0.0 {
        let (lower, upper) = exp_neg_bounds(x);
        if u < lower - EXP_BOUND_MARGIN {
            return true;
        }
        if u >= upper + EXP_BOUND_MARGIN {
            return false;
        }
    }
    u < exp(-x)
}

/// Bounds on `e^-x` for `x >= 0` from Taylor's theorem (the remainder after the cubic term of
/// `e^-x` is positive, and `e^x` is at least its cubic Taylor polynomial).
#[inline]
fn exp_neg_bounds(x: f64) -> (f64, f64) {
    let lower = 1.0 - x * (1.0 - x * (0.5 - x / 6.0));
    let upper = 1.0 / (1.0 + x * (1.0 + x * (0.5 + x / 6.0)));
    (lower, upper)
}

/// `10^k` by repeated multiplication: exact up to 10^22 and the same bytes on every machine
/// beyond, which std's `powi` does not promise. For the round numbers of chart ticks and sliders.
pub fn power_of_ten(k: u32) -> f64 {
    (0..k).fold(1.0, |p, _| p * 10.0)
}

#[cfg(test)]
mod tests {
    /// Powers of ten are exact where a double can hold them, whatever the platform's `powi`.
    #[test]
    fn powers_of_ten_are_exact() {
        let exact = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        for (k, want) in exact.iter().enumerate() {
            assert_eq!(super::power_of_ten(k as u32), *want, "10^{k}");
        }
    }

    use super::*;
    use rand::{Rng, SeedableRng};

    /// [`exp`] must equal `libm::exp` to the bit, or every output of the model would change:
    /// 10^7 arguments over the whole range (most within 20 of 0, where the kernels and samplers
    /// live), every threshold of the algorithm with its neighbours, 200,000 arguments of each
    /// sign on each threshold's high word (where a `>` written as `>=` would show), and the
    /// special values.
    #[test]
    fn the_inlined_exponential_is_libm_s_to_the_bit() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(5);
        let check = |x: f64| {
            let (a, b) = (exp(x), libm::exp(x));
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "x = {x:e}: {a:e} against libm's {b:e}"
            );
        };
        let thresholds = [
            reduction::HALF_LN2,
            reduction::THREE_HALVES_LN2,
            reduction::TINY,
        ];
        // Each threshold's high word and the next one (the first value past a `>` test), the
        // hand-over to libm, and 0.
        let edges = thresholds
            .iter()
            .flat_map(|&hx| [u64::from(hx) << 32, (u64::from(hx) + 1) << 32])
            .map(f64::from_bits)
            .chain([EXP_FAST_LIMIT, 0.0]);
        for edge in edges {
            for dx in -3i64..=3 {
                let x = f64::from_bits((edge.to_bits() as i64 + dx).max(0) as u64);
                check(x);
                check(-x);
            }
        }
        // Every high word at a threshold, with random low words: where the two branches meet.
        for hx in thresholds {
            for _ in 0..200_000 {
                let low: u32 = rng.random();
                let x = f64::from_bits((u64::from(hx) << 32) | u64::from(low));
                check(x);
                check(-x);
            }
        }
        for x in [0.0, -0.0, 1e-300, -1e-300, 709.0, 710.0, -745.2, -800.0] {
            check(x);
        }
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            check(x);
        }
        for k in 0..10_000_000u32 {
            let u: f64 = rng.random();
            let x = match k % 5 {
                0 => 40.0 * u - 20.0,
                1 => (u - 0.5) * 1e-6,
                2 => 1500.0 * u - 750.0,
                3 => (2.0f64).powf(-60.0 * u),
                _ => -(2.0f64).powf(-60.0 * u),
            };
            check(x);
        }
    }

    /// Every shortcut of `below_exp_neg` must agree with the plain comparison, including for
    /// draws one unit in the last place either side of `exp(-x)` itself, where a margin too thin
    /// for the rounding would show. Over x from 0 to 40 (and 0, tiny and huge x), 10^6 draws.
    #[test]
    fn the_bounded_exp_test_agrees_with_exp_to_the_last_bit() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
        let mut shortcuts = 0u32;
        let mut xs = vec![0.0, 1e-300, 1e-20, 1e-8, 1e300, f64::INFINITY];
        xs.extend((0..200_000).map(|_| 40.0 * rand::Rng::random::<f64>(&mut rng).powi(3)));
        for x in xs {
            let e = libm::exp(-x);
            let around = [
                e,
                f64::from_bits(e.to_bits().saturating_sub(1)),
                f64::from_bits(e.to_bits() + 1),
                rand::Rng::random::<f64>(&mut rng),
                rand::Rng::random::<f64>(&mut rng) * e * 2.0,
            ];
            for u in around {
                assert_eq!(below_exp_neg(u, x), u < e, "u = {u:e}, x = {x:e}");
            }
            let u = around[3];
            let (lower, upper) = exp_neg_bounds(x);
            shortcuts += (u < lower - EXP_BOUND_MARGIN || u >= upper + EXP_BOUND_MARGIN) as u32;
        }
        // The bounds decide most uniform draws (else the function saves nothing).
        assert!(
            shortcuts > 190_000,
            "{shortcuts} of 200,006 uniform draws decided by the bounds"
        );
    }
}
