//! The files of an optimisation and its printed table.
//!
//! | file | one row per | what |
//! |---|---|---|
//! | `best.toml` | | the winner as a `[[strategies]]` entry, ready to paste into a scenario |
//! | `pilots.csv` | chosen pilot school | `school, name, region, rank, marginal_gain, value` (header only when no pilots were chosen) |
//! | `trace.csv` | candidate raced or re-evaluated (not CELF's intermediate pilot sets) | its knobs, its search runs and figures, when the race dropped it, its fresh-world figures |
//! | `comparison.csv` | strategy | the winner and the scenario's strategies on fresh worlds, the winner's paired difference to each |
//!
//! Shares are fractions (0-1) in the files; the printed table shows them in percent.

use super::{Outcome, Row, BEST_NAME};
use crate::error::Result;
use crate::metrics::stats::Summary;
use crate::output::{csv_writer, num, write_atomic};
use crate::scenario::{Goal, Scenario, StrategyConfig};
use serde::Serialize;
use std::io::{self, Write};
use std::path::Path;

pub(crate) use crate::report::optimise::{COMPARISON_HEADER, PILOTS_HEADER};

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
    let body = toml::to_string(&Entry {
        strategies: vec![outcome.best_strategy()],
    })
    .expect("a strategy serialises");
    let best = &outcome.table[0];
    format!(
        "# The best strategy `domino optimise` found for scenario \"{}\" (objective {}, seed {}):\n\
         # {} on {} fresh runs. Paste this entry into a scenario's strategies to compare it there.\n{}{}",
        scenario.config.name,
        outcome.goal.name(),
        scenario.config.seed,
        describe(outcome.goal, &best.objective),
        best.objective.n,
        body,
        if body.ends_with('\n') { "" } else { "\n" }
    )
}

fn describe(goal: Goal, s: &Summary) -> String {
    format!("mean {} (95% CI {})", show(goal, s.mean), ci(goal, s))
}

/// A value of the objective for people: percent for shares, students per SU otherwise.
fn show(goal: Goal, v: f64) -> String {
    match goal {
        Goal::CostPerStudent => format!("{v:.2}"),
        _ => format!("{:.1}", 100.0 * v),
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
        "{:<20} {:>22} {:>12} {:>26} {:>14}\n",
        "strategy", "mean (95% CI)", "worst 10%", "optimised - this (95% CI)", "P(opt. beats)"
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
            "{:<20} {:>22} {:>12} {:>26} {:>14}",
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
    let best = outcome.best_strategy();
    out.push_str(&format!("optimised = {}\n", summary_line(&best)));
    match (&outcome.pilots, &outcome.pilots_note) {
        (Some(p), _) => {
            let ids: Vec<String> = p
                .picks
                .iter()
                .map(|pk| scenario.school_id(pk.item as usize).into_owned())
                .collect();
            if best.pilot_ids.is_empty() {
                out.push_str(&format!(
                    "pilot schools chosen by CELF ({} runs, {} sets evaluated): {}; with them the \
                     strategy did not beat the finalists that leave pilots to the targeting rule \
                     (trace.csv, origin pilots)\n",
                    p.runs,
                    p.evaluations,
                    ids.join(", ")
                ));
            } else {
                out.push_str(&format!(
                    "pilot schools of the optimised strategy (CELF on {} runs, {} sets \
                     evaluated): {}\n",
                    p.runs,
                    p.evaluations,
                    ids.join(", ")
                ));
            }
        }
        (None, Some(note)) => out.push_str(&format!("pilot schools not chosen: {note}\n")),
        (None, None) => {}
    }
    out
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
            parts.push(format!("{} pilots", s.pilots));
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
    file("trace.csv", &|w| write_trace(w, outcome))?;
    file("comparison.csv", &|w| write_comparison(w, outcome))?;
    Ok(written)
}

fn write_pilots(w: &mut dyn Write, scenario: &Scenario, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record(PILOTS_HEADER)?;
    if let Some(p) = &outcome.pilots {
        let (region, _) = crate::school::regions(scenario);
        for (rank, pick) in p.picks.iter().enumerate() {
            let i = pick.item as usize;
            c.write_record([
                scenario.school_id(i).as_ref(),
                scenario.school_name(i),
                scenario.region_name(region[i] as usize).as_ref(),
                &(rank + 1).to_string(),
                &num(pick.gain),
                &num(pick.value),
            ])?;
        }
    }
    c.flush()
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
    ])?;
    for cand in &outcome.candidates {
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
            num(mean_of(&cand.fresh, |v| v.objective)),
            if cand.fresh.is_empty() {
                String::new()
            } else {
                num(super::worst_decile(&cand.fresh))
            },
        ])?;
    }
    c.flush()
}

fn write_comparison(w: &mut dyn Write, outcome: &Outcome) -> io::Result<()> {
    let mut c = csv_writer(w);
    c.write_record(COMPARISON_HEADER)?;
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
