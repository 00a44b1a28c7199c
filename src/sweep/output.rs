//! The files of a sweep, and the per-point records they are assembled from.
//!
//! As each point finishes, its results go to `points/NNNNNN.csv` in the output folder, written
//! atomically: the record of finished work, which `--resume` and `merge` read. The summary files
//! are then assembled from these records alone, in point order, so an interrupted and resumed
//! sweep, a sharded and merged one, and one run straight through all write the same bytes.
//!
//! A record is CSV (written and read with the `csv` crate): a first row
//! `domino-point-record,2,<SHA-256 of the resolved sweep>,<point id>`, the `P` rows (rows of
//! `points.csv`), the `W` row (the row of `winners.csv`), and a last line `sha256,<hex>`, the
//! SHA-256 of every byte before it. A record whose checksum does not match (a changed digit, a
//! flipped bit, a torn copy), that belongs to another sweep, or that holds another point than its
//! file name says (swapped files) is refused, naming the file: it is never merged or resumed.
//!
//! | file | one row per | columns |
//! |---|---|---|
//! | `points.csv` | point x strategy | `point`, `param_<path>` per parameter, `strategy`, then per figure of the base scenario's measures ([`Figure`], each under its own name at every point, whatever the point's objective) `<figure>_mean, _ci_low, _ci_high, _p5, _p50, _p95`, plus `_reached_share` for a time, and `p_best` (share of paired runs in which this strategy has the best figure on the point's own objective; ties shared) |
//! | `winners.csv` | point | `point`, the parameters, `winner` (highest mean of the point's objective), `p_best`, `runner_up`, `p_beats_runner_up` (paired, a tie counting half) |
//! | `sensitivity.csv` | parameter x response | `parameter, response, spearman, src`: rank correlation and standardized regression coefficient of each strategy's mean first figure (one quantity at every point) and of "this strategy wins" on the parameter |
//! | `map.svg` | | for two or more parameters, the winner at each point over the first two, shaded by p_best |
//! | `manifest.json` | | domino version and git commit, sweep hash (and SHA-256), seed, design, shard, points done (kept true while the sweep runs), `--set` arguments (when any), the network files read with their SHA-256 (when any) |
//! | `sweep.toml` | | the resolved sweep (base scenario inline), which `merge` and `--resume` read |

use super::{sensitivity, Kind, Sweep};
use crate::engine::Ensemble;
use crate::error::{Error, InputError, Result};
use crate::metrics::stats::{paired, Summary};
use crate::output::{build_commit, csv_writer, json, num, sha256_hex, write_atomic, InputHash};
use crate::report::svg::{self, MapPoint};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use toml::Value;

/// The folder of per-point records inside an output folder.
pub(crate) const RECORDS: &str = crate::output::folder::RECORDS;

/// The record file of point `id`.
pub(crate) fn record_path(dir: &Path, id: usize) -> PathBuf {
    dir.join(RECORDS).join(format!("{id:06}.csv"))
}

/// A parameter value as written in CSV cells.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Float(f) => num(*f),
        Value::Integer(i) => i.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Share of paired runs in which each strategy has the best headline figure (ties shared).
fn p_best(result: &Ensemble) -> Vec<f64> {
    let h = result.measures.headline;
    let k = result.strategies.len();
    let runs = result.runs.first().map_or(0, Vec::len);
    let mut share = vec![0.0; k];
    for r in 0..runs {
        let v: Vec<f64> = (0..k).map(|s| result.runs[s][r].at(h)).collect();
        let best = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let tied: Vec<usize> = (0..k).filter(|&s| v[s] == best).collect();
        for s in &tied {
            share[*s] += 1.0 / tied.len() as f64;
        }
    }
    share.iter().map(|c| c / runs.max(1) as f64).collect()
}

/// The first field of a record's first row, and the record format's version. Version 2 writes
/// every figure under its own name whatever the point's objective, and adds `_reached_share` to
/// the times; a version 1 record's rows do not fit its columns.
const RECORD_TAG: [&str; 2] = ["domino-point-record", "2"];

/// SHA-256 of the resolved sweep: what a record says it belongs to.
pub(crate) fn sweep_sha(sweep: &Sweep) -> String {
    sha256_hex(sweep.resolved_toml().as_bytes())
}

