//! The files of a calibration, and the synthetic rollout `domino calibrate --simulate` writes.
//!
//! | file | one row per | columns |
//! |---|---|---|
//! | `posterior.csv` | particle of the last generation | particle, weight, distance, then the value of each fitted field (by its path) |
//! | `summary.csv` | fitted field | parameter, prior, median, p5, p95, mean, sd, prior_median, prior_p5, prior_p95, fitted, prior_quantiles |
//! | `predictive.csv` | observed cell (curve x group x term) | curve, group, term, schools, observed, p5, p50, p95 |
//! | `generations.csv` | generation | generation, epsilon, particles, simulations, acceptance, ess, max_distance |
//! | `calibrated.toml` | - | the scenario with each fitted field as a distribution fitted to its posterior (no `[calibrate]` table) |
//!
//! Weighted quantiles of the posterior ([`abc::weighted_quantile`]); the prior's quantiles
//! exact, from the law's closed form, except for a beta prior, whose quantiles are estimated
//! from 100,000 draws with a fixed seed (`prior_quantiles` says `exact` or `sampled`). `fitted` is the distribution `calibrated.toml` gives the
//! field: for a bounded prior (uniform, log-uniform, triangular, beta) a beta on the prior's
//! range with the posterior's mean and variance (method of moments); for a normal or log-normal
//! prior a normal (log-normal) with the posterior's mean and sd (of the log), its sd narrowed
//! where needed so that its checked range (4 sd) stays inside the prior's. Each field's
//! marginal is fitted on its own: correlations between fitted fields are not carried over.

use super::abc::{self, weighted_quantile};
use super::observed::Observed;
use super::{Calibration, Outcome};
use crate::engine::school::watch;
use crate::output::{csv_writer, num};
use crate::report::calibrate::{warnings, Fit};
use crate::rng::Pcg64Mcg;
use crate::scenario::uncertain::Law;
use crate::scenario::{Scenario, Uncertain};
use rand::SeedableRng;
use std::io::{self, Write};
use std::path::PathBuf;

/// Weighted mean and sd of `x`.
fn moments(x: &[f64], w: &[f64]) -> (f64, f64) {
    let total: f64 = w.iter().sum();
    let mean = x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / total;
    let var = x
        .iter()
        .zip(w)
        .map(|(x, w)| w * (x - mean).powi(2))
        .sum::<f64>()
        / total;
    (mean, var.sqrt())
}

/// The values of fitted field `j` in the posterior sample, as the simulations used them.
fn values(cal: &Calibration, g: &abc::Generation, j: usize) -> Vec<f64> {
    let p = &cal.priors[j].param;
    g.particles.iter().map(|t| p.value(t[j])).collect()
}

/// The distribution `calibrated.toml` gives a field with prior `prior` and weighted posterior
/// sample `x`, `w` (see the module docs).
pub fn fitted(prior: &Law, x: &[f64], w: &[f64]) -> Law {
    let (lo, hi) = prior.ends();
    match *prior {
        Law::Normal { .. } => {
            let (mean, sd) = moments(x, w);
            let mean = mean.clamp(lo, hi);
            let room = ((mean - lo).min(hi - mean) / crate::scenario::uncertain::TAIL_SDS).max(0.0);
            Law::Normal {
                mean,
                sd: sd.min(room),
            }
        }
        Law::LogNormal { .. } => {
            let logs: Vec<f64> = x.iter().map(|v| libm::log(v.max(lo))).collect();
            let (m, s) = moments(&logs, w);
            let (a, b) = (libm::log(lo), libm::log(hi));
            let m = m.clamp(a, b);
            let room = ((m - a).min(b - m) / crate::scenario::uncertain::TAIL_SDS).max(0.0);
            Law::LogNormal {
                median: libm::exp(m),
                sigma: s.min(room),
            }
        }
        _ => {
            let u: Vec<f64> = x
                .iter()
                .map(|v| ((v - lo) / (hi - lo)).clamp(0.0, 1.0))
                .collect();
            let (m, s) = moments(&u, w);
            // Method of moments; a spread of 0 (every particle equal) or above a uniform's is
            // held to a sharp or flat beta.
            let m = m.clamp(1e-6, 1.0 - 1e-6);
            let v = (s * s).clamp(1e-12, m * (1.0 - m) * 0.999);
            let common = (m * (1.0 - m) / v - 1.0).clamp(1e-3, 1e6);
            Law::Beta {
                alpha: m * common,
                beta: (1.0 - m) * common,
                low: lo,
                high: hi,
            }
        }
    }
}

