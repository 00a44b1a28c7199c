//! End-to-end tests of `domino sweep` and `domino merge`: resuming after SIGKILL, sharding and
//! merging, bad sweep files, and refusals (changed sweep, foreign or missing shards, damaged,
//! swapped or foreign point records).
//! Every comparison is byte for byte over every file of the output folders.

mod common;
use common::*;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// A small sweep: 12 points of the default system at 60 runs, about a second on 2 cores.
const SWEEP: &str = "name = \"t\"\nseed = 5\nruns = 60\ndesign = \"grid\"\n\
    [[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [0.3, 0.6, 1.2]\n\
    [[parameters]]\npath = \"strategies.pilot-then-cascade.pilots\"\nvalues = [4, 8]\n\
    [[parameters]]\npath = \"mechanisms.contagion.form\"\nvalues = [\"simple\", \"complex\"]\n";

fn domino(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_domino"))
        .args(args)
        .output()
        .expect("the domino binary starts")
}

fn sweep(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sweep", arg(file), "--quiet", "--out", arg(out)];
    args.extend(extra);
    domino(&args)
}

#[test]
fn a_straight_sweep_writes_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    let out = tmp.path().join("out");
    assert_ok(&sweep(&file, &out, &[]));
    for f in [
        "points.csv",
        "winners.csv",
        "sensitivity.csv",
        "map.svg",
        "manifest.json",
        "sweep.toml",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let points = fs::read_to_string(out.join("points.csv")).unwrap();
    assert!(points.starts_with(
        "point,param_mechanisms.dose.d50,param_strategies.pilot-then-cascade.pilots,param_mechanisms.contagion.form,strategy,students_benefiting_share_mean,"
    ));
    assert_eq!(
        points.lines().count(),
        1 + 12 * 3,
        "one row per point and strategy"
    );
    let winners = fs::read_to_string(out.join("winners.csv")).unwrap();
    assert_eq!(winners.lines().count(), 1 + 12);
    for line in winners.lines().skip(1) {
        let p_best: f64 = line.split(',').nth(5).unwrap().parse().unwrap();
        assert!((0.0..=1.0).contains(&p_best), "{line}");
    }
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"points_done\": 12"), "{manifest}");
    // The resolved sweep in the folder reproduces the same results from scratch.
    let again = tmp.path().join("again");
    assert_ok(&sweep(&out.join("sweep.toml"), &again, &[]));
    assert_eq!(
        fs::read(out.join("points.csv")).unwrap(),
        fs::read(again.join("points.csv")).unwrap()
    );
}

/// The finished point records in `dir/points` (temporaries of a killed writer not counted).
fn records(dir: &Path) -> usize {
    fs::read_dir(dir.join("points")).map_or(0, |entries| {
        entries
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                !name.starts_with('.') && name.ends_with(".csv")
            })
            .count()
    })
}

