//! The strategy knobs and the strategy-side mechanisms, each on a small fixture (3-12 schools, a
//! few terms), each checked so that the test fails when the knob or mechanism is ignored.
//!
//! Most tests trace one run term by term ([`trace`]): what the plan of each term funded, and the
//! state the strategy saw when it decided. Fixtures are node tables and edge lists written to a
//! temporary folder, so regions, readiness and ties are exactly what the test needs.

use domino::engine::{simulate, Buffers};
use domino::metrics::{RunMetric, RunSummary};
use domino::model::{Stage, World};
use domino::rng::RunSeeds;
use domino::Scenario;
use std::path::Path;

mod common;

/// What one term's plan did, and the state its strategy saw at the start of the term.
#[derive(Debug, Clone)]
struct Term {
    budget: f64,
    spent: f64,
    support: Vec<f64>,
    recruit: Vec<bool>,
    pilot: Vec<bool>,
    coach: Vec<f64>,
    hubs: Vec<(u32, f64)>,
    /// Pockets at the start of the term (what `prepare` saw).
    pocket_before: Vec<bool>,
    /// Stages at the start of the term.
    stage_before: Vec<Stage>,
    /// Know-how of each school, this term's field.
    know_how: Vec<f64>,
}

impl Term {
    fn recruits(&self) -> usize {
        self.recruit.iter().filter(|&&r| r).count()
    }
    fn pilots(&self) -> usize {
        self.pilot.iter().filter(|&&r| r).count()
    }
}

/// Runs strategy `name` of `s` once (run 0) and returns every term and the run's summary.
fn trace(s: &Scenario, name: &str) -> (Vec<Term>, RunSummary) {
    let idx = s.strategy_index(name).expect("strategy in the scenario");
    let seeds = RunSeeds::new(s.config().seed, 0);
    let world = World::build(s, &seeds);
    let budget = s.budget_per_term();
    let mut buf = Buffers::default();
    let mut terms = Vec::new();
    let mut before: Option<(Vec<bool>, Vec<Stage>)> = None;
    let summary = simulate(s, idx, &world, &seeds, &mut buf, |step, state, plan| {
        if step > 0 {
            let (pocket_before, stage_before) = before.take().expect("state of the term before");
            terms.push(Term {
                budget,
                spent: plan.spent(),
                support: plan.support.clone(),
                recruit: plan.recruit.clone(),
                pilot: plan.pilot.clone(),
                coach: plan.coach.clone(),
                hubs: plan.hubs.iter().map(|h| (h.region, h.spend)).collect(),
                pocket_before,
                stage_before,
                know_how: state.know_how.clone(),
            });
        }
        before = Some((state.pocket.clone(), state.stage.clone()));
    });
    (terms, summary)
}

/// A scenario over a node table and an edge list, written to `dir`.
fn fixture(dir: &Path, nodes: &str, edges: &str, rest: &str) -> Scenario {
    std::fs::write(dir.join("nodes.csv"), nodes).unwrap();
    std::fs::write(dir.join("edges.csv"), edges).unwrap();
    let text = format!(
        "seed = 7\nruns = 1\n{rest}\n[network]\nkind = \"file\"\nnodes = \"nodes.csv\"\nedges = \"edges.csv\"\n"
    );
    let path = dir.join("scenario.toml");
    std::fs::write(&path, &text).unwrap();
    Scenario::from_toml(&text, Some(&path)).expect("fixture is valid")
}

/// Four regions of three schools (a triangle each, weight 0.5) in a chain a-b-c-d; `readiness`
/// per region, in region order.
fn four_regions(readiness: [f64; 4], extra_edges: &str) -> (String, String) {
    let mut nodes = String::from("id,region,readiness,resources,size\n");
    let mut edges = String::from("source,target,weight\n");
    for r in 0..4 {
        for k in 0..3 {
            let i = 3 * r + k;
            nodes.push_str(&format!(
                "{i},{},{},0.1,500\n",
                ["a", "b", "c", "d"][r],
                readiness[r]
            ));
        }
        let b = 3 * r;
        edges.push_str(&format!(
            "{b},{},0.5\n{b},{},0.5\n{},{},0.5\n",
            b + 1,
            b + 2,
            b + 1,
            b + 2
        ));
    }
    edges.push_str(extra_edges);
    (nodes, edges)
}

