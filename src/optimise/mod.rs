//! `domino optimise`: the best strategy for a scenario's budget, and which schools to pilot in.
//!
//! [`optimise`] searches the strategy space of the scenario's `[optimise]` table ([`Space`]) at
//! the scenario's fixed budget, in four steps, every candidate on the same worlds (common random
//! numbers: run k's world and draws come from `(seed, k)`, [`eval`]):
//!
//! 1. **Knobs, globally.** The scenario's own strategies (of a kind in `kinds`; the others are
//!    baselines of step 4 only), each moved within the space ([`Space::project`]; as it stands
//!    it is a baseline of step 4), plus a Latin hypercube of points of the space (about a third of
//!    the budget's worth of batches, see [`Plan`]) are *raced* ([`race`]): evaluated in batches
//!    of runs, a candidate is dropped once its paired difference to the leader has a 95 %
//!    interval below 0.
//! 2. **Knobs, locally.** The leader and every strategy one knob away from it are raced again on
//!    the same runs (values already known are not simulated again).
//! 3. **Pilot schools** (a pilot-then-cascade leader, on a network read from files, where school i
//!    is the same school in every run): greedy selection with lazy re-evaluation ([`celf`]) of
//!    `pilot_ids`, on the first runs of the search, looking for as many schools as the leader
//!    pilots and stopping early at the first school whose marginal gain is not positive
//!    ([`celf::Until::NoGain`]): each school added is one more pilot sharing the same money, so
//!    a school that lowers the value makes the set worse, and the smaller set is the better
//!    candidate. Each gain is a paired difference over those runs, reported with its 95 %
//!    interval and its number of runs.
//! 4. **Finalists on fresh worlds.** The best survivors (and the pilot-set candidate) get every
//!    search run; the one with the best mean there wins (the pilot-set candidate may lose to a
//!    finalist that leaves its pilots to the targeting rule). The winner and the scenario's own
//!    strategies are then evaluated on *fresh* worlds (runs from [`FRESH`] on, never used by the
//!    search), and the comparison is reported from those only, so the winner's advantage is not
//!    inflated by having been selected on the same noise (the winner's curse). On a network
//!    from files, the winner's fresh runs are replayed once more to record which schools it
//!    pilots, funds and sustains in each ([`Outcome::best_schools`]): the schools the winner
//!    actually pilots, whichever way it chooses them.
//!
//! Under parameter uncertainty (distributions in the scenario) run k also draws its own values
//! ([`Scenario::for_run`]), so the objective is the mean over plausible worlds; each candidate's
//! worst decile (10th percentile of the objective over runs) is reported beside it.
//!
//! Why no optimisation crate: the space mixes lists (kind, targeting, pace, ...) with whole
//! numbers and shares, and some knobs exist only for some kinds; the crates looked at handle
//! continuous spaces (argmin's solvers, CMA-ES) or relax integers and categories into continuous
//! ones behind a Gaussian-process surrogate (egobox), which also assumes each evaluation is a
//! number rather than a noisy, paired sample. Racing over a space-filling design, then a local
//! step, uses the pairing directly and needs no surrogate. Whether the search finds a known
//! optimum, and whether racing drops what it should, is tested in `tests/optimise.rs`.
//!
//! Deterministic: every value is a pure function of (candidate, run), runs are evaluated in
//! parallel and collected in run order, and every decision is taken between batches, so a seed
//! gives the same result for any thread count, and an interrupted optimisation resumed from its
//! [`checkpoint`] gives the same result as one never interrupted.

pub mod celf;
pub mod checkpoint;
pub mod classic;
pub mod eval;
pub mod output;
pub mod race;
pub mod space;

pub use eval::{Evaluator, Values};
pub use space::Space;

use crate::engine::{Progress, SchoolRun, SchoolTally};
use crate::error::Result;
use crate::metrics::stats::{paired, quantile_sorted, Paired, Summary};
use crate::model::Params;
use crate::scenario::{Goal, OptimiseConfig, Scenario, StrategyConfig, StrategyKind};
use checkpoint::Checkpoint;
use std::collections::HashMap;
use std::ops::Range;

