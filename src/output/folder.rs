//! [`OutputDir`]: an output folder written as a whole, and the checks made before a run starts.
//!
//! Files are written into a staging folder beside the target (`.NAME.staging-PID`). When every
//! file is written, [`OutputDir::commit`] renames the previous folder aside (`.NAME.old-PID`),
//! renames the staging folder into place and removes the previous one. A run killed at any moment
//! therefore leaves the target holding either its previous complete result or the new one, never
//! a mix, and no stale file of an earlier run survives (a classic run's folder has no
//! `sustained.svg` of a school-model run that was there before). Staging and set-aside folders
//! left by a killed run are removed (or, if the target itself went missing in the instant between
//! the two renames, put back) the next time a run writes to the same target; one that cannot be
//! is a warning naming it, as is a previous folder the commit cannot remove, never a failure once
//! the new results are in place. A target that is a
//! symbolic link to a folder is written through: the folder it points to is replaced, the link
//! stays.
//!
//! Everything that could make writing fail for a reason the user can fix is checked when the
//! `OutputDir` is made, before any simulation runs: `--out` an existing file, a folder that cannot
//! be written (its parent, itself or a folder inside it read-only for this user), a folder holding the run's own input files, a non-empty folder that is not a
//! domino output or holds an entry no domino command writes (which replacing would delete): a
//! file is judged by its whole name (the list of every name a command writes), so a user's own `notes.csv` saved in an
//! output folder protects it as a `.xlsx` does, while a stale file of domino's own (a
//! `sustained.svg` of an earlier school-model run) is replaced.