/// One figure of `points.csv`: a run metric, named as in `runs.csv`. The figures are those of
/// the base scenario's model and objective, and every point's row gives each one under its own
/// name: a point whose `objective` differs from the base's still writes `sustained_share` under
/// `sustained_share`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// The run metric's name (`students_benefiting_share`, `time_to_50pct_terms`, ...).
    pub name: String,
    /// A time, where "never" is +infinity: its columns add `_reached_share`.
    pub is_time: bool,
}

impl Figure {
    /// The figures a sweep of a model with `measures` reports, in column order.
    pub fn of(measures: &crate::metrics::Measures) -> Vec<Figure> {
        measures
            .sweep_figures
            .iter()
            .map(|&m| Figure {
                name: measures.run_metrics[m].name.to_string(),
                is_time: measures.run_metrics[m].is_time,
            })
            .collect()
    }

    /// The column heads of this figure in `points.csv`.
    fn columns(&self) -> Vec<String> {
        let mut stats = vec!["mean", "ci_low", "ci_high", "p5", "p50", "p95"];
        if self.is_time {
            stats.push("reached_share");
        }
        stats.iter().map(|s| format!("{}_{s}", self.name)).collect()
    }

    /// This figure's cells for strategy `s` of `result`: found by name among the point's run
    /// metrics (the point's objective may order them otherwise than the base's), empty when the
    /// point's model has no such metric.
    fn cells(&self, result: &Ensemble, s: usize) -> Vec<String> {
        let metric = result
            .measures
            .run_metrics
            .iter()
            .position(|m| m.name == self.name);
        let values: Vec<f64> = metric.map_or_else(Vec::new, |m| result.column(s, m));
        let x = metric.map_or_else(|| Summary::of([]), |m| result.summary(s, m));
        let mut cells = vec![x.mean, x.ci_low, x.ci_high, x.p5, x.p50, x.p95];
        if self.is_time {
            // As summary.csv's `<metric>_reached_share`: the share of all runs that got there.
            let reached = values.iter().filter(|v| v.is_finite()).count() as f64;
            cells.push(if values.is_empty() {
                f64::NAN
            } else {
                reached / values.len() as f64
            });
        }
        cells.into_iter().map(num).collect()
    }
}

/// The record of one finished point (see the module docs for its format); `figures` are the
/// sweep's ([`Figure::of`] the base scenario's measures), the same for every point.
pub fn record(
    sweep: &Sweep,
    point_id: usize,
    values: &[Value],
    result: &Ensemble,
    figures: &[Figure],
) -> Vec<u8> {
    let params: Vec<String> = values.iter().map(cell).collect();
    let best = p_best(result);
    let means: Vec<f64> = (0..result.strategies.len())
        .map(|s| Summary::of(result.column(s, result.measures.headline)).mean)
        .collect();
    let mut body = Vec::new();
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(&mut body);
    let id = point_id.to_string();
    let rows = (|| -> csv::Result<()> {
        out.write_record([RECORD_TAG[0], RECORD_TAG[1], &sweep_sha(sweep), &id])?;
        for (s, name) in result.strategies.iter().enumerate() {
            let mut row = vec!["P".to_string(), id.clone()];
            row.extend(params.iter().cloned());
            row.push(name.clone());
            for figure in figures {
                row.extend(figure.cells(result, s));
            }
            row.push(num(best[s]));
            out.write_record(&row)?;
        }
        let leader = crate::report::leader(result);
        let runner_up = (0..means.len())
            .filter(|&s| s != leader)
            .max_by(|&a, &b| means[a].total_cmp(&means[b]).then(b.cmp(&a)));
        let (runner_name, p_beats) = match runner_up {
            Some(r) => {
                let h = result.measures.headline;
                let p = paired(&result.column(leader, h), &result.column(r, h));
                (result.strategies[r].clone(), num(p.p_beats))
            }
            None => (String::new(), String::new()),
        };
        let mut row = vec!["W".to_string(), id.clone()];
        row.extend(params.iter().cloned());
        row.extend([
            result.strategies[leader].clone(),
            num(best[leader]),
            runner_name,
            p_beats,
        ]);
        out.write_record(&row)?;
        out.flush()?;
        Ok(())
    })();
    rows.expect("writing CSV to memory cannot fail");
    drop(out);
    let sum = sha256_hex(&body);
    body.extend_from_slice(format!("sha256,{sum}\n").as_bytes());
    body
}

