//! `domino calibrate`: ABC-SMC recovers known parameters from synthetic rollouts, leaves a
//! parameter the data cannot identify at its prior, refuses bad input before writing anything,
//! and gives the same bytes whatever the thread count.

mod common;

use common::*;
use domino::calibrate::observed::Observed;
use domino::calibrate::output::{summarise, write_rollout};
use domino::calibrate::Calibration;
use domino::rng::Pcg64Mcg;
use domino::scenario::set::Setting;
use domino::Scenario;
use rand::SeedableRng;
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A small district (60 schools, 3 regions, 8 terms) and a small search (100 particles, 5
/// generations), so that one calibration takes a fraction of a second.
const SMALL: &str = r#"
name = "small-calibration"
seed = 5
steps = 8

[network]
kind = "regional"
schools = 60
regions = 3
mean_degree = 6.0
within_region = 0.85

[budget]
per_school = 0.4

[[strategies]]
name = "pilot-then-cascade"
pilots = 4

[calibrate]
particles = 100
generations = 5
simulations = 20000

[calibrate.priors]
mechanisms.contagion.outside_rate = { dist = "log-uniform", low = 0.0005, high = 0.05 }
innovation.learning_rate = { dist = "uniform", low = 0.05, high = 0.8 }
mechanisms.sustain.turnover_rate = { dist = "uniform", low = 0.0, high = 0.3 }
"#;

/// `SMALL` plus a prior on a field that simple contagion never reads.
fn with_unidentifiable() -> String {
    format!(
        "{SMALL}mechanisms.contagion.topple_ratio = {{ dist = \"uniform\", low = 1.2, high = 4.0 }}\n"
    )
}

fn calibration(dir: &Path, text: &str) -> Calibration {
    let path = write(dir, "scenario.toml", text);
    let scenario = Scenario::from_file(&path).unwrap();
    Calibration::new(&scenario, &[]).unwrap()
}

/// The rollout of `cal`'s strategy at `truth` in world `run`, read back through the CSV reader.
fn synthetic(dir: &Path, cal: &Calibration, truth: &[f64], run: u64) -> Observed {
    let scenario = cal.scenario_at(truth, 99).unwrap();
    let mut bytes = Vec::new();
    write_rollout(&mut bytes, &scenario, cal.strategy, run).unwrap();
    Observed::from_bytes(&bytes, &dir.join("rollout.csv"), &cal.scenario).unwrap()
}

/// The truth of case `case`: a draw from the prior.
fn truth(cal: &Calibration, case: u64) -> Vec<f64> {
    let mut rng = Pcg64Mcg::seed_from_u64(1000 + case);
    cal.priors
        .iter()
        .map(|p| p.param.value(p.param.law.sample(&mut rng)))
        .collect()
}

/// Runs `cases` synthetic calibrations; returns, per parameter, how many 90 % intervals covered
/// the truth, and the mean ratio of the posterior's 90 % interval width to the prior's.
fn coverage(text: &str, cases: u64) -> (Vec<usize>, Vec<f64>) {
    let dir = tempfile::tempdir().unwrap();
    let cal = calibration(dir.path(), text);
    let m = cal.priors.len();
    let mut covered = vec![0; m];
    let mut width = vec![0.0; m];
    for case in 0..cases {
        let t = truth(&cal, case);
        let observed = synthetic(dir.path(), &cal, &t, case);
        let outcome = cal.run(&observed, 7 + case, |_, _| {}).unwrap();
        for (j, s) in summarise(&cal, &outcome).iter().enumerate() {
            if s.p5 <= t[j] && t[j] <= s.p95 {
                covered[j] += 1;
            }
            width[j] += (s.p95 - s.p5) / (s.prior_p95 - s.prior_p5) / cases as f64;
        }
    }
    (covered, width)
}

/// The validation of the issue: from 50 synthetic rollouts simulated with parameters drawn from
/// the prior, the 90 % intervals of the three fitted fields cover the truth in 80-97 % of the
/// 150 (case, field) pairs, each field in at least 70 % of its 50 cases. Measured (seed
/// figures in docs/methods.md): see the message. Takes about a minute and a half in release;
/// run by .ci/run.
#[test]
#[ignore = "about a minute and a half; .ci/run runs it with --ignored"]
fn intervals_cover_the_truth_in_80_to_97_percent_of_50_cases() {
    let cases = 50;
    let (covered, width) = coverage(SMALL, cases);
    let total: usize = covered.iter().sum();
    let share = total as f64 / (3 * cases) as f64;
    eprintln!("covered {covered:?} of {cases} each ({share:.3} in all); width ratios {width:?}");
    assert!(
        (0.80..=0.97).contains(&share),
        "coverage {share}: {covered:?}"
    );
    for (j, &c) in covered.iter().enumerate() {
        assert!(c as f64 >= 0.7 * cases as f64, "field {j}: {c} of {cases}");
    }
}

/// The normal suite's share of the same check: 8 cases with a fourth field that simple contagion
/// never reads (`topple_ratio`). At least 20 of the 24 intervals of the three identifiable
/// fields cover the truth (a 90 % interval misses 2.4 on average; 5 or more misses has
/// probability about 6 % for calibrated intervals, and the seeds are fixed); the data narrow
/// them (mean interval width under 0.8 of the prior's for learning_rate and turnover_rate, under
/// 0.9 for outside_rate: measured 0.70, 0.70 and 0.81), while the unidentifiable field keeps
/// its prior's width (ratio above 0.8; measured 0.92). Ignoring the data would put every ratio
/// near 1.
#[test]
fn a_few_cases_cover_and_an_unidentifiable_field_keeps_its_prior() {
    let cases = 8;
    let (covered, width) = coverage(&with_unidentifiable(), cases);
    eprintln!("covered {covered:?} of {cases}; width ratios {width:?}");
    let dir = tempfile::tempdir().unwrap();
    let cal = calibration(dir.path(), &with_unidentifiable());
    let names: Vec<&str> = cal.priors.iter().map(|p| p.path.as_str()).collect();
    let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
    let (learning, outside, turnover, topple) = (
        at("innovation.learning_rate"),
        at("mechanisms.contagion.outside_rate"),
        at("mechanisms.sustain.turnover_rate"),
        at("mechanisms.contagion.topple_ratio"),
    );
    let total = covered[learning] + covered[outside] + covered[turnover];
    assert!(total >= 20, "{covered:?}");
    assert!(width[learning] < 0.8, "{width:?}");
    assert!(width[turnover] < 0.8, "{width:?}");
    assert!(width[outside] < 0.9, "{width:?}");
    assert!(width[topple] > 0.8, "{width:?}");
}

fn cli(dir: &Path, args: &[&str]) -> Output {
    domino(dir, args)
}

fn small_files(dir: &Path) -> (PathBuf, PathBuf) {
    let scenario = write(dir, "small.toml", SMALL);
    let rollout = dir.join("rollout.csv");
    let out = cli(
        dir,
        &["calibrate", arg(&scenario), "--simulate", arg(&rollout)],
    );
    assert_ok(&out);
    (scenario, rollout)
}

/// `--simulate` never silently replaces a file: it may be the observed rollout itself.
#[test]
fn simulate_replaces_an_existing_file_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, rollout) = small_files(dir.path());
    std::fs::write(&rollout, "school,term,stage\nmine,0,aware\n").unwrap();
    let out = cli(
        dir.path(),
        &["calibrate", arg(&scenario), "--simulate", arg(&rollout)],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("rollout.csv: already exists; choose another path or pass --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&rollout).unwrap(),
        "school,term,stage\nmine,0,aware\n"
    );
    // Named as the observed rollout too: refused outright, --force or not.
    let out = cli(
        dir.path(),
        &[
            "calibrate",
            arg(&scenario),
            "--simulate",
            arg(&rollout),
            "--observed",
            arg(&rollout),
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--observed"), "{}", stderr(&out));
    assert!(std::fs::read_to_string(&rollout).unwrap().contains("mine"));
    // --force means it.
    assert_ok(&cli(
        dir.path(),
        &[
            "calibrate",
            arg(&scenario),
            "--simulate",
            arg(&rollout),
            "--force",
        ],
    ));
    assert!(std::fs::read_to_string(&rollout)
        .unwrap()
        .starts_with("school,term,stage"));
    assert!(!std::fs::read_to_string(&rollout).unwrap().contains("mine"));
    // And has no meaning without --simulate.
    let out = cli(
        dir.path(),
        &[
            "calibrate",
            arg(&scenario),
            "--observed",
            arg(&rollout),
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--force: goes with --simulate FILE"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn same_seed_same_bytes_at_one_and_two_threads_and_the_result_is_usable() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, rollout) = small_files(dir.path());
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out_dir = dir.path().join(format!("out-{threads}"));
        let out = cli(
            dir.path(),
            &[
                "calibrate",
                arg(&scenario),
                "--observed",
                arg(&rollout),
                "--out",
                arg(&out_dir),
                "--threads",
                threads,
                "--quiet",
                "--set",
                "calibrate.generations=3",
            ],
        );
        assert_ok(&out);
        assert!(stdout(&out).contains("mechanisms.contagion.outside_rate"));
        outs.push(out_dir);
    }
    for name in [
        "posterior.csv",
        "summary.csv",
        "predictive.csv",
        "generations.csv",
        "calibrated.toml",
    ] {
        let a = std::fs::read(outs[0].join(name)).unwrap();
        let b = std::fs::read(outs[1].join(name)).unwrap();
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
    // The rollout is recorded among the inputs, by its path as given and the SHA-256 of the
    // bytes kept as observed.csv.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(outs[0].join("manifest.json")).unwrap()).unwrap();
    let observed = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["role"] == "observed")
        .expect("manifest.json records the observed rollout");
    assert_eq!(observed["path"], arg(&rollout));
    let kept = std::fs::read(outs[0].join("observed.csv")).unwrap();
    assert_eq!(kept, std::fs::read(&rollout).unwrap());
    let sha = sha2::Sha256::digest(&kept);
    let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(observed["sha256"], hex.as_str());
    // A different seed gives a different posterior.
    let other = dir.path().join("out-seed");
    let out = cli(
        dir.path(),
        &[
            "calibrate",
            arg(&scenario),
            "--observed",
            arg(&rollout),
            "--out",
            arg(&other),
            "--quiet",
            "--seed",
            "6",
            "--set",
            "calibrate.generations=3",
        ],
    );
    assert_ok(&out);
    assert_ne!(
        std::fs::read(other.join("posterior.csv")).unwrap(),
        std::fs::read(outs[0].join("posterior.csv")).unwrap()
    );
    // Files: weights sum to one; the summary has the prior's and the posterior's intervals.
    let posterior = csv_rows(&outs[0].join("posterior.csv"));
    assert_eq!(posterior.len(), 100);
    let total: f64 = posterior
        .iter()
        .map(|r| r["weight"].parse::<f64>().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-9);
    let summary = csv_rows(&outs[0].join("summary.csv"));
    assert_eq!(summary.len(), 3);
    for r in &summary {
        let f = |k: &str| r[k].parse::<f64>().unwrap();
        assert!(f("p5") <= f("median") && f("median") <= f("p95"));
        assert!(f("prior_p5") < f("prior_p95"));
    }
    let predictive = csv_rows(&outs[0].join("predictive.csv"));
    assert!(predictive
        .iter()
        .any(|r| r["curve"] == "adopting" && r["group"] == "all" && r["term"] == "8"));
    // `domino report` on the folder: the posterior table and the predictive charts.
    assert_ok(&cli(dir.path(), &["report", arg(&outs[0])]));
    let page = std::fs::read_to_string(outs[0].join("report.html")).unwrap();
    assert!(page.contains("What the rollout pinned down"), "{page}");
    assert!(page.contains("mechanisms.contagion.outside_rate"));
    assert!(
        page.matches("<svg").count() >= 3,
        "one chart per stage curve"
    );
    // calibrated.toml has the fitted distributions, and check and compare accept it.
    let calibrated = outs[0].join("calibrated.toml");
    let text = std::fs::read_to_string(&calibrated).unwrap();
    assert!(text.contains("outside_rate = { dist = \"beta\""), "{text}");
    assert!(!text.contains("[calibrate"), "{text}");
    assert_ok(&cli(dir.path(), &["check", arg(&calibrated)]));
    let out = cli(
        dir.path(),
        &[
            "compare",
            arg(&calibrated),
            "--runs",
            "20",
            "--quiet",
            "--out",
            arg(&dir.path().join("compared")),
        ],
    );
    assert_ok(&out);
    let runs = std::fs::read_to_string(dir.path().join("compared/runs.csv")).unwrap();
    assert!(runs
        .lines()
        .next()
        .unwrap()
        .contains("mechanisms.contagion.outside_rate"));
    // ... and so does optimise: its objective is the mean over the fitted distributions' worlds.
    let out = cli(
        dir.path(),
        &[
            "optimise",
            arg(&calibrated),
            "--budget-evals",
            "300",
            "--quiet",
            "--out",
            arg(&dir.path().join("optimised")),
        ],
    );
    assert_ok(&out);
    let best = std::fs::read_to_string(dir.path().join("optimised/best.toml")).unwrap();
    assert!(best.contains("[[strategies]]"), "{best}");
}

/// Bad input: exit 2, the message names the file, the line and the field, and nothing is
/// written (the output folder is not created).
fn assert_refused(dir: &Path, scenario: &Path, rollout: &Path, fragments: &[&str]) {
    let out_dir = dir.join("never");
    let out = cli(
        dir,
        &[
            "calibrate",
            arg(scenario),
            "--observed",
            arg(rollout),
            "--out",
            arg(&out_dir),
            "--quiet",
        ],
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for f in fragments {
        assert!(err.contains(f), "expected {f:?} in: {err}");
    }
    assert!(!out_dir.exists(), "the output folder was created");
}

#[test]
fn bad_rollouts_are_refused_by_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, _) = small_files(dir.path());
    let header = "school,term,stage\n";
    for (name, body, fragments) in [
        (
            "unknown.csv",
            "0,0,not_adopted\n77,1,implementing\n",
            &["unknown.csv:3", "school", "unknown school \"77\""][..],
        ),
        (
            "twice.csv",
            "0,0,not_adopted\n0,3,implementing\n1,1,implementing\n0,3,implementing\n",
            &["twice.csv:5:2: term: school \"0\" is listed twice at term 3 (first on line 3)"][..],
        ),
        (
            "year.csv",
            "0,2019,not_adopted\n",
            &["year.csv:2:2: term: term 2019 looks like a year: terms count from 0"][..],
        ),
        (
            "stage.csv",
            "0,0,not_adopted\n0,1,sustained\n",
            &[
                "stage.csv:3",
                "stage",
                "\"sustained\" cannot follow \"not_adopted\"",
            ][..],
        ),
        (
            "back.csv",
            "0,2,implementing\n0,5,not_adopted\n",
            &["back.csv:3", "stage", "never back"][..],
        ),
        (
            "start.csv",
            "0,0,implementing\n",
            &["start.csv:2", "stage", "the start"][..],
        ),
        (
            "horizon.csv",
            "0,9,implementing\n",
            &["horizon.csv:2", "term", "steps = 8"][..],
        ),
        (
            "name.csv",
            "0,1,adopted\n",
            &["name.csv:2", "stage", "expected one of"][..],
        ),
    ] {
        let rollout = write(dir.path(), name, format!("{header}{body}"));
        assert_refused(dir.path(), &scenario, &rollout, fragments);
    }
    let rollout = write(dir.path(), "cols.csv", "school,term\n0,0\n");
    assert_refused(dir.path(), &scenario, &rollout, &["cols.csv:1", "stage"]);
    let rollout = write(
        dir.path(),
        "practice.csv",
        "school,term,stage,practice\n0,1,implementing,1.5\n",
    );
    assert_refused(
        dir.path(),
        &scenario,
        &rollout,
        &["practice.csv:2", "practice"],
    );
}

#[test]
fn bad_priors_are_refused_on_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let (_, rollout) = small_files(dir.path());
    let base = SMALL.replace(
        "mechanisms.sustain.turnover_rate = { dist = \"uniform\", low = 0.0, high = 0.3 }\n",
        "",
    );
    let line_of_last = base.lines().count() + 1;
    for (name, prior, fragments) in [
        (
            "range.toml",
            "mechanisms.sustain.turnover_rate = { dist = \"uniform\", low = -0.1, high = 0.15 }",
            vec![
                format!("range.toml:{line_of_last}"),
                "calibrate.priors.mechanisms.sustain.turnover_rate".to_string(),
                "draws may reach -0.1".to_string(),
            ],
        ),
        (
            "text.toml",
            "mechanisms.contagion.form = { dist = \"uniform\", low = 0, high = 1 }",
            vec![
                format!("text.toml:{line_of_last}"),
                "calibrate.priors.mechanisms.contagion.form".to_string(),
                "expected text".to_string(),
            ],
        ),
        (
            "unknown.toml",
            "mechanisms.contagion.peer_wieght = { dist = \"uniform\", low = 0, high = 1 }",
            vec![
                format!("unknown.toml:{line_of_last}"),
                "peer_wieght".to_string(),
            ],
        ),
        (
            "law.toml",
            "mechanisms.sustain.turnover_rate = { dist = \"gamma\", low = 0, high = 1 }",
            vec![
                format!("law.toml:{line_of_last}"),
                "unknown distribution \"gamma\"".to_string(),
            ],
        ),
        (
            "fixed.toml",
            "steps = { dist = \"uniform\", low = 4, high = 8 }",
            vec![
                format!("fixed.toml:{line_of_last}"),
                "cannot be uncertain".to_string(),
            ],
        ),
    ] {
        let scenario = write(dir.path(), name, format!("{base}{prior}\n"));
        let fragments: Vec<&str> = fragments.iter().map(String::as_str).collect();
        assert_refused(dir.path(), &scenario, &rollout, &fragments);
    }
    // No [calibrate] table at all.
    let scenario = write(dir.path(), "none.toml", "steps = 8\n");
    assert_refused(
        dir.path(),
        &scenario,
        &rollout,
        &["none.toml", "[calibrate]"],
    );
    // Settings out of range.
    let scenario = write(
        dir.path(),
        "particles.toml",
        SMALL.replace("particles = 100", "particles = 1"),
    );
    assert_refused(
        dir.path(),
        &scenario,
        &rollout,
        &["particles.toml:", "calibrate.particles"],
    );
}

#[test]
fn the_shipped_example_reads_and_its_rollout_is_the_scenario_simulated() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo("scenarios/calibrate-example.toml");
    let rollout = dir.path().join("rollout.csv");
    assert_ok(&cli(
        dir.path(),
        &["calibrate", arg(&scenario), "--simulate", arg(&rollout)],
    ));
    assert_eq!(
        std::fs::read(&rollout).unwrap(),
        std::fs::read(repo("scenarios/rollout-example.csv")).unwrap(),
        "scenarios/rollout-example.csv is not what the example scenario simulates"
    );
    let s = Scenario::from_file(&scenario).unwrap();
    let cal = Calibration::new(&s, &[]).unwrap();
    let observed = Observed::read(&rollout, &cal.scenario).unwrap();
    // Need tertiles come from the node table's need column.
    assert!(observed.groups.iter().any(|g| g == "need:high"));
    assert!(observed.groups.iter().any(|g| g == "region:north"));
}

