//! Ensemble statistics: mean with a t-based confidence interval, percentiles, paired comparisons.

/// Two-sided 95 % critical value of Student's t with `df` degrees of freedom. Table values to three
/// decimals up to df = 30, then the Cornish-Fisher expansion (error below 1e-4).
pub(crate) fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        _ => {
            let z = 1.959_963_984_540_054_f64;
            let d = df as f64;
            // Multiplications, not `powi`, whose rounding std leaves to the platform; in the
            // order `powi`'s repeated squaring takes, so the value is unchanged.
            let z2 = z * z;
            let z3 = z * z2;
            let z5 = z * (z2 * z2);
            z + (z3 + z) / (4.0 * d) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * d * d)
        }
    }
}

/// Quantile `q` of sorted values (linear interpolation between order statistics, R's type 7).
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = q * (n - 1) as f64;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let (a, b) = (sorted[lo], sorted[hi]);
            if a == b || a.is_infinite() || b.is_infinite() {
                // Avoid inf - inf; an infinite neighbour makes the quantile the nearer value.
                if h - lo as f64 <= 0.5 || a == b {
                    a
                } else {
                    b
                }
            } else {
                a + (h - lo as f64) * (b - a)
            }
        }
    }
}

/// Summary of one metric over runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Runs where the metric is defined.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Lower end of the 95 % confidence interval of the mean (t-based).
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Summary {
    /// Summarises `values`, skipping NaN (undefined in that run). Infinite values (a time never
    /// reached) count in the percentiles but not in the mean.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let mut all: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        all.sort_by(f64::total_cmp);
        let finite: Vec<f64> = all.iter().copied().filter(|v| v.is_finite()).collect();
        let n = finite.len();
        let mean = if n > 0 {
            finite.iter().sum::<f64>() / n as f64
        } else {
            f64::NAN
        };
        let sd = if n > 1 {
            (finite.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            f64::NAN
        };
        let half = if n > 1 {
            t975(n - 1) * sd / (n as f64).sqrt()
        } else {
            f64::NAN
        };
        Self {
            n,
            mean,
            sd,
            ci_low: mean - half,
            ci_high: mean + half,
            p5: quantile_sorted(&all, 0.05),
            p50: quantile_sorted(&all, 0.5),
            p95: quantile_sorted(&all, 0.95),
        }
    }
}

/// The values a figure can take. A t interval of a mean knows nothing of them: over few runs, or
/// runs that are mostly 0, it reaches below a count's 0 or past a share's 1, bounds no mean of
/// such a figure can have. [`Summary::within`] clips the interval to them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// The smallest value (`-inf`: none).
    pub low: f64,
    /// The largest value (`inf`: none).
    pub high: f64,
}

impl Bounds {
    /// A share, from 0 to 1.
    pub const SHARE: Bounds = Bounds {
        low: 0.0,
        high: 1.0,
    };
    /// A count, a time, an amount or a ratio of them: 0 or more.
    pub const NON_NEGATIVE: Bounds = Bounds {
        low: 0.0,
        high: f64::INFINITY,
    };
    /// A difference of two shares, from -1 to 1.
    pub const SHARE_DIFFERENCE: Bounds = Bounds {
        low: -1.0,
        high: 1.0,
    };
    /// Any value.
    pub const ANY: Bounds = Bounds {
        low: f64::NEG_INFINITY,
        high: f64::INFINITY,
    };
}

impl Summary {
    /// The same summary with its confidence interval clipped to `bounds`, the values the figure
    /// can take. A missing interval (one run) stays missing.
    pub fn within(self, bounds: Bounds) -> Self {
        let clip = |v: f64| {
            if v.is_nan() {
                v
            } else {
                v.clamp(bounds.low, bounds.high)
            }
        };
        Self {
            ci_low: clip(self.ci_low),
            ci_high: clip(self.ci_high),
            ..self
        }
    }
}

/// Paired comparison of two strategies over the same runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Share of runs where A beats B (ties count half).
    pub p_beats: f64,
    /// Wilson 95 % interval of that share.
    pub p_low: f64,
    /// Upper end.
    pub p_high: f64,
    /// Mean of A - B with its 95 % interval.
    pub diff: Summary,
}

/// Compares `a` and `b` run by run (higher is better); runs where either is NaN are skipped.
pub fn paired(a: &[f64], b: &[f64]) -> Paired {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(&x, &y)| (x, y))
        .collect();
    let n = pairs.len() as f64;
    let score: f64 = pairs
        .iter()
        .map(|(x, y)| {
            if x > y {
                1.0
            } else if x == y {
                0.5
            } else {
                0.0
            }
        })
        .sum();
    let p = if n > 0.0 { score / n } else { f64::NAN };
    let (lo, hi) = wilson(p, n);
    Paired {
        p_beats: p,
        p_low: lo,
        p_high: hi,
        diff: Summary::of(pairs.iter().map(|(x, y)| x - y)),
    }
}