fn points_done(dir: &Path) -> Option<u64> {
    let text = fs::read_to_string(dir.join("manifest.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).expect("the manifest is JSON");
    v["points_done"].as_u64()
}

#[test]
fn a_sweep_killed_at_any_moment_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    let straight = tmp.path().join("straight");
    assert_ok(&sweep(&file, &straight, &["--threads", "2"]));
    // Kill when k records are on disk (k = 0: as soon as it started), polling rather than
    // sleeping a fixed time, so the kill lands inside the sweep however loaded the machine is.
    for (k, after_records) in [0usize, 1, 5, 11].into_iter().enumerate() {
        let out = tmp.path().join(format!("killed-{k}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_domino"))
            .args([
                "sweep",
                arg(&file),
                "--quiet",
                "--out",
                arg(&out),
                "--threads",
                "1",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        while records(&out) < after_records && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        let still_running = child.try_wait().unwrap().is_none();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert!(
            still_running && !out.join("points.csv").exists(),
            "kill {k} did not interrupt the sweep: the test proves nothing"
        );
        // points_done is true after the kill: the records on disk, or one fewer if the kill
        // fell between a record and the manifest update.
        if let Some(done) = points_done(&out) {
            let on_disk = records(&out) as u64;
            assert!(
                done == on_disk || done + 1 == on_disk,
                "manifest says {done} points done, {on_disk} records on disk"
            );
        }
        // Without --resume an existing sweep folder is refused, and left as it is.
        if out.join("manifest.json").exists() {
            let refused = sweep(&file, &out, &[]);
            assert_eq!(refused.status.code(), Some(2));
        }
        assert_ok(&sweep(&file, &out, &["--resume", "--threads", "1"]));
        assert_same_tree(&straight, &out);
    }
}

/// Runs the small sweep into `tmp/name` and returns the folder.
#[test]
fn a_sweep_killed_before_its_manifest_resumes() {
    // What a kill between writing sweep.toml and the manifest leaves: sweep.toml, a temporary
    // file, the empty record folder. It is the sweep's own, not someone else's folder.
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    let straight = tmp.path().join("straight");
    assert_ok(&sweep(&file, &straight, &["--threads", "2"]));
    let out = tmp.path().join("early");
    std::fs::create_dir_all(out.join("points")).unwrap();
    std::fs::copy(straight.join("sweep.toml"), out.join("sweep.toml")).unwrap();
    write(&out, ".manifest.json.123.tmp", "{");
    write(&out, ".DS_Store", "");
    assert_ok(&sweep(&file, &out, &["--resume", "--threads", "2"]));
    assert_eq!(
        std::fs::read(out.join("points.csv")).unwrap(),
        std::fs::read(straight.join("points.csv")).unwrap()
    );
}

fn finished_sweep(tmp: &Path, file: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = tmp.join(name);
    assert_ok(&sweep(file, &out, extra));
    out
}

fn assert_refused_naming(out: &Output, file: &Path) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let name = file.file_name().unwrap().to_string_lossy();
    assert!(
        err.contains(&*name),
        "the error does not name {name}: {err}"
    );
}

#[test]
fn damaged_or_swapped_records_are_refused_by_resume_and_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    let half = finished_sweep(tmp.path(), &file, "half", &["--shard", "1/2"]);
    let other = finished_sweep(tmp.path(), &file, "other", &["--shard", "2/2"]);
    let record = half.join("points/000002.csv");
    let good = fs::read(&record).unwrap();

    // A changed digit, then a flipped bit: resume and merge refuse, naming the file, and the
    // failed merge leaves no output folder.
    let digit = good
        .iter()
        .rposition(|b| b.is_ascii_digit() && *b != b'9')
        .unwrap();
    let mut changed = good.clone();
    changed[digit] += 1;
    let mut flipped = good.clone();
    flipped[good.len() / 3] ^= 0x04;
    for bad in [changed, flipped] {
        fs::write(&record, &bad).unwrap();
        assert_refused_naming(
            &sweep(&file, &half, &["--shard", "1/2", "--resume"]),
            &record,
        );
        let merged = tmp.path().join("merged");
        let out = domino(&["merge", arg(&half), arg(&other), "--out", arg(&merged)]);
        assert_refused_naming(&out, &record);
        assert!(!merged.exists(), "a failed merge left its output folder");
    }
    fs::write(&record, &good).unwrap();

    // A file that is no point's record (the sweep has 12 points): named, not passed over.
    for stray in ["points/000099.csv", "points/notes.txt"] {
        let stray = half.join(stray);
        fs::write(&stray, &good).unwrap();
        let out = sweep(&file, &half, &["--shard", "1/2", "--resume"]);
        assert_refused_naming(&out, &stray);
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("is not the record of a point of this sweep"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let merged = tmp.path().join("merged");
        let out = domino(&["merge", arg(&half), arg(&other), "--out", arg(&merged)]);
        assert_refused_naming(&out, &stray);
        assert!(!merged.exists());
        fs::remove_file(&stray).unwrap();
    }

    // Two records swapped: each holds the other's point.
    let (a, b) = (
        half.join("points/000000.csv"),
        half.join("points/000002.csv"),
    );
    let (ta, tb) = (fs::read(&a).unwrap(), fs::read(&b).unwrap());
    fs::write(&a, &tb).unwrap();
    fs::write(&b, &ta).unwrap();
    let out = sweep(&file, &half, &["--shard", "1/2", "--resume"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds point"));
    let merged = tmp.path().join("merged");
    let out = domino(&["merge", arg(&half), arg(&other), "--out", arg(&merged)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!merged.exists());
}

#[test]
fn records_of_another_sweep_are_never_reused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    let out = finished_sweep(tmp.path(), &file, "out", &[]);
    fs::remove_file(out.join("manifest.json")).unwrap();
    let changed = write(tmp.path(), "c.toml", SWEEP.replace("seed = 5", "seed = 6"));
    // Without --resume, a folder holding records is refused even without its manifest...
    let refused = sweep(&changed, &out, &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"));
    // ...and with it, the other sweep's records are refused, naming one.
    let refused = sweep(&changed, &out, &["--resume"]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("another sweep") && err.contains(".csv"),
        "{err}"
    );
}

#[test]
fn shards_merge_to_the_bytes_of_an_unsharded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    let straight = tmp.path().join("straight");
    assert_ok(&sweep(&file, &straight, &[]));
    // 13 shards for 12 points: one shard is empty, which must work too.
    for n in [2usize, 3, 5, 13] {
        let shards: Vec<PathBuf> = (1..=n)
            .map(|i| {
                let dir = tmp.path().join(format!("n{n}-{i}"));
                assert_ok(&sweep(&file, &dir, &["--shard", &format!("{i}/{n}")]));
                dir
            })
            .collect();
        let merged = tmp.path().join(format!("merged-{n}"));
        let mut args = vec!["merge"];
        args.extend(shards.iter().map(|d| arg(d)));
        args.extend(["--out", arg(&merged)]);
        assert_ok(&domino(&args));
        assert_same_tree(&straight, &merged);
        // A missing shard, or one given twice, is refused.
        let out = tmp.path().join(format!("partial-{n}"));
        let missing = domino(&["merge", arg(&shards[0]), "--out", arg(&out)]);
        assert_eq!(missing.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&missing.stderr).contains("missing"));
        let twice = domino(&[
            "merge",
            arg(&shards[0]),
            arg(&shards[0]),
            "--out",
            arg(&out),
        ]);
        assert_eq!(twice.status.code(), Some(2));
        let err = stderr(&twice);
        assert!(
            err.contains("is given twice: give each shard once") && !err.contains("overlap"),
            "{err}"
        );
        // Two different folders holding the same point do overlap.
        let overlap = domino(&["merge", arg(&straight), arg(&shards[0]), "--out", arg(&out)]);
        assert_eq!(overlap.status.code(), Some(2));
        assert!(stderr(&overlap).contains("in both"), "{}", stderr(&overlap));
        assert!(!out.exists(), "a refused merge writes nothing");
    }
}

#[test]
fn shards_run_with_set_merge_to_the_unsharded_bytes_and_other_flags_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    let sets = ["--set", "description=x", "--set", "steps=6"];
    let straight = tmp.path().join("straight");
    assert_ok(&sweep(&file, &straight, &sets));
    let shard = |name: &str, spec: &str, sets: &[&str]| {
        let dir = tmp.path().join(name);
        let mut extra = vec!["--shard", spec];
        extra.extend(sets);
        assert_ok(&sweep(&file, &dir, &extra));
        dir
    };
    let one = shard("one", "1/2", &sets);
    let two = shard("two", "2/2", &sets);
    // The merged manifest lists the --set flags, as the unsharded run's does.
    let merged = tmp.path().join("merged");
    assert_ok(&domino(&[
        "merge",
        arg(&one),
        arg(&two),
        "--out",
        arg(&merged),
    ]));
    assert_same_tree(&straight, &merged);
    // The same flags in another order: the same sweep, but not one command line.
    let swapped = shard(
        "swapped",
        "2/2",
        &["--set", "steps=6", "--set", "description=x"],
    );
    let refused = tmp.path().join("refused");
    let out = domino(&["merge", arg(&one), arg(&swapped), "--out", arg(&refused)]);
    assert_refused_naming(&out, &swapped);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("same --set flags in another order"), "{err}");
    // Another value: a different sweep, and the flag is named.
    let other = shard(
        "other",
        "2/2",
        &["--set", "description=x", "--set", "steps=7"],
    );
    let out = domino(&["merge", arg(&one), arg(&other), "--out", arg(&refused)]);
    assert_refused_naming(&out, &other);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("different sweep") && err.contains("it was given --set steps=7"),
        "{err}"
    );
    assert!(!refused.exists());
}

