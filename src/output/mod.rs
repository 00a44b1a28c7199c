//! Output files: the CSV schemas (defined here, once), atomic writing, and output folders.
//!
//! Every CSV file is written with the `csv` crate (a name or text value holding a comma, a quote
//! or a line break is quoted, never splits a row), every JSON file with `serde_json`. Numbers are
//! written with Rust's shortest round-trip formatting (the same bytes on every machine); an
//! undefined value and a time never reached are empty cells, everywhere.
//!
//! A single file is written with [`write_atomic`]: to a temporary name beside it, synced, then
//! renamed over the final name ([`interrupt`] removes the temporary of an interrupted run). A
//! whole output folder is written through an [`OutputDir`] ([`folder`]): into a staging folder
//! beside the target, which replaces the target only when every file is written, so a folder
//! holds one complete result or the previous one.
//!
//! The files of a comparison:
//!
//! | file | one row per | columns |
//! |---|---|---|
//! | `summary.csv` | strategy x metric | strategy, metric, n, mean, sd, ci_low, ci_high, p5, p50, p95 |
//! | `paired.csv` | strategy x other strategy x metric | strategy, versus, metric, n, p_beats, p_beats_ci_low, p_beats_ci_high, mean_diff, diff_ci_low, diff_ci_high |
//! | `runs.csv` | strategy x run | strategy, run, then every run metric of the model's [`Measures`](crate::metrics::Measures), then the drawn value of each uncertain field (by its path; only when the scenario has some) |
//! | `timeseries.csv` | strategy x term x series | strategy, step, metric, n, mean, p5, p50, p95 |
//! | `schools.csv` | school x strategy | school, name, region, strategy, runs, funded, funded_se, piloted, piloted_se, sustained, sustained_se, benefiting, benefiting_se, sustained_ever, terms_to_sustain, terms_to_sustain_se |
//! | `regions.csv` | region x strategy | region, strategy, schools, runs, funded, funded_se, piloted, piloted_se, sustained, sustained_se, benefiting, benefiting_se, terms_to_sustain, terms_to_sustain_se, terms_to_sustain_runs |
//! | `scenario.toml` | - | the resolved scenario, to reproduce the results; network files point to the copies below |
//! | `network-edges.csv`, `network-nodes.csv` | - | copies of the scenario's network files (file networks only), as plain CSV: from the header on, without leading `#` comment lines, a byte-order mark or a `sep=,` line |
//! | `manifest.json` | - | domino version and git commit, `--set` arguments, SHA-256 of every input file read |
//! | `uncertainty.csv` | parameter x pair of strategies | written by [`crate::report::uncertainty`] when the scenario has uncertain fields |
//!
//! `schools.csv` and `regions.csv` are written only for the school model on a network read from
//! files, where school i is the same school (the node table's row i, with the same ties) in every
//! run; on a generated network the schools and ties are drawn anew each run, so a school index
//! names a different school in every run and a per-school share would mean nothing.
//!
//! Two more CSV files, written by single commands: `domino network --out FILE`, one row per tie
//! (`source, target, weight`, [`write_edge_list`]), and `domino run --trace FILE`, one row per
//! school and term ([`CsvTrace`], columns named by the model).

pub mod folder;
pub mod interrupt;

pub(crate) use folder::default_out;
pub use folder::OutputDir;

use crate::engine::{tally, Cell, Ensemble, SchoolTally, TraceSink};
use crate::error::{Error, InputError, Result};
use crate::metrics::stats::{paired, wilson, wins, Summary};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Prints `line` and a line break to standard error, for notes, warnings and errors. Standard
/// error closed or failing (`domino check 2>&1 | head`) is ignored: there is nowhere left to say
/// so, and a note is not worth the panic `eprintln!` gives then.
pub fn tell(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The git commit domino was built from, or `unknown` ([`crate::version::build_info`]).
pub fn build_commit() -> &'static str {
    crate::version::build_info().commit
}

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Formats a number for CSV: empty for NaN and for infinities (a time never reached), shortest
/// round-trip otherwise.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if v == 0.0 {
        "0".into()
    } else {
        format!("{v}")
    }
}

