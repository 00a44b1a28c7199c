//! One small behavioural test per mechanism and knob of the school model, on hand-made worlds of a
//! few schools: each test fails when its mechanism or knob is ignored (for instance when coaching
//! is not added to the dose, or the domino rule ignores resistance). The statements in
//! `tests/statements.rs` check what the mechanisms add up to; these check each one alone.

use domino::model::{
    advance, compute_fields, Decisions, Hub, Origin, Params, Stage, State, World, NO_SOURCE,
};
use domino::network::Network;
use domino::rng::RunSeeds;
use domino::scenario::files::Edge;
use domino::scenario::{Exchange, ScenarioConfig, StrategyConfig};
use domino::school::{need_groups, Population};

/// `n` identical average schools in one region: size at the median, readiness 0.5, no own
/// resources, context at the innovation's home, site effect 0.2, endless patience.
fn schools(n: usize, cfg: &ScenarioConfig) -> Population {
    let need = vec![0.4; n];
    Population {
        region: vec![0; n],
        n_regions: 1,
        size: vec![cfg.schools.size_median; n],
        need_group: need_groups(&need),
        need,
        readiness: vec![0.5; n],
        resources: vec![0.0; n],
        context: vec![cfg.innovation.home_context; n],
        site_effect: vec![0.2; n],
        patience: vec![1000; n],
        cool_down: vec![4; n],
    }
}

fn edges(list: &[(u32, u32, f32)]) -> Vec<Edge> {
    list.iter()
        .map(|&(a, b, weight)| Edge { a, b, weight })
        .collect()
}

/// A world, its parameters for `strategy` and a fresh state.
struct Fixture {
    world: World,
    p: Params,
    s: State,
}

impl Fixture {
    fn new(
        cfg: &ScenarioConfig,
        strategy: &StrategyConfig,
        pop: Population,
        ties: &[(u32, u32, f32)],
    ) -> Self {
        let n = pop.len();
        let world = World::from_parts(Network::from_edges(n, edges(ties)), pop, cfg);
        let p = Params::new(cfg, strategy);
        let mut s = State::default();
        s.reset(&world, &p);
        Self { world, p, s }
    }

    fn with(cfg: &ScenarioConfig, pop: Population, ties: &[(u32, u32, f32)]) -> Self {
        Self::new(cfg, &cfg.strategies[0], pop, ties)
    }

    /// Makes `i` a sustained pocket at full practice whose effect has been seen.
    fn pocket(&mut self, i: usize) {
        let s = &mut self.s;
        s.stage[i] = Stage::Sustained;
        s.practice[i] = 1.0;
        s.effect[i] = 0.2;
        s.observed[i] = 0.2;
        s.pocket[i] = true;
    }

    /// Makes `i` an implementing school at practice `x`.
    fn implementing(&mut self, i: usize, x: f64) {
        self.s.stage[i] = Stage::Implementing;
        self.s.practice[i] = x;
    }

    fn fields(&mut self, hubs: &[Hub], coach: &[f64]) {
        compute_fields(&self.world, &self.p, &mut self.s, hubs, coach);
    }

    fn step(&mut self, support: &[f64], recruit: &[bool], step: u32) {
        self.step_withdrawing(support, recruit, &vec![false; support.len()], step);
    }

    fn step_withdrawing(
        &mut self,
        support: &[f64],
        recruit: &[bool],
        withdrawn: &[bool],
        step: u32,
    ) {
        let draws = RunSeeds::new(7, 0).draws();
        let decisions = Decisions {
            support,
            recruit,
            withdrawn,
        };
        advance(&self.world, &self.p, &mut self.s, decisions, &draws, step);
    }
}

fn cfg() -> ScenarioConfig {
    ScenarioConfig::default()
}

// --- 10. coaching ------------------------------------------------------------------------------

#[test]
fn a_pocket_shares_its_whole_coaching_capacity_by_tie_weight() {
    let cfg = cfg();
    let mut f = Fixture::with(&cfg, schools(3, &cfg), &[(0, 1, 1.0), (0, 2, 0.5)]);
    f.pocket(0);
    f.implementing(1, 0.1);
    f.implementing(2, 0.1);
    f.fields(&[], &[0.0; 3]);
    // Capacity of an average-readiness pocket without resources is exactly `capacity`.
    let total = f.s.coaching[1] + f.s.coaching[2];
    assert!(
        (total - cfg.mechanisms.coaching.capacity).abs() < 1e-12,
        "{total}"
    );
    // Same contexts: shares follow tie weight, 2 : 1.
    assert!((f.s.coaching[1] - 2.0 * f.s.coaching[2]).abs() < 1e-12);
}