/// `law` as one line of text, as a scenario writes it.
fn law_text(law: &Law) -> String {
    let t = law.to_table();
    let mut parts = vec![format!(
        "dist = \"{}\"",
        t["dist"].as_str().unwrap_or_default()
    )];
    for k in [
        "mean", "sd", "median", "sigma", "alpha", "beta", "low", "mode", "high",
    ] {
        if let Some(x) = t.get(k).and_then(toml::Value::as_float) {
            parts.push(format!("{k} = {x}"));
        }
    }
    format!("{{ {} }}", parts.join(", "))
}

/// The prior's median, 5th and 95th percentiles, and whether they are exact: from the law's
/// closed form ([`Law::quantile`]) where it has one, else (a beta) from 100,000 draws with a
/// fixed seed. Either way as the field takes them (clamped to the law's ends, rounded for a
/// whole number).
fn prior_quantiles(cal: &Calibration, j: usize) -> (f64, f64, f64, bool) {
    let p = &cal.priors[j].param;
    if let (Some(m), Some(lo), Some(hi)) = (
        p.law.quantile(0.5),
        p.law.quantile(0.05),
        p.law.quantile(0.95),
    ) {
        return (p.value(m), p.value(lo), p.value(hi), true);
    }
    let mut rng = Pcg64Mcg::seed_from_u64(0x0050_5249_4f52);
    let x: Vec<f64> = (0..100_000)
        .map(|_| p.value(p.law.sample(&mut rng)))
        .collect();
    let w = vec![1.0; x.len()];
    (
        weighted_quantile(&x, &w, 0.5),
        weighted_quantile(&x, &w, 0.05),
        weighted_quantile(&x, &w, 0.95),
        false,
    )
}

/// One row of `summary.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSummary {
    /// The field's path.
    pub parameter: String,
    /// Posterior median, 5th and 95th percentiles.
    pub median: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Posterior mean.
    pub mean: f64,
    /// Posterior sd.
    pub sd: f64,
    /// The prior's median.
    pub prior_median: f64,
    /// The prior's 5th percentile.
    pub prior_p5: f64,
    /// The prior's 95th percentile.
    pub prior_p95: f64,
    /// Whether the prior's median and percentiles are exact (closed form) rather than estimated
    /// from draws (a beta prior).
    pub prior_exact: bool,
    /// The distribution `calibrated.toml` gives the field.
    pub fitted: Law,
}

/// The summary of every fitted field.
pub fn summarise(cal: &Calibration, outcome: &Outcome) -> Vec<FieldSummary> {
    let g = outcome.posterior();
    (0..cal.priors.len())
        .map(|j| {
            let x = values(cal, g, j);
            let (mean, sd) = moments(&x, &g.weights);
            let (prior_median, prior_p5, prior_p95, prior_exact) = prior_quantiles(cal, j);
            FieldSummary {
                parameter: cal.priors[j].path.clone(),
                median: weighted_quantile(&x, &g.weights, 0.5),
                p5: weighted_quantile(&x, &g.weights, 0.05),
                p95: weighted_quantile(&x, &g.weights, 0.95),
                mean,
                sd,
                prior_median,
                prior_p5,
                prior_p95,
                prior_exact,
                fitted: fitted(&cal.priors[j].param.law, &x, &g.weights),
            }
        })
        .collect()
}

