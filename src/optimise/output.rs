//! The files of an optimisation and its printed table.
//!
//! | file | one row per | what |
//! |---|---|---|
//! | `best.toml` | | the winner as a `[[strategies]]` entry, ready to paste into a scenario |
//! | `pilots.csv` | pilot school CELF chose (and the one it stopped at) | `school, name, region, rank, added, in_optimised, objective, unit, runs, value, marginal_gain, gain_ci_low, gain_ci_high` (header only when no pilots were chosen) |
//! | `best_schools.csv` | school (networks from files) | how often the winner piloted, funded and sustained it in the fresh runs, most piloted first (header only on a generated network) |
//! | `trace.csv` | candidate raced or re-evaluated (not CELF's intermediate pilot sets) | its knobs, its search runs and figures, when the race dropped it, its fresh-world figures, whether it is the one named `optimised` |
//! | `comparison.csv` | strategy | the winner and the scenario's strategies on fresh worlds, the winner's paired difference to each |
//!
//! Shares are fractions (0-1) in the files (`pilots.csv` and `comparison.csv` name the
//! objective's unit in their `unit` column); the printed table shows them in percent, differences in points.

use super::{Outcome, Row, BEST_NAME};
use crate::engine::SchoolTally;
use crate::error::Result;
use crate::metrics::stats::Summary;
use crate::output::{csv_writer, num, write_atomic};
use crate::report::fixed;
use crate::scenario::{Goal, Scenario, StrategyConfig};
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;

pub(crate) use crate::report::optimise::{
    bound_notes, BEATS_MEANING, BEST_SCHOOLS_HEADER, COMPARISON_HEADER, PILOTS_HEADER,
};

/// The printed table's column of `p_best_beats`: a share of runs, not a probability.
const BEATS_LABEL: &str = "opt. wins, % runs";