#[test]
fn coaching_is_conserved_so_more_neighbours_each_get_less() {
    let cfg = cfg();
    let one = {
        let mut f = Fixture::with(&cfg, schools(2, &cfg), &[(0, 1, 1.0)]);
        f.pocket(0);
        f.implementing(1, 0.1);
        f.fields(&[], &[0.0; 2]);
        f.s.coaching[1]
    };
    let mut f = Fixture::with(
        &cfg,
        schools(5, &cfg),
        &[(0, 1, 1.0), (0, 2, 1.0), (0, 3, 1.0), (0, 4, 1.0)],
    );
    f.pocket(0);
    for i in 1..5 {
        f.implementing(i, 0.1);
    }
    f.fields(&[], &[0.0; 5]);
    assert!((f.s.coaching[1] - one / 4.0).abs() < 1e-12);
}

#[test]
fn coaching_favours_similar_contexts_and_grows_with_readiness_resources_and_funding() {
    let cfg = cfg();
    let mut pop = schools(3, &cfg);
    pop.context[2] = cfg.innovation.home_context + 0.3;
    let mut f = Fixture::with(&cfg, pop, &[(0, 1, 1.0), (0, 2, 1.0)]);
    f.pocket(0);
    f.implementing(1, 0.1);
    f.implementing(2, 0.1);
    f.fields(&[], &[0.0; 3]);
    assert!(
        f.s.coaching[2] < 0.9 * f.s.coaching[1],
        "{:?}",
        f.s.coaching
    );

    let coached = |readiness: f64, resources: f64, paid: f64| {
        let mut pop = schools(2, &cfg);
        pop.resources[0] = resources;
        let mut f = Fixture::with(&cfg, pop, &[(0, 1, 1.0)]);
        f.pocket(0);
        f.s.readiness[0] = readiness;
        f.s.resources[0] = resources;
        f.implementing(1, 0.1);
        f.fields(&[], &[paid, 0.0]);
        f.s.coaching[1]
    };
    let base = coached(0.5, 0.0, 0.0);
    assert!(
        (coached(1.0, 0.0, 0.0) - 2.0 * base).abs() < 1e-12,
        "readiness"
    );
    assert!(
        (coached(0.5, 0.3, 0.0) - (base + 0.3)).abs() < 1e-12,
        "resources"
    );
    let eff = cfg.mechanisms.coaching.funded_efficiency;
    assert!(
        (coached(0.5, 0.0, 1.5) - (base + 1.5 * eff)).abs() < 1e-12,
        "funded"
    );
}

#[test]
fn coaching_off_gives_nothing_even_when_paid() {
    let mut cfg = cfg();
    cfg.mechanisms.coaching.enabled = false;
    let mut f = Fixture::with(&cfg, schools(2, &cfg), &[(0, 1, 1.0)]);
    f.pocket(0);
    f.implementing(1, 0.1);
    f.fields(&[], &[5.0, 0.0]);
    assert_eq!(f.s.coaching[1], 0.0);
}

#[test]
fn coaching_adds_to_the_dose() {
    let run = |coaching: bool| {
        let mut cfg = cfg();
        cfg.mechanisms.coaching.enabled = coaching;
        cfg.mechanisms.know_how.enabled = false;
        cfg.mechanisms.sustain.turnover_rate = 0.0;
        let mut f = Fixture::with(&cfg, schools(2, &cfg), &[(0, 1, 1.0)]);
        f.pocket(0);
        f.implementing(1, 0.1);
        f.fields(&[], &[0.0; 2]);
        f.step(&[0.0; 2], &[false; 2], 0);
        f.s.practice[1]
    };
    assert!(
        run(true) > run(false) + 0.05,
        "{} vs {}",
        run(true),
        run(false)
    );
}

// --- 4. the domino rule ------------------------------------------------------------------------

