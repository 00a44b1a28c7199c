//! End-to-end tests of the `domino` binary: every subcommand, the files it writes, exit codes and
//! error messages for bad input.
//!
//! Every command runs in a fresh temporary directory (so a default `out/` folder could never land in
//! the source tree), `compare` always with `--quiet` and few runs, so the whole file takes a few
//! seconds.

mod common;
use common::*;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The three strategies of the built-in default scenario, in order.
const DEFAULT_STRATEGIES: [&str; 3] = ["thin-spread", "pilot-then-cascade", "cluster"];

/// Every file `compare` writes for a school-model scenario.
const COMPARE_FILES: [&str; 7] = [
    "manifest.json",
    "paired.csv",
    "runs.csv",
    "scenario.toml",
    "summary.csv",
    "sustained.svg",
    "timeseries.csv",
];

const SUMMARY_HEADER: &str = "strategy,metric,n,mean,sd,ci_low,ci_high,p5,p50,p95";
const PAIRED_HEADER: &str = "strategy,versus,metric,n,p_beats,p_beats_ci_low,p_beats_ci_high,mean_diff,diff_ci_low,diff_ci_high";
const TIMESERIES_HEADER: &str = "strategy,step,metric,n,mean,p5,p50,p95";
const TRACE_HEADER: &str = "school,name,step,stage,practice,fit,effect,support,origin,source";

/// Asserts exit code 2, no panic, no output folder `out_dir`, and that stderr contains every
/// fragment (each shown in full on failure).
fn assert_bad_input(out: &Output, out_dir: &Path, fragments: &[&str]) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit code 2 for bad input\nstdout:\n{}\nstderr:\n{err}",
        stdout(out)
    );
    assert_no_panic(out);
    assert!(
        err.starts_with("error: "),
        "stderr should start with `error: `:\n{err}"
    );
    for f in fragments {
        assert!(
            err.contains(f),
            "stderr should contain\n  {f}\ngot\n  {err}"
        );
    }
    assert!(
        !out_dir.exists(),
        "bad input must not create the output folder {}",
        out_dir.display()
    );
}

/// Writes `text` to `dir/name` (creating folders) and returns the path.
fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, text).unwrap();
    path
}

/// Writes a scenario file `dir/scenario.toml`.
fn scenario_file(dir: &Path, text: &str) -> PathBuf {
    write_file(dir, "scenario.toml", text)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Header and data rows of a CSV file written by domino (no quoting is ever needed).
fn csv(path: &Path) -> (String, Vec<Vec<String>>) {
    let text = read(path);
    assert!(
        text.ends_with('\n'),
        "{} ends without a newline",
        path.display()
    );
    let mut lines = text.lines();
    let header = lines.next().expect("a header").to_string();
    let width = header.split(',').count();
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(
            r.len(),
            width,
            "{} row {} has {} fields, the header {width}",
            path.display(),
            i + 2,
            r.len()
        );
    }
    (header, rows)
}

/// The names of the files in `dir`.
fn files_in(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Runs `domino compare [scenario] --quiet --out DIR extra...` in `cwd` and asserts success.
fn compare(cwd: &Path, scenario: Option<&Path>, out_dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["compare"];
    if let Some(s) = scenario {
        args.push(arg(s));
    }
    args.extend(["--quiet", "--out", arg(out_dir)]);
    args.extend(extra);
    let out = domino(cwd, &args);
    assert_ok(&out);
    out
}

fn parse_toml(text: &str) -> toml::Table {
    text.parse::<toml::Table>()
        .unwrap_or_else(|e| panic!("not valid TOML ({e}):\n{text}"))
}

/// Largest value of the `step` column of a timeseries.csv.
fn max_step(path: &Path) -> u32 {
    let (header, rows) = csv(path);
    assert_eq!(header, TIMESERIES_HEADER);
    rows.iter()
        .map(|r| r[1].parse::<u32>().expect("whole-number step"))
        .max()
        .expect("rows")
}

// ---------------------------------------------------------------------------------------------
// compare

#[test]
fn compare_default_prints_table_and_writes_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("results");
    let out = compare(tmp.path(), None, &out_dir, &["--runs", "20"]);
    let text = stdout(&out);

    // One table row per strategy: its name first, then the sustained share with its CI.
    for name in DEFAULT_STRATEGIES {
        let row = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no table row for {name}:\n{text}"));
        assert!(row.contains('%'), "row without win shares: {row}");
        assert!(
            row.contains('(') && row.contains(')'),
            "row without CI: {row}"
        );
    }
    let verdict = text
        .lines()
        .find(|l| l.starts_with("Winner on students benefiting share: "))
        .unwrap_or_else(|| panic!("no verdict line:\n{text}"));
    assert!(
        DEFAULT_STRATEGIES
            .iter()
            .any(|s| verdict.starts_with(&format!("Winner on students benefiting share: {s} ("))),
        "the verdict names no strategy: {verdict}"
    );
    assert!(
        text.contains("default: 400 schools, 20 terms, 20 paired runs"),
        "{text}"
    );
    assert!(text.contains("20 runs x 3 strategies"), "{text}");
    assert!(text.contains(&format!("Wrote 7 files to {}", out_dir.display())));

    // Exactly the documented files, and no temporary file left behind.
    let expected: BTreeSet<String> = COMPARE_FILES.iter().map(|s| s.to_string()).collect();
    assert_eq!(files_in(&out_dir), expected);
    // Nothing else was written into the working directory (no default `out/`).
    assert_eq!(
        files_in(tmp.path()),
        BTreeSet::from(["results".to_string()])
    );

    // summary.csv: every strategy x metric with n = runs.
    let (header, rows) = csv(&out_dir.join("summary.csv"));
    assert_eq!(header, SUMMARY_HEADER);
    let strategies: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(strategies, BTreeSet::from(DEFAULT_STRATEGIES));
    // n counts the runs where a metric is defined and finite: all 20 for shares, at most 20
    // for times (a time never reached is left out of the mean).
    for r in &rows {
        let n: u32 = r[2].parse().unwrap();
        assert!(n <= 20, "{r:?}");
        if r[1] == "sustained_share" || r[1].ends_with("_reached_share") {
            assert_eq!(n, 20, "{r:?}");
        }
    }
    assert!(rows.iter().any(|r| r[1].ends_with("_reached_share")));
    let sustained: Vec<f64> = rows
        .iter()
        .filter(|r| r[1] == "sustained_share")
        .map(|r| r[3].parse().unwrap())
        .collect();
    assert_eq!(sustained.len(), 3);
    assert!(sustained.iter().all(|v| (0.0..=1.0).contains(v)));

    // runs.csv: exactly runs x strategies rows, runs 0..19 of each strategy in order.
    let (header, rows) = csv(&out_dir.join("runs.csv"));
    assert!(
        header.starts_with("strategy,run,sustained_share,"),
        "{header}"
    );
    assert_eq!(rows.len(), 20 * 3);
    for (s, name) in DEFAULT_STRATEGIES.iter().enumerate() {
        for k in 0..20 {
            let r = &rows[s * 20 + k];
            assert_eq!(
                (r[0].as_str(), r[1].as_str()),
                (*name, k.to_string().as_str())
            );
        }
    }

    // paired.csv: every ordered pair of different strategies.
    let (header, rows) = csv(&out_dir.join("paired.csv"));
    assert_eq!(header, PAIRED_HEADER);
    let pairs: BTreeSet<(&str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(pairs.len(), 6);
    assert!(rows.iter().all(|r| r[0] != r[1]));

    // timeseries.csv: terms 0..=steps of every strategy.
    assert_eq!(max_step(&out_dir.join("timeseries.csv")), 20);
    let (_, rows) = csv(&out_dir.join("timeseries.csv"));
    assert!(rows.iter().any(|r| r[1] == "0"));
    let strategies: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(strategies, BTreeSet::from(DEFAULT_STRATEGIES));

    // scenario.toml: the resolved scenario with the override applied.
    let written = parse_toml(&read(&out_dir.join("scenario.toml")));
    assert_eq!(written["name"].as_str(), Some("default"));
    assert_eq!(written["runs"].as_integer(), Some(20));
    assert_eq!(written["steps"].as_integer(), Some(20));
    assert_eq!(written["seed"].as_integer(), Some(20261122));
    assert_eq!(written["strategies"].as_array().map(Vec::len), Some(3));

    let svg = read(&out_dir.join("sustained.svg"));
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"));
}

#[test]
fn written_scenario_reproduces_the_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    compare(tmp.path(), None, &first, &["--runs", "20"]);
    let written = first.join("scenario.toml");

    // `check` accepts it and prints it back unchanged: it is already fully resolved.
    let out = domino(tmp.path(), &["check", arg(&written)]);
    assert_ok(&out);
    assert_eq!(stdout(&out), read(&written));

    // Comparing it again, without any flag, gives the same results byte for byte.
    let second = tmp.path().join("second");
    compare(tmp.path(), Some(&written), &second, &[]);
    // Not the manifest: it lists the inputs read, and only the second run read a file.
    for name in COMPARE_FILES.iter().filter(|n| **n != "manifest.json") {
        assert_eq!(
            fs::read(first.join(name)).unwrap(),
            fs::read(second.join(name)).unwrap(),
            "{name} differs when the written scenario is run again"
        );
    }
}