fn param_header(sweep: &Sweep) -> Vec<String> {
    sweep
        .parameters
        .iter()
        .map(|p| format!("param_{}", p.path))
        .collect()
}

/// What the summary files need of one point beyond its rows: the parameters as numbers
/// (booleans 0/1, text choices by their index in the listed values), each strategy's mean
/// headline figure, the winner and how sure. A few numbers per point: the only thing assembly
/// keeps per point, for the sensitivity analysis and the map.
struct Compact {
    x: Vec<f64>,
    headline_mean: Vec<f64>,
    winner: usize,
    p_best: f64,
}

/// One point's record, checked and parsed: rows without their `P`/`W` tag.
pub struct Record {
    points_rows: Vec<csv::StringRecord>,
    winner_row: csv::StringRecord,
    strategies: Vec<String>,
    compact: Compact,
}

/// Checks and parses the record `bytes` of point `id` of `sweep`; the error says what is wrong
/// (the caller names the file).
pub fn parse(bytes: &[u8], sweep: &Sweep, id: usize) -> std::result::Result<Record, String> {
    let damaged = "is damaged (its checksum does not match its content); delete it to run the \
                   point again";
    // The last line is `sha256,<hex>` of everything before it.
    let text = bytes
        .strip_suffix(b"\n")
        .ok_or("is incomplete (no final line end)")?;
    let split = text.iter().rposition(|&b| b == b'\n').ok_or(damaged)? + 1;
    let (body, last) = text.split_at(split);
    let sum = last.strip_prefix(b"sha256,").ok_or(damaged)?;
    if sum != sha256_hex(body).as_bytes() {
        return Err(damaged.into());
    }
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut rows = rows.records();
    let bad = |what: &str| format!("is not a point record ({what})");
    let head = rows
        .next()
        .ok_or_else(|| bad("empty"))?
        .map_err(|e| bad(&e.to_string()))?;
    if head.len() != 4 || head[0] != *RECORD_TAG[0] {
        return Err(bad("no domino-point-record header"));
    }
    if head[1] != *RECORD_TAG[1] {
        return Err(format!(
            "was written by another version of domino (point record format {}, this version \
             reads format {}): its columns differ; run the sweep again into a new folder",
            &head[1], RECORD_TAG[1]
        ));
    }
    if head[2] != sweep_sha(sweep) {
        return Err(
            "belongs to another sweep (its sweep hash differs from this sweep's): it cannot be \
             merged or resumed here"
                .into(),
        );
    }
    if head[3] != *id.to_string() {
        return Err(format!(
            "holds point {}, not point {id} (record files swapped or renamed?)",
            &head[3]
        ));
    }
    let n_params = sweep.parameters.len();
    let mut points_rows = Vec::new();
    let mut strategies = Vec::new();
    let mut headline_mean = Vec::new();
    let mut winner = None;
    for row in rows {
        let row = row.map_err(|e| bad(&e.to_string()))?;
        let get = |k: usize| row.get(k).ok_or_else(|| bad("a row is too short"));
        let mut fields = csv::StringRecord::new();
        row.iter().skip(1).for_each(|f| fields.push_field(f));
        match get(0)? {
            "P" => {
                strategies.push(get(2 + n_params)?.to_string());
                headline_mean.push(get(3 + n_params)?.parse().unwrap_or(f64::NAN));
                points_rows.push(fields);
            }
            "W" => {
                let name = get(2 + n_params)?.to_string();
                let p_best: f64 = get(3 + n_params)?.parse().unwrap_or(f64::NAN);
                winner = Some((name, p_best, fields));
            }
            other => return Err(bad(&format!("unknown row kind {other:?}"))),
        }
    }
    let (winner_name, p_best, winner_row) = winner.ok_or_else(|| bad("no W row"))?;
    let winner = strategies
        .iter()
        .position(|s| *s == winner_name)
        .ok_or_else(|| bad("the winner is not among the strategies"))?;
    let params = winner_row.iter().skip(1).take(n_params);
    let x = sweep
        .parameters
        .iter()
        .zip(params)
        .map(|(p, s)| match p.kind {
            Kind::Bool => (s == "true") as u8 as f64,
            Kind::Text => p
                .values
                .iter()
                .position(|v| v.as_str() == Some(s))
                .map_or(f64::NAN, |i| i as f64),
            _ => s.parse().unwrap_or(f64::NAN),
        })
        .collect();
    Ok(Record {
        points_rows,
        winner_row,
        strategies,
        compact: Compact {
            x,
            headline_mean,
            winner,
            p_best,
        },
    })
}