use super::interrupt::{self, Temporary};
use crate::error::{Error, InputError, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// What every domino output folder holds: a manifest naming the domino version that wrote it.
/// A `scenario.toml` alone does not make a folder an output (`domino init` writes one into a
/// user's own project folder).
const MANIFEST: &str = "manifest.json";

/// The name of every file a domino command writes into an output folder. A file with any other
/// name (a `.docx`, or a leader's own `annotated.csv`) was not written by domino, and replacing
/// the folder would delete it. (The test was once by ending, and a user's own `.csv` was
/// deleted without a word.) A command that writes a new file name must add it here;
/// `tests/outputs.rs` runs every command twice into the same folder to check that it did.
pub(crate) const OUTPUT_FILES: [&str; 33] = [
    // compare (and a merge of its shards), explain, report
    "summary.csv",
    "paired.csv",
    "runs.csv",
    "timeseries.csv",
    "schools.csv",
    "regions.csv",
    "uncertainty.csv",
    "ablation.csv",
    "sustained.svg",
    "adoption.svg",
    "report.html",
    // what every output writes to reproduce itself
    "scenario.toml",
    MANIFEST,
    "network-edges.csv",
    "network-nodes.csv",
    // a compare shard (`shard.rs` names them; named here too, as `output` comes before it)
    "shard.json",
    "runs.bin",
    // optimise
    "best.toml",
    "pilots.csv",
    "best_schools.csv",
    "trace.csv",
    "comparison.csv",
    "table.txt",
    // calibrate
    "posterior.csv",
    "predictive.csv",
    "generations.csv",
    "observed.csv",
    "calibrated.toml",
    // a sweep
    "sweep.toml",
    "points.csv",
    "winners.csv",
    "sensitivity.csv",
    "map.svg",
];

/// Files a system or a tool puts into any folder it shows, which replacing it may drop: not
/// results (Finder's and Explorer's metadata).
const SYSTEM_FILES: [&str; 2] = ["Thumbs.db", "desktop.ini"];

/// Is the entry `name` of a folder incidental rather than a result: hidden (`.DS_Store`,
/// `.ipynb_checkpoints`, an interrupted write's `.NAME.PID.tmp`) or a system file?
pub(crate) fn incidental(name: &str) -> bool {
    name.starts_with('.') || SYSTEM_FILES.contains(&name)
}

/// The entries of `folder` that count as its contents: all but the [`incidental`] ones, as
/// (name, is a folder), sorted by name. A folder with none is empty for every command (README,
/// "Output files": hidden files such as `.DS_Store` do not count); a folder a user made in the
/// Finder or Explorer holds such a file from the start.
pub(crate) fn counted_entries(folder: &Path) -> Result<Vec<(String, bool)>> {
    let mut counted = Vec::new();
    for entry in fs::read_dir(folder).map_err(|e| Error::io(folder, e))? {
        let entry = entry.map_err(|e| Error::io(folder, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !incidental(&name) {
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            counted.push((name, is_dir));
        }
    }
    counted.sort();
    Ok(counted)
}

/// The one folder domino writes inside an output folder: a sweep's per-point records.
pub(crate) const RECORDS: &str = "points";

/// What an output folder's `manifest.json` says it is: written by domino, and whether by a sweep.
/// `None` when it is missing or not a domino manifest.
pub(crate) fn manifest_kind(folder: &Path) -> Option<ManifestKind> {
    let text = fs::read_to_string(folder.join(MANIFEST)).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let object = value.as_object()?;
    object.get("domino_version")?;
    Some(if object.contains_key("sweep_hash") {
        ManifestKind::Sweep
    } else {
        ManifestKind::Other
    })
}

/// The scenario an output folder was written from: its `scenario.toml`, checked against what its
/// `manifest.json` records of the same run (scenario name, seed, runs, steps). A report describes
/// the run from `scenario.toml`, so a file emptied or edited since the run (an empty file reads as
/// the built-in default scenario) would make it state the wrong school count, runs and terms:
/// that is refused, naming the file and what differs. A manifest that does not record a field
/// (or is not there) leaves that field unchecked.
pub(crate) fn read_scenario(dir: &Path) -> Result<crate::Scenario> {
    use crate::scenario::files;
    let path = dir.join("scenario.toml");
    let bytes = files::read_bytes(&path)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(InputError::msg(
            "is empty: domino writes the whole scenario here, so this is not the scenario this \
             folder was written from (an empty scenario file reads as the built-in default)",
        )
        .in_file(&path)
        .into());
    }
    let scenario = crate::Scenario::from_toml(files::utf8(&bytes, Some(&path))?, Some(&path))?;
    let manifest: Option<serde_json::Value> = fs::read_to_string(dir.join(MANIFEST))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let Some(manifest) = manifest else {
        return Ok(scenario);
    };
    let cfg = scenario.config();
    let name = serde_json::Value::from(cfg.name.as_str());
    let written = [
        ("name", "scenario", name),
        ("seed", "seed", cfg.seed.into()),
        ("runs", "runs", cfg.runs.into()),
        ("steps", "steps", cfg.steps.into()),
    ];
    let differ: Vec<String> = written
        .iter()
        .filter_map(|(field, key, value)| {
            let recorded = manifest.get(key)?;
            (recorded != value)
                .then(|| format!("{field} is {value} here, {recorded} in {MANIFEST}"))
        })
        .collect();
    if differ.is_empty() {
        Ok(scenario)
    } else {
        Err(InputError::msg(format!(
            "is not the scenario this folder was written from ({}): was it edited after the run? \
             Run the scenario again rather than editing an output's scenario.toml",
            differ.join("; ")
        ))
        .in_file(&path)
        .into())
    }
}

/// See [`manifest_kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ManifestKind {
    /// A sweep's results (its manifest has a sweep hash).
    Sweep,
    /// The output of any other command.
    Other,
}

/// Why the existing, non-empty folder `target` may not be replaced by an output (a sweep's when
/// `sweep`), if it may not: it has no domino manifest, it holds a sweep's results and the new
/// output is not one (or the other way round), or it holds an entry no domino command writes
/// (judged by its name, [`OUTPUT_FILES`]). [`incidental`] entries are not results and do not
/// count.
fn not_an_output(target: &Path, sweep: bool) -> Result<Option<String>> {
    let Some(kind) = manifest_kind(target) else {
        return Ok(Some(
            "is a folder that is not a domino output (no manifest.json written by domino), \
             which writing the results would delete"
                .into(),
        ));
    };
    let is_sweep = kind == ManifestKind::Sweep;
    match (is_sweep, sweep) {
        (true, false) => {
            return Ok(Some(
                "holds the results of a sweep, which writing these results would delete".into(),
            ))
        }
        (false, true) => {
            return Ok(Some(
                "holds the output of another domino command, not a sweep, which writing the \
                 merged sweep would delete"
                    .into(),
            ))
        }
        _ => {}
    }
    for (name, is_dir) in counted_entries(target)? {
        let ours = if is_dir {
            is_sweep && name == RECORDS
        } else {
            OUTPUT_FILES.contains(&name.as_str())
        };
        if !ours {
            return Ok(Some(format!(
                "holds {name}{}, which domino did not write and writing the results would delete \
                 (move it out of the folder to keep it)",
                if is_dir { "/" } else { "" }
            )));
        }
    }
    Ok(None)
}

/// The default output folder for a scenario or sweep named `name`: `out/<name>`, with the name
/// made a single safe folder name (letters, digits, `-`, `_` and inner `.`; anything else
/// becomes `_`), so that a name like `../x` or `/etc` cannot send the output outside `out/`.
pub(crate) fn default_out(name: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    let safe = if safe.is_empty() { "scenario" } else { safe };
    Path::new("out").join(safe)
}

/// An output folder being written: files go to [`OutputDir::path`], and [`OutputDir::commit`]
/// puts them all in place at once. Dropped without a commit, it removes what it wrote.
#[derive(Debug)]
pub struct OutputDir {
    /// The folder as given (`--out`).
    target: PathBuf,
    /// The folder replaced on commit: `target`, or the folder it links to.
    resolved: PathBuf,
    staging: PathBuf,
    /// `staging` on the list of what an interruption removes, until the commit.
    listed: Option<Temporary>,
    committed: bool,
}

impl OutputDir {
    /// Checks that `target` can be written without harm and creates its staging folder.
    /// `inputs` are the files the run reads: none may lie inside `target`. Errors are bad input
    /// (exit 2), reported before anything runs.
    pub fn create(target: &Path, inputs: &[PathBuf]) -> Result<Self> {
        Self::create_for(target, inputs, false)
    }

    /// [`OutputDir::create`] for a merged sweep: it may replace a sweep's results and nothing
    /// else, where every other output may replace anything domino wrote but a sweep's results.
    pub fn create_sweep(target: &Path, inputs: &[PathBuf]) -> Result<Self> {
        Self::create_for(target, inputs, true)
    }

    fn create_for(given: &Path, inputs: &[PathBuf], sweep: bool) -> Result<Self> {
        let refuse = |why: String| -> Error {
            InputError::msg(format!("{why}; choose another --out"))
                .in_file(given)
                .into()
        };
        // A symbolic link (`out -> /scratch/out`) is written through: the folder it points to
        // is staged beside and replaced, and the link stays, still pointing to the results.
        // Replacing the link itself would leave the results on the link's disk and the folder
        // it pointed to holding the previous run.
        let is_link = fs::symlink_metadata(given).is_ok_and(|m| m.file_type().is_symlink());
        let resolved;
        let target = if is_link {
            resolved = fs::canonicalize(given).map_err(|e| {
                refuse(format!(
                    "is a symbolic link whose destination cannot be reached ({e})"
                ))
            })?;
            resolved.as_path()
        } else {
            given
        };
        if target.exists() && !target.is_dir() {
            return Err(refuse("is a file, not a folder".into()));
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| n != "..")
            .ok_or_else(|| refuse("does not end in a folder name".into()))?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)
            .map_err(|e| refuse(format!("cannot create its parent folder ({e})")))?;
        if target.is_dir() {
            let parent_real = fs::canonicalize(&parent).map_err(|e| Error::io(&parent, e))?;
            let real = parent_real.join(&name);
            for input in inputs {
                if let Ok(input) = fs::canonicalize(input) {
                    if input.starts_with(&real) {
                        return Err(refuse(format!(
                            "holds an input of this run ({}), which writing the results would \
                             delete",
                            input.display()
                        )));
                    }
                }
            }
            if !counted_entries(target)?.is_empty() {
                if let Some(why) = not_an_output(target, sweep)? {
                    return Err(refuse(why));
                }
            }
            // Replacing removes the folder and everything in it: each folder in the tree must
            // let this user remove its entries. Found only after the run, the new results would
            // be in place and the old ones stuck beside them; and a folder made read-only
            // (chmod 555) or owned by someone else says it is not to be replaced.
            if let Some((folder, e)) = first_unwritable(target) {
                let which = if folder == target {
                    "the folder".to_string()
                } else {
                    format!(
                        "{} inside it",
                        folder.strip_prefix(target).unwrap_or(&folder).display()
                    )
                };
                return Err(refuse(format!(
                    "cannot be written: {which} is read-only for you ({e}), and writing the \
                     results replaces it"
                )));
            }
        }
        recover(&parent, &name, target, given);
        let staging = parent.join(format!(".{name}.staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        let listed = Temporary::new(&staging);
        fs::create_dir(&staging).map_err(|e| {
            refuse(format!(
                "cannot be written: its folder {} does not let you create a folder in it ({e})",
                parent.display()
            ))
        })?;
        Ok(Self {
            target: given.to_path_buf(),
            resolved: target.to_path_buf(),
            staging,
            listed: Some(listed),
            committed: false,
        })
    }

    /// The folder to write the files into (the staging folder).
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The folder the files will be in after [`OutputDir::commit`].
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the staged files in place of the target folder (see the module docs).
    pub fn commit(self) -> Result<()> {
        if let Some(warning) = self.commit_with(|p| fs::remove_dir_all(p))? {
            crate::output::tell(&warning);
        }
        Ok(())
    }

    /// [`OutputDir::commit`], removing the previous results with `remove` (a test injects a
    /// failure); returns the warning to print if they could not be removed.
    fn commit_with(
        mut self,
        remove: impl Fn(&Path) -> std::io::Result<()>,
    ) -> Result<Option<String>> {
        let parent = self.staging.parent().unwrap_or(Path::new("."));
        let target = &self.resolved;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        let had_old = target.is_dir();
        let given = self.target.clone();
        // Listed before it exists: an interruption while it is removed below removes the rest.
        let _old_listed = Temporary::new(&old);
        let listed = self.listed.take().expect("listed until the commit");
        // An interruption comes before the renames (the staging folder is removed, the target
        // stays) or after them, never between.
        listed.finish(|| {
            if had_old {
                fs::rename(target, &old).map_err(|e| Error::io(target, e))?;
            }
            if let Err(e) = fs::rename(&self.staging, target) {
                if had_old {
                    let _ = fs::rename(&old, target);
                }
                return Err(Error::io(target, e));
            }
            interrupt::note_written(&given);
            Ok(())
        })?;
        self.committed = true;
        Ok(if had_old {
            remove_set_aside(&old, &self.target, remove)
        } else {
            None
        })
    }
}

/// Removes `old`, the previous results set aside by a commit to `--out given`, with `remove`
/// (`fs::remove_dir_all`; a test injects a failure). The new results are in place by then, so a
/// failure is not the run's: the warning returned says so and names the folder left behind
/// (checked writable before the run, it can fail only if something changed it meanwhile).
fn remove_set_aside(
    old: &Path,
    given: &Path,
    remove: impl Fn(&Path) -> std::io::Result<()>,
) -> Option<String> {
    let e = remove(old).err()?;
    Some(format!(
        "warning: {}: the new results are in place, but the previous ones, set aside as {}, \
         could not be removed ({e}); delete that folder yourself",
        given.display(),
        old.display()
    ))
}

/// The first folder in the tree `root` (itself included; symbolic links are not followed)
/// in which this user cannot create and remove an entry, with the error that said so. Asked of
/// the system (`access(2)`), which knows ownership, access control lists and read-only disks,
/// where the permission bits alone do not; nothing is written, so a run killed during the check
/// leaves the folder as it was. Elsewhere than Unix nothing is known here, and a folder that
/// cannot be replaced is found by the commit (the new results are then in place and a warning
/// names the previous ones).
fn first_unwritable(root: &Path) -> Option<(PathBuf, std::io::Error)> {
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        if let Err(e) = writable(&folder) {
            return Some((folder, e));
        }
        if let Ok(entries) = fs::read_dir(&folder) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    folders.push(entry.path());
                }
            }
        }
    }
    None
}

