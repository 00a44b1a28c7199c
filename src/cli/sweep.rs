//! `domino sweep` and `domino merge`: parameter sweeps, on one machine or in shards.

use super::compare::{duration_note, pool, progress_bar};
use crate::scenario::set::Setting;
use crate::shard;
use crate::sweep::run::{self, Shard};
use crate::sweep::Sweep;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub fn sweep(
    file: &Path,
    sets: &[Setting],
    out: Option<PathBuf>,
    shard: Option<Shard>,
    resume: bool,
    threads: Option<usize>,
    quiet: bool,
) -> anyhow::Result<()> {
    let sweep = Sweep::load_with(file, sets)?;
    let out = out.unwrap_or_else(|| crate::output::default_out(&sweep.config.name));
    // The sweep file itself must not be overwritten by the resolved sweep the folder receives
    // (`domino sweep out/sweep.toml --out out --resume` is fine: the same text).
    let resolved = out.join("sweep.toml");
    if let (Ok(a), Ok(b)) = (
        std::fs::canonicalize(file),
        std::fs::canonicalize(&resolved),
    ) {
        if a == b && std::fs::read(file).ok().as_deref() != Some(sweep.resolved_toml().as_bytes()) {
            return Err(crate::InputError::msg(
                "is the sweep file being run, which the output would overwrite; choose another --out",
            )
            .in_file(&out)
            .into());
        }
    }
    run::prepare(&sweep, &out, shard, resume)?;
    // From here on every point finished is kept in the folder.
    crate::output::interrupt::say_on_interrupt(format!(
        "interrupted: the points finished so far are kept in {}: run the same command with \
         --resume to continue",
        out.display()
    ));
    let ids = run::shard_ids(&sweep, shard);
    let bar = progress_bar(ids.len() as u64, "points", quiet);
    let started = Instant::now();
    let pool = pool(threads)?;
    if !quiet {
        // Every point's scenario was validated on load; the network files are shared, so this
        // is cheap.
        let n = pool.current_num_threads();
        let work: f64 = ids
            .iter()
            .filter_map(|&id| sweep.scenario(&sweep.points[id]).ok())
            .map(|s| s.footprint(n).work)
            .sum();
        if let Some(note) = duration_note(work, n) {
            crate::output::tell(&note);
        }
    }
    let report = pool.install(|| run::run(&sweep, &out, shard, resume, &bar))?;
    bar.finish_and_clear();
    super::say(&format!(
        "{}: {} of {} points ({} {}, shard {}) in {:.1} s{}. Results in {}/\n",
        sweep.config.name,
        report.points,
        sweep.points.len(),
        sweep.config.design.name(),
        "design",
        Shard::label(shard),
        started.elapsed().as_secs_f64(),
        if report.resumed > 0 {
            format!(", {} found done and kept", report.resumed)
        } else {
            String::new()
        },
        out.display()
    ))
}

/// Why `dir`, given to `merge`, is no folder at all (missing, or a file), if it is none.
fn not_a_folder(dir: &Path) -> Option<String> {
    if !dir.exists() {
        Some("does not exist".into())
    } else if !dir.is_dir() {
        Some("is a file, not a shard folder".into())
    } else {
        None
    }
}

pub fn merge(dirs: &[PathBuf], out: &Path) -> anyhow::Result<()> {
    let dirs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    // Compare shards have a shard.json; sweep shards a sweep.toml. One kind at a time.
    let compare = dirs.iter().filter(|d| shard::is_compare_shard(d)).count();
    if compare > 0 {
        if let Some(other) = dirs.iter().find(|d| !shard::is_compare_shard(d)) {
            // A mistyped folder is missing, not "no shard.json": say that first.
            let what = not_a_folder(other).unwrap_or_else(|| {
                format!(
                    "is not a compare shard (no {}), but {} is: merge the shards of one \
                     comparison",
                    shard::SHARD_FILE,
                    dirs.iter()
                        .find(|d| shard::is_compare_shard(d))
                        .expect("counted")
                        .display()
                )
            });
            return Err(crate::InputError::msg(what).in_file(other).into());
        }
        let merged = shard::merge(&dirs, out)?;
        let model = crate::engine::model(&merged.scenario);
        let cfg = &merged.scenario.config;
        return super::say_fitted(&format!(
            "{}\nmerged {} compare shards: {} runs x {} {} in {}/\n",
            crate::report::table_within(&*model, &merged.result, cfg.steps, super::output_width()),
            dirs.len(),
            cfg.runs,
            merged.result.strategies.len(),
            merged.result.measures.arms_label,
            out.display()
        ));
    }
    // Neither kind: say what the folder is rather than that a sweep file is missing.
    for d in &dirs {
        if !d.join("sweep.toml").is_file() {
            let what = if let Some(why) = not_a_folder(d) {
                why
            } else if d.join("runs.csv").is_file() {
                "is the output of an unsharded run, which needs no merge".to_string()
            } else if crate::output::folder::manifest_kind(d).is_some() {
                "is the output of a domino command that is not sharded (explain, optimise or \
                 calibrate), which needs no merge"
                    .to_string()
            } else {
                format!(
                    "is not a shard folder (no {} of a sharded compare, no sweep.toml of a \
                     sweep)",
                    shard::SHARD_FILE
                )
            };
            return Err(crate::InputError::msg(what).in_file(d).into());
        }
    }
    let points = run::merge(&dirs, out)?;
    super::say(&format!(
        "merged {} folders: {points} points in {}/\n",
        dirs.len(),
        out.display()
    ))
}
