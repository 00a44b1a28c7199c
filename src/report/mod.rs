//! What a person reads: the comparison table, the verdict line, and pictures ([`svg`]).

pub mod svg;

use crate::engine::ensemble::Ensemble;
use crate::metrics::stats::{paired, Summary};
use crate::metrics::RunMetric;
use crate::output::column;
use crate::scenario::Scenario;
use std::fmt::Write;

fn col(result: &Ensemble, s: usize, m: RunMetric) -> Vec<f64> {
    column(result, s, m as usize)
}

fn pct(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{:.1}", 100.0 * v)
    }
}

fn time(s: &Summary, steps: u32) -> String {
    if s.p50.is_nan() {
        "-".into()
    } else if s.p50.is_infinite() {
        format!(">{steps}")
    } else {
        format!("{:.0}", s.p50)
    }
}

fn big(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v.abs() >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else {
        format!("{v:.0}")
    }
}

/// Index of the strategy with the highest mean headline metric (for the school model, the
/// sustained share; first on ties).
pub fn leader(result: &Ensemble) -> usize {
    let means: Vec<f64> = (0..result.strategies.len())
        .map(|s| Summary::of(column(result, s, result.measures.headline)).mean)
        .collect();
    let mut best = 0;
    for (s, &m) in means.iter().enumerate() {
        if m > means[best] {
            best = s;
        }
    }
    best
}

/// The `>name` cells of strategy `s`: the share of paired runs in which it beats each other
/// strategy on run metric `m` (blank against itself).
fn beats_cells(result: &Ensemble, s: usize, m: usize) -> String {
    let mut cells = String::new();
    for o in 0..result.strategies.len() {
        if o == s {
            let _ = write!(cells, "  {:>8}", "");
        } else {
            let p = paired(&column(result, s, m), &column(result, o, m));
            let _ = write!(cells, "  {:>7}%", pct(p.p_beats));
        }
    }
    cells
}

/// The `>name` column headers.
fn beats_header(result: &Ensemble) -> String {
    let mut header = String::new();
    for other in &result.strategies {
        let _ = write!(header, "  {:>8}", format!(">{}", short(other)));
    }
    header
}

/// The comparison table printed by `domino compare`, one row per strategy (or seeding rule, for
/// the classic models), then the verdict.
pub fn table(scenario: &Scenario, result: &Ensemble) -> String {
    if scenario.config.model.is_classic() {
        return classic_table(scenario, result);
    }
    let cfg = &scenario.config;
    let n = scenario.schools();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} schools, {} terms, {} paired runs, budget {:.4} SU per term ({:.3} per school), seed {}",
        cfg.name,
        n,
        cfg.steps,
        cfg.runs,
        scenario.budget_per_term(),
        scenario.budget_per_term() / n as f64,
        cfg.seed
    );
    let _ = writeln!(out);
    let names = &result.strategies;
    let width = names.iter().map(|s| s.len()).max().unwrap_or(8).max(8);
    let mut header = format!(
        "{:<width$}  {:>20}  {:>7}  {:>9}  {:>9}  {:>7}  {:>7}",
        "strategy", "sustained % (95% CI)", "t50", "students", "SU/sust.", "equity", "no ben."
    );
    header += &beats_header(result);
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", "-".repeat(header.len()));
    for (s, name) in names.iter().enumerate() {
        let sus = Summary::of(col(result, s, RunMetric::SustainedShare));
        let t50 = Summary::of(col(result, s, RunMetric::TimeTo50));
        let students = Summary::of(col(result, s, RunMetric::StudentsBenefiting));
        let cost = Summary::of(col(result, s, RunMetric::CostPerSustained));
        let gap = Summary::of(col(result, s, RunMetric::EquityGap));
        let nob = Summary::of(col(result, s, RunMetric::NoBenefit));
        let mut row = format!(
            "{:<width$}  {:>20}  {:>7}  {:>9}  {:>9}  {:>7}  {:>7}",
            name,
            format!(
                "{} ({}-{})",
                pct(sus.mean),
                pct(sus.ci_low),
                pct(sus.ci_high)
            ),
            time(&t50, cfg.steps),
            big(students.mean),
            if cost.n == 0 {
                "-".into()
            } else {
                format!("{:.1}", cost.mean)
            },
            if gap.mean.is_nan() {
                "-".into()
            } else {
                format!("{:+.1}", 100.0 * gap.mean)
            },
            pct(nob.mean),
        );
        row += &beats_cells(result, s, RunMetric::SustainedShare as usize);
        let _ = writeln!(out, "{row}");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", verdict(result));
    let _ = writeln!(
        out,
        "Columns: sustained = share of schools sustained at the horizon (mean, 95% CI of the mean); t50 = median terms to 50% \
         sustained (>{} = most runs never get there); students = students in sustained schools with a benefit (mean); \
         SU/sust. = support units spent per sustained school; equity = sustained rate of high- minus low-need schools, \
         points; no ben. = adopters without benefit, %; >name = share of paired runs in which this strategy sustains more \
         schools than that one.",
        cfg.steps
    );
    out
}