/// A CSV writer over `w` with the settings of every CSV file domino writes (comma, `\n` line
/// ends, quoting only where needed). Flush it before dropping it: drop ignores errors.
pub(crate) fn csv_writer(w: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(w)
}

/// Checks, before anything runs, that the file `path` given by `flag` (`--trace`, `--out`, ...)
/// can be written where it is asked for: it is not a folder, and its folder exists. A bad path is
/// bad input (exit 2), found before a long simulation rather than after it.
pub fn check_file_target(path: &Path, flag: &str) -> std::result::Result<(), InputError> {
    let refuse = |why: String| InputError::field(flag, why).in_file(path);
    let text = path.as_os_str().to_string_lossy();
    if path.is_dir() || text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) {
        return Err(refuse(
            "is a folder; give the path of a file to write".into(),
        ));
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(refuse(format!(
            "its folder {} does not exist; create it first",
            parent.display()
        )));
    }
    Ok(())
}

/// Refuses to replace the existing file `path` unless `force` (`--force`): for a file a user may
/// have made or kept (`init`'s scenario, `calibrate --simulate`'s rollout, which may be the very
/// rollout a calibration was run on). An input error (exit 2), before anything runs.
pub fn check_no_overwrite(path: &Path, force: bool) -> std::result::Result<(), InputError> {
    if path.exists() && !force {
        return Err(InputError::msg(
            "already exists; choose another path or pass --force to overwrite",
        )
        .in_file(path));
    }
    Ok(())
}

/// Checks that the file `path` given by `flag` is not one of `scenario`'s inputs (its scenario file
/// or network CSV files), nor one of `others`: `run --trace nodes.csv` would replace the school
/// table it was run from. An input error (exit 2), before anything runs.
pub fn check_not_an_input(
    path: &Path,
    flag: &str,
    scenario: &Scenario,
    others: &[PathBuf],
) -> std::result::Result<(), InputError> {
    let Ok(target) = std::fs::canonicalize(path) else {
        // It does not exist yet, so it is no input.
        return Ok(());
    };
    let inputs = scenario_inputs(scenario)
        .into_iter()
        .chain(others.iter().map(|p| ("input", p.clone())));
    for (role, input) in inputs {
        if std::fs::canonicalize(&input).is_ok_and(|i| i == target) {
            return Err(InputError::field(
                flag,
                format!(
                    "is this run's {role} file; writing to it would replace it. Give another path"
                ),
            )
            .in_file(path));
        }
    }
    Ok(())
}

/// Writes `path` atomically: `write` fills a temporary file beside it (`.NAME.PID.tmp`), which
/// is then renamed. The temporary is removed if the write fails or the process is interrupted
/// ([`interrupt`]); temporaries of the same file that killed processes left are removed first.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let (dir, name) = dir_and_name(path);
    interrupt::remove_stale_temporaries(dir, &name);
    write_replacing(path, write)
}

/// [`write_atomic`] without looking for stale temporaries, for a sweep's point records: the
/// sweep removes those of its record folder once when it starts, where looking at each write
/// would read a folder of thousands of records once per record.
pub(crate) fn write_record(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    write_replacing(path, write)
}

/// The folder of the file `path` (`.` for a bare name) and its name.
fn dir_and_name(path: &Path) -> (&Path, String) {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (dir, name)
}

