//! `report.html`: one self-contained page a leader can hand to a board, written from the files of
//! a comparison's output folder (`domino report OUT_DIR`, `domino compare --report`).
//!
//! The page is built from the folder alone ([`Folder::read`]): `scenario.toml`, `manifest.json`,
//! `summary.csv`, `paired.csv`, `runs.csv`, `timeseries.csv`, and when present `schools.csv`,
//! `regions.csv`, `ablation.csv` and `uncertainty.csv`. So a report can be made again at any time
//! from an old result, and `compare --report` makes it the same way, from the files it has just
//! staged. Everything is inline (CSS, a few lines of JavaScript for sortable tables, SVG charts
//! from [`super::chart`], the relevant sections of `docs/model.md`): the page fetches nothing and
//! opens from a USB stick; a print stylesheet makes it print cleanly to PDF.
//!
//! Sections, in the order a school board reads: the decision, the strategy table
//! (`<table id="summary">`, whose cells carry the exact `summary.csv` text in `data-value`), the
//! budget, outcomes over time, what a single district might see, equity, cost, the schools
//! (a network map and a sortable table, file networks only) and regions, what drives the result,
//! the assumptions (values the scenario set, apart from the defaults it relied on, each linked to
//! its reason in the model documentation) and how to reproduce it.
//!
//! Every text written into the page goes through [`super::svg::escape`], once.

use super::chart::{self, Axis, LineChart, Series};
use super::fixed;
use super::svg::escape;
use crate::engine;
use crate::error::{Error, InputError, Result};
use crate::metrics::stats::{ratio_of_means, wilson};
use crate::metrics::Measures;
use crate::scenario::Scenario;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The page's example of an uncertain value, with its table's path, so that pasted at the top
/// of a scenario it is read (a bare `d50 = ...` there would be an unknown field).
const UNCERTAIN_EXAMPLE: &str =
    "mechanisms.dose.d50 = { dist = \"uniform\", low = 0.5, high = 1.5 }";
use std::path::{Path, PathBuf};

/// The model documentation, whose sections the assumptions link to (copied into the page).
const MODEL_DOC: &str = include_str!("../../docs/model.md");

/// The name of the page in an output folder.
pub const FILE: &str = "report.html";

/// One CSV file of the folder, as text cells (the report shows `summary.csv` cells verbatim).
#[derive(Debug, Clone)]
pub struct Csv {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    /// Reads `path`, requiring the columns `required`; errors name the file and line.
    pub fn read(path: &Path, required: &[&str]) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let bad = |line: Option<u64>, msg: String| -> Error {
            let e = InputError::msg(msg).in_file(path);
            match line {
                Some(l) => e.at(l as usize, None).into(),
                None => e.into(),
            }
        };
        let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[..]);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| bad(Some(1), format!("cannot read the header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        for c in required {
            if !header.iter().any(|h| h == c) {
                return Err(bad(
                    Some(1),
                    format!(
                        "no column `{c}`: expected the columns {} (is this a folder written by `domino compare`?)",
                        required.join(", ")
                    ),
                ));
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let (line, message) = super::malformed_row(&e);
                bad(line.map(|l| l as u64), message)
            })?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(Self {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The text of column `name` in row `r` (empty when the column is missing).
    fn text<'a>(&'a self, r: &'a [String], name: &str) -> &'a str {
        self.col(name).map_or("", |j| r[j].as_str())
    }

    /// Column `name` of row `r` as a number: NaN for an empty cell; an error naming the file,
    /// line and column for anything else that is not a number.
    fn num(&self, r: usize, name: &str) -> Result<f64> {
        let text = self.text(&self.rows[r], name);
        if text.is_empty() {
            return Ok(f64::NAN);
        }
        text.parse().map_err(|_| {
            InputError::field(name, format!("expected a number, found `{text}`"))
                .in_file(&self.path)
                .at(r + 2, None)
                .into()
        })
    }
}

/// The files of a comparison's output folder, read back.
#[derive(Debug)]
pub struct Folder {
    /// The folder.
    pub dir: PathBuf,
    /// The folder's name in the page's "how to reproduce" command: `dir`, or, for a report
    /// written into a comparison's staging folder, the folder it becomes.
    shown: PathBuf,
    /// Its `scenario.toml`, loaded (network files from the copies beside it).
    pub scenario: Scenario,
    manifest: serde_json::Value,
    summary: Csv,
    paired: Csv,
    runs: Csv,
    timeseries: Csv,
    schools: Option<Csv>,
    regions: Option<Csv>,
    ablation: Option<Csv>,
    uncertainty: Option<Csv>,
}

impl Folder {
    /// Reads the output folder `dir` of `domino compare`. A missing folder, a folder that is not a
    /// comparison's, and malformed files are input errors naming the file.
    pub fn read(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            let what = if dir.exists() {
                "this is a file, not a folder"
            } else {
                "no such folder"
            };
            return Err(InputError::msg(format!(
                "{what}: expected the output folder of `domino compare`, `optimise` or \
                 `calibrate`"
            ))
            .in_file(dir)
            .into());
        }
        for name in [
            "summary.csv",
            "scenario.toml",
            "manifest.json",
            "paired.csv",
            "runs.csv",
            "timeseries.csv",
        ] {
            if !dir.join(name).is_file() {
                return Err(InputError::msg(format!(
                    "not the output folder of `domino compare`, `optimise` or `calibrate`: it has \
                     no {name}"
                ))
                .in_file(dir)
                .into());
            }
        }
        let manifest_path = dir.join("manifest.json");
        let text =
            std::fs::read_to_string(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
        let manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            InputError::msg(format!("not valid JSON: {e}"))
                .in_file(&manifest_path)
                .at(e.line(), Some(e.column()))
        })?;
        let scenario = crate::output::folder::read_scenario(dir)?;
        let optional = |name: &str, cols: &[&str]| -> Result<Option<Csv>> {
            let p = dir.join(name);
            if p.is_file() {
                Csv::read(&p, cols).map(Some)
            } else {
                Ok(None)
            }
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            shown: dir.to_path_buf(),
            manifest,
            summary: Csv::read(
                &dir.join("summary.csv"),
                &["strategy", "metric", "n", "mean", "ci_low", "ci_high"],
            )?,
            paired: Csv::read(
                &dir.join("paired.csv"),
                &["strategy", "versus", "metric", "p_beats", "mean_diff"],
            )?,
            runs: Csv::read(&dir.join("runs.csv"), &["strategy", "run"])?,
            timeseries: Csv::read(
                &dir.join("timeseries.csv"),
                &["strategy", "step", "metric", "mean", "p5", "p95"],
            )?,
            schools: optional(
                "schools.csv",
                &[
                    "school",
                    "name",
                    "region",
                    "strategy",
                    "funded",
                    "piloted",
                    "sustained",
                ],
            )?,
            regions: optional(
                "regions.csv",
                &[
                    "region",
                    "strategy",
                    "schools",
                    "funded",
                    "piloted",
                    "sustained",
                ],
            )?,
            ablation: optional(
                "ablation.csv",
                &[
                    "mechanism",
                    "setting",
                    "strategy",
                    "on",
                    "off",
                    "diff",
                    "winner_on",
                    "winner_off",
                ],
            )?,
            uncertainty: optional("uncertainty.csv", &super::uncertainty::HEADER)?,
            scenario,
        })
    }
}

/// Reads the output folder `dir` back and writes `report.html` into it, atomically (a
/// calibration's folder gets [`super::calibrate::page`]). Returns the page's path.
pub fn write(dir: &Path) -> Result<PathBuf> {
    write_as(dir, dir)
}

/// As [`write`](fn@write), for a folder that will be renamed to `shown` once complete (`compare --report`
/// writes into a staging folder): the page names `shown`, so that its bytes do not depend on the
/// staging folder's name, which holds the process id.
pub fn write_as(dir: &Path, shown: &Path) -> Result<PathBuf> {
    if super::calibrate::is_calibration(dir) {
        return super::calibrate::write(dir);
    }
    // A folder of `domino optimise` alone has a page of its own.
    let page = if super::optimise::only(dir) {
        super::optimise::page(dir, STYLE)?
    } else {
        let mut folder = Folder::read(dir)?;
        folder.shown = shown.to_path_buf();
        page(&folder)?
    };
    let path = dir.join(FILE);
    crate::output::write_atomic(&path, |w| w.write_all(page.as_bytes()))?;
    Ok(path)
}

/// A metric's name for people: `students_benefiting_share` -> `students benefiting share`.
fn words(name: &str) -> String {
    let words = name.replace('_', " ");
    // The support unit is an abbreviation: `spend_su` -> `spend (SU)`.
    match words.strip_suffix(" su") {
        Some(stem) => format!("{stem} (SU)"),
        None => words,
    }
}

/// A column head's unit: a difference of shares is in percentage points, a share in percent.
fn unit(metric: &str) -> &'static str {
    if metric == "equity_gap" {
        " (points)"
    } else if is_percent(metric) {
        " (%)"
    } else {
        ""
    }
}

/// Shares (and differences of shares) are shown in percent.
fn is_percent(metric: &str) -> bool {
    // `sustained_share_high_need` is a share too.
    metric.ends_with("_share") || metric.contains("_share_") || metric == "equity_gap"
}

/// A value of `metric` for people: percent with one decimal for shares, else a whole number
/// from 100 on and two decimals below. Returns (text, shown in percent).
fn shown(metric: &str, v: f64) -> (String, bool) {
    let percent = is_percent(metric);
    if !v.is_finite() {
        return ("n/a".into(), percent);
    }
    if percent {
        (fixed(v * 100.0, 1, false), true)
    } else if v.abs() >= 100.0 {
        (fixed(v, 0, false), false)
    } else {
        (fixed(v, 2, false), false)
    }
}

/// What the page is computed from: the folder and its tables, indexed.
struct Ctx<'a> {
    f: &'a Folder,
    measures: Measures,
    strategies: Vec<String>,
    headline: String,
    best: usize,
    /// (strategy, metric) -> row of summary.csv.
    summary: BTreeMap<(String, String), usize>,
}

