//! Published closed-form and semi-analytic predictions that domino's classic diffusion models
//! are validated against.
//!
//! Every function here is pure `f64` arithmetic with no randomness: the validation suite runs the
//! simulated models on large random graphs and checks that their ensemble averages match these
//! numbers within statistical and finite-size tolerances.
//! The transcendental functions come from `libm`, as everywhere else in domino, so the theory
//! columns of `docs/validation.md` are the same bytes on every machine.
//!
//! * Independent cascade = bond percolation on an Erdos-Renyi (Poisson degree) graph:
//!   [`percolation_giant_fraction`] and [`mean_outbreak_size`], after M. E. J. Newman, "Spread of
//!   epidemic disease on networks", Phys. Rev. E 66, 016128 (2002).
//! * Fractional threshold model with one threshold for all nodes:
//!   [`watts_cascade_condition`], [`watts_window`] and [`watts_cascade_probability`], after
//!   D. J. Watts, "A simple model of global cascades on random networks", PNAS 99, 5766 (2002);
//!   and [`watts_cascade_size`], after J. P. Gleeson and D. J. Cahalane, "Seed size strongly
//!   affects cascades on random networks", Phys. Rev. E 75, 056103 (2007).
//! * Bass diffusion in a fully mixed population: [`bass_cumulative`] and [`bass_peak_time`],
//!   after F. M. Bass, "A new product growth for model consumer durables", Management Science 15,
//!   215 (1969).
//! * Complex contagion with a count threshold on a ring lattice: [`ring_time_to_half`], the
//!   deterministic front of D. Centola and M. Macy, "Complex contagions and the weakness of long
//!   ties", American Journal of Sociology 113(3), 702-734 (2007).
//!
//! The network results assume a locally tree-like graph in the limit of many nodes. Threshold
//! activation follows the simulation's rule: a node of degree k > 0 with m active neighbours
//! activates when `m / k >= phi`; a node of degree 0 never activates unless seeded.

/// Poisson probabilities below this (past the mean) end the degree sums.
const PMF_CUTOFF: f64 = 1e-18;

/// Bisection steps of the root finders; more than enough to reach full `f64` precision on (0, 1].
const BISECTION_STEPS: usize = 200;

/// Most iterations of the Gleeson-Cahalane map; it converges geometrically except exactly at a
/// tangency, where this bounds the running time.
const MAX_FIXED_POINT_ITERATIONS: usize = 100_000;

/// The Gleeson-Cahalane iteration stops once a step moves the edge activation probability by less.
const FIXED_POINT_TOLERANCE: f64 = 1e-15;

/// Grid spacing and upper end of the scan over mean degree in [`watts_window`].
const WINDOW_SCAN_STEP: f64 = 0.01;
const WINDOW_SCAN_MAX: f64 = 30.0;

/// Fraction of nodes in the giant outbreak of bond percolation with transmissibility `t` on an
/// Erdos-Renyi graph with mean degree `z` (the expected final size of a large independent-cascade
/// outbreak, and the probability that one random seed starts one).
///
/// It is the largest root S in (0, 1] of `S = 1 - exp(-z T S)` (Newman 2002, Phys. Rev. E 66,
/// 016128, with Poisson generating functions G0(x) = G1(x) = exp(z (x - 1))), and 0 at or
/// below the epidemic threshold `z T <= 1`. Solved by bisection to full precision.
///
/// # Panics
///
/// If `z` is negative or not finite, or `t` is outside [0, 1].
pub fn percolation_giant_fraction(z: f64, t: f64) -> f64 {
    check_mean_degree(z);
    assert!(
        (0.0..=1.0).contains(&t),
        "transmissibility must be in [0, 1], got {t}"
    );
    let c = z * t;
    largest_fixed_point(|s| -libm::expm1(-c * s), c)
}

/// Mean number of nodes infected, counting the seed, by an independent cascade from one random
/// seed below the epidemic threshold on an Erdos-Renyi graph with mean degree `z` and
/// transmissibility `t`: `<s> = 1 + T G0'(1) / (1 - T G1'(1)) = 1 / (1 - z T)` (Newman 2002,
/// Phys. Rev. E 66, 016128, with G0'(1) = G1'(1) = z).
///
/// `None` at or above the threshold `z T >= 1`, where the mean diverges.
///
/// # Panics
///
/// If `z` is negative or not finite, or `t` is outside [0, 1].
pub fn mean_outbreak_size(z: f64, t: f64) -> Option<f64> {
    check_mean_degree(z);
    assert!(
        (0.0..=1.0).contains(&t),
        "transmissibility must be in [0, 1], got {t}"
    );
    let c = z * t;
    (c < 1.0).then(|| 1.0 / (1.0 - c))
}

