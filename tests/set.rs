//! `--set PATH=VALUE` on `compare`, `run`, `sweep` and `check`: a set field changes the result
//! exactly as editing the file does, is written into the output folder, and bad paths or values
//! are errors that name the flag.

mod common;

use common::{arg, assert_ok, domino, stderr, stdout, write};
use std::fs;
use std::path::Path;

const SMALL: &str = "runs = 12\nsteps = 8\n[network]\nschools = 60\nregions = 3\n";

fn compare(dir: &Path, scenario: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["compare", arg(scenario), "--out", out, "--quiet"];
    args.extend_from_slice(extra);
    domino(dir, &args)
}

#[test]
fn a_set_value_equals_editing_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plain = write(dir, "plain.toml", SMALL);
    let edited = write(
        dir,
        "edited.toml",
        format!("{SMALL}[mechanisms.dose]\nd50 = 2.5\n"),
    );
    assert_ok(&compare(dir, &plain, "a", &[]));
    assert_ok(&compare(
        dir,
        &plain,
        "b",
        &["--set", "mechanisms.dose.d50=2.5"],
    ));
    assert_ok(&compare(dir, &edited, "c", &[]));
    let summary = |d: &str| fs::read(dir.join(d).join("summary.csv")).unwrap();
    assert_ne!(summary("a"), summary("b"), "the set d50 changed nothing");
    assert_eq!(summary("b"), summary("c"));
    // The folder reproduces the run: its scenario has the set value, its manifest the flag.
    let written = fs::read_to_string(dir.join("b/scenario.toml")).unwrap();
    assert!(written.contains("d50 = 2.5"), "{written}");
    let manifest = fs::read_to_string(dir.join("b/manifest.json")).unwrap();
    assert!(manifest.contains("mechanisms.dose.d50=2.5"), "{manifest}");
    assert!(!fs::read_to_string(dir.join("a/manifest.json"))
        .unwrap()
        .contains("\"sets\""));
    assert_ok(&compare(dir, &dir.join("b/scenario.toml"), "d", &[]));
    assert_eq!(summary("b"), summary("d"));
}

#[test]
fn strategies_by_name_bare_words_and_repeats() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plain = write(dir, "plain.toml", SMALL);
    let out = domino(
        dir,
        &[
            "check",
            arg(&plain),
            "--set",
            "strategies.pilot-then-cascade.pilots=3",
            "--set",
            "mechanisms.contagion.form=complex",
            "--set",
            "budget.total=30",
        ],
    );
    assert_ok(&out);
    let text = stdout(&out);
    let t: toml::Table = toml::from_str(&text).unwrap();
    let pilot = t["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"].as_str() == Some("pilot-then-cascade"))
        .unwrap();
    assert_eq!(pilot["pilots"].as_integer(), Some(3));
    assert_eq!(
        t["mechanisms"]["contagion"]["form"].as_str(),
        Some("complex")
    );
    assert_eq!(t["budget"]["total"].as_float(), Some(30.0));
    // The last of two sets of one field wins; check works on the built-in default too.
    let out = domino(dir, &["check", "--set", "runs=7", "--set", "runs=9"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("runs = 9"), "{}", stdout(&out));
}