/// The first fresh run: finalists are re-evaluated on runs `FRESH..FRESH + fresh_runs`, far from
/// the search's runs `0..max_runs`.
pub const FRESH: u64 = 1 << 40;

/// The name of the winning strategy in `best.toml`.
pub const BEST_NAME: &str = "optimised";

/// What to optimise and how: the scenario's `[optimise]` table with command-line overrides.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The search space and settings.
    pub cfg: OptimiseConfig,
    /// Drop candidates behind with confidence (false: every candidate gets every run the budget
    /// allows; for tests that show what racing saves).
    pub racing: bool,
}

impl Settings {
    /// The scenario's `[optimise]` table (or the default), with `goal` and `budget` overriding
    /// its objective and budget when given.
    pub fn of(scenario: &Scenario, goal: Option<Goal>, budget: Option<u32>) -> Self {
        let mut cfg = scenario.config.optimise.clone().unwrap_or_default();
        if let Some(g) = goal {
            cfg.objective = g;
        }
        if let Some(b) = budget {
            cfg.budget_evals = b;
        }
        Self { cfg, racing: true }
    }

    /// A hash naming this optimisation (scenario, seed, settings, build), for the checkpoint.
    pub fn id(&self, scenario: &Scenario) -> String {
        let text = format!(
            "{}\n{}\nracing={}\n{}",
            scenario.to_toml(),
            toml::to_string(&self.cfg).expect("settings serialise"),
            self.racing,
            crate::output::build_commit()
        );
        crate::output::sha256_hex(text.as_bytes())[..16].to_string()
    }

    /// The runs this optimisation evaluates: the search's `0..max_runs` and the fresh ones
    /// from [`FRESH`] on.
    pub fn runs(&self) -> [Range<u64>; 2] {
        let fresh = FRESH..FRESH + self.cfg.fresh_runs as u64;
        [0..self.cfg.max_runs as u64, fresh]
    }
}

/// How the simulation budget is split between the steps (cumulative shares of
/// `budget_evals`): the global race may spend up to `global`, the local race up to `local`, the
/// pilot selection the rest.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Share of the budget for step 1.
    pub global: f64,
    /// Share for steps 1 and 2 together.
    pub local: f64,
}

impl Plan {
    fn new(pilots: bool) -> Self {
        if pilots {
            Self {
                global: 0.5,
                local: 0.75,
            }
        } else {
            Self {
                global: 0.65,
                local: 1.0,
            }
        }
    }
}

/// One candidate evaluated, as `trace.csv` lists it.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The strategy.
    pub strategy: StrategyConfig,
    /// Where it came from: `scenario`, `global`, `local` or `pilots`.
    pub origin: &'static str,
    /// Its values on the search runs `0, 1, ...` it was evaluated on.
    pub search: Vec<Values>,
    /// Runs after which the race dropped it (`None`: never dropped).
    pub dropped_after: Option<usize>,
    /// Its values on the fresh runs (finalists and the scenario's strategies only).
    pub fresh: Vec<Values>,
}

/// One pilot school chosen by CELF (or the one it stopped at).
#[derive(Debug, Clone)]
pub struct PilotPick {
    /// The school (its index in the node table).
    pub school: u32,
    /// The mean objective, over [`Pilots::runs`], of the strategy piloting the schools chosen up
    /// to and including this one.
    pub value: f64,
    /// The marginal gain, run by run (the set with this school minus the set without it, the
    /// empty set counting 0), summarised: mean and 95 % interval over [`Pilots::runs`] runs.
    pub gain: Summary,
}