/// Watts' cascade condition (Watts 2002, PNAS 99, 5766, eq. 5) for the threshold model with
/// uniform threshold `phi` on an Erdos-Renyi graph with mean degree `z`:
/// `sum_k k (k - 1) rho_k p_k > z`, with p_k the Poisson(z) degree distribution and rho_k = 1 for
/// *vulnerable* degrees (k > 0 and one active neighbour suffices, 1 / k >= phi), else 0.
///
/// True when the vulnerable nodes percolate, so a single seed can start a global cascade.
///
/// # Panics
///
/// If `z` is negative or not finite, or `phi` is NaN.
pub fn watts_cascade_condition(z: f64, phi: f64) -> bool {
    check_mean_degree(z);
    check_threshold(phi);
    let branching: f64 = poisson_pmf(z)
        .filter(|&(k, _)| is_vulnerable(k, phi))
        .map(|(k, p)| {
            let k = f64::from(k);
            k * (k - 1.0) * p
        })
        .sum();
    branching > z
}

/// The cascade window of the threshold model with uniform threshold `phi` on Erdos-Renyi graphs:
/// the lower and upper mean degree between which [`watts_cascade_condition`] holds
/// (Watts 2002, PNAS 99, 5766).
///
/// Found by scanning z over (0, 30] in steps of 0.01 and bisecting each flip to full precision;
/// the lower edge is the first flip to true, the upper edge the last flip back to false. If the
/// condition still holds at z = 30 the upper edge is `f64::INFINITY` (beyond the scan), and if it
/// never holds both edges are NaN.
///
/// # Panics
///
/// If `phi` is NaN.
pub fn watts_window(phi: f64) -> (f64, f64) {
    check_threshold(phi);
    let holds = |z: f64| watts_cascade_condition(z, phi);
    // Grid points z_i = i * step, i = 0..=steps; the condition never holds at z = 0.
    let steps = (WINDOW_SCAN_MAX / WINDOW_SCAN_STEP).round() as u32;
    let grid = |i: u32| f64::from(i) * WINDOW_SCAN_STEP;
    let Some(first) = (1..=steps).find(|&i| holds(grid(i))) else {
        return (f64::NAN, f64::NAN);
    };
    let last = (first..=steps)
        .rev()
        .find(|&i| holds(grid(i)))
        .unwrap_or(first);
    let lower = bisect_flip(&holds, grid(first - 1), grid(first));
    let upper = if last == steps {
        f64::INFINITY
    } else {
        bisect_flip(&holds, grid(last + 1), grid(last))
    };
    (lower, upper)
}

/// Probability that one random seed starts a global cascade in the threshold model with uniform
/// threshold `phi` on an Erdos-Renyi graph with mean degree `z`: the fraction of nodes in the
/// *extended vulnerable cluster* (Watts 2002, PNAS 99, 5766).
///
/// With p_k the Poisson(z) degrees, rho_k the vulnerable indicator of
/// [`watts_cascade_condition`], and u the probability that a random edge does not lead into the
/// giant vulnerable cluster, the smallest root in [0, 1] of
/// `u = 1 - sum_k (k p_k / z) rho_k (1 - u^(k-1))`, the answer is `P = 1 - sum_k p_k u^k`.
/// u = 1 is always a root; when it is the only one (the cascade condition fails) this returns 0.
/// Solved by bisection on s = 1 - u, where the right-hand side is concave.
///
/// # Panics
///
/// If `z` is negative or not finite, or `phi` is NaN.
pub fn watts_cascade_probability(z: f64, phi: f64) -> f64 {
    if !watts_cascade_condition(z, phi) {
        return 0.0;
    }
    let pmf: Vec<(u32, f64)> = poisson_pmf(z).collect();
    // Probability that an edge leads into the giant vulnerable cluster, given that a neighbour
    // along it does so with probability s.
    let into_cluster = |s: f64| -> f64 {
        pmf.iter()
            .filter(|&&(k, _)| is_vulnerable(k, phi))
            .map(|&(k, p)| f64::from(k) * p / z * one_minus_power(s, k - 1))
            .sum()
    };
    // The cascade condition is exactly into_cluster'(0) > 1.
    let s = largest_fixed_point(into_cluster, f64::INFINITY);
    pmf.iter().map(|&(k, p)| p * one_minus_power(s, k)).sum()
}

