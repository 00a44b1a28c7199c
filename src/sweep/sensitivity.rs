//! Which knobs matter: rank correlations and standardized regression coefficients of a sweep's
//! responses on its parameters (Saltelli et al. 2008, "Global Sensitivity Analysis", ch. 1).
//!
//! Both are computed from the design's points, so they need no extra runs. The rank correlation
//! is [`crate::metrics::stats::spearman`], shared with the comparison's deciding parameters. The Spearman rank
//! correlation catches any monotone effect; the standardized regression coefficient (SRC) of a
//! linear fit of the standardized response on all standardized parameters at once separates the
//! effect of each parameter from the others'.

fn standardize(x: &[f64]) -> Option<Vec<f64>> {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let sd = (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n).sqrt();
    (sd > 0.0).then(|| x.iter().map(|v| (v - m) / sd).collect())
}

/// Standardized regression coefficients of `y` on the columns `xs` (least squares on standardized
/// variables, solved by Gaussian elimination with partial pivoting). NaN for every coefficient
/// when `y` is constant, for a constant column, or when the columns are collinear.
pub fn src(xs: &[Vec<f64>], y: &[f64]) -> Vec<f64> {
    let k = xs.len();
    let nan = vec![f64::NAN; k];
    let Some(ys) = standardize(y) else {
        return nan;
    };
    let Some(cols) = xs
        .iter()
        .map(|c| standardize(c))
        .collect::<Option<Vec<_>>>()
    else {
        return nan;
    };
    // Normal equations: (X'X) b = X'y.
    let mut a = vec![vec![0.0; k + 1]; k];
    for i in 0..k {
        for j in 0..k {
            a[i][j] = cols[i].iter().zip(&cols[j]).map(|(p, q)| p * q).sum();
        }
        a[i][k] = cols[i].iter().zip(&ys).map(|(p, q)| p * q).sum();
    }
    for c in 0..k {
        let pivot = (c..k)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .expect("non-empty");
        if a[pivot][c].abs() < 1e-9 * y.len() as f64 {
            return nan;
        }
        a.swap(c, pivot);
        let pivot_row = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot_row[c];
                for (x, p) in row[c..].iter_mut().zip(&pivot_row[c..]) {
                    *x -= f * p;
                }
            }
        }
    }
    (0..k).map(|i| a[i][k] / a[i][i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn src_recovers_standardized_linear_effects() {
        // y = 3 a - b on a 2 x 10 full factorial (a and b uncorrelated, sd_a = 0.5, sd_b = 2.87):
        // SRC_a = 3 * 0.5 / sd_y, SRC_b = -2.87 / sd_y.
        let mut a = Vec::new();
        let mut b = Vec::new();
        for i in 0..2 {
            for j in 0..10 {
                a.push(i as f64);
                b.push(j as f64);
            }
        }
        let y: Vec<f64> = a.iter().zip(&b).map(|(p, q)| 3.0 * p - q).collect();
        let coef = src(&[a.clone(), b.clone()], &y);
        let sd = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len() as f64;
            (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64).sqrt()
        };
        let (sa, sb, sy) = (sd(&a), sd(&b), sd(&y));
        assert!((coef[0] - 3.0 * sa / sy).abs() < 1e-9, "{coef:?}");
        assert!((coef[1] + sb / sy).abs() < 1e-9, "{coef:?}");
        // Collinear columns: no answer rather than a wrong one.
        assert!(src(&[a.clone(), a.clone()], &y).iter().all(|c| c.is_nan()));
    }
}
