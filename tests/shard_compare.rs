//! `domino compare --shard I/N` and `domino merge` of compare shards (issue 12, "beyond one
//! machine"): shards run in any order with any thread count merge into exactly the bytes of an
//! unsharded comparison (generated network, network read from files with per-school files, an
//! uncertain parameter), and bad shard specs and mismatched, missing, duplicated or damaged
//! shards are refused naming the folder, with no output written.

mod common;
use common::*;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

const NODES: &str = "id,name,region,size,readiness\n\
    a1,\"Hill, St Mary\",north,300,0.9\na2,Brook,north,400,0.5\na3,Cedar,north,500,0.4\n\
    b1,Dale,south,300,0.8\nb2,Elm,south,400,0.5\nb3,Fern,south,500,0.3\n\
    c1,Glen,east,300,0.7\nc2,Heath,east,400,0.5\nc3,Ivy,east,500,0.4\n";

const EDGES: &str = "source,target,weight\n\
    a1,a2,1\na2,a3,1\na3,a1,0.8\nb1,b2,1\nb2,b3,1\nb3,b1,0.8\nc1,c2,1\nc2,c3,1\nc3,c1,0.8\n\
    a3,b1,0.5\nb3,c1,0.5\nc3,a1,0.5\n";

/// Nine schools read from files, in three regions, and two strategies.
const FILE_SCENARIO: &str = "name = \"nine\"\nseed = 5\nruns = 25\nsteps = 8\n\
    [network]\nkind = \"file\"\nnodes = \"nodes.csv\"\nedges = \"edges.csv\"\n\
    [budget]\nper_school = 1.0\n\
    [[strategies]]\nname = \"thin-spread\"\nmandate = true\n\
    [[strategies]]\nname = \"pilot-then-cascade\"\npilots = 2\n";

const UNCERTAIN: &str = "mechanisms.dose.d50={ dist = \"log-uniform\", low = 0.3, high = 3 }";

/// `domino compare` in `cwd` with the scenario arguments `scenario`, into `out`, plus `extra`.
fn compare(cwd: &Path, scenario: &[&str], out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["compare", "--quiet", "--out", arg(out)];
    args.extend(scenario);
    args.extend(extra);
    domino(cwd, &args)
}

fn merge(cwd: &Path, dirs: &[&Path], out: &Path) -> Output {
    let mut args = vec!["merge"];
    args.extend(dirs.iter().map(|d| arg(d)));
    args.extend(["--out", arg(out)]);
    domino(cwd, &args)
}

/// Runs `scenario` unsharded (2 threads) and as `n` shards (in reverse order, with 1, 2, 1, ...
/// threads), merges the shards given in a rotated order, and checks every file byte for byte.
/// Returns the shard folders.
fn merges_to_unsharded(cwd: &Path, name: &str, scenario: &[&str], n: usize) -> Vec<PathBuf> {
    let straight = cwd.join(format!("{name}-straight"));
    assert_ok(&compare(cwd, scenario, &straight, &["--threads", "2"]));
    let shards: Vec<PathBuf> = (1..=n)
        .map(|i| cwd.join(format!("{name}-shard-{i}")))
        .collect();
    for i in (1..=n).rev() {
        let threads = if i % 2 == 0 { "2" } else { "1" };
        let spec = format!("{i}/{n}");
        let out = compare(
            cwd,
            scenario,
            &shards[i - 1],
            &["--shard", &spec, "--threads", threads],
        );
        assert_ok(&out);
        assert!(
            stdout(&out).contains(&format!("shard {spec}")),
            "{}",
            stdout(&out)
        );
    }
    let mut given: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    given.rotate_left(1);
    let merged = cwd.join(format!("{name}-merged"));
    let out = merge(cwd, &given, &merged);
    assert_ok(&out);
    assert!(stdout(&out).contains("merged"), "{}", stdout(&out));
    assert_same_tree(&straight, &merged);
    shards
}

#[test]
fn default_scenario_shards_merge_to_the_unsharded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = ["--runs", "20", "--steps", "10"];
    let shards = merges_to_unsharded(tmp.path(), "default", &scenario, 3);
    // Shard I holds the runs k with k % 3 == I - 1: 7, 7 and 6 of 20.
    for (dir, runs) in shards.iter().zip([7, 7, 6]) {
        let info: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("shard.json")).unwrap()).unwrap();
        assert_eq!(info["shard_runs"], runs, "{}", dir.display());
    }
    let files = tree(&shards[0]);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["manifest.json", "runs.bin", "scenario.toml", "shard.json"]
    );
    // More shards than runs: the empty shards merge too.
    merges_to_unsharded(tmp.path(), "tiny", &["--runs", "2", "--steps", "4"], 3);
}