/// Final active fraction of the threshold model with uniform threshold `phi` on a tree-like
/// Erdos-Renyi graph with mean degree `z`, seeded with a random fraction `seed_fraction` (rho0) of
/// the nodes (Gleeson & Cahalane 2007, Phys. Rev. E 75, 056103).
///
/// With p_k the Poisson(z) degrees and F(m, k) = 1 when k > 0 and m / k >= phi (else 0), the
/// probability q that a node reached along an edge ends active is the limit of
/// `q_{n+1} = rho0 + (1 - rho0) sum_k (k p_k / z) sum_{m=0}^{k-1} C(k-1, m) q_n^m (1 - q_n)^(k-1-m) F(m, k)`
/// from q_0 = rho0, and the active fraction is
/// `rho = rho0 + (1 - rho0) sum_k p_k sum_{m=0}^{k} C(k, m) q^m (1 - q)^(k-m) F(m, k)`.
/// The inner sums are binomial upper tails, evaluated term by term in log space.
///
/// # Panics
///
/// If `z` is negative or not finite, `phi` is NaN, or `seed_fraction` is outside [0, 1].
pub fn watts_cascade_size(z: f64, phi: f64, seed_fraction: f64) -> f64 {
    check_mean_degree(z);
    check_threshold(phi);
    let rho0 = seed_fraction;
    assert!(
        (0.0..=1.0).contains(&rho0),
        "seed fraction must be in [0, 1], got {rho0}"
    );
    // (k, p_k, fewest active neighbours that activate a node of degree k) for activatable k.
    let degrees: Vec<(u32, f64, u32)> = poisson_pmf(z)
        .filter_map(|(k, p)| needed_neighbours(k, phi).map(|m| (k, p, m)))
        .collect();
    let edge_step = |q: f64| -> f64 {
        let reached: f64 = degrees
            .iter()
            .map(|&(k, p, m)| f64::from(k) * p / z * binomial_upper_tail(k - 1, m, q))
            .sum();
        rho0 + (1.0 - rho0) * reached
    };
    let mut q = rho0;
    for _ in 0..MAX_FIXED_POINT_ITERATIONS {
        let next = edge_step(q).min(1.0);
        let moved = (next - q).abs();
        q = next;
        if moved < FIXED_POINT_TOLERANCE {
            break;
        }
    }
    let activated: f64 = degrees
        .iter()
        .map(|&(k, p, m)| p * binomial_upper_tail(k, m, q))
        .sum();
    (rho0 + (1.0 - rho0) * activated).min(1.0)
}

/// Bass (1969, Management Science 15, 215) cumulative adoption share at time `t` with innovation
/// coefficient `p` and imitation coefficient `q`:
/// `F(t) = (1 - e^{-(p+q) t}) / (1 + (q/p) e^{-(p+q) t})`, the solution of
/// `dF/dt = (p + q F)(1 - F)` with F(0) = 0.
///
/// # Panics
///
/// If `p` is not positive or `q` is negative.
pub fn bass_cumulative(p: f64, q: f64, t: f64) -> f64 {
    check_bass(p, q);
    let decay = libm::exp(-(p + q) * t);
    // 1 - decay via expm1 keeps F accurate for small t.
    -libm::expm1(-(p + q) * t) / (1.0 + q / p * decay)
}

/// Time at which the Bass (1969, Management Science 15, 215) adoption rate dF/dt peaks:
/// `t* = ln(q/p) / (p + q)`, where F(t*) = (q - p) / (2q).
///
/// When q <= p the rate only falls after t = 0; the formula then gives t* <= 0 (and -infinity for
/// q = 0).
///
/// # Panics
///
/// If `p` is not positive or `q` is negative.
pub fn bass_peak_time(p: f64, q: f64) -> f64 {
    check_bass(p, q);
    libm::log(q / p) / (p + q)
}