/// Writes `summary.csv`.
pub(crate) fn write_summary(
    w: &mut dyn Write,
    cal: &Calibration,
    rows: &[FieldSummary],
) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record([
        "parameter",
        "prior",
        "median",
        "p5",
        "p95",
        "mean",
        "sd",
        "prior_median",
        "prior_p5",
        "prior_p95",
        "fitted",
        "prior_quantiles",
    ])?;
    for (r, p) in rows.iter().zip(&cal.priors) {
        c.write_record([
            r.parameter.clone(),
            law_text(&p.param.law),
            num(r.median),
            num(r.p5),
            num(r.p95),
            num(r.mean),
            num(r.sd),
            num(r.prior_median),
            num(r.prior_p5),
            num(r.prior_p95),
            law_text(&r.fitted),
            if r.prior_exact { "exact" } else { "sampled" }.to_string(),
        ])?;
    }
    c.flush()
}

/// Writes `posterior.csv`.
pub(crate) fn write_posterior(
    w: &mut dyn Write,
    cal: &Calibration,
    outcome: &Outcome,
) -> io::Result<()> {
    let g = outcome.posterior();
    let mut c = csv_writer(w);
    let mut header = vec!["particle".to_string(), "weight".into(), "distance".into()];
    header.extend(cal.priors.iter().map(|p| p.path.clone()));
    c.write_record(&header)?;
    for (k, (theta, (&wt, &d))) in g
        .particles
        .iter()
        .zip(g.weights.iter().zip(&g.distances))
        .enumerate()
    {
        let mut row = vec![k.to_string(), num(wt), num(d)];
        row.extend(
            cal.priors
                .iter()
                .zip(theta)
                .map(|(p, &x)| num(p.param.value(x))),
        );
        c.write_record(&row)?;
    }
    c.flush()
}

/// Writes `generations.csv`: each generation's tolerance, simulations, acceptance rate,
/// effective sample size (1 / sum of squared weights) and the largest distance it accepted.
pub(crate) fn write_generations(w: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record([
        "generation",
        "epsilon",
        "particles",
        "simulations",
        "acceptance",
        "ess",
        "max_distance",
    ])?;
    for (t, g) in outcome.generations.iter().enumerate() {
        let ess = 1.0 / g.weights.iter().map(|w| w * w).sum::<f64>();
        c.write_record([
            t.to_string(),
            num(g.epsilon),
            g.particles.len().to_string(),
            g.simulations.to_string(),
            num(g.acceptance()),
            num(ess),
            num(max_distance(g)),
        ])?;
    }
    c.flush()
}

/// One row of `predictive.csv`: an observed cell against the posterior predictive simulations.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictiveCell {
    /// The curve (`adopting`, `sustained`, ...).
    pub curve: &'static str,
    /// The group (`all`, `region:NAME`, `need:low`, ...).
    pub group: String,
    /// The term.
    pub term: u32,
    /// Schools observed in the cell.
    pub schools: u32,
    /// The observed value.
    pub observed: f64,
    /// 5th percentile of the simulations.
    pub p5: f64,
    /// Their median.
    pub p50: f64,
    /// Their 95th percentile.
    pub p95: f64,
}

/// Every observed cell against the 5th, 50th and 95th percentiles of the posterior predictive
/// simulations, in the order of the observed statistics.
pub fn predictive_cells(observed: &Observed, outcome: &Outcome) -> Vec<PredictiveCell> {
    let ones = vec![1.0; outcome.predictive.len()];
    observed
        .cells()
        .into_iter()
        .map(|(curve, group, term, schools, k)| {
            let sims: Vec<f64> = outcome.predictive.iter().map(|s| s[k]).collect();
            PredictiveCell {
                curve,
                group: group.to_string(),
                term,
                schools,
                observed: observed.stats[k],
                p5: weighted_quantile(&sims, &ones, 0.05),
                p50: weighted_quantile(&sims, &ones, 0.5),
                p95: weighted_quantile(&sims, &ones, 0.95),
            }
        })
        .collect()
}

/// Writes `predictive.csv` ([`predictive_cells`]).
pub(crate) fn write_predictive(w: &mut dyn Write, cells: &[PredictiveCell]) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record([
        "curve", "group", "term", "schools", "observed", "p5", "p50", "p95",
    ])?;
    for r in cells {
        c.write_record([
            r.curve.to_string(),
            r.group.clone(),
            r.term.to_string(),
            r.schools.to_string(),
            num(r.observed),
            num(r.p5),
            num(r.p50),
            num(r.p95),
        ])?;
    }
    c.flush()
}