fn write_replacing(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    let (dir, name) = dir_and_name(path);
    let tmp = dir.join(interrupt::temporary_name(&name, std::process::id()));
    let listed = interrupt::Temporary::new(&tmp);
    let written = (|| {
        let file = File::create(&tmp)?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    let result = written.and_then(|()| listed.finish(|| fs::rename(&tmp, path)));
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// One input file of a run, as `manifest.json` records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputHash {
    /// What the file is (`scenario`, `network.edges`, `network.nodes`, `sweep`, `observed`).
    pub role: String,
    /// The path as given (relative to the working directory, or to the scenario file).
    pub path: String,
    /// Lower-case hex SHA-256 of its bytes.
    pub sha256: String,
}

impl InputHash {
    /// Reads `path` and hashes it.
    pub fn of(role: &str, path: &Path) -> Result<Self> {
        let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
        Ok(Self {
            role: role.to_string(),
            path: path.display().to_string(),
            sha256: sha256_hex(&bytes),
        })
    }
}

/// `manifest.json` of a comparison: what ran, from which inputs, with which build.
#[derive(Debug, Serialize)]
struct CompareManifest<'a> {
    domino_version: &'a str,
    domino_commit: &'a str,
    scenario: &'a str,
    seed: u64,
    runs: u32,
    steps: u32,
    /// The `--set PATH=VALUE` arguments applied to the scenario file (left out when none).
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    sets: &'a [String],
    /// `domino optimise`'s objective and search budget (left out by every other command).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    optimise: Option<OptimiseRecord>,
    inputs: Vec<InputHash>,
}

/// What an optimisation maximised and how many simulations its search could spend, recorded in
/// its manifest as `seed`, `runs` and `steps` are: these may come from the command line
/// (`--objective`, `--budget-evals`) rather than the scenario file.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct OptimiseRecord {
    /// The objective's name (`students-benefiting`, `sustained`, ...).
    pub objective: &'static str,
    /// The search's simulation budget.
    pub budget_evals: u32,
}

/// Serialises `value` as pretty JSON with a final line end.
pub fn json(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("manifests always serialise");
    text.push('\n');
    text
}

/// The files a scenario reads: the scenario file (if any) and its network files, by role and
/// full path. These are hashed into the manifest, copied beside the written scenario, and never
/// overwritten by an output folder.
pub(crate) fn scenario_inputs(scenario: &Scenario) -> Vec<(&'static str, PathBuf)> {
    let mut inputs = Vec::new();
    if let Some(source) = &scenario.source {
        inputs.push(("scenario", source.clone()));
    }
    if scenario.files.is_some() {
        let base = scenario
            .source
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        let net = &scenario.config.network;
        if let Some(p) = &net.edges {
            inputs.push(("network.edges", base.join(p)));
        }
        if let Some(p) = &net.nodes {
            inputs.push(("network.nodes", base.join(p)));
        }
    }
    inputs
}

/// Writes the CSV files, the resolved scenario with copies of its network files, and
/// `manifest.json` of a comparison into `dir` (an [`OutputDir`]'s staging folder);
/// [`crate::report::write_comparison`] adds the charts. Returns the names of the files written.
pub fn write_comparison(dir: &Path, scenario: &Scenario, result: &Ensemble) -> Result<Vec<String>> {
    let mut written = write_results(dir, scenario, result)?;
    written.extend(write_reproduction(dir, scenario)?);
    Ok(written)
}

/// Writes the CSV files of a comparison's results (summary, paired, runs, time series, and the
/// per-school and per-region files when the model records them) into `dir`; not the files that
/// reproduce it ([`write_reproduction`]). Returns the names of the files written.
pub fn write_results(dir: &Path, scenario: &Scenario, result: &Ensemble) -> Result<Vec<String>> {
    let mut written = Vec::new();
    let mut file = |name: &str, f: &dyn Fn(&mut dyn Write) -> io::Result<()>| -> Result<()> {
        write_atomic(&dir.join(name), |w| f(w))?;
        written.push(name.to_string());
        Ok(())
    };
    file("summary.csv", &|w| write_summary(w, result))?;
    file("paired.csv", &|w| write_paired(w, result))?;
    file("runs.csv", &|w| write_runs(w, result))?;
    file("timeseries.csv", &|w| write_timeseries(w, result))?;
    if let Some(tally) = &result.schools {
        file("schools.csv", &|w| {
            write_schools(w, scenario, result, tally)
        })?;
        file("regions.csv", &|w| {
            write_regions(w, scenario, result, tally)
        })?;
    }
    Ok(written)
}

/// Writes what reproduces a result into `dir` (an [`OutputDir`]'s staging folder): copies of the
/// scenario's network files, the resolved `scenario.toml` pointing to them, and `manifest.json`.
/// Returns the names of the files written.
pub fn write_reproduction(dir: &Path, scenario: &Scenario) -> Result<Vec<String>> {
    reproduction(dir, scenario, None, Vec::new())
}