#[test]
fn a_changed_sweep_is_neither_resumed_nor_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    let out = tmp.path().join("out");
    assert_ok(&sweep(&file, &out, &["--shard", "1/2"]));
    let changed = write(tmp.path(), "s2.toml", SWEEP.replace("seed = 5", "seed = 6"));
    let refused = sweep(&changed, &out, &["--shard", "1/2", "--resume"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("different sweep"));
    let other = tmp.path().join("other");
    assert_ok(&sweep(&changed, &other, &["--shard", "2/2"]));
    let merged = tmp.path().join("merged");
    let refused = domino(&["merge", arg(&out), arg(&other), "--out", arg(&merged)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("different sweep"));
}

/// A shard whose own `sweep.toml` no longer matches its manifest was changed by hand: refused,
/// naming that file, whichever shard it is (only the first one's is read for the merge, so an
/// edit elsewhere was not noticed, and one in the first read as "a different sweep than" itself).
#[test]
fn a_shard_whose_sweep_file_was_edited_is_refused_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    assert_ok(&sweep(&file, &one, &["--shard", "1/2"]));
    assert_ok(&sweep(&file, &two, &["--shard", "2/2"]));
    let merged = tmp.path().join("merged");
    for edited in [&one, &two] {
        let sweep_file = edited.join("sweep.toml");
        let text = std::fs::read_to_string(&sweep_file).unwrap();
        let changed = text.replacen("runs = 60", "runs = 61", 1);
        assert_ne!(text, changed, "{text}");
        std::fs::write(&sweep_file, changed).unwrap();
        let out = domino(&["merge", arg(&one), arg(&two), "--out", arg(&merged)]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(arg(&sweep_file))
                && err.contains("does not match the sweep_hash in manifest.json")
                && err.contains("changed or damaged")
                && !err.contains("different sweep"),
            "{err}"
        );
        assert!(!merged.exists(), "a refused merge writes nothing");
        std::fs::write(&sweep_file, text).unwrap();
    }
    assert_ok(&domino(&[
        "merge",
        arg(&one),
        arg(&two),
        "--out",
        arg(&merged),
    ]));
}