fn region_of(i: usize) -> usize {
    i / 3
}

fn regions_recruited(t: &Term) -> Vec<usize> {
    let mut r: Vec<usize> = (0..t.recruit.len())
        .filter(|&i| t.recruit[i])
        .map(region_of)
        .collect();
    r.dedup();
    r
}

// ---------------------------------------------------------------- cluster

fn cluster_scenario(dir: &Path, max_regions: u32, per_school: f64) -> Scenario {
    let (nodes, edges) = four_regions([0.9, 0.8, 0.7, 0.6], "2,3,0.2\n5,6,0.2\n8,9,0.2\n");
    fixture(
        dir,
        &nodes,
        &edges,
        &format!(
            "steps = 6\n[budget]\nper_school = {per_school}\n[[strategies]]\nname = \"cluster\"\nmax_regions = {max_regions}\ncoach_share = 0\n"
        ),
    )
}

/// A budget that three schools cannot absorb opens more regions in the first term, funds a hub
/// in each open region, and leaves less unspent than a cluster held to one region.
#[test]
fn cluster_opens_more_regions_when_one_cannot_absorb_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let many = cluster_scenario(dir.path(), 0, 2.0);
    let (terms, summary) = trace(&many, "cluster");
    assert!(
        regions_recruited(&terms[0]).len() >= 2,
        "first term recruits in regions {:?}",
        regions_recruited(&terms[0])
    );
    assert!(
        terms[1].hubs.len() >= 2,
        "hubs in the second term: {:?}",
        terms[1].hubs
    );
    let one_dir = tempfile::tempdir().unwrap();
    let one = cluster_scenario(one_dir.path(), 1, 2.0);
    let (one_terms, one_summary) = trace(&one, "cluster");
    assert_eq!(regions_recruited(&one_terms[0]), vec![0]);
    assert!(one_terms.iter().all(|t| t.hubs.len() <= 1));
    let (u_many, u_one) = (
        summary.get(RunMetric::UnspentShare),
        one_summary.get(RunMetric::UnspentShare),
    );
    assert!(
        u_many + 0.1 < u_one,
        "unspent share: several regions {u_many:.3}, one region {u_one:.3}"
    );
    // The hub share (0.2 by default) is split over the open regions, never paid per region.
    for t in &terms {
        let hub: f64 = t.hubs.iter().map(|h| h.1).sum();
        assert!(
            hub <= 0.2 * t.budget + 1e-9,
            "hub spend {hub} of {}",
            t.budget
        );
    }
}

/// Schools of 4x the median size feel a quarter of their dose at dose exponent 1, so each costs
/// four times the effective dose. A cluster opens only the regions the rest of the budget can
/// serve at that cost: the regions with a hub in the second term are those that recruited in the
/// first, and at most one more (opened for money left over that no school's cost fitted). The
/// room estimate ignored school size and opened all four regions from 4 SU per school, the
/// unfunded ones then taking a split of the hub share.
#[test]
fn cluster_opens_the_regions_the_budget_serves_at_the_cost_of_sized_doses() {
    let (nodes, edges) = four_regions([0.9, 0.8, 0.7, 0.6], "2,3,0.2\n5,6,0.2\n8,9,0.2\n");
    for per_school in [3.0, 4.0, 4.5, 5.0, 6.0, 8.0] {
        let dir = tempfile::tempdir().unwrap();
        let s = fixture(
            dir.path(),
            &nodes,
            &edges,
            &format!(
                "steps = 3\n[budget]\nper_school = {per_school}\n[schools]\nsize_median = 125\n\
                 [mechanisms.size]\ndose_exponent = 1.0\n\
                 [[strategies]]\nname = \"cluster\"\ncoach_share = 0\n"
            ),
        );
        let (terms, _) = trace(&s, "cluster");
        let recruited = regions_recruited(&terms[0]);
        let mut hubs: Vec<usize> = terms[1].hubs.iter().map(|h| h.0 as usize).collect();
        hubs.sort_unstable();
        assert!(
            recruited.iter().all(|r| hubs.contains(r)) && hubs.len() <= recruited.len() + 1,
            "per_school {per_school}: recruited in regions {recruited:?}, hubs in {hubs:?}"
        );
    }
}