/// [`write_reproduction`] for `domino optimise`, whose manifest also records `record`.
pub fn write_optimise_reproduction(
    dir: &Path,
    scenario: &Scenario,
    record: OptimiseRecord,
) -> Result<Vec<String>> {
    reproduction(dir, scenario, Some(record), Vec::new())
}

/// As [`write_reproduction`], with `more` inputs of the command beside the scenario's (the
/// observed rollout of `domino calibrate`) recorded after them in `manifest.json`'s `inputs`.
pub(crate) fn write_reproduction_with(
    dir: &Path,
    scenario: &Scenario,
    more: Vec<InputHash>,
) -> Result<Vec<String>> {
    reproduction(dir, scenario, None, more)
}

fn reproduction(
    dir: &Path,
    scenario: &Scenario,
    optimise: Option<OptimiseRecord>,
    more: Vec<InputHash>,
) -> Result<Vec<String>> {
    let mut written = Vec::new();
    let mut file = |name: &str, f: &dyn Fn(&mut dyn Write) -> io::Result<()>| -> Result<()> {
        write_atomic(&dir.join(name), |w| f(w))?;
        written.push(name.to_string());
        Ok(())
    };
    // The folder must reproduce the run on its own: the network files are copied in and the
    // written scenario points to the copies (relative paths resolve against scenario.toml).
    let mut inputs = Vec::new();
    let mut resolved = scenario.clone();
    for (role, path) in scenario_inputs(scenario) {
        let hash = InputHash::of(role, &path)?;
        let copy = match role {
            "network.edges" => Some("network-edges.csv"),
            "network.nodes" => Some("network-nodes.csv"),
            _ => None,
        };
        if let Some(copy) = copy {
            let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
            file(copy, &|w| w.write_all(plain_csv(&bytes)))?;
            let net = &mut resolved.config.network;
            match role {
                "network.edges" => net.edges = Some(PathBuf::from(copy)),
                _ => net.nodes = Some(PathBuf::from(copy)),
            }
        }
        inputs.push(hash);
    }
    inputs.extend(more);
    file("scenario.toml", &|w| {
        w.write_all(resolved.to_toml().as_bytes())
    })?;
    let cfg = &scenario.config;
    let manifest = json(&CompareManifest {
        domino_version: env!("CARGO_PKG_VERSION"),
        domino_commit: build_commit(),
        scenario: &cfg.name,
        seed: cfg.seed,
        runs: cfg.runs,
        steps: cfg.steps,
        sets: &scenario.sets,
        optimise,
        inputs,
    });
    file("manifest.json", &|w| w.write_all(manifest.as_bytes()))?;
    Ok(written)
}

/// The UTF-8 byte-order mark, which Excel writes at the start of "CSV UTF-8".
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A network file as plain CSV, for its copy in an output folder: from its header on, without
/// what the scenario reader skips before the header (a byte-order mark, Excel's `sep=,` line,
/// whole lines starting with `#`), so that pandas and R read the copy with their defaults (a
/// `comment="#"` would also cut an id such as `#12`). The copy reads as the same network; the
/// original's SHA-256 stays in `manifest.json`'s `inputs`.
fn plain_csv(bytes: &[u8]) -> &[u8] {
    let line_end = |b: &[u8]| {
        b.iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |e| e + 1)
    };
    let mut rest = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let first = rest[..line_end(rest)].trim_ascii();
    if (4..=5).contains(&first.len()) && first[..4].eq_ignore_ascii_case(b"sep=") {
        rest = &rest[line_end(rest)..];
    }
    while rest.first() == Some(&b'#') {
        rest = &rest[line_end(rest)..];
    }
    rest
}

/// The rows of `summary.csv` for one strategy: every run metric, plus for each time metric the
/// share of runs that reached it (`<metric>_reached_share`, with a Wilson interval).
pub fn summaries(result: &Ensemble, s: usize) -> Vec<(String, Summary)> {
    let runs = &result.runs[s];
    let mut rows = Vec::new();
    for (m, info) in result.measures.run_metrics.iter().enumerate() {
        let values: Vec<f64> = runs.iter().map(|r| r.at(m)).collect();
        rows.push((info.name.to_string(), result.summary(s, m)));
        if info.is_time {
            let p = values.iter().filter(|v| v.is_finite()).count() as f64 / values.len() as f64;
            rows.push((
                format!("{}_reached_share", info.name),
                share_of_runs(p, values.len()),
            ));
        }
    }
    rows.push((BEST_SHARE.to_string(), best_share(result, s)));
    rows
}

