//! [`Checkpoint`]: the values an optimisation has simulated, kept on disk while it runs so that
//! an interrupted optimisation can be resumed (`--resume`), as a sweep keeps a record per point.
//!
//! The file lives beside the output folder (`.NAME.optimise-evals.csv`), because the output
//! folder itself is written as a whole at the end ([`crate::output::OutputDir`]). Its first line
//! names the optimisation (a hash of the resolved scenario and the search's settings); each
//! further line is one (candidate, run) value: the candidate's key in hex, the run, the
//! [`Values`] figures, then a checksum of the line before it (the first 16 hex digits of its
//! SHA-256). Lines are appended after every batch of runs and synced; only lines that end in a
//! line break are read back, so a line cut short by a kill is ignored and simulated again. Any
//! other line that does not read back (a changed digit, a figure that is not a finite number, a
//! run the optimisation never evaluates) is refused, naming the file and line, as a damaged sweep
//! record or compare shard is: a resumed optimisation built on it would quietly choose from
//! values no simulation gave. Because every value is a pure function of (candidate, run), a
//! resumed optimisation takes the same decisions and writes the same bytes as one never
//! interrupted. The lines right after the first, `input,<role>,<sha256>,<path>`, record the
//! network files read: the scenario's text names them by path only, so a file edited before
//! `--resume` is refused, naming it. The file is removed once the results are in place.

use super::eval::Values;
use crate::error::{Error, InputError, Result};
use crate::output::{sha256_hex, InputHash};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

const MAGIC: &str = "domino-optimise-checkpoint";

/// The first field of the lines after the header that record the network files read: `id`
/// names the scenario by its text, which holds the files' paths but not their contents.
const INPUT: &str = "input,";

/// The lines recording `inputs`, each `input,<role>,<sha256>,<path>` (the path last, as it may
/// hold commas).
fn input_lines(inputs: &[InputHash]) -> String {
    inputs
        .iter()
        .map(|i| format!("{INPUT}{},{},{}\n", i.role, i.sha256, i.path))
        .collect()
}

