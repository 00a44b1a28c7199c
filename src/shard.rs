//! Shards: one job split over machines. [`Shard`] (`--shard I/N`, the runs or points whose index
//! is I-1 modulo N) is shared by `domino sweep` and `domino compare`; this module also runs and
//! merges the shards of a comparison.
//!
//! A compare shard folder holds what an unsharded `domino compare` writes to reproduce its result
//! (`scenario.toml`, copies of the network files, `manifest.json`, byte for byte the same), plus
//! `runs.bin`, every run of the shard in full, and `shard.json`, which says which shard it is, of
//! which comparison, and the SHA-256 of the other files. `runs.bin` keeps each run's whole
//! result (its summary, its per-term series and, for networks read from files, its per-school
//! record), because the aggregates of a comparison cannot be merged from aggregates: the series
//! means and the region means are floating-point running means folded in run order, and the
//! percentiles come from histograms with clamped ends. [`merge`] therefore replays every run, in
//! run order, through the same [`Folder`] that an unsharded comparison uses, and writes the
//! results with the same writers: the merged folder is byte for byte the folder an unsharded run
//! writes. The shards' memory is flat in the number of runs (runs are written as they finish);
//! so is the merge's, beyond the run summaries an unsharded comparison keeps too.
//!
//! `runs.bin` (all integers and floats little-endian): the magic line `domino compare shard 1\n`,
//! the number of arms (u32) and a byte saying whether runs carry per-school records; then per run
//! its index (u64) and per arm: the summary (u32 length, f64 values), the series (u32 length, f64
//! values) and, with records, the school flags (u32 length, bytes) and first-sustain steps (u32
//! length, u32 values).

use crate::engine::ensemble::{each, Folder};
use crate::engine::{model, ArmRun, Ensemble, Progress, SchoolRun};
use crate::error::{Error, InputError, Result};
use crate::metrics::RunSummary;
use crate::output::{self, OutputDir};
use crate::Scenario;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// One of `count` shards (`index` from 1): the points or runs whose index is `index - 1` modulo
/// `count`.
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
    /// The label written in manifests: `I/N`, or `all` without a shard.
    pub fn label(shard: Option<Shard>) -> String {
        shard.map_or("all".into(), |s| format!("{}/{}", s.index, s.count))
    }

    /// True if point or run `id` belongs to this shard.
    pub fn has(&self, id: usize) -> bool {
        id % self.count == self.index - 1
    }
}

/// The file that marks a compare shard folder.
pub(crate) const SHARD_FILE: &str = "shard.json";
/// The runs of a compare shard.
pub(crate) const RUNS_FILE: &str = "runs.bin";
/// What `shard.json`'s `kind` says.
const KIND: &str = "domino compare shard";
/// The first bytes of `runs.bin` (the format's version is its last number).
const MAGIC: &[u8] = b"domino compare shard 1\n";
/// The files that reproduce a comparison, copied verbatim from a shard into the merged folder.
const REPRODUCTION: [&str; 4] = [
    "manifest.json",
    "scenario.toml",
    "network-edges.csv",
    "network-nodes.csv",
];

/// `shard.json`: which shard of which comparison a folder holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// Always `domino compare shard`.
    pub kind: String,
    /// The scenario's name.
    pub scenario: String,
    /// `I/N`.
    pub shard: String,
    /// I (from 1).
    pub index: usize,
    /// N.
    pub count: usize,
    /// Master seed of the comparison.
    pub seed: u64,
    /// Runs of the whole comparison.
    pub runs: u32,
    /// Terms per run.
    pub steps: u32,
    /// Runs in this shard.
    pub shard_runs: usize,
    /// SHA-256 of the shard's `scenario.toml` (the resolved scenario, seed and runs included):
    /// shards merge only with the same one.
    pub scenario_sha256: String,
    /// SHA-256 of the shard's `manifest.json` (build and inputs).
    pub manifest_sha256: String,
    /// SHA-256 of `runs.bin`.
    pub runs_sha256: String,
    /// SHA-256 of the copies of the network files, by file name (file networks only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub network_sha256: BTreeMap<String, String>,
}