/// Does a pocket `ratio` times the size of its neighbour topple it (one term, tie weight 1)?
fn topples(ratio: f64, topple_ratio: f64, form: &str) -> bool {
    let mut cfg = cfg();
    cfg.mechanisms.contagion.form = match form {
        "domino" => domino::scenario::ContagionForm::Domino,
        _ => domino::scenario::ContagionForm::Simple,
    };
    cfg.mechanisms.contagion.topple_ratio = topple_ratio;
    cfg.mechanisms.contagion.outside_rate = 0.0;
    cfg.mechanisms.size.influence_exponent = 1.0;
    cfg.mechanisms.size.resistance_exponent = 1.0;
    let mut pop = schools(2, &cfg);
    pop.size[1] = pop.size[0] * ratio;
    let mut f = Fixture::with(&cfg, pop, &[(0, 1, 1.0)]);
    f.pocket(0);
    f.fields(&[], &[0.0; 2]);
    f.step(&[0.0; 2], &[false; 2], 0);
    f.s.stage[1] == Stage::Implementing
}

#[test]
fn a_domino_topples_schools_up_to_topple_ratio_times_its_size() {
    assert!(topples(1.9, 2.0, "domino"));
    assert!(topples(2.0, 2.0, "domino"));
    assert!(!topples(2.1, 2.0, "domino"));
    assert!(!topples(2.0, 1.5, "domino"));
    assert!(topples(1.4, 1.5, "domino"));
}

/// Does school 0 adopt in one term under complex contagion, with `degree` neighbours of which
/// the first `pockets` are pockets (the rest idle non-adopters)?
fn complex_adopts(
    threshold_count: u32,
    threshold_fraction: f64,
    degree: u32,
    pockets: u32,
) -> bool {
    let mut cfg = cfg();
    cfg.mechanisms.contagion.form = domino::scenario::ContagionForm::Complex;
    cfg.mechanisms.contagion.threshold_count = threshold_count;
    cfg.mechanisms.contagion.threshold_fraction = threshold_fraction;
    cfg.mechanisms.contagion.outside_rate = 0.0;
    let n = degree as usize + 1;
    let ties: Vec<(u32, u32, f32)> = (1..=degree).map(|j| (0, j, 1.0)).collect();
    let mut f = Fixture::with(&cfg, schools(n, &cfg), &ties);
    for j in 1..=pockets as usize {
        f.pocket(j);
    }
    f.fields(&[], &vec![0.0; n]);
    f.step(&vec![0.0; n], &vec![false; n], 0);
    f.s.stage[0] == Stage::Implementing
}

#[test]
fn complex_contagion_needs_its_count_or_share_of_pocket_neighbours() {
    // A count threshold: two pockets, whatever the degree.
    assert!(!complex_adopts(2, 0.9, 6, 1));
    assert!(complex_adopts(2, 0.9, 6, 2));
    // No count: a share of the neighbours (half of 4 is 2).
    assert!(!complex_adopts(0, 0.5, 4, 1));
    assert!(complex_adopts(0, 0.5, 4, 2));
    // An isolated school has no share to reach.
    assert!(!complex_adopts(0, 0.5, 0, 0));
}

#[test]
fn the_outside_rate_persuades_under_every_contagion_form() {
    // 2,000 isolated schools, outside rate 0.3: about 600 adopt in a term under the domino and
    // complex forms (binomial SE 10; allow 50), where readiness does not enter.
    use domino::scenario::ContagionForm;
    for form in [ContagionForm::Domino, ContagionForm::Complex] {
        let mut cfg = cfg();
        cfg.mechanisms.contagion.form = form;
        cfg.mechanisms.contagion.outside_rate = 0.3;
        let n = 2000;
        let mut f = Fixture::with(&cfg, schools(n, &cfg), &[]);
        f.fields(&[], &vec![0.0; n]);
        f.step(&vec![0.0; n], &vec![false; n], 0);
        let adopted =
            f.s.stage
                .iter()
                .filter(|&&s| s == Stage::Implementing)
                .count();
        assert!(adopted.abs_diff(600) < 50, "{form:?}: {adopted}");
    }
}