/// With a budget that one region absorbs, the cluster stays in one region.
#[test]
fn cluster_stays_in_one_region_while_it_absorbs_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let s = cluster_scenario(dir.path(), 0, 0.2);
    let (terms, _) = trace(&s, "cluster");
    assert_eq!(regions_recruited(&terms[0]), vec![0]);
    assert_eq!(terms[1].hubs.len(), 1);
}

/// The next region is the one most tied to the regions opened so far, not the best-scored one:
/// region a (readiness 0.9) opens first; b (0.8) scores better than c (0.5) but has no tie to a,
/// while c has two. With room for a second region, c opens, not b.
#[test]
fn cluster_next_region_follows_ties_not_score() {
    let dir = tempfile::tempdir().unwrap();
    // No chain: a-c twice, b-d once.
    let mut nodes = String::from("id,region,readiness,resources,size\n");
    let mut edges = String::from("source,target,weight\n");
    let readiness = [0.9, 0.8, 0.5, 0.4];
    for r in 0..4 {
        for k in 0..3 {
            let i = 3 * r + k;
            nodes.push_str(&format!(
                "{i},{},{},0.1,500\n",
                ["a", "b", "c", "d"][r],
                readiness[r]
            ));
        }
        let b = 3 * r;
        edges.push_str(&format!(
            "{b},{},0.5\n{b},{},0.5\n{},{},0.5\n",
            b + 1,
            b + 2,
            b + 1,
            b + 2
        ));
    }
    edges.push_str("0,6,0.5\n1,7,0.5\n3,9,0.5\n");
    let s = fixture(
        dir.path(),
        &nodes,
        &edges,
        "steps = 3\n[budget]\nper_school = 2.0\n[[strategies]]\nname = \"cluster\"\nmax_regions = 2\ncoach_share = 0\n",
    );
    let (terms, _) = trace(&s, "cluster");
    assert_eq!(
        regions_recruited(&terms[0]),
        vec![0, 2],
        "recruits of the first term: {:?}",
        terms[0].recruit
    );
}

// ---------------------------------------------------------------- pilots

fn ring(dir: &Path, per_school: f64, pilots: u32) -> Scenario {
    let mut nodes = String::from("id,region,readiness,resources,size\n");
    let mut edges = String::from("source,target,weight\n");
    for i in 0..12 {
        nodes.push_str(&format!("{i},a,0.8,0.1,500\n"));
        edges.push_str(&format!("{i},{},0.5\n", (i + 1) % 12));
    }
    fixture(
        dir,
        &nodes,
        &edges,
        &format!(
            "steps = 2\n[budget]\nper_school = {per_school}\n[[strategies]]\nname = \"pilot-then-cascade\"\npilots = {pilots}\n"
        ),
    )
}

/// `pilots = 0` takes as many pilots as the budget funds at the effective dose: twice the budget
/// buys more pilots, and a tiny budget still buys one.
#[test]
fn pilots_from_the_budget_grow_with_the_budget() {
    let count = |per_school: f64| {
        let dir = tempfile::tempdir().unwrap();
        let (terms, _) = trace(&ring(dir.path(), per_school, 0), "pilot-then-cascade");
        terms[0].pilots()
    };
    let (small, large, tiny) = (count(0.5), count(1.5), count(0.001));
    assert!(
        small >= 1 && large > small,
        "pilots: {small} at 0.5, {large} at 1.5"
    );
    assert_eq!(tiny, 1);
}

/// An explicit number of pilots is taken as it is, whatever the budget.
#[test]
fn explicit_pilots_are_respected() {
    for per_school in [0.5, 1.5] {
        let dir = tempfile::tempdir().unwrap();
        let (terms, _) = trace(&ring(dir.path(), per_school, 3), "pilot-then-cascade");
        assert_eq!(terms[0].pilots(), 3, "budget {per_school} per school");
    }
}

// ---------------------------------------------------------------- pace

fn one_region(dir: &Path, pace: &str) -> Scenario {
    let mut nodes = String::from("id,region,readiness,resources,size\n");
    let mut edges = String::from("source,target,weight\n");
    for i in 0..12 {
        nodes.push_str(&format!("{i},a,0.8,0.1,500\n"));
        for j in i + 1..12 {
            edges.push_str(&format!("{i},{j},0.3\n"));
        }
    }
    fixture(
        dir,
        &nodes,
        &edges,
        &format!(
            "steps = 6\n[budget]\nper_school = 1.0\n[mechanisms.hub]\nenabled = false\n\
             [[strategies]]\nname = \"cluster\"\npace = \"{pace}\"\nmax_wave = 2\ncoach_share = 0\n"
        ),
    )
}