#[test]
fn seed_and_steps_flags_are_applied() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    let out = compare(
        tmp.path(),
        None,
        &a,
        &["--runs", "20", "--seed", "7", "--steps", "6"],
    );
    assert!(
        stdout(&out).contains("6 terms, 20 paired runs"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("seed 7"));
    let written = parse_toml(&read(&a.join("scenario.toml")));
    assert_eq!(written["seed"].as_integer(), Some(7));
    assert_eq!(written["steps"].as_integer(), Some(6));
    assert_eq!(max_step(&a.join("timeseries.csv")), 6);

    // Another seed, same everything else: other draws. The same seed again: the same draws.
    let b = tmp.path().join("b");
    compare(
        tmp.path(),
        None,
        &b,
        &["--runs", "20", "--seed", "8", "--steps", "6"],
    );
    assert_ne!(read(&a.join("runs.csv")), read(&b.join("runs.csv")));
    let c = tmp.path().join("c");
    compare(
        tmp.path(),
        None,
        &c,
        &["--runs", "20", "--seed", "7", "--steps", "6"],
    );
    assert_eq!(read(&a.join("runs.csv")), read(&c.join("runs.csv")));
}

#[test]
fn a_cell_with_no_value_is_one_dash() {
    // With no budget there is no unspent share of it: the table says so with one dash, not
    // "- (---)", and no number in it is a negative zero.
    let tmp = tempfile::tempdir().unwrap();
    let out = compare(
        tmp.path(),
        None,
        &tmp.path().join("a"),
        &[
            "--runs",
            "20",
            "--steps",
            "6",
            "--set",
            "budget.per_school=0",
        ],
    );
    let table = stdout(&out);
    assert!(!table.contains("(---)"), "{table}");
    // A negative zero would open a cell or an interval ("0.0-0.0" is an interval).
    // ("-0.01" is a number below zero, shown with enough digits, not a negative zero.)
    let negative_zero = table
        .split(|c: char| c.is_whitespace() || "()±,".contains(c))
        .any(|w| w.starts_with("-0.0") && w.trim_start_matches("-0.").bytes().all(|b| b == b'0'));
    assert!(!negative_zero, "{table}");
    for strategy in DEFAULT_STRATEGIES {
        let row = table
            .lines()
            .find(|l| l.starts_with(strategy))
            .unwrap_or_else(|| panic!("no row for {strategy}:\n{table}"));
        assert!(row.contains("  -  "), "no single dash in {row}");
    }
}

