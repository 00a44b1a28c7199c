//! Parameter uncertainty (MODEL.md V2.6): numeric fields written as distributions are drawn once
//! per run and shared by every strategy of the run; the draws are in `runs.csv`; the table says
//! how often each strategy wins and which drawn parameters decide the winner (`uncertainty.csv`);
//! bad distributions are errors naming file, line and field.

mod common;

use common::{arg, assert_ok, csv_rows, domino, stderr, stdout, tree, write};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const SMALL: &str = "runs = 30\nsteps = 8\n[network]\nschools = 60\nregions = 3\n";

fn compare(dir: &Path, scenario: &Path, out: &str, extra: &[&str]) {
    let mut args = vec!["compare", arg(scenario), "--out", out, "--quiet"];
    args.extend_from_slice(extra);
    assert_ok(&domino(dir, &args));
}

#[test]
fn draws_differ_by_run_and_are_shared_by_the_strategies_of_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = write(
        dir,
        "s.toml",
        format!(
            "{SMALL}[mechanisms.dose]\nd50 = {{ dist = \"log-uniform\", low = 0.3, high = 3 }}\n"
        ),
    );
    compare(
        dir,
        &s,
        "o",
        &[
            "--set",
            "strategies.pilot-then-cascade.pilots={ dist = \"uniform\", low = 2, high = 9 }",
        ],
    );
    let rows = csv_rows(&dir.join("o/runs.csv"));
    let mut by_run: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for r in &rows {
        let d50: f64 = r["mechanisms.dose.d50"].parse().unwrap();
        let pilots = &r["strategies.pilot-then-cascade.pilots"];
        assert!((0.3..=3.0).contains(&d50), "{d50}");
        let p: f64 = pilots.parse().unwrap();
        assert!(p.fract() == 0.0 && (2.0..=9.0).contains(&p), "{pilots}");
        by_run
            .entry(r["run"].clone())
            .or_default()
            .push((r["mechanisms.dose.d50"].clone(), pilots.clone()));
    }
    assert_eq!(by_run.len(), 30);
    for (k, draws) in &by_run {
        assert_eq!(draws.len(), 3);
        assert!(draws.iter().all(|d| d == &draws[0]), "run {k}: {draws:?}");
    }
    let distinct: std::collections::BTreeSet<&String> = by_run.values().map(|d| &d[0].0).collect();
    assert_eq!(distinct.len(), 30, "every run draws its own d50");
    // The draw reaches the model: with d50 fixed at the centre of its law, results differ.
    let fixed = write(
        dir,
        "f.toml",
        format!("{SMALL}[mechanisms.dose]\nd50 = 0.9486832980505138\n"),
    );
    compare(dir, &fixed, "f", &[]);
    assert_ne!(
        fs::read(dir.join("o/summary.csv")).unwrap(),
        fs::read(dir.join("f/summary.csv")).unwrap()
    );
    // The folder reproduces the run: scenario.toml keeps the laws.
    let written = fs::read_to_string(dir.join("o/scenario.toml")).unwrap();
    assert!(
        written.contains("d50 = { dist = \"log-uniform\", low = 0.3, high = 3.0 }"),
        "{written}"
    );
    compare(dir, &dir.join("o/scenario.toml"), "again", &[]);
    assert_eq!(
        fs::read(dir.join("o/runs.csv")).unwrap(),
        fs::read(dir.join("again/runs.csv")).unwrap()
    );
    // `run --run k` traces run k with run k's draws.
    let trace = |k: &str, name: &str| {
        assert_ok(&domino(
            dir,
            &[
                "run",
                arg(&s),
                "--strategy",
                "cluster",
                "--run",
                k,
                "--trace",
                name,
            ],
        ));
        fs::read(dir.join(name)).unwrap()
    };
    assert_ne!(trace("0", "t0.csv"), trace("1", "t1.csv"));
}

#[test]
fn without_distributions_nothing_changes_in_runs_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = write(dir, "s.toml", SMALL);
    compare(dir, &s, "o", &[]);
    let header = fs::read_to_string(dir.join("o/runs.csv")).unwrap();
    let header = header.lines().next().unwrap();
    assert!(!header.contains('.'), "{header}");
    assert!(!dir.join("o/uncertainty.csv").exists());
}