#[test]
fn bad_sweep_files_name_file_line_and_parameter_and_write_nothing() {
    let cases = [
        (
            "[[parameters]]\npath = \"mechanisms.dose.d5O\"\nvalues = [1.0]\n",
            "s.toml:2:1: parameters[0].path: \"mechanisms.dose.d5O\" is not a field of the base scenario",
        ),
        (
            "[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [\"high\"]\n",
            "s.toml:3:1: parameters[0].values: \"high\" is not a number",
        ),
        (
            "[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = []\n",
            "s.toml:3:1: parameters[0].values: must list at least one value",
        ),
        (
            "design = \"latin-hypercube\"\npoints = 10\n[[parameters]]\npath = \"budget.per_school\"\nmin = 0.3\nmax = 0.1\n",
            "s.toml:6:1: parameters[0].max: the range must have min <= max, got min 0.3, max 0.1",
        ),
        (
            "desing = \"grid\"\n",
            "s.toml:1:1: desing: unknown field `desing`",
        ),
    ];
    for (text, expected) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let file = write(tmp.path(), "s.toml", text);
        let out = tmp.path().join("never");
        let result = sweep(&file, &out, &[]);
        let err = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{err}");
        assert!(
            err.contains(expected),
            "expected\n  {expected}\ngot\n  {err}"
        );
        assert!(!err.contains("panicked"));
        assert!(
            !out.exists(),
            "a bad sweep must not create its output folder"
        );
    }
}