#[test]
fn a_thread_count_out_of_range_is_refused_before_anything_runs() {
    // 100000 threads took minutes to start; 0 silently meant "all cores".
    let tmp = tempfile::tempdir().unwrap();
    for n in ["0", "1025", "100000", "two"] {
        let out_dir = tmp.path().join(format!("t{n}"));
        let out = domino(
            tmp.path(),
            &["compare", "--threads", n, "--quiet", "--out", arg(&out_dir)],
        );
        assert_eq!(out.status.code(), Some(2), "{n}: {}", stderr(&out));
        assert!(stderr(&out).contains("from 1 to 1024"), "{}", stderr(&out));
        assert!(!out_dir.exists());
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = repo("scenarios/example.toml");
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    compare(
        tmp.path(),
        Some(&scenario),
        &one,
        &["--runs", "30", "--threads", "1"],
    );
    compare(
        tmp.path(),
        Some(&scenario),
        &two,
        &["--runs", "30", "--threads", "2"],
    );
    assert_eq!(files_in(&one), files_in(&two));
    assert_eq!(files_in(&one).len(), COMPARE_FILES.len());
    for name in files_in(&one) {
        assert_eq!(
            fs::read(one.join(&name)).unwrap(),
            fs::read(two.join(&name)).unwrap(),
            "{name} differs between --threads 1 and --threads 2"
        );
    }
}

#[test]
fn more_threads_than_a_chunk_holds_runs_a_file_network_with_the_same_bytes() {
    // A file network shortens its chunks to a byte allowance, at least one run per thread:
    // above 256 threads (the chunk cap) that bound used to make `clamp` panic.
    let tmp = tempfile::tempdir().unwrap();
    let scenario = repo("scenarios/domino-chain.toml");
    let (one, many) = (tmp.path().join("one"), tmp.path().join("many"));
    let runs = ["--runs", "6", "--steps", "8"];
    compare(
        tmp.path(),
        Some(&scenario),
        &one,
        &[&runs[..], &["--threads", "1"]].concat(),
    );
    compare(
        tmp.path(),
        Some(&scenario),
        &many,
        &[&runs[..], &["--threads", "300"]].concat(),
    );
    assert_same_tree(&one, &many);
}

#[test]
fn file_network_scenario_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("chain");
    // Run from another directory: the CSV paths are relative to the scenario file.
    let out = compare(
        tmp.path(),
        Some(&repo("scenarios/domino-chain.toml")),
        &out_dir,
        &["--runs", "10"],
    );
    let text = stdout(&out);
    assert!(
        text.contains("domino-chain: 8 schools, 40 terms, 10 paired runs"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("pilot-only ")), "{text}");
    let (_, rows) = csv(&out_dir.join("runs.csv"));
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| r[0] == "pilot-only"));
}

#[test]
fn every_shipped_scenario_compares() {
    let tmp = tempfile::tempdir().unwrap();
    for path in shipped_scenarios() {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out_dir = tmp.path().join(&stem);
        compare(
            tmp.path(),
            Some(&path),
            &out_dir,
            &["--runs", "3", "--steps", "5"],
        );
        assert!(out_dir.join("summary.csv").is_file(), "{stem}");
        assert_eq!(max_step(&out_dir.join("timeseries.csv")), 5, "{stem}");
    }
}

// ---------------------------------------------------------------------------------------------
// check

/// `scenarios/*.toml`, sorted; new files are covered without editing the tests.
fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(repo("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scenarios found");
    files
}

#[test]
fn check_prints_the_resolved_scenario_with_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let input = scenario_file(tmp.path(), "name = \"x\"\n");
    let out = domino(tmp.path(), &["check", arg(&input)]);
    assert_ok(&out);
    let resolved = stdout(&out);
    let t = parse_toml(&resolved);
    assert_eq!(t["name"].as_str(), Some("x"));
    // Defaults the input never mentions.
    assert_eq!(t["seed"].as_integer(), Some(20261122)); // the built-in default's seed: one set of defaults
    assert_eq!(t["runs"].as_integer(), Some(1000));
    assert_eq!(t["steps"].as_integer(), Some(20));
    assert_eq!(t["model"].as_str(), Some("school"));
    assert_eq!(t["network"]["schools"].as_integer(), Some(400));
    assert_eq!(t["network"]["kind"].as_str(), Some("regional"));
    assert_eq!(t["mechanisms"]["dose"]["d50"].as_float(), Some(1.0));
    assert_eq!(t["budget"]["per_school"].as_float(), Some(0.1));
    let names: Vec<&str> = t["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, DEFAULT_STRATEGIES);
    assert!(stderr(&out).contains("is valid"), "{}", stderr(&out));

    // The printed scenario is a fixed point of `check`.
    let again = write_file(tmp.path(), "resolved.toml", &resolved);
    let out = domino(tmp.path(), &["check", arg(&again)]);
    assert_ok(&out);
    assert_eq!(stdout(&out), resolved);
}