#[test]
fn file_network_shards_merge_to_the_unsharded_bytes_with_school_and_region_files() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "nodes.csv", NODES);
    write(tmp.path(), "edges.csv", EDGES);
    let file = write(tmp.path(), "nine.toml", FILE_SCENARIO);
    let shards = merges_to_unsharded(tmp.path(), "nine", &[arg(&file)], 3);
    let merged = tree(&tmp.path().join("nine-merged"));
    for name in [
        "schools.csv",
        "regions.csv",
        "network-edges.csv",
        "network-nodes.csv",
    ] {
        assert!(merged.contains_key(name), "{name} missing");
    }
    // A changed copy of a network file is refused, naming it.
    let copy = shards[1].join("network-edges.csv");
    fs::write(&copy, EDGES.replace("a1,a2,1", "a1,a2,0.9")).unwrap();
    let dirs: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    refused(tmp.path(), &dirs, &copy, "SHA-256");
}

#[test]
fn shards_with_an_uncertain_parameter_merge_to_the_unsharded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = ["--runs", "24", "--steps", "8", "--set", UNCERTAIN];
    merges_to_unsharded(tmp.path(), "uncertain", &scenario, 3);
    assert!(tmp
        .path()
        .join("uncertain-merged/uncertainty.csv")
        .is_file());
}

#[test]
fn bad_shard_specs_are_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for spec in ["0/3", "4/3", "1/0", "x", "1-3", "-1/3"] {
        let flag = format!("--shard={spec}");
        let result = compare(tmp.path(), &["--runs", "3"], &out, &[&flag]);
        assert_eq!(result.status.code(), Some(2), "--shard {spec}");
        assert_no_panic(&result);
        assert!(
            stderr(&result).contains("expected I/N"),
            "{}",
            stderr(&result)
        );
        assert!(!out.exists());
    }
    let result = compare(
        tmp.path(),
        &["--runs", "3"],
        &out,
        &["--shard", "1/2", "--ablate"],
    );
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr(&result).contains("--ablate"), "{}", stderr(&result));
    assert!(!out.exists());
}

/// Runs shard `spec` of the default scenario with `extra` scenario arguments into `cwd/name`.
fn shard(cwd: &Path, name: &str, spec: &str, extra: &[&str]) -> PathBuf {
    let dir = cwd.join(name);
    let mut scenario = vec!["--runs", "9", "--steps", "5"];
    scenario.extend(extra);
    assert_ok(&compare(cwd, &scenario, &dir, &["--shard", spec]));
    dir
}

/// The merge of `dirs` fails as bad input, names `folder` and says `what`, and writes nothing.
fn refused(cwd: &Path, dirs: &[&Path], folder: &Path, what: &str) {
    let out = cwd.join("merged");
    let result = merge(cwd, dirs, &out);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert_no_panic(&result);
    let err = stderr(&result);
    assert!(
        err.contains(arg(folder)),
        "{err} does not name {}",
        folder.display()
    );
    assert!(err.contains(what), "{err} does not say {what}");
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
}

