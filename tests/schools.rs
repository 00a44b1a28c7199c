//! `schools.csv` and `regions.csv` (issue 9, item 9): per school and per region, how often each
//! strategy funded, piloted and sustained it and how often its students benefited, checked against the node table, against counts
//! made by hand from `run --trace`, against each other, and across thread counts.

mod common;
use common::*;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const NODES: &str = "id,name,region,size,readiness\n\
    a1,\"Hill, St Mary\",north,300,0.9\n\
    a2,Brook,north,400,0.5\n\
    a3,Cedar,north,500,0.4\n\
    b1,Dale,south,300,0.8\n\
    b2,Elm,south,400,0.5\n\
    b3,Fern,south,500,0.3\n\
    c1,Glen,east,300,0.7\n\
    c2,Heath,east,400,0.5\n\
    c3,Ivy,east,500,0.4\n";

const EDGES: &str = "source,target,weight\n\
    a1,a2,1\na2,a3,1\na3,a1,0.8\nb1,b2,1\nb2,b3,1\nb3,b1,0.8\nc1,c2,1\nc2,c3,1\nc3,c1,0.8\n\
    a3,b1,0.5\nb3,c1,0.5\nc3,a1,0.5\n";

/// Nine schools in three regions, a thin spread with enough budget to fund every school, and a
/// pilot-then-cascade with two pilots.
fn scenario(runs: u32) -> String {
    format!(
        "name = \"nine\"\nseed = 5\nruns = {runs}\nsteps = 8\n\
         [network]\nkind = \"file\"\nnodes = \"nodes.csv\"\nedges = \"edges.csv\"\n\
         [budget]\nper_school = 1.0\n\
         [[strategies]]\nname = \"thin-spread\"\nmandate = true\n\
         [[strategies]]\nname = \"pilot-then-cascade\"\npilots = 2\n"
    )
}

fn setup(dir: &Path, runs: u32) -> PathBuf {
    write(dir, "nodes.csv", NODES);
    write(dir, "edges.csv", EDGES);
    write(dir, "nine.toml", scenario(runs))
}

fn f(row: &BTreeMap<String, String>, col: &str) -> f64 {
    let cell = &row[col];
    if cell.is_empty() {
        f64::NAN
    } else {
        cell.parse().unwrap()
    }
}

fn compare(dir: &Path, scenario: &Path, out: &str, threads: &str) -> PathBuf {
    let out = dir.join(out);
    let result = Command::new(env!("CARGO_BIN_EXE_domino"))
        .args(["compare", arg(scenario), "--quiet", "--out", arg(&out)])
        .env("RAYON_NUM_THREADS", threads)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_ok(&result);
    out
}

#[test]
fn schools_csv_names_schools_as_the_node_table_does_and_shares_follow_the_strategies() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = setup(tmp.path(), 20);
    let out = compare(tmp.path(), &scn, "out", "2");
    let schools = csv_rows(&out.join("schools.csv"));
    assert_eq!(schools.len(), 9 * 2, "one row per school and strategy");
    let first = &schools[0];
    assert_eq!(first["school"], "a1");
    assert_eq!(
        first["name"], "Hill, St Mary",
        "a name with a comma stays one cell"
    );
    assert_eq!(first["region"], "north");
    assert!(schools
        .iter()
        .any(|r| r["school"] == "c3" && r["region"] == "east" && r["name"] == "Ivy"));
    let of = |strategy: &'static str| schools.iter().filter(move |r| r["strategy"] == strategy);
    for r in of("thin-spread") {
        assert_eq!(r["runs"], "20");
        // Mandated, with 1 SU per school: every school is funded in every run, none is a pilot.
        assert_eq!(f(r, "funded"), 1.0, "{r:?}");
        assert_eq!(f(r, "funded_se"), 0.0);
        assert_eq!(f(r, "piloted"), 0.0, "{r:?}");
    }
    let piloted: Vec<f64> = of("pilot-then-cascade").map(|r| f(r, "piloted")).collect();
    assert!(piloted.iter().any(|&p| p > 0.0), "{piloted:?}");
    // Two pilots among nine schools: the piloted shares add up to two pilots per run at most.
    assert!(piloted.iter().sum::<f64>() <= 2.0 + 1e-9, "{piloted:?}");
    for r in &schools {
        for col in ["funded", "piloted", "sustained", "benefiting"] {
            let p = f(r, col);
            assert!((0.0..=1.0).contains(&p), "{col} {p}");
            let se = f(r, &format!("{col}_se"));
            assert!((se - (p * (1.0 - p) / 20.0).sqrt()).abs() < 1e-12);
        }
        // Terms to sustain are given exactly when the school sustained in some run.
        assert_eq!(
            f(r, "terms_to_sustain").is_nan(),
            r["sustained_ever"] == "0"
        );
    }
}