/// True if `dir` holds a compare shard (it has a `shard.json`).
pub(crate) fn is_compare_shard(dir: &Path) -> bool {
    dir.join(SHARD_FILE).is_file()
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

fn hex(hash: Sha256) -> String {
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn put_len(w: &mut impl Write, n: usize) -> io::Result<()> {
    let n = u32::try_from(n).map_err(|_| io::Error::other("a record is too long"))?;
    w.write_all(&n.to_le_bytes())
}

fn put_f64s(w: &mut impl Write, values: &[f64]) -> io::Result<()> {
    put_len(w, values.len())?;
    values
        .iter()
        .try_for_each(|v| w.write_all(&v.to_bits().to_le_bytes()))
}

/// Writes run `k` of every arm.
fn put_run(w: &mut impl Write, k: usize, per_arm: &[ArmRun]) -> io::Result<()> {
    w.write_all(&(k as u64).to_le_bytes())?;
    for arm in per_arm {
        put_f64s(w, &arm.summary.0)?;
        put_f64s(w, &arm.series)?;
        if let Some(record) = &arm.schools {
            put_len(w, record.flags.len())?;
            w.write_all(&record.flags)?;
            put_len(w, record.first_sustain.len())?;
            record
                .first_sustain
                .iter()
                .try_for_each(|v| w.write_all(&v.to_le_bytes()))?;
        }
    }
    Ok(())
}

/// What one compare shard did.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardReport {
    /// Runs of the shard.
    pub runs: usize,
}

/// Runs the runs of `shard` of the comparison `scenario` on the current rayon pool and writes the
/// shard folder `out` (staged, then moved into place: see [`OutputDir`]).
pub(crate) fn run_compare(
    scenario: &Scenario,
    shard: Shard,
    out: &Path,
    progress: &dyn Progress,
) -> Result<ShardReport> {
    let inputs: Vec<PathBuf> = output::scenario_inputs(scenario)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let staged = OutputDir::create(out, &inputs)?;
    let dir = staged.path();
    output::write_reproduction(dir, scenario)?;
    let model = model(scenario);
    let cfg = &scenario.config;
    let ks = (0..cfg.runs as usize).filter(|&k| shard.has(k));
    let runs_path = dir.join(RUNS_FILE);
    let file = File::create(&runs_path).map_err(|e| Error::io(&runs_path, e))?;
    let mut w = Hashing {
        inner: BufWriter::new(file),
        hash: Sha256::new(),
    };
    let header = (|| {
        w.write_all(MAGIC)?;
        w.write_all(&(model.arms().len() as u32).to_le_bytes())?;
        w.write_all(&[u8::from(model.school_regions().is_some())])
    })();
    header.map_err(|e| Error::io(&runs_path, e))?;
    let mut failed: Option<io::Error> = None;
    let mut count = 0;
    each(&*model, ks, progress, |k, per_arm| {
        if failed.is_none() {
            failed = put_run(&mut w, k, &per_arm).err();
            count += 1;
        }
    })?;
    if let Some(e) = failed {
        return Err(Error::io(&runs_path, e));
    }
    let Hashing { inner, hash } = w;
    let file = inner.into_inner().map_err(|e| e.into_error());
    file.and_then(|f| f.sync_all())
        .map_err(|e| Error::io(&runs_path, e))?;
    let sha = |name: &str| -> Result<String> {
        let path = dir.join(name);
        Ok(output::sha256_hex(
            &fs::read(&path).map_err(|e| Error::io(&path, e))?,
        ))
    };
    let info = ShardInfo {
        kind: KIND.into(),
        scenario: cfg.name.clone(),
        shard: Shard::label(Some(shard)),
        index: shard.index,
        count: shard.count,
        seed: cfg.seed,
        runs: cfg.runs,
        steps: cfg.steps,
        shard_runs: count,
        scenario_sha256: sha("scenario.toml")?,
        manifest_sha256: sha("manifest.json")?,
        runs_sha256: hex(hash),
        network_sha256: REPRODUCTION[2..]
            .iter()
            .filter(|name| dir.join(name).is_file())
            .map(|&name| Ok((name.to_string(), sha(name)?)))
            .collect::<Result<_>>()?,
    };
    output::write_atomic(&dir.join(SHARD_FILE), |w| {
        w.write_all(output::json(&info).as_bytes())
    })?;
    staged.commit()?;
    Ok(ShardReport { runs: count })
}

/// Reads `shard.json` of `dir`.
pub(crate) fn read_info(dir: &Path) -> Result<ShardInfo> {
    let path = dir.join(SHARD_FILE);
    let text = fs::read_to_string(&path).map_err(|e| {
        InputError::msg(format!(
            "is not a compare shard folder (cannot read {SHARD_FILE}: {e})"
        ))
        .in_file(dir)
    })?;
    let info: ShardInfo = serde_json::from_str(&text).map_err(|e| {
        InputError::msg(format!("is not a compare shard description: {e}")).in_file(&path)
    })?;
    if info.kind != KIND {
        return Err(
            InputError::msg(format!("says kind \"{}\", not \"{KIND}\"", info.kind))
                .in_file(&path)
                .into(),
        );
    }
    Ok(info)
}

/// The runs of one shard's `runs.bin`, read in order and hashed as read.
struct RunsReader {
    path: PathBuf,
    r: Hashing<BufReader<File>>,
    arms: usize,
    records: bool,
    /// The run index expected next (runs come in order).
    expected: usize,
    step: usize,
}

impl RunsReader {
    fn open(dir: &Path, info: &ShardInfo, arms: usize, records: bool) -> Result<Self> {
        let path = dir.join(RUNS_FILE);
        let file = File::open(&path).map_err(|e| match e.kind() {
            // Bad input like any other changed file of a shard (exit 2), not a failure of this
            // machine: a copy that left the file out, or a shard whose task was killed early.
            io::ErrorKind::NotFound => InputError::msg(format!(
                "{RUNS_FILE} is missing: the shard is incomplete or damaged"
            ))
            .in_file(dir)
            .into(),
            _ => Error::io(&path, e),
        })?;
        let mut r = Self {
            r: Hashing {
                inner: BufReader::new(file),
                hash: Sha256::new(),
            },
            arms,
            records,
            expected: info.index - 1,
            step: info.count,
            path,
        };
        let mut magic = vec![0; MAGIC.len()];
        r.exact(&mut magic)?;
        let found_arms = r.u32()? as usize;
        let found_records = r.byte()? != 0;
        if magic != MAGIC || found_arms != arms || found_records != records {
            return Err(r.bad(format!(
                "is not the runs file of this comparison (expected {arms} arms{})",
                if records {
                    " with per-school records"
                } else {
                    ""
                }
            )));
        }
        Ok(r)
    }

    fn bad(&self, why: String) -> Error {
        InputError::msg(why).in_file(&self.path).into()
    }

    fn exact(&mut self, buf: &mut [u8]) -> Result<()> {
        self.r.read_exact(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                self.bad("ends early: the shard was damaged or cut short".into())
            } else {
                Error::io(&self.path, e)
            }
        })
    }

    fn byte(&mut self) -> Result<u8> {
        let mut b = [0; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }

    fn u32(&mut self) -> Result<u32> {
        let mut b = [0; 4];
        self.exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Result<u64> {
        let mut b = [0; 8];
        self.exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    /// A length, refused above `max` (a damaged file must not make us allocate gigabytes).
    fn len(&mut self, max: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n > max {
            return Err(self.bad(format!("holds a length of {n} where at most {max} fit")));
        }
        Ok(n)
    }

    fn f64s(&mut self, max: usize) -> Result<Vec<f64>> {
        let n = self.len(max)?;
        let mut bytes = vec![0; 8 * n];
        self.exact(&mut bytes)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|c| f64::from_bits(u64::from_le_bytes(c.try_into().expect("8 bytes"))))
            .collect())
    }

    /// The next run, which must be run `k`; `limits` bound the summary, series and school counts.
    fn next(&mut self, k: usize, limits: (usize, usize, usize)) -> Result<Vec<ArmRun>> {
        let found = self.u64()?;
        if found != k as u64 || k != self.expected {
            return Err(self.bad(format!("holds run {found} where run {k} was expected")));
        }
        self.expected += self.step;
        let (metrics, series, schools) = limits;
        let mut out = Vec::with_capacity(self.arms);
        for _ in 0..self.arms {
            let summary = RunSummary(self.f64s(metrics)?.into_boxed_slice());
            let series = self.f64s(series)?;
            let schools = if self.records {
                let n = self.len(schools)?;
                let mut flags = vec![0; n];
                self.exact(&mut flags)?;
                let m = self.len(schools)?;
                let mut bytes = vec![0; 4 * m];
                self.exact(&mut bytes)?;
                let first_sustain = bytes
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
                    .collect();
                Some(SchoolRun {
                    flags,
                    first_sustain,
                })
            } else {
                None
            };
            out.push(ArmRun {
                summary,
                series,
                schools,
            });
        }
        Ok(out)
    }

    /// Checks that the file ends here and that its hash is `sha256`.
    fn finish(mut self, sha256: &str) -> Result<()> {
        let mut rest = [0; 1];
        let n = self
            .r
            .read(&mut rest)
            .map_err(|e| Error::io(&self.path, e))?;
        if n != 0 {
            return Err(self.bad("holds more runs than its shard has".into()));
        }
        let path = self.path.clone();
        if hex(self.r.hash) != sha256 {
            return Err(InputError::msg(format!(
                "does not match the SHA-256 in {SHARD_FILE}: the shard was changed or damaged"
            ))
            .in_file(&path)
            .into());
        }
        Ok(())
    }
}

