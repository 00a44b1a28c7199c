//! Output files: the CSV schemas (defined here, once) and atomic writing.
//!
//! Every file is written to a temporary name in the target folder, flushed, synced and then
//! renamed over the final name, so an interrupted run leaves either the previous complete file or
//! none, never a torn one. Numbers are written with Rust's shortest round-trip formatting (the
//! same bytes on every machine); an undefined value is an empty cell and a time never reached is
//! an empty cell in `runs.csv` and `inf` in percentiles.
//!
//! | file | one row per | columns |
//! |---|---|---|
//! | `summary.csv` | strategy x metric | strategy, metric, n, mean, sd, ci_low, ci_high, p5, p50, p95 |
//! | `paired.csv` | strategy x other strategy x metric | strategy, versus, metric, n, p_beats, p_beats_ci_low, p_beats_ci_high, mean_diff, diff_ci_low, diff_ci_high |
//! | `runs.csv` | strategy x run | strategy, run, then every run metric of the model's [`Measures`](crate::metrics::Measures) |
//! | `timeseries.csv` | strategy x term x series | strategy, step, metric, n, mean, p5, p50, p95 |
//! | `scenario.toml` | - | the resolved scenario, to reproduce the results |

use crate::engine::{Cell, Ensemble, TraceSink};
use crate::error::{Error, Result};
use crate::metrics::stats::{paired, wilson, Summary};
use crate::scenario::Scenario;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Formats a number for CSV: empty for NaN, `inf` for infinity, shortest round-trip otherwise.
pub fn num(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else if v.is_infinite() {
        if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else if v == 0.0 {
        "0".into()
    } else {
        format!("{v}")
    }
}

/// Writes `path` atomically: `write` fills a temporary file beside it, which is then renamed.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let file = File::create(&tmp)?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// Writes the CSV files and the resolved scenario of a comparison into `dir` (created if needed);
/// [`crate::report::write_comparison`] adds the charts. Returns the paths written.
pub fn write_comparison(
    dir: &Path,
    scenario: &Scenario,
    result: &Ensemble,
) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    let mut file = |name: &str, f: &dyn Fn(&mut dyn Write) -> io::Result<()>| -> Result<()> {
        let path = dir.join(name);
        write_atomic(&path, |w| f(w))?;
        written.push(path);
        Ok(())
    };
    file("summary.csv", &|w| write_summary(w, result))?;
    file("paired.csv", &|w| write_paired(w, result))?;
    file("runs.csv", &|w| write_runs(w, result))?;
    file("timeseries.csv", &|w| write_timeseries(w, result))?;
    file("scenario.toml", &|w| {
        w.write_all(scenario.to_toml().as_bytes())
    })?;
    Ok(written)
}

/// The rows of `summary.csv` for one strategy: every run metric, plus for each time metric the
/// share of runs that reached it (`<metric>_reached_share`, with a Wilson interval).
pub fn summaries(result: &Ensemble, s: usize) -> Vec<(String, Summary)> {
    let runs = &result.runs[s];
    let mut rows = Vec::new();
    for (m, info) in result.measures.run_metrics.iter().enumerate() {
        let values: Vec<f64> = runs.iter().map(|r| r.at(m)).collect();
        rows.push((info.name.to_string(), Summary::of(values.iter().copied())));
        if info.is_time {
            let n = values.len() as f64;
            let p = values.iter().filter(|v| v.is_finite()).count() as f64 / n;
            let (lo, hi) = wilson(p, n);
            rows.push((
                format!("{}_reached_share", info.name),
                Summary {
                    n: values.len(),
                    mean: p,
                    sd: (p * (1.0 - p)).sqrt(),
                    ci_low: lo,
                    ci_high: hi,
                    p5: f64::NAN,
                    p50: f64::NAN,
                    p95: f64::NAN,
                },
            ));
        }
    }
    rows
}

fn write_summary(w: &mut dyn Write, result: &Ensemble) -> io::Result<()> {
    writeln!(w, "strategy,metric,n,mean,sd,ci_low,ci_high,p5,p50,p95")?;
    for (s, name) in result.strategies.iter().enumerate() {
        for (metric, x) in summaries(result, s) {
            writeln!(
                w,
                "{name},{metric},{},{},{},{},{},{},{},{}",
                x.n,
                num(x.mean),
                num(x.sd),
                num(x.ci_low),
                num(x.ci_high),
                num(x.p5),
                num(x.p50),
                num(x.p95)
            )?;
        }
    }
    Ok(())
}