#[test]
fn mismatched_missing_duplicated_and_damaged_shards_are_refused_naming_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let one = shard(cwd, "one", "1/2", &[]);
    let two = shard(cwd, "two", "2/2", &[]);
    let other_seed = shard(cwd, "seed", "2/2", &["--seed", "77"]);
    let other_scenario = shard(cwd, "set", "2/2", &["--set", "budget.per_school=0.5"]);
    let of_three = shard(cwd, "three", "2/3", &[]);
    refused(cwd, &[&one, &other_seed], &other_seed, "seed");
    // What differs is named: the --set flag, the number of terms.
    refused(
        cwd,
        &[&one, &other_scenario],
        &other_scenario,
        "different comparison than",
    );
    refused(
        cwd,
        &[&one, &other_scenario],
        &other_scenario,
        "its --set flags differ: it was given --set budget.per_school=0.5",
    );
    let other_steps = cwd.join("steps");
    assert_ok(&compare(
        cwd,
        &["--runs", "9", "--steps", "6"],
        &other_steps,
        &["--shard", "2/2"],
    ));
    refused(
        cwd,
        &[&one, &other_steps],
        &other_steps,
        "number of terms (steps) is 6, not 5",
    );
    // The same flags in another order run the same scenario, but the merged manifest.json
    // could list only one of the orders: refused, saying so.
    let ab = [
        "--set",
        "budget.per_school=0.5",
        "--set",
        "mechanisms.dose.d50=1.5",
    ];
    let ba = [
        "--set",
        "mechanisms.dose.d50=1.5",
        "--set",
        "budget.per_school=0.5",
    ];
    let first = shard(cwd, "ab", "1/2", &ab);
    let swapped = shard(cwd, "ba", "2/2", &ba);
    refused(
        cwd,
        &[&first, &swapped],
        &swapped,
        "same --set flags in another order",
    );
    assert_ok(&merge(
        cwd,
        &[&first, &shard(cwd, "ab2", "2/2", &ab)],
        &cwd.join("merged-ab"),
    ));
    refused(cwd, &[&one, &of_three], &of_three, "shard count");
    refused(
        cwd,
        &[&one],
        &one,
        "shard 2/2 of this comparison is missing",
    );
    refused(cwd, &[&one, &two, &one], &one, "holds shard 1/2, which");
    // A plain comparison's folder is not a shard.
    let plain = cwd.join("plain");
    assert_ok(&compare(cwd, &["--runs", "9", "--steps", "5"], &plain, &[]));
    refused(cwd, &[&one, &plain], &plain, "is not a compare shard");
    // The two good shards merge.
    let merged = cwd.join("merged");
    assert_ok(&merge(cwd, &[&one, &two], &merged));
    assert_same_tree(&plain, &merged);
    fs::remove_dir_all(&merged).unwrap();
    // A damaged or cut-short runs file is refused, naming it.
    let runs = two.join("runs.bin");
    let mut bytes = fs::read(&runs).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&runs, &bytes).unwrap();
    refused(cwd, &[&one, &two], &runs, "SHA-256");
    bytes.truncate(bytes.len() - 9);
    fs::write(&runs, &bytes).unwrap();
    refused(cwd, &[&one, &two], &runs, "ends early");
    // A missing one is bad input like the rest (exit 2), not an error of this machine.
    fs::remove_file(&runs).unwrap();
    refused(
        cwd,
        &[&one, &two],
        &two,
        "runs.bin is missing: the shard is incomplete or damaged",
    );
    fs::write(two.join("shard.json"), "{").unwrap();
    refused(cwd, &[&one, &two], &two, "not a compare shard");
}

#[test]
fn report_on_a_shard_says_to_merge_first() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let one = shard(cwd, "one", "1/2", &[]);
    let result = domino(cwd, &["report", arg(&one)]);
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert_no_panic(&result);
    let err = stderr(&result);
    assert!(
        err.contains(arg(&one)) && err.contains("is a shard") && err.contains("domino merge"),
        "{err}"
    );
    assert!(!one.join("report.html").exists());
}

/// Runs `contrib/slurm/compare-local.sh N ROOT ARGS...` (the Slurm compare pipeline's scripts,
/// without Slurm) with this build's domino.
fn compare_local(n: usize, root: &Path, args: &[&str]) -> Output {
    std::process::Command::new("bash")
        .arg(repo("contrib/slurm/compare-local.sh"))
        .arg(n.to_string())
        .arg(root)
        .args(args)
        .env("DOMINO", env!("CARGO_BIN_EXE_domino"))
        .output()
        .expect("bash starts")
}

/// The Slurm scripts: a `--quiet` among the compare arguments is not given twice (compare.sbatch
/// adds its own), and with fewer runs than shards, shard 1 rightly holding every run passes the
/// check.
#[test]
fn the_slurm_compare_scripts_take_quiet_and_fewer_runs_than_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let quiet = compare_local(
        2,
        &tmp.path().join("q"),
        &["--runs", "3", "--steps", "5", "--quiet"],
    );
    assert_ok(&quiet);
    let few = compare_local(3, &tmp.path().join("f"), &["--runs", "1", "--steps", "5"]);
    assert_ok(&few);
    assert!(
        stdout(&few).contains("1 + 0 + 0 = 1 runs"),
        "{}",
        stdout(&few)
    );
}
