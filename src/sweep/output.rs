//! The files of a sweep, and the per-point records they are assembled from.
//!
//! As each point finishes, its results go to `points/NNNNNN.csv` in the output folder, written
//! atomically: the record of finished work, which `--resume` and `merge` read. The summary files
//! are then assembled from these records alone, in point order, so an interrupted and resumed
//! sweep, a sharded and merged one, and one run straight through all write the same bytes.
//!
//! | file | one row per | columns |
//! |---|---|---|
//! | `points.csv` | point x strategy | `point`, `param_<path>` per parameter, `strategy`, then per headline figure `<figure>_mean, _ci_low, _ci_high, _p5, _p50, _p95`, and `p_best` (share of paired runs in which this strategy has the best headline figure; ties shared) |
//! | `winners.csv` | point | `point`, the parameters, `winner` (highest mean headline figure), `p_best`, `runner_up`, `p_beats_runner_up` (paired) |
//! | `sensitivity.csv` | parameter x response | `parameter, response, spearman, src`: rank correlation and standardized regression coefficient of each strategy's mean headline figure and of "this strategy wins" on the parameter |
//! | `map.svg` | | for two or more parameters, the winner at each point over the first two, shaded by p_best |
//! | `manifest.json` | | domino version, sweep hash, seed, design, shard, points done |
//! | `sweep.toml` | | the resolved sweep (base scenario inline), which `merge` and `--resume` read |

use super::{sensitivity, Kind, Sweep};
use crate::engine::Ensemble;
use crate::error::{Error, Result};
use crate::metrics::stats::{paired, Summary};
use crate::output::{num, write_atomic};
use crate::report::svg::{self, PALETTE};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use toml::Value;

/// The folder of per-point records inside an output folder.
pub const RECORDS: &str = "points";

/// The record file of point `id`.
pub fn record_path(dir: &Path, id: usize) -> PathBuf {
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

/// The record of one finished point: `P,` lines (rows of `points.csv`) and one `W,` line (the
/// row of `winners.csv`).
pub fn record(point_id: usize, values: &[Value], result: &Ensemble) -> String {
    let params: Vec<String> = values.iter().map(cell).collect();
    let params = params.join(",");
    let best = p_best(result);
    let mut out = String::new();
    let means: Vec<f64> = (0..result.strategies.len())
        .map(|s| Summary::of(result.column(s, result.measures.headline)).mean)
        .collect();
    for (s, name) in result.strategies.iter().enumerate() {
        let _ = write!(out, "P,{point_id},{params},{name}");
        for &m in &result.measures.sweep_figures {
            let x = Summary::of(result.column(s, m));
            for v in [x.mean, x.ci_low, x.ci_high, x.p5, x.p50, x.p95] {
                let _ = write!(out, ",{}", num(v));
            }
        }
        let _ = writeln!(out, ",{}", num(best[s]));
    }
    let leader = crate::report::leader(result);
    let runner_up = (0..means.len())
        .filter(|&s| s != leader)
        .max_by(|&a, &b| means[a].total_cmp(&means[b]).then(b.cmp(&a)));
    let (runner_name, p_beats) = match runner_up {
        Some(r) => {
            let h = result.measures.headline;
            let p = paired(&result.column(leader, h), &result.column(r, h));
            (result.strategies[r].as_str(), num(p.p_beats))
        }
        None => ("", String::new()),
    };
    let _ = writeln!(
        out,
        "W,{point_id},{params},{},{},{runner_name},{p_beats}",
        result.strategies[leader],
        num(best[leader])
    );
    out
}

fn param_header(sweep: &Sweep) -> String {
    sweep
        .parameters
        .iter()
        .map(|p| format!("param_{}", p.path))
        .collect::<Vec<_>>()
        .join(",")
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

/// One point's record, split into its lines and parsed.
struct Record<'t> {
    points_lines: Vec<&'t str>,
    winner_line: &'t str,
    strategies: Vec<&'t str>,
    compact: Compact,
}

fn parse<'t>(text: &'t str, sweep: &Sweep) -> Option<Record<'t>> {
    let n_params = sweep.parameters.len();
    let mut points_lines = Vec::new();
    let mut strategies = Vec::new();
    let mut headline_mean = Vec::new();
    let mut params: Vec<&str> = Vec::new();
    let mut winner = None;
    let mut winner_line = None;
    let mut p_best = f64::NAN;
    for line in text.lines() {
        let (kind, rest) = line.split_once(',')?;
        let fields: Vec<&str> = rest.split(',').collect();
        match kind {
            "P" => {
                params = fields.get(1..1 + n_params)?.to_vec();
                strategies.push(*fields.get(1 + n_params)?);
                headline_mean.push(fields.get(2 + n_params)?.parse().unwrap_or(f64::NAN));
                points_lines.push(rest);
            }
            "W" => {
                winner = Some(*fields.get(1 + n_params)?);
                p_best = fields.get(2 + n_params)?.parse().unwrap_or(f64::NAN);
                winner_line = Some(rest);
            }
            _ => return None,
        }
    }
    let winner = strategies.iter().position(|s| Some(*s) == winner)?;
    let x = sweep
        .parameters
        .iter()
        .zip(&params)
        .map(|(p, s)| match p.kind {
            Kind::Bool => (*s == "true") as u8 as f64,
            Kind::Text => p
                .values
                .iter()
                .position(|v| v.as_str() == Some(s))
                .map_or(f64::NAN, |i| i as f64),
            _ => s.parse().unwrap_or(f64::NAN),
        })
        .collect();
    Some(Record {
        points_lines,
        winner_line: winner_line?,
        strategies,
        compact: Compact {
            x,
            headline_mean,
            winner,
            p_best,
        },
    })
}