#[test]
fn check_accepts_every_shipped_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    for path in shipped_scenarios() {
        let out = domino(tmp.path(), &["check", arg(&path)]);
        assert_ok(&out);
        let t = parse_toml(&stdout(&out));
        assert!(
            t.contains_key("seed") && t.contains_key("mechanisms"),
            "{}",
            path.display()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// init

#[test]
fn init_writes_a_commented_example_that_check_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    // Default path: scenario.toml in the working directory.
    let out = domino(tmp.path(), &["init"]);
    assert_ok(&out);
    let default_path = tmp.path().join("scenario.toml");
    let example = read(&default_path);
    assert!(
        example
            .lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
            >= 10,
        "the example should be commented:\n{example}"
    );
    let out = domino(tmp.path(), &["check", "scenario.toml"]);
    assert_ok(&out);

    // An explicit path gets the same text.
    let named = tmp.path().join("mine.toml");
    assert_ok(&domino(tmp.path(), &["init", arg(&named)]));
    assert_eq!(read(&named), example);
    assert_ok(&domino(tmp.path(), &["check", arg(&named)]));
}

#[test]
fn init_refuses_an_existing_file_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_file(tmp.path(), "taken.toml", "# mine, keep it\n");
    let out = domino(tmp.path(), &["init", arg(&path)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_no_panic(&out);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}: already exists", path.display())),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(read(&path), "# mine, keep it\n", "the file was changed");

    let out = domino(tmp.path(), &["init", arg(&path), "--force"]);
    assert_ok(&out);
    assert_ne!(read(&path), "# mine, keep it\n");
    assert_ok(&domino(tmp.path(), &["check", arg(&path)]));
    // Atomic write: no temporary file left beside it.
    assert_eq!(
        files_in(tmp.path()),
        BTreeSet::from(["taken.toml".to_string()])
    );
}

// ---------------------------------------------------------------------------------------------
// run

/// Trace rows grouped as (school, step) pairs, after checking the header and every value.
fn trace_rows(path: &Path) -> Vec<(String, u32)> {
    let (header, rows) = csv(path);
    assert_eq!(header, TRACE_HEADER);
    rows.iter()
        .map(|r| {
            assert!(
                ["not_adopted", "implementing", "sustained", "abandoned"].contains(&r[3].as_str()),
                "unknown stage {}",
                r[3]
            );
            for (col, v) in [("practice", &r[4]), ("fit", &r[5])] {
                let v: f64 = v.parse().unwrap();
                assert!((0.0..=1.0).contains(&v), "{col} {v} out of [0, 1]");
            }
            let support: f64 = r[7].parse().unwrap();
            assert!(support >= 0.0);
            if r[2] == "0" {
                assert_eq!(support, 0.0, "support before the first term");
            }
            // An adopter says how it came to adopt; a non-adopter has no origin. Only a
            // persuaded school names the pocket that persuaded it.
            let adopter = r[3] == "implementing" || r[3] == "sustained";
            assert_eq!(
                adopter,
                ["recruited", "persuaded_funded", "persuaded"].contains(&r[8].as_str()),
                "stage {} with origin {:?}",
                r[3],
                r[8]
            );
            if !r[9].is_empty() {
                assert!(
                    r[8].starts_with("persuaded"),
                    "source without persuasion: {r:?}"
                );
            }
            (r[0].clone(), r[2].parse().unwrap())
        })
        .collect()
}

#[test]
fn run_writes_a_trace_per_school_and_term() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = tmp.path().join("trace.csv");
    let out = domino(
        tmp.path(),
        &[
            "run",
            "--strategy",
            "cluster",
            "--steps",
            "5",
            "--trace",
            arg(&trace),
        ],
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("cluster run 0 of default:"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("sustained_share"));
    // Terms 0 (the start) to 5, each listing schools 0..400 in order.
    let rows = trace_rows(&trace);
    assert_eq!(rows.len(), 400 * 6);
    for (i, (school, step)) in rows.iter().enumerate() {
        assert_eq!((school, *step), (&(i % 400).to_string(), (i / 400) as u32));
    }

    // --run K picks another world; the same K again gives the same trace.
    let k1 = tmp.path().join("k1.csv");
    let k1_again = tmp.path().join("k1_again.csv");
    for t in [&k1, &k1_again] {
        let out = domino(
            tmp.path(),
            &[
                "run",
                "--strategy",
                "cluster",
                "--steps",
                "5",
                "--run",
                "1",
                "--trace",
                arg(t),
            ],
        );
        assert_ok(&out);
        assert!(stdout(&out).contains("cluster run 1 of default:"));
    }
    assert_eq!(read(&k1), read(&k1_again));
    assert_ne!(read(&k1), read(&trace));
}

#[test]
fn run_traces_a_file_network_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = tmp.path().join("chain.csv");
    let out = domino(
        tmp.path(),
        &[
            "run",
            arg(&repo("scenarios/domino-chain.toml")),
            "--strategy",
            "pilot-only",
            "--steps",
            "12",
            "--trace",
            arg(&trace),
        ],
    );
    assert_ok(&out);
    let rows = trace_rows(&trace);
    assert_eq!(rows.len(), 8 * 13);
    // Schools by the node table's ids, not row numbers.
    assert_eq!(rows[0].0, "s1");
    assert_eq!(rows[7].0, "s8");
}

#[test]
fn run_with_an_unknown_strategy_names_the_available_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = tmp.path().join("trace.csv");
    let out = domino(
        tmp.path(),
        &["run", "--strategy", "nope", "--trace", arg(&trace)],
    );
    assert_bad_input(
        &out,
        &trace,
        &[
            "--strategy: no strategy named \"nope\"",
            "thin-spread, pilot-then-cascade, cluster",
        ],
    );
}

#[test]
fn a_file_output_that_is_a_folder_or_has_no_folder_is_refused_before_running() {
    // These were OS errors with exit code 1 after the run ("Not a directory", for a folder).
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let nowhere = tmp.path().join("missing/file.csv");
    for (args, fragment) in [
        (
            vec!["run", "--strategy", "cluster", "--trace", arg(&folder)],
            "--trace: is a folder",
        ),
        (vec!["network", "--out", arg(&nowhere)], "--out: its folder"),
        (vec!["init", arg(&folder), "--force"], "PATH: is a folder"),
        (
            vec!["show", "--export", arg(&nowhere)],
            "--export: its folder",
        ),
    ] {
        let out = domino(tmp.path(), &args);
        assert_bad_input(&out, &nowhere, &[fragment]);
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 0);
    }
}

#[test]
fn a_file_output_that_is_an_input_of_the_run_is_refused() {
    // `run --trace nodes.csv` replaced the school table it ran from; `network --out` the edge
    // list or the scenario.
    let tmp = tempfile::tempdir().unwrap();
    let scenario = file_network(
        tmp.path(),
        "id,region\na,n\nb,n\nc,s\nd,s\n",
        "source,target,weight\na,b,1\nb,c,0.5\nc,d,1\n",
    );
    let nodes = tmp.path().join("net/nodes.csv");
    let edges = tmp.path().join("net/edges.csv");
    let before: Vec<String> = [&scenario, &nodes, &edges]
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    // The same file by another spelling of its path is still the input.
    let nodes_again = tmp.path().join("net/../net/nodes.csv");
    for (args, fragment) in [
        (
            vec![
                "run",
                arg(&scenario),
                "--strategy",
                "cluster",
                "--trace",
                arg(&nodes_again),
            ],
            "--trace: is this run's network.nodes file",
        ),
        (
            vec!["network", arg(&scenario), "--out", arg(&edges)],
            "--out: is this run's network.edges file",
        ),
        (
            vec!["network", arg(&scenario), "--out", arg(&scenario)],
            "--out: is this run's scenario file",
        ),
        (
            vec!["show", arg(&scenario), "--export", arg(&scenario)],
            "--export: is this run's scenario file",
        ),
    ] {
        let out = domino(tmp.path(), &args);
        assert_bad_input(&out, &tmp.path().join("never-written"), &[fragment]);
    }
    let after: Vec<String> = [&scenario, &nodes, &edges]
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(before, after);
    // Another file is written as before.
    let out = domino(
        tmp.path(),
        &[
            "network",
            arg(&scenario),
            "--out",
            arg(&tmp.path().join("copy.csv")),
        ],
    );
    assert_ok(&out);
}

