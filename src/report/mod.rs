//! What a person reads: the comparison table, the verdict line, and pictures ([`svg`]); and
//! [`write_comparison`], which writes the files of a comparison's output folder (the CSV files,
//! scenario and manifest of [`crate::output`], and the chart) into its staging folder.

pub mod calibrate;
pub mod chart;
pub mod html;
pub mod optimise;
pub mod svg;
pub mod uncertainty;

use crate::engine::{Ensemble, Model};
use crate::error::Result;
use crate::metrics::stats::{paired, wilson, Summary};
use crate::metrics::{CellFormat, TableColumn};
use crate::output;
use crate::scenario::Scenario;
use std::fmt::Write;
use std::path::Path;

/// What is wrong with a row of a CSV file domino wrote and `report` reads back, in the words of
/// the input readers rather than the csv crate's: its line (1-based, when known) and the
/// message. Such a file was written whole (see [`output`]), so a bad row means it was edited or
/// cut short, and rerunning the command that wrote it is the cure.
pub(crate) fn malformed_row(e: &csv::Error) -> (Option<usize>, String) {
    const CURE: &str = "the file was edited or cut short: rerun the command that wrote it";
    let line = e.position().map(|p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields, expected {expected_len} as in the header; {CURE}"),
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("field {} is not UTF-8 text; {CURE}", err.field() + 1)
        }
        _ => format!("cannot be read ({e}); {CURE}"),
    };
    (line, message)
}

/// Writes every output of a comparison into `dir` (an [`output::OutputDir`]'s staging folder):
/// the CSV files, the resolved scenario and the manifest ([`crate::output`]) and the chart of the
/// headline series. Returns the names of the files written.
pub fn write_comparison(dir: &Path, scenario: &Scenario, result: &Ensemble) -> Result<Vec<String>> {
    let mut written = write_results(dir, scenario, result)?;
    written.extend(output::write_reproduction(dir, scenario)?);
    Ok(written)
}

/// Writes the results of a comparison into `dir`: the CSV files ([`output::write_results`]), the
/// chart of the headline series and, with uncertain fields, `uncertainty.csv`; not the resolved
/// scenario and manifest. Returns the names of the files written.
pub fn write_results(dir: &Path, scenario: &Scenario, result: &Ensemble) -> Result<Vec<String>> {
    let mut written = output::write_results(dir, scenario, result)?;
    let chart = result.measures.chart_file;
    output::write_atomic(&dir.join(chart), |w| {
        w.write_all(svg::headline_chart(&scenario.config.name, result).as_bytes())
    })?;
    written.push(chart.to_string());
    if !result.parameters.is_empty() {
        output::write_atomic(&dir.join("uncertainty.csv"), |w| {
            uncertainty::write_csv(w, result)
        })?;
        written.push("uncertainty.csv".to_string());
    }
    Ok(written)
}

/// `v` rounded to `decimals` places, with a `+` before a value that is not negative when
/// `signed`. A value that rounds to zero shows as zero, never with a minus sign: the lower end of
/// a share's interval or a paired difference can fall a hair below zero, and the table's
/// "(lo-hi)" would then read "(-0.0-0.1)". The one formatter for the numbers of the table, the
/// page and `explain`.
///
/// ```
/// use domino::report::fixed;
/// assert_eq!(fixed(-0.0001, 1, false), "0.0");
/// assert_eq!(fixed(-0.0001, 2, true), "+0.00");
/// assert_eq!(fixed(-0.06, 1, true), "-0.1");
/// assert_eq!(fixed(12.345, 0, false), "12");
/// ```
pub fn fixed(v: f64, decimals: usize, signed: bool) -> String {
    let rounds_to_zero = format!("{:.decimals$}", v.abs())
        .bytes()
        .all(|b| b == b'0' || b == b'.');
    let v = if rounds_to_zero { 0.0 } else { v };
    if signed {
        format!("{v:+.decimals$}")
    } else {
        format!("{v:.decimals$}")
    }
}

/// Magnitudes below this are written in exponent form by [`exponent_form`]: written out, 1e-100
/// is a hundred digits that break a table's columns.
const TINY: f64 = 1e-4;
/// Magnitudes from this up are written in exponent form by [`exponent_form`].
const HUGE: f64 = 1e9;