/// The [`Fit`] of the cells of `predictive.csv`.
pub fn fit(cells: &[PredictiveCell]) -> Fit {
    Fit::of(cells.iter().map(|c| (c.term, c.observed, c.p5, c.p95)))
}

/// [`warnings`] for a finished search.
pub fn outcome_warnings(rows: &[FieldSummary], outcome: &Outcome) -> Vec<String> {
    let widths: Vec<(f64, f64)> = rows
        .iter()
        .map(|r| (r.prior_p95 - r.prior_p5, r.p95 - r.p5))
        .collect();
    warnings(&widths, outcome.generations.first().map(max_distance))
}

/// The largest distance of a generation's accepted particles.
fn max_distance(g: &abc::Generation) -> f64 {
    g.distances.iter().copied().fold(0.0, f64::max)
}

/// `calibrated.toml`: the scenario with each fitted field's distribution, network files at
/// `network` (edges, nodes) when given (the copies in the output folder), and no `[calibrate]`
/// table.
pub(crate) fn calibrated_toml(
    cal: &Calibration,
    rows: &[FieldSummary],
    observed: &Observed,
    network: (Option<PathBuf>, Option<PathBuf>),
) -> String {
    let mut s: Scenario = cal.scenario.clone();
    s.config.calibrate = None;
    let mut params = s.uncertain.params.clone();
    for (p, r) in cal.priors.iter().zip(rows) {
        params[p.index].law = r.fitted;
    }
    s.uncertain = Uncertain { params };
    if s.files.is_some() {
        if let Some(e) = network.0 {
            s.config.network.edges = Some(e);
        }
        if let Some(n) = network.1 {
            s.config.network.nodes = Some(n);
        }
    }
    let mut head = format!(
        "# Calibrated by domino calibrate {} against {}: {}.\n",
        env!("CARGO_PKG_VERSION"),
        observed
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        rows.iter()
            .map(|r| format!(
                "{} median {} (90 % {} to {})",
                r.parameter,
                short(r.median),
                short(r.p5),
                short(r.p95)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    head.push_str(
        "# Each fitted field is a distribution fitted to its posterior (see summary.csv); \
         correlations between them are not kept.\n",
    );
    head + &s.to_toml()
}

/// A number in 4 significant digits, for text.
pub fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return num(x);
    }
    if let Some(t) = crate::report::exponent_form(x, 4) {
        return t;
    }
    let digits = (3 - libm::floor(libm::log10(x.abs())) as i32).max(0) as usize;
    let t = format!("{x:.digits$}");
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

/// Writes a synthetic rollout: strategy `strategy` of `scenario` run once, in run `run`'s world
/// (as `domino run` runs it), every school at every term 0 to `steps`, with the columns
/// `school, term, stage, practice, supported, effect`.
pub fn write_rollout(
    w: &mut dyn Write,
    scenario: &Scenario,
    strategy: usize,
    run: u64,
) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record(["school", "term", "stage", "practice", "supported", "effect"])?;
    let mut failed = None;
    watch(scenario, strategy, run, |_, t, state, plan| {
        if failed.is_some() {
            return;
        }
        for i in 0..state.stage.len() {
            let supported = t > 0 && plan.support[i] > 0.0;
            let row = [
                scenario.school_id(i).into_owned(),
                t.to_string(),
                state.stage[i].name().to_string(),
                num(state.practice[i]),
                supported.to_string(),
                num(state.effect[i]),
            ];
            if let Err(e) = c.write_record(&row) {
                failed = Some(e);
                return;
            }
        }
    })
    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    c.flush()
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn the_terminal_tables_numbers_stay_short_however_tiny() {
        // A beta(0.01, 0.01) prior's 5th percentile: written out, a hundred digits.
        assert_eq!(short(1.4123e-100), "1.412e-100");
        assert_eq!(short(0.68213), "0.6821");
        assert_eq!(short(0.0), "0");
    }
}