/// Proven pace adds no school while its wave has no pocket, and spends the whole budget on the
/// wave meanwhile (nothing idles); the fixed schedule starts a new wave the next term, before
/// any pocket exists.
#[test]
fn proven_pace_waits_for_pockets_without_idling_and_fixed_does_not_wait() {
    let dir = tempfile::tempdir().unwrap();
    let (proven, _) = trace(&one_region(dir.path(), "proven"), "cluster");
    assert!(proven[0].recruits() > 0);
    let mut waited = 0;
    for (t, term) in proven.iter().enumerate().skip(1) {
        if term.pocket_before.contains(&true) {
            break;
        }
        waited += 1;
        assert_eq!(
            term.recruits(),
            0,
            "term {t}: proven pace recruited before a pocket"
        );
        let unspent = 1.0 - term.spent / term.budget;
        assert!(
            unspent < 1e-6,
            "term {t}: {unspent:.3} of the budget unspent"
        );
    }
    assert!(waited >= 2, "the fixture should wait at least two terms");

    let dir = tempfile::tempdir().unwrap();
    let (fixed, _) = trace(&one_region(dir.path(), "fixed"), "cluster");
    assert!(!fixed[1].pocket_before.contains(&true));
    assert!(
        fixed[1].recruits() > 0,
        "the fixed schedule starts its second wave before any pocket exists"
    );
}

// ---------------------------------------------------------------- coaching

fn coach_scenario(dir: &Path, coach_share: Option<f64>) -> Scenario {
    coach_fixture(dir, "pilot-then-cascade", coach_share, "")
}

/// A ring of ten ready schools in one region run by strategy `kind` (two pilots under
/// pilot-then-cascade) with `coach_share`, `extra` TOML appended (mechanism switches).
fn coach_fixture(dir: &Path, kind: &str, coach_share: Option<f64>, extra: &str) -> Scenario {
    let mut nodes = String::from("id,region,readiness,resources,size\n");
    let mut edges = String::from("source,target,weight\n");
    for i in 0..10 {
        nodes.push_str(&format!("{i},a,0.9,0.2,500\n"));
        edges.push_str(&format!("{i},{},0.8\n", (i + 1) % 10));
    }
    let share = coach_share.map_or(String::new(), |c| format!("coach_share = {c}\n"));
    fixture(
        dir,
        &nodes,
        &edges,
        &format!(
            "steps = 14\n[budget]\nper_school = 0.4\n{extra}[[strategies]]\nname = \"{kind}\"\n{pilots}{share}",
            pilots = if kind == "pilot-then-cascade" { "pilots = 2\n" } else { "" },
        ),
    )
}

/// Coach money goes only to pockets with neighbours still to learn, at most the coach share of
/// the budget, and never beyond the budget; the default share of pilot-then-cascade (0.2) pays
/// coaches once pockets exist.
#[test]
fn coach_share_pays_pockets_only() {
    for share in [None, Some(0.5)] {
        let dir = tempfile::tempdir().unwrap();
        let (terms, _) = trace(&coach_scenario(dir.path(), share), "pilot-then-cascade");
        let cap = share.unwrap_or(0.2);
        let mut paid_terms = 0;
        for (t, term) in terms.iter().enumerate() {
            let coach: f64 = term.coach.iter().sum();
            for (j, &c) in term.coach.iter().enumerate() {
                assert!(
                    c == 0.0 || term.pocket_before[j],
                    "term {t}: school {j} coached but no pocket"
                );
            }
            assert!(
                coach <= cap * term.budget + 1e-9,
                "term {t}: {coach} to coaches"
            );
            assert!(term.spent <= term.budget * (1.0 + 1e-9));
            if coach > 0.0 {
                paid_terms += 1;
                assert!(
                    (coach - cap * term.budget).abs() < 1e-9,
                    "term {t}: with pockets and learners, the whole share goes to coaches"
                );
            }
            if !term.pocket_before.contains(&true) {
                assert_eq!(coach, 0.0);
            }
        }
        assert!(paid_terms > 0, "share {share:?}: no term paid coaches");
    }
}