/// Refuses a file in `dir`'s records folder that is the record of none of the sweep's points
/// (`points/000099.csv` in a 40-point sweep, or a file of another name), naming it: `--resume` and
/// `merge` read only the records of the sweep's points, and would pass over it without a word.
/// Hidden files and the system's own (`.DS_Store`) are left alone.
pub(crate) fn check_no_strays(sweep: &Sweep, dir: &Path) -> Result<()> {
    let records = dir.join(RECORDS);
    let Ok(entries) = fs::read_dir(&records) else {
        return Ok(());
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(&records, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if crate::output::folder::incidental(&name) {
            continue;
        }
        let id = name
            .strip_suffix(".csv")
            .filter(|id| id.len() >= 6 && id.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|id| id.parse::<usize>().ok());
        let ours =
            id.is_some_and(|id| id < sweep.points.len() && record_path(dir, id) == entry.path());
        if !ours {
            return Err(InputError::msg(format!(
                "is not the record of a point of this sweep, whose {} points are recorded as \
                 {} to {}; remove it, or give the folder of the sweep it belongs to",
                sweep.points.len(),
                record_path(Path::new(""), 0).display(),
                record_path(Path::new(""), sweep.points.len().saturating_sub(1)).display()
            ))
            .in_file(&entry.path())
            .into());
        }
    }
    Ok(())
}

/// Reads and checks the record of point `id` in `dir`: bad input naming the file if it is
/// damaged, foreign or misplaced.
pub(crate) fn read_record(sweep: &Sweep, dir: &Path, id: usize) -> Result<Record> {
    let path = record_path(dir, id);
    let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
    parse(&bytes, sweep, id).map_err(|why| InputError::msg(why).in_file(&path).into())
}

/// Reads the records of `ids` from `dir` and writes `points.csv`, `winners.csv`,
/// `sensitivity.csv` and (for two or more parameters) `map.svg`. Every id must have a record.
/// The records are streamed (read once per file written), so memory holds only a few numbers
/// per point.
pub(crate) fn assemble(sweep: &Sweep, dir: &Path, ids: &[usize], figures: &[Figure]) -> Result<()> {
    let params = param_header(sweep);
    let mut header = vec!["point".to_string()];
    header.extend(params.iter().cloned());
    header.push("strategy".into());
    for f in figures {
        header.extend(f.columns());
    }
    header.push("p_best".into());
    let io_err = |e: Error| io::Error::other(e.to_string());
    write_atomic(&dir.join("points.csv"), |w| {
        let mut out = csv_writer(w);
        out.write_record(&header)?;
        for &id in ids {
            let r = read_record(sweep, dir, id).map_err(io_err)?;
            for row in &r.points_rows {
                out.write_record(row)?;
            }
        }
        out.flush()
    })?;
    let mut strategies: Vec<String> = Vec::new();
    let mut compact = Vec::with_capacity(ids.len());
    write_atomic(&dir.join("winners.csv"), |w| {
        let mut out = csv_writer(w);
        let mut header = vec!["point".to_string()];
        header.extend(params.iter().cloned());
        header.extend(["winner", "p_best", "runner_up", "p_beats_runner_up"].map(String::from));
        out.write_record(&header)?;
        for &id in ids {
            let r = read_record(sweep, dir, id).map_err(io_err)?;
            if strategies.is_empty() {
                strategies = r.strategies;
            }
            compact.push(r.compact);
            out.write_record(&r.winner_row)?;
        }
        out.flush()
    })?;
    // The first figure is the base scenario's headline, written under its name at every point
    // (whatever the point's objective): each response is one quantity.
    let headline = figures.first().map_or("headline", |f| f.name.as_str());
    let sens = sensitivity_rows(sweep, &strategies, &compact, headline);
    write_atomic(&dir.join("sensitivity.csv"), |w| {
        let mut out = csv_writer(w);
        out.write_record(["parameter", "response", "spearman", "src"])?;
        for row in &sens {
            out.write_record(row)?;
        }
        out.flush()
    })?;
    // A shard may hold no points at all (more shards than points); it has no map.
    if sweep.parameters.len() >= 2 && !compact.is_empty() {
        let points: Vec<MapPoint> = compact
            .iter()
            .map(|p| MapPoint {
                x: p.x[0],
                y: p.x[1],
                winner: p.winner,
                p_best: p.p_best,
            })
            .collect();
        // Choices sit at their index (booleans: false 0, true 1), labelled by name.
        let choices: Vec<Option<Vec<String>>> = sweep.parameters[..2]
            .iter()
            .map(|p| match p.kind {
                Kind::Bool => Some(vec!["false".to_string(), "true".to_string()]),
                Kind::Text => Some(
                    p.values
                        .iter()
                        .map(|v| v.as_str().unwrap_or_default().to_string())
                        .collect(),
                ),
                Kind::Float | Kind::Integer => None,
            })
            .collect();
        let svg = svg::winner_map(
            &format!(
                "{}: which strategy wins where (opacity: how sure)",
                sweep.config.name
            ),
            (&sweep.parameters[0].path, choices[0].as_deref()),
            (&sweep.parameters[1].path, choices[1].as_deref()),
            &strategies,
            &points,
        );
        write_atomic(&dir.join("map.svg"), |w| w.write_all(svg.as_bytes()))?;
    }
    Ok(())
}

/// The rows of `sensitivity.csv`.
fn sensitivity_rows(
    sweep: &Sweep,
    strategies: &[String],
    points: &[Compact],
    headline: &str,
) -> Vec<[String; 4]> {
    let mut out = Vec::new();
    if points.is_empty() {
        return out;
    }
    // Text choices have no order: they get rank statistics only if they are two-valued.
    let usable: Vec<usize> = (0..sweep.parameters.len())
        .filter(|&j| {
            sweep.parameters[j].kind != Kind::Text || sweep.parameters[j].values.len() == 2
        })
        .collect();
    let xs: Vec<Vec<f64>> = usable
        .iter()
        .map(|&j| points.iter().map(|p| p.x[j]).collect())
        .collect();
    let mut responses: Vec<(String, Vec<f64>)> = Vec::new();
    for (s, name) in strategies.iter().enumerate() {
        responses.push((
            format!("{name}.{headline}"),
            points
                .iter()
                .map(|p| p.headline_mean.get(s).copied().unwrap_or(f64::NAN))
                .collect(),
        ));
    }
    for (s, name) in strategies.iter().enumerate() {
        responses.push((
            format!("wins:{name}"),
            points
                .iter()
                .map(|p| (p.winner == s) as u8 as f64)
                .collect(),
        ));
    }
    for (label, y) in &responses {
        let cells = response_cells(&xs, y);
        for (k, &j) in usable.iter().enumerate() {
            out.push([
                sweep.parameters[j].path.to_string(),
                label.clone(),
                cells[k].0.clone(),
                cells[k].1.clone(),
            ]);
        }
    }
    out
}

/// The (spearman, src) cells of response `y` on each column of `xs`: both empty when `y` is
/// missing at some point (a figure no run reached) or the same at every point, which has no
/// correlation to give; a statistic computed over the rest would read the gaps as an effect.
fn response_cells(xs: &[Vec<f64>], y: &[f64]) -> Vec<(String, String)> {
    let missing = y.iter().any(|v| !v.is_finite());
    let constant = y.windows(2).all(|w| w[0] == w[1]);
    if missing || constant {
        return vec![(String::new(), String::new()); xs.len()];
    }
    let coefs = sensitivity::src(xs, y);
    xs.iter()
        .zip(coefs)
        .map(|(x, c)| (num(crate::metrics::stats::spearman(x, y)), num(c)))
        .collect()
}

/// `manifest.json` of a sweep folder: what ran, with which build, and how far it got.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// domino's version.
    pub domino_version: String,
    /// The git commit domino was built from ([`build_commit`]).
    pub domino_commit: String,
    /// The sweep's name.
    pub sweep: String,
    /// [`Sweep::hash`] in hex: what `--resume` and `merge` compare.
    pub sweep_hash: String,
    /// SHA-256 of the resolved sweep (`sweep.toml`), as in every point record.
    pub sweep_sha256: String,
    /// The sweep's seed.
    pub seed: u64,
    /// The design's name.
    pub design: String,
    /// Points of the whole sweep.
    pub points_total: usize,
    /// `all`, or `I/N`.
    pub shard: String,
    /// Points of this shard.
    pub points_in_shard: usize,
    /// Points of this shard with a record in the folder.
    pub points_done: usize,
    /// The `--set` arguments applied to the base scenario (left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<String>,
    /// The network files read, with their SHA-256 (`Sweep::inputs`; left out when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<InputHash>,
}