/// With three runs a share's t-interval reaches below 0; summary.csv and the table give the part
/// a share can take, never a negative share or percentage.
#[test]
fn the_table_shows_share_intervals_within_0_and_100_percent() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("few");
    let run = domino(
        tmp.path(),
        &[
            "compare",
            "--runs",
            "3",
            "--steps",
            "6",
            "--quiet",
            "--out",
            arg(&out),
        ],
    );
    assert_ok(&run);
    let rows: Vec<_> = csv_rows(&out.join("summary.csv"))
        .into_iter()
        .filter(|r| r["metric"] == "sustained_share")
        .collect();
    let low = |r: &std::collections::BTreeMap<String, String>| r["ci_low"].parse::<f64>().unwrap();
    assert!(rows.iter().all(|r| low(r) >= 0.0), "{rows:?}");
    // Clipped: a mean above 0 whose interval starts at 0 exactly (its t-interval went below).
    let clipped = rows
        .iter()
        .any(|r| low(r) == 0.0 && r["mean"].parse::<f64>().unwrap() > 0.0);
    assert!(clipped, "the case needs a clipped lower end in summary.csv");
    assert!(!stdout(&run).contains("(-"), "{}", stdout(&run));
}

/// `pilots = 1` beside three `pilot_ids` pilots all three (the named schools are the first
/// start's; `pilots` counts a later start's): allowed, since `domino show` names pilots over any
/// scenario, but said, as the two read as a contradiction.
#[test]
fn pilot_ids_that_disagree_with_pilots_get_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "[network]\nschools = 30\n[[strategies]]\nname = \"pilot-then-cascade\"\n\
                pilot_ids = [\"1\", \"2\", \"3\"]\n";
    let scenario = scenario_file(tmp.path(), &format!("{text}pilots = 1\n"));
    let out = domino(tmp.path(), &["check", arg(&scenario)]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains(
            "note: strategy pilot-then-cascade names 3 pilot schools in pilot_ids, and all of \
             them are its first pilots; its pilots = 1 counts only the pilots of a later start"
        ),
        "{}",
        stderr(&out)
    );
    // Agreeing, or pilots left to the budget: nothing to say.
    for pilots in ["pilots = 3\n", "pilots = 0\n"] {
        let scenario = scenario_file(tmp.path(), &format!("{text}{pilots}"));
        let out = domino(tmp.path(), &["check", arg(&scenario)]);
        assert_ok(&out);
        assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
    }
}

/// An empty file named .csv is valid (empty) TOML: given as the scenario it ran the built-in
/// default without a word.
#[test]
fn an_empty_csv_given_as_the_scenario_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = write_file(tmp.path(), "nodes.csv", "");
    let out = domino(tmp.path(), &["check", arg(&empty)]);
    assert_bad_input(
        &out,
        &tmp.path().join("never-written"),
        &["this looks like a CSV file"],
    );
}

/// An edge list numbered from 1 makes school 0, which no tie reaches: allowed, but said.
#[test]
fn schools_without_ties_in_a_file_network_get_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    write_file(tmp.path(), "e.csv", "source,target\n1,2\n2,3\n3,1\n");
    let scenario = scenario_file(
        tmp.path(),
        "[network]\nkind = \"file\"\nedges = \"e.csv\"\n",
    );
    let out = domino(tmp.path(), &["check", arg(&scenario)]);
    assert_ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("note: 1 of the 4 schools has no tie in") && err.contains("(such as 0)"),
        "{err}"
    );
    // Numbered from 0: no note of untied schools (only the one on regions made up as blocks).
    write_file(tmp.path(), "e.csv", "source,target\n0,1\n1,2\n2,0\n");
    let out = domino(tmp.path(), &["check", arg(&scenario)]);
    assert_ok(&out);
    assert!(!stderr(&out).contains("no tie"), "{}", stderr(&out));
    // With a node table, a listed school without ties is named by its id.
    let scenario = file_network(
        tmp.path(),
        "id,region\na,n\nb,n\nc,s\n",
        "source,target\na,b\n",
    );
    let out = domino(tmp.path(), &["check", arg(&scenario)]);
    assert_ok(&out);
    assert!(
        stderr(&out).contains("1 of the 3 schools in the node table has no tie")
            && stderr(&out).contains("(such as c)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn merge_says_what_a_folder_that_is_not_a_shard_is() {
    // Each of these was "DIR/sweep.toml: cannot read sweep file".
    let tmp = tempfile::tempdir().unwrap();
    let unsharded = tmp.path().join("unsharded");
    compare(
        tmp.path(),
        None,
        &unsharded,
        &["--runs", "3", "--steps", "2"],
    );
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let file = write_file(tmp.path(), "f.csv", "a\n");
    let merged = tmp.path().join("merged");
    for (dir, fragment) in [
        (
            &unsharded,
            "output of an unsharded run, which needs no merge",
        ),
        (&empty, "is not a shard folder"),
        (&file, "is a file, not a shard folder"),
        (&tmp.path().join("nowhere"), "does not exist"),
    ] {
        let out = domino(tmp.path(), &["merge", arg(dir), "--out", arg(&merged)]);
        assert_bad_input(&out, &merged, &[fragment]);
    }
    // Beside a compare shard, a mistyped folder is said to be missing, not to lack shard.json.
    let shard = tmp.path().join("shard");
    compare(
        tmp.path(),
        None,
        &shard,
        &["--runs", "3", "--steps", "2", "--shard", "1/2"],
    );
    let nowhere = tmp.path().join("nowhere");
    let out = domino(
        tmp.path(),
        &["merge", arg(&shard), arg(&nowhere), "--out", arg(&merged)],
    );
    assert_bad_input(&out, &merged, &["nowhere: does not exist"]);
    let err = stderr(&out);
    assert!(!err.contains("is not a compare shard"), "{err}");
}

#[test]
fn show_takes_at_most_two_strategies_and_report_names_the_folders_it_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("show.html");
    let out = domino(
        tmp.path(),
        &[
            "show",
            "--strategy",
            "thin-spread",
            "--strategy",
            "cluster",
            "--strategy",
            "pilot-then-cascade",
            "--export",
            arg(&page),
        ],
    );
    assert_bad_input(
        &out,
        &page,
        &["--strategy: at most two, one per pane; got 3"],
    );
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = domino(tmp.path(), &["report", arg(&empty)]);
    assert_bad_input(
        &out,
        &empty.join("report.html"),
        &["not the output folder of `domino compare`, `optimise` or `calibrate`"],
    );
}

// ---------------------------------------------------------------------------------------------
// bad input: exit code 2, a message naming file:line:col and field, nothing written

/// Runs `compare` on `scenario` with a fresh output folder; returns the output and that folder.
fn compare_bad(dir: &Path, scenario: &Path) -> (Output, PathBuf) {
    let out_dir = dir.join("never-created");
    let out = domino(
        dir,
        &[
            "compare",
            arg(scenario),
            "--runs",
            "5",
            "--quiet",
            "--out",
            arg(&out_dir),
        ],
    );
    (out, out_dir)
}

