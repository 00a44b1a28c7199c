//! `domino explain` (issue 9, item 7): each mechanism switched off in turn with paired runs.

mod common;
use common::*;

use domino::explain::{switched_off, MECHANISMS};
use domino::scenario::path;
use domino::Scenario;
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn every_mechanism_path_exists_in_the_default_scenario_and_switches_it_off() {
    let scn = Scenario::builtin_default();
    let table = toml::Table::try_from(scn.config()).unwrap();
    for m in MECHANISMS {
        for (p, _) in m.settings {
            assert!(
                path::get(&table, p).is_some(),
                "{}: {p} is not a field of the scenario (renamed?)",
                m.name
            );
        }
        let off = switched_off(&scn, m)
            .unwrap_or_else(|e| panic!("{}: {e}", m.name))
            .unwrap_or_else(|| panic!("{} is already off in the default scenario", m.name));
        assert_ne!(off.config(), scn.config(), "{}", m.name);
        // Only the mechanism changes: the seed (hence run k's world draws) stays.
        assert_eq!(off.config().seed, scn.config().seed);
        assert_eq!(off.config().runs, scn.config().runs);
        // What validation derives from the fields follows them: the samplers of the schools'
        // attributes (the effect spread is one) are those of the changed scenario.
        let fresh = scn.edited(|c| *c = off.config().clone()).unwrap();
        assert_eq!(off.laws(), fresh.laws(), "{}", m.name);
    }
}

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn f(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap()
}

#[test]
fn contagion_matters_in_the_domino_chain_and_the_hub_is_inert() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    let result = domino(
        tmp.path(),
        &[
            "explain",
            arg(&repo("scenarios/domino-chain.toml")),
            "--runs",
            "40",
            "--quiet",
            "--out",
            arg(&out),
        ],
    );
    assert_ok(&result);
    let text = stdout(&result);
    assert!(text.contains("contagion"), "{text}");
    let csv = out.join("ablation.csv");
    let mut r = csv::Reader::from_path(&csv).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "mechanism",
            "setting",
            "strategy",
            "metric",
            "runs",
            "on",
            "off",
            "diff",
            "diff_lo",
            "diff_hi",
            "winner_on",
            "winner_off",
            "lead_off",
            "lead_off_lo",
            "lead_off_hi"
        ]
    );
    assert!(out.join("manifest.json").exists() && out.join("scenario.toml").exists());
    let rows = rows(&csv);
    let row = |m: &str| {
        rows.iter()
            .find(|r| r["mechanism"] == m && r["strategy"] == "pilot-only")
            .unwrap_or_else(|| panic!("no {m} row in {rows:?}"))
    };
    // Only the pilot is supported: without contagion no later school adopts, so the chain stops.
    let c = row("contagion");
    assert_eq!(c["setting"], "mechanisms.contagion.enabled=false");
    assert_eq!(c["runs"], "40");
    assert!(f(c, "diff_lo") > 0.0, "{c:?}");
    assert!((f(c, "diff") - (f(c, "on") - f(c, "off"))).abs() < 1e-12);
    // No strategy funds a hub here: switching hubs off changes nothing, run by run (the runs
    // are paired: the same worlds and draws), so the difference is exactly 0.
    let h = row("hub");
    assert_eq!(f(h, "diff"), 0.0, "{h:?}");
    assert!(f(h, "diff_lo") <= 0.0 && f(h, "diff_hi") >= 0.0, "{h:?}");
    assert_eq!(h["winner_on"], h["winner_off"]);
    // The same winner: no lead to report.
    assert_eq!(
        (h["lead_off"].as_str(), h["lead_off_lo"].as_str()),
        ("", "")
    );
    // A changed winner: its lead over the old one, with an interval around it.
    for r in rows.iter().filter(|r| r["winner_on"] != r["winner_off"]) {
        assert!(f(r, "lead_off_lo") <= f(r, "lead_off") && f(r, "lead_off") <= f(r, "lead_off_hi"));
        assert!(
            f(r, "lead_off") >= 0.0,
            "the new winner leads on average: {r:?}"
        );
    }
}

#[test]
fn classic_scenarios_are_refused_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let result = domino(
        tmp.path(),
        &[
            "explain",
            arg(&repo("scenarios/classic-bass.toml")),
            "--runs",
            "2",
            "--quiet",
            "--out",
            arg(&tmp.path().join("x")),
        ],
    );
    assert_eq!(result.status.code(), Some(2), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("school model"),
        "{}",
        stderr(&result)
    );
    assert_no_panic(&result);
}

#[test]
fn compare_ablate_writes_what_explain_writes_and_leaves_the_other_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let chain = repo("scenarios/domino-chain.toml");
    let run = |args: &[&str], out: &str| {
        let dir = tmp.path().join(out);
        let mut all = args.to_vec();
        all.extend([arg(&chain), "--runs", "20", "--quiet", "--out", arg(&dir)]);
        assert_ok(&domino(tmp.path(), &all));
        tree(&dir)
    };
    let explained = run(&["explain"], "e");
    let ablated = run(&["compare", "--ablate"], "a");
    let plain = run(&["compare"], "p");
    assert_eq!(ablated["ablation.csv"], explained["ablation.csv"]);
    let mut without = ablated.clone();
    without.remove("ablation.csv");
    assert_eq!(without, plain);
}

#[test]
fn explain_writes_the_same_bytes_on_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let chain = repo("scenarios/domino-chain.toml");
    let run = |threads: &str| {
        let out = tmp.path().join(threads);
        let result = std::process::Command::new(env!("CARGO_BIN_EXE_domino"))
            .args([
                "explain",
                arg(&chain),
                "--runs",
                "30",
                "--quiet",
                "--out",
                arg(&out),
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_ok(&result);
        std::fs::read(out.join("ablation.csv")).unwrap()
    };
    assert_eq!(run("1"), run("2"));
}