/// A switched-off coaching mechanism is not paid for, as a switched-off hub is not: with pockets
/// and learners about, no strategy pays coaches, and the coach share goes to school support
/// instead (the budget is spent as fully as with coaching on).
#[test]
fn coaching_off_pays_no_coach_and_keeps_the_share_for_support() {
    for kind in ["pilot-then-cascade", "cluster", "thin-spread"] {
        let dir = tempfile::tempdir().unwrap();
        let off = coach_fixture(
            dir.path(),
            kind,
            Some(0.5),
            "[mechanisms.coaching]\nenabled = false\n",
        );
        let (terms, _) = trace(&off, kind);
        assert!(
            terms.iter().any(|t| t.pocket_before.contains(&true)),
            "{kind}: the fixture should grow pockets"
        );
        for (t, term) in terms.iter().enumerate() {
            let coach: f64 = term.coach.iter().sum();
            assert_eq!(coach, 0.0, "{kind}, term {t}: {coach} SU paid to coaches");
            let support: f64 = term.support.iter().sum();
            assert!(
                (term.spent - support - hubs(term)).abs() < 1e-9,
                "{kind}, term {t}: spent {} but support {support}",
                term.spent
            );
        }
        // The same run with coaching on pays coaches, so the check above can fail.
        let dir = tempfile::tempdir().unwrap();
        let (on, _) = trace(&coach_fixture(dir.path(), kind, Some(0.5), ""), kind);
        assert!(
            on.iter().any(|t| t.coach.iter().sum::<f64>() > 0.0),
            "{kind}: with coaching on, coaches are paid"
        );
    }
}

fn hubs(term: &Term) -> f64 {
    term.hubs.iter().map(|h| h.1).sum()
}

#[test]
fn coach_share_zero_pays_no_coach() {
    let dir = tempfile::tempdir().unwrap();
    let (terms, _) = trace(&coach_scenario(dir.path(), Some(0.0)), "pilot-then-cascade");
    assert!(terms.iter().any(|t| t.pocket_before.contains(&true)));
    assert!(terms.iter().all(|t| t.coach.iter().all(|&c| c == 0.0)));
}

#[test]
fn coach_share_outside_zero_to_one_is_refused() {
    let e = Scenario::from_toml(
        "[[strategies]]\nname = \"cluster\"\ncoach_share = 1.5\n",
        None,
    )
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("strategies[0].coach_share"));
    assert_eq!(e.line, Some(3));
}

// ---------------------------------------------------------------- unspent

/// The `unspent_share` run metric is the budget minus the spend over the budget of the horizon,
/// and the comparison table shows it.
#[test]
fn unspent_share_is_budget_minus_spend() {
    let dir = tempfile::tempdir().unwrap();
    let s = cluster_scenario(dir.path(), 1, 2.0);
    let (terms, summary) = trace(&s, "cluster");
    let budget: f64 = terms.iter().map(|t| t.budget).sum();
    let spent: f64 = terms.iter().map(|t| t.spent).sum();
    let share = summary.get(RunMetric::UnspentShare);
    assert!(((budget - spent) / budget - share).abs() < 1e-9, "{share}");
    assert!((summary.get(RunMetric::Spend) - spent).abs() < 1e-9);
    assert!(share > 0.1, "the fixture leaves money unspent: {share}");
    let table = domino::metrics::Measures::school(domino::scenario::Objective::default()).table;
    assert!(table
        .iter()
        .any(|c| c.metric == RunMetric::UnspentShare as usize && c.header.starts_with("unspent")));
}

/// `compare` prints the `unspent %` column, and `runs.csv` has `unspent_share` equal to
/// `unspent_su` over the horizon's budget in every row.
#[test]
fn compare_shows_the_unspent_share() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "s.toml",
        "runs = 3\nsteps = 4\n[network]\nschools = 30\nregions = 3\n[budget]\ntotal = 12\n",
    );
    let out = common::domino(dir.path(), &["compare", "s.toml", "--out", "out", "-q"]);
    common::assert_ok(&out);
    assert!(common::stdout(&out).contains("unspent % (95% CI)"));
    let text = std::fs::read_to_string(dir.path().join("out/runs.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (su, share) = (col("unspent_su"), col("unspent_share"));
    let mut rows = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        let su: f64 = cells[su].parse().unwrap();
        let share: f64 = cells[share].parse().unwrap();
        assert!((su / (12.0 * 4.0) - share).abs() < 1e-12, "{line}");
        rows += 1;
    }
    assert_eq!(rows, 9);
}

