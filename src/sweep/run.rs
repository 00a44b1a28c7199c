//! Running a sweep (all points or one shard), resuming it, and merging shards.
//!
//! Work is never lost: a finished point's record is written atomically (temporary file, rename)
//! before the next point starts, and the manifest's `points_done` is updated after it, so a sweep
//! killed at any moment, SIGKILL included, keeps every finished point, and `--resume` runs only
//! the rest. A resumed or merged sweep is refused if its resolved sweep differs (the hash in
//! `manifest.json`), and every record it would use is checked first (checksum, sweep, point id:
//! see [`super::output`]); a damaged or foreign record is refused naming the file (exit 2).
//! Records are only ever reused with `--resume`.

use super::output::{self, record_path, Figure, Manifest, RECORDS};
use super::Sweep;
use crate::engine::run_ensemble;
use crate::error::{Error, InputError, Result};
use crate::output::{folder, write_atomic, write_record, OutputDir};
use std::fs;
use std::path::Path;

pub use crate::shard::Shard;

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
pub(crate) fn shard_ids(sweep: &Sweep, shard: Option<Shard>) -> Vec<usize> {
    (0..sweep.points.len())
        .filter(|&id| shard.is_none_or(|s| s.has(id)))
        .collect()
}

/// Checks that `dir` can hold this sweep before any point runs: not a file, writable, and not
/// holding another sweep's results unless resuming the same sweep and shard. Creates it.
pub fn prepare(sweep: &Sweep, dir: &Path, shard: Option<Shard>, resume: bool) -> Result<()> {
    let refuse = |why: String| -> Error {
        InputError::msg(format!("{why}; choose another --out"))
            .in_file(dir)
            .into()
    };
    if dir.exists() && !dir.is_dir() {
        return Err(refuse("is a file, not a folder".into()));
    }
    let label = Shard::label(shard);
    let manifest_path = dir.join("manifest.json");
    let has_records = fs::read_dir(dir.join(RECORDS))
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    // A sweep writes its points into the folder as they finish, so it never shares one: not with
    // another command's output, not with anything else.
    if manifest_path.exists() {
        // A damaged sweep manifest is reported below, when it is read.
        if folder::manifest_kind(dir) == Some(folder::ManifestKind::Other) {
            return Err(refuse(
                "holds the output of another domino command (compare, explain, optimise or \
                 calibrate), not a sweep"
                    .into(),
            ));
        }
    } else if !has_records {
        // What a sweep killed before its manifest was written leaves (its `sweep.toml`, a
        // temporary file) is its own; anything else is someone else's.
        let foreign = folder::counted_entries(dir).ok().and_then(|entries| {
            entries
                .into_iter()
                .map(|(name, _)| name)
                .find(|n| n != RECORDS && n != "sweep.toml")
        });
        if let Some(name) = foreign {
            return Err(refuse(format!(
                "is a folder that is not a sweep's output (it holds {name}), and a sweep would \
                 write its points among its files"
            )));
        }
    }
    if !resume && (manifest_path.exists() || has_records) {
        return Err(InputError::msg(format!(
            "{} already holds a sweep; add --resume to continue it, or choose another --out",
            dir.display()
        ))
        .into());
    }
    if manifest_path.exists() {
        let old = output::read_manifest(dir)?;
        let hash = format!("{:016x}", sweep.hash());
        if old.sweep_hash != hash {
            return Err(InputError::msg(format!(
                "{} was started from a different sweep (its manifest's sweep_hash differs): resuming would mix results; choose another --out",
                dir.display()
            ))
            .into());
        }
        if old.shard != label {
            return Err(InputError::msg(format!(
                "{} holds shard {} of this sweep, not {label}",
                dir.display(),
                old.shard
            ))
            .into());
        }
        let then = format!("when the sweep in {} started", dir.display());
        if let Some(why) = output::input_change(&old.inputs, &sweep.inputs, &then, "now") {
            return Err(InputError::msg(format!(
                "{} cannot be resumed: {why}; restore the file, or run the sweep into another --out",
                dir.display()
            ))
            .into());
        }
    }
    let records = dir.join(RECORDS);
    fs::create_dir_all(&records).map_err(|e| refuse(format!("cannot be written ({e})")))?;
    Ok(())
}