#[test]
fn bad_distributions_name_file_line_and_field() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cases: &[(&str, &[&str])] = &[
        (
            "d50 = { dist = \"gamma\", shape = 2 }",
            &[
                "s.toml:7",
                "mechanisms.dose.d50",
                "unknown distribution \"gamma\"",
                "log-uniform",
            ],
        ),
        (
            "d50 = { dist = \"normal\", mean = 1, sd = -0.5 }",
            &["s.toml:7", "mechanisms.dose.d50", "sd must be >= 0"],
        ),
        (
            "d50 = { dist = \"uniform\", low = 2, high = 1 }",
            &["s.toml:7", "mechanisms.dose.d50", "low must be below high"],
        ),
        (
            // d50 must be above 0: the support reaches -1.
            "d50 = { dist = \"uniform\", low = -1, high = 2 }",
            &[
                "s.toml:7",
                "mechanisms.dose.d50",
                "draws may reach -1",
                "invalid",
            ],
        ),
        (
            // A law centred on an invalid value (0) is about its range too, not the centre.
            "d50 = { dist = \"uniform\", low = -5, high = 5 }",
            &[
                "s.toml:7",
                "mechanisms.dose.d50: draws may reach -5 (the law is checked from -5 to 5)",
                "got -5",
            ],
        ),
        (
            // Both ends and the centre (2) out of a share's range: the law's ends are named, not
            // a centre written nowhere in the file.
            "[innovation]\nlearning_rate = { dist = \"uniform\", low = -1, high = 5 }",
            &[
                "s.toml:8",
                "innovation.learning_rate: draws may reach -1 (the law is checked from -1 to 5)",
            ],
        ),
        (
            // Huge and tiny ends are written in exponent form, not digit by digit.
            "d50 = { dist = \"log-uniform\", low = 1e-300, high = 1e300 }",
            &[
                "draws may reach 1e-300 (the law is checked from 1e-300 to 1e300)",
                "got 1e-300",
            ],
        ),
        (
            "d50 = { dist = \"uniform\", low = 0.5, high = 5e12 }",
            &[
                "draws may reach 5e12 (the law is checked from 0.5 to 5e12)",
                "got 5e12",
            ],
        ),
        (
            // A normal is validated 4 sd out: 1 - 4 * 0.3 < 0.
            "d50 = { dist = \"normal\", mean = 1, sd = 0.3 }",
            &[
                "s.toml:7",
                "mechanisms.dose.d50",
                "draws may reach -0.2",
                "clamped",
            ],
        ),
        (
            // A rule joining two fields (turnover x the mandate's multiplier 1.5 is a
            // probability): the error is about the multiplier, but the turnover's range, not
            // d50's (listed first), is what the scenario cannot take.
            "d50 = { dist = \"uniform\", low = 1, high = 2 }\n[mechanisms.sustain]\n\
             turnover_rate = { dist = \"uniform\", low = 0, high = 0.9 }",
            &[
                "s.toml:9",
                "mechanisms.sustain.turnover_rate: draws may reach 0.9 with mechanisms.dose.d50",
                "mandate_abandon_multiplier must not exceed 1",
            ],
        ),
        (
            "d50 = { dist = \"uniform\", low = 1, high = 2, mode = 1.5 }",
            &["s.toml:7", "\"mode\" is not one of them"],
        ),
    ];
    for (line, says) in cases {
        let s = write(dir, "s.toml", format!("{SMALL}[mechanisms.dose]\n{line}\n"));
        let out = domino(dir, &["check", arg(&s)]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{line}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        for f in *says {
            assert!(err.contains(f), "{line}: {f:?} not in {err}");
        }
    }
    // Fields that shape the ensemble cannot be uncertain.
    for field in ["steps", "runs"] {
        let s = write(
            dir,
            "s.toml",
            format!("{field} = {{ dist = \"uniform\", low = 5, high = 9 }}\n"),
        );
        let err = stderr(&domino(dir, &["check", arg(&s)]));
        assert!(
            err.contains("s.toml:1") && err.contains("cannot be uncertain"),
            "{err}"
        );
    }
    // A text field cannot be uncertain.
    let s = write(
        dir,
        "s.toml",
        format!(
            "{SMALL}[mechanisms.contagion]\nform = {{ dist = \"uniform\", low = 0, high = 1 }}\n"
        ),
    );
    let err = stderr(&domino(dir, &["check", arg(&s)]));
    assert!(
        err.contains("s.toml:7") && err.contains("only numeric fields"),
        "{err}"
    );
    // A strategy knob, by name, with the entry's line.
    let s = write(
        dir,
        "s.toml",
        format!("{SMALL}[[strategies]]\nname = \"pilot-then-cascade\"\npilots = {{ dist = \"uniform\", low = -3, high = 5 }}\n"),
    );
    let err = stderr(&domino(dir, &["check", arg(&s)]));
    assert!(
        err.contains("s.toml:8") && err.contains("strategies.pilot-then-cascade.pilots"),
        "{err}"
    );
    // Through --set: the flag is named.
    let s = write(dir, "s.toml", SMALL);
    let out = domino(
        dir,
        &[
            "check",
            arg(&s),
            "--set",
            "mechanisms.dose.d50={ dist = \"beta\", alpha = 0, beta = 1 }",
        ],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("--set mechanisms.dose.d50=")
            && err.contains("alpha and beta must be above 0"),
        "{err}"
    );
}

