//! Running a sweep (all points or one shard), resuming it, and merging shards.
//!
//! Work is never lost: a finished point's record is written atomically (temporary file, rename)
//! before the next point starts, so a sweep killed at any moment, SIGKILL included, keeps every
//! finished point, and `--resume` runs only the rest. A resumed or merged sweep is refused if its
//! resolved sweep differs (the hash in `manifest.json`).

use super::output::{self, record_path, RECORDS};
use super::Sweep;
use crate::engine::run_ensemble;
use crate::error::{Error, InputError, Result};
use crate::output::write_atomic;
use std::fs;
use std::path::Path;
use std::str::FromStr;

/// One of `count` shards (`index` from 1): the points whose id is `index - 1` modulo `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("expected I/N with 1 <= I <= N (e.g. 2/8), got \"{s}\"");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// The label written in the manifest.
    pub fn label(shard: Option<Shard>) -> String {
        shard.map_or("all".into(), |s| format!("{}/{}", s.index, s.count))
    }

    /// True if point `id` belongs to this shard.
    pub fn has(&self, id: usize) -> bool {
        id % self.count == self.index - 1
    }
}

/// Called after each finished point.
pub trait PointProgress: Sync {
    /// One more point finished.
    fn point_done(&self);
}

impl PointProgress for () {
    fn point_done(&self) {}
}

impl PointProgress for indicatif::ProgressBar {
    fn point_done(&self) {
        self.inc(1);
    }
}

/// What a sweep run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Points of this shard.
    pub points: usize,
    /// Points found already done (resume).
    pub resumed: usize,
}

/// The ids of the points in `shard`.
pub fn shard_ids(sweep: &Sweep, shard: Option<Shard>) -> Vec<usize> {
    (0..sweep.points.len())
        .filter(|&id| shard.is_none_or(|s| s.has(id)))
        .collect()
}

