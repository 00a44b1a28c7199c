//! The page `domino report` writes for a calibration's output folder (`domino calibrate`):
//! the posterior summary per fitted field against its prior, and the posterior predictive check,
//! the observed district curves against the 5-95 % band of simulations from the posterior,
//! drawn with [`super::chart::line_chart`].
//!
//! It reads the folder alone: `summary.csv`, `predictive.csv` and `generations.csv` (the columns
//! `crate::calibrate::output` writes), `manifest.json`, and `scenario.toml` with its copies of
//! the network files and `observed.csv`, which name what was fitted (scenario, rollout,
//! strategy, schools and terms, seed, domino version) and how to run it again. The fit's
//! sentence and the warnings that the rollout told the search little come from the same rules
//! as the terminal's ([`Fit`] and [`warnings`], which `domino calibrate` uses too),
//! applied to the numbers of those files.

use super::chart::{line_chart, LineChart, Series};
use super::svg::escape;
use crate::error::{Error, InputError, Result};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Share of observed values inside the predictive band below which the model is said to miss
/// the rollout. The band carries the posterior's uncertainty and is checked against the very
/// values it was fitted to, so a model that fits puts far more than 9 in 10 inside a 90 % band:
/// measured on 20 rollouts simulated from the worked example's own values
/// (`scenarios/calibrate-example.toml`, `--simulate --run 0` to `19`), each calibrated with 100
/// particles and 5 generations, 92.5 to 99.7 % (mean 97 %). The same calibration of a rollout
/// made with 75 % more budget than the scenario says (a wrong model) put 90 % inside.
pub const FIT_SHARE: f64 = 0.92;

/// How that reference was measured, in the words of the verdict.
const FIT_REFERENCE: &str = "rollouts simulated from the worked example's own values, each \
     fitted with 100 particles and 5 generations, put 92 to 100 % inside, mean 97 %, as the band \
     is checked against the values it was fitted to";

/// Width of a field's posterior 90 % interval, relative to its prior's, from which the rollout
/// is said to have told the search little about it.
pub const UNINFORMED_WIDTH: f64 = 0.9;

/// Whether the posterior predictive simulations reproduce the rollout, in numbers: how many of
/// the observed values after term 0 lie within their 90 % predictive band (5th to 95th
/// percentile, ends included). Term 0 is left out: every school is not_adopted then, in the
/// rollout (the reader refuses anything else) and in every simulation, so those cells match
/// whatever the fit. `domino calibrate` and its report count from the same rows (the report reads them back
/// from predictive.csv, whose numbers round-trip exactly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// Observed values after term 0.
    pub cells: usize,
    /// Of them, those within their band.
    pub inside: usize,
}

impl Fit {
    /// The count over `(term, observed, p5, p95)` rows.
    pub fn of(rows: impl IntoIterator<Item = (u32, f64, f64, f64)>) -> Self {
        let mut fit = Fit {
            cells: 0,
            inside: 0,
        };
        for (term, observed, p5, p95) in rows {
            if term == 0 || !observed.is_finite() {
                continue;
            }
            fit.cells += 1;
            if p5 <= observed && observed <= p95 {
                fit.inside += 1;
            }
        }
        fit
    }

    /// The count in a sentence, with what it means ([`FIT_SHARE`]), for a search that kept
    /// `generations` generations: with generation 0 alone (the prior's sample) nothing was
    /// fitted, and the band, the prior's, is too wide to test anything.
    pub fn sentence(&self, generations: usize) -> String {
        if self.cells == 0 {
            return "The rollout has no observation after term 0, so there is nothing to compare \
                    the fitted model with."
                .to_string();
        }
        let share = self.inside as f64 / self.cells as f64;
        let percent = |x: f64| format!("{:.0}", 100.0 * x);
        if generations <= 1 {
            return format!(
                "{} of {} observed values after term 0 ({} %) lie within the 90 % band of \
                 simulations from the prior (predictive.csv). Nothing was fitted: the search \
                 kept only generation 0, the prior's sample, whose band is too wide to test the \
                 model; allow more generations (calibrate.generations) or simulations \
                 (calibrate.simulations).",
                self.inside,
                self.cells,
                percent(share)
            );
        }
        let head = format!(
            "{} of {} observed values after term 0 ({} %) lie within the model's 90 % \
             predictive band (5th to 95th percentile of simulations from the posterior, \
             predictive.csv).",
            self.inside,
            self.cells,
            percent(share)
        );
        let verdict = if share >= FIT_SHARE {
            format!(
                " That is as many as a model that fits keeps inside: {FIT_REFERENCE}. So this \
                 check finds no misfit (it cannot prove a fit)."
            )
        } else {
            format!(
                " That is fewer than {} %, the least a model that fits keeps inside: \
                 {FIT_REFERENCE}. So the fitted model misses part of the rollout; the rows of \
                 predictive.csv whose observed value lies outside p5 to p95 show which curves \
                 and terms.",
                percent(FIT_SHARE)
            )
        };
        format!("{head}{verdict}")
    }
}