/// Rounds until at least half of a ring lattice is active under a count threshold (complex
/// contagion; Centola & Macy 2007, AJS 113(3), 702-734), from one contiguous block of seeds.
///
/// The ring has `n` nodes, each tied to the `k` nearest on either side (degree 2k); a node
/// activates in round t + 1 once at least `count` of its neighbours are active at t; the `seeds`
/// active nodes at round 0 are contiguous (a node and its 2k neighbours are 2k + 1 of them).
/// Past either end of an active block of at least k nodes, the node d places out (1 <= d <= k)
/// has k - d + 1 active neighbours on that side. While the inactive arc is longer than 2k - 1 no
/// node sees both ends, so it has no others, and it activates exactly when k - d + 1 >= count:
/// every round each end advances by a = k - count + 1 nodes, and after t rounds
/// `seeds + 2 a t` nodes are active. Half is reached in the first round with
/// `2 (seeds + 2 a t) >= n`:
///
/// `t50 = ceil((n - 2 seeds) / (4 a))`, and 0 if the seeds are already half.
///
/// Before that round fewer than half the nodes are active, so the inactive arc is longer than
/// n / 2 >= 2k - 1 (required below) and no node sees both ends. `None` when `count > k`: a = 0 and
/// the block never grows.
///
/// # Panics
///
/// If `count` is 0, `seeds` is below `k` or above `n`, or `n < 4k`.
pub fn ring_time_to_half(n: u64, k: u64, count: u64, seeds: u64) -> Option<u64> {
    assert!(count >= 1, "a count threshold is at least 1");
    assert!(
        (k..=n).contains(&seeds),
        "the seed block must hold k to n nodes, got {seeds}"
    );
    assert!(n >= 4 * k, "the ring must have at least 4k nodes, got {n}");
    if 2 * seeds >= n {
        return Some(0);
    }
    let advance = (k + 1).checked_sub(count).filter(|&a| a > 0)?;
    Some((n - 2 * seeds).div_ceil(4 * advance))
}

fn check_mean_degree(z: f64) {
    assert!(
        z.is_finite() && z >= 0.0,
        "mean degree must be finite and >= 0, got {z}"
    );
}

fn check_threshold(phi: f64) {
    assert!(!phi.is_nan(), "threshold must not be NaN");
}

fn check_bass(p: f64, q: f64) {
    assert!(p > 0.0 && p.is_finite(), "Bass p must be positive, got {p}");
    assert!(q >= 0.0 && q.is_finite(), "Bass q must be >= 0, got {q}");
}

/// `(k, p_k)` of the Poisson distribution with mean `z`, from k = 0 until, past the mean, p_k drops
/// below [`PMF_CUTOFF`]. Computed in log space (`ln p_k = ln p_{k-1} + ln z - ln k`), so neither
/// `e^-z` nor k! over- or underflows.
fn poisson_pmf(z: f64) -> impl Iterator<Item = (u32, f64)> {
    let ln_z = libm::log(z);
    (0u32..).scan(-z, move |ln_p, k| {
        if k > 0 {
            *ln_p += ln_z - libm::log(f64::from(k));
        }
        let p = libm::exp(*ln_p);
        (f64::from(k) <= z || p >= PMF_CUTOFF).then_some((k, p))
    })
}

/// The fewest active neighbours that activate a node of degree `k` with threshold `phi`: the
/// smallest m with m / k >= phi (the simulation's rule), or `None` if no m <= k does or k = 0.
fn needed_neighbours(k: u32, phi: f64) -> Option<u32> {
    if k == 0 {
        return None;
    }
    let kf = f64::from(k);
    (0..=k).find(|&m| f64::from(m) / kf >= phi)
}

/// Vulnerable: the node has ties and one active neighbour suffices (Watts 2002).
fn is_vulnerable(k: u32, phi: f64) -> bool {
    needed_neighbours(k, phi).is_some_and(|m| m <= 1)
}

/// `1 - (1 - s)^n`, accurate for s near 0 and exact at s = 1.
fn one_minus_power(s: f64, n: u32) -> f64 {
    if n == 0 {
        0.0
    } else if s >= 1.0 {
        1.0
    } else {
        -libm::expm1(f64::from(n) * libm::log1p(-s))
    }
}