/// The metric name of the `summary.csv` row that holds how often a strategy was best.
pub const BEST_SHARE: &str = "best_share";

/// The share of runs in which arm `s` has the best headline figure of all arms, ties split (the
/// table's "wins" and the report's "best in"), as a share of all runs: `sd` the share's own
/// sqrt(p (1 - p)), its interval Wilson's, no percentiles (as `<metric>_reached_share`).
fn best_share(result: &Ensemble, s: usize) -> Summary {
    let headlines: Vec<Vec<f64>> = (0..result.strategies.len())
        .map(|k| result.column(k, result.measures.headline))
        .collect();
    let n = result.runs[s].len();
    let p = if n == 0 {
        f64::NAN
    } else {
        wins(&headlines)[s]
    };
    share_of_runs(p, n)
}

/// The summary of a share `p` of `n` runs: `sd` the share's own sqrt(p (1 - p)), its interval
/// Wilson's, no percentiles.
fn share_of_runs(p: f64, n: usize) -> Summary {
    let (lo, hi) = wilson(p, n as f64);
    Summary {
        n,
        mean: p,
        sd: (p * (1.0 - p)).sqrt(),
        ci_low: lo,
        ci_high: hi,
        p5: f64::NAN,
        p50: f64::NAN,
        p95: f64::NAN,
    }
}

fn write_summary(w: &mut dyn Write, result: &Ensemble) -> io::Result<()> {
    let mut out = csv_writer(w);
    out.write_record([
        "strategy", "metric", "n", "mean", "sd", "ci_low", "ci_high", "p5", "p50", "p95",
    ])?;
    for (s, name) in result.strategies.iter().enumerate() {
        for (metric, x) in summaries(result, s) {
            let mut row = vec![name.clone(), metric, x.n.to_string()];
            row.extend(
                [x.mean, x.sd, x.ci_low, x.ci_high, x.p5, x.p50, x.p95]
                    .into_iter()
                    .map(num),
            );
            out.write_record(&row)?;
        }
    }
    out.flush()
}

fn write_paired(w: &mut dyn Write, result: &Ensemble) -> io::Result<()> {
    let mut out = csv_writer(w);
    out.write_record([
        "strategy",
        "versus",
        "metric",
        "n",
        "p_beats",
        "p_beats_ci_low",
        "p_beats_ci_high",
        "mean_diff",
        "diff_ci_low",
        "diff_ci_high",
    ])?;
    for (a, name_a) in result.strategies.iter().enumerate() {
        for (b, name_b) in result.strategies.iter().enumerate() {
            if a == b {
                continue;
            }
            for &m in &result.measures.paired {
                let p = paired(&result.column(a, m), &result.column(b, m));
                let mut row = vec![
                    name_a.clone(),
                    name_b.clone(),
                    result.measures.run_metrics[m].name.to_string(),
                    p.diff.n.to_string(),
                ];
                row.extend(
                    [
                        p.p_beats,
                        p.p_low,
                        p.p_high,
                        p.diff.mean,
                        p.diff.ci_low,
                        p.diff.ci_high,
                    ]
                    .into_iter()
                    .map(num),
                );
                out.write_record(&row)?;
            }
        }
    }
    out.flush()
}

fn write_runs(w: &mut dyn Write, result: &Ensemble) -> io::Result<()> {
    let mut out = csv_writer(w);
    let mut header = vec!["strategy".to_string(), "run".to_string()];
    header.extend(
        result
            .measures
            .run_metrics
            .iter()
            .map(|m| m.name.to_string()),
    );
    // Uncertain fields: one column per path with run k's draw, the same for every strategy.
    header.extend(result.parameters.iter().cloned());
    out.write_record(&header)?;
    for (s, name) in result.strategies.iter().enumerate() {
        for (k, run) in result.runs[s].iter().enumerate() {
            let mut row = vec![name.clone(), k.to_string()];
            // A time never reached is an empty cell ([`num`]): pandas and R read it as missing.
            row.extend(run.0.iter().map(|&v| num(v)));
            if let Some(drawn) = result.draws.get(k) {
                row.extend(drawn.iter().map(|&v| num(v)));
            }
            out.write_record(&row)?;
        }
    }
    out.flush()
}