#[test]
fn a_persuaded_school_remembers_its_source_and_takes_its_version() {
    let mut cfg = cfg();
    cfg.mechanisms.contagion.form = domino::scenario::ContagionForm::Domino;
    let mut f = Fixture::with(&cfg, schools(3, &cfg), &[(1, 2, 1.0)]);
    f.pocket(1);
    f.s.version[1] = 0.9;
    f.fields(&[], &[0.0; 3]);
    f.step(&[0.0; 3], &[true, false, false], 0);
    assert_eq!(f.s.origin[0], Origin::Recruited);
    assert_eq!(f.s.source[0], NO_SOURCE);
    assert_eq!(f.s.origin[2], Origin::Persuaded);
    assert_eq!(f.s.source[2], 1);
    assert_eq!(
        f.s.version[2], 0.9,
        "a peer adopter takes its source's version"
    );
    assert_eq!(f.s.version[0], cfg.innovation.home_context);
    // Funded later: persuaded, then funded.
    f.fields(&[], &[0.0; 3]);
    f.step(&[0.0, 0.0, 0.5], &[false; 3], 1);
    assert_eq!(f.s.origin[2], Origin::PersuadedFunded);
    assert!(f.s.funded[2] && f.s.funded[0] && !f.s.funded[1]);
}

// --- 11. evidence -----------------------------------------------------------------------------

/// `n` schools implementing since `tenure` terms at full practice with true effect `effect`;
/// advances one term and returns the fixture.
fn reviewed(cfg: &ScenarioConfig, n: usize, tenure: u32, site: f64) -> Fixture {
    let mut pop = schools(n, cfg);
    pop.site_effect = vec![site; n];
    let mut f = Fixture::with(cfg, pop, &[]);
    for i in 0..n {
        f.implementing(i, 0.9);
        f.s.tenure[i] = tenure;
    }
    f.fields(&[], &vec![0.0; n]);
    f.step(&vec![0.0; n], &vec![false; n], 3);
    f
}

fn evidence_cfg() -> ScenarioConfig {
    let mut cfg = cfg();
    cfg.mechanisms.sustain.turnover_rate = 0.0;
    cfg
}

#[test]
fn a_review_drops_schools_without_an_observed_benefit_at_the_configured_rate() {
    let cfg = evidence_cfg();
    let after = cfg.mechanisms.evidence.review_after;
    // Harmful: nearly every observation is below the bar; drops at about drop_without_benefit.
    let f = reviewed(&cfg, 4000, after - 1, -0.3);
    let dropped = f.s.stage.iter().filter(|&&s| s == Stage::Abandoned).count() as f64 / 4000.0;
    let q = cfg.mechanisms.evidence.drop_without_benefit;
    // Binomial SE at n = 4000 is under 0.008; allow 0.03.
    assert!(
        (dropped - q).abs() < 0.03,
        "dropped {dropped}, expected about {q}"
    );
    // Helpful and clearly measured: nobody is dropped.
    let f = reviewed(&cfg, 500, after - 1, 1.0);
    assert!(f.s.stage.iter().all(|&s| s == Stage::Implementing));
}

/// A school whose support the strategy withdraws stops with probability
/// `abandon_when_withdrawn` (not on a review term, with a helpful effect: nothing else drops
/// it); schools not withdrawn carry on; with evidence off nobody stops.
#[test]
fn a_withdrawn_school_stops_at_the_configured_rate() {
    let run = |cfg: &ScenarioConfig| {
        let n = 4000;
        let mut f = Fixture::with(cfg, schools(n, cfg), &[]);
        for i in 0..n {
            f.implementing(i, 0.9);
            f.s.tenure[i] = 1;
        }
        let withdrawn: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
        f.fields(&[], &vec![0.0; n]);
        f.step_withdrawing(&vec![0.0; n], &vec![false; n], &withdrawn, 3);
        let stopped = |parity: usize| {
            (0..n)
                .filter(|&i| i % 2 == parity && f.s.stage[i] == Stage::Abandoned)
                .count() as f64
                / (n / 2) as f64
        };
        (stopped(0), stopped(1))
    };
    let mut cfg = evidence_cfg();
    cfg.mechanisms.evidence.abandon_when_withdrawn = 0.7;
    let (withdrawn, kept) = run(&cfg);
    // Binomial SE at n = 2000 is about 0.01; allow 0.04.
    assert!(
        (withdrawn - 0.7).abs() < 0.04,
        "withdrawn stopped at {withdrawn}"
    );
    assert_eq!(kept, 0.0);
    cfg.mechanisms.evidence.enabled = false;
    assert_eq!(run(&cfg), (0.0, 0.0));
}

#[test]
fn reviews_happen_only_after_review_after_and_then_every_review_every() {
    // The defaults, and a first review that is not a multiple of the interval (so counting the
    // interval from adoption instead of from the first review would show).
    let mut odd = evidence_cfg();
    odd.mechanisms.evidence.review_after = 3;
    odd.mechanisms.evidence.review_every = 4;
    for cfg in [evidence_cfg(), odd] {
        review_timing(&cfg);
    }
}