impl Ctx<'_> {
    fn mean(&self, s: usize, metric: &str) -> f64 {
        self.stat(s, metric, "mean")
    }

    fn raw(&self, s: usize, metric: &str, stat: &str) -> Option<&str> {
        let r = *self
            .summary
            .get(&(self.strategies[s].clone(), metric.to_string()))?;
        Some(self.f.summary.text(&self.f.summary.rows[r], stat))
    }

    fn stat(&self, s: usize, metric: &str, stat: &str) -> f64 {
        self.raw(s, metric, stat)
            .and_then(|t| t.parse().ok())
            .unwrap_or(f64::NAN)
    }

    fn has(&self, metric: &str) -> bool {
        (0..self.strategies.len()).any(|s| self.raw(s, metric, "mean").is_some())
    }

    /// A table cell showing a summary.csv value, with the exact CSV text in `data-value`; `n/a`
    /// without data attributes when the CSV cell is empty.
    fn cell(&self, s: usize, metric: &str, stat: &str) -> String {
        let raw = self.raw(s, metric, stat).unwrap_or("");
        if raw.is_empty() {
            // No value (no run reached it): nothing to carry in data attributes.
            return r#"<td class="num">n/a</td>"#.to_string();
        }
        let v: f64 = raw.parse().unwrap_or(f64::NAN);
        let (text, percent) = shown(metric, v);
        format!(
            r#"<td class="num" data-metric="{}" data-stat="{}" data-value="{}"{}>{}</td>"#,
            escape(metric),
            escape(stat),
            escape(raw),
            if percent {
                r#" data-percent="true""#
            } else {
                ""
            },
            escape(&text)
        )
    }

    /// A table cell showing the mean of `metric` for strategy `s` with its 95% interval beneath
    /// ("10.3 (9.5 to 11.1)"), the mean's exact CSV text in `data-value`; `show` formats the
    /// three numbers alike (one precision per column). `n/a` without a mean; the mean alone
    /// without an interval (one run).
    fn cell_ci(&self, s: usize, metric: &str, show: &dyn Fn(f64) -> String) -> String {
        let raw = self.raw(s, metric, "mean").unwrap_or("");
        if raw.is_empty() {
            return r#"<td class="num">n/a</td>"#.to_string();
        }
        let v: f64 = raw.parse().unwrap_or(f64::NAN);
        let (lo, hi) = (
            self.stat(s, metric, "ci_low"),
            self.stat(s, metric, "ci_high"),
        );
        let ci = if lo.is_finite() && hi.is_finite() {
            format!("{} to {}", show(lo), show(hi))
        } else {
            super::NO_INTERVAL.to_string()
        };
        format!(
            r#"<td class="num" data-metric="{}" data-stat="mean" data-value="{}">{} <span class="ci">({})</span></td>"#,
            escape(metric),
            escape(raw),
            escape(&show(v)),
            escape(&ci)
        )
    }

    /// The number of runs behind `metric`'s mean for strategy `s` (summary.csv's `n`).
    fn n(&self, s: usize, metric: &str) -> Option<u64> {
        self.raw(s, metric, "n").and_then(|t| t.parse().ok())
    }

    /// A note naming, for each metric of `metrics` whose mean is over fewer runs than were run
    /// (it is undefined in the others), the runs behind it per strategy; empty when every mean
    /// is over every run.
    fn partial_note(&self, metrics: &[&str]) -> String {
        let runs = u64::from(self.f.scenario.config.runs);
        let mut parts = Vec::new();
        for m in metrics {
            let counts: Vec<String> = (0..self.strategies.len())
                .filter_map(|k| {
                    let n = self.n(k, m)?;
                    (n < runs).then(|| format!("{} {n} of {runs}", escape(&self.strategies[k])))
                })
                .collect();
            if !counts.is_empty() {
                parts.push(format!(
                    "{} is the mean over only the runs in which it is defined ({})",
                    escape(&words(m)),
                    counts.join(", ")
                ));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("<p class=\"note partial\">{}.</p>\n", parts.join("; "))
        }
    }

    /// Values of run metric `metric` of strategy `s`, run by run, from runs.csv.
    fn runs(&self, s: usize, metric: &str) -> Result<Vec<f64>> {
        let runs = &self.f.runs;
        if runs.col(metric).is_none() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for (r, row) in runs.rows.iter().enumerate() {
            if runs.text(row, "strategy") == self.strategies[s] {
                out.push(runs.num(r, metric)?);
            }
        }
        Ok(out)
    }

    /// The paired.csv row of `s` versus `o` on `metric`.
    fn paired(&self, s: usize, o: usize, metric: &str) -> Option<usize> {
        let p = &self.f.paired;
        p.rows.iter().position(|row| {
            p.text(row, "strategy") == self.strategies[s]
                && p.text(row, "versus") == self.strategies[o]
                && p.text(row, "metric") == metric
        })
    }
}

/// The whole page.
pub fn page(f: &Folder) -> Result<String> {
    let model = engine::model(&f.scenario);
    let measures = model.measures().clone();
    drop(model);
    let headline = measures.run_metrics[measures.headline].name.to_string();
    let mut strategies: Vec<String> = Vec::new();
    let mut summary = BTreeMap::new();
    for (r, row) in f.summary.rows.iter().enumerate() {
        let s = f.summary.text(row, "strategy").to_string();
        if !strategies.contains(&s) {
            strategies.push(s.clone());
        }
        summary.insert((s, f.summary.text(row, "metric").to_string()), r);
        f.summary.num(r, "mean")?;
        f.summary.num(r, "ci_low")?;
        f.summary.num(r, "ci_high")?;
    }
    if strategies.is_empty() {
        return Err(
            InputError::msg("no rows: expected one row per strategy and metric")
                .in_file(&f.summary.path)
                .into(),
        );
    }
    let mut ctx = Ctx {
        f,
        measures,
        strategies,
        headline,
        best: 0,
        summary,
    };
    if !ctx.has(&ctx.headline) {
        return Err(InputError::msg(format!(
            "no rows for the metric `{}`, which decides the comparison of this scenario",
            ctx.headline
        ))
        .in_file(&f.summary.path)
        .into());
    }
    for s in 0..ctx.strategies.len() {
        if ctx.mean(s, &ctx.headline) > ctx.mean(ctx.best, &ctx.headline) {
            ctx.best = s;
        }
    }
    let cfg = &f.scenario.config;
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<header><h1>{}</h1><p class=\"lead\">{}</p><p class=\"meta\" id=\"size\">{}; {} runs of {} {}s each, seed {}; domino {}.</p></header>",
        escape(&format!("What to do: {}", cfg.name)),
        escape(&cfg.description),
        escape(&size_words(&f.scenario)),
        cfg.runs,
        cfg.steps,
        escape(ctx.measures.step_name),
        cfg.seed,
        escape(ctx.f.manifest["domino_version"].as_str().unwrap_or("?")),
    );
    body.push_str(&nav());
    body.push_str(&decision(&ctx)?);
    body.push_str(&summary_table(&ctx)?);
    body.push_str(&budget(&ctx));
    body.push_str(&over_time(&ctx)?);
    body.push_str(&distribution(&ctx)?);
    body.push_str(&equity(&ctx));
    body.push_str(&cost(&ctx)?);
    body.push_str(&schools(&ctx)?);
    body.push_str(&drivers(&ctx)?);
    body.push_str(&super::optimise::section(&f.dir)?);
    body.push_str(&assumptions(&f.scenario));
    body.push_str(&reproduce(&ctx));
    body.push_str(&doc_appendix());
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body data-page=\"report\">\n{body}<script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        escape(&format!("domino report: {}", cfg.name))
    ))
}

/// The size of what was simulated, from the data, not from the description (which may be a
/// template's): "60 schools in 3 regions", or "400 nodes" for a classic model.
fn size_words(scenario: &Scenario) -> String {
    let n = scenario.schools();
    if scenario.config.model.is_classic() {
        return format!("{n} nodes");
    }
    let regions = crate::school::regions(scenario).1;
    format!(
        "{n} school{} in {regions} region{}",
        if n == 1 { "" } else { "s" },
        if regions == 1 { "" } else { "s" }
    )
}