fn write_timeseries(w: &mut dyn Write, result: &Ensemble) -> io::Result<()> {
    let mut out = csv_writer(w);
    out.write_record([
        "strategy", "step", "metric", "n", "mean", "p5", "p50", "p95",
    ])?;
    for (s, name) in result.strategies.iter().enumerate() {
        let agg = &result.series[s];
        for t in 0..agg.terms() {
            for (k, series) in result.measures.series.iter().enumerate() {
                let p = agg.point_at(t, k);
                let mut row = vec![
                    name.clone(),
                    t.to_string(),
                    series.name.to_string(),
                    p.n.to_string(),
                ];
                row.extend([p.mean, p.p5, p.p50, p.p95].into_iter().map(num));
                out.write_record(&row)?;
            }
        }
    }
    out.flush()
}

/// `schools.csv`: per school and strategy, the share of runs in which the school was funded
/// (supported or recruited in some term), piloted, sustained at the horizon, and benefiting at
/// the horizon (its students count towards the objective: practising with a true effect at or
/// above the benefit bar), each with its standard error; the runs in which it was sustained at some step, and over those its mean
/// terms to first sustain with its standard error (empty when never sustained).
fn write_schools(
    w: &mut dyn Write,
    scenario: &Scenario,
    result: &Ensemble,
    tally: &SchoolTally,
) -> io::Result<()> {
    let mut out = csv_writer(w);
    out.write_record([
        "school",
        "name",
        "region",
        "strategy",
        "runs",
        "funded",
        "funded_se",
        "piloted",
        "piloted_se",
        "sustained",
        "sustained_se",
        "benefiting",
        "benefiting_se",
        "sustained_ever",
        "terms_to_sustain",
        "terms_to_sustain_se",
    ])?;
    for (i, &r) in tally.region.iter().enumerate() {
        let id = scenario.school_id(i);
        let region = scenario.region_name(r as usize);
        for (s, name) in result.strategies.iter().enumerate() {
            let t = &tally.arms[s];
            let mut row = vec![
                id.to_string(),
                scenario.school_name(i).to_string(),
                region.to_string(),
                name.clone(),
                tally.runs.to_string(),
            ];
            for count in [t.funded[i], t.piloted[i], t.sustained[i], t.benefits[i]] {
                let (p, se) = tally::share(count, tally.runs);
                row.extend([num(p), num(se)]);
            }
            let (m, se) = tally::terms(t.ever[i], t.terms_sum[i], t.terms_sq[i]);
            row.extend([t.ever[i].to_string(), num(m), num(se)]);
            out.write_record(&row)?;
        }
    }
    out.flush()
}

/// `regions.csv`: per region and strategy, the mean over runs of the share of the region's
/// schools funded, piloted, sustained at the horizon and benefiting at the horizon (each with its standard error over
/// runs), and the mean over runs of the region's mean terms to first sustain (over the runs in
/// which some school of the region sustained, counted in `terms_to_sustain_runs`).
fn write_regions(
    w: &mut dyn Write,
    scenario: &Scenario,
    result: &Ensemble,
    tally: &SchoolTally,
) -> io::Result<()> {
    let mut out = csv_writer(w);
    out.write_record([
        "region",
        "strategy",
        "schools",
        "runs",
        "funded",
        "funded_se",
        "piloted",
        "piloted_se",
        "sustained",
        "sustained_se",
        "benefiting",
        "benefiting_se",
        "terms_to_sustain",
        "terms_to_sustain_se",
        "terms_to_sustain_runs",
    ])?;
    for (r, &size) in tally.region_size.iter().enumerate() {
        for (s, name) in result.strategies.iter().enumerate() {
            let t = &tally.arms[s];
            let mut row = vec![
                scenario.region_name(r).into_owned(),
                name.clone(),
                size.to_string(),
                tally.runs.to_string(),
            ];
            for c in [
                &t.region_funded[r],
                &t.region_piloted[r],
                &t.region_sustained[r],
                &t.region_benefits[r],
            ] {
                let (mean, se) = c.mean_se(size as f64);
                row.extend([num(mean), num(se)]);
            }
            let terms = &t.region_terms[r];
            row.extend([num(terms.mean()), num(terms.se())]);
            row.push(t.region_terms[r].n.to_string());
            out.write_record(&row)?;
        }
    }
    out.flush()
}