// ---------------------------------------------------------------- decisions

/// Opt-in: a school accepts with probability its readiness. Readiness 0 never accepts and
/// readiness 1 always does; a mandate recruits both.
#[test]
fn opt_in_recruits_only_willing_schools() {
    let run = |mandate: bool| {
        let dir = tempfile::tempdir().unwrap();
        let mut nodes = String::from("id,region,readiness,resources,size\n");
        let mut edges = String::from("source,target,weight\n");
        for i in 0..8 {
            nodes.push_str(&format!("{i},a,{},0.1,500\n", i % 2));
            edges.push_str(&format!("{i},{},0.5\n", (i + 1) % 8));
        }
        let s = fixture(
            dir.path(),
            &nodes,
            &edges,
            &format!("steps = 1\n[[strategies]]\nname = \"thin-spread\"\nmandate = {mandate}\n"),
        );
        trace(&s, "thin-spread").0[0].recruit.clone()
    };
    let opt_in = run(false);
    assert_eq!(opt_in, (0..8).map(|i| i % 2 == 1).collect::<Vec<_>>());
    assert!(run(true).iter().all(|&r| r));
}

/// Opt-in has a price: an offer holds its place's money for the term, so a refused place stays
/// empty until the next round instead of passing at once to a readier school. Two pilot places
/// go to the two neediest schools, which are never ready: under opt-in both refuse, and the term
/// recruits no one (the places are not handed down to the two willing schools); a mandate
/// recruits the two neediest.
#[test]
fn a_refused_offer_leaves_its_place_empty_for_the_term() {
    let first_term = |mandate: bool| {
        let dir = tempfile::tempdir().unwrap();
        let nodes = "id,region,need,readiness,resources,size\n\
                     0,a,0.9,0,0.1,500\n1,a,0.8,0,0.1,500\n2,a,0.2,1,0.1,500\n3,a,0.1,1,0.1,500\n";
        let edges = "source,target,weight\n0,1,0.5\n1,2,0.5\n2,3,0.5\n";
        let s = fixture(
            dir.path(),
            nodes,
            edges,
            &format!(
                "steps = 2\n[budget]\nper_school = 2.0\n[[strategies]]\nname = \"pilot-then-cascade\"\n\
                 pilots = 2\ntargeting = \"need\"\ncoach_share = 0\nmandate = {mandate}\n"
            ),
        );
        trace(&s, "pilot-then-cascade").0[0].recruit.clone()
    };
    assert_eq!(first_term(true), [true, true, false, false]);
    assert_eq!(
        first_term(false),
        [false; 4],
        "refused pilot places went to other schools in the same term"
    );
}

/// Mandated schools turn over `mandate_abandon_multiplier` times as often: at turnover 0.1 and
/// a multiplier of 10 every mandated school abandons after its first term; at 1, most stay.
#[test]
fn mandated_schools_abandon_by_the_multiplier() {
    let abandoned = |multiplier: f64| {
        let dir = tempfile::tempdir().unwrap();
        let mut nodes = String::from("id,region,readiness,resources,size\n");
        let mut edges = String::from("source,target,weight\n");
        for i in 0..10 {
            nodes.push_str(&format!("{i},a,0.9,0.1,500\n"));
            edges.push_str(&format!("{i},{},0.5\n", (i + 1) % 10));
        }
        let s = fixture(
            dir.path(),
            &nodes,
            &edges,
            &format!(
                "steps = 2\n[mechanisms.sustain]\nturnover_rate = 0.1\nmandate_abandon_multiplier = {multiplier}\n\
                 [[strategies]]\nname = \"thin-spread\"\n"
            ),
        );
        let (terms, summary) = trace(&s, "thin-spread");
        assert_eq!(terms[0].recruits(), 10);
        assert!(terms[1]
            .stage_before
            .iter()
            .all(|&st| st == Stage::Implementing));
        summary.get(RunMetric::AbandonedShare)
    };
    let (high, low) = (abandoned(10.0), abandoned(1.0));
    assert!(high > 0.99, "multiplier 10: abandoned share {high}");
    assert!(low < 0.5, "multiplier 1: abandoned share {low}");
}