/// Whether this user may create and remove entries in `folder` (write and search permission).
#[cfg(unix)]
fn writable(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(folder.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `path` is a valid NUL-terminated string that outlives the call, which only reads it.
    if unsafe { libc::access(path.as_ptr(), libc::W_OK | libc::X_OK) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn writable(_folder: &Path) -> std::io::Result<()> {
    Ok(())
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// True if process `pid` is running (Linux: `/proc/PID` exists). Elsewhere nothing is known,
/// and a folder of another process is treated as abandoned only if it is not ours.
fn alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new("/proc").join(pid.to_string()).is_dir()
}

/// True only if process `pid` is known to have ended: on Linux, it is not this process and has
/// no `/proc/PID`; elsewhere nothing is known and this is false. For files that may be removed
/// only when surely abandoned (a `write_atomic` temporary of another run of the same file).
pub(crate) fn known_dead(pid: u32) -> bool {
    cfg!(target_os = "linux") && Path::new("/proc/self").is_dir() && !alive(pid)
}

/// Cleans what killed runs left beside `target` (named `name` in `parent`, given as `--out
/// given`): staging folders are removed; a set-aside previous folder is put back if the target
/// is missing (the run died between the two renames of a commit), removed otherwise. Folders of
/// live processes (another run writing the same target right now) are left alone. A leftover
/// that cannot be cleaned does not stand in the way of this run: a warning names it.
fn recover(parent: &Path, name: &str, target: &Path, given: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let staging = format!(".{name}.staging-");
    let old = format!(".{name}.old-");
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let (is_old, pid) = if let Some(pid) = file.strip_prefix(&staging) {
            (false, pid)
        } else if let Some(pid) = file.strip_prefix(&old) {
            (true, pid)
        } else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        // A set-aside folder under this process's own PID is a leftover too: a commit makes
        // and removes its own within itself, so this one was left by an earlier process of
        // the same PID (a container's PIDs start afresh) or by this one's failed removal.
        let in_use = if pid == std::process::id() {
            !is_old
        } else {
            alive(pid)
        };
        if in_use {
            continue;
        }
        let path = entry.path();
        let (done, what, advice) = if is_old && !target.exists() {
            let advice = format!("rename it to {} yourself", target.display());
            (fs::rename(&path, target), "moved back into place", advice)
        } else {
            let advice = "delete it yourself".to_string();
            (fs::remove_dir_all(&path), "removed", advice)
        };
        if let Err(e) = done {
            crate::output::tell(&format!(
                "warning: {}: {} was left by an earlier run that was stopped and cannot be \
                 {what} ({e}); {advice}",
                given.display(),
                path.display()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_stay_inside_out() {
        assert_eq!(default_out("../x"), Path::new("out/_x"));
        assert_eq!(default_out("/etc/passwd"), Path::new("out/_etc_passwd"));
        assert_eq!(default_out(".."), Path::new("out/scenario"));
        assert_eq!(default_out("school v1.2"), Path::new("out/school_v1.2"));
    }

    #[test]
    fn a_commit_replaces_the_whole_folder_and_a_drop_leaves_the_old_one() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("res");
        let dir = OutputDir::create(&target, &[]).unwrap();
        fs::write(dir.path().join("manifest.json"), MADE_BY_DOMINO).unwrap();
        // A chart of an earlier run's model (a classic run after a school-model one).
        fs::write(dir.path().join("adoption.svg"), "old").unwrap();
        dir.commit().unwrap();
        let dir = OutputDir::create(&target, &[]).unwrap();
        fs::write(dir.path().join("manifest.json"), MADE_BY_DOMINO).unwrap();
        drop(dir); // not committed: the previous result stays
        assert!(target.join("adoption.svg").is_file());
        let dir = OutputDir::create(&target, &[]).unwrap();
        fs::write(dir.path().join("manifest.json"), MADE_BY_DOMINO).unwrap();
        dir.commit().unwrap();
        assert!(!target.join("adoption.svg").exists());
        let names: Vec<_> = fs::read_dir(tmp.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no staging or old folder left");
    }

    const MADE_BY_DOMINO: &str = "{\"domino_version\": \"0.1.0\"}";

    /// From the commit on, an interruption says the results are in the folder (the previous
    /// ones are gone by then), not "nothing was written".
    #[test]
    fn after_a_commit_an_interruption_names_the_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("res");
        let dir = OutputDir::create(&target, &[]).unwrap();
        fs::write(dir.path().join("manifest.json"), MADE_BY_DOMINO).unwrap();
        let before = interrupt::interrupt_line().unwrap_or_default();
        assert!(!before.contains(&target.display().to_string()), "{before}");
        dir.commit().unwrap();
        // Other tests may commit folders meanwhile: this one's is named among them.
        let after = interrupt::interrupt_line().unwrap();
        assert!(after.contains(&target.display().to_string()), "{after}");
    }

    #[test]
    fn a_folder_with_anything_domino_did_not_write_is_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        // A project folder: `domino init` wrote its scenario.toml, the rest is the user's.
        let project = tmp.path().join("project");
        fs::create_dir_all(project.join("data")).unwrap();
        fs::write(project.join("scenario.toml"), "seed = 1\n").unwrap();
        fs::write(project.join("thesis.docx"), "precious").unwrap();
        let e = OutputDir::create(&project, &[]).unwrap_err();
        assert!(
            e.is_input() && e.to_string().contains("no manifest.json"),
            "{e}"
        );
        // A domino output into which the user put a folder and a document of their own.
        fs::write(project.join("manifest.json"), MADE_BY_DOMINO).unwrap();
        let e = OutputDir::create(&project, &[]).unwrap_err();
        assert!(e.to_string().contains("holds data/"), "{e}");
        fs::remove_dir(project.join("data")).unwrap();
        let e = OutputDir::create(&project, &[]).unwrap_err();
        assert!(e.to_string().contains("holds thesis.docx"), "{e}");
        assert_eq!(
            fs::read_to_string(project.join("thesis.docx")).unwrap(),
            "precious"
        );
        // A file of the user's own with an ending domino also writes is theirs just the same.
        fs::remove_file(project.join("thesis.docx")).unwrap();
        fs::write(
            project.join("schools-annotated-for-board.csv"),
            "school,comment\n",
        )
        .unwrap();
        let e = OutputDir::create(&project, &[]).unwrap_err();
        assert!(
            e.to_string()
                .contains("holds schools-annotated-for-board.csv, which domino did not write"),
            "{e}"
        );
        fs::remove_file(project.join("schools-annotated-for-board.csv")).unwrap();
        // What domino writes may be replaced, and what a system or an interrupted write leaves
        // does not stand in the way.
        fs::write(project.join("summary.csv"), "a\n").unwrap();
        for junk in [".DS_Store", "Thumbs.db", ".summary.csv.77.tmp"] {
            fs::write(project.join(junk), "").unwrap();
        }
        fs::create_dir(project.join(".ipynb_checkpoints")).unwrap();
        OutputDir::create(&project, &[]).unwrap();
        // A sweep's record folder belongs in a sweep's results only, and those only a merged
        // sweep replaces.
        fs::create_dir(project.join(RECORDS)).unwrap();
        let e = OutputDir::create(&project, &[]).unwrap_err();
        assert!(e.to_string().contains("holds points/"), "{e}");
        assert!(OutputDir::create_sweep(&project, &[]).is_err());
        fs::write(project.join("manifest.json"), SWEEP_MANIFEST).unwrap();
        OutputDir::create_sweep(&project, &[]).unwrap();
        let e = OutputDir::create(&project, &[]).unwrap_err();
        assert!(e.to_string().contains("results of a sweep"), "{e}");
        // Recognised by its keys, not by text anywhere in it.
        fs::write(
            project.join("manifest.json"),
            "{\"domino_version\": \"\\\"sweep_hash\"}",
        )
        .unwrap();
        assert_eq!(manifest_kind(&project), Some(ManifestKind::Other));
    }

    #[test]
    fn a_folder_holding_only_system_files_is_empty() {
        let tmp = tempfile::tempdir().unwrap();
        for junk in [".DS_Store", "Thumbs.db", "desktop.ini"] {
            let folder = tmp.path().join(junk.replace('.', "_"));
            fs::create_dir(&folder).unwrap();
            fs::write(folder.join(junk), "").unwrap();
            assert!(counted_entries(&folder).unwrap().is_empty(), "{junk}");
            OutputDir::create(&folder, &[]).unwrap();
            OutputDir::create_sweep(&folder, &[]).unwrap();
        }
    }

    #[test]
    fn previous_results_that_cannot_be_removed_are_a_warning_after_the_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("res");
        let dir = OutputDir::create(&target, &[]).unwrap();
        fs::write(dir.path().join("manifest.json"), MADE_BY_DOMINO).unwrap();
        fs::write(dir.path().join("summary.csv"), "previous").unwrap();
        dir.commit().unwrap();
        let dir = OutputDir::create(&target, &[]).unwrap();
        fs::write(dir.path().join("manifest.json"), MADE_BY_DOMINO).unwrap();
        fs::write(dir.path().join("summary.csv"), "new").unwrap();
        let refused = |_: &Path| Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        let warning = dir.commit_with(refused).unwrap().expect("a warning");
        assert_eq!(
            fs::read_to_string(target.join("summary.csv")).unwrap(),
            "new"
        );
        let old = tmp.path().join(format!(".res.old-{}", std::process::id()));
        assert!(old.is_dir());
        assert!(
            warning.starts_with(&format!(
                "warning: {}: the new results are in place",
                target.display()
            )) && warning.contains(&old.display().to_string())
                && warning.contains("delete that folder yourself"),
            "{warning}"
        );
        // The next write removes the leftover, though it bears this process's PID; removed,
        // there is nothing to say.
        let dir = OutputDir::create(&target, &[]).unwrap();
        assert!(!old.exists());
        fs::write(dir.path().join("manifest.json"), MADE_BY_DOMINO).unwrap();
        assert_eq!(dir.commit_with(|p| fs::remove_dir_all(p)).unwrap(), None);
    }

    /// True when this process may write into a folder whatever its permission bits (root): a
    /// read-only folder then cannot be made for a test.
    #[cfg(unix)]
    fn permissions_bind_us(tmp: &Path) -> bool {
        use std::os::unix::fs::PermissionsExt;
        let locked = tmp.join("locked");
        fs::create_dir(&locked).unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
        let bound = fs::write(locked.join("x"), "").is_err();
        let _ = fs::remove_file(locked.join("x"));
        fs::remove_dir(&locked).unwrap();
        bound
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_folder_or_parent_is_refused_before_anything_is_written() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        if !permissions_bind_us(tmp.path()) {
            // Root: tests/outputs.rs runs the command as another user.
            eprintln!("skipped: this user may write into read-only folders");
            return;
        }
        let mode =
            |p: &Path, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).unwrap();
        // Previous results protected with chmod 555.
        let prev = tmp.path().join("prev");
        fs::create_dir(&prev).unwrap();
        fs::write(prev.join("manifest.json"), MADE_BY_DOMINO).unwrap();
        mode(&prev, 0o555);
        let e = OutputDir::create(&prev, &[]).unwrap_err();
        assert!(
            e.is_input()
                && e.to_string()
                    .contains("cannot be written: the folder is read-only for you")
                && e.to_string().ends_with("choose another --out"),
            "{e}"
        );
        mode(&prev, 0o755);
        // A sweep's record folder inside.
        fs::write(prev.join("manifest.json"), SWEEP_MANIFEST).unwrap();
        fs::create_dir(prev.join(RECORDS)).unwrap();
        mode(&prev.join(RECORDS), 0o555);
        let e = OutputDir::create_sweep(&prev, &[]).unwrap_err();
        assert!(
            e.to_string().contains("points inside it is read-only"),
            "{e}"
        );
        mode(&prev.join(RECORDS), 0o755);
        // An empty read-only folder is protected just the same.
        let empty = tmp.path().join("empty");
        fs::create_dir(&empty).unwrap();
        mode(&empty, 0o555);
        assert!(OutputDir::create(&empty, &[]).unwrap_err().is_input());
        mode(&empty, 0o755);
        // A folder in a read-only parent.
        let parent = tmp.path().join("parent");
        fs::create_dir(&parent).unwrap();
        mode(&parent, 0o555);
        let e = OutputDir::create(&parent.join("x"), &[]).unwrap_err();
        assert!(
            e.is_input() && e.to_string().contains("cannot be written"),
            "{e}"
        );
        mode(&parent, 0o755);
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 3, "nothing set aside or staged: {names:?}");
    }

    const SWEEP_MANIFEST: &str = "{\"domino_version\": \"0.1.0\", \"sweep_hash\": \"ab\"}";

    #[test]
    fn unsafe_targets_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        fs::write(&file, "x").unwrap();
        assert!(OutputDir::create(&file, &[]).unwrap_err().is_input());
        let mine = tmp.path().join("mine");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("notes.txt"), "precious").unwrap();
        assert!(OutputDir::create(&mine, &[]).unwrap_err().is_input());
        let input = mine.join("scenario.toml");
        fs::write(&input, "").unwrap();
        assert!(OutputDir::create(&mine, &[input]).unwrap_err().is_input());
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_written_through_and_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("scratch/real");
        fs::create_dir_all(&real).unwrap();
        fs::write(real.join("manifest.json"), MADE_BY_DOMINO).unwrap();
        fs::write(real.join("runs.csv"), "previous run").unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let dir = OutputDir::create(&link, &[]).unwrap();
        assert_eq!(dir.target(), link);
        fs::write(dir.path().join("manifest.json"), MADE_BY_DOMINO).unwrap();
        fs::write(dir.path().join("summary.csv"), "this run").unwrap();
        dir.commit().unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_link(&link).unwrap(), real);
        assert_eq!(
            fs::read_to_string(real.join("summary.csv")).unwrap(),
            "this run"
        );
        assert!(!real.join("runs.csv").exists());
        // Nothing is left beside the link or beside the folder it points to.
        for (folder, entries) in [(tmp.path(), 2), (real.parent().unwrap(), 1)] {
            assert_eq!(fs::read_dir(folder).unwrap().count(), entries, "{folder:?}");
        }
        // A link whose folder is not a domino output is refused, as that folder itself is.
        fs::write(real.join("thesis.docx"), "precious").unwrap();
        let e = OutputDir::create(&link, &[]).unwrap_err();
        assert!(e.to_string().contains("holds thesis.docx"), "{e}");
        // A link to nowhere is refused, naming the link.
        let dangling = tmp.path().join("dangling");
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), &dangling).unwrap();
        let e = OutputDir::create(&dangling, &[]).unwrap_err();
        assert!(
            e.is_input() && e.to_string().contains("symbolic link"),
            "{e}"
        );
        assert!(!tmp.path().join("nowhere").exists());
    }

    #[test]
    fn leftovers_of_a_dead_run_are_cleaned_or_restored() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("res");
        // PID 0 is never a running process we could see in /proc.
        fs::create_dir(tmp.path().join(".res.staging-0")).unwrap();
        fs::create_dir(tmp.path().join(".res.old-0")).unwrap();
        fs::write(tmp.path().join(".res.old-0/manifest.json"), "prev").unwrap();
        let dir = OutputDir::create(&target, &[]).unwrap();
        assert!(!tmp.path().join(".res.staging-0").exists());
        assert_eq!(
            fs::read_to_string(target.join("manifest.json")).unwrap(),
            "prev"
        );
        drop(dir);
    }
}
