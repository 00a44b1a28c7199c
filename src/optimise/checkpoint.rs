//! [`Checkpoint`]: the values an optimisation has simulated, kept on disk while it runs so that
//! an interrupted optimisation can be resumed (`--resume`), as a sweep keeps a record per point.
//!
//! The file lives beside the output folder (`.NAME.optimise-evals.csv`), because the output
//! folder itself is written as a whole at the end ([`crate::output::OutputDir`]). Its first line
//! names the optimisation (a hash of the resolved scenario and the search's settings); each
//! further line is one (candidate, run) value: the candidate's key in hex, the run, then the
//! [`Values`] figures. Lines are appended after every batch of runs and synced; only lines that
//! end in a line break are read back, so a line cut short by a kill is ignored and simulated
//! again. Because every value is a pure function of (candidate, run), a resumed optimisation
//! takes the same decisions and writes the same bytes as one never interrupted. The file is
//! removed once the results are in place.

use super::eval::Values;
use crate::error::{Error, InputError, Result};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &str = "domino-optimise-checkpoint";

/// The on-disk record of simulated values; see the module docs.
#[derive(Debug)]
pub struct Checkpoint {
    path: PathBuf,
    values: HashMap<(u64, u64), Values>,
}

impl Checkpoint {
    /// The checkpoint file of an optimisation written to `out`.
    pub fn path_for(out: &Path) -> PathBuf {
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "optimise".into());
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        parent.join(format!(".{name}.optimise-evals.csv"))
    }

    /// Opens the checkpoint at `path` for the optimisation identified by `id`: with `resume`,
    /// reads what an earlier run of the same optimisation left (refusing another one's, or
    /// nothing to resume: a fresh start); without, refuses to overwrite an existing one.
    pub fn open(path: &Path, id: &str, resume: bool) -> Result<Self> {
        let mut values = HashMap::new();
        if path.exists() {
            if !resume {
                return Err(InputError::msg(
                    "holds an interrupted optimisation: add --resume to continue it, or remove \
                     the file to start again",
                )
                .in_file(path)
                .into());
            }
            let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
            let mut lines = text.split_inclusive('\n');
            let header = lines.next().unwrap_or("").trim_end();
            if header != format!("{MAGIC},{id}") {
                return Err(InputError::msg(
                    "is the checkpoint of another optimisation (a different scenario, seed, \
                     objective or search settings); remove it or choose another --out",
                )
                .in_file(path)
                .into());
            }
            for line in lines {
                let Some(line) = line.strip_suffix('\n') else {
                    // Cut short by a kill: end it, so that appended lines start on their own.
                    let mut f = OpenOptions::new()
                        .append(true)
                        .open(path)
                        .map_err(|e| Error::io(path, e))?;
                    f.write_all(b"\n").map_err(|e| Error::io(path, e))?;
                    break;
                };
                if let Some((key, k, v)) = parse(line) {
                    values.insert((key, k), v);
                }
            }
        } else {
            fs::write(path, format!("{MAGIC},{id}\n")).map_err(|e| Error::io(path, e))?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            values,
        })
    }

    /// The values read back.
    pub fn values(&self) -> &HashMap<(u64, u64), Values> {
        &self.values
    }

    /// Appends newly simulated values and syncs the file.
    pub(crate) fn append(&mut self, fresh: &[(u64, u64, Values)]) -> Result<()> {
        if fresh.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for (key, k, v) in fresh {
            text.push_str(&format!("{key:016x},{k}"));
            for x in v.to_array() {
                // Display of f64 is the shortest text that reads back to the same bits.
                text.push_str(&format!(",{x}"));
            }
            text.push('\n');
        }
        let io = |e| Error::io(&self.path, e);
        let mut f: File = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_data().map_err(io)
    }

    /// Removes the file (the optimisation's results are in place).
    pub fn remove(self) -> Result<()> {
        fs::remove_file(&self.path).map_err(|e| Error::io(&self.path, e))
    }
}

fn parse(line: &str) -> Option<(u64, u64, Values)> {
    let mut cells = line.split(',');
    let key = u64::from_str_radix(cells.next()?, 16).ok()?;
    let k = cells.next()?.parse().ok()?;
    let mut a = [0.0; Values::LEN];
    for x in &mut a {
        *x = cells.next()?.parse().ok()?;
    }
    cells
        .next()
        .is_none()
        .then(|| (key, k, Values::from_array(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_bit_for_bit_and_a_cut_line_is_ignored() {
        let dir = std::env::temp_dir().join(format!("domino-cp-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cp.csv");
        let _ = fs::remove_file(&path);
        let v = Values::from_array([0.1 + 0.2, 1.0 / 3.0, 0.0, f64::NAN, 7.5]);
        let mut cp = Checkpoint::open(&path, "abc", false).unwrap();
        cp.append(&[(42, 7, v)]).unwrap();
        // A line cut short by a kill.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"000000000000002a,8,0.1").unwrap();
        assert!(Checkpoint::open(&path, "abc", false).is_err());
        assert!(Checkpoint::open(&path, "other", true).is_err());
        let back = Checkpoint::open(&path, "abc", true).unwrap();
        assert_eq!(back.values().len(), 1);
        let got = back.values()[&(42, 7)].to_array();
        for (a, b) in got.iter().zip(v.to_array()) {
            assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
        }
        back.remove().unwrap();
        let _ = fs::remove_dir_all(&dir);
    }
}
