//! `domino optimise`: the pilot selection against the exhaustive optimum, the classic greedy
//! against an independent reference, the knob search on a planted optimum, racing, bad input,
//! determinism across thread counts, resuming, and `best.toml` pasted into a scenario.

mod common;

use common::{arg, domino, stderr, write};
use domino::optimise::{self, celf, classic, race, Evaluator, Settings};
use domino::scenario::{Goal, Scenario, StrategyConfig};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::fs;
use std::path::Path;

/// A connected random network of `n` schools (a ring plus `extra` random chords), as an edge
/// list, from `seed`.
fn edges(n: usize, extra: usize, seed: u64) -> String {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut text = String::from("source,target,weight\n");
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..n {
        let j = (i + 1) % n;
        seen.insert((i.min(j), i.max(j)));
    }
    while seen.len() < n + extra {
        let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
        if a != b {
            seen.insert((a.min(b), a.max(b)));
        }
    }
    for (a, b) in seen {
        let w: f64 = rng.random_range(0.3..1.0);
        text.push_str(&format!("{a},{b},{w:.2}\n"));
    }
    text
}

/// A node table of `n` schools with ids `0..n` and attributes drawn from `seed`, so that each
/// school is the same school in every run.
fn nodes(n: usize, seed: u64) -> String {
    let mut rng = Pcg64Mcg::seed_from_u64(seed ^ 0x5eed);
    let mut text = String::from("id,region,size,need,readiness,resources,context\n");
    for i in 0..n {
        text.push_str(&format!(
            "{i},{},{:.0},{:.2},{:.2},{:.2},{:.2}\n",
            i * 2 / n,
            rng.random_range(150.0..900.0),
            rng.random_range(0.0..1.0),
            rng.random_range(0.2..0.95),
            rng.random_range(0.05..0.5),
            rng.random_range(0.0..1.0)
        ));
    }
    text
}

/// A pilot-only scenario (no waves: the pilots and their peers carry it) on a file network with
/// a node table.
fn pilot_scenario(dir: &Path, n: usize, seed: u64) -> Scenario {
    write(dir, "edges.csv", edges(n, n / 2, seed));
    write(dir, "nodes.csv", nodes(n, seed));
    let text = format!(
        "seed = {seed}\nruns = 10\nsteps = 12\n[network]\nkind = \"file\"\nedges = \"edges.csv\"\n\
         nodes = \"nodes.csv\"\n\
         [budget]\nper_school = 0.15\n\
         [[strategies]]\nname = \"pilot-then-cascade\"\nwaves = false\npilot_terms = 6\n"
    );
    let path = write(dir, "s.toml", &text);
    Scenario::from_file(&path).unwrap()
}

fn with_pilots(base: &StrategyConfig, set: &[u32]) -> StrategyConfig {
    let mut s = base.clone();
    s.pilots = set.len() as u32;
    s.pilot_index = set.to_vec();
    s.pilot_ids = set.iter().map(|i| i.to_string()).collect();
    s
}

fn objective(v: &[optimise::Values]) -> Vec<f64> {
    v.iter().map(|x| x.objective).collect()
}

/// On networks of 14 schools, CELF's two pilots (on 32 paired runs) are the exhaustive best pair
/// of the same runs, or within the 95 % CI of its paired difference, in at least 9 of 10 seeds;
/// the median pair meets that criterion in at most 3 (so it is not met by any pair).
#[test]
fn celf_pilots_reach_the_exhaustive_optimum_on_small_networks() {
    let (n, k, runs) = (14usize, 2usize, 32u64);
    let ks: Vec<u64> = (0..runs).collect();
    let mut hits = 0;
    let mut median_hits = 0;
    let mut report = Vec::new();
    for seed in 1..=10u64 {
        let dir = tempfile::tempdir().unwrap();
        let scenario = pilot_scenario(dir.path(), n, seed);
        let base = scenario.config().strategies[0].clone();
        let mut eval = Evaluator::new(&scenario, Goal::StudentsBenefiting, 2.0, None, &());
        let pool: Vec<u32> = (0..n as u32).collect();
        let sel = celf::celf(
            &pool,
            k,
            celf::Until::K,
            |sets| -> domino::Result<Vec<f64>> {
                let s: Vec<StrategyConfig> = sets.iter().map(|x| with_pilots(&base, x)).collect();
                let refs: Vec<&StrategyConfig> = s.iter().collect();
                Ok(eval
                    .evaluate(&refs, &ks)?
                    .iter()
                    .map(|v| race::mean(v))
                    .collect())
            },
        )
        .unwrap();
        let chosen: Vec<u32> = sel.picks.iter().map(|p| p.item).collect();
        let mut pairs = Vec::new();
        for a in 0..n as u32 {
            for b in a + 1..n as u32 {
                pairs.push(with_pilots(&base, &[a, b]));
            }
        }
        let refs: Vec<&StrategyConfig> = pairs.iter().collect();
        let all = eval.evaluate(&refs, &ks).unwrap();
        let best = (0..all.len())
            .max_by(|&a, &b| race::mean(&all[a]).total_cmp(&race::mean(&all[b])))
            .unwrap();
        let got = eval
            .evaluate(&[&with_pilots(&base, &chosen)], &ks)
            .unwrap()
            .remove(0);
        let d = domino::metrics::stats::paired(&objective(&all[best]), &objective(&got));
        let ok = d.diff.mean <= 1e-12 || d.diff.ci_low <= 0.0;
        hits += ok as usize;
        // The criterion has teeth: the median pair does not meet it.
        let mut order: Vec<usize> = (0..all.len()).collect();
        order.sort_by(|&a, &b| race::mean(&all[a]).total_cmp(&race::mean(&all[b])));
        let median = order[order.len() / 2];
        let m = domino::metrics::stats::paired(&objective(&all[best]), &objective(&all[median]));
        median_hits += (m.diff.mean <= 1e-12 || m.diff.ci_low <= 0.0) as usize;
        report.push(format!(
            "seed {seed}: celf {chosen:?} {:.4}, best {:?} {:.4}, diff CI {:.4}..{:.4}",
            race::mean(&got),
            pairs[best].pilot_index,
            race::mean(&all[best]),
            d.diff.ci_low,
            d.diff.ci_high
        ));
    }
    assert!(hits >= 9, "{hits} of 10:\n{}", report.join("\n"));
    assert!(
        median_hits <= 3,
        "the median pair passes in {median_hits} of 10 seeds"
    );
}