/// Runs the points of `shard` (all without one) into `dir`, skipping recorded points when
/// `resume`. Each point's paired runs run in parallel on the current rayon pool.
pub fn run(
    sweep: &Sweep,
    dir: &Path,
    shard: Option<Shard>,
    resume: bool,
    progress: &dyn PointProgress,
) -> Result<Report> {
    let ids = shard_ids(sweep, shard);
    let label = Shard::label(shard);
    let manifest_path = dir.join("manifest.json");
    if manifest_path.exists() {
        let old = fs::read_to_string(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
        if !resume {
            return Err(InputError::msg(format!(
                "{} already holds a sweep; add --resume to continue it, or choose another --out",
                dir.display()
            ))
            .into());
        }
        let hash = format!("{:016x}", sweep.hash());
        if output::manifest_field(&old, "sweep_hash").as_deref() != Some(hash.as_str()) {
            return Err(InputError::msg(format!(
                "{} was started from a different sweep (its manifest's sweep_hash differs): resuming would mix results; choose another --out",
                dir.display()
            ))
            .into());
        }
        if output::manifest_field(&old, "shard").as_deref() != Some(label.as_str()) {
            return Err(InputError::msg(format!(
                "{} holds shard {} of this sweep, not {label}",
                dir.display(),
                output::manifest_field(&old, "shard").unwrap_or_default()
            ))
            .into());
        }
    }
    let records = dir.join(RECORDS);
    fs::create_dir_all(&records).map_err(|e| Error::io(&records, e))?;
    remove_temporaries(&records)?;
    write_atomic(&dir.join("sweep.toml"), |w| {
        w.write_all(sweep.resolved_toml().as_bytes())
    })?;
    let done = |id: usize| record_path(dir, id).is_file();
    let resumed = ids.iter().filter(|&&id| done(id)).count();
    write_atomic(&manifest_path, |w| {
        w.write_all(output::manifest(sweep, &label, ids.len(), resumed).as_bytes())
    })?;
    for _ in 0..resumed {
        progress.point_done();
    }
    for &id in ids.iter().filter(|&&id| !done(id)) {
        let point = &sweep.points[id];
        let scenario = sweep.scenario(point).map_err(|(_, e)| Error::Input(e))?;
        let result = run_ensemble(&scenario, &());
        let text = output::record(id, &point.values, &result);
        write_atomic(&record_path(dir, id), |w| w.write_all(text.as_bytes()))?;
        progress.point_done();
    }
    finish(sweep, dir, &ids, &label)?;
    Ok(Report {
        points: ids.len(),
        resumed,
    })
}

/// Writes the summary files and the final manifest for the points `ids` (all recorded in `dir`).
fn finish(sweep: &Sweep, dir: &Path, ids: &[usize], label: &str) -> Result<()> {
    let measures = figures(sweep)?;
    let names: Vec<&str> = measures.iter().map(String::as_str).collect();
    output::assemble(sweep, dir, ids, &names)?;
    write_atomic(&dir.join("manifest.json"), |w| {
        w.write_all(output::manifest(sweep, label, ids.len(), ids.len()).as_bytes())
    })
}

/// The names of the headline figures of the sweep's model.
fn figures(sweep: &Sweep) -> Result<Vec<String>> {
    let point = sweep.points.first().expect("a sweep has points");
    let scenario = sweep.scenario(point).map_err(|(_, e)| Error::Input(e))?;
    let measures = crate::engine::model(&scenario).measures().clone();
    Ok(measures
        .sweep_figures
        .iter()
        .map(|&m| measures.run_metrics[m].name.to_string())
        .collect())
}

/// Removes temporary files a killed writer may have left among the records.
fn remove_temporaries(records: &Path) -> Result<()> {
    for entry in fs::read_dir(records).map_err(|e| Error::io(records, e))? {
        let path = entry.map_err(|e| Error::io(records, e))?.path();
        if path.extension().is_some_and(|x| x == "tmp") {
            fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Joins the shard folders `dirs` into `out`: every point's record exactly once, from shards of
/// the same sweep; then the same files an unsharded run writes. Returns the number of points.
pub fn merge(dirs: &[&Path], out: &Path) -> Result<usize> {
    let first = dirs
        .first()
        .ok_or_else(|| InputError::msg("merge needs at least one folder"))?;
    let sweep_file = first.join("sweep.toml");
    let sweep = Sweep::load(&sweep_file)?;
    let hash = format!("{:016x}", sweep.hash());
    let mut source: Vec<Option<&Path>> = vec![None; sweep.points.len()];
    for &dir in dirs {
        let path = dir.join("manifest.json");
        let text = fs::read_to_string(&path).map_err(|e| {
            InputError::msg(format!(
                "is not a sweep output folder (cannot read manifest.json: {e})"
            ))
            .in_file(dir)
        })?;
        if output::manifest_field(&text, "sweep_hash").as_deref() != Some(hash.as_str()) {
            return Err(InputError::msg(format!(
                "comes from a different sweep than {} (sweep_hash differs)",
                first.display()
            ))
            .in_file(dir)
            .into());
        }
        for (id, slot) in source.iter_mut().enumerate() {
            if record_path(dir, id).is_file() {
                if let Some(other) = slot {
                    return Err(InputError::msg(format!(
                        "point {id} is in both {} and {}: shards overlap",
                        other.display(),
                        dir.display()
                    ))
                    .into());
                }
                *slot = Some(dir);
            }
        }
    }
    let missing: Vec<usize> = (0..source.len())
        .filter(|&id| source[id].is_none())
        .collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(|id| id.to_string()).collect();
        return Err(InputError::msg(format!(
            "{} of {} points are missing from the folders given (points {}{}): is a shard unfinished or left out?",
            missing.len(),
            source.len(),
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        ))
        .into());
    }
    let records = out.join(RECORDS);
    fs::create_dir_all(&records).map_err(|e| Error::io(&records, e))?;
    for (id, dir) in source.iter().enumerate() {
        let from = record_path(dir.expect("checked"), id);
        let text = fs::read(&from).map_err(|e| Error::io(&from, e))?;
        write_atomic(&record_path(out, id), |w| w.write_all(&text))?;
    }
    write_atomic(&out.join("sweep.toml"), |w| {
        w.write_all(sweep.resolved_toml().as_bytes())
    })?;
    let ids: Vec<usize> = (0..sweep.points.len()).collect();
    finish(&sweep, out, &ids, "all")?;
    Ok(ids.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_partition_the_points() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
        for count in 1..6 {
            for id in 0..20 {
                let owners = (1..=count)
                    .filter(|&index| Shard { index, count }.has(id))
                    .count();
                assert_eq!(owners, 1);
            }
        }
    }
}