/// The pilot schools chosen by CELF.
#[derive(Debug, Clone)]
pub struct Pilots {
    /// The chosen schools, in the order chosen; every gain is positive.
    pub picks: Vec<PilotPick>,
    /// The school selection would have added next when it stopped before [`Pilots::sought`]
    /// because that school's gain was not positive.
    pub rejected: Option<PilotPick>,
    /// The schools looked for: the pilot count of the strategy whose pilots were chosen.
    pub sought: usize,
    /// The search runs each set was evaluated on (every gain rests on these).
    pub runs: usize,
    /// Sets evaluated.
    pub evaluations: usize,
    /// The index in [`Outcome::candidates`] of the strategy piloting the chosen schools (`None`
    /// when no school was chosen). It won when it is [`Outcome::best`].
    pub candidate: Option<usize>,
    /// It won by an exact tie, on the search runs, with a finalist that leaves its pilots to the
    /// targeting rule (such as one that pilots the same schools): a tie goes to the named set.
    pub tied: bool,
}

/// One row of the final comparison: a strategy on the fresh worlds, and the winner against it.
#[derive(Debug, Clone)]
pub struct Row {
    /// The strategy's name (the winner is [`BEST_NAME`]).
    pub name: String,
    /// The objective over the fresh runs.
    pub objective: Summary,
    /// The objective's 10th percentile over the fresh runs.
    pub worst_decile: f64,
    /// The winner minus this strategy, run by run (`None` for the winner's own row).
    pub versus: Option<Paired>,
}

/// What [`optimise`] found.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What was maximised.
    pub goal: Goal,
    /// Every candidate raced or re-evaluated, in the order first evaluated (CELF's intermediate
    /// pilot sets are not listed).
    pub candidates: Vec<Candidate>,
    /// The winner's index in `candidates`.
    pub best: usize,
    /// The pilot schools, when chosen.
    pub pilots: Option<Pilots>,
    /// Why pilot schools were not chosen, when they were not.
    pub pilots_note: Option<String>,
    /// The winner, then the scenario's strategies, on the fresh runs.
    pub table: Vec<Row>,
    /// Simulations spent on the search (one strategy, one run), including those read back from a
    /// checkpoint.
    pub search_simulations: u64,
    /// Simulations spent in all, the finalists' top-up and the fresh runs included.
    pub simulations: u64,
    /// Simulations read back from a checkpoint rather than run.
    pub resumed: u64,
    /// On a network from files, what the winner did to each school in the fresh runs: how
    /// often it piloted, funded and sustained it (one arm). `None` on a generated network,
    /// where school i is not the same school from run to run.
    pub best_schools: Option<SchoolTally>,
    /// The search's settings (the `[optimise]` table as run), for the notes on its bounds.
    pub settings: OptimiseConfig,
}

impl Outcome {
    /// The winning strategy, named [`BEST_NAME`].
    pub fn best_strategy(&self) -> StrategyConfig {
        let mut s = self.candidates[self.best].strategy.clone();
        s.name = BEST_NAME.to_string();
        s
    }

    /// True when CELF chose pilot schools and the strategy piloting them won.
    pub fn pilots_won(&self) -> bool {
        self.pilots
            .as_ref()
            .is_some_and(|p| p.candidate == Some(self.best))
    }
}

/// The 10th percentile of the objective over `v`.
pub(crate) fn worst_decile(v: &[Values]) -> f64 {
    let mut x: Vec<f64> = v
        .iter()
        .map(|v| v.objective)
        .filter(|x| !x.is_nan())
        .collect();
    x.sort_by(f64::total_cmp);
    quantile_sorted(&x, 0.1)
}

/// The trace: candidates by key, the latest values kept.
struct Trace {
    list: Vec<Candidate>,
    index: HashMap<u64, usize>,
}

impl Trace {
    fn record(
        &mut self,
        s: &StrategyConfig,
        origin: &'static str,
        values: &[Values],
        dropped: Option<usize>,
    ) -> usize {
        let key = eval::key(s);
        match self.index.get(&key) {
            Some(&i) => {
                let c = &mut self.list[i];
                if values.len() >= c.search.len() {
                    c.search = values.to_vec();
                    c.dropped_after = dropped;
                }
                i
            }
            None => {
                self.index.insert(key, self.list.len());
                self.list.push(Candidate {
                    strategy: s.clone(),
                    origin,
                    search: values.to_vec(),
                    dropped_after: dropped,
                    fresh: Vec::new(),
                });
                self.list.len() - 1
            }
        }
    }
}