fn review_timing(cfg: &ScenarioConfig) {
    let (after, every) = (
        cfg.mechanisms.evidence.review_after,
        cfg.mechanisms.evidence.review_every,
    );
    for tenure_before in 0..(after + 2 * every) {
        let f = reviewed(cfg, 200, tenure_before, -0.3);
        let t = tenure_before + 1;
        let review = t >= after && (t - after) % every == 0;
        let observed = f.s.observed.iter().filter(|o| o.is_finite()).count();
        assert_eq!(observed > 0, review, "tenure {t}");
        let dropped = f.s.stage.contains(&Stage::Abandoned);
        assert_eq!(dropped, review, "tenure {t}");
    }
}

#[test]
fn observed_effects_scatter_by_measurement_sd() {
    let mut cfg = evidence_cfg();
    cfg.mechanisms.evidence.drop_without_benefit = 0.0;
    let after = cfg.mechanisms.evidence.review_after;
    for sd in [0.0, 0.1, 0.3] {
        cfg.mechanisms.evidence.measurement_sd = sd;
        let f = reviewed(&cfg, 4000, after - 1, 0.2);
        let d: Vec<f64> = (0..4000).map(|i| f.s.observed[i] - f.s.effect[i]).collect();
        let mean = d.iter().sum::<f64>() / 4000.0;
        let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 3999.0;
        // SE of the mean is sd / 63; of the SD about sd / 89. Allow 4 SE.
        assert!(
            mean.abs() <= 4.0 * sd / 63.0 + 1e-12,
            "sd {sd}: mean {mean}"
        );
        assert!(
            (var.sqrt() - sd).abs() <= 4.0 * sd / 89.0 + 1e-12,
            "sd {sd}: {var}"
        );
    }
}

#[test]
fn evidence_off_never_drops_and_pockets_see_the_true_effect() {
    let mut cfg = evidence_cfg();
    cfg.mechanisms.evidence.enabled = false;
    let f = reviewed(&cfg, 500, cfg.mechanisms.evidence.review_after - 1, -0.3);
    assert!(f.s.stage.iter().all(|&s| s == Stage::Implementing));
    // A school at high practice with a positive true effect is a pocket at once...
    let f = reviewed(&cfg, 1, 0, 0.5);
    assert!(f.s.pocket[0]);
    // ...while with evidence on it is not seen before its first review.
    let f = reviewed(&evidence_cfg(), 1, 0, 0.5);
    assert!(!f.s.pocket[0]);
}

#[test]
fn an_innovation_with_no_effect_makes_no_visible_success() {
    // Visibility requires a positive effect: at high practice, a true effect of exactly 0 (no
    // site effect, no dip) is not a success anyone sees.
    let mut cfg = evidence_cfg();
    cfg.mechanisms.evidence.enabled = false;
    cfg.innovation.implementation_dip = 0.0;
    let f = reviewed(&cfg, 1, 0, 0.0);
    assert_eq!(f.s.effect[0], 0.0);
    assert!(f.s.practice[0] >= cfg.mechanisms.visibility.bar);
    assert!(!f.s.pocket[0]);
    // The same school with any positive effect is a pocket.
    let f = reviewed(&cfg, 1, 0, 1e-6);
    assert!(f.s.pocket[0]);
}

#[test]
fn a_sustained_school_is_reviewed_too() {
    let cfg = evidence_cfg();
    let n = 1000;
    let mut pop = schools(n, &cfg);
    pop.site_effect = vec![-0.3; n];
    let mut f = Fixture::with(&cfg, pop, &[]);
    for i in 0..n {
        f.pocket(i);
        f.s.effect[i] = -0.3;
        f.s.tenure[i] = cfg.mechanisms.evidence.review_after - 1;
    }
    f.fields(&[], &vec![0.0; n]);
    f.step(&vec![0.0; n], &vec![false; n], 0);
    let dropped = f.s.stage.iter().filter(|&&s| s == Stage::Abandoned).count();
    assert!(dropped > n / 3, "{dropped}");
}