#[test]
fn settings_are_read_and_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let small = SMALL.replace("particles = 100", "particles = 30");
    let base = calibration(dir.path(), &small);
    let observed = synthetic(dir.path(), &base, &truth(&base, 0), 0);
    // generations: exactly that many when nothing else stops the search.
    let three = calibration(
        dir.path(),
        &small.replace("generations = 5", "generations = 3"),
    );
    let outcome = three.run(&observed, 1, |_, _| {}).unwrap();
    assert_eq!(outcome.generations.len(), 3);
    assert_eq!(outcome.posterior().particles.len(), 30);
    // min_epsilon: a tolerance this large is reached by generation 1.
    let loose = calibration(
        dir.path(),
        &small.replace(
            "simulations = 20000",
            "simulations = 20000\nmin_epsilon = 10.0",
        ),
    );
    let outcome = loose.run(&observed, 1, |_, _| {}).unwrap();
    assert_eq!(outcome.generations.len(), 2);
    assert_eq!(outcome.stop, domino::calibrate::abc::Stop::MinEpsilon);
    // simulations: a budget that cannot finish generation 1 leaves generation 0.
    let poor = calibration(
        dir.path(),
        &small.replace("simulations = 20000", "simulations = 40"),
    );
    let outcome = poor.run(&observed, 1, |_, _| {}).unwrap();
    assert_eq!(outcome.generations.len(), 1);
    assert_eq!(outcome.stop, domino::calibrate::abc::Stop::Budget);
    // The budget is a hard cap that counts every simulation of the search, the dropped
    // generation's included; the predictive check's come on top.
    assert_eq!(outcome.search_simulations, 40);
    assert_eq!(outcome.dropped, 40 - outcome.generations[0].simulations);
    assert!(outcome.dropped > 0);
    assert_eq!(outcome.simulations(), 40 + 30);
    for budget in [200, 300, 500] {
        let capped = calibration(
            dir.path(),
            &small.replace("simulations = 20000", &format!("simulations = {budget}")),
        );
        let outcome = capped.run(&observed, 1, |_, _| {}).unwrap();
        assert!(outcome.search_simulations <= budget, "budget {budget}");
        let kept: u64 = outcome.generations.iter().map(|g| g.simulations).sum();
        assert_eq!(kept + outcome.dropped, outcome.search_simulations);
    }
    // strategy: by name among the scenario's; the first by default.
    let two = small.replace(
        "[[strategies]]\nname = \"pilot-then-cascade\"",
        "[[strategies]]\nname = \"thin-spread\"\n\n[[strategies]]\nname = \"pilot-then-cascade\"",
    );
    assert_eq!(calibration(dir.path(), &two).strategy, 0);
    let named = two.replace(
        "[calibrate]\n",
        "[calibrate]\nstrategy = \"pilot-then-cascade\"\n",
    );
    assert_eq!(calibration(dir.path(), &named).strategy, 1);
    let path = write(
        dir.path(),
        "wrong.toml",
        named.replace("strategy = \"pilot-then-cascade\"", "strategy = \"pilot\""),
    );
    let e = Calibration::new(&Scenario::from_file(&path).unwrap(), &[]).unwrap_err();
    assert!(e.to_string().contains("calibrate.strategy"), "{e}");
    assert!(
        e.to_string().contains("no strategy is named \"pilot\""),
        "{e}"
    );
}