/// How many pilots strategy `s` (with `pilots = 0`: as many as the budget funds at the effective
/// dose) starts with in run 0 of `scenario`: the number of pilot schools the step that chooses
/// them looks for. The least of the `[optimise]` range was once taken instead, so a leader whose
/// budget funds six pilots got one chosen school.
fn auto_pilots(scenario: &Scenario, s: &StrategyConfig) -> Result<u32> {
    let mut one = scenario.clone();
    one.config.strategies = vec![s.clone()];
    let mut started = 0;
    crate::engine::school::watch(&one, 0, 0, |_, step, state, _| {
        if step == 1 {
            started = state
                .origin
                .iter()
                .filter(|&&o| o == crate::model::Origin::Recruited)
                .count() as u32;
        }
    })?;
    Ok(started.max(1))
}

/// Runs the optimisation of `scenario` (school model) with `settings`; see the module docs.
/// `checkpoint`, if any, supplies values simulated before an interruption and receives new ones.
/// O(budget + finalists x (max_runs + fresh_runs)) simulations, in parallel over runs.
pub fn optimise(
    scenario: &Scenario,
    settings: &Settings,
    checkpoint: Option<Checkpoint>,
    progress: &dyn Progress,
) -> Result<(Outcome, Option<Checkpoint>)> {
    let o = &settings.cfg;
    let mut eval = Evaluator::new(scenario, o.objective, o.equity_weight, checkpoint, progress);
    let space = Space::new(scenario, o);
    let batch = o.batch as usize;
    let [search_runs, fresh_runs] = settings.runs();
    let ks: Vec<u64> = search_runs.collect();
    let budget = o.budget_evals as u64;
    let fixed_schools = scenario.files.is_some();
    let pilot_step =
        o.pilot_sets && fixed_schools && o.kinds.contains(&StrategyKind::PilotThenCascade);
    let plan = Plan::new(pilot_step);
    let mut trace = Trace {
        list: Vec::new(),
        index: HashMap::new(),
    };
    let mut names = 0usize;
    let mut name = || {
        names += 1;
        format!("candidate-{names:04}")
    };

    // Step 1: the scenario's strategies and a Latin hypercube, raced. Every scenario strategy is
    // a baseline of the final comparison, but only those of a kind in `kinds` start the search:
    // the local step keeps the leader's kind and the winner is one of its survivors, so a
    // baseline of another kind leading this race would take the search out of the kinds asked
    // for.
    // A start is the scenario's strategy projected into the space (knobs outside the
    // `[optimise]` ranges and lists moved within), so that every candidate, and so the winner,
    // lies within what the user asked the search to consider; the strategy as it stands stays a
    // baseline of the final comparison, which says when it did better.
    let defaults: Vec<StrategyConfig> = scenario.config.strategies.clone();
    let in_kinds = |s: &StrategyConfig| s.kind.is_some_and(|k| o.kinds.contains(&k));
    let mut starts: Vec<StrategyConfig> = Vec::new();
    // Per scenario strategy: the index of its start in `starts`, if of a kind in `kinds`.
    let mut start_of: Vec<Option<usize>> = Vec::new();
    for s in &defaults {
        if !in_kinds(s) {
            start_of.push(None);
            continue;
        }
        let pilots = match (s.kind, s.pilots) {
            (Some(StrategyKind::PilotThenCascade), 0) => auto_pilots(scenario, s)?,
            _ => s.pilots,
        };
        let mut start = if space.outside(s).is_empty() {
            s.clone()
        } else {
            space.project(s, pilots)
        };
        let key = eval::key(&start);
        match starts.iter().position(|t| eval::key(t) == key) {
            Some(i) => start_of.push(Some(i)),
            None => {
                if start != *s {
                    start.name = format!("{} (within the ranges)", s.name);
                }
                start_of.push(Some(starts.len()));
                starts.push(start);
            }
        }
    }
    let global_budget = (budget as f64 * plan.global) as u64;
    let per_candidate = 3 * batch as u64;
    let n_points = (global_budget.saturating_sub(starts.len() as u64 * 2 * batch as u64)
        / per_candidate)
        .clamp(4, 5000) as usize;
    let points = crate::sweep::design::latin_hypercube(
        n_points,
        space::DIMS,
        scenario.config.seed ^ 0x4f50_5449_4d49_5345,
    );
    let mut first: Vec<StrategyConfig> = starts.clone();
    let mut seen: Vec<u64> = first.iter().map(eval::key).collect();
    for p in &points {
        let s = space.decode(p, "");
        let key = eval::key(&s);
        if !seen.contains(&key) {
            seen.push(key);
            let mut s = s;
            s.name = name();
            first.push(s);
        }
    }
    let race1 = race::race(
        &mut eval,
        &first,
        &ks,
        batch,
        global_budget,
        settings.racing,
    )?;
    // The scenario's strategies first, in its order; those not raced as they stand (of a kind
    // not in `kinds`, or outside the space) have no search runs, and a projection follows the
    // strategy it came from.
    for (s, start) in defaults.iter().zip(&start_of) {
        match *start {
            Some(i) if eval::key(&starts[i]) == eval::key(s) => {
                trace.record(s, "scenario", &race1.values[i], race1.dropped_after[i]);
            }
            Some(i) => {
                trace.record(s, "scenario", &[], None);
                trace.record(
                    &starts[i],
                    "projected",
                    &race1.values[i],
                    race1.dropped_after[i],
                );
            }
            None => {
                trace.record(s, "scenario", &[], None);
            }
        }
    }
    for (c, s) in first.iter().enumerate().skip(starts.len()) {
        trace.record(s, "global", &race1.values[c], race1.dropped_after[c]);
    }
    let leader = first[race1.survivors()[0]].clone();

    // Step 2: the leader and its neighbours, raced on the same runs.
    let mut second = vec![leader.clone()];
    for mut s in space.neighbours(&leader) {
        let key = eval::key(&s);
        if !second.iter().any(|t| eval::key(t) == key) {
            s.name = match trace.index.get(&key) {
                Some(&i) => trace.list[i].strategy.name.clone(),
                None => name(),
            };
            second.push(s);
        }
    }
    let local_budget = (budget as f64 * plan.local) as u64;
    let race2 = race::race(
        &mut eval,
        &second,
        &ks,
        batch,
        local_budget,
        settings.racing,
    )?;
    for (c, s) in second.iter().enumerate() {
        trace.record(s, "local", &race2.values[c], race2.dropped_after[c]);
    }
    let mut finalists: Vec<StrategyConfig> = race2
        .survivors()
        .into_iter()
        .take(o.finalists as usize)
        .map(|c| second[c].clone())
        .collect();

    // Step 3: the pilot schools of a pilot-then-cascade leader.
    let mut pilots = None;
    let mut pilots_note = None;
    let top = finalists[0].clone();
    if !fixed_schools {
        pilots_note = Some(
            "the network is drawn anew in every run, so school i is not the same school from run \
             to run: pilots are chosen by the targeting rule (name schools with a network from \
             files)"
                .to_string(),
        );
    } else if !o.pilot_sets {
        pilots_note = Some("pilot_sets = false in [optimise]".to_string());
    } else if top.kind != Some(StrategyKind::PilotThenCascade) {
        pilots_note = Some(format!(
            "the best strategy is {}, which has no pilots",
            top.kind.map(|k| k.name()).unwrap_or("")
        ));
    } else {
        let n = scenario.schools();
        let k = if top.pilots > 0 {
            top.pilots
        } else {
            auto_pilots(scenario, &top)?
        }
        .min(n as u32) as usize;
        // The first pass evaluates every school; lazy re-evaluations took about as many again
        // plus a few per pick on the networks tried, hence 2n + 10k sets within what is left.
        let left = budget.saturating_sub(eval.spent()) as f64;
        let sets = (2 * n + 10 * k) as f64;
        let runs = ((left / sets) as usize).clamp(2, ks.len());
        let pool: Vec<u32> = (0..n as u32).collect();
        let with = |set: &[u32]| -> StrategyConfig {
            let mut s = top.clone();
            s.pilots = set.len() as u32;
            s.pilot_index = set.to_vec();
            s.pilot_ids = set
                .iter()
                .map(|&i| scenario.school_id(i as usize).into_owned())
                .collect();
            s
        };
        let sel = celf::celf(&pool, k, celf::Until::NoGain, |sets| -> Result<Vec<f64>> {
            let strategies: Vec<StrategyConfig> = sets.iter().map(|s| with(s)).collect();
            let refs: Vec<&StrategyConfig> = strategies.iter().collect();
            let got = eval.evaluate(&refs, &ks[..runs])?;
            Ok(got.iter().map(|v| race::mean(v)).collect())
        })?;
        let set: Vec<u32> = sel.picks.iter().map(|p| p.item).collect();
        // Each gain run by run: every prefix of the set (and the set with the school it stopped
        // at) was evaluated on these runs during the selection, so this simulates nothing.
        let mut sets: Vec<Vec<u32>> = (1..=set.len()).map(|m| set[..m].to_vec()).collect();
        if let Some(r) = &sel.rejected {
            sets.push([set.clone(), vec![r.item]].concat());
        }
        let strategies: Vec<StrategyConfig> = sets.iter().map(|s| with(s)).collect();
        let refs: Vec<&StrategyConfig> = strategies.iter().collect();
        let values = eval.evaluate(&refs, &ks[..runs])?;
        let objective = |v: &[Values]| -> Vec<f64> { v.iter().map(|x| x.objective).collect() };
        let pick = |m: usize, school: u32| -> PilotPick {
            let with_it = objective(&values[m]);
            let gain = if m == 0 {
                Summary::of(with_it.iter().copied())
            } else {
                paired(&with_it, &objective(&values[m - 1])).diff
            };
            PilotPick {
                school,
                value: race::mean(&values[m]),
                gain,
            }
        };
        let picks: Vec<PilotPick> = set.iter().enumerate().map(|(m, &i)| pick(m, i)).collect();
        let rejected = sel.rejected.map(|r| pick(set.len(), r.item));
        if !set.is_empty() {
            let mut s = with(&set);
            s.name = name();
            finalists.push(s);
        }
        pilots = Some(Pilots {
            picks,
            rejected,
            sought: k,
            runs,
            evaluations: sel.evaluations,
            candidate: None,
            tied: false,
        });
    }
    let search_simulations = eval.spent();

    // Step 4: finalists on every search run, then on fresh worlds with the scenario's own.
    let refs: Vec<&StrategyConfig> = finalists.iter().collect();
    let full = eval.evaluate(&refs, &ks)?;
    let mut winner = 0;
    let pilot_set = pilots
        .as_ref()
        .is_some_and(|p| !p.picks.is_empty())
        .then(|| finalists.len() - 1);
    for (c, v) in full.iter().enumerate() {
        let origin = if pilot_set == Some(c) {
            "pilots"
        } else {
            "local"
        };
        let i = trace.record(&finalists[c], origin, v, None);
        if pilot_set == Some(c) {
            if let Some(p) = &mut pilots {
                p.candidate = Some(i);
            }
        }
        // An exact tie goes to the pilot set: it is what best.toml can name, and a finalist
        // that scores the same on every run often pilots those very schools by its rule.
        let tie_to_set = pilot_set == Some(c) && race::mean(v) == race::mean(&full[winner]);
        if race::mean(v) > race::mean(&full[winner]) || tie_to_set {
            winner = c;
        }
    }
    if let (Some(p), Some(set)) = (&mut pilots, pilot_set) {
        p.tied = set == winner
            && full
                .iter()
                .enumerate()
                .any(|(c, v)| c != set && race::mean(v) == race::mean(&full[set]));
    }
    let fresh_ks: Vec<u64> = fresh_runs.collect();
    let mut judged: Vec<&StrategyConfig> = finalists.iter().collect();
    judged.extend(defaults.iter());
    let fresh = eval.evaluate(&judged, &fresh_ks)?;
    for (s, v) in judged.iter().zip(&fresh) {
        let i = trace.index[&eval::key(s)];
        trace.list[i].fresh = v.clone();
    }
    let best = trace.index[&eval::key(&finalists[winner])];
    let objective = |v: &[Values]| -> Vec<f64> { v.iter().map(|x| x.objective).collect() };
    let best_fresh = objective(&fresh[winner]);
    let mut table = vec![Row {
        name: BEST_NAME.to_string(),
        objective: Summary::of(best_fresh.iter().copied()),
        worst_decile: worst_decile(&fresh[winner]),
        versus: None,
    }];
    for (d, s) in defaults.iter().enumerate() {
        let v = &fresh[finalists.len() + d];
        table.push(Row {
            name: s.name.clone(),
            objective: Summary::of(objective(v)),
            worst_decile: worst_decile(v),
            versus: Some(paired(&best_fresh, &objective(v))),
        });
    }
    let best_schools = if fixed_schools {
        Some(replay_schools(
            scenario,
            &finalists[winner],
            &fresh_ks,
            progress,
        )?)
    } else {
        None
    };
    let replayed = best_schools.as_ref().map_or(0, |t| t.runs);
    let outcome = Outcome {
        goal: o.objective,
        candidates: trace.list,
        best,
        pilots,
        pilots_note,
        table,
        search_simulations,
        simulations: eval.spent() + replayed,
        resumed: eval.reused,
        best_schools,
        settings: o.clone(),
    };
    Ok((outcome, eval.into_checkpoint()))
}