/// `State::terms` counts the terms a school has spent in its current stage, sustained ones too
/// (with no leader turnover and no review to move it).
#[test]
fn a_school_counts_its_terms_in_its_stage() {
    let mut cfg = cfg();
    cfg.mechanisms.sustain.turnover_rate = 0.0;
    cfg.mechanisms.evidence.enabled = false;
    let mut f = Fixture::with(&cfg, schools(2, &cfg), &[]);
    f.pocket(0);
    f.implementing(1, 0.2);
    f.s.terms[0] = 2;
    f.s.terms[1] = 1;
    for step in 0..3 {
        f.fields(&[], &[0.0; 2]);
        f.step(&[1.0, 1.0], &[false; 2], step);
    }
    assert_eq!(f.s.stage[0], Stage::Sustained);
    assert_eq!(f.s.terms[0], 5);
    assert_eq!(f.s.stage[1], Stage::Implementing);
    assert_eq!(f.s.terms[1], 4);
}

// --- 1 and the decisions: learning -------------------------------------------------------------

/// Practice after one term for one implementing school at practice 0.2 with `support` SU.
fn learned(cfg: &ScenarioConfig, strategy: &StrategyConfig, mandated: bool, support: f64) -> f64 {
    let mut f = Fixture::new(cfg, strategy, schools(1, cfg), &[]);
    f.implementing(0, 0.2);
    f.s.mandated[0] = mandated;
    f.fields(&[], &[0.0]);
    f.step(&[support], &[false], 0);
    f.s.practice[0]
}

#[test]
fn a_mandated_school_learns_at_the_mandate_learning_factor() {
    let mut cfg = evidence_cfg();
    let st = StrategyConfig::default();
    cfg.mechanisms.dose.decay = 0.0;
    let chose = learned(&cfg, &st, false, 2.0) - 0.2;
    let told = learned(&cfg, &st, true, 2.0) - 0.2;
    let factor = cfg.mechanisms.sustain.mandate_learning_factor;
    assert!(factor < 1.0);
    assert!((told - factor * chose).abs() < 1e-12, "{told} vs {chose}");
}

#[test]
fn sharing_process_costs_learning_time_and_best_practice_does_not() {
    let mut cfg = evidence_cfg();
    cfg.mechanisms.dose.decay = 0.0;
    let best = StrategyConfig::default();
    let process = StrategyConfig {
        exchange: Exchange::Process,
        ..StrategyConfig::default()
    };
    let a = learned(&cfg, &best, false, 2.0) - 0.2;
    let b = learned(&cfg, &process, false, 2.0) - 0.2;
    let cost = cfg.mechanisms.know_how.exchange_cost;
    assert!(cost > 0.0);
    assert!((b - (1.0 - cost) * a).abs() < 1e-12, "{b} vs {a}");
}

#[test]
fn build_support_doses_its_bought_part_now_and_its_built_part_through_readiness() {
    // Under build, support S doses S (1 - b) at once plus readiness x the S b y of capacity it
    // built this term. School 0 gets S; school 1 gets nothing but already owns the resources that
    // give the same dose, so both learn the same.
    let cfg = evidence_cfg();
    let st = StrategyConfig {
        support: domino::scenario::SupportMode::Build,
        ..StrategyConfig::default()
    };
    let (b, y) = (st.build_share, st.build_yield);
    assert!(b > 0.0 && b < 1.0);
    let mut f = Fixture::new(&cfg, &st, schools(2, &cfg), &[]);
    let support = 0.8;
    let readiness = f.s.readiness[1];
    f.s.resources[1] = support * (1.0 - b) / readiness + support * b * y;
    for i in 0..2 {
        f.implementing(i, 0.2);
    }
    f.fields(&[], &[0.0; 2]);
    f.step(&[support, 0.0], &[false; 2], 0);
    let (a, c) = (f.s.practice[0], f.s.practice[1]);
    assert!(a > 0.2, "{a}");
    assert!((a - c).abs() < 1e-12, "{a} vs {c}");
}

#[test]
fn a_bigger_school_feels_a_smaller_dose() {
    // dose_exponent e: a school k times the median size feels its dose divided by k^e. School 1,
    // four times the median, given S, learns exactly as school 0, at the median, given S / 4^e.
    let mut cfg = evidence_cfg();
    cfg.mechanisms.size.dose_exponent = 0.5;
    let mut pop = schools(2, &cfg);
    pop.size[1] = 4.0 * cfg.schools.size_median;
    let mut f = Fixture::with(&cfg, pop, &[]);
    for i in 0..2 {
        f.implementing(i, 0.2);
    }
    f.fields(&[], &[0.0; 2]);
    let support = 1.0;
    f.step(&[support / 2.0, support], &[false; 2], 0);
    let (a, b) = (f.s.practice[0], f.s.practice[1]);
    assert!(a > 0.2, "{a}");
    assert!((a - b).abs() < 1e-12, "{a} vs {b}");
}