/// `v` in exponent form with `digits` significant digits (`1.412e-100`, trailing zeros of the
/// mantissa dropped) when it is tiny or huge, else `None` (the caller's plain form). For text
/// and pages; CSV data keep every digit.
pub fn exponent_form(v: f64, digits: usize) -> Option<String> {
    let size = v.abs();
    if !v.is_finite() || v == 0.0 || (TINY..HUGE).contains(&size) {
        return None;
    }
    Some(crate::scenario::exponent_text(v, digits.max(1) - 1))
}

/// `v` with three significant digits (at least none after the point, at most six): for ratios
/// whose size varies over orders of magnitude, such as SU per student (0.029 and 0.034 both
/// showed as 0.03 with two decimals).
pub fn significant(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return fixed(v, 0, false);
    }
    let magnitude = libm::floor(libm::log10(v.abs())) as i32;
    let decimals = (2 - magnitude).clamp(0, 6) as usize;
    fixed(v, decimals, false)
}

/// A share as a percentage with one decimal; "-" for no value.
fn pct(v: f64) -> String {
    if v.is_nan() {
        return "-".into();
    }
    fixed(100.0 * v, 1, false)
}

/// A difference of shares in percentage points with its sign, one decimal.
fn points(v: f64) -> String {
    fixed(100.0 * v, 1, true)
}

/// [`fixed`] with its sign, with more decimals (up to four) for a value that is not zero but
/// would round to zero with `decimals`: the lower end of an interval that excludes zero must not
/// read "+0.0" beside "ahead" ("+0.04" does). A value that rounds to zero even with four
/// decimals shows as "0.0", without a sign.
///
/// ```
/// use domino::report::fixed_nonzero;
/// assert_eq!(fixed_nonzero(0.04, 1), "+0.04");
/// assert_eq!(fixed_nonzero(-0.0012, 1), "-0.001");
/// assert_eq!(fixed_nonzero(1.26, 1), "+1.3");
/// assert_eq!(fixed_nonzero(0.0, 1), "0.0");
/// assert_eq!(fixed_nonzero(0.000_01, 1), "0.0");
/// ```
pub fn fixed_nonzero(v: f64, decimals: usize) -> String {
    let zero = |d: usize| {
        fixed(v, d, false)
            .trim_start_matches('-')
            .bytes()
            .all(|b| b == b'0' || b == b'.')
    };
    match (decimals..=decimals.max(4)).find(|&d| !zero(d)) {
        Some(d) => fixed(v, d, true),
        None => fixed(0.0, decimals, false),
    }
}