/// Runs the points of `shard` (all without one) into `dir`, skipping recorded points when
/// `resume`. Each point's paired runs run in parallel on the current rayon pool. Call
/// [`prepare`] first (the CLI does, before anything else).
pub fn run(
    sweep: &Sweep,
    dir: &Path,
    shard: Option<Shard>,
    resume: bool,
    progress: &dyn PointProgress,
) -> Result<Report> {
    prepare(sweep, dir, shard, resume)?;
    let ids = shard_ids(sweep, shard);
    let label = Shard::label(shard);
    remove_temporaries(dir)?;
    let records = dir.join(RECORDS);
    remove_temporaries(&records)?;
    output::check_no_strays(sweep, dir)?;
    // Every record found is checked before it is counted as done: a damaged or foreign one is
    // refused (bad input, naming the file), never silently reused or silently rerun.
    let mut done = vec![false; sweep.points.len()];
    for &id in &ids {
        if record_path(dir, id).is_file() {
            output::read_record(sweep, dir, id)?;
            done[id] = true;
        }
    }
    write_atomic(&dir.join("sweep.toml"), |w| {
        w.write_all(sweep.resolved_toml().as_bytes())
    })?;
    let resumed = ids.iter().filter(|&&id| done[id]).count();
    Manifest::new(sweep, &label, ids.len(), resumed).write(dir)?;
    for _ in 0..resumed {
        progress.point_done();
    }
    let figures = figures(sweep)?;
    let mut finished = resumed;
    for &id in ids.iter().filter(|&&id| !done[id]) {
        let point = &sweep.points[id];
        let scenario = sweep.scenario(point).map_err(|(_, e)| Error::Input(e))?;
        let result = run_ensemble(&scenario, &()).map_err(Error::Input)?;
        let bytes = output::record(sweep, id, &point.values, &result, &figures);
        write_record(&record_path(dir, id), |w| w.write_all(&bytes))?;
        // The manifest follows the records, so points_done is true at every moment (a kill
        // between the two renames leaves it one short, never ahead).
        finished += 1;
        Manifest::new(sweep, &label, ids.len(), finished).write(dir)?;
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
    output::assemble(sweep, dir, ids, &figures(sweep)?)?;
    Manifest::new(sweep, label, ids.len(), ids.len()).write(dir)
}

/// The figures of `points.csv`: those of the base scenario's model and objective. Every point
/// writes each under its name, so a column means the same at every point even when the sweep
/// varies `objective`.
fn figures(sweep: &Sweep) -> Result<Vec<Figure>> {
    let base = sweep.base_scenario().map_err(Error::Input)?;
    let model = crate::engine::model(&base);
    Ok(Figure::of(model.measures()))
}

/// Removes the temporary files ([`write_atomic`]'s `.NAME.PID.tmp`) a killed writer may have
/// left in `dir`, so that a resumed folder holds exactly what a straight run writes.
fn remove_temporaries(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let temporary = name.is_some_and(|n| n.starts_with('.') && n.ends_with(".tmp"));
        if temporary && path.is_file() {
            fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Joins the shard folders `dirs` into `out`: every point's record exactly once, from shards of
/// the same sweep, each record checked; then the same files an unsharded run writes. Everything
/// is checked before `out` is touched, and `out` is written as an [`OutputDir`] (staged, then
/// moved into place), so a failed merge leaves no output folder behind. Returns the number of
/// points.
pub fn merge(dirs: &[&Path], out: &Path) -> Result<usize> {
    let first = dirs
        .first()
        .ok_or_else(|| InputError::msg("merge needs at least one folder"))?;
    // The same folder twice (perhaps under two names) is a repeated argument, not two shards
    // that overlap.
    let same = |a: &Path, b: &Path| match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    for (k, &dir) in dirs.iter().enumerate() {
        if let Some(&earlier) = dirs[..k].iter().find(|&&d| same(d, dir)) {
            let also = if earlier == dir {
                String::new()
            } else {
                format!(" (as {})", earlier.display())
            };
            return Err(
                InputError::msg(format!("is given twice{also}: give each shard once"))
                    .in_file(dir)
                    .into(),
            );
        }
    }
    let sweep_file = first.join("sweep.toml");
    let mut sweep = Sweep::load(&sweep_file)?;
    let hash = format!("{:016x}", sweep.hash());
    // The `--set` flags the shards' base scenario got: `sweep.toml` holds their effect, not the
    // flags, so they come from the manifests, for the merged manifest to list them as an
    // unsharded run's does.
    let first_manifest = output::read_manifest(first)?;
    let sets = first_manifest.sets;
    // The network files as the shards read them (they may have changed since, which does not
    // matter to a merge of consistent shards): the merged manifest records these.
    let inputs = first_manifest.inputs;
    if inputs.is_empty() && !sweep.inputs.is_empty() {
        let why = output::input_change(&inputs, &sweep.inputs, "", "");
        return Err(InputError::msg(why.expect("no inputs recorded"))
            .in_file(first)
            .into());
    }
    let first_ran = format!("when {} ran", first.display());
    let mut source: Vec<Option<&Path>> = vec![None; sweep.points.len()];
    for &dir in dirs {
        let manifest = output::read_manifest(dir)?;
        // Each shard's own sweep file against its own manifest first: an edited `sweep.toml`
        // is a damaged shard (the first one's would otherwise read as "a different sweep than
        // itself"), and only the first one's is read for the merge.
        let own_file = dir.join("sweep.toml");
        let own_hash = if dir == *first {
            hash.clone()
        } else {
            format!("{:016x}", Sweep::load(&own_file)?.hash())
        };
        if manifest.sweep_hash != own_hash {
            return Err(InputError::msg(
                "does not match the sweep_hash in manifest.json beside it: the shard was \
                 changed or damaged"
                    .to_string(),
            )
            .in_file(&own_file)
            .into());
        }
        let other_sets = crate::shard::sets_difference(&sets, &manifest.sets, first);
        if manifest.sweep_hash != hash {
            return Err(InputError::msg(format!(
                "comes from a different sweep than {} (sweep_hash differs): {}",
                first.display(),
                other_sets.unwrap_or_else(|| "its sweep file or base scenario differs".into())
            ))
            .in_file(dir)
            .into());
        }
        // The same sweep, run another way: the merged manifest.json can list only one.
        if let Some(why) = other_sets {
            return Err(InputError::msg(format!(
                "ran the same sweep as {}, but {why}. The merged manifest.json lists the \
                 flags as an unsharded run with one command line does: run every shard with \
                 the same --set flags in the same order",
                first.display()
            ))
            .in_file(dir)
            .into());
        }
        let ran = format!("when {} ran", dir.display());
        if let Some(why) = output::input_change(&manifest.inputs, &inputs, &ran, &first_ran) {
            return Err(InputError::msg(format!(
                "{why}: run every shard on the same version of the file"
            ))
            .in_file(dir)
            .into());
        }
        output::check_no_strays(&sweep, dir)?;
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
                output::read_record(&sweep, dir, id)?;
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
    let manifests: Vec<_> = dirs.iter().map(|d| d.join("manifest.json")).collect();
    let staged = OutputDir::create_sweep(out, &manifests)?;
    let dir = staged.path();
    let records = dir.join(RECORDS);
    fs::create_dir_all(&records).map_err(|e| Error::io(&records, e))?;
    for (id, from) in source.iter().enumerate() {
        let from = record_path(from.expect("checked"), id);
        let bytes = fs::read(&from).map_err(|e| Error::io(&from, e))?;
        // Checked again as copied: the shard may have changed since the check above.
        output::parse(&bytes, &sweep, id)
            .map_err(|why| Error::from(InputError::msg(why).in_file(&from)))?;
        write_record(&record_path(dir, id), |w| w.write_all(&bytes))?;
    }
    write_atomic(&dir.join("sweep.toml"), |w| {
        w.write_all(sweep.resolved_toml().as_bytes())
    })?;
    let ids: Vec<usize> = (0..sweep.points.len()).collect();
    sweep.sets = sets;
    sweep.inputs = inputs;
    finish(&sweep, dir, &ids, "all")?;
    staged.commit()?;
    Ok(ids.len())
}