/// A spreadsheet's rollout: stages in any case or with spaces, rows sorted newest first or by
/// term. It reads as the tidy file does, and a transition is still checked in time order.
#[test]
fn stages_in_any_case_and_rows_in_any_order_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let cal = calibration(dir.path(), SMALL);
    let read = |name: &str, text: &str| {
        Observed::from_bytes(text.as_bytes(), &dir.path().join(name), &cal.scenario)
    };
    let tidy = read(
        "tidy.csv",
        "school,term,stage\n3,0,not_adopted\n3,1,implementing\n3,3,sustained\n5,0,not_adopted\n5,2,not_adopted\n",
    )
    .unwrap();
    let messy = read(
        "messy.csv",
        "school,term,stage\n5,2,Not adopted\n3,3,SUSTAINED\n5,0,not-adopted\n3,1,Implementing\n3,0,Not_Adopted\n",
    )
    .unwrap();
    assert_eq!(messy.rows.len(), 5);
    assert_eq!(messy.terms, tidy.terms);
    assert_eq!(
        format!("{:?}", messy.stats),
        format!("{:?}", tidy.stats),
        "the same summaries"
    );
    // Out of order, an impossible history is still refused at the later term's line.
    let e = read(
        "back.csv",
        "school,term,stage\n3,3,not_adopted\n3,1,implementing\n",
    )
    .unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(
        e.message
            .contains("\"not_adopted\" cannot follow \"implementing\" at term 1 (line 3)"),
        "{e}"
    );
    // A word for a stage that is not one of the four says which it may be.
    let e = read("adopted.csv", "school,term,stage\n3,1,Adopted\n").unwrap_err();
    assert!(
        e.message
            .contains("a school that has adopted is implementing"),
        "{e}"
    );
    let e = read("typo.csv", "school,term,stage\n3,1,implemnting\n").unwrap_err();
    assert!(
        e.message
            .ends_with("got \"implemnting\"; did you mean implementing?"),
        "{e}"
    );
}