/// A value's name as the scenario file writes it (`need`, `prix-fixe`, `true`).
fn word<T: Serialize>(v: &T) -> String {
    match toml::Value::try_from(v) {
        Ok(toml::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// `best.toml`: the winner as a `[[strategies]]` entry, with a comment on where it came from.
pub(crate) fn best_toml(scenario: &Scenario, outcome: &Outcome) -> String {
    #[derive(Serialize)]
    struct Entry {
        strategies: Vec<StrategyConfig>,
    }
    let best = outcome.best_strategy();
    let body = toml::to_string(&Entry {
        strategies: vec![best.clone()],
    })
    .expect("a strategy serialises");
    let body = mark_unused(&body, &best);
    let best = &outcome.table[0];
    format!(
        "# The strategy `domino optimise` chose for scenario \"{}\" (objective {}, seed {}):\n\
         # {} on {} fresh runs; table.txt says whether it beats the scenario's own strategies\n\
         # there. Paste this entry into a scenario's strategies to compare it there.\n{}{}",
        scenario.config.name,
        outcome.goal.name(),
        scenario.config.seed,
        describe(outcome.goal, &best.objective),
        best.objective.n,
        body,
        if body.ends_with('\n') { "" } else { "\n" }
    )
}

/// `body` (one strategy as TOML, `key = value` lines) with a comment after each line whose field
/// does nothing for `s` ([`StrategyConfig::unused_knob`]). Such a field is written (a pasted
/// entry is the strategy that was evaluated, field for field) but marked, so that a reader does
/// not take it for a choice the search made.
fn mark_unused(body: &str, s: &StrategyConfig) -> String {
    let mut out = String::new();
    for line in body.lines() {
        out.push_str(line);
        let key = line.split(" = ").next().unwrap_or("");
        if line.contains(" = ") {
            if let Some(why) = s.unused_knob(key) {
                out.push_str(&format!("  # {why}: not used by this strategy"));
            }
        }
        out.push('\n');
    }
    out
}

fn describe(goal: Goal, s: &Summary) -> String {
    format!("mean {} (95% CI {})", show(goal, s.mean), ci(goal, s))
}

/// A value of the objective for people: percent for shares, students per SU otherwise. A value
/// that rounds to zero reads 0.0, never -0.0 (a zero budget's interval ends at -0).
fn show(goal: Goal, v: f64) -> String {
    match goal {
        Goal::CostPerStudent => fixed(v, 2, false),
        _ => fixed(100.0 * v, 1, false),
    }
}

fn ci(goal: Goal, s: &Summary) -> String {
    format!("{}-{}", show(goal, s.ci_low), show(goal, s.ci_high))
}

/// The comparison table as printed: the winner and the scenario's strategies on fresh worlds.
pub fn table(scenario: &Scenario, outcome: &Outcome) -> String {
    let goal = outcome.goal;
    let unit = match goal {
        Goal::CostPerStudent => "students benefiting per SU",
        Goal::Sustained => "% of schools sustained",
        Goal::Equity => "% of need-weighted students benefiting",
        Goal::StudentsBenefiting => "% of students benefiting",
    };
    let mut out = format!(
        "{}: objective {} ({unit}), on {} fresh paired runs not used by the search\n",
        scenario.config.name,
        goal.name(),
        outcome.table[0].objective.n
    );
    out.push_str(&format!(
        "{:<20} {:>22} {:>12} {:>26} {:>17}\n",
        "strategy", "mean (95% CI)", "worst 10%", "optimised - this (95% CI)", BEATS_LABEL
    ));
    for row in &outcome.table {
        let (diff, p) = match &row.versus {
            Some(v) => (
                format!(
                    "{} ({} to {})",
                    show(goal, v.diff.mean),
                    show(goal, v.diff.ci_low),
                    show(goal, v.diff.ci_high)
                ),
                format!("{:.0}%", 100.0 * v.p_beats),
            ),
            None => (String::new(), String::new()),
        };
        let line = format!(
            "{:<20} {:>22} {:>12} {:>26} {:>17}",
            row.name,
            format!(
                "{} ({})",
                show(goal, row.objective.mean),
                ci(goal, &row.objective)
            ),
            show(goal, row.worst_decile),
            diff,
            p
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if outcome.table.len() > 1 {
        out.push_str(&format!("{BEATS_LABEL}: {BEATS_MEANING}\n"));
    }
    let best = outcome.best_strategy();
    out.push_str(&format!("optimised = {}\n", summary_line(&best)));
    for line in not_better(scenario, outcome) {
        out.push_str(&line);
        out.push('\n');
    }
    for note in bound_notes(&outcome.settings, scenario.config.network.schools, &best) {
        out.push_str(&format!("note: {note}\n"));
    }
    if let Some(line) = best_schools_line(scenario, outcome) {
        out.push_str(&line);
        out.push('\n');
    }
    match (&outcome.pilots, &outcome.pilots_note) {
        (Some(p), _) => out.push_str(&pilots_text(scenario, outcome, p)),
        (None, Some(note)) => out.push_str(&format!("pilot schools not chosen: {note}\n")),
        (None, None) => {}
    }
    out
}

/// A school as the table names it: its id, and its name from the node table when it has one.
fn school_label(scenario: &Scenario, i: usize) -> String {
    let id = scenario.school_id(i);
    match scenario.school_name(i) {
        "" => id.into_owned(),
        name => format!("{id} ({name})"),
    }
}

/// The schools of the node table, most piloted by the winner first, then most funded, then in
/// the table's order: the rows of `best_schools.csv`.
fn by_piloted(t: &SchoolTally) -> Vec<usize> {
    let arm = &t.arms[0];
    let mut order: Vec<usize> = (0..arm.piloted.len()).collect();
    order.sort_by(|&a, &b| {
        (arm.piloted[b], arm.funded[b])
            .cmp(&(arm.piloted[a], arm.funded[a]))
            .then(a.cmp(&b))
    });
    order
}

/// The line naming the schools the optimised strategy pilots, with the share of the fresh runs
/// in which it piloted each (those piloted in at least half of them; the rest are counted).
/// `None` on a generated network.
fn best_schools_line(scenario: &Scenario, outcome: &Outcome) -> Option<String> {
    let t = outcome.best_schools.as_ref()?;
    let arm = &t.arms[0];
    let runs = t.runs;
    let piloted: Vec<usize> = by_piloted(t)
        .into_iter()
        .filter(|&i| arm.piloted[i] > 0)
        .collect();
    if piloted.is_empty() {
        return Some(format!(
            "the optimised strategy pilots no school in the {runs} fresh runs; best_schools.csv \
             gives how often it funds and sustains each"
        ));
    }
    let often: Vec<String> = piloted
        .iter()
        .filter(|&&i| 2 * u64::from(arm.piloted[i]) >= runs)
        .map(|&i| {
            format!(
                "{} {:.0}%",
                school_label(scenario, i),
                100.0 * f64::from(arm.piloted[i]) / runs as f64
            )
        })
        .collect();
    let rest = piloted.len() - often.len();
    let rest = match (often.is_empty(), rest) {
        (_, 0) => String::new(),
        (true, n) => format!("none in half of them or more; {n} in fewer"),
        (false, n) => format!("; {n} more in fewer than half of them"),
    };
    Some(format!(
        "schools the optimised strategy pilots (share of the {runs} fresh runs in which it \
         piloted each; all in best_schools.csv): {}{rest}",
        often.join(", ")
    ))
}

/// A gain for people: signed points for shares, students per SU otherwise.
fn gain(goal: Goal, v: f64) -> String {
    match goal {
        Goal::CostPerStudent => fixed(v, 2, true),
        _ => fixed(100.0 * v, 1, true),
    }
}

/// What the table says about the pilot schools CELF chose: whether the optimised strategy pilots
/// them, each one's gain with its interval and the runs it rests on, and where selection stopped.
fn pilots_text(scenario: &Scenario, outcome: &Outcome, p: &super::Pilots) -> String {
    let goal = outcome.goal;
    let mut out = String::new();
    let unit = match goal {
        Goal::CostPerStudent => "students per SU",
        _ => "points",
    };
    let list: Vec<String> = p
        .picks
        .iter()
        .map(|pk| {
            format!(
                "{} {} ({} to {})",
                scenario.school_id(pk.school as usize),
                gain(goal, pk.gain.mean),
                gain(goal, pk.gain.ci_low),
                gain(goal, pk.gain.ci_high)
            )
        })
        .collect();
    let mean = |i: usize| super::race::mean(&outcome.candidates[i].search);
    let basis = format!(
        "greedy selection (CELF on {} search runs, {} sets evaluated; the gain each school added \
         in {unit}, 95% CI)",
        p.runs, p.evaluations
    );
    match p.candidate {
        None => out.push_str(&format!(
            "pilot schools not chosen: no school raised the objective as a single pilot, by {basis}\n"
        )),
        Some(_) if outcome.pilots_won() => {
            out.push_str(&format!(
                "pilot schools named in best.toml, chosen by {basis}: {}\n",
                list.join(", ")
            ));
            if p.tied {
                out.push_str(
                    "the strategy with these schools tied exactly, on the search runs, with a \
                     finalist that leaves its pilots to the targeting rule; a tie goes to the \
                     named schools, which best.toml can state\n",
                );
            }
        }
        Some(c) => out.push_str(&format!(
            "NOT RECOMMENDED: the pilot schools greedy selection chose did not win. With them the \
             strategy scored {} on the {} search runs, the optimised strategy {}; it leaves its \
             pilots to the targeting rule ({}){}. The rejected set, for reference, chosen by \
             {basis}: {}\n",
            show(goal, mean(c)),
            outcome.candidates[c].search.len(),
            show(goal, mean(outcome.best)),
            word(&outcome.candidates[outcome.best].strategy.targeting),
            if outcome.best_schools.is_some() {
                ": its pilot schools are listed above"
            } else {
                ""
            },
            list.join(", ")
        )),
    }
    if let Some(r) = &p.rejected {
        out.push_str(&format!(
            "pilot selection stopped after {} of the {} schools looked for: the next best, {}, \
             would have changed the objective by {} ({} to {})\n",
            p.picks.len(),
            p.sought,
            scenario.school_id(r.school as usize),
            gain(goal, r.gain.mean),
            gain(goal, r.gain.ci_low),
            gain(goal, r.gain.ci_high)
        ));
    }
    let unclear = p
        .picks
        .iter()
        .filter(|pk| pk.gain.ci_low.is_nan() || pk.gain.ci_low <= 0.0)
        .count();
    if unclear > 0 {
        out.push_str(&format!(
            "{unclear} of these {} gains {} a 95% interval that includes 0 (on {} runs each{}): \
             the order of those schools is not established\n",
            p.picks.len(),
            if unclear == 1 { "has" } else { "have" },
            p.runs,
            if (p.runs as u32) < outcome.settings.batch {
                "; a larger --budget-evals gives the pilot step more runs"
            } else {
                ""
            }
        ));
    }
    out
}

/// A line for each of the scenario's strategies that the optimised one is not clearly better
/// than on the fresh runs (the paired 95 % interval of the difference does not lie above 0), so
/// that the table is not read as announcing a winner where the fresh worlds do not show one.
fn not_better(scenario: &Scenario, outcome: &Outcome) -> Vec<String> {
    let goal = outcome.goal;
    let own = &outcome.candidates[outcome.best];
    let space = super::Space::new(scenario, &outcome.settings);
    outcome
        .table
        .iter()
        .filter_map(|row| {
            let v = row.versus.as_ref()?;
            // A NaN bound (no usable pairs) is no evidence either: it falls through to a caveat.
            if v.diff.ci_low > 0.0 {
                return None;
            }
            let name = &row.name;
            let diff = format!(
                "optimised - {name} = {} (95% CI {} to {})",
                show(goal, v.diff.mean),
                show(goal, v.diff.ci_low),
                show(goal, v.diff.ci_high)
            );
            // A baseline the search never ran as it stands is of a kind outside `[optimise]
            // kinds`, or has knobs outside the space (the search ran it moved within).
            let baseline = outcome
                .candidates
                .iter()
                .find(|c| c.origin == "scenario" && c.strategy.name == *name && c.search.is_empty())
                .map(|c| &c.strategy);
            let knobs = baseline.map(|s| space.outside(s)).unwrap_or_default();
            let other_kind = baseline
                .is_some_and(|s| !s.kind.is_some_and(|k| outcome.settings.kinds.contains(&k)));
            let outside = if other_kind {
                format!("; {name} is of a kind not in [optimise] kinds, which the search kept to")
            } else if !knobs.is_empty() {
                format!(
                    "; {name} lies outside the [optimise] ranges and lists, which the search \
                     kept to: {}",
                    knobs.join(", ")
                )
            } else {
                String::new()
            };
            Some(if own.origin == "scenario" && own.strategy.name == *name {
                format!("optimised is the scenario's own {name}: the search found nothing better")
            } else if v.diff.ci_high < 0.0 && !other_kind && !knobs.is_empty() {
                format!(
                    "your scenario's own settings, outside the search ranges, did best: {name} \
                     beats optimised on the fresh runs ({diff}); the search kept to the \
                     [optimise] ranges and lists, and {name} has {}. Widen those in [optimise] \
                     to search there",
                    knobs.join(", ")
                )
            } else if v.diff.ci_high < 0.0 {
                format!("optimised is worse than {name} on the fresh runs: {diff}{outside}")
            } else {
                format!(
                    "optimised is not distinguishable from {name} on the fresh runs: {diff}, an \
                     interval that includes 0{outside}"
                )
            })
        })
        .collect()
}

/// One line naming a strategy's kind and knobs.
pub(crate) fn summary_line(s: &StrategyConfig) -> String {
    let kind = s.kind.map(|k| k.name()).unwrap_or("");
    let mut parts = vec![
        kind.to_string(),
        format!("targeting {}", word(&s.targeting)),
        format!("pace {}", word(&s.pace)),
        if s.mandate { "mandate" } else { "opt-in" }.to_string(),
        format!("support {}", word(&s.support)),
        format!("{}", word(&s.adaptation)),
        format!("exchange {}", word(&s.exchange)),
        format!("coach share {}", num(s.coach_share.unwrap_or(0.0))),
    ];
    if s.adaptive {
        parts.push("adaptive".into());
    }
    match s.kind {
        Some(crate::scenario::StrategyKind::PilotThenCascade) => {
            parts.push(match s.pilots {
                // 0 is not "no pilots": the strategy pilots in as many schools as each start's
                // budget funds at the effective dose.
                0 => "as many pilots as the budget funds at the effective dose".to_string(),
                1 => "1 pilot".to_string(),
                n => format!("{n} pilots"),
            });
            parts.push(if s.waves { "waves" } else { "no waves" }.into());
        }
        Some(crate::scenario::StrategyKind::Cluster) => {
            parts.push(format!("hub share {}", num(s.hub_share)))
        }
        _ => {}
    }
    parts.join(", ")
}

/// Writes `best.toml`, `pilots.csv`, `trace.csv` and `comparison.csv` into `dir`; returns their
/// names.
pub fn write(dir: &Path, scenario: &Scenario, outcome: &Outcome) -> Result<Vec<String>> {
    let mut written = Vec::new();
    let mut file = |name: &str, f: &dyn Fn(&mut dyn Write) -> io::Result<()>| -> Result<()> {
        write_atomic(&dir.join(name), |w| f(w))?;
        written.push(name.to_string());
        Ok(())
    };
    let best = best_toml(scenario, outcome);
    file("best.toml", &|w| w.write_all(best.as_bytes()))?;
    file("pilots.csv", &|w| write_pilots(w, scenario, outcome))?;
    file("best_schools.csv", &|w| {
        write_best_schools(w, scenario, outcome)
    })?;
    file("trace.csv", &|w| write_trace(w, outcome))?;
    file("comparison.csv", &|w| write_comparison(w, outcome))?;
    Ok(written)
}

/// `pilots.csv`: one row per school CELF chose, in the order chosen, then the school it stopped
/// at (`added` false), if any; `in_optimised` says whether the optimised strategy pilots the
/// chosen set (it may have lost to a finalist that leaves pilots to the targeting rule). Gains
/// and values are in the objective's own unit, named in `unit`.
fn write_pilots(w: &mut dyn Write, scenario: &Scenario, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record(PILOTS_HEADER)?;
    if let Some(p) = &outcome.pilots {
        let (region, _) = crate::school::regions(scenario);
        let won = outcome.pilots_won();
        let unit = unit(outcome.goal);
        let rows = p
            .picks
            .iter()
            .map(|pk| (pk, true))
            .chain(p.rejected.iter().map(|pk| (pk, false)));
        for (rank, (pick, added)) in rows.enumerate() {
            let i = pick.school as usize;
            c.write_record([
                scenario.school_id(i).as_ref(),
                scenario.school_name(i),
                scenario.region_name(region[i] as usize).as_ref(),
                &(rank + 1).to_string(),
                &added.to_string(),
                &(won && added).to_string(),
                outcome.goal.name(),
                unit,
                &pick.gain.n.to_string(),
                &num(pick.value),
                &num(pick.gain.mean),
                &num(pick.gain.ci_low),
                &num(pick.gain.ci_high),
            ])?;
        }
    }
    c.flush()
}

/// `best_schools.csv`: per school of the node table, the share of the fresh runs in which the
/// optimised strategy piloted, funded and sustained it, each with its standard error, most
/// piloted first. Only the header on a generated network.
fn write_best_schools(w: &mut dyn Write, scenario: &Scenario, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record(BEST_SCHOOLS_HEADER)?;
    if let Some(t) = &outcome.best_schools {
        let arm = &t.arms[0];
        for i in by_piloted(t) {
            let mut row = vec![
                scenario.school_id(i).into_owned(),
                scenario.school_name(i).to_string(),
                scenario.region_name(t.region[i] as usize).into_owned(),
                t.runs.to_string(),
            ];
            for count in [arm.piloted[i], arm.funded[i], arm.sustained[i]] {
                let (p, se) = crate::engine::tally::share(count, t.runs);
                row.extend([num(p), num(se)]);
            }
            c.write_record(&row)?;
        }
    }
    c.flush()
}

/// The unit of the objective's figures: `cost-per-student` is maximised as students benefiting
/// per SU (higher is better), each run's ratio averaged over runs (not the reciprocal of the
/// compare report's SU per student, a ratio of means).
fn unit(goal: Goal) -> &'static str {
    match goal {
        Goal::CostPerStudent => "students per SU",
        _ => "share",
    }
}

/// The columns of `comparison.csv`: the report's required ones, with the objective's `unit`
/// after `objective` (not required, so that a folder written before it still has a report).
fn comparison_header() -> Vec<&'static str> {
    let mut header = COMPARISON_HEADER.to_vec();
    let objective = header
        .iter()
        .position(|c| *c == "objective")
        .map_or(0, |i| i + 1);
    header.insert(objective, "unit");
    header
}

fn mean_of(v: &[super::Values], f: impl Fn(&super::Values) -> f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.iter().map(f).sum::<f64>() / v.len() as f64
}

fn write_trace(w: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record([
        "candidate",
        "origin",
        "kind",
        "mandate",
        "pace",
        "targeting",
        "support",
        "build_share",
        "adaptive",
        "adaptation",
        "exchange",
        "pilots",
        "waves",
        "hub_share",
        "coach_share",
        "pilot_ids",
        "search_runs",
        "dropped_after_runs",
        "objective_mean",
        "objective_ci_low",
        "objective_ci_high",
        "worst_decile",
        "students_benefiting_share",
        "sustained_share",
        "equity_share",
        "students_per_su",
        "fresh_runs",
        "fresh_objective_mean",
        "fresh_worst_decile",
        "optimised",
    ])?;
    for (i, cand) in outcome.candidates.iter().enumerate() {
        let s = &cand.strategy;
        let o = Summary::of(cand.search.iter().map(|v| v.objective));
        c.write_record([
            s.name.clone(),
            cand.origin.to_string(),
            s.kind.map(|k| k.name()).unwrap_or("").to_string(),
            s.mandate.to_string(),
            word(&s.pace),
            word(&s.targeting),
            word(&s.support),
            num(s.build_share),
            s.adaptive.to_string(),
            word(&s.adaptation),
            word(&s.exchange),
            s.pilots.to_string(),
            s.waves.to_string(),
            num(s.hub_share),
            num(s.coach_share.unwrap_or(0.0)),
            s.pilot_ids.join(" "),
            cand.search.len().to_string(),
            cand.dropped_after
                .map(|n| n.to_string())
                .unwrap_or_default(),
            num(o.mean),
            num(o.ci_low),
            num(o.ci_high),
            num(super::worst_decile(&cand.search)),
            num(mean_of(&cand.search, |v| v.benefiting)),
            num(mean_of(&cand.search, |v| v.sustained)),
            num(mean_of(&cand.search, |v| v.equity)),
            num(mean_of(&cand.search, |v| v.per_su)),
            cand.fresh.len().to_string(),
            // Summed as comparison.csv's mean is, so that the winner's two figures are one.
            num(Summary::of(cand.fresh.iter().map(|v| v.objective)).mean),
            if cand.fresh.is_empty() {
                String::new()
            } else {
                num(super::worst_decile(&cand.fresh))
            },
            (i == outcome.best).to_string(),
        ])?;
    }
    c.flush()
}

fn write_comparison(w: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record(comparison_header())?;
    for Row {
        name,
        objective,
        worst_decile,
        versus,
    } in &outcome.table
    {
        let (d, p) = match versus {
            Some(v) => (
                [num(v.diff.mean), num(v.diff.ci_low), num(v.diff.ci_high)],
                num(v.p_beats),
            ),
            None => ([String::new(), String::new(), String::new()], String::new()),
        };
        let [dm, dl, dh] = d;
        c.write_record([
            if name == BEST_NAME { BEST_NAME } else { name }.to_string(),
            outcome.goal.name().to_string(),
            unit(outcome.goal).to_string(),
            objective.n.to_string(),
            num(objective.mean),
            num(objective.ci_low),
            num(objective.ci_high),
            num(*worst_decile),
            dm,
            dl,
            dh,
            p,
        ])?;
    }
    c.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stats::paired;
    use crate::optimise::{Candidate, Values};
    use crate::scenario::{OptimiseConfig, StrategyKind};

    /// The README's row for `comparison.csv` names every column the file has.
    #[test]
    fn the_readme_names_every_comparison_column() {
        let readme = include_str!("../../README.md");
        let row = readme
            .lines()
            .find(|l| l.starts_with("| `comparison.csv` |"))
            .expect("the README's comparison.csv row");
        for column in comparison_header() {
            assert!(row.contains(&format!("`{column}`")), "{column}");
        }
    }

    fn values(objective: &[f64]) -> Vec<Values> {
        objective
            .iter()
            .map(|&o| Values {
                objective: o,
                benefiting: o,
                sustained: o,
                equity: o,
                per_su: o,
            })
            .collect()
    }

    /// An outcome whose winner (a global candidate unless `own`) beat `clear` by 0.1 in every
    /// fresh run and `close` by +-0.01 alternately (a mean of 0, an interval across 0).
    fn outcome(own: bool) -> Outcome {
        let best: Vec<f64> = (0..20).map(|k| 0.3 + 0.01 * (k % 5) as f64).collect();
        let clear: Vec<f64> = best.iter().map(|x| x - 0.1).collect();
        let close: Vec<f64> = best
            .iter()
            .enumerate()
            .map(|(k, x)| if k % 2 == 0 { x + 0.01 } else { x - 0.01 })
            .collect();
        let mut winner = StrategyConfig::named("pilot-then-cascade");
        if !own {
            winner.name = "candidate-0001".into();
            winner.pilots = 0;
        }
        let row = |name: &str, v: &[f64]| Row {
            name: name.into(),
            objective: Summary::of(v.iter().copied()),
            worst_decile: 0.0,
            versus: Some(paired(&best, v)),
        };
        Outcome {
            goal: Goal::StudentsBenefiting,
            candidates: vec![Candidate {
                strategy: winner,
                origin: if own { "scenario" } else { "global" },
                search: values(&best),
                dropped_after: None,
                fresh: values(&best),
            }],
            best: 0,
            pilots: None,
            pilots_note: None,
            table: vec![
                Row {
                    name: BEST_NAME.into(),
                    objective: Summary::of(best.iter().copied()),
                    worst_decile: 0.0,
                    versus: None,
                },
                row("thin-spread", &clear),
                row("pilot-then-cascade", &close),
            ],
            search_simulations: 0,
            simulations: 0,
            resumed: 0,
            best_schools: None,
            settings: OptimiseConfig::default(),
        }
    }

    /// The table does not present the optimised strategy as a winner over a scenario strategy
    /// its fresh-run interval does not clear: it says it is not distinguishable from it, with
    /// the difference and interval, and says nothing of the kind about one it clearly beats.
    #[test]
    fn the_table_says_when_the_optimised_strategy_is_not_distinguishable() {
        let scenario = Scenario::builtin_default();
        let text = table(&scenario, &outcome(false));
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("optimised is"))
            .collect();
        assert_eq!(
            lines,
            [
                "optimised is not distinguishable from pilot-then-cascade on the fresh runs: \
              optimised - pilot-then-cascade = 0.0 (95% CI -0.5 to 0.5), an interval that \
              includes 0"
            ],
            "{text}"
        );
        // A baseline the search did not run (a kind outside `kinds`) is said to be one.
        let mut o = outcome(false);
        o.candidates.push(Candidate {
            strategy: StrategyConfig::named("pilot-then-cascade"),
            origin: "scenario",
            search: Vec::new(),
            dropped_after: None,
            fresh: Vec::new(),
        });
        o.settings.kinds = vec![StrategyKind::ThinSpread, StrategyKind::Cluster];
        let text = table(&scenario, &o);
        assert!(
            text.contains(
                "an interval that includes 0; pilot-then-cascade is of a kind not in [optimise] \
                 kinds, which the search kept to\n"
            ),
            "{text}"
        );
        // One of a kind in `kinds` with knobs outside the space is said to lie outside, and
        // which knobs.
        o.settings.kinds = StrategyKind::ALL.to_vec();
        o.candidates[1].strategy.pilots = 3;
        o.settings.pilots = [1, 1];
        let text = table(&scenario, &o);
        assert!(
            text.contains(
                "an interval that includes 0; pilot-then-cascade lies outside the [optimise] \
                 ranges and lists, which the search kept to: pilots 3 (searched: 1 to 1)\n"
            ),
            "{text}"
        );
        // The winner being the scenario's own strategy is said as such.
        let text = table(&scenario, &outcome(true));
        assert!(
            text.contains("optimised is the scenario's own pilot-then-cascade: the search found nothing better"),
            "{text}"
        );
    }

    /// The column of `p_best_beats` is labelled a share of runs and defined under the table,
    /// ties counting half; no "P(...)" label reads as a probability of being better.
    #[test]
    fn the_share_of_runs_won_is_labelled_and_defined() {
        let text = table(&Scenario::builtin_default(), &outcome(false));
        assert!(!text.contains("P("), "{text}");
        let header = text.lines().nth(1).unwrap();
        assert!(header.ends_with("opt. wins, % runs"), "{header}");
        assert!(
            text.contains(
                "opt. wins, % runs: the share of the fresh paired runs in which the optimised \
                 strategy scored higher than this one, a tie counting half"
            ),
            "{text}"
        );
    }

    /// A scenario strategy outside the space that beats the optimised one on the fresh runs is
    /// said to have done best, in plain words, with the knobs that put it outside.
    #[test]
    fn a_baseline_outside_the_ranges_that_wins_is_said_to_have_done_best() {
        let scenario = Scenario::builtin_default();
        let mut o = outcome(false);
        let mut own = StrategyConfig::named("pilot-then-cascade");
        own.pilots = 3;
        own.targeting = crate::scenario::Targeting::Readiness;
        o.candidates.push(Candidate {
            strategy: own,
            origin: "scenario",
            search: Vec::new(),
            dropped_after: None,
            fresh: Vec::new(),
        });
        o.settings.pilots = [1, 1];
        o.settings.targeting = vec![crate::scenario::Targeting::Random];
        // The scenario's pilot-then-cascade scores 0.1 more than optimised in every run.
        let best: Vec<f64> = o.candidates[0].fresh.iter().map(|v| v.objective).collect();
        let better: Vec<f64> = best.iter().map(|x| x + 0.1).collect();
        o.table[2].objective = Summary::of(better.iter().copied());
        o.table[2].versus = Some(paired(&best, &better));
        let text = table(&scenario, &o);
        assert!(
            text.contains(
                "your scenario's own settings, outside the search ranges, did best: \
                 pilot-then-cascade beats optimised on the fresh runs (optimised - \
                 pilot-then-cascade = -10.0 (95% CI -10.0 to -10.0)); the search kept to the \
                 [optimise] ranges and lists, and pilot-then-cascade has targeting readiness \
                 (searched: random), pilots 3 (searched: 1 to 1)."
            ),
            "{text}"
        );
        assert!(!text.contains("optimised is worse than"), "{text}");
    }

    /// Values that round to zero (a zero budget's intervals end at -0) never read -0.0.
    #[test]
    fn no_negative_zero_in_the_table() {
        let zero = vec![0.0; 20];
        let mut o = outcome(false);
        let mut below = zero.clone();
        below[0] = -1e-9;
        o.table[0].objective = Summary::of(below.iter().copied());
        o.table[1].objective = Summary::of(zero.iter().copied());
        o.table[1].versus = Some(paired(&below, &zero));
        assert!(o.table[0].objective.ci_low < 0.0);
        // "-" also joins an interval's ends ("0.0-0.1"): a negative zero follows a space, a
        // parenthesis or that dash.
        let negative_zero =
            |text: &str| ["(-0.0", " -0.0", "--0.0"].iter().any(|z| text.contains(z));
        let text = table(&Scenario::builtin_default(), &o);
        assert!(!negative_zero(&text), "{text}");
        assert!(text.contains("0.0 (0.0-0.0)"), "{text}");
        o.goal = Goal::CostPerStudent;
        let text = table(&Scenario::builtin_default(), &o);
        assert!(!negative_zero(&text), "{text}");
    }

    /// `pilots = 0` is "as many as the budget funds", not no pilots.
    #[test]
    fn zero_pilots_read_as_what_the_budget_funds() {
        let mut s = StrategyConfig::named("pilot-then-cascade");
        s.kind = Some(StrategyKind::PilotThenCascade);
        s.pilots = 0;
        let line = summary_line(&s);
        assert!(
            line.contains("as many pilots as the budget funds at the effective dose"),
            "{line}"
        );
        assert!(!line.contains("0 pilots"), "{line}");
        s.pilots = 1;
        assert!(summary_line(&s).contains(", 1 pilot,"));
        s.pilots = 6;
        assert!(summary_line(&s).contains(", 6 pilots,"));
    }

    /// `outcome(false)` with pilot schools 3 then 5 chosen on 4 runs (gains +0.1 each run, and
    /// +0.05 or -0.05 alternately: an interval across 0), selection stopped at school 7 (a loss),
    /// and the pilot-set candidate added as candidate 1; it won when `won`.
    fn with_pilots(won: bool) -> Outcome {
        let mut o = outcome(false);
        let mut s = StrategyConfig::named("pilot-then-cascade");
        s.name = "candidate-0002".into();
        s.pilot_ids = vec!["3".into(), "5".into()];
        o.candidates.push(Candidate {
            strategy: s,
            origin: "pilots",
            search: values(&[0.25; 8]),
            dropped_after: None,
            fresh: Vec::new(),
        });
        if won {
            o.best = 1;
        }
        let pick = |school: u32, value: f64, gains: &[f64]| crate::optimise::PilotPick {
            school,
            value,
            gain: Summary::of(gains.iter().copied()),
        };
        o.pilots = Some(crate::optimise::Pilots {
            picks: vec![
                pick(3, 0.1, &[0.1, 0.1, 0.1, 0.1]),
                pick(5, 0.1, &[0.05, -0.05, 0.05, -0.05]),
            ],
            rejected: Some(pick(7, 0.08, &[-0.02, -0.03, -0.01, -0.02])),
            sought: 4,
            runs: 4,
            evaluations: 30,
            candidate: Some(1),
            tied: false,
        });
        o
    }

    /// A pilot set that lost is said to be rejected, first and in capitals, and is not titled
    /// as the optimised strategy's pilots; one that won is named as in best.toml. Either way
    /// each gain comes in points with its interval, the runs it rests on are given, a gain
    /// whose interval includes 0 is counted, and where selection stopped (and why) is said.
    #[test]
    fn the_table_says_whether_the_chosen_pilot_schools_won() {
        let scenario = Scenario::builtin_default();
        let lost = table(&scenario, &with_pilots(false));
        assert!(lost.contains("NOT RECOMMENDED: the pilot schools greedy selection chose did not win. With them the strategy scored 25.0 on the 8 search runs, the optimised strategy 32.0"), "{lost}");
        assert!(!lost.contains("named in best.toml"), "{lost}");
        for text in [&lost, &table(&scenario, &with_pilots(true))] {
            assert!(
                text.contains("CELF on 4 search runs, 30 sets evaluated"),
                "{text}"
            );
            assert!(
                text.contains(": 3 +10.0 (+10.0 to +10.0), 5 +0.0 ("),
                "{text}"
            );
            assert!(
                text.contains(
                    "pilot selection stopped after 2 of the 4 schools looked for: the next best, \
                     7, would have changed the objective by -2.0 ("
                ),
                "{text}"
            );
            assert!(
                text.contains("1 of these 2 gains has a 95% interval that includes 0 (on 4 runs each; a larger --budget-evals"),
                "{text}"
            );
        }
        let won = table(&scenario, &with_pilots(true));
        assert!(!won.contains("NOT RECOMMENDED"), "{won}");
        assert!(
            won.contains("pilot schools named in best.toml, chosen by greedy selection"),
            "{won}"
        );
        assert!(!won.contains("tied"), "{won}");
        // A set that won a tie is named, and the tie said, never "did not win".
        let mut tied = with_pilots(true);
        tied.pilots.as_mut().unwrap().tied = true;
        let text = table(&scenario, &tied);
        assert!(!text.contains("NOT RECOMMENDED"), "{text}");
        assert!(
            text.contains(
                "the strategy with these schools tied exactly, on the search runs, with a \
                 finalist that leaves its pilots to the targeting rule"
            ),
            "{text}"
        );
    }

    /// `pilots.csv` says whether the optimised strategy pilots the set, lists the school
    /// selection stopped at as not added, and names the unit of its gains (fractions here).
    #[test]
    fn pilots_csv_flags_the_rejected_set_and_names_its_unit() {
        let scenario = Scenario::builtin_default();
        for won in [false, true] {
            let mut bytes = Vec::new();
            write_pilots(&mut bytes, &scenario, &with_pilots(won)).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
            assert_eq!(rows[0], PILOTS_HEADER);
            let col = |name: &str| PILOTS_HEADER.iter().position(|h| *h == name).unwrap();
            assert_eq!(rows.len(), 4, "{text}");
            for row in &rows[1..3] {
                assert_eq!(row[col("added")], "true");
                assert_eq!(row[col("in_optimised")], won.to_string());
                assert_eq!(row[col("unit")], "share");
                assert_eq!(row[col("runs")], "4");
            }
            assert_eq!(rows[1][col("marginal_gain")], "0.1");
            assert_eq!(rows[3][col("school")], "7");
            assert_eq!(rows[3][col("added")], "false");
            assert_eq!(rows[3][col("in_optimised")], "false");
        }
    }

    /// Each knob sits on a bound of the search that is not its own limit gets a note naming the
    /// `[optimise]` field that widens the range; a knob at its own limit (no coaching, every
    /// school a pilot) or inside the range gets none.
    #[test]
    fn a_knob_on_a_bound_of_the_search_gets_a_note() {
        let cfg = OptimiseConfig::default();
        let mut s = StrategyConfig::named("pilot-then-cascade");
        s.coach_share = Some(0.0);
        s.pilots = 20;
        let notes = bound_notes(&cfg, 60, &s);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with(
                "20 pilots is the most the search tried ([optimise] pilots = [1, 20])"
            ),
            "{notes:?}"
        );
        assert!(
            notes[0].contains("raise the second number of pilots"),
            "{notes:?}"
        );
        // Every school of a 20-school network: no wider range exists.
        assert!(bound_notes(&cfg, 20, &s).is_empty());
        s.pilots = 12;
        assert!(bound_notes(&cfg, 60, &s).is_empty());
        s.coach_share = Some(0.4);
        let notes = bound_notes(&cfg, 60, &s);
        assert!(
            notes.len() == 1 && notes[0].contains("coach_share 0.4 is the most"),
            "{notes:?}"
        );
        let mut c = StrategyConfig::named("cluster");
        c.coach_share = Some(0.1);
        c.hub_share = 0.5;
        c.pilots = 20; // not read by a cluster: no note
        let notes = bound_notes(&cfg, 60, &c);
        assert!(
            notes.len() == 1 && notes[0].contains("hub_share 0.5 is the most"),
            "{notes:?}"
        );
        let mut narrow = cfg.clone();
        narrow.pilots = [5, 8];
        s.pilots = 5;
        s.coach_share = Some(0.1);
        let notes = bound_notes(&narrow, 60, &s);
        assert!(
            notes.len() == 1 && notes[0].contains("lower the first number of pilots"),
            "{notes:?}"
        );
    }

    /// best.toml marks the fields the chosen kind or mode does not read, and the marked text
    /// still reads back as the very strategy that was evaluated.
    #[test]
    fn best_toml_marks_the_knobs_the_strategy_does_not_use() {
        let mut o = outcome(false);
        o.candidates[0].strategy.kind = Some(StrategyKind::PilotThenCascade);
        o.candidates[0].strategy.coach_share = Some(0.2);
        let text = best_toml(&Scenario::builtin_default(), &o);
        assert!(
            text.contains("\nhub_share = 0.2  # cluster only: not used by this strategy\n"),
            "{text}"
        );
        assert!(
            text.contains("\nbuild_share = 0.3  # support = \"build\" only"),
            "{text}"
        );
        assert!(text.contains("\npilots = 0\n"), "{text}");
        assert!(text.contains("\nwaves = true\n"), "{text}");
        #[derive(serde::Deserialize)]
        struct Entry {
            strategies: Vec<StrategyConfig>,
        }
        let back: Entry = toml::from_str(&text).unwrap();
        assert_eq!(back.strategies[0], o.best_strategy());
        let mut c = outcome(false);
        c.candidates[0].strategy.kind = Some(StrategyKind::Cluster);
        let text = best_toml(&Scenario::builtin_default(), &c);
        assert!(
            text.contains("\npilots = 0  # pilot-then-cascade only"),
            "{text}"
        );
        assert!(text.contains("\nhub_share = 0.2\n"), "{text}");
    }
}