#[test]
fn shares_and_terms_match_counts_made_by_hand_from_traces() {
    let tmp = tempfile::tempdir().unwrap();
    let runs = 6;
    let scn = setup(tmp.path(), runs);
    let out = compare(tmp.path(), &scn, "out", "2");
    let schools = csv_rows(&out.join("schools.csv"));
    for strategy in ["thin-spread", "pilot-then-cascade"] {
        // Per school: runs sustained at the horizon, runs supported in some term, runs
        // sustained at some step and the sum of the first such steps.
        let mut sustained: BTreeMap<String, u32> = BTreeMap::new();
        let mut supported: BTreeMap<String, u32> = BTreeMap::new();
        let mut first: BTreeMap<String, (u32, u64)> = BTreeMap::new();
        for k in 0..runs {
            let trace = tmp.path().join(format!("t{k}.csv"));
            assert_ok(&domino(
                tmp.path(),
                &[
                    "run",
                    arg(&scn),
                    "--strategy",
                    strategy,
                    "--run",
                    &k.to_string(),
                    "--trace",
                    arg(&trace),
                ],
            ));
            let mut seen_sustained = BTreeMap::new();
            let mut seen_supported = BTreeMap::new();
            for r in csv_rows(&trace) {
                let id = r["school"].clone();
                let step: u64 = r["step"].parse().unwrap();
                if r["stage"] == "sustained" {
                    seen_sustained.entry(id.clone()).or_insert(step);
                    if step == 8 {
                        *sustained.entry(id.clone()).or_default() += 1;
                    }
                }
                if f(&r, "support") > 0.0 {
                    seen_supported.insert(id, ());
                }
            }
            for (id, step) in seen_sustained {
                let e = first.entry(id).or_default();
                e.0 += 1;
                e.1 += step;
            }
            for id in seen_supported.into_keys() {
                *supported.entry(id).or_default() += 1;
            }
        }
        for r in schools.iter().filter(|r| r["strategy"] == strategy) {
            let id = &r["school"];
            let n = sustained.get(id).copied().unwrap_or(0);
            assert_eq!(f(r, "sustained"), n as f64 / runs as f64, "{strategy} {id}");
            let (ever, sum) = first.get(id).copied().unwrap_or((0, 0));
            assert_eq!(r["sustained_ever"], ever.to_string(), "{strategy} {id}");
            if ever > 0 {
                assert_eq!(f(r, "terms_to_sustain"), sum as f64 / ever as f64);
            }
            // Supported in some term implies funded (recruiting without support also funds).
            let s = supported.get(id).copied().unwrap_or(0);
            assert!(f(r, "funded") >= s as f64 / runs as f64, "{strategy} {id}");
        }
    }
}

#[test]
fn benefiting_shares_add_up_to_the_objective() {
    // The objective counts the students of the schools that benefit at the horizon; with the
    // sizes fixed by the node table, the size-weighted sum of the schools' benefiting shares is
    // the mean number of students benefiting in summary.csv, strategy by strategy.
    let tmp = tempfile::tempdir().unwrap();
    let scn = setup(tmp.path(), 40);
    let out = compare(tmp.path(), &scn, "out", "2");
    let size: BTreeMap<&str, f64> = NODES
        .lines()
        .skip(1)
        .map(|l| {
            let id = l.split(',').next().unwrap();
            let size = l.rsplit(',').nth(1).unwrap().parse().unwrap();
            (id, size)
        })
        .collect();
    let schools = csv_rows(&out.join("schools.csv"));
    let summary = csv_rows(&out.join("summary.csv"));
    let mut some = false;
    for strategy in ["thin-spread", "pilot-then-cascade"] {
        let by_schools: f64 = schools
            .iter()
            .filter(|r| r["strategy"] == strategy)
            .map(|r| size[r["school"].as_str()] * f(r, "benefiting"))
            .sum();
        let objective = summary
            .iter()
            .find(|r| r["strategy"] == strategy && r["metric"] == "students_benefiting")
            .map(|r| f(r, "mean"))
            .unwrap();
        some |= objective > 0.0;
        assert!(
            (by_schools - objective).abs() < 1e-6 * objective.max(1.0),
            "{strategy}: {by_schools} by schools, {objective} in summary.csv"
        );
    }
    assert!(some, "the test needs some students benefiting");
}

#[test]
fn regions_csv_agrees_with_schools_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let scn = setup(tmp.path(), 30);
    let out = compare(tmp.path(), &scn, "out", "2");
    let schools = csv_rows(&out.join("schools.csv"));
    let regions = csv_rows(&out.join("regions.csv"));
    assert_eq!(regions.len(), 3 * 2);
    for r in &regions {
        let members: Vec<_> = schools
            .iter()
            .filter(|s| s["region"] == r["region"] && s["strategy"] == r["strategy"])
            .collect();
        assert_eq!(r["schools"], members.len().to_string());
        assert_eq!(r["runs"], "30");
        for col in ["funded", "piloted", "sustained", "benefiting"] {
            let mean = members.iter().map(|s| f(s, col)).sum::<f64>() / members.len() as f64;
            assert!((f(r, col) - mean).abs() < 1e-12, "{col}: {r:?}");
        }
        let ever: u64 = members
            .iter()
            .map(|s| s["sustained_ever"].parse::<u64>().unwrap())
            .sum();
        let runs_with: u64 = r["terms_to_sustain_runs"].parse().unwrap();
        assert!(runs_with <= 30 && (runs_with == 0) == (ever == 0), "{r:?}");
    }
}

#[test]
fn same_bytes_on_one_and_two_threads_across_chunks() {
    let tmp = tempfile::tempdir().unwrap();
    // More runs than one parallel chunk (256), so chunks are folded in turn.
    let scn = setup(tmp.path(), 300);
    let one = compare(tmp.path(), &scn, "one", "1");
    let two = compare(tmp.path(), &scn, "two", "2");
    for file in ["schools.csv", "regions.csv", "runs.csv"] {
        assert_eq!(
            fs::read(one.join(file)).unwrap(),
            fs::read(two.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn generated_networks_write_no_per_school_files() {
    // School i is a different school in every run of a generated network.
    let tmp = tempfile::tempdir().unwrap();
    let scn = write(
        tmp.path(),
        "g.toml",
        "runs = 3\nsteps = 3\n[network]\nschools = 30\n",
    );
    let out = compare(tmp.path(), &scn, "out", "2");
    assert!(out.join("summary.csv").exists());
    assert!(!out.join("schools.csv").exists());
    assert!(!out.join("regions.csv").exists());
}