/// The ratio of two means over the same runs, `mean(x) / mean(y)`, with its 95 % interval by the
/// delta method: the ratio's standard error is `sd(x - r y) / (mean(y) sqrt(n))`, taken with
/// Student's t at n - 1 degrees of freedom, as for a mean. Runs where either is NaN are
/// skipped; the interval is NaN with fewer than two runs. The mean of per-run ratios would
/// weight a run with few students as much as one with many, and be undefined in runs with none.
pub fn ratio_of_means(x: &[f64], y: &[f64]) -> (f64, f64, f64) {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(&a, &b)| (a, b))
        .collect();
    let n = pairs.len() as f64;
    if pairs.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mean_x = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let r = mean_x / mean_y;
    let residuals = Summary::of(pairs.iter().map(|(a, b)| a - r * b));
    let half = t975(pairs.len() - 1) * residuals.sd / (mean_y.abs() * n.sqrt());
    if half.is_finite() {
        (r, r - half, r + half)
    } else {
        (r, f64::NAN, f64::NAN)
    }
}

/// `headline[s][k]`: the share of runs k in which arm s has the highest value (higher is
/// better; NaN never wins), ties split equally between the tied arms.
///
/// # Panics
///
/// If the arms do not all have the same number of runs (the runs are paired by index).
pub fn wins(headline: &[Vec<f64>]) -> Vec<f64> {
    let arms = headline.len();
    let runs = headline.first().map_or(0, Vec::len);
    assert!(
        headline.iter().all(|h| h.len() == runs),
        "wins: every arm needs the same runs (they are paired by index)"
    );
    let mut out = vec![0.0; arms];
    if runs == 0 {
        return out;
    }
    // k indexes run k in every arm's column.
    #[allow(clippy::needless_range_loop)]
    for k in 0..runs {
        let best = (0..arms)
            .map(|s| headline[s][k])
            .filter(|v| !v.is_nan())
            .fold(f64::NEG_INFINITY, f64::max);
        let tied: Vec<usize> = (0..arms).filter(|&s| headline[s][k] == best).collect();
        for &s in &tied {
            out[s] += 1.0 / tied.len() as f64;
        }
    }
    out.iter().map(|w| w / runs as f64).collect()
}