#[test]
fn same_bytes_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = write(
        dir,
        "s.toml",
        format!(
            "{SMALL}[mechanisms.dose]\nd50 = {{ dist = \"log-normal\", median = 1, sigma = 0.3 }}\n"
        ),
    );
    compare(dir, &s, "one", &["--threads", "1"]);
    compare(dir, &s, "two", &["--threads", "2"]);
    let (a, b) = (tree(&dir.join("one")), tree(&dir.join("two")));
    assert!(a.contains_key("uncertainty.csv"));
    assert_eq!(a, b);
}

#[test]
fn the_deciding_parameter_is_found_and_an_inert_one_ranks_below_it() {
    // d50 over two orders of magnitude decides between thin-spread and pilot-then-cascade on a
    // small scenario; thin-spread never reads `pilots`, so drawing it changes nothing.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = write(
        dir,
        "s.toml",
        "runs = 200\nsteps = 10\n[network]\nschools = 60\nregions = 3\n\
         [mechanisms.dose]\nd50 = { dist = \"log-uniform\", low = 0.05, high = 5 }\n\
         [[strategies]]\nname = \"thin-spread\"\npilots = { dist = \"uniform\", low = 1, high = 9 }\n\
         [[strategies]]\nname = \"pilot-then-cascade\"\n",
    );
    let out = domino(dir, &["compare", arg(&s), "--out", "o", "--quiet"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.contains("Deciding parameters"), "{text}");
    let mut r = csv::Reader::from_path(dir.join("o/uncertainty.csv")).unwrap();
    let rho: BTreeMap<String, f64> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(&rec[4], "200");
            (rec[0].to_string(), rec[3].parse().unwrap())
        })
        .collect();
    let d50 = rho["mechanisms.dose.d50"];
    let inert = rho["strategies.thin-spread.pilots"];
    // n = 200: the standard error of rho near 0 is about 0.07.
    assert!(d50.abs() > 0.4, "d50 rho {d50}");
    assert!(inert.abs() < 0.2, "inert rho {inert}");
    // The printed list puts d50 first.
    let list = text.split("Deciding parameters").nth(1).unwrap();
    assert!(
        list.find("mechanisms.dose.d50").unwrap()
            < list.find("strategies.thin-spread.pilots").unwrap(),
        "{list}"
    );
    assert!(text.contains("wins"), "{text}");
    // The page names d50 as deciding (its interval is clear of 0) and not the inert field.
    assert_ok(&domino(dir, &["report", "o"]));
    let html = std::fs::read_to_string(dir.join("o/report.html")).unwrap();
    assert!(html.contains("<code>mechanisms.dose.d50</code> (rank correlation"));
    assert!(!html.contains("<code>strategies.thin-spread.pilots</code> (rank correlation"));
    // With the inert field alone nothing decides, and the page says how wide the intervals are
    // rather than that the parameters do not matter.
    let s = write(
        dir,
        "inert.toml",
        "runs = 40\nsteps = 6\n[network]\nschools = 60\nregions = 3\n\
         [[strategies]]\nname = \"thin-spread\"\npilots = { dist = \"uniform\", low = 1, high = 9 }\n\
         [[strategies]]\nname = \"pilot-then-cascade\"\n",
    );
    let out = domino(
        dir,
        &["compare", arg(&s), "--out", "i", "--quiet", "--report"],
    );
    assert_ok(&out);
    let html = std::fs::read_to_string(dir.join("i/report.html")).unwrap();
    assert!(
        html.contains("No uncertain parameter is shown to decide between")
            && html.contains("the intervals reach from"),
        "{}",
        &html[html.find("What would change").unwrap_or(0)..][..600]
    );
}