impl Manifest {
    /// The manifest of `sweep` run as `shard`, with `done` of `in_shard` points recorded.
    pub fn new(sweep: &Sweep, shard: &str, in_shard: usize, done: usize) -> Self {
        Self {
            domino_version: env!("CARGO_PKG_VERSION").into(),
            domino_commit: build_commit().into(),
            sweep: sweep.config.name.clone(),
            sweep_hash: format!("{:016x}", sweep.hash()),
            sweep_sha256: sweep_sha(sweep),
            seed: sweep.config.seed,
            design: sweep.config.design.name().into(),
            points_total: sweep.points.len(),
            shard: shard.into(),
            points_in_shard: in_shard,
            points_done: done,
            sets: sweep.sets.clone(),
            inputs: sweep.inputs.clone(),
        }
    }

    /// Writes it (atomically) as `dir/manifest.json`.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let text = json(self);
        write_atomic(&dir.join("manifest.json"), |w| w.write_all(text.as_bytes()))
    }
}

/// What `--resume` and `merge` read of a manifest (other fields are ignored, so a manifest of
/// an older version still identifies its sweep).
#[derive(Debug, Clone, Deserialize)]
pub struct ManifestId {
    /// As in [`Manifest::sweep_hash`].
    pub sweep_hash: String,
    /// As in [`Manifest::shard`].
    pub shard: String,
    /// As in [`Manifest::sets`] (none when left out).
    #[serde(default)]
    pub sets: Vec<String>,
    /// As in [`Manifest::inputs`] (none when left out, as by a domino that did not record them).
    #[serde(default)]
    pub inputs: Vec<InputHash>,
}