#[test]
fn patience_runs_down_only_below_the_low_bar() {
    // Without dose or decay practice stays put: a school exactly at the low bar is not below it,
    // one an ulp under is.
    let mut cfg = evidence_cfg();
    cfg.mechanisms.dose.decay = 0.0;
    let bar = cfg.mechanisms.sustain.low_bar;
    assert!(bar > 0.0);
    let mut f = Fixture::with(&cfg, schools(2, &cfg), &[]);
    f.implementing(0, bar);
    f.implementing(1, bar.next_down());
    f.fields(&[], &[0.0; 2]);
    f.step(&[0.0; 2], &[false; 2], 0);
    assert_eq!(f.s.practice[0], bar);
    assert_eq!(f.s.low, [0, 1]);
}

#[test]
fn build_support_turns_into_lasting_resources_and_buy_does_not() {
    let cfg = evidence_cfg();
    let run = |mode: domino::scenario::SupportMode| {
        let st = StrategyConfig {
            support: mode,
            ..StrategyConfig::default()
        };
        let mut f = Fixture::new(&cfg, &st, schools(1, &cfg), &[]);
        f.implementing(0, 0.2);
        f.fields(&[], &[0.0]);
        f.step(&[1.0], &[false], 0);
        f.s.resources[0]
    };
    assert_eq!(run(domino::scenario::SupportMode::Buy), 0.0);
    let st = StrategyConfig::default();
    let built = run(domino::scenario::SupportMode::Build);
    assert!(
        (built - st.build_share * st.build_yield).abs() < 1e-12,
        "{built}"
    );
}

// --- 3, 6, 9: know-how, adaptation, drift, hubs -------------------------------------------------

#[test]
fn know_how_fades_across_contexts() {
    let cfg = cfg();
    let mut pop = schools(3, &cfg);
    pop.context[2] = cfg.innovation.home_context + 0.4;
    let mut f = Fixture::with(&cfg, pop, &[(0, 1, 1.0), (0, 2, 1.0)]);
    f.pocket(0);
    f.implementing(1, 0.1);
    f.implementing(2, 0.1);
    f.fields(&[], &[0.0; 3]);
    assert!(f.s.know_how[1] > 0.0);
    assert!(
        f.s.know_how[2] < 0.5 * f.s.know_how[1],
        "{:?}",
        f.s.know_how
    );
}

#[test]
fn the_version_adapts_to_the_context_and_drift_costs_effect() {
    let mut cfg = evidence_cfg();
    // Adaptation works while implementing: keep the school from sustaining.
    cfg.mechanisms.sustain.terms = 1000;
    let mut pop = schools(1, &cfg);
    pop.context[0] = cfg.innovation.home_context + 0.4;
    let run = |cfg: &ScenarioConfig, pop: Population| {
        let mut f = Fixture::with(cfg, pop, &[]);
        f.implementing(0, 0.8);
        for t in 0..10 {
            f.fields(&[], &[0.0]);
            f.step(&[2.0], &[false], t);
        }
        (f.s.version[0], f.s.fit[0], f.s.effect[0])
    };
    let (v, fit, effect) = run(&cfg, pop.clone());
    assert!(v > cfg.innovation.home_context + 0.2, "version {v}");
    assert!(fit > 0.8, "fit {fit}");
    cfg.mechanisms.adaptation.drift_cost = 0.0;
    let (_, _, no_drift) = run(&cfg, pop.clone());
    assert!(effect < no_drift - 0.005, "{effect} vs {no_drift}");
    cfg.mechanisms.adaptation.enabled = false;
    let (v, _, _) = run(&cfg, pop);
    assert_eq!(v, cfg.innovation.home_context);
}

#[test]
fn a_hub_multiplies_tie_weights_inside_its_region() {
    let mut cfg = cfg();
    // No hub know-how of its own: only the stronger ties count here.
    cfg.mechanisms.hub.efficiency = 0.0;
    let know_how = |hub: bool| {
        let mut f = Fixture::with(&cfg, schools(2, &cfg), &[(0, 1, 0.4)]);
        f.pocket(0);
        f.implementing(1, 0.1);
        let hubs = [Hub {
            region: 0,
            spend: 1.0,
        }];
        f.fields(if hub { &hubs } else { &[] }, &[0.0; 2]);
        f.s.know_how[1]
    };
    let m = cfg.mechanisms.hub.tie_multiplier;
    assert!(m > 1.0);
    assert!((know_how(true) - m * know_how(false)).abs() < 1e-12);
}