/// Runs strategy `s` of `scenario` (a network from files) again in runs `ks`, recording what it
/// did to each school ([`SchoolRun`]: piloted, funded, sustained), and folds the runs in run
/// order into a one-arm [`SchoolTally`]. The runs are those the final comparison evaluated
/// (same worlds, same draws), so the shares describe the runs behind the reported figures. In
/// parallel over runs; O(|ks|) simulations.
fn replay_schools(
    scenario: &Scenario,
    s: &StrategyConfig,
    ks: &[u64],
    progress: &dyn Progress,
) -> Result<SchoolTally> {
    use rayon::prelude::*;
    let mut one = scenario.clone();
    one.config.strategies = vec![s.clone()];
    let steps = one.config.steps;
    let n = one.schools();
    let runs: Vec<std::result::Result<SchoolRun, crate::error::InputError>> = ks
        .par_iter()
        .map(|&k| {
            let mut run = SchoolRun::new(n);
            // Run k's draws of the uncertain fields decide its benefit bar, as in `compare`.
            let drawn = one.for_run(k)?;
            let params = Params::new(&drawn.config, &drawn.config.strategies[0]);
            crate::engine::watch(&one, 0, k, |_, step, state, plan| {
                run.observe(step, state, plan);
                if step == steps {
                    run.finish(state, &params);
                }
            })?;
            progress.run_done();
            Ok(run)
        })
        .collect();
    let (region, regions) = crate::school::regions(&one);
    let mut tally = SchoolTally::new(1, region, regions);
    // In run order, so the first error is the same for any thread count.
    for run in runs {
        tally.add(0, &run?);
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With `pilots = 0` the pilot step chooses as many schools as the budget funds at the
    /// effective dose (more for a larger budget), not the least of the `[optimise]` range.
    #[test]
    fn automatic_pilots_follow_the_budget() {
        let count = |per_school: f64| {
            let scn = Scenario::from_toml(
                &format!(
                    "runs = 4\nsteps = 3\n[network]\nschools = 200\nregions = 4\n\
                     [budget]\nper_school = {per_school}\n\
                     [[strategies]]\nname = \"pilot-then-cascade\"\n"
                ),
                None,
            )
            .unwrap();
            auto_pilots(&scn, &scn.config.strategies[0]).unwrap()
        };
        let (few, more) = (count(0.1), count(0.2));
        assert!(few > 1, "{few}");
        assert!(more > few, "{few} then {more}");
    }
}