/// A rollout with several bad rows named only the first: now every bad row is named, in line
/// order, and the histories (judged once the rows are good) name one problem per school.
#[test]
fn every_bad_row_of_a_rollout_is_named_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let cal = calibration(dir.path(), SMALL);
    let read = |text: &str| {
        Observed::from_bytes(text.as_bytes(), &dir.path().join("r.csv"), &cal.scenario).unwrap_err()
    };
    let e = read(
        "school,term,stage,practice\n3,0,not_adopted,\n99,1,implementing,\n3,2019,implementing,\n\
         4,1,adopted,\n5,1,implementing,1.5\n3,1,sustained,\n",
    );
    let placed: Vec<_> = std::iter::once(&e)
        .chain(e.further())
        .map(|m| (m.line, m.field.as_deref()))
        .collect();
    // Line 7's stage cannot follow line 2's, but histories wait for the rows to be good.
    assert_eq!(
        placed,
        vec![
            (Some(3), Some("school")),
            (Some(4), Some("term")),
            (Some(5), Some("stage")),
            (Some(6), Some("practice")),
        ],
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("r.csv:3:1: school: unknown school \"99\"; expected a school index"),
        "{e}"
    );
    // Two schools with impossible histories: both named, one problem each.
    let e = read(
        "school,term,stage\n3,1,sustained\n3,2,not_adopted\n4,1,implementing\n4,1,implementing\n",
    );
    let placed: Vec<_> = std::iter::once(&e)
        .chain(e.further())
        .map(|m| (m.line, m.field.as_deref()))
        .collect();
    assert_eq!(
        placed,
        vec![(Some(2), Some("stage")), (Some(5), Some("term"))],
        "{e}"
    );
}