/// Adaptive review drops members that did not progress: with `min_progress = 1` no school can
/// pass, so the schools supported before the first review get nothing after it.
#[test]
fn adaptive_review_drops_schools_without_progress() {
    let run = |adaptive: bool| {
        let dir = tempfile::tempdir().unwrap();
        let mut nodes = String::from("id,region,readiness,resources,size\n");
        let mut edges = String::from("source,target,weight\n");
        for i in 0..6 {
            nodes.push_str(&format!("{i},a,0.9,0.1,500\n"));
            edges.push_str(&format!("{i},{},0.5\n", (i + 1) % 6));
        }
        let s = fixture(
            dir.path(),
            &nodes,
            &edges,
            &format!(
                "steps = 4\n[budget]\nper_school = 0.5\n[mechanisms.sustain]\nturnover_rate = 0\n\
                 [[strategies]]\nname = \"cluster\"\nadaptive = {adaptive}\nreview_terms = 2\nmin_progress = 1.0\ncoach_share = 0\n"
            ),
        );
        trace(&s, "cluster").0
    };
    let supported_after_review = |terms: &[Term]| {
        (0..6)
            .filter(|&i| terms[1].support[i] > 0.0 && terms[2].support[i] > 0.0)
            .count()
    };
    let fixed = run(false);
    assert!(
        supported_after_review(&fixed) > 0,
        "without review, members stay supported"
    );
    let adaptive = run(true);
    assert!(adaptive[1].support.iter().any(|&s| s > 0.0));
    assert_eq!(
        supported_after_review(&adaptive),
        0,
        "term 2 support: {:?}",
        adaptive[2].support
    );
}

/// A hub multiplies the weight of ties inside its region: the know-how implementing schools get
/// from each other there grows with `tie_multiplier` (3 against 1, weights 0.2 so that the cap
/// at 1 does not bind; hub efficiency 0, so that all know-how comes through the ties).
#[test]
fn hub_tie_multiplier_strengthens_ties_in_the_region() {
    let know_how = |multiplier: f64| {
        let dir = tempfile::tempdir().unwrap();
        let mut nodes = String::from("id,region,readiness,resources,size\n");
        let mut edges = String::from("source,target,weight\n");
        for i in 0..6 {
            nodes.push_str(&format!("{i},a,0.9,0.1,500\n"));
            for j in i + 1..6 {
                edges.push_str(&format!("{i},{j},0.2\n"));
            }
        }
        let s = fixture(
            dir.path(),
            &nodes,
            &edges,
            &format!(
                "steps = 4\n[budget]\nper_school = 2.0\n[mechanisms.hub]\ntie_multiplier = {multiplier}\nefficiency = 0\n\
                 [mechanisms.sustain]\nturnover_rate = 0\n\
                 [[strategies]]\nname = \"cluster\"\ncoach_share = 0\n"
            ),
        );
        let (terms, _) = trace(&s, "cluster");
        assert!(!terms[2].hubs.is_empty());
        terms[2].know_how.iter().sum::<f64>()
    };
    let (plain, boosted) = (know_how(1.0), know_how(3.0));
    assert!(
        plain > 0.0,
        "the fixture should give know-how by the third term"
    );
    assert!(
        boosted > 2.0 * plain,
        "know-how with multiplier 3: {boosted}, with 1: {plain}"
    );
}

// ---------------------------------------------------------------- registry

/// An unknown kind is refused with its file, line and field, and the known kinds listed.
#[test]
fn unknown_kind_names_the_known_kinds() {
    let e = Scenario::from_toml(
        "runs = 2\n[[strategies]]\nname = \"mine\"\nkind = \"domino\"\n",
        Some(Path::new("s.toml")),
    )
    .unwrap_err();
    let text = e.to_string();
    assert_eq!(e.line, Some(4), "{text}");
    for kind in ["thin-spread", "pilot-then-cascade", "cluster"] {
        assert!(text.contains(kind), "{text}");
    }
    let e = Scenario::from_toml("[[strategies]]\nname = \"mine\"\n", None).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("strategies[0].kind"));
    assert!(
        e.message
            .contains("thin-spread, pilot-then-cascade or cluster"),
        "{}",
        e.message
    );
}