fn write_paired(w: &mut dyn Write, result: &Ensemble) -> io::Result<()> {
    writeln!(w, "strategy,versus,metric,n,p_beats,p_beats_ci_low,p_beats_ci_high,mean_diff,diff_ci_low,diff_ci_high")?;
    for (a, name_a) in result.strategies.iter().enumerate() {
        for (b, name_b) in result.strategies.iter().enumerate() {
            if a == b {
                continue;
            }
            for &m in &result.measures.paired {
                let p = paired(&result.column(a, m), &result.column(b, m));
                writeln!(
                    w,
                    "{name_a},{name_b},{},{},{},{},{},{},{},{}",
                    result.measures.run_metrics[m].name,
                    p.diff.n,
                    num(p.p_beats),
                    num(p.p_low),
                    num(p.p_high),
                    num(p.diff.mean),
                    num(p.diff.ci_low),
                    num(p.diff.ci_high)
                )?;
            }
        }
    }
    Ok(())
}

fn write_runs(w: &mut dyn Write, result: &Ensemble) -> io::Result<()> {
    write!(w, "strategy,run")?;
    for m in &result.measures.run_metrics {
        write!(w, ",{}", m.name)?;
    }
    writeln!(w)?;
    for (s, name) in result.strategies.iter().enumerate() {
        for (k, run) in result.runs[s].iter().enumerate() {
            write!(w, "{name},{k}")?;
            for &v in run.0.iter() {
                // A time never reached is an empty cell here: pandas and R read it as missing.
                let v = if v.is_infinite() { f64::NAN } else { v };
                write!(w, ",{}", num(v))?;
            }
            writeln!(w)?;
        }
    }
    Ok(())
}

fn write_timeseries(w: &mut dyn Write, result: &Ensemble) -> io::Result<()> {
    writeln!(w, "strategy,step,metric,n,mean,p5,p50,p95")?;
    for (s, name) in result.strategies.iter().enumerate() {
        let agg = &result.series[s];
        for t in 0..agg.terms() {
            for (k, series) in result.measures.series.iter().enumerate() {
                let p = agg.point_at(t, k);
                writeln!(
                    w,
                    "{name},{t},{},{},{},{},{},{}",
                    series.name,
                    p.n,
                    num(p.mean),
                    num(p.p5),
                    num(p.p50),
                    num(p.p95)
                )?;
            }
        }
    }
    Ok(())
}

/// `text` as one CSV field: quoted (with `"` doubled) when it holds a comma, a quote or a line
/// break, as school ids and names from a node table may.
pub fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\"")).into()
    } else {
        text.into()
    }
}

/// A [`TraceSink`] that writes CSV rows, numbers as [`num`] formats them.
pub struct CsvTrace<'w> {
    out: &'w mut dyn Write,
}

impl<'w> CsvTrace<'w> {
    /// A trace written to `out`.
    pub fn new(out: &'w mut dyn Write) -> Self {
        Self { out }
    }
}

impl TraceSink for CsvTrace<'_> {
    fn header(&mut self, columns: &[&str]) -> io::Result<()> {
        writeln!(self.out, "{}", columns.join(","))
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        for (k, c) in cells.iter().enumerate() {
            if k > 0 {
                self.out.write_all(b",")?;
            }
            match c {
                Cell::Text(t) => self.out.write_all(csv_field(t).as_bytes())?,
                Cell::Num(v) => self.out.write_all(num(*v).as_bytes())?,
                Cell::Int(v) => write!(self.out, "{v}")?,
            }
        }
        self.out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_for_csv() {
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(f64::INFINITY), "inf");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(3.0), "3");
    }

    #[test]
    fn text_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("N001"), "N001");
        assert_eq!(csv_field("Hill, \"East\""), "\"Hill, \"\"East\"\"\"");
    }

    #[test]
    fn atomic_write_replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        write_atomic(&path, |w| w.write_all(b"one\n")).unwrap();
        write_atomic(&path, |w| w.write_all(b"two\n")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two\n");
        // A failing writer leaves the previous file intact and no temporary behind.
        let err = write_atomic(&path, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("interrupted"))
        });
        assert!(err.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "two\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