/// Warnings that the rollout carried little or no information about the fitted fields, by two
/// rules: every particle of generation 0, drawn from the prior, has distance 0 (`prior_max` is
/// the largest of their distances: the observed values are then ones every simulation matches,
/// such as a rollout of term-0 rows only), or else every field's posterior 90 % interval is at
/// least [`UNINFORMED_WIDTH`] of its prior's. `widths` holds each field's (prior width,
/// posterior width).
pub fn warnings(widths: &[(f64, f64)], prior_max: Option<f64>) -> Vec<String> {
    let mut out = Vec::new();
    if prior_max == Some(0.0) {
        out.push(
            "every simulation drawn from the prior already reproduces the observed values \
             exactly (distance 0): they are values every simulation matches (only term-0 rows, \
             say), so they carry no information about the fitted fields, and the posterior is \
             the prior drawn again. Give the rollout's later terms"
                .to_string(),
        );
    } else if !widths.is_empty()
        && widths
            .iter()
            .all(|&(prior, post)| prior > 0.0 && post >= UNINFORMED_WIDTH * prior)
    {
        out.push(format!(
            "the rollout barely narrowed any field: every field's posterior 90 % interval is at \
             least {UNINFORMED_WIDTH} of its prior's width, so the data say little about them \
             and calibrated.toml is close to the priors. More schools or terms, or fields the \
             rollout's strategy depends on, would tell more"
        ));
    }
    out
}

/// True when `dir` is a calibration's output folder (it has `posterior.csv` and
/// `predictive.csv`).
pub(crate) fn is_calibration(dir: &Path) -> bool {
    dir.join("posterior.csv").is_file() && dir.join("predictive.csv").is_file()
}