/// The cell of `column` in the row of `rows` whose `key` cells are `values`.
fn cell_of(
    rows: &[std::collections::BTreeMap<String, String>],
    key: &[(&str, &str)],
    column: &str,
) -> String {
    let row = rows
        .iter()
        .find(|r| key.iter().all(|(k, v)| r[*k] == *v))
        .unwrap_or_else(|| panic!("no row {key:?}"));
    row.get(column)
        .unwrap_or_else(|| panic!("no column {column}"))
        .clone()
}

#[test]
fn a_swept_objective_keeps_every_column_one_quantity_and_times_say_how_many_got_there() {
    // Point 1 competes on the sustained share; its students_benefiting_share columns must still
    // hold the students benefiting, as `domino compare` of the same scenario reports them.
    let text = "name = \"o\"\nseed = 7\nruns = 30\ndesign = \"grid\"\n\
        [base]\nsteps = 14\n[base.network]\nschools = 60\nregions = 3\n\
        [[parameters]]\npath = \"objective\"\n\
        values = [\"students_benefiting\", \"sustained_share\"]\n";
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "o.toml", text);
    let out = tmp.path().join("out");
    assert_ok(&sweep(&file, &out, &["--threads", "1"]));
    let points = csv_rows(&out.join("points.csv"));
    let sweep_def = domino::sweep::Sweep::from_toml(text, None).unwrap();
    for point in &sweep_def.points {
        let scenario = sweep_def.scenario(point).map_err(|(_, e)| e).unwrap();
        let scn_file = write(
            tmp.path(),
            &format!("point{}.toml", point.id),
            toml::to_string(scenario.config()).unwrap(),
        );
        let cmp = tmp.path().join(format!("cmp{}", point.id));
        assert_ok(&domino(&[
            "compare",
            arg(&scn_file),
            "--out",
            arg(&cmp),
            "--quiet",
            "--threads",
            "1",
        ]));
        let summary = csv_rows(&cmp.join("summary.csv"));
        let id = point.id.to_string();
        let objective = point.values[0].as_str().unwrap();
        let strategies: Vec<String> = summary.iter().map(|r| r["strategy"].clone()).collect();
        for strategy in &strategies {
            let row = [("point", id.as_str()), ("strategy", strategy.as_str())];
            for metric in [
                "students_benefiting_share",
                "sustained_share",
                "time_to_50pct_terms",
                "equity_gap",
            ] {
                let want = cell_of(
                    &summary,
                    &[("strategy", strategy), ("metric", metric)],
                    "mean",
                );
                let got = cell_of(&points, &row, &format!("{metric}_mean"));
                assert_eq!(
                    got, want,
                    "{metric} of {strategy} at point {id} ({objective})"
                );
                let want = cell_of(
                    &summary,
                    &[("strategy", strategy), ("metric", metric)],
                    "p95",
                );
                let got = cell_of(&points, &row, &format!("{metric}_p95"));
                assert_eq!(got, want, "{metric} p95 of {strategy} at point {id}");
            }
            // The mean time is over the runs that got there; how many did is beside it.
            let metric = "time_to_50pct_terms_reached_share";
            let want = cell_of(
                &summary,
                &[("strategy", strategy), ("metric", metric)],
                "mean",
            );
            assert_eq!(
                cell_of(&points, &row, metric),
                want,
                "{strategy} at point {id}"
            );
        }
    }
    // sensitivity.csv correlates one quantity with the objective, named as the column.
    let sens = fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert!(
        sens.contains("objective,cluster.students_benefiting_share,"),
        "{sens}"
    );
}