/// A scenario `text` that must be rejected with `location: field: ` followed by `message`.
fn assert_rejected(text: &str, line_col: &str, field: &str, message: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let path = scenario_file(tmp.path(), text);
    let (out, out_dir) = compare_bad(tmp.path(), &path);
    let at = format!("{}:{line_col}: {field}: {message}", path.display());
    assert_bad_input(&out, &out_dir, &[&at]);
    // `check` reports the same.
    let out = domino(tmp.path(), &["check", arg(&path)]);
    assert_bad_input(&out, &out_dir, &[&at]);
    assert!(
        stdout(&out).is_empty(),
        "check printed a scenario it rejected"
    );
}

#[test]
fn unknown_key_is_rejected() {
    assert_rejected(
        "name = \"k\"\n\n[innovation]\neffect_mean = 0.2\nbogus = 1\n",
        "5:1",
        "innovation.bogus",
        "unknown field `bogus`, expected one of `effect_mean`, `effect_sd`",
    );
}

#[test]
fn unknown_key_in_a_strategy_names_its_index() {
    assert_rejected(
        "[[strategies]]\nname = \"cluster\"\n\n[[strategies]]\nname = \"thin-spread\"\npilotz = 3\n",
        "6:1",
        "strategies[1].pilotz",
        "unknown field `pilotz`; did you mean `pilots`? expected one of",
    );
}

#[test]
fn wrong_type_is_rejected() {
    assert_rejected(
        "runs = \"many\"\n",
        "1:8",
        "runs",
        "expected a whole number from 1 to 10000000, got the text \"many\"",
    );
}

#[test]
fn unknown_enum_value_lists_the_allowed_ones() {
    assert_rejected(
        "[network]\nkind = \"blob\"\n",
        "2:8",
        "network.kind",
        "unknown variant `blob`, expected one of `regional`, `small-world`",
    );
}

#[test]
fn out_of_range_probability_is_rejected() {
    assert_rejected(
        "name = \"p\"\nruns = 10\n\n[mechanisms.sustain]\nbar = 0.7\nturnover_rate = 1.5\n",
        "6:1",
        "mechanisms.sustain.turnover_rate",
        "must be a probability or share between 0 and 1, got 1.5",
    );
}

#[test]
fn negative_budget_is_rejected() {
    assert_rejected(
        "[budget]\nper_school = -1\n",
        "2:1",
        "budget.per_school",
        "must be between 0 and 1000000, got -1",
    );
}

#[test]
fn zero_schools_is_rejected() {
    assert_rejected(
        "[network]\nschools = 0\n",
        "2:1",
        "network.schools",
        "must be a whole number from 1 to 50000000, got 0",
    );
}

#[test]
fn strategy_without_a_kind_is_rejected() {
    assert_rejected(
        "[[strategies]]\nname = \"cluster\"\n[[strategies]]\nname = \"mine\"\n",
        "3:1",
        "strategies[1].kind",
        "is required unless the name is a kind: thin-spread, pilot-then-cascade or cluster",
    );
}

#[test]
fn a_misspelt_kind_name_gets_did_you_mean() {
    assert_rejected(
        "[[strategies]]\nname = \"pilot-then-cascde\"\n",
        "2:1",
        "strategies[0].name",
        "\"pilot-then-cascde\" is not a kind's name; did you mean \"pilot-then-cascade\"?",
    );
}

/// A scenario in `dir` reading `net/nodes.csv` and `net/edges.csv` (paths relative to it).
fn file_network(dir: &Path, nodes: &str, edges: &str) -> PathBuf {
    write_file(dir, "net/nodes.csv", nodes);
    write_file(dir, "net/edges.csv", edges);
    scenario_file(
        dir,
        "[network]\nkind = \"file\"\nnodes = \"net/nodes.csv\"\nedges = \"net/edges.csv\"\n",
    )
}

#[test]
fn valid_file_network_resolves_paths_against_the_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = file_network(
        tmp.path(),
        "id,region\na,n\nb,n\nc,s\n",
        "source,target,weight\na,b,0.5\nb,c,1\n",
    );
    // Working directory elsewhere: relative paths must not be resolved against it.
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let out = domino(&elsewhere, &["check", arg(&scenario)]);
    assert_ok(&out);
    assert_eq!(
        parse_toml(&stdout(&out))["network"]["schools"].as_integer(),
        Some(3)
    );
}

#[test]
fn edge_to_an_unknown_school_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = file_network(
        tmp.path(),
        "id,region\na,n\nb,n\n",
        "source,target,weight\na,b,0.5\nb,zed,1\n",
    );
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let (out, out_dir) = compare_bad(&elsewhere, &scenario);
    let edges = tmp.path().join("net/edges.csv");
    assert_bad_input(
        &out,
        &out_dir,
        &[&format!(
            "{}:3:2: target: school \"zed\" is not in the node table",
            edges.display()
        )],
    );
}

#[test]
fn malformed_csv_rows_name_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    // A weight that is not a number.
    let scenario = file_network(
        tmp.path(),
        "id\na\nb\nc\n",
        "source,target,weight\na,b,0.5\nb,c,heavy\n",
    );
    let (out, out_dir) = compare_bad(tmp.path(), &scenario);
    let edges = tmp.path().join("net/edges.csv");
    assert_bad_input(
        &out,
        &out_dir,
        &[&format!(
            "{}:3:3: weight: expected a tie weight from 0.000001 to 1, got \"heavy\"",
            edges.display()
        )],
    );

    // A node attribute out of range, after a comment line (lines count from the file's start).
    let scenario = file_network(
        tmp.path(),
        "# schools\nid,need\na,0.5\nb,high\n",
        "source,target\na,b\n",
    );
    let (out, out_dir) = compare_bad(tmp.path(), &scenario);
    let nodes = tmp.path().join("net/nodes.csv");
    assert_bad_input(
        &out,
        &out_dir,
        &[&format!(
            "{}:4:2: need: expected a number between 0 and 1 (or an empty cell), got \"high\"",
            nodes.display()
        )],
    );

    // Without a node table, ids must be whole numbers.
    let scenario = write_file(
        tmp.path(),
        "plain.toml",
        "[network]\nkind = \"file\"\nedges = \"net/plain.csv\"\n",
    );
    write_file(tmp.path(), "net/plain.csv", "source,target\n0,1\n1,x2\n");
    let (out, out_dir) = compare_bad(tmp.path(), &scenario);
    assert_bad_input(
        &out,
        &out_dir,
        &[&format!(
            "{}:3:2: target: expected a school id",
            tmp.path().join("net/plain.csv").display()
        )],
    );
}