/// The terminal and the report say in words whether the model fits (counted from
/// predictive.csv), what to run next, and what was fitted; the report says how to run it again.
/// The prior's intervals are the laws' exact quantiles, except a beta's, marked as sampled.
#[test]
fn the_fit_is_said_in_words_and_the_report_names_what_was_fitted() {
    let dir = tempfile::tempdir().unwrap();
    let (_, rollout) = small_files(dir.path());
    let text = SMALL.replace(
        "mechanisms.sustain.turnover_rate = { dist = \"uniform\", low = 0.0, high = 0.3 }",
        "mechanisms.sustain.turnover_rate = { dist = \"beta\", alpha = 2, beta = 5, low = 0.0, high = 0.3 }",
    );
    let scenario = write(dir.path(), "fit.toml", &text);
    let out_dir = dir.path().join("fitted");
    let out = cli(
        dir.path(),
        &[
            "calibrate",
            arg(&scenario),
            "--observed",
            arg(&rollout),
            "--out",
            arg(&out_dir),
            "--quiet",
            "--set",
            "calibrate.generations=3",
        ],
    );
    assert_ok(&out);
    let said = stdout(&out);
    // The count, as a reader of predictive.csv makes it.
    let cells: Vec<_> = csv_rows(&out_dir.join("predictive.csv"))
        .into_iter()
        .filter(|r| r["term"] != "0")
        .collect();
    let inside = cells
        .iter()
        .filter(|r| {
            let f = |k: &str| r[k].parse::<f64>().unwrap();
            f("p5") <= f("observed") && f("observed") <= f("p95")
        })
        .count();
    let sentence = format!(
        "{inside} of {} observed values after term 0 ({:.0} %) lie within the model's 90 % \
         predictive band",
        cells.len(),
        100.0 * inside as f64 / cells.len() as f64
    );
    assert!(said.contains(&format!("Fit: {sentence}")), "{said}");
    let calibrated = out_dir.join("calibrated.toml");
    assert!(
        said.contains(&format!("Next: domino compare {}", calibrated.display())),
        "{said}"
    );
    // A rollout of 60 schools over 8 terms informs the fields: no warning.
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    // Exact prior quantiles: uniform(0.05, 0.8) and log-uniform(0.0005, 0.05); the beta's sampled.
    let summary = csv_rows(&out_dir.join("summary.csv"));
    let row = |name: &str| summary.iter().find(|r| r["parameter"] == name).unwrap();
    let f = |r: &std::collections::BTreeMap<String, String>, k: &str| r[k].parse::<f64>().unwrap();
    let lr = row("innovation.learning_rate");
    assert_eq!(lr["prior_quantiles"], "exact");
    for (k, exact) in [
        ("prior_p5", 0.0875),
        ("prior_median", 0.425),
        ("prior_p95", 0.7625),
    ] {
        assert!((f(lr, k) - exact).abs() < 1e-12, "{k}: {}", f(lr, k));
    }
    let or = row("mechanisms.contagion.outside_rate");
    let (a, b) = (0.0005f64.ln(), 0.05f64.ln());
    assert!((f(or, "prior_p5") - (a + 0.05 * (b - a)).exp()).abs() < 1e-15);
    assert!((f(or, "prior_median") - 0.005).abs() < 1e-15);
    let tr = row("mechanisms.sustain.turnover_rate");
    assert_eq!(tr["prior_quantiles"], "sampled");
    assert!(
        said.contains("~ the prior's 90 % of a beta prior is estimated"),
        "{said}"
    );
    // The report: what was fitted, the same sentence, the next step, how to reproduce.
    assert_ok(&cli(dir.path(), &["report", arg(&out_dir)]));
    let page = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    for fragment in [
        "Calibration of small-calibration",
        &format!("<code>{}</code>", arg(&rollout)),
        "60 schools over 8 terms, with the strategy pilot-then-cascade; seed 5; domino ",
        &sentence.replace('\'', "&#39;"),
        &format!("domino compare {}", calibrated.display()),
        "How to reproduce",
        &format!(
            "domino calibrate {d}/scenario.toml --observed {d}/observed.csv --out NEW_FOLDER",
            d = out_dir.display()
        ),
        "~0.",
    ] {
        assert!(page.contains(fragment), "{fragment} not in the report");
    }
    // The command reproduces the folder.
    let again = dir.path().join("again");
    let out = cli(
        dir.path(),
        &[
            "calibrate",
            arg(&out_dir.join("scenario.toml")),
            "--observed",
            arg(&out_dir.join("observed.csv")),
            "--out",
            arg(&again),
            "--quiet",
        ],
    );
    assert_ok(&out);
    for name in ["posterior.csv", "summary.csv", "predictive.csv"] {
        assert!(
            std::fs::read(out_dir.join(name)).unwrap() == std::fs::read(again.join(name)).unwrap(),
            "{name} differs"
        );
    }
}

/// A rollout with nothing after term 0 cannot inform any field: said, not taken for a fit.
#[test]
fn a_rollout_that_carries_no_information_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let (scenario, _) = small_files(dir.path());
    let rollout = write(
        dir.path(),
        "start.csv",
        "school,term,stage\n0,0,not_adopted\n",
    );
    let out_dir = dir.path().join("start");
    let out = cli(
        dir.path(),
        &[
            "calibrate",
            arg(&scenario),
            "--observed",
            arg(&rollout),
            "--out",
            arg(&out_dir),
            "--quiet",
            "--set",
            "calibrate.generations=2",
        ],
    );
    assert_ok(&out);
    assert!(
        stderr(&out).contains("warning: every simulation drawn from the prior already reproduces"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("no observation after term 0"));
    let generations = csv_rows(&out_dir.join("generations.csv"));
    assert_eq!(generations[0]["max_distance"], "0");
    assert_ok(&cli(dir.path(), &["report", arg(&out_dir)]));
    let page = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(page.contains("Warning: every simulation drawn from the prior"));
}

#[test]
fn missing_terms_are_allowed_and_a_prior_on_an_uncertain_field_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cal = calibration(dir.path(), SMALL);
    let rows =
        "school,term,stage\n3,0,not_adopted\n3,4,sustained\n7,2,abandoned\n7,8,implementing\n";
    let observed =
        Observed::from_bytes(rows.as_bytes(), &dir.path().join("gaps.csv"), &cal.scenario).unwrap();
    assert_eq!(observed.rows.len(), 4);
    assert_eq!(observed.terms, 8);
    // A field that is already a distribution in the scenario gets its prior here only.
    let text = SMALL.replace(
        "[budget]\nper_school = 0.4",
        "[budget]\nper_school = 0.4\n\n[innovation]\nlearning_rate = { dist = \"uniform\", low = 0.2, high = 0.4 }",
    );
    let path = write(dir.path(), "twice.toml", &text);
    let e = Calibration::new(&Scenario::from_file(&path).unwrap(), &[]).unwrap_err();
    let line = text
        .lines()
        .position(|l| l.starts_with("innovation.learning_rate ="))
        .unwrap()
        + 1;
    assert_eq!(e.line, Some(line), "{e}");
    assert!(e.to_string().contains("already a distribution"), "{e}");
}

