//! The page `domino report` writes for a calibration's output folder (`domino calibrate`):
//! the posterior summary per fitted field against its prior, and the posterior predictive check,
//! the observed district curves against the 5-95 % band of simulations from the posterior,
//! drawn with [`super::chart::line_chart`].
//!
//! It reads only `summary.csv` and `predictive.csv` of the folder (their columns are those
//! `crate::calibrate::output` writes), so it lives beside the comparison's page without
//! depending on the calibration code.

use super::chart::{line_chart, LineChart, Series};
use super::svg::escape;
use crate::error::{Error, InputError, Result};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

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
            let rec = rec.map_err(|e| bad(format!("malformed row: {e}")))?;
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

/// A number in 3 significant digits.
fn short(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == 0.0 {
        return "0".into();
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.digits$}")
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
    let mut body = String::from(
        "<header><h1>Calibration: does the model fit the rollout?</h1><p class=\"lead\">Each \
         fitted field's posterior (what the rollout says) against its prior (what was assumed \
         before), and the observed curves against what the fitted model simulates.</p></header>\n",
    );
    body.push_str(
        "<h2 id=\"posterior\">What the rollout pinned down</h2>\n<table><thead><tr><th>field</th>\
         <th class=\"num\">prior 90 %</th><th class=\"num\">posterior median</th><th class=\"num\">\
         posterior 90 %</th><th class=\"num\">width vs prior</th><th>reading</th></tr></thead><tbody>\n",
    );
    for r in &summary {
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
            "<tr><td><code>{}</code></td><td class=\"num\">{} to {}</td><td class=\"num\">{}</td>\
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
        "</tbody></table>\n<p class=\"note\">The intervals hold 90 % of the weighted posterior \
         sample (posterior.csv); calibrated.toml gives each field a distribution with the \
         posterior's mean and spread, for <code>domino compare</code>.</p>\n",
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
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\">\n<title>domino calibration</title>\n<style>\n\
         body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; }}\n\
         table {{ border-collapse: collapse; }} th, td {{ padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }}\n\
         td.num, th.num {{ text-align: right; }} svg {{ max-width: 100%; height: auto; }} .note {{ color: #444; }}\n\
         </style>\n</head>\n<body data-page=\"calibration\">\n{body}</body>\n</html>\n"
    ))
}

/// Writes `report.html` into the calibration folder `dir`. Returns its path.
pub fn write(dir: &Path) -> Result<PathBuf> {
    let page = page(dir)?;
    let path = dir.join(super::html::FILE);
    crate::output::write_atomic(&path, |w| w.write_all(page.as_bytes()))?;
    Ok(path)
}