#[test]
fn sweeps_carry_the_base_distributions() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "base.toml",
        format!("{SMALL}[mechanisms.dose]\nd50 = {{ dist = \"uniform\", low = 0.5, high = 2 }}\n"),
    );
    let sweep = write(
        dir,
        "sweep.toml",
        "base = \"base.toml\"\nruns = 6\n[[parameters]]\npath = \"budget.per_school\"\nvalues = [0.1, 0.2]\n",
    );
    assert_ok(&domino(
        dir,
        &["sweep", arg(&sweep), "--out", "s", "--quiet"],
    ));
    let resolved = fs::read_to_string(dir.join("s/sweep.toml")).unwrap();
    assert!(resolved.contains("uniform"), "{resolved}");
    // A swept field may be an uncertain one: the point's value replaces the law.
    let sweep = write(
        dir,
        "sweep2.toml",
        "base = \"base.toml\"\nruns = 6\n[[parameters]]\npath = \"mechanisms.dose.d50\"\nvalues = [0.5, 1.5]\n",
    );
    assert_ok(&domino(
        dir,
        &["sweep", arg(&sweep), "--out", "s2", "--quiet"],
    ));
}

#[test]
fn classic_models_draw_their_parameters_and_networks_per_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let s = write(
        dir,
        "c.toml",
        "model = \"threshold\"\nruns = 20\nsteps = 30\n[network]\nkind = \"random\"\nschools = 200\n\
         mean_degree = { dist = \"uniform\", low = 3, high = 6 }\n\
         [classic]\nthreshold = { dist = \"uniform\", low = 0.1, high = 0.3 }\n\
         [[seedings]]\nname = \"random\"\ncount = 3\n[[seedings]]\nname = \"degree\"\nrule = \"degree\"\ncount = 3\n",
    );
    compare(dir, &s, "o", &[]);
    let rows = csv_rows(&dir.join("o/runs.csv"));
    assert_eq!(rows.len(), 40);
    for r in &rows {
        let t: f64 = r["classic.threshold"].parse().unwrap();
        let d: f64 = r["network.mean_degree"].parse().unwrap();
        assert!(
            (0.1..=0.3).contains(&t) && (3.0..=6.0).contains(&d),
            "{r:?}"
        );
    }
    // Run k's network follows run k's drawn mean degree.
    let ties = |k: &str| {
        let name = format!("net{k}.csv");
        assert_ok(&domino(
            dir,
            &["network", arg(&s), "--run", k, "--out", &name],
        ));
        fs::read_to_string(dir.join(&name)).unwrap().lines().count() - 1
    };
    let degree = |k: usize| -> f64 { rows[k]["network.mean_degree"].parse().unwrap() };
    // Over 8 runs, more ties go with a higher drawn degree in at least 24 of the 28 pairs (with
    // one network for every run, about half).
    let t: Vec<usize> = (0..8).map(|k| ties(&k.to_string())).collect();
    let mut agree = 0;
    for i in 0..8 {
        for j in i + 1..8 {
            agree += ((t[i] > t[j]) == (degree(i) > degree(j))) as usize;
        }
    }
    assert!(agree >= 24, "{agree} of 28: ties {t:?}");
}