#[test]
fn set_on_a_swept_field_is_refused_naming_the_flag_and_the_parameter() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "s.toml", SWEEP);
    // The same field in other words, and a table holding it, are the same conflict.
    for (set, param) in [
        ("mechanisms.dose.d50=3", "mechanisms.dose.d50"),
        (
            "strategies[1].pilots=6",
            "strategies.pilot-then-cascade.pilots",
        ),
        (
            "mechanisms.contagion.form=simple",
            "mechanisms.contagion.form",
        ),
    ] {
        let out = tmp.path().join("never");
        let result = sweep(&file, &out, &["--set", set]);
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "{err}");
        assert!(
            err.contains(&format!("--set {set}")) && err.contains(&format!("parameter `{param}`")),
            "{err}"
        );
        assert!(!out.exists(), "a refused sweep writes nothing");
    }
    // A field the sweep does not vary is fine.
    let out = tmp.path().join("ok");
    assert_ok(&sweep(
        &file,
        &out,
        &["--set", "steps=4", "--set", "description=x"],
    ));
}

/// The base scenario's network files are named by path in the sweep's fingerprint, so their
/// contents are recorded (SHA-256) in the manifest: a file edited between shards, or before a
/// `--resume`, is refused naming it, rather than merged into points of two networks.
#[test]
fn a_network_file_changed_between_shards_or_before_resume_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = |from: &str, to: &str| fs::copy(repo(from), tmp.path().join(to)).unwrap();
    fs::create_dir(tmp.path().join("calibrate-example")).unwrap();
    copy("scenarios/calibrate-example.toml", "ce.toml");
    for f in ["edges.csv", "nodes.csv"] {
        copy(
            &format!("scenarios/calibrate-example/{f}"),
            &format!("calibrate-example/{f}"),
        );
    }
    let file = write(
        tmp.path(),
        "s.toml",
        "base = \"ce.toml\"\nseed = 3\nruns = 4\ndesign = \"grid\"\n[[parameters]]\n\
         path = \"mechanisms.dose.d50\"\nvalues = [0.3, 0.6, 1.2]\n",
    );
    let edges = tmp.path().join("calibrate-example/edges.csv");
    let original = fs::read_to_string(&edges).unwrap();
    let straight = tmp.path().join("straight");
    assert_ok(&sweep(&file, &straight, &[]));
    let (one, two) = (tmp.path().join("w-1"), tmp.path().join("w-2"));
    assert_ok(&sweep(&file, &one, &["--shard", "1/2"]));
    // The district corrects one tie weight while shard 2 waits in the queue.
    let edited = original.replacen("s001,s002,0.9763972", "s001,s002,0.5", 1);
    assert_ne!(edited, original);
    fs::write(&edges, edited).unwrap();
    assert_ok(&sweep(&file, &two, &["--shard", "2/2"]));
    let merged = tmp.path().join("merged");
    let m = domino(&["merge", arg(&one), arg(&two), "--out", arg(&merged)]);
    assert_eq!(m.status.code(), Some(2), "{}", stderr(&m));
    let err = stderr(&m);
    assert!(
        err.contains("network.edges file") && err.contains("edges.csv") && err.contains("changed"),
        "{err}"
    );
    assert!(!merged.exists(), "a refused merge writes nothing");
    // Resuming the straight run after the edit would mix the networks too.
    fs::remove_file(straight.join("points/000001.csv")).unwrap();
    let r = sweep(&file, &straight, &["--resume"]);
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    let err = stderr(&r);
    assert!(
        err.contains("cannot be resumed") && err.contains("edges.csv"),
        "{err}"
    );
    // With the file as the shards and the straight run read it, both go through.
    fs::write(&edges, &original).unwrap();
    let redo = tmp.path().join("w-2b");
    assert_ok(&sweep(&file, &redo, &["--shard", "2/2"]));
    assert_ok(&domino(&[
        "merge",
        arg(&one),
        arg(&redo),
        "--out",
        arg(&merged),
    ]));
    assert_ok(&sweep(&file, &straight, &["--resume"]));
    assert_same_tree(&straight, &merged);
}