#[test]
fn missing_csv_file_is_rejected_at_the_field_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let path = scenario_file(
        tmp.path(),
        "[network]\nkind = \"file\"\nedges = \"net/nowhere.csv\"\n",
    );
    let (out, out_dir) = compare_bad(tmp.path(), &path);
    assert_bad_input(
        &out,
        &out_dir,
        &[
            &format!("{}:3:1: network.edges: ", path.display()),
            &tmp.path().join("net/nowhere.csv").display().to_string(),
            "relative to the scenario file",
        ],
    );
}

#[test]
fn missing_scenario_file_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("nowhere.toml");
    let (out, out_dir) = compare_bad(tmp.path(), &path);
    assert_bad_input(
        &out,
        &out_dir,
        &[&format!("{}: cannot read scenario file", path.display())],
    );
    let out = domino(tmp.path(), &["check", arg(&path)]);
    assert_bad_input(&out, &out_dir, &["cannot read scenario file"]);
}

#[test]
fn bad_command_line_flags_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("never-created");
    let o = arg(&out_dir);
    let cases: [(&[&str], &str); 5] = [
        (
            &["compare", "--quiet", "--out", o, "--runs", "abc"],
            "--runs",
        ),
        (&["compare", "--quiet", "--out", o, "--runs", "-3"], "-3"),
        (&["compare", "--quiet", "--out", o, "--bogus"], "--bogus"),
        (
            &["compare", "--quiet", "--out", o, "--runs", "0"],
            "--runs: must be a whole number from 1",
        ),
        (
            &["compare", "--quiet", "--out", o, "--steps", "0"],
            "--steps: must be a whole number from 1",
        ),
    ];
    for (args, fragment) in cases {
        let out = domino(tmp.path(), args);
        assert_bad_input(&out, &out_dir, &[fragment]);
    }
    // A missing required flag and an unknown subcommand.
    for args in [&["run", "--trace", "t.csv"][..], &["frobnicate"][..]] {
        let out = domino(tmp.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_no_panic(&out);
    }
    assert!(!tmp.path().join("t.csv").exists());
}

// ---------------------------------------------------------------------------------------------
// output paths that cannot be written: one clear message

#[test]
fn an_unwritable_output_path_is_one_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    // (An existing file as compare's --out is bad input, refused before running: tests/outputs.rs.)
    // A trace into a folder that does not exist: bad input, found before the run (it was an OS
    // error with exit code 1 after it).
    let trace = tmp.path().join("no/such/folder/trace.csv");
    let out = domino(
        tmp.path(),
        &[
            "run",
            "--strategy",
            "cluster",
            "--steps",
            "2",
            "--trace",
            arg(&trace),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_no_panic(&out);
    let err = stderr(&out);
    assert!(err.contains(&trace.display().to_string()), "{err}");
    assert_eq!(
        err.matches("does not exist").count(),
        1,
        "the cause is repeated: {err}"
    );
    assert!(!trace.exists());
}

// ---------------------------------------------------------------------------------------------
// classic models

const CLASSIC: &str = "model = \"independent-cascade\"\nseed = 3\nruns = 30\nsteps = 50\n\
    [network]\nkind = \"random\"\nschools = 2000\nmean_degree = 4.0\n\
    [classic]\ntransmission = 0.4\n\
    [[seedings]]\nname = \"random\"\ncount = 5\n\
    [[seedings]]\nname = \"hubs\"\nrule = \"degree\"\ncount = 5\n\
    [[seedings]]\nname = \"listed\"\nrule = \"list\"\nnodes = [0, 1, 2]\n";

#[test]
fn classic_compare_writes_the_same_files_with_classic_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let path = scenario_file(tmp.path(), CLASSIC);
    let out_dir = tmp.path().join("out");
    let out = compare(tmp.path(), Some(&path), &out_dir, &[]);
    let text = stdout(&out);
    for rule in ["random", "hubs", "listed"] {
        assert!(text.contains(rule), "{rule} missing from\n{text}");
    }
    assert!(text.contains("Winner on final active share"), "{text}");
    let files = files_in(&out_dir);
    for f in [
        "summary.csv",
        "paired.csv",
        "runs.csv",
        "timeseries.csv",
        "scenario.toml",
        "adoption.svg",
    ] {
        assert!(files.contains(f), "{f} missing: {files:?}");
    }
    let (header, rows) = csv(&out_dir.join("runs.csv"));
    assert_eq!(
        header,
        "strategy,run,final_active_share,global_cascade,time_to_50pct,last_change_step,seeds"
    );
    assert_eq!(rows.len(), 3 * 30);
    for r in &rows {
        let share: f64 = r[2].parse().unwrap();
        assert!((0.0..=1.0).contains(&share));
        let seeds: f64 = r[6].parse().unwrap();
        assert_eq!(seeds, if r[0] == "listed" { 3.0 } else { 5.0 });
    }
    assert_eq!(max_step(&out_dir.join("timeseries.csv")), 50);
    // The resolved scenario reproduces the comparison byte for byte.
    let again = tmp.path().join("again");
    compare(
        tmp.path(),
        Some(&out_dir.join("scenario.toml")),
        &again,
        &[],
    );
    assert_eq!(
        read(&out_dir.join("runs.csv")),
        read(&again.join("runs.csv"))
    );
}

#[test]
fn classic_results_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let path = scenario_file(tmp.path(), CLASSIC);
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    compare(tmp.path(), Some(&path), &one, &["--threads", "1"]);
    compare(tmp.path(), Some(&path), &two, &["--threads", "2"]);
    for f in files_in(&one) {
        assert_eq!(read(&one.join(&f)), read(&two.join(&f)), "{f} differs");
    }
}