#[test]
fn a_hub_shares_its_know_how_by_tie_strength_and_loses_what_leaves_its_region() {
    // Regions: {0, 1, 2}, {3}, {4}. Ties 0-1 (0.5, inside) and 1-3 (1.0, leaving region 0);
    // 2 and 4 are isolated. Everyone implements at practice 0, so only hubs give know-how.
    let cfg = cfg();
    let mut pop = schools(5, &cfg);
    pop.region = vec![0, 0, 0, 1, 2];
    pop.n_regions = 3;
    let mut f = Fixture::with(&cfg, pop, &[(0, 1, 0.5), (1, 3, 1.0)]);
    for i in 0..5 {
        f.implementing(i, 0.0);
    }
    let spend = 2.0;
    let hubs = [0, 2].map(|region| Hub { region, spend });
    f.fields(&hubs, &[0.0; 5]);
    // Region 0's implementing schools have tie strength 0.5 + 1.5 + 0 = 2; each receives its
    // share by strength, of which only the ties inside the region (0.5 each) arrive.
    let e = cfg.mechanisms.hub.efficiency;
    assert!(e > 0.0);
    let each = e * spend / 2.0 * 0.5;
    assert!(
        (f.s.know_how[0] - each).abs() < 1e-12,
        "{}",
        f.s.know_how[0]
    );
    assert!(
        (f.s.know_how[1] - each).abs() < 1e-12,
        "{}",
        f.s.know_how[1]
    );
    // An isolated school, a region without a hub, and a hub whose region has no ties at all
    // (nothing to share by, and no division by zero) get nothing.
    assert_eq!(f.s.know_how[2], 0.0);
    assert_eq!(f.s.know_how[3], 0.0);
    assert_eq!(f.s.know_how[4], 0.0);
}

#[test]
fn mandated_schools_lose_their_leaders_more_often() {
    let abandoned = |mandated: bool| {
        let mut cfg = cfg();
        cfg.mechanisms.sustain.turnover_rate = 0.1;
        cfg.mechanisms.evidence.enabled = false;
        let n = 4000;
        let mut f = Fixture::with(&cfg, schools(n, &cfg), &[]);
        for i in 0..n {
            f.implementing(i, 0.4);
            f.s.mandated[i] = mandated;
        }
        f.fields(&[], &vec![0.0; n]);
        f.step(&vec![0.0; n], &vec![false; n], 0);
        f.s.stage.iter().filter(|&&s| s == Stage::Abandoned).count() as f64 / n as f64
    };
    let m = cfg().mechanisms.sustain.mandate_abandon_multiplier;
    // Expected 0.1 and 0.1 m; binomial SE under 0.006 at n = 4000, allow 0.025.
    assert!((abandoned(false) - 0.1).abs() < 0.025);
    assert!((abandoned(true) - 0.1 * m).abs() < 0.025);
}

#[test]
fn resistance_slows_simple_contagion() {
    let adopted = |resistance_exponent: f64| {
        let mut cfg = cfg();
        cfg.mechanisms.contagion.outside_rate = 0.0;
        cfg.mechanisms.size.resistance_exponent = resistance_exponent;
        let n = 2001;
        let mut pop = schools(n, &cfg);
        for i in 1..n {
            pop.size[i] = 4.0 * cfg.schools.size_median;
        }
        let ties: Vec<(u32, u32, f32)> = (1..n as u32).map(|i| (0, i, 1.0)).collect();
        let mut f = Fixture::with(&cfg, pop, &ties);
        f.pocket(0);
        f.fields(&[], &vec![0.0; n]);
        f.step(&vec![0.0; n], &vec![false; n], 0);
        (1..n)
            .filter(|&i| f.s.stage[i] == Stage::Implementing)
            .count()
    };
    let resisting = adopted(1.0);
    let not = adopted(0.0);
    // Pressure 0.5 vs 0.125: adoption 0.5 (1 - e^-p) = 0.197 vs 0.059 of 2000.
    assert!(resisting * 2 < not, "{resisting} vs {not}");
}