/// Reads and parses the record of point `id`, handing it to `use_record`.
fn with_record<T>(
    sweep: &Sweep,
    dir: &Path,
    id: usize,
    use_record: impl FnOnce(Record) -> T,
) -> Result<T> {
    let path = record_path(dir, id);
    let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let record = parse(&text, sweep).ok_or_else(|| {
        Error::Input(crate::InputError::msg("is not a complete point record").in_file(&path))
    })?;
    Ok(use_record(record))
}

/// Reads the records of `ids` from `dir` and writes `points.csv`, `winners.csv`,
/// `sensitivity.csv` and (for two or more parameters) `map.svg`. Every id must have a record.
/// The records are streamed (read once per file written), so memory holds only a few numbers
/// per point.
pub fn assemble(sweep: &Sweep, dir: &Path, ids: &[usize], figures: &[&str]) -> Result<()> {
    let params = param_header(sweep);
    let mut header = format!("point,{params},strategy");
    for f in figures {
        for stat in ["mean", "ci_low", "ci_high", "p5", "p50", "p95"] {
            let _ = write!(header, ",{f}_{stat}");
        }
    }
    header.push_str(",p_best");
    let io_err = |e: Error| std::io::Error::other(e.to_string());
    write_atomic(&dir.join("points.csv"), |w| {
        writeln!(w, "{header}")?;
        for &id in ids {
            with_record(sweep, dir, id, |r| {
                r.points_lines
                    .iter()
                    .try_for_each(|line| writeln!(w, "{line}"))
            })
            .map_err(io_err)??;
        }
        Ok(())
    })?;
    let mut strategies: Vec<String> = Vec::new();
    let mut compact = Vec::with_capacity(ids.len());
    write_atomic(&dir.join("winners.csv"), |w| {
        writeln!(
            w,
            "point,{params},winner,p_best,runner_up,p_beats_runner_up"
        )?;
        for &id in ids {
            let line = with_record(sweep, dir, id, |r| {
                if strategies.is_empty() {
                    strategies = r.strategies.iter().map(|s| s.to_string()).collect();
                }
                compact.push(r.compact);
                writeln!(w, "{}", r.winner_line)
            })
            .map_err(io_err)?;
            line?;
        }
        Ok(())
    })?;
    let headline = figures.first().copied().unwrap_or("headline");
    let sens = sensitivity_table(sweep, &strategies, &compact, headline);
    write_atomic(&dir.join("sensitivity.csv"), |w| {
        w.write_all(sens.as_bytes())
    })?;
    // A shard may hold no points at all (more shards than points); it has no map.
    if sweep.parameters.len() >= 2 && !compact.is_empty() {
        let svg = map_svg(sweep, &strategies, &compact);
        write_atomic(&dir.join("map.svg"), |w| w.write_all(svg.as_bytes()))?;
    }
    Ok(())
}