/// The merged comparison: its scenario (read from the first shard) and its results.
#[derive(Debug)]
pub struct Merged {
    /// The scenario, as the shards' `scenario.toml` says.
    pub scenario: Scenario,
    /// The results, the same as an unsharded run's.
    pub result: Ensemble,
}

/// Joins the compare shard folders `dirs` (every shard of one comparison, exactly once, in any
/// order) into `out`: the same bytes an unsharded `domino compare` writes. The shards must agree
/// on the scenario (the SHA-256 of `scenario.toml`), seed, runs, terms, shard count and
/// `manifest.json`; otherwise, or if a shard is missing or given twice, the error names the
/// folder and what differs (the setting, when the manifests record it), and nothing is written.
/// `out` is written as an [`OutputDir`].
pub fn merge(dirs: &[&Path], out: &Path) -> Result<Merged> {
    let first = *dirs
        .first()
        .ok_or_else(|| InputError::msg("merge needs at least one folder"))?;
    let reference = read_info(first)?;
    let mut by_index: Vec<Option<(&Path, ShardInfo)>> = vec![None; reference.count];
    for &dir in dirs {
        let info = read_info(dir)?;
        // Each shard's files are checked against its own shard.json first (the first shard's
        // before any other is compared with it), so that a difference reported below is one
        // the shards were run with, not damage.
        let files = [
            ("scenario.toml", &info.scenario_sha256),
            ("manifest.json", &info.manifest_sha256),
        ];
        let network = info.network_sha256.iter().map(|(n, h)| (n.as_str(), h));
        for (name, sha) in files.into_iter().chain(network) {
            let path = dir.join(name);
            let bytes = fs::read(&path).map_err(|e| Error::io(&path, e))?;
            if &output::sha256_hex(&bytes) != sha {
                return Err(InputError::msg(format!(
                    "does not match the SHA-256 in {SHARD_FILE}: the shard was changed or damaged"
                ))
                .in_file(&path)
                .into());
            }
        }
        let differs = |what: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
            Error::from(
                InputError::msg(format!(
                    "is a shard of a different comparison than {}: its {what} is {a}, not {b}",
                    first.display()
                ))
                .in_file(dir),
            )
        };
        if info.count != reference.count {
            return Err(differs("shard count", &info.count, &reference.count));
        }
        if info.seed != reference.seed {
            return Err(differs("seed", &info.seed, &reference.seed));
        }
        if info.runs != reference.runs {
            return Err(differs("number of runs", &info.runs, &reference.runs));
        }
        if info.steps != reference.steps {
            return Err(differs(
                "number of terms (steps)",
                &info.steps,
                &reference.steps,
            ));
        }
        let same_scenario = info.scenario_sha256 == reference.scenario_sha256;
        if !same_scenario || info.manifest_sha256 != reference.manifest_sha256 {
            // Name what the manifests record differently (the build, the --set flags, the
            // input files); the hashes alone say only that something does.
            let why = recorded_differences(first, dir);
            let message = match (same_scenario, why.is_empty()) {
                (false, false) => format!(
                    "is a shard of a different comparison than {}: {}",
                    first.display(),
                    why.join("; ")
                ),
                (false, true) => format!(
                    "is a shard of a different comparison than {}: its scenario (SHA-256 of \
                     scenario.toml) is {}, not {}",
                    first.display(),
                    info.scenario_sha256,
                    reference.scenario_sha256
                ),
                // The same scenario, run another way: merging would give a folder whose
                // manifest.json is one shard's and not the other's, so not the bytes of an
                // unsharded run with one command line.
                (true, _) => format!(
                    "ran the same scenario as {}, but its manifest.json records another run: \
                     {}. The merged folder keeps one manifest.json, the one an unsharded run \
                     with one command line writes: run every shard with the same command line \
                     (the same domino build, --set flags in the same order, the same input files \
                     at the same paths)",
                    first.display(),
                    if why.is_empty() {
                        format!(
                            "its SHA-256 is {}, not {}",
                            info.manifest_sha256, reference.manifest_sha256
                        )
                    } else {
                        why.join("; ")
                    }
                ),
            };
            return Err(InputError::msg(message).in_file(dir).into());
        }
        let slot = &mut by_index[info.index - 1];
        if let Some((other, _)) = slot {
            return Err(InputError::msg(format!(
                "holds shard {}, which {} holds too: give each shard once",
                info.shard,
                other.display()
            ))
            .in_file(dir)
            .into());
        }
        *slot = Some((dir, info));
    }
    let missing: Vec<String> = (0..reference.count)
        .filter(|&i| by_index[i].is_none())
        .map(|i| format!("{}/{}", i + 1, reference.count))
        .collect();
    if !missing.is_empty() {
        return Err(InputError::msg(format!(
            "shard {} of this comparison is missing from the folders given (is a shard unfinished or left out?)",
            missing.join(", "),
        ))
        .in_file(first)
        .into());
    }
    let shards: Vec<(&Path, ShardInfo)> = by_index.into_iter().flatten().collect();
    let scenario = crate::output::folder::read_scenario(first)?;
    let inputs: Vec<PathBuf> = dirs.iter().map(|d| d.join(SHARD_FILE)).collect();
    let staged = OutputDir::create(out, &inputs)?;
    let result = replay(&scenario, &shards)?;
    let dir = staged.path();
    crate::report::write_results(dir, &scenario, &result)?;
    // The files that say what ran are the shards' own (the same in every shard, checked above).
    for name in REPRODUCTION {
        let from = first.join(name);
        if from.is_file() {
            let bytes = fs::read(&from).map_err(|e| Error::io(&from, e))?;
            output::write_atomic(&dir.join(name), |w| w.write_all(&bytes))?;
        }
    }
    staged.commit()?;
    Ok(Merged { scenario, result })
}