/// P(Binomial(n, q) >= m), summing the terms in log space so none underflows prematurely when q
/// is close to 0 or 1.
fn binomial_upper_tail(n: u32, m: u32, q: f64) -> f64 {
    if m == 0 {
        return 1.0;
    }
    if m > n || q <= 0.0 {
        return 0.0;
    }
    if q >= 1.0 {
        return 1.0;
    }
    let (ln_q, ln_1mq) = (libm::log(q), libm::log1p(-q));
    let mut ln_choose = ln_binomial(n, m);
    let mut tail = 0.0;
    for j in m..=n {
        if j > m {
            ln_choose += libm::log(f64::from(n - j + 1)) - libm::log(f64::from(j));
        }
        tail += libm::exp(ln_choose + f64::from(j) * ln_q + f64::from(n - j) * ln_1mq);
    }
    tail.min(1.0)
}

/// `ln C(n, m)` for m <= n, as a sum of logs (the degrees here stay small).
fn ln_binomial(n: u32, m: u32) -> f64 {
    let m = m.min(n - m);
    (1..=m)
        .map(|i| libm::log(f64::from(n - m + i)) - libm::log(f64::from(i)))
        .sum()
}

/// The largest root s in (0, 1] of `s = f(s)`, for f increasing and concave on [0, 1] with
/// f(0) = 0, or 0 when `slope_at_zero` = f'(0) <= 1 (then s = 0 is the only root). Pass
/// `f64::INFINITY` when the caller has already established f'(0) > 1.
///
/// f(s) / s decreases on (0, 1], so the root splits (0, 1] into f(s) > s below it and f(s) <= s
/// above it: bisection on that sign.
fn largest_fixed_point(f: impl Fn(f64) -> f64, slope_at_zero: f64) -> f64 {
    if slope_at_zero <= 1.0 {
        return 0.0;
    }
    if f(1.0) >= 1.0 {
        return 1.0;
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..BISECTION_STEPS {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) > mid {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Where `holds` flips between `off` (false there) and `on` (true there), by bisection.
fn bisect_flip(holds: &impl Fn(f64) -> bool, mut off: f64, mut on: f64) -> f64 {
    for _ in 0..BISECTION_STEPS {
        let mid = 0.5 * (off + on);
        if mid == off || mid == on {
            break;
        }
        if holds(mid) {
            on = mid;
        } else {
            off = mid;
        }
    }
    0.5 * (off + on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tol: f64) -> bool {
        (got - want).abs() <= tol
    }

    #[test]
    fn poisson_pmf_sums_to_one_with_mean_z() {
        for z in [0.5, 3.0, 17.0, 200.0] {
            let (mass, mean) =
                poisson_pmf(z).fold((0.0, 0.0), |(s, m), (k, p)| (s + p, m + f64::from(k) * p));
            assert!(close(mass, 1.0, 1e-12), "z = {z}: mass {mass}");
            assert!(close(mean, z, 1e-9 * z.max(1.0)), "z = {z}: mean {mean}");
        }
        assert_eq!(poisson_pmf(0.0).collect::<Vec<_>>(), vec![(0, 1.0)]);
    }

    #[test]
    fn binomial_tail_matches_direct_sums() {
        let direct = |n: u32, m: u32, q: f64| -> f64 {
            (m..=n)
                .map(|j| {
                    let c: f64 = (0..j)
                        .map(|i| f64::from(n - i) / f64::from(i + 1))
                        .product();
                    c * q.powi(j as i32) * (1.0 - q).powi((n - j) as i32)
                })
                .sum()
        };
        for (n, m, q) in [
            (10, 3, 0.2),
            (7, 1, 0.5),
            (20, 20, 0.9),
            (5, 2, 0.01),
            (30, 4, 0.13),
        ] {
            let (got, want) = (binomial_upper_tail(n, m, q), direct(n, m, q));
            assert!(
                close(got, want, 1e-13),
                "n {n} m {m} q {q}: {got} vs {want}"
            );
        }
        assert_eq!(binomial_upper_tail(5, 0, 0.3), 1.0);
        assert_eq!(binomial_upper_tail(5, 6, 0.3), 0.0);
        assert_eq!(binomial_upper_tail(5, 2, 0.0), 0.0);
        assert_eq!(binomial_upper_tail(5, 5, 1.0), 1.0);
        // Near q = 1 the low terms underflow but the tail must still be ~1.
        assert!(close(binomial_upper_tail(80, 3, 1.0 - 1e-12), 1.0, 1e-12));
    }

    #[test]
    fn needed_neighbours_follows_m_over_k() {
        assert_eq!(needed_neighbours(0, 0.1), None);
        assert_eq!(needed_neighbours(5, 0.2), Some(1)); // exactly at the threshold counts
        assert_eq!(needed_neighbours(6, 0.18), Some(2));
        assert_eq!(needed_neighbours(4, 0.0), Some(0));
        assert_eq!(needed_neighbours(4, 1.5), None);
        assert!((1..=5).all(|k| is_vulnerable(k, 0.18)));
        assert!(!is_vulnerable(6, 0.18) && !is_vulnerable(0, 0.18));
    }

    #[test]
    fn giant_fraction_known_values() {
        // S = 1 - exp(-2 S): 0.7968121300...
        assert!(close(
            percolation_giant_fraction(2.0, 1.0),
            0.796_812_130_0,
            1e-9
        ));
        assert!(close(
            percolation_giant_fraction(4.0, 0.5),
            0.796_812_130_0,
            1e-9
        ));
        // At and below the threshold there is no giant outbreak.
        assert_eq!(percolation_giant_fraction(1.0, 1.0), 0.0);
        assert_eq!(percolation_giant_fraction(4.0, 0.2), 0.0);
        assert_eq!(percolation_giant_fraction(0.0, 1.0), 0.0);
        // Just above threshold S ~ 2 (c - 1) / c^2.
        let c = 1.0 + 1e-4;
        let s = percolation_giant_fraction(c, 1.0);
        assert!(close(s / (2.0 * (c - 1.0)), 1.0, 1e-3), "S = {s}");
        // Dense graph: almost everyone, S = 1 - e^{-c S} ~ 1 - e^{-c}.
        assert!(close(
            percolation_giant_fraction(10.0, 1.0),
            0.999_954_579_4,
            1e-9
        ));
    }

    #[test]
    fn giant_fraction_solves_its_equation_and_grows_with_t() {
        let z = 5.0;
        let mut previous = 0.0;
        for i in 0..=100 {
            let t = f64::from(i) / 100.0;
            let s = percolation_giant_fraction(z, t);
            assert!(close(s, 1.0 - (-z * t * s).exp(), 1e-14), "t = {t}");
            assert!(s >= previous, "not monotone at t = {t}");
            if z * t > 1.0 {
                assert!(s > previous, "not increasing at t = {t}");
            }
            previous = s;
        }
    }

    #[test]
    fn mean_outbreak_size_below_threshold_only() {
        assert_eq!(mean_outbreak_size(4.0, 0.0), Some(1.0));
        assert!(close(mean_outbreak_size(4.0, 0.2).unwrap(), 5.0, 1e-12));
        assert!(close(mean_outbreak_size(2.0, 0.25).unwrap(), 2.0, 1e-12));
        assert_eq!(mean_outbreak_size(4.0, 0.25), None);
        assert_eq!(mean_outbreak_size(4.0, 0.5), None);
    }

    #[test]
    fn watts_condition_and_window_for_phi_0_18() {
        // Vulnerable degrees are k = 1..5, so the condition reads z P(Poisson(z) <= 3) > 1:
        // z = 6 gives 6 * 0.1512 = 0.907, already outside.
        for z in [1.5, 2.0, 3.0, 4.0, 5.0, 5.5] {
            assert!(watts_cascade_condition(z, 0.18), "z = {z} should be inside");
        }
        for z in [0.0, 0.8, 1.0, 6.0, 7.0, 10.0] {
            assert!(
                !watts_cascade_condition(z, 0.18),
                "z = {z} should be outside"
            );
        }
        let (lower, upper) = watts_window(0.18);
        assert!(close(lower, 1.020_70, 1e-5), "lower edge {lower}");
        assert!(close(upper, 5.764_68, 1e-5), "upper edge {upper}");
        // Both edges solve z P(Poisson(z) <= 3) = 1 in closed form.
        for z in [lower, upper] {
            let cdf3 = (-z).exp() * (1.0 + z + z * z / 2.0 + z * z * z / 6.0);
            assert!(close(z * cdf3, 1.0, 1e-12), "z = {z}");
        }
        // The edges are where the condition flips.
        assert!(!watts_cascade_condition(lower - 1e-9, 0.18));
        assert!(watts_cascade_condition(lower + 1e-9, 0.18));
        assert!(watts_cascade_condition(upper - 1e-9, 0.18));
        assert!(!watts_cascade_condition(upper + 1e-9, 0.18));
    }

    #[test]
    fn watts_window_shrinks_as_the_threshold_rises() {
        // phi = 0.24: vulnerable k = 1..4, condition z P(Poisson(z) <= 2) > 1.
        let (lower, upper) = watts_window(0.24);
        assert!(close(lower, 1.114_14, 1e-5), "lower edge {lower}");
        assert!(close(upper, 3.863_07, 1e-5), "upper edge {upper}");
        for z in [lower, upper] {
            let cdf2 = (-z).exp() * (1.0 + z + z * z / 2.0);
            assert!(close(z * cdf2, 1.0, 1e-12), "z = {z}");
        }
        let (lower18, upper18) = watts_window(0.18);
        assert!(lower18 < lower && upper < upper18);
        // With phi above 1/2 only degree-1 nodes are vulnerable: no window.
        let (a, b) = watts_window(0.6);
        assert!(a.is_nan() && b.is_nan());
        // Everyone vulnerable (phi = 0): the window is z > 1 with no upper edge in range.
        let (a, b) = watts_window(0.0);
        assert!(close(a, 1.0, 1e-9) && b == f64::INFINITY, "({a}, {b})");
    }

    #[test]
    fn watts_probability_is_zero_outside_and_positive_inside() {
        for z in [0.5, 0.8, 1.0, 6.0, 7.0, 10.0] {
            assert_eq!(watts_cascade_probability(z, 0.18), 0.0, "z = {z}");
        }
        for z in [1.5, 2.0, 3.0, 4.0, 5.0, 5.7] {
            let p = watts_cascade_probability(z, 0.18);
            assert!(p > 0.0 && p < 1.0, "z = {z}: {p}");
        }
        // Values cross-checked against a plain fixed-point iteration of u from 0.
        for (z, want) in [
            (2.0, 0.754_222),
            (3.0, 0.873_462),
            (4.0, 0.865_296),
            (5.0, 0.695_307),
        ] {
            let p = watts_cascade_probability(z, 0.18);
            assert!(close(p, want, 1e-6), "z = {z}: {p}");
        }
        // It collapses towards the upper edge (u -> 1 continuously).
        assert!(watts_cascade_probability(5.76, 0.18) < 0.01);
    }

    #[test]
    fn watts_probability_with_everyone_vulnerable_is_the_giant_component() {
        // phi = 0: every node with a tie is vulnerable, so the extended vulnerable cluster is
        // the giant component, S = 1 - exp(-z S).
        for z in [1.5, 2.0, 4.0] {
            let p = watts_cascade_probability(z, 0.0);
            assert!(
                close(p, percolation_giant_fraction(z, 1.0), 1e-12),
                "z = {z}: {p}"
            );
        }
    }

    #[test]
    fn cascade_size_depends_on_the_window() {
        // Inside the window a tiny seed takes over almost everything.
        let inside = watts_cascade_size(3.0, 0.18, 1e-4);
        assert!(inside > 0.9, "z = 3: {inside}");
        // Far outside (z = 10) the cascade stays near the seed fraction.
        let outside = watts_cascade_size(10.0, 0.18, 1e-4);
        assert!((1e-4..0.01).contains(&outside), "z = 10: {outside}");
        // Values cross-checked against a direct evaluation with exact binomial coefficients.
        for (z, want) in [
            (2.0, 0.796_641),
            (3.0, 0.940_485),
            (4.0, 0.980_175),
            (5.0, 0.993_024),
        ] {
            let rho = watts_cascade_size(z, 0.18, 1e-4);
            assert!(close(rho, want, 1e-6), "z = {z}: {rho}");
        }
        // Edge cases: no seeds, all seeds, no ties.
        assert_eq!(watts_cascade_size(3.0, 0.18, 0.0), 0.0);
        assert_eq!(watts_cascade_size(3.0, 0.18, 1.0), 1.0);
        assert_eq!(watts_cascade_size(0.0, 0.18, 0.05), 0.05);
    }

    #[test]
    fn cascade_size_with_one_neighbour_enough_is_the_giant_component() {
        // A threshold just above 0 needs one active neighbour at every degree: the cascade from a
        // vanishing seed covers the giant component.
        for z in [1.5, 2.0, 4.0] {
            let rho = watts_cascade_size(z, 1e-9, 1e-10);
            let s = percolation_giant_fraction(z, 1.0);
            assert!(close(rho, s, 1e-6), "z = {z}: {rho} vs {s}");
        }
    }

    #[test]
    fn cascade_size_grows_with_the_seed() {
        let mut previous = 0.0;
        for rho0 in [0.0, 1e-3, 0.01, 0.05, 0.1, 0.2, 0.5] {
            let rho = watts_cascade_size(8.0, 0.18, rho0);
            assert!(rho >= rho0 && rho >= previous, "rho0 = {rho0}: {rho}");
            previous = rho;
        }
        // Gleeson & Cahalane's point: outside Watts' window a large enough seed still cascades.
        assert!(watts_cascade_size(8.0, 0.18, 1e-3) < 0.01);
        assert!(watts_cascade_size(8.0, 0.18, 0.01) > 0.99);
    }

    #[test]
    fn bass_curve_shape() {
        let (p, q) = (0.03, 0.38);
        assert_eq!(bass_cumulative(p, q, 0.0), 0.0);
        assert!(close(bass_cumulative(p, q, 200.0), 1.0, 1e-12));
        // F'(0) = p.
        let h = 1e-6;
        let slope = bass_cumulative(p, q, h) / h;
        assert!(close(slope, p, 1e-6), "F'(0) = {slope}");
        // It solves dF/dt = (p + q F)(1 - F).
        for t in [1.0, 5.0, 10.0] {
            let d = (bass_cumulative(p, q, t + h) - bass_cumulative(p, q, t - h)) / (2.0 * h);
            let f = bass_cumulative(p, q, t);
            assert!(close(d, (p + q * f) * (1.0 - f), 1e-7), "t = {t}");
        }
        // Without imitation it is the exponential 1 - e^{-p t}.
        assert!(close(
            bass_cumulative(0.1, 0.0, 3.0),
            1.0 - (-0.3f64).exp(),
            1e-15
        ));
    }

    #[test]
    fn ring_front_rounds() {
        // 1,000 nodes, 3 ties each side, a node and its 6 neighbours seeded: the ends advance
        // 3, 2 and 1 nodes a round for counts 1, 2 and 3.
        assert_eq!(ring_time_to_half(1000, 3, 1, 7), Some(83)); // 7 + 6 * 83 = 505
        assert_eq!(ring_time_to_half(1000, 3, 2, 7), Some(124)); // 7 + 4 * 124 = 503
        assert_eq!(ring_time_to_half(1000, 3, 3, 7), Some(247)); // 7 + 2 * 247 = 501
        assert_eq!(ring_time_to_half(1000, 3, 4, 7), None);
        assert_eq!(ring_time_to_half(14, 3, 2, 7), Some(0));
        // Exactly half after whole rounds: 7 + 4 t = 15 at t = 2.
        assert_eq!(ring_time_to_half(30, 3, 2, 7), Some(2));
        assert_eq!(ring_time_to_half(31, 3, 2, 7), Some(3));
    }

    #[test]
    fn bass_peak() {
        let (p, q) = (0.03, 0.38);
        let t = bass_peak_time(p, q);
        assert!(close(t, 6.193, 1e-3), "peak time {t}");
        // The rate peaks there: F(t*) = (q - p) / 2q and the rate is lower either side.
        assert!(close(bass_cumulative(p, q, t), (q - p) / (2.0 * q), 1e-12));
        let rate = |s: f64| {
            let f = bass_cumulative(p, q, s);
            (p + q * f) * (1.0 - f)
        };
        assert!(rate(t) > rate(t - 0.5) && rate(t) > rate(t + 0.5));
        assert!(bass_peak_time(0.1, 0.05) < 0.0);
    }
}