/// A live-edge sample of the independent cascade, written here from the definition (Kempe et
/// al. 2003): each directed tie is live with probability `t`; a seed set's spread in a sample is
/// the number of nodes reachable from it along live ties.
struct LiveEdges {
    samples: Vec<Vec<Vec<u32>>>,
}

impl LiveEdges {
    fn new(net: &domino::network::Network, t: f64, m: usize, seed: u64) -> Self {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        let n = net.schools();
        let samples = (0..m)
            .map(|_| {
                (0..n)
                    .map(|i| {
                        net.neighbours(i)
                            .iter()
                            .copied()
                            .filter(|_| rng.random::<f64>() < t)
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Self { samples }
    }

    fn spread_each(&self, seeds: &[u32]) -> Vec<f64> {
        self.samples
            .iter()
            .map(|adj| {
                let mut seen = vec![false; adj.len()];
                let mut stack: Vec<u32> = seeds.to_vec();
                let mut count = 0;
                for &s in seeds {
                    if !seen[s as usize] {
                        seen[s as usize] = true;
                        count += 1;
                    }
                }
                while let Some(v) = stack.pop() {
                    for &w in &adj[v as usize] {
                        if !seen[w as usize] {
                            seen[w as usize] = true;
                            count += 1;
                            stack.push(w);
                        }
                    }
                }
                count as f64
            })
            .collect()
    }

    fn spread(&self, seeds: &[u32]) -> f64 {
        let v = self.spread_each(seeds);
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// On a power-law configuration network (400 nodes, exponent 2.5, fixed), the library's CELF
/// seeds (k = 5, 200 paired runs of the engine's independent cascade, T = 0.6) spread as far as
/// the seeds of a plain greedy written here on its own live-edge samples, within statistical
/// noise (3 standard errors of the paired difference plus 1 % of the nodes, judged on 4,000
/// fresh samples), and further than the 5 highest-degree nodes and than 5 random nodes (95 %
/// paired CI above 0). T = 0.6 is well above the percolation threshold: the hubs all sit in the
/// giant cluster, so a second hub adds little and greedy spends its seeds on other components,
/// where degree seeding cannot see the overlap (at T = 0.08 to 0.3 both choose the same hubs).
#[test]
fn greedy_seeds_match_a_reference_greedy_and_beat_degree_and_random() {
    let scenario = Scenario::from_toml(
        "model = \"independent-cascade\"\nseed = 7\nruns = 10\nsteps = 100\n\
         [network]\nkind = \"configuration\"\nschools = 400\ndegree_exponent = 2.5\n\
         degree_min = 1\ndegree_max = 40\nfixed = true\n[classic]\ntransmission = 0.6\n",
        None,
    )
    .unwrap();
    let k = 5;
    let ks: Vec<u64> = (0..200).collect();
    let lib: Vec<u32> = classic::greedy_seeds(&scenario, k, &ks)
        .unwrap()
        .picks
        .iter()
        .map(|p| p.item)
        .collect();
    let net = domino::engine::model(&scenario).network(0).unwrap();
    let n = net.schools();
    // The reference: plain greedy (no laziness) on its own 200 samples.
    let train = LiveEdges::new(&net, 0.6, 200, 11);
    let mut reference: Vec<u32> = Vec::new();
    for _ in 0..k {
        let mut best = (f64::NEG_INFINITY, 0u32);
        for v in 0..n as u32 {
            if reference.contains(&v) {
                continue;
            }
            let mut s = reference.clone();
            s.push(v);
            let f = train.spread(&s);
            if f > best.0 {
                best = (f, v);
            }
        }
        reference.push(best.1);
    }
    let mut by_degree: Vec<u32> = (0..n as u32).collect();
    by_degree.sort_by_key(|&i| (std::cmp::Reverse(net.degree(i as usize)), i));
    by_degree.truncate(k);
    let judge = LiveEdges::new(&net, 0.6, 4000, 99);
    let lib_each = judge.spread_each(&lib);
    let gap = |other: &[u32]| domino::metrics::stats::paired(&lib_each, &judge.spread_each(other));
    let vs_ref = gap(&reference);
    let se = vs_ref.diff.sd / (vs_ref.diff.n as f64).sqrt();
    assert!(
        vs_ref.diff.mean.abs() <= 3.0 * se + 0.01 * n as f64,
        "library {lib:?} {:.2} vs reference {reference:?} {:.2}",
        judge.spread(&lib),
        judge.spread(&reference)
    );
    let vs_degree = gap(&by_degree);
    assert!(
        vs_degree.diff.ci_low > 0.0,
        "library {lib:?} {:.2} vs degree {by_degree:?} {:.2}",
        judge.spread(&lib),
        judge.spread(&by_degree)
    );
    let mut rng = Pcg64Mcg::seed_from_u64(5);
    let random: Vec<u32> = rand::seq::index::sample(&mut rng, n, k)
        .into_iter()
        .map(|i| i as u32)
        .collect();
    assert!(gap(&random).diff.ci_low > 0.0, "random {random:?}");
}

/// Paid coaching that coaches nobody (funded efficiency 0): every SU paid to coaches is an SU
/// not spent on support, so the best coach share is the bottom of its range. (Coaching switched
/// off would not do: then no coach is paid and the coach share changes nothing.) The search (thin-spread, coach share the only knob,
/// in [0, 0.6]) finds it within 0.06 (one local step).
#[test]
fn the_knob_search_recovers_a_planted_optimum() {
    let scenario = Scenario::from_toml(
        "seed = 3\nruns = 10\nsteps = 16\n[network]\nschools = 120\nregions = 3\n\
         [budget]\nper_school = 0.2\n[mechanisms.coaching]\nfunded_efficiency = 0.0\n\
         [[strategies]]\nname = \"thin-spread\"\ncoach_share = 0.3\n\
         [optimise]\nkinds = [\"thin-spread\"]\ncoach_share = [0.0, 0.6]\nbudget_evals = 1500\n\
         targeting = [\"readiness\"]\npace = [\"fixed\"]\nsupport = [\"buy\"]\nmandate = [true]\n\
         adaptive = [false]\nadaptation = [\"a-la-carte\"]\nexchange = [\"best-practice\"]\n\
         fresh_runs = 20\n",
        None,
    )
    .unwrap();
    let settings = Settings::of(&scenario, None, None);
    let (outcome, _) = optimise::optimise(&scenario, &settings, None, &()).unwrap();
    let best = outcome.best_strategy();
    let coach = best.coach_share.unwrap();
    assert!(coach <= 0.06, "best coach share {coach}");
    // The space's lists are obeyed, the budget bounds the search, and the fresh runs are as many
    // as asked for.
    assert_eq!(best.kind, Some(domino::scenario::StrategyKind::ThinSpread));
    assert_eq!(best.targeting, domino::scenario::Targeting::Readiness);
    assert!(outcome
        .candidates
        .iter()
        .all(|c| c.strategy.kind == Some(domino::scenario::StrategyKind::ThinSpread)));
    assert!(
        outcome.search_simulations <= 1500,
        "{}",
        outcome.search_simulations
    );
    assert_eq!(outcome.table[0].objective.n, 20);
    assert!(outcome.pilots.is_none() && outcome.pilots_note.is_some());
    // And the planted optimum is real: the scenario's own 0.3 loses on fresh worlds.
    let own = &outcome.table[1];
    assert!(own.versus.unwrap().diff.ci_low > 0.0);
}

/// `[optimise] kinds` bounds the search: the scenario's pilot-then-cascade and cluster, far
/// better than any thin spread here, are compared on the fresh worlds as baselines but neither
/// start the search nor win it, and no candidate the search proposes (global, local, pilots) is
/// of their kinds. (Before the fix they were raced, led, and the local step searched around
/// them.)
#[test]
fn the_search_stays_within_the_kinds_asked_for() {
    use domino::scenario::StrategyKind;
    let scenario = Scenario::from_toml(
        "seed = 9\nruns = 10\nsteps = 12\n[network]\nschools = 60\nregions = 3\n\
         [[strategies]]\nname = \"thin-spread\"\n[[strategies]]\nname = \"pilot-then-cascade\"\n\
         [[strategies]]\nname = \"cluster\"\n\
         [optimise]\nkinds = [\"thin-spread\"]\nbudget_evals = 600\nfresh_runs = 20\n",
        None,
    )
    .unwrap();
    let settings = Settings::of(&scenario, None, None);
    let (outcome, _) = optimise::optimise(&scenario, &settings, None, &()).unwrap();
    assert_eq!(outcome.best_strategy().kind, Some(StrategyKind::ThinSpread));
    for c in &outcome.candidates {
        if c.origin == "scenario" {
            // Baselines of other kinds: fresh runs only.
            if c.strategy.kind != Some(StrategyKind::ThinSpread) {
                assert!(c.search.is_empty(), "{} raced", c.strategy.name);
                assert_eq!(c.fresh.len(), 20, "{}", c.strategy.name);
            }
        } else {
            assert_eq!(
                c.strategy.kind,
                Some(StrategyKind::ThinSpread),
                "{} ({})",
                c.strategy.name,
                c.origin
            );
        }
    }
    // The baselines are still in the comparison, and they are far ahead of the best thin spread:
    // what would have won an unbounded search.
    let names: Vec<&str> = outcome.table.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["optimised", "thin-spread", "pilot-then-cascade", "cluster"]
    );
    assert!(outcome.table[2].versus.unwrap().diff.ci_high < 0.0);
}

/// Racing: a thin-spread strategy that pays nearly all of its budget to coaches is clearly
/// behind pilot-then-cascade and is dropped after the second batch (16 runs of 48), while the
/// leader runs on. With racing off, it would run all 48.
#[test]
fn racing_drops_a_clearly_worse_candidate_early() {
    let scenario = Scenario::from_toml(
        "seed = 5\nruns = 10\nsteps = 16\n[network]\nschools = 150\nregions = 3\n\
         [[strategies]]\nname = \"pilot-then-cascade\"\n\
         [[strategies]]\nname = \"thin-spread\"\ncoach_share = 0.95\n\
         [[strategies]]\nname = \"cluster\"\n",
        None,
    )
    .unwrap();
    let cands = scenario.config().strategies.clone();
    let ks: Vec<u64> = (0..48).collect();
    let mut eval = Evaluator::new(&scenario, Goal::StudentsBenefiting, 2.0, None, &());
    let r = race::race(&mut eval, &cands, &ks, 8, 1_000_000, true).unwrap();
    assert_eq!(r.dropped_after[1], Some(16), "{:?}", r.dropped_after);
    let leader = r.survivors()[0];
    assert_eq!(r.values[leader].len(), 48);
    assert!(eval.simulated < 3 * 48);
}

fn scenario_file(dir: &Path, extra: &str) -> String {
    let text = format!(
        "seed = 9\nruns = 10\nsteps = 12\n[network]\nschools = 60\nregions = 3\n\
         [[strategies]]\nname = \"thin-spread\"\n[[strategies]]\nname = \"pilot-then-cascade\"\n\
         [[strategies]]\nname = \"cluster\"\n\n[optimise]\nbudget_evals = 500\nfresh_runs = 24\n{extra}"
    );
    arg(&write(dir, "s.toml", text)).to_string()
}

#[test]
fn bad_optimise_input_names_file_line_and_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (extra, field, line) in [
        ("pilots = [5, 2]\n", "optimise.pilots", 17),
        ("hub_share = [0.1, 1.5]\n", "optimise.hub_share", 17),
        // A range of three numbers is refused, not cut to its first two.
        ("pilots = [1, 2, 3]\n", "optimise.pilots", 17),
        (
            "coach_share = [0.1, 0.2, 0.3]\n",
            "optimise.coach_share",
            17,
        ),
        ("hub_share = [0.1]\n", "optimise.hub_share", 17),
        (
            "build_share = [0.1, 0.2, 0.3]\n",
            "optimise.build_share",
            17,
        ),
        ("kinds = []\n", "optimise.kinds", 17),
        ("colour = 3\n", "colour", 17),
        ("objective = \"happiness\"\n", "objective", 17),
    ] {
        let file = scenario_file(dir.path(), extra);
        let out = dir.path().join("out");
        let o = domino(
            dir.path(),
            &["optimise", &file, "--out", arg(&out), "--quiet"],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{extra}: {err}");
        assert!(err.contains(&format!("s.toml:{line}")), "{extra}: {err}");
        assert!(err.contains(field), "{extra}: {err}");
        assert!(!out.exists(), "{extra}: output written");
        if ["[1, 2, 3]", "[0.1, 0.2, 0.3]", "[0.1]\n"]
            .iter()
            .any(|r| extra.contains(r))
        {
            assert!(
                err.contains("expected a range [fewest, most]"),
                "{extra}: {err}"
            );
        }
    }
    let file = scenario_file(dir.path(), "");
    let o = domino(
        dir.path(),
        &["optimise", &file, "--objective", "fun", "--quiet"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

const FILES: [&str; 5] = [
    "best.toml",
    "pilots.csv",
    "best_schools.csv",
    "trace.csv",
    "comparison.csv",
];

#[test]
fn same_seed_same_bytes_at_one_and_two_threads_and_best_toml_pastes_into_a_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path(), "");
    let run = |threads: &str, name: &str| {
        let out = dir.path().join(name);
        let o = domino(
            dir.path(),
            &[
                "optimise",
                &file,
                "--out",
                arg(&out),
                "--threads",
                threads,
                "--quiet",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(common::stdout(&o).contains("simulations"));
        out
    };
    let (a, b) = (run("1", "a"), run("2", "b"));
    for f in FILES {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    // best.toml is a strategies entry: pasted into a scenario, it loads and runs.
    let best = fs::read_to_string(a.join("best.toml")).unwrap();
    let text = format!(
        "runs = 4\nsteps = 8\n[network]\nschools = 60\nregions = 3\n\
         [[strategies]]\nname = \"cluster\"\n\n{best}"
    );
    let scenario = Scenario::from_toml(&text, None).unwrap();
    assert_eq!(scenario.config().strategies[1].name, "optimised");
    let result = domino::engine::run_ensemble(&scenario, &()).unwrap();
    assert_eq!(result.runs[1].len(), 4);
    // No checkpoint is left behind once the results are in place.
    assert!(!optimise::checkpoint::Checkpoint::path_for(&a).exists());
    // A generated network has no school that is the same school in every run: no school named.
    assert_eq!(
        fs::read_to_string(a.join("best_schools.csv"))
            .unwrap()
            .lines()
            .count(),
        1
    );
    // `domino report` makes a page of the optimisation folder.
    let o = domino(dir.path(), &["report", arg(&a)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = fs::read_to_string(a.join("report.html")).unwrap();
    assert!(page.contains("id=\"optimise-table\""));
    assert!(page.contains("name = &quot;optimised&quot;"), "{page}");
}

/// Interrupted (killed once its checkpoint holds values) and resumed, an optimisation writes
/// the bytes an uninterrupted one writes; without --resume, the leftover checkpoint is refused.
#[test]
fn an_interrupted_optimisation_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(dir.path(), "");
    let text = fs::read_to_string(&file)
        .unwrap()
        .replace("budget_evals = 500", "budget_evals = 3000");
    fs::write(&file, text).unwrap();
    let whole = dir.path().join("whole");
    let o = domino(
        dir.path(),
        &["optimise", &file, "--out", arg(&whole), "--quiet"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let cut = dir.path().join("cut");
    let checkpoint = optimise::checkpoint::Checkpoint::path_for(&cut);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_domino"))
        .args([
            "optimise",
            &file,
            "--out",
            arg(&cut),
            "--quiet",
            "--threads",
            "1",
        ])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some values are checkpointed (or the run ends on its own).
    for _ in 0..2000 {
        let lines = fs::read_to_string(&checkpoint)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines > 50 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    if checkpoint.exists() {
        let o = domino(
            dir.path(),
            &["optimise", &file, "--out", arg(&cut), "--quiet"],
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("--resume"));
        // A value edited in the checkpoint (here to NaN) is refused, naming the file and line,
        // and nothing is written; the checkpoint as it was then resumes.
        let kept = fs::read_to_string(&checkpoint).unwrap();
        if kept.lines().count() >= 3 {
            let mut lines: Vec<String> = kept.split('\n').map(String::from).collect();
            let mut cells: Vec<&str> = lines[2].split(',').collect();
            cells[2] = "NaN";
            lines[2] = cells.join(",");
            fs::write(&checkpoint, lines.join("\n")).unwrap();
            let o = domino(
                dir.path(),
                &["optimise", &file, "--out", arg(&cut), "--quiet", "--resume"],
            );
            assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
            let at = format!("{}:3: is damaged", checkpoint.display());
            assert!(stderr(&o).contains(&at), "{}", stderr(&o));
            assert!(!cut.exists());
            fs::write(&checkpoint, kept).unwrap();
        }
        let o = domino(
            dir.path(),
            &["optimise", &file, "--out", arg(&cut), "--quiet", "--resume"],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(
            common::stdout(&o).contains("read back"),
            "{}",
            common::stdout(&o)
        );
    }
    for f in FILES {
        assert_eq!(
            fs::read(whole.join(f)).unwrap(),
            fs::read(cut.join(f)).unwrap(),
            "{f}"
        );
    }
}

/// The folder reproduces itself: an optimisation run with --objective, --budget-evals and --set
/// writes them into its scenario.toml (the first two into its [optimise] table), so optimising
/// that scenario.toml again gives the same files byte for byte; only the manifest differs, in
/// the inputs read and the --set arguments given. Both manifests record the objective and budget.
/// (Before the fix, scenario.toml held the file's budget and objective, and the re-run differed.)
#[test]
fn the_folder_scenario_reproduces_an_optimisation_run_with_overrides() {
    let dir = tempfile::tempdir().unwrap();
    pilot_scenario(dir.path(), 16, 4);
    let text = fs::read_to_string(dir.path().join("s.toml")).unwrap()
        + "[optimise]\nkinds = [\"pilot-then-cascade\", \"cluster\"]\npilots = [2, 3]\n\
           budget_evals = 2000\nfresh_runs = 20\n";
    let file = write(dir.path(), "p.toml", text);
    let a = dir.path().join("a");
    let o = domino(
        dir.path(),
        &[
            "optimise",
            arg(&file),
            "--objective",
            "sustained",
            "--budget-evals",
            "700",
            "--set",
            "optimise.finalists=2",
            "--out",
            arg(&a),
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let b = dir.path().join("b");
    let o = domino(
        dir.path(),
        &[
            "optimise",
            arg(&a.join("scenario.toml")),
            "--out",
            arg(&b),
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in FILES
        .iter()
        .chain(&["table.txt", "scenario.toml", "network-edges.csv"])
    {
        assert_eq!(
            fs::read_to_string(a.join(f)).unwrap(),
            fs::read_to_string(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let rows = common::csv_rows(&a.join("comparison.csv"));
    assert_eq!(rows[0]["objective"], "sustained");
    for d in [&a, &b] {
        let m: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(d.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["objective"], "sustained", "{m}");
        assert_eq!(m["budget_evals"], 700, "{m}");
    }
}

/// Pilot schools are chosen on a network from files and written to pilots.csv with their rank
/// and marginal gain.
#[test]
fn pilot_schools_are_chosen_on_a_file_network() {
    let dir = tempfile::tempdir().unwrap();
    pilot_scenario(dir.path(), 16, 4);
    let text = fs::read_to_string(dir.path().join("s.toml")).unwrap()
        + "[optimise]\nkinds = [\"pilot-then-cascade\"]\npilots = [2, 3]\nbudget_evals = 1500\n\
           fresh_runs = 20\n";
    let file = write(dir.path(), "p.toml", text);
    let out = dir.path().join("out");
    let o = domino(
        dir.path(),
        &["optimise", arg(&file), "--out", arg(&out), "--quiet"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = common::csv_rows(&out.join("pilots.csv"));
    let added: Vec<_> = rows.iter().filter(|r| r["added"] == "true").collect();
    assert!((1..=3).contains(&added.len()), "{rows:?}");
    assert_eq!(rows[0]["rank"], "1");
    // Every school added raised the value (selection stops at the first that does not, which
    // is listed as not added), each gain is a mean inside its own interval, on the runs given,
    // and the values add up gain by gain, in the unit named (a share).
    let f =
        |r: &std::collections::BTreeMap<String, String>, c: &str| -> f64 { r[c].parse().unwrap() };
    let mut value = 0.0;
    for r in &rows {
        assert!(r["runs"].parse::<usize>().unwrap() >= 2, "{r:?}");
        assert_eq!(r["runs"], rows[0]["runs"]);
        assert_eq!(r["unit"], "share");
        let g = f(r, "marginal_gain");
        assert!(
            f(r, "gain_ci_low") <= g && g <= f(r, "gain_ci_high"),
            "{r:?}"
        );
        assert!((f(r, "value") - (value + g)).abs() < 1e-9, "{rows:?}");
        if r["added"] == "true" {
            assert!(g > 0.0, "{r:?}");
            value += g;
        } else {
            assert!(g <= 0.0, "{r:?}");
        }
    }
    assert!(rows.iter().filter(|r| r["added"] == "false").count() <= 1);
    let best = fs::read_to_string(out.join("best.toml")).unwrap();
    // The set is the optimised strategy's exactly when best.toml names pilot schools, and the
    // table says which, with the first gain in points as pilots.csv gives it in fractions.
    let won = best.contains("pilot_ids");
    for r in &added {
        assert_eq!(r["in_optimised"], won.to_string());
    }
    let table = fs::read_to_string(out.join("table.txt")).unwrap();
    assert_eq!(table.contains("NOT RECOMMENDED"), !won, "{table}");
    assert_eq!(
        table.contains("pilot schools named in best.toml"),
        won,
        "{table}"
    );
    let first = format!(
        "{} {:+.1} (",
        rows[0]["school"],
        100.0 * f(&rows[0], "marginal_gain")
    );
    assert!(table.contains(&first), "{first} in {table}");
    // The winner may be the pilot-set candidate or another finalist; the trace lists the former.
    let trace = common::csv_rows(&out.join("trace.csv"));
    assert!(trace
        .iter()
        .any(|r| r["origin"] == "pilots" && !r["pilot_ids"].is_empty()));
    // One candidate is marked as the winner, and each fresh-run mean is the very number
    // comparison.csv gives (it was summed in another order: the last digits differed), so the
    // two files join on it; comparison.csv names the objective's unit.
    let chosen: Vec<_> = trace.iter().filter(|r| r["optimised"] == "true").collect();
    assert_eq!(chosen.len(), 1, "{trace:?}");
    assert!(trace
        .iter()
        .all(|r| ["true", "false"].contains(&r["optimised"].as_str())));
    let comparison = common::csv_rows(&out.join("comparison.csv"));
    for c in &comparison {
        assert_eq!(c["unit"], "share");
        let name = if c["strategy"] == "optimised" {
            &chosen[0]["candidate"]
        } else {
            &c["strategy"]
        };
        let t = trace.iter().find(|t| &t["candidate"] == name).expect(name);
        assert_eq!(t["fresh_objective_mean"], c["mean"], "{name}");
    }
    assert!(best.contains("[[strategies]]"));
    // The report lists the pilot schools.
    let o = domino(dir.path(), &["report", arg(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("id=\"optimise-pilots\""));
    assert_eq!(page.contains("Pilot schools tried and rejected"), !won);
    assert!(page.contains("id=\"optimise-best-schools\""), "{page}");
}

/// The schools the optimised strategy pilots are named (best_schools.csv, the table, the
/// report): here a mandated pilot-then-cascade of 2 pilots by readiness, which pilots the two
/// readiest schools of the node table in every fresh run. Its 2 pilots sit on the top of
/// `pilots = [2, 2]`, which a note says, naming the field; best.toml marks the cluster's knobs
/// as unused; the report explains "worst 10%".
#[test]
fn the_winners_pilot_schools_are_named_and_a_bound_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    pilot_scenario(dir.path(), 16, 4);
    let text = fs::read_to_string(dir.path().join("s.toml")).unwrap()
        + "[optimise]\nkinds = [\"pilot-then-cascade\"]\npilots = [2, 2]\npilot_sets = false\n\
           mandate = [true]\ntargeting = [\"readiness\"]\nwaves = [false]\n\
           budget_evals = 400\nfresh_runs = 20\n";
    let file = write(dir.path(), "p.toml", text);
    let out = dir.path().join("out");
    let o = domino(
        dir.path(),
        &["optimise", arg(&file), "--out", arg(&out), "--quiet"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let nodes = common::csv_rows(&dir.path().join("nodes.csv"));
    let mut readiest: Vec<(f64, String)> = nodes
        .iter()
        .map(|r| (r["readiness"].parse().unwrap(), r["id"].clone()))
        .collect();
    readiest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let schools = common::csv_rows(&out.join("best_schools.csv"));
    assert_eq!(schools.len(), 16);
    let piloted: Vec<f64> = schools
        .iter()
        .map(|r| r["piloted"].parse().unwrap())
        .collect();
    assert!(piloted.windows(2).all(|w| w[0] >= w[1]), "{piloted:?}");
    let mut top: Vec<&str> = schools[..2].iter().map(|r| r["school"].as_str()).collect();
    top.sort();
    let mut expected = vec![readiest[0].1.as_str(), readiest[1].1.as_str()];
    expected.sort();
    assert_eq!(top, expected);
    for r in &schools[..2] {
        assert_eq!((r["piloted"].as_str(), r["runs"].as_str()), ("1", "20"));
    }
    let table = fs::read_to_string(out.join("table.txt")).unwrap();
    assert!(
        table.contains(&format!("schools the optimised strategy pilots (share of the 20 fresh runs in which it piloted each; all in best_schools.csv): {} 100%", readiest[0].1))
            || table.contains(&format!("): {} 100%", readiest[1].1)),
        "{table}"
    );
    let note = "note: 2 pilots is the most the search tried ([optimise] pilots = [2, 2]): more \
                may do better; raise the second number of pilots in [optimise] to search further";
    assert!(table.contains(note), "{table}");
    let best = fs::read_to_string(out.join("best.toml")).unwrap();
    assert!(
        best.contains("\nhub_share = 0.2  # cluster only: not used by this strategy\n"),
        "{best}"
    );
    assert!(best.contains("\npilots = 2\n"), "{best}");
    let o = domino(dir.path(), &["report", arg(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        page.contains("Note: 2 pilots is the most the search tried"),
        "{page}"
    );
    assert!(
        page.contains("the 10th percentile over the fresh runs"),
        "{page}"
    );
    assert!(page.contains("id=\"optimise-best-schools\""), "{page}");
}

/// Named pilots are kept in every run of a scenario with distributions (run k's scenario is
/// rebuilt from TOML, where the school indices are not written): the optimiser's pilot sets and
/// a pasted `best.toml` rely on it.
#[test]
fn named_pilots_survive_the_runs_of_a_scenario_with_distributions() {
    let s = Scenario::from_toml(
        "runs = 2\n[network]\nschools = 40\nregions = 2\n\
         [mechanisms.dose]\nd50 = { dist = \"uniform\", low = 0.5, high = 2 }\n\
         [[strategies]]\nname = \"pilot-then-cascade\"\npilot_ids = [\"3\", \"7\"]\n",
        None,
    )
    .unwrap();
    assert!(!s.uncertain().is_empty());
    assert_eq!(
        s.for_run(1).unwrap().config().strategies[0].pilot_index,
        vec![3, 7]
    );
}

/// The objectives read what they say: equity with weight 0 is students benefiting, with weight 5
/// it differs; cost-per-student is students benefiting per SU spent; sustained is the sustained
/// share.
#[test]
fn each_objective_reads_its_own_figure() {
    let scenario = Scenario::from_toml(
        "seed = 2\nruns = 4\nsteps = 12\n[network]\nschools = 80\nregions = 2\n",
        None,
    )
    .unwrap();
    let s = &scenario.config().strategies[1];
    let ks: Vec<u64> = (0..6).collect();
    let run = |goal: Goal, w: f64| {
        Evaluator::new(&scenario, goal, w, None, &())
            .evaluate(&[s], &ks)
            .unwrap()
            .remove(0)
    };
    let plain = run(Goal::Equity, 0.0);
    let weighted = run(Goal::Equity, 5.0);
    let mut differs = false;
    for (a, b) in plain.iter().zip(&weighted) {
        assert!((a.objective - a.benefiting).abs() < 1e-12, "{a:?}");
        assert_eq!(b.objective, b.equity);
        differs |= (b.equity - b.benefiting).abs() > 1e-9;
    }
    assert!(differs, "the equity weight changes nothing");
    for v in run(Goal::CostPerStudent, 2.0) {
        assert_eq!(v.objective, v.per_su);
    }
    for v in run(Goal::Sustained, 2.0) {
        assert_eq!(v.objective, v.sustained);
    }
    for v in run(Goal::StudentsBenefiting, 2.0) {
        assert_eq!(v.objective, v.benefiting);
    }
    // students per SU: benefiting students over spend, from the engine's own run summary.
    let e = domino::engine::run_ensemble(&scenario, &()).unwrap();
    let r = &e.runs[1][0];
    let students = r.get(domino::metrics::RunMetric::StudentsBenefiting);
    let spend = r.get(domino::metrics::RunMetric::Spend);
    let v = run(Goal::CostPerStudent, 2.0);
    assert!((v[0].per_su - students / spend).abs() < 1e-12);
}

/// Every candidate the search races lies within the `[optimise]` ranges and lists, so the
/// winner does: the scenario's own pilot-then-cascade (as many pilots as the budget funds,
/// targeting need) starts the race moved within (1 pilot, random targeting) and stays a
/// baseline of the comparison as it stands. Its one-knob neighbours once kept its values
/// outside the space, and the winner with them.
#[test]
fn the_winner_lies_within_the_optimise_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(
        dir.path(),
        "kinds = [\"pilot-then-cascade\"]\npilots = [1, 1]\ntargeting = [\"random\"]\n\
         coach_share = [0.3, 0.4]\n",
    );
    let out = dir.path().join("out");
    let o = domino(
        dir.path(),
        &[
            "optimise",
            &file,
            "--out",
            arg(&out),
            "--quiet",
            "--threads",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let best = fs::read_to_string(out.join("best.toml")).unwrap();
    assert!(best.contains("\npilots = 1\n"), "{best}");
    assert!(best.contains("\ntargeting = \"random\"\n"), "{best}");
    let trace = common::csv_rows(&out.join("trace.csv"));
    let raced: Vec<_> = trace.iter().filter(|r| r["search_runs"] != "0").collect();
    assert!(raced.len() > 3, "{trace:?}");
    for r in &raced {
        assert_eq!(r["pilots"], "1", "{r:?}");
        assert_eq!(r["targeting"], "random", "{r:?}");
        let coach: f64 = r["coach_share"].parse().unwrap();
        assert!((0.3..=0.4).contains(&coach), "{r:?}");
    }
    // The scenario's own strategy is a baseline with no search runs; its projection was raced.
    let own = trace
        .iter()
        .find(|r| r["candidate"] == "pilot-then-cascade")
        .unwrap();
    assert_eq!(
        (own["origin"].as_str(), own["search_runs"].as_str()),
        ("scenario", "0")
    );
    assert!(
        trace.iter().any(|r| r["origin"] == "projected"
            && r["candidate"] == "pilot-then-cascade (within the ranges)"),
        "{trace:?}"
    );
}

/// On the domino chain every finalist scores 100 % on every run, and the pilot set greedy
/// selection chose (the first school) ties exactly with the finalist that pilots that school
/// by its targeting rule. A tie goes to the named set: it is not reported as "NOT RECOMMENDED
/// ... did not win", and the table says it tied.
#[test]
fn a_pilot_set_that_ties_exactly_is_named_not_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chain");
    let o = domino(
        dir.path(),
        &[
            "optimise",
            arg(&common::repo("scenarios/domino-chain.toml")),
            "--budget-evals",
            "600",
            "--out",
            arg(&out),
            "--quiet",
            "--threads",
            "2",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = common::stdout(&o);
    assert!(!text.contains("NOT RECOMMENDED"), "{text}");
    assert!(
        text.contains("pilot schools named in best.toml, chosen by greedy selection"),
        "{text}"
    );
    assert!(text.contains("tied exactly, on the search runs"), "{text}");
    let pilots = common::csv_rows(&out.join("pilots.csv"));
    assert!(!pilots.is_empty());
    assert!(
        pilots.iter().all(|r| r["in_optimised"] == "true"),
        "{pilots:?}"
    );
    let best = fs::read_to_string(out.join("best.toml")).unwrap();
    assert!(best.contains("pilot_ids = [\"s1\"]"), "{best}");
}