/// Wilson score interval (95 %) for a proportion `p` out of `n`.
pub(crate) fn wilson(p: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 || p.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let z = 1.959_963_984_540_054_f64;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    // At p = 0 or 1 the bound is exactly 0 or 1; computing it leaves rounding dust.
    let lo = if p == 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let hi = if p == 1.0 {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (lo, hi)
}

/// Ranks of `x` (1-based, ties get their average rank).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; NaN when either side is constant.
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        f64::NAN
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// Spearman rank correlation: the Pearson correlation of the average ranks; NaN when either
/// side is constant. The sweep's sensitivity analysis and the deciding parameters of a
/// comparison both use it.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_values() {
        let s = Summary::of([1.0, 2.0, 3.0, 4.0, f64::NAN]);
        assert_eq!(s.n, 4);
        assert_eq!(s.mean, 2.5);
        assert!((s.sd - 1.290_994_448_735_805_6).abs() < 1e-12);
        // t(3) = 3.182
        assert!((s.ci_high - (2.5 + 3.182 * s.sd / 2.0)).abs() < 1e-12);
        assert_eq!(s.p50, 2.5);
        assert!((s.p5 - 1.15).abs() < 1e-12);
    }

    #[test]
    fn intervals_are_clipped_to_the_figures_bounds() {
        // Two runs of a share, 0 and 1/3: the t interval is 0.167 +- 2.12, far outside [0, 1].
        let raw = Summary::of([0.0, 1.0 / 3.0]);
        assert!(raw.ci_low < -1.0 && raw.ci_high > 1.0, "{raw:?}");
        let share = raw.within(Bounds::SHARE);
        assert_eq!((share.ci_low, share.ci_high), (0.0, 1.0));
        assert_eq!((share.mean, share.sd, share.n), (raw.mean, raw.sd, raw.n));
        let count = Summary::of([0.0, 0.0, 0.0, 3.0]).within(Bounds::NON_NEGATIVE);
        assert_eq!(count.ci_low, 0.0);
        assert!(count.ci_high > 3.0);
        // An interval inside the bounds is untouched; one run's missing interval stays missing.
        let inside = Summary::of([0.4, 0.5, 0.6]);
        assert_eq!(inside.within(Bounds::SHARE), inside);
        let one = Summary::of([0.5]).within(Bounds::SHARE);
        assert!(one.ci_low.is_nan() && one.ci_high.is_nan());
    }

    #[test]
    fn ratio_of_means_has_a_delta_method_interval() {
        // x = 2 y exactly: the ratio is 2 with no spread.
        let (r, lo, hi) = ratio_of_means(&[2.0, 4.0, 6.0], &[1.0, 2.0, 3.0]);
        assert_eq!((r, lo, hi), (2.0, 2.0, 2.0));
        // x = (1, 3), y = (1, 1): r = 2, residuals (-1, 1), sd sqrt(2), t(1) = 12.706.
        let (r, lo, hi) = ratio_of_means(&[1.0, 3.0, f64::NAN], &[1.0, 1.0, 5.0]);
        assert_eq!(r, 2.0);
        let half = 12.706 * 2f64.sqrt() / 2f64.sqrt();
        assert!((hi - (2.0 + half)).abs() < 1e-12 && (lo - (2.0 - half)).abs() < 1e-12);
        // One run: a ratio, no interval.
        let (r, lo, hi) = ratio_of_means(&[3.0], &[2.0]);
        assert_eq!(r, 1.5);
        assert!(lo.is_nan() && hi.is_nan());
    }

    #[test]
    fn never_reached_counts_in_percentiles_only() {
        let s = Summary::of([3.0, 5.0, f64::INFINITY]);
        assert_eq!(s.n, 2);
        assert_eq!(s.mean, 4.0);
        assert_eq!(s.p50, 5.0);
        assert_eq!(s.p95, f64::INFINITY);
    }

    #[test]
    fn t_quantiles_continue_smoothly() {
        assert!((t975(31) - 2.0395).abs() < 2e-4);
        assert!((t975(100) - 1.984).abs() < 1e-3);
        assert!((t975(100_000) - 1.96).abs() < 1e-3);
    }

    #[test]
    fn paired_counts_wins_and_ties() {
        let p = paired(&[2.0, 2.0, 1.0, 5.0], &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(p.p_beats, 2.5 / 4.0);
        assert!(p.p_low < 0.625 && p.p_high > 0.625);
        assert_eq!(p.diff.mean, 0.0);
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn spearman_sees_monotone_effects() {
        let x: Vec<f64> = (0..20).map(|i| i as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| v.exp()).collect();
        assert!((spearman(&x, &y) - 1.0).abs() < 1e-12);
        let z: Vec<f64> = x.iter().map(|v| -v * v).collect();
        assert!((spearman(&x, &z) + 1.0).abs() < 1e-12);
        assert!(spearman(&x, &[1.0; 20]).is_nan());
    }

    #[test]
    fn spearman_is_one_for_monotone_and_handles_ties() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((spearman(&x, &[1.0, 4.0, 9.0, 16.0, 100.0]) - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(spearman(&x, &[1.0; 5]).is_nan());
        // Ties get average ranks: ranks (1.5, 1.5, 3) against (1, 2, 3).
        let r = spearman(&[0.0, 0.0, 1.0], &[1.0, 2.0, 3.0]);
        assert!((r - 0.866_025_403_784_438_6).abs() < 1e-12, "{r}");
    }

    #[test]
    fn wins_refuse_arms_with_different_runs() {
        // A longer second arm was silently cut to the first's runs, a shorter one out of bounds.
        let longer = std::panic::catch_unwind(|| wins(&[vec![1.0], vec![0.0, 1.0]]));
        assert!(longer.is_err());
    }

    #[test]
    fn wins_count_the_best_arm_per_run_and_split_ties() {
        // Three arms, four runs: a wins run 0, b run 1, a and b tie in run 2, c wins run 3.
        let h = vec![
            vec![0.9, 0.1, 0.5, 0.2],
            vec![0.3, 0.8, 0.5, 0.1],
            vec![0.1, 0.2, 0.4, 0.7],
        ];
        assert_eq!(wins(&h), vec![0.375, 0.375, 0.25]);
        // NaN never wins; a run where every arm ties is split three ways.
        let h = vec![vec![f64::NAN, 1.0], vec![0.0, 1.0], vec![-1.0, 1.0]];
        let w = wins(&h);
        assert!((w[0] - 1.0 / 6.0).abs() < 1e-12);
        assert!((w[1] - (0.5 + 1.0 / 6.0)).abs() < 1e-12);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