/// How shard `dir`'s `manifest.json` differs from `first`'s, in words: the build, the scenario's
/// name, the `--set` flags, the input files. Empty when either cannot be read or nothing
/// recorded differs.
fn recorded_differences(first: &Path, dir: &Path) -> Vec<String> {
    let read = |d: &Path| -> Option<serde_json::Value> {
        serde_json::from_slice(&fs::read(d.join("manifest.json")).ok()?).ok()
    };
    let (Some(a), Some(b)) = (read(first), read(dir)) else {
        return Vec::new();
    };
    let text = |v: &serde_json::Value, key: &str| v[key].as_str().unwrap_or("").to_string();
    let mut out = Vec::new();
    if ["domino_version", "domino_commit"]
        .iter()
        .any(|k| text(&a, k) != text(&b, k))
    {
        out.push(format!(
            "it was run by domino {} (commit {}), {} by domino {} (commit {})",
            text(&b, "domino_version"),
            text(&b, "domino_commit"),
            first.display(),
            text(&a, "domino_version"),
            text(&a, "domino_commit")
        ));
    }
    if text(&a, "scenario") != text(&b, "scenario") {
        out.push(format!(
            "its scenario is named \"{}\", not \"{}\"",
            text(&b, "scenario"),
            text(&a, "scenario")
        ));
    }
    let sets = |v: &serde_json::Value| -> Vec<String> {
        v["sets"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Some(why) = sets_difference(&sets(&a), &sets(&b), first) {
        out.push(why);
    }
    // Inputs by role: a file read from another path, or with other contents.
    let inputs = |v: &serde_json::Value| -> BTreeMap<String, (String, String)> {
        v["inputs"]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|i| (text(i, "role"), (text(i, "path"), text(i, "sha256"))))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (ia, ib) = (inputs(&a), inputs(&b));
    for role in ia.keys().chain(ib.keys().filter(|r| !ia.contains_key(*r))) {
        match (ia.get(role), ib.get(role)) {
            (Some((pa, ha)), Some((pb, hb))) => {
                if pa != pb {
                    out.push(format!(
                        "it read its {role} file from {pb}, {} from {pa}{}",
                        first.display(),
                        if ha == hb { "" } else { " (other contents)" }
                    ));
                } else if ha != hb {
                    out.push(format!(
                        "its {role} file {pb} had other contents (SHA-256 {hb}, not {ha}): the \
                         file changed between the shards"
                    ));
                }
            }
            (Some((pa, _)), None) => out.push(format!(
                "it read no {role} file, {} read {pa}",
                first.display()
            )),
            (None, Some((pb, _))) => out.push(format!(
                "it read a {role} file, {pb}, that {} did not",
                first.display()
            )),
            (None, None) => {}
        }
    }
    out
}

/// How the `--set` flags `b` of a shard differ from `a`, those of the shard in `first`, in
/// words; `None` when they are the same list. Shared by the merges of comparisons and of sweeps.
pub(crate) fn sets_difference(a: &[String], b: &[String], first: &Path) -> Option<String> {
    if a == b {
        return None;
    }
    let flags = |l: &[String]| {
        l.iter()
            .map(|s| format!("--set {s}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (mut sa, mut sb) = (a.to_vec(), b.to_vec());
    sa.sort();
    sb.sort();
    if sa == sb {
        return Some(format!(
            "it was given the same --set flags in another order ({}; {} was given {})",
            flags(b),
            first.display(),
            flags(a)
        ));
    }
    // The flags of one and not the other, counted as multisets.
    let only = |x: &[String], y: &[String]| {
        let mut rest = y.to_vec();
        x.iter()
            .filter(|s| match rest.iter().position(|r| r == *s) {
                Some(k) => {
                    rest.remove(k);
                    false
                }
                None => true,
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    let (ours, theirs) = (only(b, a), only(a, b));
    let first = first.display();
    Some(match (ours.is_empty(), theirs.is_empty()) {
        (false, false) => format!(
            "its --set flags differ: it was given {}, {first} was given {} instead",
            flags(&ours),
            flags(&theirs)
        ),
        (false, true) => format!(
            "its --set flags differ: it was given {}, {first} was not",
            flags(&ours)
        ),
        _ => format!(
            "its --set flags differ: {first} was given {}, it was not",
            flags(&theirs)
        ),
    })
}

/// Folds the runs of `shards` (every shard, in index order) into the comparison's results.
fn replay(scenario: &Scenario, shards: &[(&Path, ShardInfo)]) -> Result<Ensemble> {
    let count = shards.len();
    let model = model(scenario);
    let (arms, records) = (model.arms().len(), model.school_regions());
    let schools = records.as_ref().map_or(0, |(region, _)| region.len());
    let limits = (
        model.measures().run_metrics.len(),
        (scenario.config.steps as usize + 1) * model.measures().series.len(),
        schools,
    );
    let mut readers = shards
        .iter()
        .map(|(dir, info)| RunsReader::open(dir, info, arms, records.is_some()))
        .collect::<Result<Vec<_>>>()?;
    let runs = scenario.config.runs as usize;
    let mut folder = Folder::new(&*model, runs, scenario.config.steps);
    for k in 0..runs {
        let per_arm = readers[k % count].next(k, limits)?;
        folder.add(k, per_arm);
    }
    for (reader, (_, info)) in readers.into_iter().zip(shards) {
        reader.finish(&info.runs_sha256)?;
    }
    Ok(folder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_read_back_bit_for_bit_in_order_and_damage_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let arm = |x: f64| ArmRun {
            summary: RunSummary(vec![x, f64::NAN, f64::INFINITY, -0.0].into_boxed_slice()),
            series: vec![0.1 + x, f64::NAN, 1e-300],
            schools: Some(SchoolRun {
                flags: vec![1, 6],
                first_sustain: vec![3, crate::engine::tally::NEVER],
            }),
        };
        // Shard 2 of 3 holds runs 1 and 4.
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&2u32.to_le_bytes());
        bytes.push(1);
        for k in [1, 4] {
            put_run(&mut bytes, k, &[arm(k as f64), arm(-(k as f64))]).unwrap();
        }
        fs::write(tmp.path().join(RUNS_FILE), &bytes).unwrap();
        let info = ShardInfo {
            kind: KIND.into(),
            scenario: "s".into(),
            shard: "2/3".into(),
            index: 2,
            count: 3,
            seed: 1,
            runs: 6,
            steps: 2,
            shard_runs: 2,
            scenario_sha256: String::new(),
            manifest_sha256: String::new(),
            runs_sha256: output::sha256_hex(&bytes),
            network_sha256: BTreeMap::new(),
        };
        let limits = (4, 3, 2);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let mut r = RunsReader::open(tmp.path(), &info, 2, true).unwrap();
        for k in [1, 4] {
            let got = r.next(k, limits).unwrap();
            let want = [arm(k as f64), arm(-(k as f64))];
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(bits(&g.summary.0), bits(&w.summary.0));
                assert_eq!(bits(&g.series), bits(&w.series));
                assert_eq!(g.schools, w.schools);
            }
        }
        r.finish(&info.runs_sha256).unwrap();
        // Out of order, too long a record, or a changed byte: refused, naming the file.
        let mut r = RunsReader::open(tmp.path(), &info, 2, true).unwrap();
        let e = r.next(4, limits).unwrap_err().to_string();
        assert!(e.contains("holds run 1 where run 4"), "{e}");
        let mut r = RunsReader::open(tmp.path(), &info, 2, true).unwrap();
        assert!(r
            .next(1, (3, 3, 2))
            .unwrap_err()
            .to_string()
            .contains("at most 3"));
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(tmp.path().join(RUNS_FILE), &bytes).unwrap();
        let mut r = RunsReader::open(tmp.path(), &info, 2, true).unwrap();
        r.next(1, limits).unwrap();
        r.next(4, limits).unwrap();
        let e = r.finish(&info.runs_sha256).unwrap_err().to_string();
        assert!(e.contains(RUNS_FILE) && e.contains("SHA-256"), "{e}");
        assert!(RunsReader::open(tmp.path(), &info, 3, true).is_err());
    }

    #[test]
    fn set_differences_name_the_flags_of_each_side() {
        let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let first = Path::new("a");
        let diff = |x: &[&str], y: &[&str]| sets_difference(&l(x), &l(y), first);
        assert_eq!(diff(&["x=1", "y=2"], &["x=1", "y=2"]), None);
        let d = diff(&["x=1", "y=2"], &["y=2", "x=1"]).unwrap();
        assert!(d.contains("same --set flags in another order (--set y=2 --set x=1; a was given --set x=1 --set y=2)"), "{d}");
        let d = diff(&["x=1"], &["x=1", "x=1"]).unwrap();
        assert_eq!(
            d,
            "its --set flags differ: it was given --set x=1, a was not"
        );
        let d = diff(&["x=1", "z=3"], &["x=1"]).unwrap();
        assert_eq!(
            d,
            "its --set flags differ: a was given --set z=3, it was not"
        );
        let d = diff(&["x=1"], &["x=2"]).unwrap();
        assert_eq!(
            d,
            "its --set flags differ: it was given --set x=2, a was given --set x=1 instead"
        );
    }

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