/// How the network files `now` differ from the input lines `recorded` of a checkpoint, naming
/// the first file that differs; `None` when none does.
fn input_change(recorded: &[&str], now: &[InputHash]) -> Option<String> {
    let recorded: Vec<(&str, &str)> = recorded
        .iter()
        .filter_map(|l| {
            let mut f = l.strip_prefix(INPUT)?.splitn(3, ',');
            Some((f.next()?, f.next()?))
        })
        .collect();
    now.iter().find_map(
        |file| match recorded.iter().find(|(role, _)| *role == file.role) {
            None => Some(format!(
                "the checkpoint records no SHA-256 of the {} file {} (it was written by an older \
                 domino, or the optimisation read no such file), so a change to the file cannot \
                 be ruled out",
                file.role, file.path
            )),
            Some((_, sha)) if *sha != file.sha256 => Some(format!(
                "the {} file {} changed since the optimisation was interrupted (SHA-256 {sha} \
                 then, {} now)",
                file.role, file.path, file.sha256
            )),
            Some(_) => None,
        },
    )
}

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

    /// Opens the checkpoint at `path` for the optimisation identified by `id`, which reads the
    /// network files `inputs` and evaluates the runs in `runs`: with `resume`, reads what an
    /// earlier run of the same optimisation left (refusing another one's, one whose network
    /// files changed since, a damaged line, or nothing to resume: a fresh start); without,
    /// refuses to overwrite an existing one.
    pub fn open(
        path: &Path,
        id: &str,
        inputs: &[InputHash],
        resume: bool,
        runs: &[Range<u64>],
    ) -> Result<Self> {
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
            // The input lines written at the start (see `input_lines`), then the values.
            let recorded: Vec<&str> = text
                .lines()
                .skip(1)
                .take_while(|l| l.starts_with(INPUT))
                .collect();
            if let Some(why) = input_change(&recorded, inputs) {
                return Err(InputError::msg(format!(
                    "{why}: resuming would mix evaluations of two networks; restore the file, or \
                     remove the checkpoint to start the optimisation again"
                ))
                .in_file(path)
                .into());
            }
            let lines = lines.skip(recorded.len());
            for (n, piece) in lines.enumerate() {
                let Some(line) = piece.strip_suffix('\n') else {
                    // Cut short by a kill (the last piece of the file): cut it off, so that
                    // appended lines start on their own and the file holds whole lines only (a
                    // cut line ended by a line break would read as a damaged one next time).
                    let whole = (text.len() - piece.len()) as u64;
                    OpenOptions::new()
                        .write(true)
                        .open(path)
                        .and_then(|f| f.set_len(whole))
                        .map_err(|e| Error::io(path, e))?;
                    break;
                };
                let (key, k, v) = parse(line, runs).map_err(|why| {
                    // Line 1 is the header.
                    InputError::msg(format!(
                        "{why}; remove the file to start the optimisation again"
                    ))
                    .in_file(path)
                    .at(n + 2 + recorded.len(), None)
                })?;
                values.insert((key, k), v);
            }
        } else {
            let head = format!("{MAGIC},{id}\n{}", input_lines(inputs));
            fs::write(path, head).map_err(|e| Error::io(path, e))?;
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
            let mut line = format!("{key:016x},{k}");
            for x in v.to_array() {
                // Display of f64 is the shortest text that reads back to the same bits.
                line.push_str(&format!(",{x}"));
            }
            text.push_str(&format!("{line},{}\n", checksum(&line)));
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

/// The checksum ending a line: the first 16 hex digits of the SHA-256 of the text before it
/// (enough to tell a damaged line from a sound one; the file is no defence against forgery).
fn checksum(body: &str) -> String {
    sha256_hex(body.as_bytes())[..16].to_string()
}

/// Reads one complete line (without its line break); the error says what is wrong with it.
fn parse(line: &str, runs: &[Range<u64>]) -> std::result::Result<(u64, u64, Values), String> {
    let damaged = || "is damaged (its checksum does not match its content)".to_string();
    let (body, sum) = line.rsplit_once(',').ok_or_else(damaged)?;
    if sum != checksum(body) {
        return Err(damaged());
    }
    // The checksum matched, so what follows can only fail for a file another build wrote.
    let bad = |what: &str| format!("is not a checkpoint line ({what})");
    let mut cells = body.split(',');
    let mut next = || cells.next().ok_or_else(|| bad("too few cells"));
    let key = u64::from_str_radix(next()?, 16).map_err(|_| bad("the key is not hex"))?;
    let k: u64 = next()?
        .parse()
        .map_err(|_| bad("the run is not a whole number"))?;
    if !runs.iter().any(|r| r.contains(&k)) {
        return Err(format!(
            "names run {k}, which this optimisation never evaluates"
        ));
    }
    let mut a = [0.0; Values::LEN];
    for x in &mut a {
        let cell = next()?;
        *x = cell
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| bad(&format!("{cell:?} is not a finite number")))?;
    }
    if next().is_ok() {
        return Err(bad("too many cells"));
    }
    Ok((key, k, Values::from_array(a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs the tests' optimisation evaluates: 0..10 and the fresh 100..105.
    const RUNS: [Range<u64>; 2] = [0..10, 100..105];

    #[test]
    fn values_read_back_bit_for_bit_and_a_cut_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.csv");
        let v = Values::from_array([0.1 + 0.2, 1.0 / 3.0, 0.0, -0.0, 7.5]);
        let mut cp = Checkpoint::open(&path, "abc", &[], false, &RUNS).unwrap();
        cp.append(&[(42, 7, v), (42, 101, v)]).unwrap();
        // A line cut short by a kill.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"000000000000002a,8,0.1").unwrap();
        assert!(Checkpoint::open(&path, "abc", &[], false, &RUNS).is_err());
        assert!(Checkpoint::open(&path, "other", &[], true, &RUNS).is_err());
        let mut back = Checkpoint::open(&path, "abc", &[], true, &RUNS).unwrap();
        assert_eq!(back.values().len(), 2);
        let got = back.values()[&(42, 7)].to_array();
        for (a, b) in got.iter().zip(v.to_array()) {
            assert_eq!(a.to_bits(), b.to_bits());
        }
        // The cut line was ended, so what is appended next reads back on its own line.
        back.append(&[(43, 8, v)]).unwrap();
        let again = Checkpoint::open(&path, "abc", &[], true, &RUNS).unwrap();
        assert_eq!(again.values().len(), 3);
        again.remove().unwrap();
    }

    /// A checkpoint holding the line `line` (as its third line, after a sound one).
    fn with_line(dir: &Path, line: &str) -> PathBuf {
        let path = dir.join("cp.csv");
        let _ = fs::remove_file(&path);
        let mut cp = Checkpoint::open(&path, "abc", &[], false, &RUNS).unwrap();
        cp.append(&[(1, 2, Values::from_array([0.5; Values::LEN]))])
            .unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(format!("{line}\n").as_bytes()).unwrap();
        path
    }

    /// `body` with its checksum, as an edit that also recomputed it would leave it.
    fn signed(body: &str) -> String {
        format!("{body},{}", checksum(body))
    }

    #[test]
    fn a_damaged_line_is_refused_naming_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let sound = signed("000000000000002a,3,0.25,0.25,0.5,0.25,1.5");
        let cases = [
            // A changed digit, the checksum left as it was.
            (sound.replacen("0.25", "0.95", 1), "is damaged"),
            // A line of the old format, without a checksum.
            (
                "000000000000002a,3,0.25,0.25,0.5,0.25,1.5".to_string(),
                "is damaged",
            ),
            (
                signed("000000000000002a,9999,0.25,0.25,0.5,0.25,1.5"),
                "names run 9999, which this optimisation never evaluates",
            ),
            (
                signed("000000000000002a,3,NaN,0.25,0.5,0.25,1.5"),
                "\"NaN\" is not a finite number",
            ),
            (
                signed("000000000000002a,3,0.25,inf,0.5,0.25,1.5"),
                "\"inf\" is not a finite number",
            ),
            (
                signed("000000000000002a,3,0.25,0.25,0.5,0.25,1e999"),
                "\"1e999\" is not a finite number",
            ),
            (
                signed("000000000000002a,3,0.25,0.25,0.5,0.25"),
                "too few cells",
            ),
        ];
        for (line, why) in cases {
            let path = with_line(dir.path(), &line);
            let e = Checkpoint::open(&path, "abc", &[], true, &RUNS).unwrap_err();
            let text = e.to_string();
            assert!(e.is_input(), "{text}");
            assert!(
                text.contains(&format!("{}:3", path.display())) && text.contains(why),
                "{line}: {text}"
            );
        }
        // The same line, sound, is read.
        let path = with_line(dir.path(), &sound);
        let cp = Checkpoint::open(&path, "abc", &[], true, &RUNS).unwrap();
        assert_eq!(cp.values()[&(42, 3)].to_array()[4], 1.5);
    }

    /// The scenario's text (the checkpoint's id) names the network files by path only: a file
    /// edited before `--resume` is refused by its recorded SHA-256, naming it; unchanged, the
    /// values read back after the input lines.
    #[test]
    fn a_network_file_changed_before_resume_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(".o.optimise-evals.csv");
        let edges = |sha: &str| InputHash {
            role: "network.edges".into(),
            path: "net/edges, v2.csv".into(),
            sha256: sha.into(),
        };
        let mut cp = Checkpoint::open(&path, "abc", &[edges("aa")], false, &RUNS).unwrap();
        cp.append(&[(1, 2, Values::from_array([0.5; Values::LEN]))])
            .unwrap();
        let back = Checkpoint::open(&path, "abc", &[edges("aa")], true, &RUNS).unwrap();
        assert_eq!(back.values().len(), 1);
        let e = Checkpoint::open(&path, "abc", &[edges("bb")], true, &RUNS)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("network.edges file net/edges, v2.csv changed") && e.contains("aa then"),
            "{e}"
        );
        // A checkpoint that recorded no files (an older domino's) cannot vouch for them.
        let old = tmp.path().join(".old.optimise-evals.csv");
        Checkpoint::open(&old, "abc", &[], false, &RUNS).unwrap();
        let e = Checkpoint::open(&old, "abc", &[edges("aa")], true, &RUNS)
            .unwrap_err()
            .to_string();
        assert!(e.contains("records no SHA-256"), "{e}");
    }
}