/// How the network files `now` differ from those a sweep folder's manifest `recorded`, in
/// words naming the first file that differs; `None` when they are the same files with the same
/// contents. `then` says when the recorded contents were read ("when the sweep in out started"),
/// `now_is` when the others were ("now").
pub(crate) fn input_change(
    recorded: &[InputHash],
    now: &[InputHash],
    then: &str,
    now_is: &str,
) -> Option<String> {
    for file in now {
        let (role, path) = (&file.role, &file.path);
        match recorded.iter().find(|r| &r.role == role && &r.path == path) {
            None if recorded.is_empty() => {
                return Some(format!(
                    "its manifest records no SHA-256 of the {role} file {path} (it was written \
                     by an older domino, which did not record them), so a change to the file \
                     cannot be ruled out: rerun it"
                ))
            }
            None => {
                return Some(format!(
                    "the {role} file {path} was read {now_is}, not {then}"
                ))
            }
            Some(r) if r.sha256 != file.sha256 => {
                return Some(format!(
                    "the {role} file {path} had SHA-256 {} {then}, but {} {now_is}: the file \
                     changed, and the points would mix results of two networks",
                    r.sha256, file.sha256
                ))
            }
            Some(_) => {}
        }
    }
    recorded
        .iter()
        .find(|r| !now.iter().any(|f| f.role == r.role && f.path == r.path))
        .map(|r| {
            format!(
                "the {} file {} was read {then}, not {now_is}",
                r.role, r.path
            )
        })
}