#[test]
fn a_prior_centred_out_of_range_is_reported_by_its_ends_not_its_centre() {
    // low = -1, high = 5 for a share: the centre 2 is written nowhere in the file.
    let dir = tempfile::tempdir().unwrap();
    let text = SMALL.replace(
        "learning_rate = { dist = \"uniform\", low = 0.05, high = 0.8 }",
        "learning_rate = { dist = \"uniform\", low = -1, high = 5 }",
    );
    assert_ne!(text, SMALL);
    let path = write(dir.path(), "centre.toml", &text);
    let e = Calibration::new(&Scenario::from_file(&path).unwrap(), &[]).unwrap_err();
    assert_eq!(
        e.field.as_deref(),
        Some("calibrate.priors.innovation.learning_rate"),
        "{e}"
    );
    assert!(
        e.message.contains("draws may reach -1 ")
            && e.message.contains("(the law is checked from -1 to 5)"),
        "{e}"
    );
    assert!(!e.message.contains("got 2"), "{e}");
}

#[test]
fn a_prior_whose_range_breaks_a_rule_is_blamed_and_a_set_distribution_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // Turnover up to 1.0 times the default mandate multiplier 1.5 exceeds a probability: the
    // error is about another field, but the prior is at fault and the message says so, on its
    // line.
    let text = SMALL.replace(
        "turnover_rate = { dist = \"uniform\", low = 0.0, high = 0.3 }",
        "turnover_rate = { dist = \"uniform\", low = 0.0, high = 1.0 }",
    );
    assert_ne!(text, SMALL);
    let path = write(dir.path(), "wide.toml", &text);
    let e = Calibration::new(&Scenario::from_file(&path).unwrap(), &[]).unwrap_err();
    let line = text
        .lines()
        .position(|l| l.starts_with("mechanisms.sustain.turnover_rate ="))
        .unwrap()
        + 1;
    assert_eq!(e.line, Some(line), "{e}");
    assert_eq!(
        e.field.as_deref(),
        Some("calibrate.priors.mechanisms.sustain.turnover_rate"),
        "{e}"
    );
    assert!(e.message.contains("draws may reach 1 "), "{e}");
    assert!(e.message.contains("mandate_abandon_multiplier"), "{e}");
    // A --set that makes a fitted field a distribution would be replaced by its prior: refused,
    // naming the flag. A plain value there is the scenario's own and is allowed.
    let path = write(dir.path(), "small.toml", SMALL);
    let scenario = Scenario::from_file(&path).unwrap();
    let set: Setting = "innovation.learning_rate={ dist = \"uniform\", low = 0.2, high = 0.4 }"
        .parse()
        .unwrap();
    let loaded = Scenario::load(SMALL, Some(&path), None, std::slice::from_ref(&set)).unwrap();
    let e = Calibration::new(&loaded, &[set]).unwrap_err();
    assert_eq!(
        e.field.as_deref(),
        Some("--set innovation.learning_rate={ dist = \"uniform\", low = 0.2, high = 0.4 }"),
        "{e}"
    );
    assert!(e.message.contains("has a prior"), "{e}");
    let plain: Setting = "innovation.learning_rate=0.3".parse().unwrap();
    assert!(Calibration::new(&scenario, &[plain]).is_ok());
}

/// Exit 2, the fragments in the message, no panic.
fn assert_exit_2(out: &Output, fragments: &[&str]) {
    assert_no_panic(out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    let err = stderr(out);
    for f in fragments {
        assert!(err.contains(f), "expected {f:?} in: {err}");
    }
}

/// `check` fills in `calibrate.strategy`'s default, the first strategy, by name (it printed
/// `strategy = ""`), and the listing it prints is accepted back.
#[test]
fn check_prints_the_first_strategy_as_the_calibrate_default() {
    let dir = tempfile::tempdir().unwrap();
    let two = SMALL.replace(
        "[calibrate]\n",
        "[[strategies]]\nname = \"cluster\"\n\n[calibrate]\n",
    );
    assert!(!two.contains("strategy ="));
    let scenario = write(dir.path(), "two.toml", &two);
    let out = cli(dir.path(), &["check", arg(&scenario)]);
    assert_ok(&out);
    let listing = stdout(&out);
    let table = &listing[listing.find("[calibrate]").expect(&listing)..];
    let table = &table[..table.find("\n[").unwrap_or(table.len())];
    assert!(
        table.contains("strategy = \"pilot-then-cascade\""),
        "{table}"
    );
    let again = write(dir.path(), "again.toml", &listing);
    assert_ok(&cli(dir.path(), &["check", arg(&again)]));
}

#[test]
fn check_validates_the_calibrate_table_and_set_values_are_blamed_on_their_flag() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "small.toml", SMALL);
    let check = |extra: &[&str]| {
        let mut args = vec!["check", arg(&scenario)];
        args.extend(extra);
        cli(dir.path(), &args)
    };
    assert_ok(&check(&[]));
    // Values given by --set are named by the flag, not by the file's line of the value they
    // replaced.
    for (set, fragment) in [
        (
            "calibrate.particles=0",
            "expected 2 to 100,000 particles, got 0",
        ),
        (
            "calibrate.strategy=nonesuch",
            "no strategy is named \"nonesuch\"",
        ),
        ("calibrate.generations=0", "expected 1 to 1,000 generations"),
        // The budget is too small for the particles the flag asks for.
        (
            "calibrate.particles=30000",
            "cannot draw the first generation's 30000",
        ),
    ] {
        let out = check(&["--set", set]);
        let flag = format!("--set {set}: ");
        assert_exit_2(&out, &[&flag, fragment]);
        assert!(!stderr(&out).contains("small.toml:"), "{}", stderr(&out));
    }
    // ... by calibrate too, which writes nothing.
    let never = dir.path().join("never");
    let out = cli(
        dir.path(),
        &[
            "calibrate",
            arg(&scenario),
            "--observed",
            arg(&dir.path().join("absent.csv")),
            "--out",
            arg(&never),
            "--set",
            "calibrate.particles=0",
        ],
    );
    assert_exit_2(
        &out,
        &["--set calibrate.particles=0: expected 2 to 100,000"],
    );
    assert!(!never.exists());
    // The file's own values and priors: on their line, as calibrate reports them.
    let line = |text: &str, start: &str| {
        let n = text.lines().position(|l| l.starts_with(start)).unwrap() + 1;
        format!(":{n}:")
    };
    let text = SMALL.replace("particles = 100", "particles = 1");
    let bad = write(dir.path(), "particles.toml", &text);
    assert_exit_2(
        &cli(dir.path(), &["check", arg(&bad)]),
        &[
            &format!("particles.toml{}", line(&text, "particles")),
            "calibrate.particles",
        ],
    );
    let text = format!(
        "{SMALL}mechanisms.contagion.peer_wieght = {{ dist = \"uniform\", low = 0, high = 1 }}\n"
    );
    let bad = write(dir.path(), "prior.toml", &text);
    assert_exit_2(
        &cli(dir.path(), &["check", arg(&bad)]),
        &[
            &format!(
                "prior.toml{}",
                line(&text, "mechanisms.contagion.peer_wieght")
            ),
            "peer_wieght",
        ],
    );
}