/// Writes an edge list (`source,target,weight`), as `domino network` does: each end by
/// `id(index)` (the node table's id, or the 0-based index without one). Weights are f32 and
/// print in their own shortest form (0.6687029, not 0.6687029004096985).
pub fn write_edge_list<'a>(
    w: &mut dyn Write,
    edges: impl Iterator<Item = crate::scenario::files::Edge>,
    id: impl Fn(usize) -> std::borrow::Cow<'a, str>,
) -> io::Result<()> {
    let mut out = csv_writer(w);
    out.write_record(["source", "target", "weight"])?;
    for e in edges {
        let (a, b) = (id(e.a as usize), id(e.b as usize));
        out.write_record([a.as_ref(), b.as_ref(), &e.weight.to_string()])?;
    }
    out.flush()
}

/// A [`TraceSink`] that writes CSV rows (with the `csv` crate), numbers as [`num`] formats them.
pub struct CsvTrace<'w> {
    out: csv::Writer<&'w mut dyn Write>,
}

impl<'w> CsvTrace<'w> {
    /// A trace written to `out`.
    pub fn new(out: &'w mut dyn Write) -> Self {
        Self {
            out: csv_writer(out),
        }
    }
}

impl TraceSink for CsvTrace<'_> {
    fn header(&mut self, columns: &[&str]) -> io::Result<()> {
        self.out.write_record(columns)?;
        self.out.flush()
    }

    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        for c in cells {
            match c {
                Cell::Text(t) => self.out.write_field(t)?,
                Cell::Num(v) => self.out.write_field(num(*v))?,
                Cell::Int(v) => self.out.write_field(v.to_string())?,
            }
        }
        self.out.write_record(None::<&[u8]>)?;
        // The sink does not know which row is the last: flush each one into the buffered
        // writer beneath, so nothing is lost when the trace is dropped.
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A network file's copy is plain CSV: what the reader skips before the header is dropped,
    /// nothing else (an id `#12` after the header stays).
    #[test]
    fn network_copies_are_plain_csv() {
        assert_eq!(
            plain_csv(b"# Ties of the example\n#, more\nsource,target\n#12,a\n"),
            b"source,target\n#12,a\n"
        );
        assert_eq!(
            plain_csv(b"\xEF\xBB\xBFsep=,\r\n# c\r\nid\r\n1\r\n"),
            b"id\r\n1\r\n"
        );
        assert_eq!(plain_csv(b"id,size\n1,2"), b"id,size\n1,2");
        assert_eq!(plain_csv(b"# only\n"), b"");
    }

    #[test]
    fn numbers_format_for_csv() {
        assert_eq!(num(f64::NAN), "");
        assert_eq!(num(f64::INFINITY), "");
        assert_eq!(num(f64::NEG_INFINITY), "");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(3.0), "3");
    }

    #[test]
    fn csv_cells_with_commas_quotes_and_line_breaks_stay_one_cell() {
        let mut bytes = Vec::new();
        let mut w = csv_writer(&mut bytes);
        w.write_record(["a, b", "say \"hi\"", "two\nlines", "plain"])
            .unwrap();
        w.flush().unwrap();
        drop(w);
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(row.len(), 4);
        assert_eq!(&row[0], "a, b");
        assert_eq!(&row[2], "two\nlines");
    }

    #[test]
    fn trace_rows_are_csv() {
        let mut bytes = Vec::new();
        {
            let mut t = CsvTrace::new(&mut bytes);
            t.header(&["a", "b", "c"]).unwrap();
            t.row(&[Cell::Text("x,y"), Cell::Num(f64::INFINITY), Cell::Int(3)])
                .unwrap();
        }
        assert_eq!(String::from_utf8(bytes).unwrap(), "a,b,c\n\"x,y\",,3\n");
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