#[test]
fn classic_run_traces_activation_times_and_network_exports_the_ties() {
    let tmp = tempfile::tempdir().unwrap();
    let path = scenario_file(tmp.path(), CLASSIC);
    let trace = tmp.path().join("trace.csv");
    assert_ok(&domino(
        tmp.path(),
        &[
            "run",
            arg(&path),
            "--strategy",
            "listed",
            "--trace",
            arg(&trace),
        ],
    ));
    let (header, rows) = csv(&trace);
    assert_eq!(header, "node,degree,seed,activated_at");
    assert_eq!(rows.len(), 2000);
    for r in &rows {
        let node: u32 = r[0].parse().unwrap();
        assert_eq!(r[2] == "1", node < 3, "only the listed nodes are seeds");
        if node < 3 {
            assert_eq!(r[3], "0");
        }
    }
    let out = domino(
        tmp.path(),
        &[
            "run",
            arg(&path),
            "--strategy",
            "nope",
            "--trace",
            arg(&trace),
        ],
    );
    assert_bad_input(&out, &tmp.path().join("never"), &["random, hubs, listed"]);

    let edges = tmp.path().join("edges.csv");
    assert_ok(&domino(
        tmp.path(),
        &["network", arg(&path), "--out", arg(&edges)],
    ));
    let (header, rows) = csv(&edges);
    assert_eq!(header, "source,target,weight");
    assert_eq!(rows.len(), 4000, "2000 nodes x mean degree 4 / 2");
    // Fed back as a file network, the same graph gives a valid scenario.
    let file_scn = write_file(
        tmp.path(),
        "file.toml",
        "model = \"threshold\"\nruns = 5\n[network]\nkind = \"file\"\nedges = \"edges.csv\"\n",
    );
    let out = domino(tmp.path(), &["check", arg(&file_scn)]);
    assert_ok(&out);
}

#[test]
fn bad_classic_inputs_are_rejected() {
    let base = "model = \"threshold\"\n[network]\nkind = \"random\"\nschools = 100\n";
    assert_rejected(
        &format!("{base}[classic]\nthreshold = 1.5\n"),
        "6:1",
        "classic.threshold",
        "must be a probability or share between 0 and 1, got 1.5",
    );
    assert_rejected(
        &format!("{base}[[seedings]]\nname = \"x\"\nrule = \"list\"\nnodes = [5, 100]\n"),
        "8:1",
        "seedings[0].nodes",
        "node 100 does not exist: indices run from 0 to 99",
    );
    assert_rejected(
        "name = \"s\"\n[classic]\ntransmission = 0.2\n",
        "2:2",
        "classic",
        "is only read by the classic models",
    );
}

/// Regression: a budget split over the pilots lost the last pilot to rounding (7 pilots at
/// 999,999.7 SU per term gave 6), because the budget check used an absolute tolerance.
#[test]
fn every_pilot_is_recruited_whatever_the_budget() {
    let tmp = tempfile::tempdir().unwrap();
    for total in ["999999.7", "10000.0", "0.7"] {
        let scn = write_file(
            tmp.path(),
            "pilots.toml",
            &format!(
                "runs = 1\nsteps = 1\n[network]\nschools = 60\nregions = 2\n\
                 [budget]\ntotal = {total}\n\
                 [[strategies]]\nname = \"pilots\"\nkind = \"pilot-then-cascade\"\npilots = 7\n"
            ),
        );
        let out = domino(
            tmp.path(),
            &[
                "run",
                "pilots.toml",
                "--strategy",
                "pilots",
                "--trace",
                "t.csv",
            ],
        );
        assert_ok(&out);
        let _ = scn;
        let trace = std::fs::read_to_string(tmp.path().join("t.csv")).unwrap();
        let header: Vec<&str> = trace.lines().next().unwrap().split(',').collect();
        let (step, stage) = (
            header.iter().position(|h| *h == "step").unwrap(),
            header.iter().position(|h| *h == "stage").unwrap(),
        );
        let started = trace
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|c| c[step] == "1" && c[stage] == "implementing")
            .count();
        assert_eq!(started, 7, "budget {total}");
    }
}

/// A comparison of one run has no confidence interval; the verdict and the HTML page say so
/// instead of printing "NaN to NaN" or "n/a to n/a".
#[test]
fn the_verdict_of_a_single_run_names_no_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("one");
    let out = domino(
        tmp.path(),
        &[
            "compare",
            "--runs",
            "1",
            "--steps",
            "6",
            "--quiet",
            "--report",
            "--out",
            arg(&out_dir),
        ],
    );
    assert_ok(&out);
    let text = stdout(&out);
    // One run has no uncertainty to be "within", and one pair is no "100% of paired runs".
    let verdict = text
        .lines()
        .find(|l| l.starts_with("No winner can be named on"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!verdict.contains("NaN"), "{verdict}");
    assert!(
        verdict.contains("one run gives no uncertainty, so it cannot say with confidence"),
        "{verdict}"
    );
    assert!(!verdict.contains("within the uncertainty"), "{verdict}");
    assert!(!verdict.contains("of paired runs"), "{verdict}");
    // The page's decision says the same, for the headline and for every paired comparison.
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    let decision = &html[html.find("id=\"decision\"").unwrap()..];
    let decision = &decision[..decision.find("</section>").unwrap()];
    assert!(!decision.contains("n/a to n/a"), "{decision}");
    assert!(!decision.contains("95% CI"), "{decision}");
    assert!(
        decision.matches("no interval from one run").count() >= 3,
        "{decision}"
    );
    assert!(
        decision.contains("One run gives no uncertainty, so it cannot say with confidence"),
        "{decision}"
    );
    assert!(!decision.contains("within the uncertainty"), "{decision}");
    assert!(!decision.contains("of paired runs"), "{decision}");
}

/// `objective` decides what the verdict, the first column and the `>name` shares are about: the
/// default is students benefiting, and `objective = "sustained_share"` swaps it for the sustained
/// share (so the knob is not ignored).
#[test]
fn the_objective_decides_the_verdict_and_the_first_column() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let out_dir = tmp.path().join(format!("o{}", extra.len()));
        let mut args = vec![
            "compare", "--runs", "20", "--steps", "6", "--quiet", "--out",
        ];
        args.push(arg(&out_dir));
        args.extend_from_slice(extra);
        let out = domino(tmp.path(), &args);
        assert_ok(&out);
        stdout(&out)
    };
    let default = run(&[]);
    assert!(
        default.contains("Winner on students benefiting share: "),
        "{default}"
    );
    let header = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("strategy"))
            .unwrap()
            .to_string()
    };
    assert!(header(&default).contains("benefiting % (95% CI)  sustained %"));
    let sustained = run(&["--set", "objective=sustained_share"]);
    assert!(
        sustained.contains("Winner on sustained share: "),
        "{sustained}"
    );
    assert!(header(&sustained).contains("sustained % (95% CI)  benefiting %"));
}