fn sensitivity_table(
    sweep: &Sweep,
    strategies: &[String],
    points: &[Compact],
    headline: &str,
) -> String {
    let mut out = String::from("parameter,response,spearman,src\n");
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
        let coefs = sensitivity::src(&xs, y);
        for (k, &j) in usable.iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{label},{},{}",
                sweep.parameters[j].path,
                num(sensitivity::spearman(&xs[k], y)),
                num(coefs[k])
            );
        }
    }
    out
}

/// Which strategy wins where: the points over the first two parameters, coloured by the winner
/// and shaded by how sure (p_best).
fn map_svg(sweep: &Sweep, strategies: &[String], points: &[Compact]) -> String {
    let (w, h) = (640.0, 480.0);
    let (left, right, top, bottom) = (70.0, 190.0, 40.0, 60.0);
    let xs: Vec<f64> = points.iter().map(|p| p.x[0]).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.x[1]).collect();
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, if hi > lo { hi } else { lo + 1.0 })
    };
    let ((x0, x1), (y0, y1)) = (range(&xs), range(&ys));
    let px = |v: f64| left + (w - left - right) * (v - x0) / (x1 - x0);
    let py = |v: f64| top + (h - top - bottom) * (1.0 - (v - y0) / (y1 - y0));
    let mut s = svg::open(
        w,
        h,
        left,
        &format!(
            "{}: which strategy wins where (opacity: how sure)",
            sweep.config.name
        ),
    );
    let radius = (220.0 / (points.len() as f64).sqrt()).clamp(3.0, 18.0);
    for ((p, &x), &y) in points.iter().zip(&xs).zip(&ys) {
        let k = p.winner;
        let opacity = if p.p_best.is_finite() {
            0.15 + 0.85 * p.p_best
        } else {
            0.15
        };
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="{radius:.1}" fill="{}" fill-opacity="{opacity:.3}" stroke="{}" stroke-width="1"/>"#,
            px(x),
            py(y),
            PALETTE[k % PALETTE.len()],
            PALETTE[k % PALETTE.len()]
        );
    }
    for v in [x0, x1] {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            px(v),
            h - bottom + 18.0,
            num((v * 1e4).round() / 1e4)
        );
    }
    for v in [y0, y1] {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            py(v) + 4.0,
            num((v * 1e4).round() / 1e4)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        (left + w - right) / 2.0,
        h - 18.0,
        sweep.parameters[0].path
    );
    let _ = writeln!(
        s,
        r#"<text x="16" y="{:.1}" transform="rotate(-90 16 {:.1})" text-anchor="middle">{}</text>"#,
        (top + h - bottom) / 2.0,
        (top + h - bottom) / 2.0,
        sweep.parameters[1].path
    );
    for (k, name) in strategies.iter().enumerate() {
        let ly = top + 20.0 * k as f64;
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="6" fill="{}"/><text x="{:.1}" y="{:.1}">{name}</text>"#,
            w - right + 22.0,
            ly + 6.0,
            PALETTE[k % PALETTE.len()],
            w - right + 34.0,
            ly + 10.0
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The manifest: what ran, as JSON (written by hand: a handful of fixed fields).
pub fn manifest(sweep: &Sweep, shard: &str, in_shard: usize, done: usize) -> String {
    format!(
        "{{\n  \"domino_version\": \"{}\",\n  \"sweep\": \"{}\",\n  \"sweep_hash\": \"{:016x}\",\n  \"seed\": {},\n  \"design\": \"{}\",\n  \"points_total\": {},\n  \"shard\": \"{shard}\",\n  \"points_in_shard\": {in_shard},\n  \"points_done\": {done}\n}}\n",
        env!("CARGO_PKG_VERSION"),
        sweep.config.name.replace('"', "'"),
        sweep.hash(),
        sweep.config.seed,
        sweep.config.design.name(),
        sweep.points.len(),
    )
}

/// A string field of a manifest written by [`manifest`].
pub fn manifest_field(text: &str, key: &str) -> Option<String> {
    let start = text.find(&format!("\"{key}\": "))? + key.len() + 4;
    let rest = &text[start..];
    let end = rest.find([',', '\n'])?;
    Some(rest[..end].trim_matches('"').to_string())
}