#[test]
fn bad_paths_and_values_name_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plain = write(dir, "plain.toml", SMALL);
    let cases: &[(&str, &[&str])] = &[
        (
            "mechanisms.dose.d50=abc",
            &[
                "--set mechanisms.dose.d50=abc",
                "expected a number",
                "\"abc\"",
            ],
        ),
        (
            "mechanisms.dose.d5O=1",
            &[
                "--set mechanisms.dose.d5O=1",
                "no field \"d5O\" (did you mean \"d50\"?)",
            ],
        ),
        ("mechanisms.dosage.d50=1", &["no field \"dosage\"", "dose"]),
        (
            "strategies.nobody.pilots=3",
            &["no entry named \"nobody\"", "pilot-then-cascade"],
        ),
        (
            "mechanisms.dose.d50=-1",
            &["--set mechanisms.dose.d50=-1", "d50"],
        ),
        (
            "strategies.cluster.pilots=2.5",
            &["expected a whole number"],
        ),
        // As the file refuses `runs = 5.0`, in its words.
        (
            "runs=5.0",
            &[
                "--set runs=5.0",
                "expected a whole number from 1 to 10000000, got the number 5.0",
            ],
        ),
        (
            "strategies.cluster.pilots=2.0",
            &["expected a whole number, 0 or more, got the number 2.0"],
        ),
        // `[show]` is a table of the scenario, and its fields are listed.
        ("show.x=1", &["show has no field \"x\"; it has: variants"]),
        // seed is never a distribution, nor swept: neither is offered.
        (
            "seed=1979-05-27",
            &["expected a whole number, got the date 1979-05-27"],
        ),
        (
            "seed={ dist = \"uniform\", low = 1, high = 2 }",
            &["cannot be uncertain", "give one value"],
        ),
        ("mechanisms.dose=3", &["is a table", "d50"]),
        ("runs.x=3", &["single value"]),
        ("nothing", &["PATH=VALUE"]),
    ];
    for (set, fragments) in cases {
        let out = domino(dir, &["check", arg(&plain), "--set", set]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{set}: {err}");
        assert!(!err.contains("panicked"), "{set}: {err}");
        for f in *fragments {
            assert!(err.contains(f), "{set}: {f:?} not in {err}");
        }
        if set.starts_with("seed") {
            assert!(
                !err.contains("distribution") && !err.contains("sweep it"),
                "{set}: {err}"
            );
        }
        // Errors about a set value are the flag's, not a line of the file.
        if set.contains('=') && !err.contains("PATH=VALUE") {
            assert!(!err.contains("plain.toml:"), "{set}: {err}");
        }
    }
    // An error in the file still names the file's line when sets are given.
    let broken = write(
        dir,
        "broken.toml",
        "runs = 12\n[mechanisms.dose]\nd50 = -3\n",
    );
    let out = domino(dir, &["check", arg(&broken), "--set", "steps=5"]);
    assert!(stderr(&out).contains("broken.toml:3"), "{}", stderr(&out));
}

#[test]
fn run_and_sweep_take_sets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plain = write(dir, "plain.toml", SMALL);
    let trace = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "run",
            arg(&plain),
            "--strategy",
            "thin-spread",
            "--trace",
            name,
        ];
        args.extend_from_slice(extra);
        assert_ok(&domino(dir, &args));
        fs::read(dir.join(name)).unwrap()
    };
    let a = trace("a.csv", &[]);
    let b = trace("b.csv", &["--set", "mechanisms.dose.d50=3"]);
    assert_ne!(a, b, "run ignored --set");

    // `network` too: the set generator parameter changes the edge list.
    let edges = |name: &str, extra: &[&str]| {
        let mut args = vec!["network", arg(&plain), "--out", name];
        args.extend_from_slice(extra);
        assert_ok(&domino(dir, &args));
        fs::read(dir.join(name)).unwrap()
    };
    assert_ne!(
        edges("e1.csv", &[]),
        edges("e2.csv", &["--set", "network.mean_degree=2"])
    );

    let sweep = write(
        dir,
        "sweep.toml",
        "base = \"plain.toml\"\nruns = 4\n[[parameters]]\npath = \"budget.per_school\"\nvalues = [0.1, 0.2]\n",
    );
    let run = |out: &str, extra: &[&str]| {
        let mut args = vec!["sweep", arg(&sweep), "--out", out, "--quiet"];
        args.extend_from_slice(extra);
        assert_ok(&domino(dir, &args));
        fs::read_to_string(dir.join(out).join("sweep.toml")).unwrap()
    };
    let plain_sweep = run("s1", &[]);
    let set_sweep = run("s2", &["--set", "mechanisms.dose.d50=3"]);
    assert!(!plain_sweep.contains("d50 = 3.0"));
    assert!(set_sweep.contains("d50 = 3.0"), "{set_sweep}");
    let manifest = fs::read_to_string(dir.join("s2/manifest.json")).unwrap();
    assert!(manifest.contains("mechanisms.dose.d50=3"), "{manifest}");
    let points = |out: &str| fs::read(dir.join(out).join("points.csv")).unwrap();
    assert_ne!(points("s1"), points("s2"));
    let out = domino(
        dir,
        &[
            "sweep",
            arg(&sweep),
            "--out",
            "s3",
            "--set",
            "mechanisms.dose.d50=x",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--set mechanisms.dose.d50=x"),
        "{}",
        stderr(&out)
    );
}