/// The end of an interval of a difference of shares, in points: [`fixed_nonzero`] of 100 `v`.
fn points_end(v: f64) -> String {
    fixed_nonzero(100.0 * v, 1)
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

/// One cell: run metric `column.metric` of arm `s` over its runs, as the column's format says.
fn cell(result: &Ensemble, s: usize, column: &TableColumn, steps: u32) -> String {
    let runs = result.runs[s].len();
    let x = result.summary(s, column.metric);
    let text = cell_text(&x, column.format, steps);
    // A mean over fewer runs than were run (the figure is undefined in the others, such as the
    // cost per school sustained in a run that sustained none) says over how many.
    let partial = matches!(
        column.format,
        CellFormat::Count | CellFormat::Decimal | CellFormat::Points | CellFormat::Percent
    ) && x.n > 0
        && x.n < runs;
    if partial {
        format!("{text} [{} run{}]", x.n, if x.n == 1 { "" } else { "s" })
    } else {
        text
    }
}

/// The text of a cell summarising `x` as `format` says.
fn cell_text(x: &Summary, format: CellFormat, steps: u32) -> String {
    let or_dash = |v: f64, f: &dyn Fn(f64) -> String| if v.is_nan() { "-".into() } else { f(v) };
    match format {
        // No value (e.g. the unspent share of a budget of 0): one dash, not "- (---)".
        CellFormat::PercentCi if x.mean.is_nan() => "-".into(),
        // One run has no interval: say so, not with a made-up "(0.0-100.0)".
        CellFormat::PercentCi if !(x.ci_low.is_finite() && x.ci_high.is_finite()) => {
            format!("{} (no CI)", pct(x.mean))
        }
        // The interval comes clipped to the share's 0-1 (Ensemble::summary).
        CellFormat::PercentCi => format!("{} ({}-{})", pct(x.mean), pct(x.ci_low), pct(x.ci_high)),
        CellFormat::ShareCi => {
            let (lo, hi) = wilson(x.mean, x.n as f64);
            format!("{} ({}-{})", pct(x.mean), pct(lo), pct(hi))
        }
        CellFormat::MedianTime { decimals } => {
            if x.p50.is_infinite() {
                format!(">{steps}")
            } else {
                or_dash(x.p50, &|v| format!("{v:.decimals$}"))
            }
        }
        // Every mean carries its uncertainty: ± half the 95% CI of the mean (none from one run).
        CellFormat::Count => plus_minus(x, big, big),
        CellFormat::Decimal => plus_minus(x, |v| fixed(v, 1, false), |v| fixed(v, 1, false)),
        CellFormat::Points => plus_minus(x, points, |v| fixed(100.0 * v, 1, false)),
        CellFormat::Percent => plus_minus(x, pct, pct),
    }
}

/// `mean±h`, h half the 95% CI of the mean, each shown by its formatter; `-` without a mean,
/// `mean (no CI)` without an interval (one run). An interval clipped at a bound of the figure
/// (a share's 0 or 1, a count's 0) is no longer centred on the mean, so `±` would misstate one
/// end: it is shown as `mean (low to high)`, both ends by the mean's formatter.
fn plus_minus(x: &Summary, mean: impl Fn(f64) -> String, half: impl Fn(f64) -> String) -> String {
    if x.mean.is_nan() {
        return "-".into();
    }
    let (below, above) = (x.mean - x.ci_low, x.ci_high - x.mean);
    if !(below.is_finite() && above.is_finite()) {
        format!("{} (no CI)", mean(x.mean))
    } else if (below - above).abs() > CENTRED_TOLERANCE * below.max(above) {
        format!(
            "{} ({} to {})",
            mean(x.mean),
            mean(x.ci_low),
            mean(x.ci_high)
        )
    } else {
        format!("{}±{}", mean(x.mean), half(0.5 * (x.ci_high - x.ci_low)))
    }
}

/// Relative difference between the two halves of an interval above which it counts as clipped,
/// not centred: far above the rounding of `mean ± h`, far below any clipping that shows.
const CENTRED_TOLERANCE: f64 = 1e-9;

/// Index of the arm with the highest mean headline metric (first on ties).
pub fn leader(result: &Ensemble) -> usize {
    let means: Vec<f64> = (0..result.strategies.len())
        .map(|s| Summary::of(result.column(s, result.measures.headline)).mean)
        .collect();
    let mut best = 0;
    for (s, &m) in means.iter().enumerate() {
        if m > means[best] {
            best = s;
        }
    }
    best
}

/// The names as the `>name` column heads show them: cut to 7 characters, or longer where that
/// would make two heads alike (`>pilot-then-cascade-a` and `-b` both cut to `>pilot-t`).
fn shorts(names: &[String]) -> Vec<String> {
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let cut = |n: &String, k: usize| n.chars().take(k).collect::<String>();
    let k = (7..=longest.max(7))
        .find(|&k| {
            let heads: std::collections::BTreeSet<String> =
                names.iter().map(|n| cut(n, k)).collect();
            heads.len() == names.len()
        })
        .unwrap_or(longest);
    names.iter().map(|n| cut(n, k)).collect()
}

/// The comparison table printed by `domino compare`: one row per arm (strategy, or seeding rule)
/// with the columns its model's measures name, the paired win shares, then the verdict. Each row
/// and paragraph is one line, whatever its length: the form for files and pipes, where a line
/// per arm is what `grep` and a reader of the file expect. [`table_within`] fits a terminal.
pub fn table(model: &dyn Model, result: &Ensemble, steps: u32) -> String {
    table_within(model, result, steps, None)
}

/// [`table`] fitted to `width` characters when one is given: columns that do not fit beside
/// the names go to a further block below (each block repeats the names), and the verdict and the
/// legend are broken between words, one legend entry per paragraph. The figures are the same;
/// with `None`, or when everything fits, the text is exactly [`table`]'s.
pub fn table_within(
    model: &dyn Model,
    result: &Ensemble,
    steps: u32,
    width: Option<usize>,
) -> String {
    let measures = &result.measures;
    let names = &result.strategies;
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", fill(&model.describe(), width, ""));
    let cells: Vec<Vec<String>> = (0..names.len())
        .map(|s| {
            measures
                .table
                .iter()
                .map(|c| cell(result, s, c, steps))
                .collect()
        })
        .collect();
    // "wins": the share of runs (worlds) in which the arm has the best headline, ties split.
    let headlines: Vec<Vec<f64>> = (0..names.len())
        .map(|s| result.column(s, measures.headline))
        .collect();
    let runs = headlines.first().map_or(0, Vec::len) as f64;
    let mut cells: Vec<Vec<String>> = crate::metrics::stats::wins(&headlines)
        .into_iter()
        .zip(cells)
        .map(|(w, mut row)| {
            let (lo, hi) = wilson(w, runs);
            row.push(format!("{} ({}-{})", pct(w), pct(lo), pct(hi)));
            row
        })
        .collect();
    let mut heads: Vec<String> = measures
        .table
        .iter()
        .map(|c| c.header.to_string())
        .chain(["wins % (95% CI)".to_string()])
        .collect();
    let mut widths: Vec<usize> = (0..heads.len())
        .map(|j| {
            cells
                .iter()
                .map(|row| row[j].chars().count())
                .chain([heads[j].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    // The paired columns share one width, so that they line up as a small matrix.
    let beats: Vec<String> = shorts(names).iter().map(|n| format!(">{n}")).collect();
    let beats_width = beats
        .iter()
        .map(|h| h.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let headline = measures.headline;
    for (s, row) in cells.iter_mut().enumerate() {
        for o in 0..names.len() {
            row.push(if o == s {
                String::new()
            } else {
                let p = paired(&result.column(s, headline), &result.column(o, headline));
                format!("{}%", pct(p.p_beats))
            });
        }
    }
    heads.extend(beats);
    widths.extend(std::iter::repeat_n(beats_width, names.len()));
    let grid = Grid {
        label: measures.arm_label,
        names,
        heads: &heads,
        widths: &widths,
        cells: &cells,
    };
    grid.write(&mut out, width);
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", fill(&verdict(result), width, ""));
    let notes = [
        "± = half the 95% CI of the mean".to_string(),
        "(low to high) = that interval where it is clipped to the values the figure can take (a share's 0-100 %, a count's 0)".to_string(),
        "(no CI) = no interval (one run)".to_string(),
        "[k runs] = mean over only the k runs in which the figure is defined".to_string(),
        format!(
            "wins = share of runs (worlds) in which this {} has the highest {} (ties split), %, 95% interval",
            measures.arm_label,
            measures.run_metrics[headline].name.replace('_', " ")
        ),
        format!(
            ">name = share of paired runs in which this {} {} than that one, a tie counting half, %",
            measures.arm_label, measures.beats
        ),
    ];
    let entries: Vec<&str> = measures
        .table
        .iter()
        .map(|c| c.meaning.as_str())
        .chain(notes.iter().map(String::as_str))
        .collect();
    if width.is_some() {
        let _ = writeln!(out, "Columns:");
        for entry in entries {
            let _ = writeln!(out, "{}", fill(&format!("  {entry}"), width, "      "));
        }
    } else {
        let _ = writeln!(out, "Columns: {}.", entries.join("; "));
    }
    out.push_str(&deciding_parameters(result, width));
    out
}

/// The table's cells, laid out in one block, or in as many blocks as `width` needs.
struct Grid<'a> {
    /// Head of the names' column ("strategy").
    label: &'a str,
    /// One row per name.
    names: &'a [String],
    /// One head per column after the names.
    heads: &'a [String],
    /// Each column's width, at least its head's and its cells'.
    widths: &'a [usize],
    /// `cells[row][column]`.
    cells: &'a [Vec<String>],
}

impl Grid<'_> {
    /// Writes the blocks: the names' column, then the columns that fit within `width` (at least
    /// one per block, so a column wider than the terminal still shows, too wide).
    fn write(&self, out: &mut String, width: Option<usize>) {
        let name_width = self
            .names
            .iter()
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(8)
            .max(8);
        let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
        let mut start = 0;
        let mut used = name_width;
        for (j, w) in self.widths.iter().enumerate() {
            let fits = width.is_none_or(|limit| used + 2 + w <= limit);
            if !fits && j > start {
                blocks.push(start..j);
                start = j;
                used = name_width;
            }
            used += 2 + w;
        }
        blocks.push(start..self.widths.len());
        for (b, block) in blocks.into_iter().enumerate() {
            if b > 0 {
                let _ = writeln!(out);
            }
            let mut header = format!("{:<name_width$}", self.label);
            for j in block.clone() {
                let _ = write!(header, "  {:>w$}", self.heads[j], w = self.widths[j]);
            }
            let _ = writeln!(out, "{header}");
            let _ = writeln!(out, "{}", "-".repeat(header.chars().count()));
            for (name, row) in self.names.iter().zip(self.cells) {
                let mut line = format!("{name:<name_width$}");
                for j in block.clone() {
                    let _ = write!(line, "  {:>w$}", row[j], w = self.widths[j]);
                }
                let _ = writeln!(out, "{line}");
            }
        }
    }
}

/// `text` broken between words into lines of at most `width` characters, each line after the
/// first starting with `indent`; unchanged with no width. A word longer than the line stays
/// whole on a line of its own.
///
/// ```
/// use domino::report::fill;
/// assert_eq!(fill("one two three", Some(8), "  "), "one two\n  three");
/// assert_eq!(fill("one two three", None, "  "), "one two three");
/// assert_eq!(fill("  one two", Some(6), "    "), "  one\n    two");
/// assert_eq!(fill("a verylongword b", Some(5), ""), "a\nverylongword\nb");
/// ```
pub fn fill(text: &str, width: Option<usize>, indent: &str) -> String {
    let Some(width) = width else {
        return text.to_string();
    };
    // A paragraph's own leading spaces are its first line's indent.
    let body = text.trim_start_matches(' ');
    let mut out = text[..text.len() - body.len()].to_string();
    let mut line = out.len();
    for (k, word) in body.split(' ').enumerate() {
        let len = word.chars().count();
        if k > 0 && line + 1 + len > width {
            out.push('\n');
            out.push_str(indent);
            line = indent.chars().count();
        } else if k > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
    }
    out
}

/// The lines under the table when the scenario has uncertain fields: for the winner minus the
/// runner-up on the headline, the three drawn parameters with the strongest rank correlation.
fn deciding_parameters(result: &Ensemble, width: Option<usize>) -> String {
    if result.parameters.is_empty() || result.strategies.len() < 2 {
        return String::new();
    }
    let best = leader(result);
    let means: Vec<f64> = (0..result.strategies.len())
        .map(|s| Summary::of(result.column(s, result.measures.headline)).mean)
        .collect();
    let mut second = usize::from(best == 0);
    for (s, &m) in means.iter().enumerate() {
        if s != best && m > means[second] {
            second = s;
        }
    }
    let rows = uncertainty::by_strength(uncertainty::deciding_pair(result, best, second));
    let mut out = String::new();
    let title = format!(
        "Deciding parameters: Spearman rho of each drawn value with {} minus {} on {}, run by run (n = {}); all pairs in uncertainty.csv.",
        result.strategies[best],
        result.strategies[second],
        result.measures.run_metrics[result.measures.headline]
            .name
            .replace('_', " "),
        rows.first().map_or(0, |d| d.n)
    );
    let _ = writeln!(out, "\n{}", fill(&title, width, ""));
    let width = rows
        .iter()
        .take(3)
        .map(|d| d.parameter.chars().count())
        .max()
        .unwrap_or(0);
    for d in rows.iter().take(3) {
        let rho = |v: f64| {
            if v.is_nan() {
                "-".to_string()
            } else {
                fixed(v, 2, true)
            }
        };
        let _ = writeln!(
            out,
            "  {:<width$}  rho {} (95% CI {} to {})",
            d.parameter,
            rho(d.rho),
            rho(d.ci.0),
            rho(d.ci.1)
        );
    }
    out
}

/// "95% CI lo to hi" with each end shown by `show`, or, when an end is not finite (one run has
/// no interval), words that say so rather than "NaN to NaN". The verdict line and the HTML page
/// both use it.
pub(crate) fn interval(lo: f64, hi: f64, show: impl Fn(f64) -> String) -> String {
    if lo.is_finite() && hi.is_finite() {
        format!("95% CI {} to {}", show(lo), show(hi))
    } else {
        NO_INTERVAL.to_string()
    }
}

/// What a table or sentence says where a 95% CI would be but there is none (one run).
pub(crate) const NO_INTERVAL: &str = "no interval from one run";

/// One sentence: which arm wins on the headline metric, and how sure that is.
pub fn verdict(result: &Ensemble) -> String {
    let k = result.strategies.len();
    if k == 1 {
        return format!(
            "Only one {} ({}) was run: nothing to compare.",
            result.measures.arm_label, result.strategies[0]
        );
    }
    let best = leader(result);
    let name = &result.strategies[best];
    let headline = result.measures.headline;
    let a = result.column(best, headline);
    let mut parts = Vec::new();
    let mut worst_p: f64 = 1.0;
    let mut ahead_on_average = true;
    let mut same = Vec::new();
    let mut no_interval = false;
    for o in (0..k).filter(|&o| o != best) {
        let b = result.column(o, headline);
        let p = paired(&a, &b);
        worst_p = worst_p.min(p.p_beats);
        no_interval |= !(p.diff.ci_low.is_finite() && p.diff.ci_high.is_finite());
        ahead_on_average &= p.diff.ci_low > 0.0;
        // Exactly equal in every run (two strategies the model cannot tell apart): a tie, not
        // a win in half the runs.
        if a == b {
            same.push(result.strategies[o].as_str());
            continue;
        }
        let interval = interval(p.diff.ci_low, p.diff.ci_high, points_end);
        parts.push(format!(
            "{} in {}% of paired runs ({} points, {interval})",
            result.strategies[o],
            pct(p.p_beats),
            points(p.diff.mean),
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
    let metric = result.measures.run_metrics[headline].name.replace('_', " ");
    if !same.is_empty() {
        let rest = if parts.is_empty() {
            String::new()
        } else {
            format!(
                ". Against the others it is ahead of {}",
                parts.join("; of ")
            )
        };
        return format!(
            "No winner on {metric}: {name} and {} gave exactly the same result in every paired \
             run{rest}.",
            same.join(" and ")
        );
    }
    if no_interval {
        // One paired run: no spread to tell chance from a real difference, and "in 100% of
        // paired runs" would read as strong evidence.
        return format!(
            "No winner can be named on {metric}: {ONE_RUN}. In that run {name} did best ({}).",
            (0..k)
                .filter(|&o| o != best)
                .map(|o| {
                    let diff = paired(&a, &result.column(o, headline)).diff.mean;
                    format!("{} points ahead of {}", points(diff), result.strategies[o])
                })
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    format!(
        "Winner on {metric}: {name} ({certainty}). Ahead of {}.",
        parts.join("; of ")
    )
}

/// What the verdict and the page say instead of how sure a winner is, when the comparison has
/// one run (or one run in which both figures are defined).
pub(crate) const ONE_RUN: &str = "one run gives no uncertainty, so it cannot say with confidence \
     which is better; run more (e.g. --runs 200)";

#[cfg(test)]
mod tests {
    use super::{fixed, malformed_row, pct, points};
    use crate::metrics::stats::{Bounds, Summary};
    use crate::metrics::CellFormat;

    #[test]
    fn a_mean_without_an_interval_says_so_and_a_clipped_one_shows_its_ends() {
        let cell = |x: Summary| super::cell_text(&x, CellFormat::Percent, 8);
        // Defined in one run: "(no CI)", as the legend promises, not the bare mean.
        assert_eq!(cell(Summary::of([0.3, f64::NAN])), "30.0 (no CI)");
        // Two runs, 0 and 1/3: 16.7 +- 211.8 as computed, clipped to 0-100 %.
        let clipped = Summary::of([0.0, 1.0 / 3.0]).within(Bounds::SHARE);
        assert_eq!(cell(clipped), "16.7 (0.0 to 100.0)");
        // Inside the bounds: still "±".
        let inside = Summary::of([0.3, 0.4, 0.5]).within(Bounds::SHARE);
        assert_eq!(cell(inside), "40.0±24.8");
        assert_eq!(
            super::cell_text(&Summary::of([2.0]), CellFormat::Decimal, 8),
            "2.0 (no CI)"
        );
    }

    #[test]
    fn a_row_of_the_wrong_length_says_what_the_header_expected() {
        let mut reader = csv::Reader::from_reader(&b"a,b,c\n1,2,3\n4,5\n"[..]);
        let e = reader.records().find_map(|r| r.err()).unwrap();
        let (line, message) = malformed_row(&e);
        assert_eq!(line, Some(3));
        assert_eq!(
            message,
            "2 fields, expected 3 as in the header; the file was edited or cut short: rerun the \
             command that wrote it"
        );
        let mut reader = csv::Reader::from_reader(&b"a\n\xff\n"[..]);
        let e = reader.records().find_map(|r| r.err()).unwrap();
        assert!(malformed_row(&e).1.starts_with("field 1 is not UTF-8 text"));
    }

    #[test]
    fn column_heads_stay_distinct() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            super::shorts(&names(&["thin-spread", "pilot-then-cascade", "cluster"])),
            ["thin-sp", "pilot-t", "cluster"]
        );
        assert_eq!(
            super::shorts(&names(&[
                "pilot-then-cascade-a",
                "pilot-then-cascade-b",
                "c"
            ])),
            ["pilot-then-cascade-a", "pilot-then-cascade-b", "c"]
        );
        assert_eq!(
            super::shorts(&names(&["Pilot mandate", "Pilot opt-in"])),
            ["Pilot m", "Pilot o"]
        );
    }

    #[test]
    fn tiny_and_huge_numbers_take_the_exponent_form() {
        use super::exponent_form;
        assert_eq!(exponent_form(1.4123e-100, 4).as_deref(), Some("1.412e-100"));
        assert_eq!(exponent_form(-2.5e12, 3).as_deref(), Some("-2.5e12"));
        assert_eq!(exponent_form(0.5, 3), None);
        assert_eq!(exponent_form(0.0, 3), None);
        assert_eq!(exponent_form(123_456.0, 3), None);
    }

    #[test]
    fn significant_keeps_three_digits() {
        use super::significant;
        assert_eq!(significant(0.029_4), "0.0294");
        assert_eq!(significant(0.034), "0.0340");
        assert_eq!(significant(1.234_5), "1.23");
        assert_eq!(significant(91.66), "91.7");
        assert_eq!(significant(614.2), "614");
        assert_eq!(significant(0.0), "0");
    }

    #[test]
    fn a_percentage_that_rounds_to_zero_has_no_sign() {
        assert_eq!(pct(-0.000_4), "0.0");
        assert_eq!(pct(-0.0), "0.0");
        assert_eq!(pct(0.000_4), "0.0");
        // Below zero by more than the rounding: the sign stays, the value is what it is.
        assert_eq!(pct(-0.002), "-0.2");
        assert_eq!(pct(0.425), "42.5");
        assert_eq!(pct(f64::NAN), "-");
    }

    #[test]
    fn a_signed_number_that_rounds_to_zero_shows_plus_zero() {
        assert_eq!(points(-0.000_4), "+0.0");
        assert_eq!(points(-0.0), "+0.0");
        assert_eq!(points(0.000_4), "+0.0");
        assert_eq!(points(-0.002), "-0.2");
        assert_eq!(points(0.013), "+1.3");
        assert_eq!(fixed(-0.000_04, 4, true), "+0.0000");
        assert_eq!(fixed(-0.000_06, 4, true), "-0.0001");
        assert_eq!(fixed(-0.4, 0, false), "0");
        assert_eq!(fixed(-0.6, 0, false), "-1");
        assert_eq!(fixed(f64::INFINITY, 1, false), "inf");
    }
}