/// The rows of the CSV file `dir/name` as maps from column to cell, requiring `required`.
fn rows(dir: &Path, name: &str, required: &[&str]) -> Result<Vec<BTreeMap<String, String>>> {
    let path = dir.join(name);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let mut r = csv::Reader::from_reader(&bytes[..]);
    let bad = |m: String| -> Error { InputError::msg(m).in_file(&path).into() };
    let header: Vec<String> = r
        .headers()
        .map_err(|e| bad(format!("cannot read the header: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    for c in required {
        if !header.iter().any(|h| h == c) {
            return Err(bad(format!(
                "no column `{c}`: expected {} (is this a folder written by `domino calibrate`?)",
                required.join(", ")
            )));
        }
    }
    r.records()
        .map(|rec| {
            let rec = rec.map_err(|e| {
                let (line, message) = super::malformed_row(&e);
                let e = InputError::msg(message).in_file(&path);
                Error::from(match line {
                    Some(l) => e.at(l, None),
                    None => e,
                })
            })?;
            Ok(header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect())
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, k: &str) -> f64 {
    row.get(k).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

/// A number in 3 significant digits (a tiny or huge one in exponent form).
fn short(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if let Some(t) = super::exponent_form(x, 3) {
        return t;
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = (2 - libm::floor(libm::log10(x.abs())) as i32).max(0) as usize;
    format!("{x:.digits$}")
}

/// What the folder says about the run: from `manifest.json`, `scenario.toml` (loaded with the
/// network copies beside it) and `observed.csv`.
struct Run {
    manifest: serde_json::Value,
    scenario: crate::Scenario,
    /// The rollout's path as given to `domino calibrate`.
    observed: String,
    /// Rows of the rollout.
    rows: usize,
    /// The strategy of the rollout.
    strategy: String,
}

impl Run {
    fn read(dir: &Path) -> Result<Self> {
        let path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            InputError::msg(format!("not valid JSON: {e}"))
                .in_file(&path)
                .at(e.line(), Some(e.column()))
        })?;
        let scenario = crate::output::folder::read_scenario(dir)?;
        let observed = manifest["inputs"]
            .as_array()
            .and_then(|inputs| inputs.iter().find(|i| i["role"] == "observed"))
            .and_then(|i| i["path"].as_str())
            .unwrap_or("observed.csv")
            .to_string();
        let rows = crate::scenario::files::count_records(&dir.join("observed.csv"))?;
        let named = scenario
            .config
            .calibrate
            .as_ref()
            .map(|c| c.strategy.clone())
            .unwrap_or_default();
        let strategy = if named.is_empty() {
            scenario
                .config
                .strategies
                .first()
                .map(|s| s.name.clone())
                .unwrap_or_default()
        } else {
            named
        };
        Ok(Self {
            manifest,
            scenario,
            observed,
            rows,
            strategy,
        })
    }

    /// Field `k` of the manifest as text.
    fn get(&self, k: &str) -> String {
        let v = &self.manifest[k];
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    }
}

/// The "How to reproduce" section: what the manifest records, and the command that runs the
/// calibration again from the folder alone.
fn reproduce(run: &Run, dir: &Path) -> String {
    let mut s = String::from("<section id=\"reproduce\"><h2>How to reproduce</h2>\n<table>");
    super::html::manifest_rows(
        &mut s,
        &run.manifest,
        &[
            ("domino version", "domino_version"),
            ("commit", "domino_commit"),
            ("scenario", "scenario"),
            ("seed", "seed"),
            ("terms", "steps"),
        ],
    );
    let _ = writeln!(
        s,
        "</table>\n<p>The folder holds everything needed: the resolved <code>scenario.toml</code> \
         (every default written out, its <code>[calibrate]</code> table and any \
         <code>--set</code> included), copies of its network files and the rollout as \
         <code>observed.csv</code>. With the same domino version, this command gives the same \
         numbers, whatever the number of threads:</p>\n<pre><code>{}</code></pre></section>",
        escape(&format!(
            "domino calibrate {d}/scenario.toml --observed {d}/observed.csv --out NEW_FOLDER",
            d = dir.display()
        ))
    );
    s
}

/// The calibration page of the folder `dir`.
pub fn page(dir: &Path) -> Result<String> {
    let summary = rows(
        dir,
        "summary.csv",
        &["parameter", "median", "p5", "p95", "prior_p5", "prior_p95"],
    )?;
    let predictive = rows(
        dir,
        "predictive.csv",
        &["curve", "group", "term", "observed", "p5", "p50", "p95"],
    )?;
    let generations = rows(dir, "generations.csv", &["generation", "epsilon"])?;
    let run = Run::read(dir)?;
    let cfg = &run.scenario.config;
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<header><h1>Calibration of {}: does the model fit the rollout?</h1><p class=\"lead\">\
         Each fitted field's posterior (what the rollout says) against its prior (what was \
         assumed before), and the observed curves against what the fitted model simulates.</p>\
         <p class=\"meta\">{} fitted to the rollout <code>{}</code> ({} row{}) of {} schools \
         over {} terms, with the strategy {}; seed {}; domino {}.</p></header>",
        escape(&cfg.name),
        if summary.len() == 1 {
            "1 field".to_string()
        } else {
            format!("{} fields", summary.len())
        },
        escape(&run.observed),
        run.rows,
        if run.rows == 1 { "" } else { "s" },
        run.scenario.schools(),
        cfg.steps,
        escape(&run.strategy),
        cfg.seed,
        escape(&run.get("domino_version")),
    );
    // The verdict first, in the words the terminal uses.
    let fit = Fit::of(predictive.iter().map(|r| {
        (
            num(r, "term") as u32,
            num(r, "observed"),
            num(r, "p5"),
            num(r, "p95"),
        )
    }));
    let widths: Vec<(f64, f64)> = summary
        .iter()
        .map(|r| {
            (
                num(r, "prior_p95") - num(r, "prior_p5"),
                num(r, "p95") - num(r, "p5"),
            )
        })
        .collect();
    let prior_max = generations
        .first()
        .filter(|g| g.contains_key("max_distance"))
        .map(|g| num(g, "max_distance"));
    let _ = writeln!(
        body,
        "<section id=\"fit\"><h2>Does it fit?</h2>\n<p><strong>{}</strong></p>",
        escape(&fit.sentence(generations.len()))
    );
    for w in warnings(&widths, prior_max) {
        let _ = writeln!(body, "<p class=\"warning\">Warning: {}.</p>", escape(&w));
    }
    let _ = writeln!(
        body,
        "<p>Next: <code>{}</code> runs the scenario's strategies with what the rollout taught, \
         and what it left uncertain (add <code>[[strategies]]</code> to it to compare others).</p></section>",
        escape(&format!(
            "domino compare {}",
            dir.join("calibrated.toml").display()
        ))
    );
    body.push_str(
        "<h2 id=\"posterior\">What the rollout pinned down</h2>\n<table><thead><tr><th>field</th>\
         <th class=\"num\">prior 90 %</th><th class=\"num\">posterior median</th><th class=\"num\">\
         posterior 90 %</th><th class=\"num\">width vs prior</th><th>reading</th></tr></thead><tbody>\n",
    );
    let mut sampled = false;
    for r in &summary {
        // A beta prior's interval is estimated from draws (summary.csv's prior_quantiles).
        let approx = if r.get("prior_quantiles").map(String::as_str) == Some("sampled") {
            sampled = true;
            "~"
        } else {
            ""
        };
        let ratio = (num(r, "p95") - num(r, "p5")) / (num(r, "prior_p95") - num(r, "prior_p5"));
        let reading = if ratio < 0.5 {
            "pinned down by the data"
        } else if ratio < 0.8 {
            "narrowed by the data"
        } else {
            "the data say little: close to the prior"
        };
        let _ = writeln!(
            body,
            "<tr><td><code>{}</code></td><td class=\"num\">{approx}{} to {}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{} to {}</td><td class=\"num\">{:.0} %</td><td>{reading}</td></tr>",
            escape(r.get("parameter").map_or("", String::as_str)),
            short(num(r, "prior_p5")),
            short(num(r, "prior_p95")),
            short(num(r, "median")),
            short(num(r, "p5")),
            short(num(r, "p95")),
            100.0 * ratio
        );
    }
    body.push_str(
        "</tbody></table>\n<p class=\"note\">The posterior intervals hold 90 % of the weighted \
         posterior sample (posterior.csv); the prior's are exact",
    );
    if sampled {
        body.push_str(", except those marked ~ (a beta prior), estimated from 100,000 draws");
    }
    body.push_str(
        ". calibrated.toml gives each field a distribution with the posterior's mean and spread, \
         for <code>domino compare</code>.</p>\n",
    );
    body.push_str(
        "<h2 id=\"predictive\">Observed against simulated</h2>\n<p class=\"note\">Dots: the \
         observed share of schools at each term. Line and band: the median and 5-95 % range of \
         simulations drawn from the posterior (predictive.csv). Observed dots far outside the \
         band are what the fitted model does not reproduce.</p>\n",
    );
    for curve in ["adopting", "sustained", "abandoned"] {
        let cells: Vec<&BTreeMap<String, String>> = predictive
            .iter()
            .filter(|r| {
                r.get("curve").map(String::as_str) == Some(curve)
                    && r.get("group").map(String::as_str) == Some("all")
            })
            .collect();
        if cells.is_empty() {
            continue;
        }
        let observed = Series {
            name: "observed".into(),
            points: cells
                .iter()
                .map(|r| (num(r, "term"), num(r, "observed")))
                .collect(),
            band: Vec::new(),
            line: false,
        };
        let simulated = Series {
            name: "simulated median, 5-95 % band".into(),
            points: cells
                .iter()
                .map(|r| (num(r, "term"), num(r, "p50")))
                .collect(),
            band: cells
                .iter()
                .map(|r| (num(r, "term"), num(r, "p5"), num(r, "p95")))
                .collect(),
            line: true,
        };
        body.push_str(&line_chart(&LineChart {
            title: format!("Share of schools {curve}"),
            x_label: "term".into(),
            y_label: format!("{curve} share"),
            y_percent: true,
            series: vec![simulated, observed],
        }));
        body.push('\n');
    }
    body.push_str(&reproduce(&run, dir));
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\">\n<title>domino calibration: {}</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; }}\n\
         table {{ border-collapse: collapse; }} th, td {{ padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }}\n\
         td.num, th.num {{ text-align: right; }} svg {{ max-width: 100%; height: auto; }} .note {{ color: #444; }}\n\
         .meta {{ color: #444; }} .warning {{ color: #8a3b00; }} pre {{ white-space: pre-wrap; }}\n\
         </style>\n</head>\n<body data-page=\"calibration\">\n{body}</body>\n</html>\n",
        escape(&cfg.name)
    ))
}

/// Writes `report.html` into the calibration folder `dir`. Returns its path.
pub fn write(dir: &Path) -> Result<PathBuf> {
    let page = page(dir)?;
    let path = dir.join(super::html::FILE);
    crate::output::write_atomic(&path, |w| w.write_all(page.as_bytes()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_beta_priors_tiny_end_is_a_short_number_not_a_hundred_digits() {
        assert_eq!(short(1.4123e-100), "1.41e-100");
        assert_eq!(short(0.6821), "0.682");
    }

    use super::*;

    #[test]
    fn the_fit_counts_values_after_term_0_within_their_band_ends_included() {
        let fit = Fit::of([
            (0, 0.0, 0.0, 0.0),      // term 0: left out
            (1, 0.1, 0.1, 0.3),      // at the lower end: inside
            (2, 0.3, 0.1, 0.3),      // at the upper end: inside
            (3, 0.31, 0.1, 0.3),     // above
            (4, 0.05, 0.1, 0.3),     // below
            (5, f64::NAN, 0.1, 0.3), // not observed: left out
        ]);
        assert_eq!(
            fit,
            Fit {
                cells: 4,
                inside: 2
            }
        );
        let s = fit.sentence(5);
        assert!(s.starts_with("2 of 4 observed values after term 0 (50 %) lie within the model's 90 % predictive band"), "{s}");
        assert!(s.contains("fewer than 92 %"), "{s}");
        let none = Fit::of([(0, 0.0, 0.0, 0.0)]);
        assert_eq!(none.cells, 0);
        assert!(none.sentence(5).contains("no observation after term 0"));
    }

    /// The reference is what a correct model's rollout gives (92 % or more inside, see
    /// [`FIT_SHARE`]): 9 in 10 is a misfit, not a fit.
    #[test]
    fn nine_in_ten_inside_is_a_misfit_and_the_reference_passes() {
        let at = |inside| Fit { cells: 576, inside };
        // The wrong-budget rollout of the review: 517 of 576 (90 %).
        let s = at(517).sentence(5);
        assert!(s.contains("misses part of the rollout"), "{s}");
        assert!(!s.contains("finds no misfit"), "{s}");
        // The worst of the 20 rollouts of the model itself: 533 of 576 (92.5 %).
        let s = at(533).sentence(5);
        assert!(s.contains("finds no misfit"), "{s}");
        assert!(s.contains("92 to 100 % inside"), "{s}");
    }

    #[test]
    fn a_prior_only_search_is_not_called_a_fit() {
        let all = Fit {
            cells: 576,
            inside: 576,
        };
        let s = all.sentence(1);
        assert!(s.contains("Nothing was fitted"), "{s}");
        assert!(s.contains("simulations from the prior"), "{s}");
        assert!(
            !s.contains("finds no misfit") && !s.contains("posterior"),
            "{s}"
        );
        assert!(all.sentence(2).contains("finds no misfit"));
    }

    #[test]
    fn warnings_follow_their_two_rules() {
        // Every prior draw matches exactly: no information, whatever the widths.
        let w = warnings(&[(1.0, 0.2)], Some(0.0));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("distance 0"), "{w:?}");
        // Every field at least 0.9 of its prior's width.
        let w = warnings(&[(1.0, 0.9), (2.0, 1.95)], Some(0.3));
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("barely narrowed any field"), "{w:?}");
        // One field narrowed is enough to say nothing.
        assert!(warnings(&[(1.0, 0.95), (2.0, 1.7)], Some(0.3)).is_empty());
        assert!(warnings(&[(1.0, 0.5)], None).is_empty());
        assert!(warnings(&[], Some(0.1)).is_empty());
    }
}