#[test]
fn a_prior_is_set_by_the_fields_dotted_path_as_under_calibrate_priors_in_the_file() {
    use domino::scenario::set::Setting;
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "small.toml", SMALL);
    let with_sets = |sets: &[&str]| {
        let sets: Vec<Setting> = sets.iter().map(|s| s.parse().unwrap()).collect();
        Scenario::from_file_with(&path, &sets).and_then(|s| Calibration::new(&s, &sets))
    };
    // A new prior joins the file's, one the file has is replaced, and a key of one is changed:
    // the same calibration as a file that writes them so.
    let set = with_sets(&[
        "calibrate.priors.mechanisms.contagion.peer_weight={ dist = \"uniform\", low = 0.2, high = 1.0 }",
        "calibrate.priors.innovation.learning_rate={ dist = \"uniform\", low = 0.1, high = 0.5 }",
        "calibrate.priors.mechanisms.sustain.turnover_rate.high=0.2",
    ])
    .unwrap();
    let text = SMALL
        .replace("low = 0.05, high = 0.8", "low = 0.1, high = 0.5")
        .replace("low = 0.0, high = 0.3", "low = 0.0, high = 0.2")
        + "mechanisms.contagion.peer_weight = { dist = \"uniform\", low = 0.2, high = 1.0 }\n";
    let written = calibration(dir.path(), &text);
    let paths = |c: &Calibration| c.priors.iter().map(|p| p.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&set), paths(&written));
    assert_eq!(set.priors.len(), 4);
    assert_eq!(set.laws(), written.laws());
    // A scenario without a [calibrate] table gets one.
    let plain = write(dir.path(), "plain.toml", "steps = 8\n");
    let sets: Vec<Setting> = vec![
        "calibrate.priors.innovation.learning_rate={ dist = \"uniform\", low = 0.1, high = 0.5 }"
            .parse()
            .unwrap(),
    ];
    let cal = Calibration::new(&Scenario::from_file_with(&plain, &sets).unwrap(), &sets).unwrap();
    assert_eq!(paths(&cal), ["innovation.learning_rate"]);
    // Mistakes name the flag and say what a prior is.
    for (set, fragment) in [
        ("calibrate.priors.innovation.learning_rate=0.3", "a prior is a distribution, e.g."),
        ("calibrate.priors={ dist = \"uniform\", low = 0, high = 1 }", "one prior per fitted field"),
        ("calibrate.priors.mechanisms={ dist = \"uniform\", low = 0, high = 1 }", "holds the priors of several fields"),
        ("calibrate.priors.mechanisms.contagion.peer_wieght={ dist = \"uniform\", low = 0, high = 1 }", "no field \"peer_wieght\""),
        ("calibrate.priors.innovation.learning_rate.dist=gamma", "unknown distribution \"gamma\""),
        ("calibrate.priors.mechanisms.sustain.turnover_rate.low=-0.1", "draws may reach -0.1"),
    ] {
        let e = with_sets(&[set]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(format!("--set {set}").as_str()), "{e}");
        assert!(e.message.contains(fragment), "expected {fragment:?} in: {e}");
        assert_eq!((e.file.as_ref(), e.line), (None, None), "{e}");
    }
    // On the command line too, with `check`.
    let out = cli(
        dir.path(),
        &[
            "check",
            arg(&path),
            "--set",
            "calibrate.priors.innovation.learning_rate=0.3",
        ],
    );
    assert_no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a prior is a distribution"),
        "{}",
        stderr(&out)
    );
}

/// `--run` picks the world of a simulated rollout; without `--simulate` it would do nothing, so
/// it is refused rather than ignored (clap's `requires` let it through as a default).
#[test]
fn run_without_simulate_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = domino(
        tmp.path(),
        &[
            "calibrate",
            arg(&repo("scenarios/calibrate-example.toml")),
            "--observed",
            arg(&repo("scenarios/rollout-example.csv")),
            "--run",
            "3",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--run: goes with --simulate FILE"),
        "{}",
        stderr(&out)
    );
    assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none());
}

/// The `Fit:` verdict is measured against what the model itself gives: the worked example's
/// own rollout (run 0 of its values), fitted with 100 particles and 5 generations, passes; a
/// rollout made with 75 % more budget than the scenario says (0.7 SU per school for 0.4), fitted
/// the same way, keeps about 9 in 10 values inside and is flagged; a search that kept only the
/// prior's sample is not called a fit.
#[test]
fn the_fit_verdict_passes_the_models_own_rollout_and_flags_a_wrong_budget() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = repo("scenarios/calibrate-example.toml");
    let verdict = |name: &str, simulate: &[&str], fit: &[&str]| {
        let rollout = dir.path().join(format!("{name}.csv"));
        let mut args = vec!["calibrate", arg(&scenario), "--simulate", arg(&rollout)];
        args.extend_from_slice(simulate);
        assert_ok(&cli(dir.path(), &args));
        let out_dir = dir.path().join(name);
        let mut args = vec![
            "calibrate",
            arg(&scenario),
            "--observed",
            arg(&rollout),
            "--out",
            arg(&out_dir),
            "--quiet",
            "--threads",
            "2",
            "--set",
            "calibrate.particles=100",
            "--set",
            "calibrate.simulations=8000",
        ];
        args.extend_from_slice(fit);
        let out = cli(dir.path(), &args);
        assert_ok(&out);
        stdout(&out)
    };
    let five = ["--set", "calibrate.generations=5"];
    let own = verdict("own", &[], &five);
    assert!(own.contains("this check finds no misfit"), "{own}");
    let wrong = verdict("wrong-budget", &["--set", "budget.per_school=0.7"], &five);
    assert!(wrong.contains("misses part of the rollout"), "{wrong}");
    let prior = verdict("prior-only", &[], &["--set", "calibrate.generations=1"]);
    assert!(prior.contains("Nothing was fitted"), "{prior}");
    assert!(!prior.contains("finds no misfit"), "{prior}");
    // Generation 0 has no tolerance to print (it was a blank), and its sample is the prior's.
    assert!(
        prior.contains("The prior's sample only: generation 0 of 100 particles, no tolerance"),
        "{prior}"
    );
    assert!(
        prior.contains("prior sample 90 %") && !prior.contains("final tolerance"),
        "{prior}"
    );
}

