//! Invariants that must hold for any valid scenario and strategy, checked by proptest over random
//! small scenarios: every share in [0, 1]; spending never above the budget; every school in
//! exactly one stage (implementing + sustained + abandoned + not adopted = schools); support only
//! to implementing schools; and results that do not depend on the thread count.

use domino::engine::ensemble::run_ensemble;
use domino::engine::{simulate, Buffers};
use domino::metrics::{RunMetric, Series};
use domino::model::{Stage, World};
use domino::rng::RunSeeds;
use domino::Scenario;
use proptest::prelude::*;

/// A random small scenario: network kind, size, budget, mechanisms and every strategy knob.
fn scenario() -> impl Strategy<Value = String> {
    let network = (
        prop::sample::select(vec![
            "regional",
            "small-world",
            "scale-free",
            "random",
            "ring",
            "complete",
        ]),
        10u32..80,
        1u32..5,
        2.0f64..8.0,
    );
    let knobs = (
        prop::sample::select(vec!["thin-spread", "pilot-then-cascade", "cluster"]),
        any::<bool>(),
        prop::sample::select(vec!["fixed", "proven"]),
        prop::sample::select(vec!["need", "readiness", "centrality", "random"]),
        prop::sample::select(vec!["buy", "build"]),
        any::<bool>(),
        prop::sample::select(vec!["a-la-carte", "prix-fixe"]),
        prop::sample::select(vec!["best-practice", "process"]),
        1u32..6,
    );
    let mechanisms = (
        0.05f64..3.0,
        0.5f64..4.0,
        any::<bool>(),
        0.0f64..0.3,
        0.0f64..1.0,
        prop::sample::select(vec!["simple", "complex"]),
        0.0f64..0.5,
    );
    (network, knobs, mechanisms, any::<u32>()).prop_map(|(net, k, m, seed)| {
        let (kind, schools, regions, degree) = net;
        let degree = degree.min(schools as f64 - 1.0);
        let (skind, mandate, pace, targeting, support, adaptive, adaptation, exchange, pilots) = k;
        let (d50, hill, know_how, turnover, budget, form, drift) = m;
        format!(
            "seed = {seed}\nruns = 2\nsteps = 8\n\
             [network]\nkind = \"{kind}\"\nschools = {schools}\nregions = {regions}\nmean_degree = {degree}\n\
             [mechanisms.dose]\nd50 = {d50}\nhill = {hill}\n\
             [mechanisms.know_how]\nenabled = {know_how}\n\
             [mechanisms.contagion]\nform = \"{form}\"\n\
             [mechanisms.adaptation]\ndrift_cost = {drift}\n\
             [mechanisms.sustain]\nturnover_rate = {turnover}\n\
             [budget]\nper_school = {budget}\n\
             [[strategies]]\nname = \"s\"\nkind = \"{skind}\"\nmandate = {mandate}\npace = \"{pace}\"\n\
             targeting = \"{targeting}\"\nsupport = \"{support}\"\nadaptive = {adaptive}\nreview_terms = 2\n\
             adaptation = \"{adaptation}\"\nexchange = \"{exchange}\"\npilots = {pilots}\n"
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_term_respects_budget_stages_and_bounds(toml in scenario()) {
        let scenario = Scenario::from_toml(&toml, None).unwrap();
        let budget = scenario.budget_per_term();
        let n = scenario.schools();
        let seeds = RunSeeds::new(scenario.config.seed, 0);
        let world = World::build(&scenario, &seeds);
        let mut buf = Buffers::default();
        let mut violations = Vec::new();
        let mut previous: Option<Vec<Stage>> = None;
        let summary = simulate(&scenario, 0, &world, &seeds, &mut buf, |step, state, plan| {
            if plan.spent() > budget * (1.0 + 1e-9) + 1e-12 {
                violations.push(format!("term {step}: spent {} of {budget}", plan.spent()));
            }
            let mut counts = [0usize; 4];
            for i in 0..n {
                counts[state.stage[i] as usize] += 1;
                let p = state.practice[i];
                if !(0.0..=1.0).contains(&p) || !(0.0..=1.0).contains(&state.fit[i]) {
                    violations.push(format!("term {step}: school {i} practice {p} fit {}", state.fit[i]));
                }
                if plan.support[i] < 0.0 {
                    violations.push(format!("term {step}: negative support"));
                }
                // Support in a term goes only to schools implementing in that term.
                if plan.support[i] > 0.0 {
                    let was = previous.as_ref().map(|v| v[i]);
                    if was != Some(Stage::Implementing) {
                        violations.push(format!("term {step}: support to school {i} that was {was:?}"));
                    }
                }
            }
            if counts.iter().sum::<usize>() != n {
                violations.push(format!("term {step}: stage counts {counts:?} do not add to {n}"));
            }
            previous = Some(state.stage.clone());
        });
        prop_assert!(violations.is_empty(), "{}", violations.join("\n"));
        for row in &buf.recorder.rows {
            for s in Series::ALL {
                let v = row[*s as usize];
                if *s != Series::MeanEffect {
                    prop_assert!(v.is_nan() || (0.0..=1.0).contains(&v), "{} = {v}", s.name());
                }
            }
            let total = row[Series::Implementing as usize] + row[Series::Sustained as usize]
                + row[Series::Abandoned as usize];
            prop_assert!(total <= 1.0 + 1e-12);
        }
        for m in [RunMetric::SustainedShare, RunMetric::ImplementingShare, RunMetric::AbandonedShare,
                  RunMetric::NoBenefit, RunMetric::SustainedHighNeed, RunMetric::SustainedLowNeed] {
            let v = summary.get(m);
            prop_assert!(v.is_nan() || (0.0..=1.0).contains(&v), "{} = {v}", m.name());
        }
        let spend = summary.get(RunMetric::Spend) + summary.get(RunMetric::Unspent);
        prop_assert!((spend - budget * scenario.config.steps as f64).abs() <= 1e-6 * (1.0 + spend));
        prop_assert!(summary.get(RunMetric::EquityGap).abs() <= 1.0);
    }
}

/// The same ensemble on 1 and on 2 threads gives bit-identical summaries and series.
#[test]
fn results_do_not_depend_on_thread_count() {
    let scenario = Scenario::from_toml(
        "seed = 9\nruns = 300\nsteps = 10\n[network]\nschools = 80\nregions = 4\n",
        None,
    )
    .unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| run_ensemble(&scenario, &()))
    };
    let (one, two) = (run(1), run(2));
    // Compare bit patterns: NaN marks "undefined in this run" and must match too.
    let bits = |e: &domino::engine::ensemble::Ensemble| -> Vec<u64> {
        e.runs
            .iter()
            .flatten()
            .flat_map(|r| r.0.iter().map(|v| v.to_bits()))
            .collect()
    };
    let (a, b) = (bits(&one), bits(&two));
    assert_eq!(a.len(), b.len());
    if let Some(k) = (0..a.len()).find(|&k| a[k] != b[k]) {
        panic!(
            "run figures differ at value {k}: {} vs {}",
            f64::from_bits(a[k]),
            f64::from_bits(b[k])
        );
    }
    for s in 0..one.strategies.len() {
        for t in 0..=10 {
            for series in Series::ALL {
                let (a, b) = (
                    one.series[s].point(t, *series),
                    two.series[s].point(t, *series),
                );
                assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
        }
    }
}