const STYLE: &str = r#"body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.9rem; margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 2px solid #0072B2; padding-bottom: .2rem; }
.lead { font-size: 1.1rem; } .meta, .note { color: #444; font-size: .92rem; }
#decision { font-size: 1.15rem; background: #f3f7fb; border-left: 6px solid #0072B2; padding: .8rem 1rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .92rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td:first-child { font-weight: bold; }
table.sortable th { cursor: pointer; } table.sortable th::after { content: " \2195"; color: #999; }
.bar { display: inline-block; height: .8rem; background: #0072B2; vertical-align: middle; }
.bar.left { background: #E69F00; }
.ci { color: #555; font-size: .85em; white-space: nowrap; }
svg { max-width: 100%; height: auto; }
.scroll { max-height: 32rem; overflow: auto; }
.doc p, .doc pre { font-size: .88rem; } .doc pre { white-space: pre-wrap; background: #f6f6f6; padding: .4rem; }
code { background: #f3f3f3; padding: 0 .2rem; }
table.wide { font-size: .82rem; } table.wide code { font-size: .78rem; word-break: break-all; } .nw { white-space: nowrap; }
nav ol { columns: 2; font-size: .92rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav, .noprint { display: none; }
  .scroll { max-height: none; overflow: visible; }
  h2 { break-after: avoid; } table, svg, figure { break-inside: avoid; }
  #decision { border: 1px solid #000; border-left: 6px solid #000; background: none; }
  .bar { background: #555 !important; print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"#;

const SCRIPT: &str = r#"(function () {
  function key(cell) {
    var v = cell.getAttribute("data-sort");
    if (v === null) v = cell.getAttribute("data-value");
    if (v === null) v = cell.textContent.trim();
    var x = parseFloat(v);
    return (v !== "" && !isNaN(x) && isFinite(v)) ? x : v.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, j) {
      th.addEventListener("click", function () {
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var down = th.getAttribute("data-dir") !== "down";
        heads.forEach(function (h) { h.removeAttribute("data-dir"); });
        th.setAttribute("data-dir", down ? "down" : "up");
        rows.sort(function (a, b) {
          var x = key(a.cells[j]), y = key(b.cells[j]);
          if (typeof x !== typeof y) { x = String(x); y = String(y); }
          var c = x < y ? -1 : x > y ? 1 : 0;
          return down ? -c : c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  document.body.dataset.ready = "true";
})();
"#;

fn nav() -> String {
    let items = [
        ("decision", "The decision"),
        ("strategies", "The strategies side by side"),
        ("budget", "Budget"),
        ("over-time", "Outcomes over time"),
        ("single-district", "What a single district might see"),
        ("equity", "Equity"),
        ("cost", "Cost"),
        ("schools", "Schools and regions"),
        ("drivers", "What drives the result"),
        ("assumptions", "Assumptions"),
        ("reproduce", "How to reproduce"),
    ];
    let mut s = String::from("<nav><ol>");
    for (id, text) in items {
        let _ = write!(s, "<li><a href=\"#{id}\">{}</a></li>", escape(text));
    }
    s.push_str("</ol></nav>\n");
    s
}

fn pct_text(v: f64) -> String {
    if v.is_finite() {
        format!("{}%", fixed(100.0 * v, 1, false))
    } else {
        "n/a".into()
    }
}

fn points(v: f64) -> String {
    if v.is_finite() {
        super::points(v)
    } else {
        "n/a".into()
    }
}

/// The end of an interval of a difference in points: a value that is not zero never reads
/// "+0.0" ([`super::fixed_nonzero`]).
fn points_end(v: f64) -> String {
    if v.is_finite() {
        super::fixed_nonzero(100.0 * v, 1)
    } else {
        "n/a".into()
    }
}

/// Section 1: the decision in plain words.
fn decision(c: &Ctx) -> Result<String> {
    let best = c.best;
    let name = &c.strategies[best];
    let h = &c.headline;
    let mut s = String::from("<section id=\"decision-section\"><h2 id=\"decision-heading\">The decision</h2>\n<div id=\"decision\">");
    let value = |s: usize| {
        let (t, p) = shown(h, c.mean(s, h));
        if p {
            format!("{t}%")
        } else {
            t
        }
    };
    let opening_at = s.len();
    let mut clear = true;
    // How often each strategy was best (ties split), over the runs (the worlds).
    let headlines: Vec<Vec<f64>> = (0..c.strategies.len())
        .map(|k| c.runs(k, h))
        .collect::<Result<_>>()?;
    let wins = crate::metrics::stats::wins(&headlines);
    let mut worst: f64 = 1.0;
    // Strategies with exactly the leader's result in every paired run (a zero difference with a
    // zero-width interval): a tie, not a win in half the runs.
    let mut same = Vec::new();
    if c.strategies.len() == 1 {
        s.push_str("<p>Only one strategy was run: there is nothing to compare it with.</p>");
    } else {
        let mut sure = Vec::new();
        let mut ahead = true;
        let mut no_interval = false;
        for o in (0..c.strategies.len()).filter(|&o| o != best) {
            let Some(r) = c.paired(best, o, h) else {
                continue;
            };
            let p_beats = c.f.paired.num(r, "p_beats")?;
            let diff = c.f.paired.num(r, "mean_diff")?;
            let lo = c.f.paired.num(r, "diff_ci_low")?;
            let hi = c.f.paired.num(r, "diff_ci_high")?;
            if (diff, lo, hi) == (0.0, 0.0, 0.0) {
                same.push(format!("<strong>{}</strong>", escape(&c.strategies[o])));
                continue;
            }
            worst = worst.min(p_beats);
            ahead &= lo > 0.0;
            if !(lo.is_finite() && hi.is_finite()) {
                no_interval = true;
                sure.push(format!(
                    "it did better than {} by {} points in the one run ({})",
                    escape(&c.strategies[o]),
                    points(diff),
                    super::NO_INTERVAL
                ));
                continue;
            }
            sure.push(format!(
                "it did better than {} in {} of paired runs ({} points on average, {})",
                escape(&c.strategies[o]),
                pct_text(p_beats),
                points(diff),
                super::interval(lo, hi, points_end)
            ));
        }
        let how = match (ahead, worst) {
            (true, p) if p >= 0.95 => "This is a clear answer: it is ahead on average and in at least 95% of runs against every other strategy.",
            (true, p) if p >= 0.75 => "It is ahead on average; in any one district it is likely, not sure, to come out ahead.",
            (true, _) => "It is ahead on average, but in a single district the result often goes the other way.",
            (false, _) => "There is no clear winner: the difference is within the uncertainty, so other considerations may decide.",
        };
        let one_run = format!(
            "{}{}.",
            super::ONE_RUN[..1].to_uppercase(),
            &super::ONE_RUN[1..]
        );
        let how = if no_interval { one_run.as_str() } else { how };
        // Beside a tie, the words about how sure a win is would speak of the tie too.
        let how = if same.is_empty() { how } else { "" };
        if !sure.is_empty() {
            let _ = write!(
                s,
                "<p>How sure across Monte Carlo runs: {}. {how}</p>",
                sure.join("; ")
            );
        }
        let paths = c.f.scenario.uncertain.paths();
        if paths.is_empty() {
            let _ = write!(s, "<p>How sure across plausible worlds: not asked. Every run used the same parameter values, so the uncertainty above is chance alone, not doubt about the parameters. Give uncertain values as distributions in the scenario (e.g. <code>{}</code> at the top of the file, before any [section]) to see it.</p>", escape(UNCERTAIN_EXAMPLE));
        } else {
            let _ = write!(
                s,
                "<p>How sure across plausible worlds: every run drew its own values of {} from the scenario's distributions; {} came out best in {} of these worlds.</p>",
                paths
                    .iter()
                    .map(|p| format!("<code>{}</code>", escape(p)))
                    .collect::<Vec<_>>()
                    .join(", "),
                escape(name),
                pct_text(wins[best])
            );
        }
        s.push_str(&what_would_change(c)?);
        clear = ahead && same.is_empty();
    }
    let classic = c.f.scenario.config.model.is_classic();
    let objective = if classic {
        String::new()
    } else {
        format!(
            " The scenario's objective is <em>{}</em>.",
            escape(&words(
                toml::Value::try_from(c.f.scenario.config.objective)
                    .ok()
                    .as_ref()
                    .and_then(toml::Value::as_str)
                    .unwrap_or("?")
            ))
        )
    };
    // From one run, "on average" and "best in 100.0% of the runs" would read as evidence.
    let one_run = headlines.first().map_or(0, Vec::len) == 1;
    let margin = margin(c, &wins, one_run)?;
    let choose = if !same.is_empty() {
        format!(
            "<p>No {} is best: <strong>{}</strong> and {} gave exactly the same result in every paired run.",
            escape(c.measures.arm_label),
            escape(name),
            same.join(" and ")
        )
    } else if clear {
        format!(
            "<p>Choose <strong>{}</strong>{}{margin}.",
            escape(name),
            if narrow(worst, wins[best]) {
                ", narrowly"
            } else {
                ""
            }
        )
    } else {
        format!(
            "<p>No {} is clearly best; <strong>{}</strong> did best {}{margin}.",
            escape(c.measures.arm_label),
            escape(name),
            if one_run {
                "in the one run"
            } else {
                "on average"
            }
        )
    };
    let opening = format!(
        "{choose}{objective} It is measured as the {} at the end of {} {}s: {} with {} on average ({}).</p>",
        escape(&words(h)),
        c.f.scenario.config.steps,
        escape(c.measures.step_name),
        escape(&value(best)),
        escape(name),
        escape(&super::interval(
            c.stat(best, h, "ci_low"),
            c.stat(best, h, "ci_high"),
            |v| shown(h, v).0
        )),
    );
    s.insert_str(opening_at, &opening);
    s.push_str("</div></section>\n");
    Ok(s)
}

/// Whether a win that is clear on average (the paired difference's interval excludes 0 against
/// every other strategy) is only narrow: the winner does better than some other strategy in
/// fewer than 75% of paired runs (so in a single district the result often goes the other way),
/// or it is best in fewer than half of the runs. A clear average lead can come from many runs
/// with a small difference; the headline then says "narrowly".
fn narrow(worst_p_beats: f64, best_in: f64) -> bool {
    worst_p_beats < 0.75 || best_in < 0.5
}

/// The words after "Choose X" that carry the margin and how robust it is: ": ahead of Y, the
/// runner-up, by +1.3 points on average (95% CI +0.5 to +2.1); best in 53.2% of the runs".
/// Empty with a single strategy or without the paired row. From `one_run`, the difference in
/// that run and no share of runs.
fn margin(c: &Ctx, wins: &[f64], one_run: bool) -> Result<String> {
    let h = &c.headline;
    let Some(o) = second(c) else {
        return Ok(String::new());
    };
    let Some(r) = c.paired(c.best, o, h) else {
        return Ok(String::new());
    };
    let p = &c.f.paired;
    let (diff, lo, hi) = (
        p.num(r, "mean_diff")?,
        p.num(r, "diff_ci_low")?,
        p.num(r, "diff_ci_high")?,
    );
    let (amount, end): (String, fn(f64) -> String) = if is_percent(h) {
        (format!("{} points", points(diff)), points_end)
    } else {
        (super::fixed_nonzero(diff, 2), |v| {
            super::fixed_nonzero(v, 2)
        })
    };
    if one_run {
        return Ok(format!(
            ": ahead of {}, the runner-up, by {amount} ({})",
            escape(&c.strategies[o]),
            super::interval(lo, hi, end),
        ));
    }
    Ok(format!(
        ": ahead of {}, the runner-up, by {amount} on average ({}); best in {} of the runs",
        escape(&c.strategies[o]),
        super::interval(lo, hi, end),
        pct_text(wins[c.best])
    ))
}

/// The runner-up on the headline.
fn second(c: &Ctx) -> Option<usize> {
    (0..c.strategies.len())
        .filter(|&s| s != c.best)
        .max_by(|&a, &b| {
            c.mean(a, &c.headline)
                .total_cmp(&c.mean(b, &c.headline))
                .then(b.cmp(&a))
        })
}

/// The sentence on what would change the answer: mechanisms whose removal changes the winner
/// (ablation.csv) and the uncertain parameters that decide between the first two.
fn what_would_change(c: &Ctx) -> Result<String> {
    const START: &str = "<p>What would change the answer: ";
    let mut s = String::from(START);
    match &c.f.ablation {
        Some(a) => {
            let mut flips = Vec::new();
            for (r, row) in a.rows.iter().enumerate() {
                let (on, off) = (a.text(row, "winner_on"), a.text(row, "winner_off"));
                let how = if a.num(r, "lead_off_lo")? > 0.0 {
                    "would win"
                } else {
                    "would do best on average, within the uncertainty"
                };
                let text = format!(
                    "without {} ({}), {} {how}",
                    escape(a.text(row, "mechanism")),
                    escape(a.text(row, "setting")),
                    escape(off)
                );
                if on != off && !flips.contains(&text) {
                    flips.push(text);
                }
            }
            if flips.is_empty() {
                s.push_str("switching off any one mechanism of the model leaves the winner unchanged. ");
            } else {
                let _ = write!(s, "{}. ", flips.join("; "));
            }
        }
        None if c.f.scenario.config.model.is_classic() => {}
        None => s.push_str(
            "which mechanisms matter was not computed (run <code>domino compare --ablate</code> to see it). ",
        ),
    }
    if let (Some(u), Some(o)) = (&c.f.uncertainty, second(c)) {
        let (a, b) = (&c.strategies[c.best], &c.strategies[o]);
        // (rho, its 95% interval, parameter), oriented as "a gains over b".
        let mut all: Vec<(f64, (f64, f64), &str)> = Vec::new();
        for (r, row) in u.rows.iter().enumerate() {
            let (rho, lo, hi) = (
                u.num(r, "rho")?,
                u.num(r, "rho_ci_low")?,
                u.num(r, "rho_ci_high")?,
            );
            if u.text(row, "arm_a") == a && u.text(row, "arm_b") == b {
                all.push((rho, (lo, hi), u.text(row, "parameter")));
            } else if u.text(row, "arm_a") == b && u.text(row, "arm_b") == a {
                all.push((-rho, (-hi, -lo), u.text(row, "parameter")));
            }
        }
        // A parameter decides when its correlation is of some size (|rho| of 0.1 or more) and
        // its interval excludes 0; a small estimate with a wide interval is not "no effect".
        let mut rows: Vec<(f64, &str)> = all
            .iter()
            .filter(|(rho, (lo, hi), _)| {
                rho.is_finite() && rho.abs() >= 0.1 && (*lo > 0.0 || *hi < 0.0)
            })
            .map(|&(rho, _, p)| (rho, p))
            .collect();
        rows.sort_by(|x, y| y.0.abs().total_cmp(&x.0.abs()));
        let parts: Vec<String> = rows
            .iter()
            .take(3)
            .map(|(rho, p)| {
                format!(
                    "<code>{}</code> (rank correlation {}: the {} it is, the more {} gains over {})",
                    escape(p),
                    fixed(*rho, 2, true),
                    if *rho >= 0.0 { "higher" } else { "lower" },
                    escape(a),
                    escape(b)
                )
            })
            .collect();
        if parts.is_empty() {
            let (lo, hi) = all
                .iter()
                .filter(|(_, (lo, hi), _)| lo.is_finite() && hi.is_finite())
                .fold((0.0f64, 0.0f64), |(l, h), (_, (lo, hi), _)| {
                    (l.min(*lo), h.max(*hi))
                });
            let _ = write!(
                s,
                "No uncertain parameter is shown to decide between {} and {}: no rank correlation is both 0.1 or more in size and clear of 0 at 95%. With these runs the intervals reach from {} to {}, so a correlation of that size is not ruled out; more runs narrow them.",
                escape(a),
                escape(b),
                fixed(lo, 2, true),
                fixed(hi, 2, true)
            );
        } else {
            let _ = write!(
                s,
                "Of the uncertain parameters, these decide between {} and {} most: {}.",
                escape(a),
                escape(b),
                parts.join("; ")
            );
        }
    }
    if s == START {
        return Ok(String::new());
    }
    s.push_str("</p>");
    Ok(s)
}

/// The metrics of the strategy table: the headline, then the model's table columns shown as a
/// mean with its interval.
fn table_metrics(c: &Ctx) -> Vec<String> {
    let mut out = vec![c.headline.clone()];
    for col in &c.measures.table {
        let info = &c.measures.run_metrics[col.metric];
        let name = info.name.to_string();
        if !info.is_time && !out.contains(&name) && c.has(&name) && out.len() < 4 {
            out.push(name);
        }
    }
    out
}

/// The contract's `<table id="summary">`.
fn summary_table(c: &Ctx) -> Result<String> {
    let metrics = table_metrics(c);
    let mut s = String::from(
        "<section id=\"strategies\"><h2>The strategies side by side</h2>\n<p class=\"note\">Mean over runs with its 95% confidence interval; shares in percent. <em>Best in</em> is the share of runs in which the strategy had the highest ",
    );
    let _ = write!(
        s,
        "{} (ties split), with its 95% interval (Wilson's).</p>\n<table id=\"summary\"><thead><tr><th rowspan=\"2\">{}</th>",
        escape(&words(&c.headline)),
        escape(c.measures.arm_label)
    );
    for m in &metrics {
        let _ = write!(s, "<th colspan=\"3\">{}{}</th>", escape(&words(m)), unit(m));
    }
    s.push_str("<th rowspan=\"2\" class=\"num\">best in</th></tr><tr>");
    for _ in &metrics {
        s.push_str("<th class=\"num\">mean</th><th class=\"num\">95% low</th><th class=\"num\">95% high</th>");
    }
    s.push_str("</tr></thead><tbody>\n");
    let headlines: Vec<Vec<f64>> = (0..c.strategies.len())
        .map(|k| c.runs(k, &c.headline))
        .collect::<Result<_>>()?;
    let wins = crate::metrics::stats::wins(&headlines);
    let runs = headlines.first().map_or(0, Vec::len) as f64;
    for (k, name) in c.strategies.iter().enumerate() {
        let _ = write!(
            s,
            "<tr data-strategy=\"{}\"{}><td>{}</td>",
            escape(name),
            if k == c.best { " class=\"best\"" } else { "" },
            escape(name)
        );
        for m in &metrics {
            for stat in ["mean", "ci_low", "ci_high"] {
                s.push_str(&c.cell(k, m, stat));
            }
        }
        let _ = writeln!(s, "<td class=\"num\">{}</td></tr>", best_in(wins[k], runs));
    }
    s.push_str("</tbody></table>\n");
    let metrics: Vec<&str> = metrics.iter().map(String::as_str).collect();
    s.push_str(&c.partial_note(&metrics));
    s.push_str("</section>\n");
    Ok(s)
}

/// A share of `runs` runs in percent with its 95% Wilson interval: "51.5% (44.6 to 58.3)".
fn best_in(share: f64, runs: f64) -> String {
    let (lo, hi) = crate::metrics::stats::wilson(share, runs);
    if lo.is_finite() && hi.is_finite() {
        format!(
            "{} <span class=\"ci\">({} to {})</span>",
            pct_text(share),
            fixed(100.0 * lo, 1, false),
            fixed(100.0 * hi, 1, false)
        )
    } else {
        pct_text(share)
    }
}

/// A horizontal bar of `frac` (0..1) of 10 rem.
fn bar(frac: f64, class: &str) -> String {
    let w = if frac.is_finite() {
        frac.clamp(0.0, 1.0) * 10.0
    } else {
        0.0
    };
    format!("<span class=\"bar {class}\" style=\"width:{w:.2}rem\"></span>")
}

fn budget(c: &Ctx) -> String {
    let mut s = String::from(
        "<section id=\"budget\"><h2>Budget: what each strategy spent and left unspent</h2>\n",
    );
    if !c.has("spend_su") {
        s.push_str("<p>This model has no budget.</p></section>\n");
        return s;
    }
    let scenario = &c.f.scenario;
    let per_term = scenario.budget_per_term();
    let steps = scenario.config.steps;
    let drawn = scenario
        .uncertain
        .paths()
        .iter()
        .any(|p| p.starts_with("budget."));
    let budget = if drawn {
        format!(
            "Every strategy had the same budget within each run; the budget was {}. The amounts below are means over runs.",
            escape(&scenario.budget_words())
        )
    } else {
        format!(
            "Every strategy had the same budget: {} support units (SU) per {step}, {} SU over {steps} {step}s.",
            fixed(per_term, 1, false),
            fixed(per_term * steps as f64, 0, false),
            step = escape(c.measures.step_name),
        )
    };
    let _ = write!(
        s,
        "<p>{budget} Money left unspent is support that reached no school. Means over runs with their 95% confidence intervals.</p>\n<table><thead><tr><th>strategy</th><th class=\"num\">spent (SU)</th><th class=\"num\">unspent (SU)</th><th class=\"num\">unspent (%)</th><th>spent / unspent</th></tr></thead><tbody>\n",
    );
    for (k, name) in c.strategies.iter().enumerate() {
        let spent = c.mean(k, "spend_su");
        let unspent = c.mean(k, "unspent_su");
        let total = spent + unspent;
        // One precision for every amount of SU in the table (not "126" beside "25.82").
        let su = |v: f64| fixed(v, 1, false);
        let share = |v: f64| fixed(100.0 * v, 1, false);
        let _ = writeln!(
            s,
            "<tr><td>{}</td>{}{}{}<td>{}{}</td></tr>",
            escape(name),
            c.cell_ci(k, "spend_su", &su),
            c.cell_ci(k, "unspent_su", &su),
            c.cell_ci(k, "unspent_share", &share),
            bar(spent / total, ""),
            bar(unspent / total, "left")
        );
    }
    s.push_str("</tbody></table></section>\n");
    s
}

/// The series of `metric` in timeseries.csv, one per strategy, with 5-95 % bands.
fn series_of(c: &Ctx, metric: &str) -> Result<Vec<Series>> {
    let t = &c.f.timeseries;
    let mut out: Vec<Series> = c
        .strategies
        .iter()
        .map(|n| Series {
            name: n.clone(),
            line: true,
            ..Series::default()
        })
        .collect();
    for (r, row) in t.rows.iter().enumerate() {
        if t.text(row, "metric") != metric {
            continue;
        }
        let Some(k) = c
            .strategies
            .iter()
            .position(|n| n == t.text(row, "strategy"))
        else {
            continue;
        };
        let step = t.num(r, "step")?;
        out[k].points.push((step, t.num(r, "mean")?));
        out[k].band.push((step, t.num(r, "p5")?, t.num(r, "p95")?));
    }
    Ok(out)
}

fn over_time(c: &Ctx) -> Result<String> {
    let mut s = String::from("<section id=\"over-time\"><h2>Outcomes over time</h2>\n<p class=\"note\">Lines: the mean over runs; shaded bands: the middle 90% of runs (5th to 95th percentile).</p>\n");
    // The objective's series (when the model records one), then the headline series.
    let mut names = vec![c.headline.clone()];
    for n in [
        c.measures.series[c.measures.headline_series].name,
        "sustained_share",
    ] {
        if !names.iter().any(|m| m == n) {
            names.push(n.to_string());
        }
    }
    for name in names {
        let series = series_of(c, &name)?;
        if series.iter().all(|x| x.points.is_empty()) {
            continue;
        }
        let _ = writeln!(
            s,
            "<figure>{}</figure>",
            chart::line_chart(&LineChart {
                title: format!("{} by {}", words(&name), c.measures.step_name),
                x_label: c.measures.step_name.to_string(),
                y_label: words(&name),
                y_percent: is_percent(&name),
                series,
            })
        );
    }
    s.push_str("</section>\n");
    Ok(s)
}

fn distribution(c: &Ctx) -> Result<String> {
    let h = &c.headline;
    let rows: Vec<(String, Vec<f64>)> = (0..c.strategies.len())
        .map(|k| Ok((c.strategies[k].clone(), c.runs(k, h)?)))
        .collect::<Result<_>>()?;
    let mut s =
        String::from("<section id=\"single-district\"><h2>What a single district might see</h2>\n");
    let _ = writeln!(
        s,
        "<p>The mean hides how much one district's result can vary. Each dot is one run, one way the next {} {}s could go; the bar spans the middle 90% of runs and the tick marks the median. {} ranged from {} to {} in the middle 90% of runs.</p>",
        c.f.scenario.config.steps,
        escape(c.measures.step_name),
        escape(&c.strategies[c.best]),
        escape(&percent_or_plain(h, c.stat(c.best, h, "p5"))),
        escape(&percent_or_plain(h, c.stat(c.best, h, "p95"))),
    );
    let _ = writeln!(
        s,
        "<figure>{}</figure></section>",
        chart::strip_chart(
            &format!("{} at the end, one dot per run", words(h)),
            &words(h),
            is_percent(h),
            &rows
        )
    );
    Ok(s)
}

fn percent_or_plain(metric: &str, v: f64) -> String {
    let (t, p) = shown(metric, v);
    if p && v.is_finite() {
        format!("{t}%")
    } else {
        t
    }
}

/// A table of `metrics` (those present) per strategy, means with data attributes.
fn metric_table(c: &Ctx, metrics: &[(&str, &str)]) -> String {
    let present: Vec<_> = metrics.iter().filter(|m| c.has(m.0)).collect();
    let mut s = String::from("<table><thead><tr><th>strategy</th>");
    for (m, label) in &present {
        let _ = write!(s, "<th class=\"num\">{}{}</th>", escape(label), unit(m));
    }
    s.push_str("</tr></thead><tbody>\n");
    for (k, name) in c.strategies.iter().enumerate() {
        let _ = write!(s, "<tr><td>{}</td>", escape(name));
        for (m, _) in &present {
            let show = |v: f64| shown(m, v).0;
            s.push_str(&c.cell_ci(k, m, &show));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
    let names: Vec<&str> = present.iter().map(|m| m.0).collect();
    s.push_str(&c.partial_note(&names));
    s
}

fn equity(c: &Ctx) -> String {
    let mut s =
        String::from("<section id=\"equity\"><h2>Equity: high-need and low-need schools</h2>\n");
    if !c.has("equity_gap") {
        s.push_str("<p>This model does not tell high-need from low-need schools.</p></section>\n");
        return s;
    }
    let benefit = &c.f.scenario.config.mechanisms.benefit;
    // docs/model.md §4.7: no_benefit_share_* is over the counted adopters, practising or not
    // yet, not over practising schools as the table's "no ben." column (§9) is.
    let _ = writeln!(
        s,
        "<p>Sustained: share of schools practising the innovation for good at the end. Gap: high-need minus low-need, in percentage points (below zero: high-need schools are left behind). No benefit: share of counted adopters (sustained schools, and implementing schools with at least {} term{} in the stage, practising yet or not) whose realized effect is below the benefit bar ({} SD); the terminal table's <em>no ben.</em> column is over practising schools only. Means over runs with their 95% confidence intervals.</p>",
        benefit.min_terms,
        if benefit.min_terms == 1 { "" } else { "s" },
        escape(&super::significant(benefit.bar))
    );
    s.push_str(&metric_table(
        c,
        &[
            ("sustained_share_high_need", "sustained, high need"),
            ("sustained_share_low_need", "sustained, low need"),
            ("equity_gap", "gap"),
            ("no_benefit_share_high_need", "no benefit, high need"),
            ("no_benefit_share_low_need", "no benefit, low need"),
        ],
    ));
    s.push_str("</section>\n");
    s
}

fn cost(c: &Ctx) -> Result<String> {
    let mut s = String::from(
        "<section id=\"cost\"><h2>Cost per school sustained and per student benefiting</h2>\n",
    );
    if !c.has("spend_su") {
        s.push_str("<p>This model has no costs.</p></section>\n");
        return Ok(s);
    }
    s.push_str("<p>Support units spent per school sustained (mean over only the runs that sustained any school: a run that sustained none has no cost per school, so the column <em>runs</em> says how many runs the mean rests on) and per student benefiting (mean spending divided by mean students benefiting, over the same runs; its 95% interval by the delta method). Lower is better. Each figure with its 95% confidence interval.</p>\n<table><thead><tr><th>strategy</th><th class=\"num\">SU per school sustained</th><th class=\"num\">runs</th><th class=\"num\">students benefiting</th><th class=\"num\">SU per student benefiting</th></tr></thead><tbody>\n");
    let runs = c.f.scenario.config.runs;
    for (k, name) in c.strategies.iter().enumerate() {
        let per_student =
            ratio_of_means(&c.runs(k, "spend_su")?, &c.runs(k, "students_benefiting")?);
        let behind = c
            .n(k, "cost_per_sustained_su")
            .map_or("n/a".to_string(), |n| format!("{n} of {runs}"));
        let _ = writeln!(
            s,
            "<tr><td>{}</td>{}<td class=\"num\">{}</td>{}<td class=\"num\">{}</td></tr>",
            escape(name),
            c.cell_ci(k, "cost_per_sustained_su", &|v| fixed(v, 1, false)),
            escape(&behind),
            c.cell_ci(k, "students_benefiting", &|v| fixed(v, 0, false)),
            per_student_text(per_student)
        );
    }
    s.push_str("</tbody></table></section>\n");
    Ok(s)
}

/// The cost per student benefiting, `(ratio, low, high)` from [`ratio_of_means`], as its cell
/// shows it: "0.0846 <span>(0.0801 to 0.0891)</span>", the interval clipped at 0 (a cost).
fn per_student_text((r, lo, hi): (f64, f64, f64)) -> String {
    if !r.is_finite() {
        return "n/a (no student benefits)".into();
    }
    let ci = if lo.is_finite() && hi.is_finite() {
        format!(
            "{} to {}",
            super::significant(lo.max(0.0)),
            super::significant(hi)
        )
    } else {
        super::NO_INTERVAL.to_string()
    };
    format!(
        "{} <span class=\"ci\">({})</span>",
        escape(&super::significant(r)),
        escape(&ci)
    )
}

/// A light-to-dark blue for `t` in 0..1: lightness falls steadily, so the order survives grey
/// print and colour-blindness.
fn blues(t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (a, b) = ((0xf7, 0xfb, 0xff), (0x08, 0x30, 0x6b));
    let mix = |x: i32, y: i32| (x as f64 + (y - x) as f64 * t).round() as i32;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

fn schools(c: &Ctx) -> Result<String> {
    let mut s = String::from("<section id=\"schools\"><h2>Schools and regions</h2>\n");
    let Some(t) = &c.f.schools else {
        if c.f.scenario.config.network.kind == crate::scenario::NetworkKind::File {
            s.push_str("<p>This comparison read its network from files, but its folder has no <code>schools.csv</code> (the comparison writes one; it was removed, or the folder was written by an older domino). Run the comparison again to get a map of your schools and a table of each school's chances.</p>\n</section>\n");
            return Ok(s);
        }
        s.push_str("<p>Per-school results need a node table: this scenario's network is generated anew in every run, so school number 7 is a different school in each run and its chance of being sustained would mean nothing. Give the network as files (<code>[network] kind = \"file\"</code> with an edge list and a node table) to get a map of your schools and a table of each school's chances.</p>\n</section>\n");
        return Ok(s);
    };
    let best = &c.strategies[c.best];
    let rows: Vec<usize> = (0..t.rows.len())
        .filter(|&r| t.text(&t.rows[r], "strategy") == best)
        .collect();
    let sustained: Vec<f64> = rows
        .iter()
        .map(|&r| t.num(r, "sustained"))
        .collect::<Result<_>>()?;
    s.push_str(&network_map(c, &rows, &sustained));
    let _ = writeln!(
        s,
        "<h3>Each school's chances under {}</h3><p class=\"note\">Share of runs in which the school was funded, piloted, sustained at the end, and benefiting at the end (its students count towards the objective: it practises the innovation with a true effect at or above the benefit bar), with its 95% Wilson interval over the runs (which, unlike ± standard errors, does not shrink to nothing for a school funded in none or all of the runs). Click a heading to sort.</p>\n<div class=\"scroll\"><table class=\"sortable\" id=\"schools-table\"><thead><tr><th>id</th><th>name</th><th>region</th><th class=\"num\">funded (%)</th><th class=\"num\">piloted (%)</th><th class=\"num\">sustained (%)</th><th class=\"num\">benefiting (%)</th></tr></thead><tbody>",
        escape(best)
    );
    for &r in &rows {
        let row = &t.rows[r];
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td>",
            escape(t.text(row, "school")),
            escape(t.text(row, "name")),
            escape(t.text(row, "region"))
        );
        for col in SHARES {
            s.push_str(&chance_cell(t, r, col)?);
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
    if let Some(g) = &c.f.regions {
        s.push_str("<h3>Regions</h3><p class=\"note\">Mean share of each region's schools funded, piloted, sustained and benefiting, per strategy; ± is 1.96 standard errors over runs, a 95% interval.</p>\n<table class=\"sortable\" id=\"regions-table\"><thead><tr><th>region</th><th>strategy</th><th class=\"num\">schools</th><th class=\"num\">funded (%)</th><th class=\"num\">piloted (%)</th><th class=\"num\">sustained (%)</th><th class=\"num\">benefiting (%)</th></tr></thead><tbody>\n");
        for (r, row) in g.rows.iter().enumerate() {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td>",
                escape(g.text(row, "region")),
                escape(g.text(row, "strategy")),
                escape(g.text(row, "schools"))
            );
            for col in SHARES {
                s.push_str(&share_cell(g, r, col)?);
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody></table>\n");
    }
    s.push_str("</section>\n");
    Ok(s)
}

/// The share columns of `schools.csv` and `regions.csv` the page shows, each with its `_se`.
const SHARES: [&str; 4] = ["funded", "piloted", "sustained", "benefiting"];

/// A cell of the school or region table: share `col` of row `r` in percent, ± 1.96 times its
/// standard error (`col_se`), sorting by the CSV value. `n/a` for an empty cell (or a folder
/// written before the column existed); the share alone without a standard error (one run).
fn share_cell(t: &Csv, r: usize, col: &str) -> Result<String> {
    let v = t.num(r, col)?;
    let se = t.num(r, &format!("{col}_se"))?;
    let text = if !v.is_finite() {
        "n/a".to_string()
    } else if se.is_finite() {
        format!(
            "{} <span class=\"ci\">±{}</span>",
            fixed(100.0 * v, 1, false),
            fixed(100.0 * 1.96 * se, 1, false)
        )
    } else {
        fixed(100.0 * v, 1, false)
    };
    Ok(format!(
        "<td class=\"num\" data-sort=\"{}\">{text}</td>",
        escape(t.text(&t.rows[r], col))
    ))
}

/// A cell of the school table: the share `col` of row `r`'s runs (`runs`) in which the school was
/// funded, piloted, ... in percent, with its Wilson 95% interval ("0.0 (0.0 to 7.1)"), sorting by
/// the CSV value. The interval of a share of runs is the one the "best in" figures use: a
/// Wald interval (± 1.96 standard errors) is 0 wide at 0 and 100% and reaches past them near
/// there. `n/a` for an empty cell.
fn chance_cell(t: &Csv, r: usize, col: &str) -> Result<String> {
    let v = t.num(r, col)?;
    let runs = t.num(r, "runs")?;
    let text = if !v.is_finite() {
        "n/a".to_string()
    } else {
        let (lo, hi) = wilson(v, runs);
        let shown = |x: f64| fixed(100.0 * x, 1, false);
        if lo.is_finite() && hi.is_finite() {
            format!(
                "{} <span class=\"ci\">({} to {})</span>",
                shown(v),
                shown(lo),
                shown(hi)
            )
        } else {
            shown(v)
        }
    };
    Ok(format!(
        "<td class=\"num\" data-sort=\"{}\">{text}</td>",
        escape(t.text(&t.rows[r], col))
    ))
}

/// The network of run 0 (a file network: the same in every run), laid out by
/// [`crate::network::layout`], each school coloured by its chance of being sustained.
fn network_map(c: &Ctx, rows: &[usize], sustained: &[f64]) -> String {
    let t = c.f.schools.as_ref().expect("called with schools.csv");
    let model = engine::model(&c.f.scenario);
    let network = match model.network(0) {
        Ok(network) => network,
        Err(e) => {
            return format!(
                "<p>The network was not drawn: {}.</p>\n",
                escape(&e.to_string())
            )
        }
    };
    let n = network.schools();
    if n != rows.len() {
        return format!(
            "<p>The network was not drawn: schools.csv has {} schools for {}, the scenario's network {}.</p>\n",
            rows.len(),
            escape(&c.strategies[c.best]),
            n
        );
    }
    let region = model
        .school_regions()
        .map_or_else(|| vec![0; n], |(r, _)| r);
    let pts = crate::network::layout::layout(&network, &region);
    let scale = Axis::for_data(sustained.iter().copied(), 5, true);
    let (w, h, pad) = (640.0, 640.0, 20.0);
    let px = |x: f64| pad + (w - 2.0 * pad) * x;
    let py = |y: f64| pad + (h - 2.0 * pad) * y;
    let mut s = format!(
        "<h3>The network: each school's chance of being sustained under {}</h3><p class=\"note\">Schools are drawn with their region as a group; darker means more likely to be sustained at the end. Hover over a school for its name and chance.</p>\n<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{}\" viewBox=\"0 0 {w} {}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\"><title>{}</title><rect width=\"{w}\" height=\"{}\" fill=\"white\"/>\n",
        escape(&c.strategies[c.best]),
        h + 50.0,
        h + 50.0,
        escape("network map"),
        h + 50.0,
    );
    if network.ties() <= 20_000 {
        s.push_str("<g stroke=\"#bbb\" stroke-width=\"0.6\">");
        for e in network.edges() {
            let (a, b) = (&pts[e.a as usize], &pts[e.b as usize]);
            let _ = write!(
                s,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
                px(a.x),
                py(a.y),
                px(b.x),
                py(b.y)
            );
        }
        s.push_str("</g>\n");
    }
    let radius = (120.0 / (n as f64).sqrt()).clamp(2.5, 10.0);
    for (i, p) in pts.iter().enumerate() {
        let row = &t.rows[rows[i]];
        let v = sustained[i];
        let label = format!(
            "{} {} ({}): sustained in {} of runs",
            t.text(row, "school"),
            t.text(row, "name"),
            t.text(row, "region"),
            pct_text(v)
        );
        let _ = writeln!(
            s,
            "<circle class=\"school\" data-id=\"{}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{radius:.1}\" fill=\"{}\" stroke=\"#333\" stroke-width=\"0.6\"><title>{}</title></circle>",
            escape(t.text(row, "school")),
            px(p.x),
            py(p.y),
            blues(scale.frac(v)),
            escape(&label)
        );
    }
    // The colour key: a row of swatches at the scale's ticks.
    let y0 = h + 10.0;
    for (j, &v) in scale.ticks.iter().enumerate() {
        let x = pad + 70.0 * j as f64;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{y0:.1}\" width=\"24\" height=\"14\" fill=\"{}\" stroke=\"#333\" stroke-width=\"0.6\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            blues(scale.frac(v)),
            x + 30.0,
            y0 + 12.0,
            escape(&scale.label(v))
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\">{}</text></svg></figure>",
        pad + 70.0 * scale.ticks.len() as f64,
        y0 + 12.0,
        escape("chance of being sustained")
    );
    s
}

fn drivers(c: &Ctx) -> Result<String> {
    let mut s = String::from("<section id=\"drivers\"><h2>What drives the result</h2>\n");
    match &c.f.ablation {
        None if c.f.scenario.config.model.is_classic() => s.push_str("<p>The classic models have no mechanisms to switch off.</p>\n"),
        None => s.push_str("<p>Not computed for this folder. Run <code>domino compare --ablate</code> (or <code>domino explain</code>) to switch each mechanism of the model off in turn and see how much of each strategy's result it carries and whether the winner changes.</p>\n"),
        Some(a) => {
            s.push_str("<p>Each mechanism of the model switched off in turn: the change in each strategy's result (with minus without: what the mechanism adds, percentage points for shares, 95% CI) and the winner without it.</p>\n<table class=\"sortable wide\"><thead><tr><th>mechanism</th><th>switched off by</th><th>strategy</th><th class=\"num\">with</th><th class=\"num\">without</th><th class=\"num\">with - without</th><th class=\"num\">95% CI</th><th>winner without it</th></tr></thead><tbody>\n");
            for (r, row) in a.rows.iter().enumerate() {
                let metric = a.text(row, "metric");
                let f = |v: f64| percent_or_plain(metric, v);
                let (on, off) = (a.text(row, "winner_on"), a.text(row, "winner_off"));
                let _ = writeln!(
                    s,
                    "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num nw\">{} to {}</td><td>{}{}</td></tr>",
                    escape(a.text(row, "mechanism")),
                    escape(a.text(row, "setting")),
                    escape(a.text(row, "strategy")),
                    escape(&f(a.num(r, "on")?)),
                    escape(&f(a.num(r, "off")?)),
                    points(a.num(r, "diff")?),
                    points(a.num(r, "diff_lo")?),
                    points(a.num(r, "diff_hi")?),
                    escape(off),
                    match (on != off, a.num(r, "lead_off_lo")? > 0.0) {
                        (false, _) => "",
                        (true, true) => " (changes)",
                        (true, false) => " (on average only: within the uncertainty)",
                    }
                );
            }
            s.push_str("</tbody></table>\n");
        }
    }
    match &c.f.uncertainty {
        None => s.push_str("<p>The scenario gives no uncertain parameters, so which of them decide the winner was not asked. Write a value as a distribution to ask it.</p>\n"),
        Some(u) => {
            s.push_str("<h3>Which uncertain parameters decide the winner</h3><p>For each pair of strategies, the rank correlation (Spearman's rho, 95% CI) between a parameter's drawn value and how far the first strategy is ahead of the second, run by run. Near +1 or -1: that parameter decides between them; near 0: it does not matter to them.</p>\n<table class=\"sortable\"><thead><tr><th>parameter</th><th>strategy</th><th>versus</th><th class=\"num\">rho</th><th class=\"num\">95% CI</th><th class=\"num\">runs</th></tr></thead><tbody>\n");
            for (r, row) in u.rows.iter().enumerate() {
                let f = |v: f64| if v.is_finite() { fixed(v, 2, true) } else { "n/a".into() };
                let _ = writeln!(
                    s,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{} to {}</td><td class=\"num\">{}</td></tr>",
                    escape(u.text(row, "parameter")),
                    escape(u.text(row, "arm_a")),
                    escape(u.text(row, "arm_b")),
                    f(u.num(r, "rho")?),
                    f(u.num(r, "rho_ci_low")?),
                    f(u.num(r, "rho_ci_high")?),
                    escape(u.text(row, "n"))
                );
            }
            s.push_str("</tbody></table>\n");
        }
    }
    s.push_str("</section>\n");
    Ok(s)
}

/// Every leaf of a scenario table by dotted path ([`crate::scenario::path`] syntax: strategies by
/// name). A distribution (`{ dist = ... }`) is one leaf.
fn leaves(prefix: &str, table: &toml::Table, out: &mut BTreeMap<String, toml::Value>) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) if !t.contains_key("dist") => leaves(&path, t, out),
            toml::Value::Array(items)
                if !items.is_empty()
                    && items
                        .iter()
                        .all(|i| i.as_table().is_some_and(|t| t.contains_key("name"))) =>
            {
                for item in items {
                    let t = item.as_table().expect("checked");
                    let name = t["name"].as_str().unwrap_or_default();
                    leaves(&format!("{path}.{name}"), t, out);
                }
            }
            _ => {
                out.insert(path, v.clone());
            }
        }
    }
}

/// Where in docs/model.md a field's reason is: the heading its section starts with.
fn doc_heading(path: &str) -> Option<&'static str> {
    let first = path.split('.').next().unwrap_or("");
    let second = path.split('.').nth(1).unwrap_or("");
    Some(match (first, second) {
        ("network", _) => "## 3. Network",
        ("schools", _) => "## 2. Schools",
        ("innovation", _) => "### The innovation",
        ("mechanisms", "dose") => "### 4.1 ",
        ("mechanisms", "visibility") => "### 4.2 ",
        ("mechanisms", "know_how") => "### 4.3 ",
        ("mechanisms", "contagion") => "### 4.4 ",
        ("mechanisms", "size") => "### 4.5 ",
        ("mechanisms", "adaptation") => "### 4.6 ",
        ("mechanisms", "benefit") => "### 4.7 ",
        ("mechanisms", "sustain") => "### 4.8 ",
        ("mechanisms", "hub") => "### 4.9 ",
        ("mechanisms", "coaching") => "### 4.10 ",
        ("mechanisms", "evidence") => "### 4.11 ",
        ("mechanisms", _) => "## 4. ",
        ("strategies", _) => "## 5. ",
        ("budget", _) => "## 6. ",
        // The top-level keys' defaults and reasons are in §1's table, not in the sections
        // (7, 8, 10) that describe what the keys do.
        ("name" | "description" | "seed" | "runs" | "steps" | "model" | "objective", "") => {
            "### Run-level keys"
        }
        ("classic" | "seedings", _) => "## 10. ",
        _ => return None,
    })
}

/// The sections of docs/model.md: (heading line, anchor id, text up to the next heading of the
/// same or a higher level).
fn doc_sections() -> Vec<(&'static str, String, String)> {
    let lines: Vec<&str> = MODEL_DOC.lines().collect();
    let level = |l: &str| l.chars().take_while(|&c| c == '#').count();
    let mut out = Vec::new();
    let mut in_code = false;
    let mut heads = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && l.starts_with('#') {
            heads.push(i);
        }
    }
    for (j, &i) in heads.iter().enumerate() {
        let lv = level(lines[i]);
        let end = heads[j + 1..]
            .iter()
            .copied()
            .find(|&k| level(lines[k]) <= lv)
            .unwrap_or(lines.len());
        let slug: String = lines[i]
            .trim_start_matches('#')
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
                ' ' => Some('-'),
                _ => None,
            })
            .collect();
        out.push((
            lines[i],
            format!("doc-{slug}"),
            lines[i + 1..end].join("\n"),
        ));
    }
    out
}

fn doc_link(path: &str, sections: &[(&'static str, String, String)]) -> String {
    let Some(head) = doc_heading(path) else {
        return String::new();
    };
    match sections.iter().find(|s| s.0.starts_with(head)) {
        Some((line, id, _)) => format!(
            "<a href=\"#{}\">docs/model.md: {}</a>",
            escape(id),
            escape(line.trim_start_matches('#').trim())
        ),
        None => String::new(),
    }
}

/// The assumptions: values the scenario set (those that differ from domino's defaults), then the
/// defaults it relied on, each linked to its reason.
fn assumptions(scenario: &Scenario) -> String {
    let sections = doc_sections();
    let mut set = BTreeMap::new();
    if let Ok(t) = toml::Table::try_from(&scenario.config) {
        leaves("", &t, &mut set);
    }
    // Distributions are written into the scenario's TOML (the config holds their centres).
    let text = scenario.to_toml();
    if let Ok(t) = text.parse::<toml::Table>() {
        leaves("", &t, &mut set);
    }
    let mut defaults = BTreeMap::new();
    let model_line = format!(
        "model = {}\n",
        toml::Value::try_from(scenario.config.model).map_or("\"school\"".into(), |v| v.to_string())
    );
    let base = Scenario::from_toml(&model_line, None).or_else(|_| Scenario::from_toml("", None));
    if let Ok(base) = base {
        if let Ok(t) = toml::Table::try_from(&base.config) {
            leaves("", &t, &mut defaults);
        }
    }
    // A strategy's defaults are those of its kind.
    defaults.retain(|k, _| !k.starts_with("strategies."));
    for st in &scenario.config.strategies {
        let kind = toml::Value::try_from(st.kind)
            .map(|v| v.to_string())
            .unwrap_or_default();
        let one = format!("[[strategies]]\nname = \"x\"\nkind = {kind}\n");
        if let Ok(d) = Scenario::from_toml(&one, None) {
            if let Ok(t) = toml::Table::try_from(&d.config.strategies[0]) {
                let mut m = BTreeMap::new();
                leaves("", &t, &mut m);
                for (k, v) in m {
                    if k != "name" {
                        defaults.insert(format!("strategies.{}.{k}", st.name), v);
                    }
                }
            }
        }
    }
    let mut chosen = Vec::new();
    let mut relied = Vec::new();
    // Fields the network files replace: not assumptions of this result.
    let unused = scenario.unused_fields();
    let mut not_used: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    // Values the network files decide (the schools; a node table's `region` column, the
    // regions): the data's, so neither set by the scenario nor a default it relied on.
    let from_files = files_decide(scenario);
    let mut given = Vec::new();
    // Fields another setting replaces: written or not, they did not enter the result.
    let replaced: &[(&str, &str)] = if scenario.config.budget.total.is_some() {
        &[("budget.per_school", "budget.total is set")]
    } else {
        &[]
    };
    let mut overridden = Vec::new();
    for (path, value) in &set {
        // A strategy's name is already in its path.
        if path.starts_with("strategies.") && path.ends_with(".name") {
            continue;
        }
        if let Some((_, file)) = from_files.iter().find(|(p, _)| p == path) {
            given.push((path, value, file));
            continue;
        }
        if let Some((_, why)) = replaced.iter().find(|(p, _)| p == path) {
            overridden.push((path, why));
            continue;
        }
        if let Some(u) = unused.iter().find(|u| u.path == path) {
            not_used.entry(u.file.as_str()).or_default().push(u.path);
            continue;
        }
        match defaults.get(path) {
            Some(d) if d == value => relied.push((path, value)),
            d => chosen.push((path, value, d)),
        }
    }
    let mut s = String::from("<section id=\"assumptions\"><h2>Assumptions</h2>\n");
    let _ = writeln!(
        s,
        "<h3 id=\"assumptions-set\">Values this scenario set ({})</h3><p class=\"note\">Every value that differs from domino's default, with the default it replaced and where the model documentation gives the reason for the parameter (copied at the end of this page).</p>\n<table id=\"set-values\"><thead><tr><th>field</th><th>value</th><th>default</th><th>reason</th></tr></thead><tbody>",
        chosen.len()
    );
    for (path, value, d) in &chosen {
        let _ = writeln!(
            s,
            "<tr data-path=\"{p}\"><td><code>{p}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            escape(&value.to_string()),
            d.map_or("(none)".to_string(), |d| format!("<code>{}</code>", escape(&d.to_string()))),
            doc_link(path, &sections),
            p = escape(path),
        );
    }
    let _ = writeln!(
        s,
        "</tbody></table>\n<details><summary>Defaults this scenario relied on ({})</summary>\n<table id=\"default-values\"><thead><tr><th>field</th><th>value</th><th>reason</th></tr></thead><tbody>",
        relied.len()
    );
    for (path, value) in &relied {
        let _ = writeln!(
            s,
            "<tr data-path=\"{p}\"><td><code>{p}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            escape(&value.to_string()),
            doc_link(path, &sections),
            p = escape(path),
        );
    }
    s.push_str("</tbody></table></details>\n");
    if !given.is_empty() {
        let list: Vec<String> = given
            .iter()
            .map(|(path, value, file)| {
                format!(
                    "<code>{}</code> = <code>{}</code> (from <code>{}</code>)",
                    escape(path),
                    escape(&value.to_string()),
                    escape(file)
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "<p class=\"note\" id=\"from-files\">Given by the scenario's network files, not assumed: {}.</p>",
            list.join(", ")
        );
    }
    if !overridden.is_empty() {
        let list: Vec<String> = overridden
            .iter()
            .map(|(path, why)| format!("<code>{}</code> ({})", escape(path), escape(why)))
            .collect();
        let _ = writeln!(
            s,
            "<p class=\"note\" id=\"overridden\">Not used, because another setting replaces it: {}.</p>",
            list.join(", ")
        );
    }
    if !not_used.is_empty() {
        let list: Vec<String> = not_used
            .iter()
            .map(|(file, paths)| {
                format!(
                    "from <code>{}</code>: {}",
                    escape(file),
                    paths
                        .iter()
                        .map(|p| format!("<code>{}</code>", escape(p)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "<p class=\"note\" id=\"not-used\">Not used, because the scenario's network files give what these settings would have made up: {}.</p>",
            list.join("; ")
        );
    }
    s.push_str("</section>\n");
    s
}

/// The fields whose values the scenario's network files decide, each with the file (as the
/// scenario names it): the schools, and the regions when a node table has a `region` column.
fn files_decide(scenario: &Scenario) -> Vec<(&'static str, String)> {
    let Some(files) = &scenario.files else {
        return Vec::new();
    };
    let net = &scenario.config.network;
    let shown = |written: Option<&std::path::Path>, opened: &std::path::Path| {
        written.unwrap_or(opened).display().to_string()
    };
    let nodes = files
        .nodes_path
        .as_deref()
        .map(|opened| shown(net.nodes.as_deref(), opened));
    let edges = shown(net.edges.as_deref(), &files.edges_path);
    let mut out = vec![("network.schools", nodes.clone().unwrap_or(edges))];
    let region_column = files.nodes.as_ref().is_some_and(|t| t.n_regions.is_some());
    if let (Some(nodes), true) = (nodes, region_column) {
        out.push(("network.regions", nodes));
    }
    out
}

/// The rows of a "How to reproduce" table from an output's `manifest.json`: each of `keys`
/// (label, manifest key), then the `--set` arguments and every input file with its SHA-256.
/// The comparison's report and the calibration's share it.
pub(crate) fn manifest_rows(s: &mut String, m: &serde_json::Value, keys: &[(&str, &str)]) {
    for &(label, key) in keys {
        let value = m[key]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| m[key].to_string());
        let _ = write!(
            s,
            "<tr><th>{}</th><td><code>{}</code></td></tr>",
            escape(label),
            escape(&value)
        );
    }
    if let Some(sets) = m["sets"].as_array() {
        let list: Vec<String> = sets
            .iter()
            .map(|v| format!("<code>--set {}</code>", escape(v.as_str().unwrap_or(""))))
            .collect();
        let _ = write!(s, "<tr><th>--set</th><td>{}</td></tr>", list.join(" "));
    }
    if let Some(inputs) = m["inputs"].as_array() {
        for i in inputs {
            let _ = write!(
                s,
                "<tr><th>input {}</th><td><code>{}</code><br>SHA-256 <code>{}</code></td></tr>",
                escape(i["role"].as_str().unwrap_or("")),
                escape(i["path"].as_str().unwrap_or("")),
                escape(i["sha256"].as_str().unwrap_or(""))
            );
        }
    }
}

fn reproduce(c: &Ctx) -> String {
    let mut s = String::from("<section id=\"reproduce\"><h2>How to reproduce</h2>\n<table>");
    manifest_rows(
        &mut s,
        &c.f.manifest,
        &[
            ("domino version", "domino_version"),
            ("commit", "domino_commit"),
            ("scenario", "scenario"),
            ("seed", "seed"),
            ("runs", "runs"),
            ("terms", "steps"),
        ],
    );
    let ablate = if c.f.ablation.is_some() {
        " --ablate"
    } else {
        ""
    };
    let _ = writeln!(
        s,
        "</table>\n<p>The folder holds everything needed: the resolved <code>scenario.toml</code> (every default written out) and copies of its network files. With the same domino version, this command gives the same numbers, whatever the number of threads:</p>\n<pre><code>{}</code></pre></section>",
        escape(&format!(
            "domino compare {}/scenario.toml --out NEW_FOLDER --report{ablate}",
            c.f.shown.display()
        ))
    );
    s
}

/// The sections of docs/model.md the assumptions link to, so the reasons travel with the page.
fn doc_appendix() -> String {
    let mut s = String::from("<section id=\"model-doc\"><h2>Appendix: the reasons, from the model documentation (docs/model.md)</h2>\n");
    let wanted: Vec<&str> = [
        "network",
        "schools",
        "innovation",
        "mechanisms.dose",
        "mechanisms.visibility",
        "mechanisms.know_how",
        "mechanisms.contagion",
        "mechanisms.size",
        "mechanisms.adaptation",
        "mechanisms.benefit",
        "mechanisms.sustain",
        "mechanisms.hub",
        "mechanisms.coaching",
        "mechanisms.evidence",
        "strategies",
        "budget",
        "seed",
        "classic",
    ]
    .iter()
    .filter_map(|p| doc_heading(p))
    .collect();
    for (line, id, text) in doc_sections() {
        if !wanted.iter().any(|h| line.starts_with(h)) {
            continue;
        }
        let _ = write!(
            s,
            "<details class=\"doc\" id=\"{}\"><summary>{}</summary>",
            escape(&id),
            escape(line.trim_start_matches('#').trim())
        );
        for block in text.split("\n\n") {
            let plain = without_source_references(block);
            let block = plain.trim();
            if block.is_empty() {
                continue;
            }
            if block.starts_with('|') {
                s.push_str(&markdown_table(block));
            } else if block.starts_with("```") || block.starts_with("    ") {
                let _ = write!(s, "<pre>{}</pre>", escape(block));
            } else {
                let _ = write!(s, "<p>{}</p>", inline_markdown(block));
            }
        }
        s.push_str("</details>\n");
    }
    s.push_str("</section>\n");
    s
}

/// Whether an inline code span of docs/model.md names domino's source rather than something a
/// reader writes or reads: a file (`src/rng.rs`, `tests/golden.rs`), a Rust path
/// (`model::State`) or a macro (`strategy_kinds!`).
fn is_source_reference(code: &str) -> bool {
    code.contains("::")
        || code.starts_with("src/")
        || code.starts_with("tests/")
        || code.ends_with(".rs")
        || code.ends_with('!')
}

/// `text` (Markdown) without its references to domino's source, for the page a board reads:
/// "State per school (`model::State`): ..." becomes "State per school: ...", "the samplers of
/// `src/rng/sample.rs` (the same ..." becomes "the samplers (the same ...", and a reference the
/// sentence needs becomes words ("domino's source code", "a test of domino").
fn without_source_references(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let Some(len) = rest[start + 1..].find('`') else {
            break;
        };
        let code = &rest[start + 1..start + 1 + len];
        let mut after = &rest[start + len + 2..];
        out.push_str(&rest[..start]);
        if !is_source_reference(code) {
            out.push('`');
            out.push_str(code);
            out.push('`');
            rest = after;
            continue;
        }
        // "`a` in `b`" with both references: one reference.
        if let Some(next) = after.strip_prefix(" in `") {
            if next
                .find('`')
                .is_some_and(|e| is_source_reference(&next[..e]))
            {
                rest = &after[4..];
                continue;
            }
        }
        let trimmed = out.trim_end_matches(' ').len();
        if out[..trimmed].ends_with('(') && after.starts_with(')') {
            // "(`x`)": the whole parenthesis goes, with the space before it.
            out.truncate(trimmed - 1);
            out.truncate(out.trim_end().len());
            after = &after[1..];
        } else if out.ends_with('(') && (after.starts_with("; ") || after.starts_with(", ")) {
            after = &after[2..];
        } else if out.ends_with(", ") && after.starts_with(')') {
            out.truncate(out.len() - 2);
        } else if let Some(stem) = [" of ", " in "]
            .iter()
            .find_map(|w| out.strip_suffix(w).map(str::len))
        {
            out.truncate(stem);
        } else if out.trim_end().is_empty() && after.starts_with(':') {
            // A paragraph that only names the file the section describes.
            after = &after[1..];
        } else {
            out.push_str(if code.starts_with("tests/") {
                "a test of domino"
            } else {
                "domino's source code"
            });
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A Markdown table (`| a | b |` rows, the second a `|---|` rule) as an HTML table, so that the
/// appendix reads as a page and not as source text.
fn markdown_table(block: &str) -> String {
    let mut s = String::from("<table class=\"doc\">");
    for (k, line) in block.lines().enumerate() {
        let line = line.trim();
        let inner = line.trim_start_matches('|').trim_end_matches('|');
        let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
        if cells
            .iter()
            .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
        {
            continue;
        }
        let tag = if k == 0 { "th" } else { "td" };
        s.push_str("<tr>");
        for c in cells {
            let _ = write!(s, "<{tag}>{}</{tag}>", inline_markdown(c));
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    s
}

/// Markdown's inline code and bold in escaped text: `` `x` `` -> `<code>x</code>`,
/// `**x**` -> `<strong>x</strong>`. Anything else stays as written.
fn inline_markdown(text: &str) -> String {
    let mut out = String::new();
    for (k, part) in escape(text).split('`').enumerate() {
        if k % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            for (j, piece) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    let _ = write!(out, "<strong>{piece}</strong>");
                } else {
                    out.push_str(piece);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_uncertain_value_example_is_read_when_pasted_at_the_top() {
        let text = format!("{UNCERTAIN_EXAMPLE}\nname = \"x\"\n");
        let s = Scenario::from_toml(&text, None).unwrap();
        assert_eq!(s.uncertain.paths(), ["mechanisms.dose.d50"]);
    }

    #[test]
    fn the_appendix_turns_markdown_tables_into_html() {
        let t = markdown_table("| key | default |\n|---|---|\n| `a < b` | **1** |");
        assert_eq!(
            t,
            "<table class=\"doc\"><tr><th>key</th><th>default</th></tr><tr><td><code>a &lt; b</code></td><td><strong>1</strong></td></tr></table>"
        );
        assert!(!doc_appendix().contains("|---|"));
    }

    #[test]
    fn shares_show_in_percent_and_round_like_the_contract_says() {
        assert_eq!(shown("sustained_share", 0.083), ("8.3".to_string(), true));
        assert_eq!(shown("spend_su", 655.9), ("656".to_string(), false));
        assert_eq!(shown("cost_per_sustained_su", f64::NAN).0, "n/a");
        // A value a hair below zero shows as zero, without a minus sign.
        assert_eq!(
            shown("sustained_share", -0.000_1),
            ("0.0".to_string(), true)
        );
        assert_eq!(shown("spend_su", -0.001), ("0.00".to_string(), false));
        assert_eq!(points(-0.000_1), "+0.0");
        assert_eq!(pct_text(-0.000_1), "0.0%");
        // The equity table's shares by need are shares, in percent like its gap.
        assert_eq!(
            shown("sustained_share_high_need", 0.17),
            ("17.0".to_string(), true)
        );
        assert_eq!(words("cost_per_sustained_su"), "cost per sustained (SU)");
        assert_eq!(
            words("students_benefiting_share"),
            "students benefiting share"
        );
    }

    #[test]
    fn every_field_family_has_a_reason_in_the_model_doc() {
        let sections = doc_sections();
        for p in [
            "network.kind",
            "schools.size_median",
            "innovation.effect_mean",
            "mechanisms.dose.d50",
            "mechanisms.coaching.enabled",
            "mechanisms.evidence.delay",
            "strategies.cluster.hub_share",
            "budget.per_school",
            "seed",
        ] {
            assert!(doc_link(p, &sections).contains("href=\"#doc-"), "{p}");
        }
        // 4.1 is not 4.10.
        assert!(doc_link("mechanisms.dose.d50", &sections).contains("4.1 "));
        // The top-level keys' reasons are in §1's table; `classic.*` is §10's.
        for p in ["runs", "steps", "seed", "objective", "model", "name"] {
            assert!(
                doc_link(p, &sections)
                    .contains("#doc-run-level-keys\">docs/model.md: Run-level keys<"),
                "{p}"
            );
        }
        assert!(doc_link("classic.p", &sections).contains("10. Classic"));
        assert!(doc_appendix().contains("id=\"doc-run-level-keys\""));
    }

    #[test]
    fn the_appendix_quotes_no_source_files_or_type_names() {
        let f = without_source_references;
        assert_eq!(
            f("**State per school** (`model::State`): stage"),
            "**State per school**: stage"
        );
        assert_eq!(
            f("| `network.kind` | generator (`src/network/generate.rs`) |"),
            "| `network.kind` | generator |"
        );
        assert_eq!(
            f("(`Plan::fund_coach`; the model turns)"),
            "(the model turns)"
        );
        assert_eq!(
            f("(the registry, `strategy_kinds!` in `src/scenario/config.rs`). Required"),
            "(the registry). Required"
        );
        assert_eq!(
            f("samplers of `src/rng/sample.rs` (the same"),
            "samplers (the same"
        );
        assert_eq!(f("`tests/golden.rs` holds"), "a test of domino holds");
        assert_eq!(f("`src/rng.rs`:"), "");
        let page = doc_appendix();
        for bad in ["src/", ".rs<", "::", "tests/"] {
            assert!(!page.contains(bad), "{bad} in the appendix");
        }
    }

    #[test]
    fn blues_darken_steadily() {
        assert_eq!(blues(0.0), "#f7fbff");
        assert_eq!(blues(1.0), "#08306b");
    }
}