/// The same rollout with its rows in another order gives the same bytes: the rows are put in
/// one order (school, term) before any sum, so no floating-point sum depends on the file's
/// order (it did, in the last bits of the tolerances and observed means).
#[test]
fn the_rows_order_does_not_change_a_single_byte() {
    use rand::seq::SliceRandom;
    let dir = tempfile::tempdir().unwrap();
    let (scenario, rollout) = small_files(dir.path());
    let text = std::fs::read_to_string(&rollout).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    assert!(header.contains("practice"), "{header}");
    lines.shuffle(&mut Pcg64Mcg::seed_from_u64(9));
    let shuffled = write(
        dir.path(),
        "shuffled.csv",
        format!("{header}\n{}\n", lines.join("\n")),
    );
    let fit = |rollout: &Path, name: &str| {
        let out_dir = dir.path().join(name);
        assert_ok(&cli(
            dir.path(),
            &[
                "calibrate",
                arg(&scenario),
                "--observed",
                arg(rollout),
                "--out",
                arg(&out_dir),
                "--quiet",
                "--set",
                "calibrate.particles=50",
                "--set",
                "calibrate.generations=3",
            ],
        ));
        out_dir
    };
    let a = fit(&rollout, "original");
    let b = fit(&shuffled, "shuffled");
    for file in [
        "posterior.csv",
        "summary.csv",
        "predictive.csv",
        "generations.csv",
        "calibrated.toml",
    ] {
        // calibrated.toml's first line names the rollout file, which differs by name only.
        assert_eq!(
            std::fs::read_to_string(a.join(file)).unwrap(),
            std::fs::read_to_string(b.join(file))
                .unwrap()
                .replace("shuffled.csv", "rollout.csv"),
            "{file}"
        );
    }
}

/// The calibrate-example district with 11 priors (more than the corners validated together):
/// `head` holds the `[budget]` table, `priors` the first priors; 8 more follow.
fn eleven_priors(dir: &Path, budget: &str, priors: &str) -> PathBuf {
    let files = repo("scenarios/calibrate-example");
    let text = format!(
        r#"name = "eleven"
seed = 11
steps = 12

[network]
kind = "file"
edges = {edges:?}
nodes = {nodes:?}

[budget]
{budget}

[[strategies]]
name = "pilot-then-cascade"
pilots = 6

[calibrate]
particles = 20
generations = 2
simulations = 400

[calibrate.priors]
{priors}
mechanisms.contagion.outside_rate = {{ dist = "log-uniform", low = 0.0005, high = 0.05 }}
mechanisms.sustain.turnover_rate = {{ dist = "uniform", low = 0.0, high = 0.15 }}
innovation.learning_rate = {{ dist = "uniform", low = 0.1, high = 0.6 }}
mechanisms.contagion.topple_ratio = {{ dist = "uniform", low = 1.2, high = 4.0 }}
mechanisms.contagion.peer_weight = {{ dist = "uniform", low = 0.2, high = 1.0 }}
mechanisms.dose.decay = {{ dist = "uniform", low = 0.01, high = 0.1 }}
mechanisms.sustain.fatigue = {{ dist = "uniform", low = 0.0, high = 0.5 }}
mechanisms.sustain.low_bar = {{ dist = "uniform", low = 0.1, high = 0.4 }}
"#,
        edges = files.join("edges.csv"),
        nodes = files.join("nodes.csv"),
    );
    write(dir, "eleven.toml", text)
}

fn calibrate_eleven(dir: &Path, scenario: &Path) -> Output {
    domino(
        dir,
        &[
            "calibrate",
            arg(scenario),
            "--observed",
            arg(&repo("scenarios/rollout-example.csv")),
            "--out",
            "out",
            "--threads",
            "2",
            "-q",
        ],
    )
}

/// With more than 10 uncertain fields, a min prior above a max prior at some draw
/// (patience_min up to 10, patience_max down to 6) made calibrate panic mid-search; every pair
/// of fields is now validated at its ends, so it is refused before anything runs.
#[test]
fn priors_that_cross_a_min_and_max_are_refused_up_front_beyond_ten_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = eleven_priors(
        tmp.path(),
        "per_school = 0.4",
        "schools.patience_min = { dist = \"uniform\", low = 0, high = 10 }\n\
         schools.patience_max = { dist = \"uniform\", low = 6, high = 20 }\n\
         mechanisms.dose.d50 = { dist = \"uniform\", low = 0.5, high = 2.0 }",
    );
    let out = calibrate_eleven(tmp.path(), &scenario);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        "schools.patience_max: draws may reach 6",
        "schools.patience_min = 10",
        "must be at least schools.patience_min",
    ] {
        assert!(err.contains(says), "{says:?} not in {err}");
    }
    assert!(!tmp.path().join("out").exists());
}

/// A rule joining three fields (the dose range: budget, d50 and hill) is not checked at every
/// corner beyond 10 fields: a draw that breaks it stops calibrate with an input error naming
/// the field and the drawn values, where it used to panic.
#[test]
fn a_draw_breaking_a_rule_of_three_fields_stops_calibrate_with_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    // Any two at their worst ends with the third at its centre stay in range; all three do not.
    let scenario = eleven_priors(
        tmp.path(),
        "total = 1e8",
        "budget.total = { dist = \"log-uniform\", low = 8.3e6, high = 8.3e8 }\n\
         mechanisms.dose.d50 = { dist = \"log-uniform\", low = 1e-6, high = 1e-4 }\n\
         mechanisms.dose.hill = { dist = \"uniform\", low = 17, high = 20 }",
    );
    let out = calibrate_eleven(tmp.path(), &scenario);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        "mechanisms.dose.d50: is too small for this budget",
        "with the values drawn for one simulation: budget.total = ",
        "narrow the priors",
    ] {
        assert!(err.contains(says), "{says:?} not in {err}");
    }
    assert!(!tmp.path().join("out").exists());
}