/// The table of a classic-model comparison: final active share, global cascades and time to
/// 50 % per seeding rule, and the paired win shares.
fn classic_table(scenario: &Scenario, result: &Ensemble) -> String {
    use crate::classic::ClassicMetric as M;
    let cfg = &scenario.config;
    let c = cfg.classic.clone().unwrap_or_default();
    let model = cfg.model.name();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {model} model, {} nodes, up to {} steps, {} paired runs, seed {}",
        cfg.name,
        scenario.schools(),
        cfg.steps,
        cfg.runs,
        cfg.seed
    );
    let _ = writeln!(out);
    let width = result
        .strategies
        .iter()
        .map(|s| s.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let mut header = format!(
        "{:<width$}  {:>6}  {:>22}  {:>22}  {:>7}",
        "seeding", "seeds", "final active % (95% CI)", "cascades % (95% CI)", "t50"
    );
    header += &beats_header(result);
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", "-".repeat(header.len()));
    for (s, name) in result.strategies.iter().enumerate() {
        let fin = Summary::of(column(result, s, M::FinalShare as usize));
        let cas = Summary::of(column(result, s, M::GlobalCascade as usize));
        let (lo, hi) = crate::metrics::stats::wilson(cas.mean, cas.n as f64);
        let t50 = Summary::of(column(result, s, M::TimeTo50 as usize));
        let seeds = Summary::of(column(result, s, M::Seeds as usize));
        let mut row = format!(
            "{:<width$}  {:>6}  {:>22}  {:>22}  {:>7}",
            name,
            format!("{:.0}", seeds.mean),
            format!(
                "{} ({}-{})",
                pct(fin.mean),
                pct(fin.ci_low),
                pct(fin.ci_high)
            ),
            format!("{} ({}-{})", pct(cas.mean), pct(lo), pct(hi)),
            if t50.p50.is_infinite() {
                "never".into()
            } else if t50.p50.is_nan() {
                "-".into()
            } else {
                format!("{:.1}", t50.p50)
            },
        );
        row += &beats_cells(result, s, M::FinalShare as usize);
        let _ = writeln!(out, "{row}");
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", verdict(result));
    let _ = writeln!(
        out,
        "Columns: final active = share of nodes active at the end (mean over runs, 95% CI); cascades = share of runs whose final active share exceeds {} (Wilson 95% CI); t50 = median {} to 50% active; >name = share of paired runs in which this rule ends with more active nodes than that one.",
        c.cascade_share,
        result.measures.step_name
    );
    out
}

fn short(name: &str) -> String {
    name.chars().take(7).collect()
}

/// One sentence: which strategy wins on the headline metric, and how sure that is.
pub fn verdict(result: &Ensemble) -> String {
    let k = result.strategies.len();
    if k == 1 {
        return format!(
            "Only one strategy ({}) was run: nothing to compare.",
            result.strategies[0]
        );
    }
    let best = leader(result);
    let name = &result.strategies[best];
    let headline = result.measures.headline;
    let a = column(result, best, headline);
    let mut parts = Vec::new();
    let mut worst_p: f64 = 1.0;
    let mut ahead_on_average = true;
    for o in (0..k).filter(|&o| o != best) {
        let p = paired(&a, &column(result, o, headline));
        worst_p = worst_p.min(p.p_beats);
        ahead_on_average &= p.diff.ci_low > 0.0;
        parts.push(format!(
            "{} in {}% of paired runs ({:+.1} points, 95% CI {:+.1} to {:+.1})",
            result.strategies[o],
            pct(p.p_beats),
            100.0 * p.diff.mean,
            100.0 * p.diff.ci_low,
            100.0 * p.diff.ci_high
        ));
    }
    // Two questions a leader asks: is it better on average (the CI of the paired difference),
    // and how often would it be better in one realisation (the paired win share)?
    let certainty = match (ahead_on_average, worst_p) {
        (true, p) if p >= 0.95 => {
            "a clear winner: ahead on average and in at least 95% of paired runs"
        }
        (true, p) if p >= 0.75 => {
            "ahead on average; in a single run it is likely, not sure, to come out ahead"
        }
        (true, _) => "ahead on average, but a single run often goes the other way",
        (false, _) => "no clear winner: a difference is within the uncertainty",
    };
    format!(
        "Winner on {}: {name} ({certainty}). Ahead of {}.",
        result.measures.run_metrics[headline].name.replace('_', " "),
        parts.join("; of ")
    )
}