/// Reads the identifying fields of `dir/manifest.json`.
pub(crate) fn read_manifest(dir: &Path) -> Result<ManifestId> {
    let path = dir.join("manifest.json");
    let text = fs::read_to_string(&path).map_err(|e| {
        InputError::msg(format!(
            "is not a sweep output folder (cannot read manifest.json: {e})"
        ))
        .in_file(dir)
    })?;
    serde_json::from_str(&text).map_err(|e| {
        InputError::msg(format!("is not a domino sweep manifest: {e}"))
            .in_file(&path)
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_sweep() -> Sweep {
        let text = "name = \"t\"\nseed = 1\nruns = 4\ndesign = \"grid\"\n\
            [[parameters]]\npath = \"description\"\nvalues = [\"a, b\", \"c\\nd\"]\n";
        Sweep::from_toml(text, None).unwrap()
    }

    #[test]
    fn a_missing_or_constant_response_leaves_its_cells_empty() {
        let xs = vec![vec![1.0, 2.0, 3.0]];
        for y in [[0.1, f64::NAN, 0.3], [0.5, 0.5, 0.5]] {
            assert_eq!(
                response_cells(&xs, &y),
                vec![(String::new(), String::new())],
                "{y:?}"
            );
        }
        let cells = response_cells(&xs, &[0.1, 0.2, 0.3]);
        assert_eq!(cells[0].0, "1");
    }

    #[test]
    fn records_round_trip_and_refuse_any_change() {
        let sweep = tiny_sweep();
        let point = &sweep.points[0];
        let scenario = sweep.scenario(point).map_err(|(_, e)| e).unwrap();
        let result = crate::engine::run_ensemble(&scenario, &()).unwrap();
        let figures = Figure::of(&result.measures);
        let bytes = record(&sweep, 0, &point.values, &result, &figures);
        let r = parse(&bytes, &sweep, 0).unwrap();
        assert_eq!(r.strategies.len(), result.strategies.len());
        assert_eq!(
            &r.points_rows[0][1], "a, b",
            "a text value with a comma is one cell"
        );
        let err = parse(&bytes, &sweep, 1).err().unwrap();
        assert!(err.contains("holds point 0"), "{err}");
        for k in [0, bytes.len() / 2, bytes.len() - 3] {
            let mut bad = bytes.clone();
            bad[k] ^= 0x01;
            assert!(
                parse(&bad, &sweep, 0).is_err(),
                "flipped bit at {k} accepted"
            );
        }
        assert!(parse(&bytes[..bytes.len() - 1], &sweep, 0).is_err());
    }

    #[test]
    fn a_record_of_another_format_version_is_refused_as_such() {
        let sweep = tiny_sweep();
        let point = &sweep.points[0];
        let scenario = sweep.scenario(point).map_err(|(_, e)| e).unwrap();
        let result = crate::engine::run_ensemble(&scenario, &()).unwrap();
        let bytes = record(
            &sweep,
            0,
            &point.values,
            &result,
            &Figure::of(&result.measures),
        );
        // The same record, as format 1 wrote its first line, with a matching checksum.
        let text = String::from_utf8(bytes).unwrap();
        let body_end = text.rfind("sha256,").unwrap();
        let body = text[..body_end].replacen("domino-point-record,2,", "domino-point-record,1,", 1);
        let old = format!("{body}sha256,{}\n", sha256_hex(body.as_bytes()));
        let err = parse(old.as_bytes(), &sweep, 0).err().unwrap();
        assert!(
            err.contains("another version of domino") && err.contains("format 1"),
            "{err}"
        );
    }

    #[test]
    fn every_point_writes_each_figure_under_its_own_name_whatever_its_objective() {
        let text = "name = \"o\"\nseed = 2\nruns = 12\ndesign = \"grid\"\n\
            [base]\nsteps = 6\n[base.network]\nschools = 40\nregions = 2\n\
            [[parameters]]\npath = \"objective\"\n\
            values = [\"students_benefiting\", \"sustained_share\"]\n";
        let sweep = Sweep::from_toml(text, None).unwrap();
        let base = sweep.base_scenario().unwrap();
        let model = crate::engine::model(&base);
        let figures = Figure::of(model.measures());
        assert_eq!(figures[0].name, "students_benefiting_share");
        for point in &sweep.points {
            let scenario = sweep.scenario(point).map_err(|(_, e)| e).unwrap();
            let result = crate::engine::run_ensemble(&scenario, &()).unwrap();
            let r = parse(
                &record(&sweep, point.id, &point.values, &result, &figures),
                &sweep,
                point.id,
            )
            .unwrap();
            for (s, row) in r.points_rows.iter().enumerate() {
                // After point, the parameter and the strategy: each figure's cells, by name.
                let mut at = 3;
                for f in &figures {
                    let m = result
                        .measures
                        .run_metrics
                        .iter()
                        .position(|m| m.name == f.name)
                        .unwrap();
                    let mean = num(Summary::of(result.column(s, m)).mean);
                    assert_eq!(&row[at], mean, "{} at point {}", f.name, point.id);
                    at += f.columns().len();
                }
            }
        }
    }
}
